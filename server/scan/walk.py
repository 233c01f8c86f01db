"""`mindport scan`: analyse a tree of Python files and collect what needs care."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mapping_db.store import MappingDB
from server.advice.assess import Assessment, assess
from server.advice.compliance import reported_in
from server.analysis.findings import SyntaxProblem
from server.analysis.references import find_torch_references

_SKIP_DIRS = {".git", ".hg", ".venv", "venv", "__pycache__", "node_modules", ".tox", "build"}
MAX_FILE_BYTES = 20_000_000


@dataclass(slots=True)
class FileReport:
    path: Path
    lines: int
    assessments: list[Assessment] = field(default_factory=list)
    syntax_error: SyntaxProblem | None = None
    skipped: str | None = None


def python_files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_file():
            yield path
            continue
        for root, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if d not in _SKIP_DIRS and not d.startswith("."))
            for name in sorted(files):
                if name.endswith(".py"):
                    yield Path(root) / name


def scan_file(path: Path, db: MappingDB, device: str, mode: str = "pynative") -> FileReport:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return FileReport(path, 0, skipped="file too large")
        raw = path.read_bytes()
    except OSError as exc:
        return FileReport(path, 0, skipped=f"cannot read: {exc.strerror or exc}")
    if b"\0" in raw:
        return FileReport(path, 0, skipped="binary file")
    source = raw.decode("utf-8", errors="replace")
    report = FileReport(path, source.count("\n") + (0 if source.endswith("\n") else 1))
    if "torch" not in source and mode != "graph":
        return report  # no torch reference is possible; skip the parse
    result = find_torch_references(source)
    report.syntax_error = result.syntax_error
    for ref in result.references:
        if not reported_in(ref.qualified_name, mode):
            continue
        assessment = assess(ref, db, device)
        if assessment is not None:
            report.assessments.append(assessment)
    return report


def scan_paths(
    paths: list[Path],
    db: MappingDB,
    device: str,
    on_file: Callable[[FileReport], None] | None = None,
    mode: str = "pynative",
) -> list[FileReport]:
    reports: list[FileReport] = []
    for path in python_files(paths):
        report = scan_file(path, db, device, mode)
        reports.append(report)
        if on_file is not None:
            on_file(report)
    return reports
