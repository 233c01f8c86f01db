"""Find the rule fixtures on disk (stdlib only: tests/data/graph_mode/probe.py loads it too).

tests/fixtures/rules/<rule id>/
    flag.py, flag.<case>.py      must be flagged with the rule
    clean.py, clean.<case>.py    must not be (graph-mode rules: the same case rewritten so that
                                 MindSpore compiles it; pairs by <case>)
    fix.in.py -> fix.out.py      the whole file after every finding of the rule is fixed
    refuse.py                    every finding of the rule in it is refused (FixRefused)
A graph-mode flag file's first line reads `# mindspore 2.10 graph mode: <error fragment>`: the
error MindSpore gives when it compiles the file (tests/test_graph_mode.py checks it).

tests/data/graph_mode/
    works/<case>.py              Python that compiles in graph mode: no graph-mode finding
    silent/<case>.bad.py, .good.py  compiles but behaves differently from PyNative, and rewrite
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

TESTS = Path(__file__).resolve().parent
RULE_FIXTURES = TESTS / "fixtures" / "rules"
GRAPH_DATA = TESTS / "data" / "graph_mode"
_GRAPH_ERROR = re.compile(r"# mindspore 2\.10 graph mode: (.+)")


def rule_dirs() -> dict[str, Path]:
    """Rule id -> its fixture folder."""
    return {d.name: d for d in sorted(RULE_FIXTURES.iterdir()) if d.is_dir()}


def flag_files(rule_dir: Path) -> list[Path]:
    return sorted(rule_dir.glob("flag*.py"))


def clean_files(rule_dir: Path) -> list[Path]:
    return sorted(rule_dir.glob("clean*.py"))


def fix_pairs(rule_dir: Path) -> list[tuple[Path, Path]]:
    """(fix.in.py, fix.out.py) pairs; a missing out file is returned too (the test fails)."""
    return [
        (path, path.with_name(path.name.replace(".in.py", ".out.py")))
        for path in sorted(rule_dir.glob("fix*.in.py"))
    ]


def refuse_files(rule_dir: Path) -> list[Path]:
    return sorted(rule_dir.glob("refuse*.py"))


@dataclass(frozen=True)
class GraphCase:
    rule: str
    bad: Path  # fails to compile in graph mode
    good: Path  # the clean rewrite, compiles
    error: str  # a fragment of mindspore 2.10's error for `bad`


def graph_cases() -> dict[str, GraphCase]:
    """Case name -> the flag/clean pair of a graph-mode rule (folders named graph-*)."""
    cases = {}
    for rule, folder in rule_dirs().items():
        if not rule.startswith("graph-"):
            continue
        for bad in flag_files(folder):
            case = bad.name.removeprefix("flag.").removesuffix(".py")
            first = bad.read_text().split("\n", 1)[0]
            match = _GRAPH_ERROR.fullmatch(first)
            error = match.group(1) if match else ""
            cases[case] = GraphCase(rule, bad, folder / f"clean.{case}.py", error)
    return cases


def silent_cases() -> dict[str, tuple[Path, Path]]:
    """Case -> (compiles but diverges from PyNative, the rewrite)."""
    folder = GRAPH_DATA / "silent"
    return {
        bad.name.removesuffix(".bad.py"): (bad, bad.with_name(bad.name.replace(".bad.", ".good.")))
        for bad in sorted(folder.glob("*.bad.py"))
    }


def works_cases() -> dict[str, Path]:
    """Case -> Python that graph mode compiles and runs as PyNative does."""
    return {path.stem: path for path in sorted((GRAPH_DATA / "works").glob("*.py"))}


class _Span(Protocol):
    line: int
    col: int
    end_line: int
    end_col: int


class _Edit(Protocol):
    span: _Span
    new_text: str


def apply_edits(source: str, edits: list[_Edit]) -> str:
    """Apply code-point edits (server.analysis.edits.TextEditPlan) the way an editor does."""
    lines = source.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)

    def offset(line: int, col: int) -> int:
        return starts[line] + col

    spans = sorted(
        (
            (offset(e.span.line, e.span.col), offset(e.span.end_line, e.span.end_col), e.new_text)
            for e in edits
        ),
        reverse=True,
    )
    for start, end, new in spans:
        source = source[:start] + new + source[end:]
    return source
