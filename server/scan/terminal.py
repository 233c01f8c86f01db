"""`mindport scan` for people: linter lines, the per-API table, statistics, the summary.

Two renderings of each: `plain` (piped, or asked for) writes one finding per line, never
wrapped, so grep and editors' problem matchers read `path:line:col: level message`; the rich
one wraps to the terminal's width and moves long text under its line, indented, never cutting
it. Nothing here truncates a name or an advice text.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from rich.console import Console
from rich.markup import escape as esc
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from server.advice.policy import LEVELS
from server.scan.findings import (
    KIND_LABELS,
    KINDS,
    Finding,
    ScanResult,
    display_name,
    summary_line,
)

LEVEL_STYLE = {"error": "bold red", "warning": "yellow", "information": "cyan", "hint": "dim"}
_KIND_STYLE = {
    "syntax": "red",
    "graph_mode": "red",
    "no_equivalent": "red",
    "compliance": "magenta",
    "differences": "yellow",
    "unknown": "dim",
    "consistent": "green",
}
_INDENT = 4


def _plain(console: Console, text: str) -> None:
    """A line as it is: no markup, no highlighting, no wrapping, tabs kept."""
    console.file.write(text + "\n")


def location(f: Finding) -> str:
    return f"{f.path}:{f.line}:{f.column}"


def plain_line(f: Finding) -> str:
    return f"{location(f)}: {f.level} {f.message}"


def _split_message(f: Finding) -> tuple[str, str]:
    """(what, advice): `torch.nn.Conv2d → mindspore.nn.Conv2d` and the rest."""
    if f.assessment is not None and f.api is not None and f.message.startswith(f.api):
        head, sep, rest = f.message.partition(": ")
        if sep:
            return head, rest
    return f.message, ""


def render_lines(result: ScanResult, console: Console, plain: bool) -> None:
    """One finding per line, grouped by file (a blank line between files), sorted."""
    previous = None
    for f in result.findings:
        if previous is not None and f.path != previous:
            console.print()
        previous = f.path
        if plain:
            _plain(console, plain_line(f))
            continue
        what, advice = _split_message(f)
        head = Text.assemble(
            (f"{location(f)}:", "bold"), " ", (f.level, LEVEL_STYLE[f.level]), " ", what
        )
        console.print(head, overflow="fold")
        if advice:
            console.print(Padding(Text(advice, overflow="fold"), (0, 0, 0, _INDENT), expand=False))
    render_skipped(result, console, plain)


def render_skipped(result: ScanResult, console: Console, plain: bool) -> None:
    """Files not scanned, apart from the findings and never counted as scanned."""
    if not result.skipped:
        return
    console.print()
    for report in result.skipped:
        line = f"{report.path}: skipped ({report.skipped})"
        if plain:
            _plain(console, line)
        else:
            console.print(Text(line, style="dim", overflow="fold"))


def render_table(result: ScanResult, console: Console, plain: bool, device: str) -> None:
    """The per-API summary: each torch API (or construct) once, with its target, status, how
    often it is used, its advice, and which files and lines use it. Consistent APIs are listed
    too: this is the inventory of what the code uses."""
    by_api: dict[str, list] = defaultdict(list)
    for report, assessment in result.inventory:
        by_api[assessment.reference.qualified_name].append((report, assessment))
    order = {kind: i for i, kind in enumerate(KINDS)}
    rows = sorted(by_api.items(), key=lambda kv: (order[kv[1][0][1].kind], kv[0]))
    if not plain:
        console.print(Text(f"torch APIs and their MindSpore equivalents on {device}", "bold"))
    for api, uses in rows:
        first = uses[0][1]
        name = display_name(api)
        target = first.target.api if first.target is not None else "no target"
        label = KIND_LABELS[first.kind]
        count = f"{len(uses)} use{'s' * (len(uses) != 1)}"
        where = _places(uses)
        advice = advice_of(uses)
        if plain:
            _plain(console, f"{name} → {target}: {label}, {count}")
            if advice:
                _plain(console, f"    {advice}")
            _plain(console, f"    {where}")
            continue
        console.print()
        head = Text.assemble(
            (name, "bold"), " → ", (target, "cyan"), "  ", (label, _KIND_STYLE[first.kind]),
            f"  {count}",
        )  # fmt: skip
        console.print(head, overflow="fold")
        if advice:
            console.print(Padding(Text(advice, overflow="fold"), (0, 0, 0, _INDENT), expand=False))
        console.print(
            Padding(Text(where, style="dim", overflow="fold"), (0, 0, 0, _INDENT), expand=False)
        )
    render_skipped(result, console, plain)


def advice_of(uses: list) -> str:
    """The advice over every use of one API, without the `api → target:` head (the row says
    it): each part once, actions first, then differences (calls differ in their keywords),
    then the evidence."""
    actions: list[str] = []
    differences: list[str] = []
    evidence: list[str] = []
    for _, assessment in uses:
        advice = assessment.advice
        if advice is None:
            head, sep, rest = assessment.message.partition(": ")
            parts = [(actions, rest if sep else "")]
        else:
            parts = [(actions, p) for p in advice.action]
            parts += [(differences, p) for p in advice.differences]
            parts += [(evidence, advice.evidence)]
        for bucket, part in parts:
            if part and part not in bucket:
                bucket.append(part)
    return "; ".join(p.rstrip(". ") for p in actions + differences + evidence)


def _places(uses: list) -> str:
    """`a.py:3, 7, 12; b.py:40`: which files and lines use the API."""
    lines: dict[str, list[int]] = defaultdict(list)
    for report, assessment in uses:
        line = assessment.reference.span.line + 1
        if line not in lines[str(report.path)]:
            lines[str(report.path)].append(line)
    return "; ".join(f"{path}:{', '.join(map(str, sorted(ls)))}" for path, ls in lines.items())


def render_statistics(result: ScanResult, console: Console, plain: bool) -> None:
    """Counts per kind and level: places (uses) and distinct APIs apart."""
    uses: Counter[tuple[str, str]] = Counter()
    apis: dict[tuple[str, str], set[str]] = defaultdict(set)
    for f in result.findings:
        key = (f.kind, f.level)
        uses[key] += 1
        apis[key].add(f.api or str(f.path))
    order = {kind: i for i, kind in enumerate(KINDS)}
    keys = sorted(uses, key=lambda k: (LEVELS.index(k[1]), order[k[0]]))
    if plain:
        _plain(console, "places\tAPIs\tlevel\tkind")
        for kind, level in keys:
            _plain(console, f"{uses[(kind, level)]}\t{len(apis[(kind, level)])}\t{level}\t{kind}")
        return
    table = Table(box=None, pad_edge=False, show_edge=False)
    table.add_column("places", justify="right")
    table.add_column("APIs", justify="right")
    table.add_column("level", no_wrap=True)
    table.add_column("kind", overflow="fold")
    for kind, level in keys:
        table.add_row(
            str(uses[(kind, level)]),
            str(len(apis[(kind, level)])),
            f"[{LEVEL_STYLE[level]}]{level}[/]",
            kind if KIND_LABELS[kind] == kind else f"{kind} ({esc(KIND_LABELS[kind])})",
        )
    console.print(table)


def render_summary(result: ScanResult, console: Console, plain: bool) -> None:
    text = summary_line(result)
    if plain:
        _plain(console, text)
    else:
        style = "bold red" if result.errors else "bold"
        console.print(Text(text, style=style, overflow="fold"))
