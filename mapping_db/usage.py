"""How well the mapping database answers real code: the share of torch references per answer.

    python -m mapping_db.usage PATH... [--device CPU] [--top N] [--json]

Each PATH is one project (a folder or a file). The references come from `mindport scan
--format json`, run in a subprocess of this interpreter (this package never imports `server`);
each one is sorted into one answer kind:

    verified     mapped, and the target the scan picked was verified equal on the device
    mapped       mapped, target not verified equal (untested, or a case differs or fails)
    guidance     no direct target, but a specific answer of our own: a redesign (compliance
                 or graph-mode rule), or a no-equivalent entry whose note says what to write
                 instead (or has a workaround formula)
    weak         a no-equivalent entry with no note beyond "not found"
    unknown      not in the database

The figure to watch is weak + unknown: references a user meets with no useful answer.
`--top N` lists the N most frequent weak and unknown APIs, the work list.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from mapping_db.store import MappingDB, load_database

KINDS: tuple[str, ...] = ("verified", "mapped", "guidance", "weak", "unknown")

# Notes that say only that nothing was found: no answer a user can act on.
WEAK_NOTES = frozenset(
    {
        "",
        "No same-named MindSpore API found by introspection.",
        "Signature not readable.",
    }
)


def is_weak_note(note: str) -> bool:
    return note.strip() in WEAK_NOTES


@dataclass
class ProjectUsage:
    name: str
    lines: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    # (kind, api) -> references, for the work list
    apis: Counter[tuple[str, str]] = field(default_factory=Counter)
    namespace_answers: int = 0  # guidance references answered by a whole namespace's note

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, *kinds: str) -> float:
        return 100.0 * sum(self.counts[k] for k in kinds) / self.total if self.total else 0.0


def classify(finding: dict, db: MappingDB, device: str) -> str:
    """The answer kind of one scan finding (a dict of `mindport scan --format json`)."""
    kind = finding["kind"]
    if kind == "unknown":
        return "unknown"
    if kind in ("compliance", "graph_mode"):
        return "guidance"
    entry = db.get(finding["api"])
    if entry is None and finding["api"].startswith("torch.Tensor."):
        entry = db.tensor_method(finding["api"].removeprefix("torch.Tensor."))
    if kind == "no_equivalent":
        if entry is not None and (entry.workaround or not is_weak_note(entry.note)):
            return "guidance"
        return "weak"
    target = next((t for t in entry.targets if t.api == finding["target"]), None) if entry else None
    if entry is not None and target is not None:
        verdict = db.verified(entry, target, device)
        if verdict is not None and verdict.status == "equal":
            return "verified"
    return "mapped"


def scan(path: Path, device: str) -> dict:
    """`mindport scan --format json` over one path, in a subprocess."""
    proc = subprocess.run(
        [sys.executable, "-m", "server.cli", "scan", "--format", "json", "-q"]
        + ["--device", device, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"scan of {path} failed ({proc.returncode}): {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def measure(path: Path, db: MappingDB, device: str) -> ProjectUsage:
    report = scan(path, device)
    usage = ProjectUsage(path.name or str(path), lines=report["lines"])
    for finding in report["findings"]:
        kind = classify(finding, db, device)
        usage.counts[kind] += 1
        usage.apis[(kind, finding["api"])] += 1
        entry = db.get(finding["api"]) if kind == "guidance" else None
        if entry is not None and db.is_namespace_answer(entry):
            usage.namespace_answers += 1
    return usage


def render_table(projects: list[ProjectUsage]) -> str:
    """A Markdown table: references per answer kind, in % of the project's references."""
    head = (
        "| project | lines | references | "
        + " | ".join(KINDS)
        + " | (guidance by namespace) | weak + unknown |"
    )
    rule = "| --- " * (len(KINDS) + 5) + "|"
    rows = [head, rule]
    every = [*projects]
    if len(projects) > 1:
        total = ProjectUsage("all", lines=sum(p.lines for p in projects))
        for p in projects:
            total.counts.update(p.counts)
            total.namespace_answers += p.namespace_answers
        every.append(total)
    for p in every:
        cells = [f"{p.share(k):.1f}%" for k in KINDS]
        by_namespace = 100.0 * p.namespace_answers / p.total if p.total else 0.0
        rows.append(
            f"| {p.name} | {p.lines:,} | {p.total:,} | "
            + " | ".join(cells)
            + f" | ({by_namespace:.1f}%) | **{p.share('weak', 'unknown'):.1f}%** |"
        )
    return "\n".join(rows)


def render_top(projects: list[ProjectUsage], n: int) -> str:
    together: Counter[tuple[str, str]] = Counter()
    for p in projects:
        together.update(p.apis)
    worst = [(key, count) for key, count in together.most_common() if key[0] in ("weak", "unknown")]
    lines = [f"most frequent weak and unknown APIs ({min(n, len(worst))} of {len(worst)}):"]
    lines += [f"{count:6d}  {kind:8s} {api}" for (kind, api), count in worst[:n]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mapping_db.usage", description=__doc__)
    parser.add_argument("paths", nargs="+", type=Path, help="one project per path")
    parser.add_argument("--device", default="CPU", choices=("CPU", "GPU", "Ascend"))
    parser.add_argument("--top", type=int, default=0, help="list the N worst-answered APIs")
    parser.add_argument("--json", action="store_true", help="counts as JSON")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        print(f"error: no such path: {', '.join(missing)}", file=sys.stderr)
        return 2
    db = load_database()
    projects = [measure(path, db, args.device) for path in args.paths]
    if args.json:
        out = {
            p.name: {
                "lines": p.lines,
                "references": p.total,
                **{k: p.counts[k] for k in KINDS},
                "guidance_by_namespace": p.namespace_answers,
            }
            for p in projects
        }
        print(json.dumps(out, indent=2))
    else:
        print(render_table(projects))
    if args.top:
        print()
        print(render_top(projects, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
