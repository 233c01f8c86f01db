"""`mindport db show | search | stats | import`: query and rebuild the mapping database."""

from __future__ import annotations

import argparse
import difflib
import json
from collections import Counter
from dataclasses import asdict
from pathlib import Path

from rich.console import Console
from rich.markup import escape as esc
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from mapping_db.model import Entry
from mapping_db.store import MappingDB, load_database
from server.advice.advice_text import (
    compose_advice,
    describe_param,
    docs_version,
    torch_docs_url,
    user_note,
)
from server.cli_args import device_arg
from server.runner.verify.cli import add_arguments as add_verify_arguments
from server.runner.verify.cli import run as run_verify


def add_db_parser(sub: argparse._SubParsersAction) -> None:
    db = sub.add_parser("db", help="query the mapping database")
    verbs = db.add_subparsers(dest="db_command", required=True)
    show = verbs.add_parser("show", help="one torch API: its MindSpore targets and differences")
    show.add_argument("name", help="e.g. torch.nn.Conv2d, nn.Conv2d, or a Tensor method: view")
    show.add_argument(
        "--device", default="CPU", type=device_arg, help="CPU (default), GPU or Ascend"
    )
    show.add_argument(
        "--json", action="store_true", help="the entry as stored, with where each fact came from"
    )
    search = verbs.add_parser("search", help="find torch APIs by name, target or note")
    search.add_argument("text", help="part of a torch or MindSpore name, or a word of a note")
    search.add_argument("--limit", type=int, default=20, help="at most this many (default 20)")
    search.add_argument("--json", action="store_true")
    verbs.add_parser("stats", help="entries per namespace and status")
    imp = verbs.add_parser("import", help="rebuild official_*.toml from the official tables")
    imp.add_argument("--reference", type=Path, help="folder with mapping.jsonl")
    verify = verbs.add_parser("verify", help="run mapped targets against torch, record results")
    add_verify_arguments(verify)


def resolve_name(db: MappingDB, name: str) -> Entry | None:
    """Accept what users type: the full name, a common alias (nn., F.), or a Tensor method."""
    candidates = [name]
    for short, full in (("nn.functional.", "torch.nn.functional."), ("F.", "torch.nn.functional."),
                        ("nn.", "torch.nn."), ("Tensor.", "torch.Tensor.")):  # fmt: skip
        if name.startswith(short):
            candidates.append(full + name[len(short) :])
    if not name.startswith("torch"):
        candidates.append(f"torch.{name}")
    for candidate in candidates:
        entry = db.get(candidate)
        if entry is not None:
            return entry
    return db.tensor_method(name)


def run_db(args: argparse.Namespace) -> int:
    console = Console()
    if not console.is_terminal:  # piped: lines as they are, links and names never broken
        console = Console(soft_wrap=True)
    if args.db_command == "import":
        from mapping_db.importers.official_tables import main as import_main

        return import_main(["--reference", str(args.reference)] if args.reference else [])
    if args.db_command == "verify":
        return run_verify(args)
    db = load_database()
    if args.db_command == "show":
        return _show(db, args, console)
    if args.db_command == "search":
        return _search(db, args, console)
    return _stats(db, console)


def close_names(db: MappingDB, name: str, n: int = 5) -> list[str]:
    """Names close to a typo: difflib over the entries' full names, the names without
    `torch.` and their last part (`Lineer` finds torch.nn.Linear), then the search's."""
    spellings: dict[str, list[str]] = {}
    for entry in db:
        api = entry.torch_api
        for spelling in {api, api.removeprefix("torch."), api.rsplit(".", 1)[-1]}:
            spellings.setdefault(spelling.lower(), []).append(api)
    found: list[str] = []
    wanted = name.lower().replace("f.", "nn.functional.", 1) if name.startswith("F.") else name
    for match in difflib.get_close_matches(wanted.lower(), list(spellings), n=n, cutoff=0.75):
        for api in sorted(spellings[match], key=len):
            if api not in found:
                found.append(api)
    for entry in db.search(name.rsplit(".", 1)[-1], limit=n):
        if entry.torch_api not in found:
            found.append(entry.torch_api)
    return found[:n]


def _not_found(db: MappingDB, name: str, console: Console) -> int:
    console.print(f"[red]{esc(name)}: not in the mapping database.[/]", highlight=False)
    close = close_names(db, name)
    if close:
        console.print(f"Did you mean: {', '.join(close)}?", highlight=False, soft_wrap=True)
    return 1


def _show(db: MappingDB, args: argparse.Namespace, console: Console) -> int:
    entry = resolve_name(db, args.name)
    if entry is None:
        return _not_found(db, args.name, console)
    if args.json:
        print(json.dumps(asdict(entry), indent=2))
        return 0
    picked = db.pick_target(entry, args.device)
    head = f"[bold]{entry.torch_api}[/]"
    if picked is not None:
        head += f" → [bold cyan]{picked.api}[/] on {args.device}"
    console.print(f"{head} · {entry.status} ({entry.kind})", highlight=False)
    # The same advice as the editor's diagnostic and `mindport scan`, for any call.
    advice = compose_advice(db, entry, picked, args.device)
    for part in advice.parts:
        if console.soft_wrap:  # piped: the line as it is
            console.print(f"  {esc(part)}", highlight=False)
        else:  # a terminal: wrapped under the head, indented, never cut
            console.print(Padding(Text(part, overflow="fold"), (0, 0, 0, 2), expand=False))
    console.print(f"tables: {', '.join(entry.sources) or '—'}", highlight=False)
    for target in entry.targets:
        mark = f"  [green]← used on {args.device}[/]" if target is picked else ""
        off = f"  [red](not on {', '.join(target.not_on)})[/]" if target.not_on else ""
        console.print(f"\n[bold cyan]{target.api}[/]{mark}{off}", highlight=False)
        verdict = db.verified(entry, target, args.device)
        if verdict is not None:
            color = "green" if verdict.status == "equal" else "red"
            line = f"verification on {args.device}: {verdict.summary()}"
            if verdict.status == "equal":
                line = f"verified equal on {args.device}: {verdict.summary()}"
            console.print(f"  [{color}]{esc(line)}[/]", highlight=False)
        console.print(f"  from: {', '.join(target.sources)} · category: {target.category}")
        note = user_note(target.note)
        if note:
            console.print(f"  {esc(note)}", highlight=False)
        for fact in target.params:
            phrase = describe_param(fact)
            if phrase:
                console.print(f"  - {esc(phrase)}", highlight=False)
        for name, value in target.set_args.items():
            console.print(f"  - set {name}={esc(value)}", highlight=False)
        for name, values in target.unsupported.items():
            console.print(f"  - {name}: {esc(', '.join(values))} not supported", highlight=False)
        for link in (target.diff_url, target.url):
            if link:
                console.print(f"  {link}", soft_wrap=True, highlight=False)
    torch_url = torch_docs_url(entry.torch_url, docs_version(db))
    if torch_url:
        console.print(f"\ntorch: {torch_url}", soft_wrap=True, highlight=False)
    return 0


def _search(db: MappingDB, args: argparse.Namespace, console: Console) -> int:
    found = db.search(args.text, limit=args.limit)
    if args.json:
        rows = [
            {"torch_api": e.torch_api, "status": e.status, "targets": [t.api for t in e.targets]}
            for e in found
        ]
        print(json.dumps(rows, indent=2))
        return 0 if found else 1
    if not found:
        console.print(f"nothing matches {args.text!r}", highlight=False)
        close = close_names(db, args.text)
        if close:
            console.print(f"Did you mean: {', '.join(close)}?", highlight=False, soft_wrap=True)
        return 1
    if not console.is_terminal:  # piped: one entry per line, names whole
        for entry in found:
            targets = ", ".join(t.api for t in entry.targets) or "—"
            print(f"{entry.torch_api}\t{entry.status}\t{targets}")
        return 0
    names = max(len(e.torch_api) for e in found)
    targets = (
        max(len(t.api) for e in found for t in e.targets) if any(e.targets for e in found) else 1
    )
    if names + targets + len("mapped-with-differences") + 10 <= console.width:
        table = Table()
        table.add_column("torch API", style="bold", no_wrap=True)
        table.add_column("status", no_wrap=True)
        table.add_column("MindSpore targets", no_wrap=True)
        for entry in found:
            table.add_row(
                entry.torch_api, entry.status, "\n".join(t.api for t in entry.targets) or "—"
            )
        console.print(table)
        return 0
    # Too narrow for three whole columns: each entry on its own lines, names never cut.
    for entry in found:
        head = Text.assemble((entry.torch_api, "bold"), f"  {entry.status}")
        console.print(head, overflow="fold")
        for target in entry.targets or ():
            console.print(Text(f"    {target.api}", overflow="fold"))
    return 0


def namespace_of(api: str) -> str:
    for prefix in ("torch.nn.functional", "torch.nn.init", "torch.nn", "torch.Tensor",
                   "torch.optim.lr_scheduler", "torch.optim", "torch.linalg", "torch.fft",
                   "torch.special", "torch.utils.data", "torch.distributed"):  # fmt: skip
        if api.startswith(prefix + "."):
            return prefix
    if api.startswith("torch.") and api.count(".") == 1:
        return "torch"
    return api.split(".")[0] if not api.startswith("torch.") else "torch (other)"


def _stats(db: MappingDB, console: Console) -> int:
    per: Counter[tuple[str, str]] = Counter()
    for entry in db:
        per[(namespace_of(entry.torch_api), entry.status)] += 1
    statuses = ("mapped", "mapped-with-differences", "no-equivalent")
    table = Table(title=f"mapping database: {len(db):,} torch APIs")
    table.add_column("namespace", style="bold")
    for status in statuses:
        table.add_column(status, justify="right")
    table.add_column("total", justify="right")
    for namespace in sorted({ns for ns, _ in per}):
        counts = [per[(namespace, s)] for s in statuses]
        table.add_row(namespace, *map(str, counts), str(sum(counts)))
    console.print(table)
    _verification_stats(db, console)
    return 0


def _verification_stats(db: MappingDB, console: Console) -> None:
    """Per device: mapped targets by verification outcome, entries with a target verified
    equal, and the failing targets with their reasons."""
    from mapping_db.verification import OUTCOMES

    mapped = [e for e in db if e.status != "no-equivalent" and e.targets]
    pairs = sum(len(e.targets) for e in mapped)
    found = False
    for device in ("CPU", "GPU", "Ascend"):
        results = db.verification(device)
        if results is None:
            continue
        found = True
        outcome: Counter[str] = Counter()
        equal_entries = 0
        failures: list[tuple[str, str, str]] = []
        for entry in mapped:
            any_equal = False
            for target in entry.targets:
                verdict = results.get(entry.torch_api, target.api)
                status = verdict.status if verdict is not None else "not run"
                outcome[status] += 1
                any_equal = any_equal or status == "equal"
                if verdict is not None and status not in ("equal", "untested"):
                    failures.append((entry.torch_api, target.api, verdict.summary()))
            equal_entries += any_equal
        console.print(
            f"\n[bold]verification on {device}[/]: MindSpore {results.mindspore}, "
            f"torch {results.torch}, run {results.created or 'undated'}"
        )
        table = Table()
        table.add_column("outcome", style="bold")
        table.add_column("targets", justify="right")
        for status in (*OUTCOMES, "not run"):
            if outcome[status]:
                table.add_row(status, f"{outcome[status]:,}")
        table.add_row("total", f"{pairs:,}")
        console.print(table)
        console.print(
            f"{equal_entries:,} of {len(mapped):,} mapped entries have a target verified equal "
            f"on {device}; {len(failures):,} targets fail (mismatch, error, timeout, crash)."
        )
        with_workaround = [e for e in db if e.status == "no-equivalent" and e.workaround]
        ran = [v for e in with_workaround if (v := db.workaround_verified(e, device)) is not None]
        if with_workaround:
            equal_workarounds = sum(v.status == "equal" for v in ran)
            console.print(
                f"{equal_workarounds:,} of {len(with_workaround):,} workaround formulas of "
                f"no-equivalent entries verified equal on {device} ({len(ran):,} run)."
            )
        if failures:
            shown = failures[:25]
            for api, target, summary in shown:
                console.print(f"  {api} → {target}: {esc(summary[:160])}", soft_wrap=True)
            if len(failures) > len(shown):
                console.print(f"  … {len(failures) - len(shown):,} more (`mindport db show NAME`)")
    if not found:
        console.print("verification: no results yet (`mindport db verify`)")
