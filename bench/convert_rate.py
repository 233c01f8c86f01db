"""Conversion rate of `mindport convert` per project, and its speed (lines per second).

Rate = converted torch sites / all torch sites the analysis finds (calls, names, tensor
methods, compliance findings), the way PaConvert counts its converted APIs. Projects: the
ResNet-50 example, the sample models, every project in ../shared/corpus/, and nanoGPT's and
minGPT's single files PaConvert's reference figures name. Figures only: nothing is asserted.

    python bench/convert_rate.py [--json] [--markers] [PROJECT ...]

PROJECT names rows to measure (default: all); --markers adds, per project, the markers left
counted by reason (the work that remains).
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mapping_db.store import load_database  # noqa: E402
from server.convert.file import ConvertError, convert_source  # noqa: E402
from server.convert.file.context import Counts  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
# PaConvert 3.3.1 (PyTorch -> Paddle) on the same files, its own count of converted APIs
# (the figures of issue 10).
PACONVERT = {
    "pytorch-examples": 0.833,
    "segment-anything": 0.987,
    "stable-baselines3": 0.988,
    "whisper": 0.995,
    "nanoGPT/model.py": 0.968,
    "nanoGPT/train.py": 0.955,
    "minGPT/mingpt/model.py": 0.989,
}
_SKIP = {".git", "__pycache__", ".venv", "venv", "build", "node_modules"}


def projects() -> list[tuple[str, list[Path]]]:
    found = [
        ("examples/resnet50", sorted((ROOT / "examples" / "resnet50").glob("*.py"))),
        ("examples/models", sorted((ROOT / "examples" / "models").glob("*.py"))),
    ]
    if CORPUS.is_dir():
        for project in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
            files = [
                f
                for f in sorted(project.rglob("*.py"))
                if not any(part in _SKIP for part in f.relative_to(project).parts)
            ]
            found.append((project.name, files))
        for single in ("nanoGPT/model.py", "nanoGPT/train.py", "minGPT/mingpt/model.py"):
            if (CORPUS / single).exists():
                found.append((single, [CORPUS / single]))
    return found


def measure(files: list[Path], db) -> dict:
    counts = Counts()
    reasons: Counter[str] = Counter()
    lines = 0
    seconds = 0.0
    errors = 0
    slowest = 0.0
    for path in files:
        source = path.read_text(encoding="utf-8", errors="replace")
        started = time.perf_counter()
        try:
            result = convert_source(source, db, "CPU", path)
        except ConvertError:
            errors += 1
            continue
        elapsed = time.perf_counter() - started
        seconds += elapsed
        slowest = max(slowest, elapsed)
        lines += result.lines
        counts.add(result.counts)
        # one reason per kind: names in quotes and backticks vary from call to call
        reasons.update(re.sub(r"`[^`]*`|'[^']*'", "…", m.reason)[:100] for m in result.markers)
    return {
        "files": len(files),
        "errors": errors,
        "found": counts.total_found,
        "converted": counts.converted,
        "rate": counts.rate,
        "lines": lines,
        "seconds": seconds,
        "lines_per_s": lines / seconds if seconds else 0.0,
        "slowest_file_s": slowest,
        "markers": dict(reasons.most_common()),
    }


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    as_json = "--json" in args
    with_markers = "--markers" in args
    wanted = [a for a in args if not a.startswith("--")]
    db = load_database()
    convert_source("import torch\nx = torch.zeros(1)\n", db)  # warm caches
    rows = {name: measure(files, db) for name, files in projects() if not wanted or name in wanted}
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    print("mindport convert: conversion rate (converted / torch sites) and speed, device CPU")
    header = f"  {'project':<26}{'files':>6}{'sites':>7}{'rate':>8}{'PaConvert':>11}"
    print(header + f"{'lines/s':>9}{'slowest':>9}")
    total_lines = total_seconds = 0.0
    for name, row in rows.items():
        reference = PACONVERT.get(name)
        ref = f"{reference:.1%}" if reference is not None else "-"
        print(
            f"  {name:<26}{row['files']:>6}{row['found']:>7}{row['rate']:>8.1%}{ref:>11}"
            f"{row['lines_per_s']:>9.0f}{row['slowest_file_s']:>8.2f}s"
            + (f"  ({row['errors']} do not parse)" if row["errors"] else "")
        )
        if "/" not in name or name.startswith("examples"):
            total_lines += row["lines"]
            total_seconds += row["seconds"]
    if total_seconds:
        print(f"  all projects: {total_lines / total_seconds:.0f} lines/s")
    if with_markers:
        for name, row in rows.items():
            if row["markers"]:
                print(f"\nmarkers left in {name}, by reason:")
                for reason, count in row["markers"].items():
                    print(f"  {count:5d}  {reason}")


if __name__ == "__main__":
    main()
