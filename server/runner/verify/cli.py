"""`mindport db verify`: run mapped targets in torch and mindspore, record what matches."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console

from mapping_db.store import load_database
from mapping_db.verification import OUTCOMES, VERIFIED_DIR, TargetResult

if TYPE_CHECKING:
    from server.runner.verify.scheduler import WorkItem


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--device", default="CPU", choices=["CPU", "GPU", "Ascend"])
    parser.add_argument(
        "--only", default="", help="fnmatch patterns on the torch name, comma-separated"
    )
    parser.add_argument("--sample", type=int, help="N entries spread across namespaces")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--cases", type=int, default=5, help="cases per target (default 5)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per target")
    parser.add_argument("--output-dir", type=Path, default=VERIFIED_DIR)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _description(counts: Counter[str]) -> str:
    shown = [f"{status} {counts[status]}" for status in OUTCOMES if counts[status]]
    return " · ".join(shown) or "starting workers"


def run(args: argparse.Namespace) -> int:
    # imported here: `mindport serve` builds this parser and must start fast
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from server.runner.verify.scheduler import (
        Settings,
        WorkerStartError,
        run_verification,
        select_items,
        summary_lines,
    )

    console = Console()
    items = select_items(load_database(), args.only.split(","), args.sample)
    if not items:
        console.print("nothing to verify: no mapped entry matches")
        return 1
    settings = Settings(
        device=args.device,
        jobs=max(1, args.jobs),
        cases=max(1, args.cases),
        timeout=args.timeout,
        output_dir=args.output_dir,
    )
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        disable=args.quiet,
        transient=True,
    )
    task = progress.add_task("starting workers", total=len(items))

    def advance(item: WorkItem, result: TargetResult, counts: Counter[str]) -> None:
        progress.update(task, advance=1, description=_description(counts))

    try:
        with progress:
            outcome = run_verification(items, settings, advance)
    except WorkerStartError as exc:
        console.print(f"[red]{exc}[/]")
        return 1
    versions = outcome.versions
    if versions:
        console.print(
            f"{args.device}: MindSpore {versions['mindspore']}, torch {versions['torch']}"
        )
    for line in summary_lines(outcome):
        console.print(line, highlight=False)
    if outcome.path is not None:
        console.print(f"results: {outcome.path}", soft_wrap=True)
    if outcome.interrupted:
        console.print("[yellow]interrupted: the results so far are saved[/]")
        return 130
    return 0
