"""`mindport scan`: analyse a tree of Python files and collect what needs care.

Large trees are analysed on every core: worker processes parse and resolve files (the
expensive part) and send back the references; this process assesses them against the database
and keeps the walk's order, so the output is the same as a one-process run's.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

from mapping_db.store import MappingDB
from server.advice.assess import Assessment, assess
from server.advice.compliance import reported_in
from server.analysis.findings import SyntaxProblem, TorchReference
from server.analysis.references import find_torch_references

_SKIP_DIRS = {".git", ".hg", ".venv", "venv", "__pycache__", "node_modules", ".tox", "build"}
MAX_FILE_BYTES = 20_000_000
# Below this much source, starting workers costs more than it saves.
PARALLEL_MIN_BYTES = 1_000_000
# Files per task sent to a worker: small enough to balance, large enough to amortise.
BATCH_BYTES = 200_000


@dataclass(slots=True)
class FileReport:
    path: Path
    lines: int
    assessments: list[Assessment] = field(default_factory=list)
    syntax_error: SyntaxProblem | None = None
    skipped: str | None = None


@dataclass(slots=True)
class FileAnalysis:
    """What reading and analysing one file gives (no database needed): a worker's answer."""

    path: Path
    lines: int
    references: list[TorchReference] = field(default_factory=list)
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


def analyse_file(path: Path, mode: str = "pynative") -> FileAnalysis:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return FileAnalysis(path, 0, skipped="file too large")
        raw = path.read_bytes()
    except OSError as exc:
        return FileAnalysis(path, 0, skipped=f"cannot read: {exc.strerror or exc}")
    if b"\0" in raw:
        return FileAnalysis(path, 0, skipped="binary file")
    source = raw.decode("utf-8", errors="replace")
    analysis = FileAnalysis(path, source.count("\n") + (0 if source.endswith("\n") else 1))
    if "torch" not in source and mode != "graph":
        return analysis  # no torch reference is possible; skip the parse
    result = find_torch_references(source)
    analysis.syntax_error = result.syntax_error
    analysis.references = list(result.references)
    return analysis


def assess_file(analysis: FileAnalysis, db: MappingDB, device: str, mode: str) -> FileReport:
    report = FileReport(
        analysis.path, analysis.lines, syntax_error=analysis.syntax_error, skipped=analysis.skipped
    )
    for ref in analysis.references:
        if not reported_in(ref.qualified_name, mode):
            continue
        assessment = assess(ref, db, device)
        if assessment is not None:
            report.assessments.append(assessment)
    return report


def scan_file(path: Path, db: MappingDB, device: str, mode: str = "pynative") -> FileReport:
    return assess_file(analyse_file(path, mode), db, device, mode)


def scan_paths(
    paths: list[Path],
    db: MappingDB,
    device: str,
    on_file: Callable[[FileReport], None] | None = None,
    mode: str = "pynative",
    jobs: int = 0,
) -> list[FileReport]:
    """Scan files and folders. `jobs`: worker processes; 0 means every core once the tree
    is large enough to gain from it, 1 one process."""
    files = list(python_files(paths))
    workers = worker_count(jobs, files)
    analyses: Iterable[FileAnalysis]
    if workers <= 1:
        analyses = (analyse_file(path, mode) for path in files)
    else:
        analyses = _analyse_in_workers(files, mode, workers)
    reports: list[FileReport] = []
    for analysis in analyses:
        report = assess_file(analysis, db, device, mode)
        reports.append(report)
        if on_file is not None:
            on_file(report)
    return reports


def worker_count(jobs: int, files: list[Path]) -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if jobs == 1 or len(files) < 2:
        return 1
    if jobs <= 0:
        if _total_bytes(files) < PARALLEL_MIN_BYTES:
            return 1
        jobs = cores or 1
    return min(jobs, len(files))


def _total_bytes(files: list[Path]) -> int:
    total = 0
    for path in files:
        try:
            total += path.stat().st_size
        except OSError:
            pass
        if total >= PARALLEL_MIN_BYTES:
            break
    return total


def _batches(files: list[Path]) -> list[list[Path]]:
    batches: list[list[Path]] = [[]]
    size = 0
    for path in files:
        try:
            size += path.stat().st_size
        except OSError:
            pass
        batches[-1].append(path)
        if size >= BATCH_BYTES:
            batches.append([])
            size = 0
    return [batch for batch in batches if batch]


def _analyse_batch(files: list[Path], mode: str) -> list[FileAnalysis]:
    return [analyse_file(path, mode) for path in files]


def _analyse_in_workers(files: list[Path], mode: str, workers: int) -> Iterator[FileAnalysis]:
    # fork where there is one: the workers start with the analysis modules already imported
    methods = multiprocessing.get_all_start_methods()
    forking = "fork" in methods
    context = multiprocessing.get_context("fork" if forking else "spawn")
    done = 0
    if forking:
        # Forked workers share this process's memory until they write to it; the garbage
        # collector walking the inherited objects (the database...) would copy all of it.
        gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            for batch in pool.map(_analyse_batch, _batches(files), repeat(mode)):
                done += len(batch)
                yield from batch
    except BrokenProcessPool:  # a worker died (killed for memory...): finish here
        for path in files[done:]:
            yield analyse_file(path, mode)
    finally:
        if forking:
            gc.unfreeze()
