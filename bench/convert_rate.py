"""Conversion rate of `mindport convert` per project, and its speed (lines per second).

Rate = converted torch sites / all torch sites the analysis finds (calls, names, tensor
methods, compliance findings), by our own rules; PaConvert counts otherwise (see below and
docs/conversion.md). The PaConvert column is its own rate (issue 10's figures). Projects: the
ResNet-50 example, the sample models, every project in ../shared/corpus/, and nanoGPT's and
minGPT's single files PaConvert's reference figures name. Figures only: nothing is asserted.

    python bench/convert_rate.py [--json] [--markers] [--paconvert DIR] [PROJECT ...]

PROJECT names rows to measure (default: all); --markers adds, per project, the markers left
counted by reason (the work that remains).

A second rate counts our sites the way PaConvert counts its APIs (bench/paconvert_count.py;
docs/conversion.md says how): it needs PaConvert's tables, read from an installed paconvert
(`pip install --no-deps paconvert==3.3.1` in any venv; --paconvert DIR or $PACONVERT_DIR
names its package folder). Without them that column says so.
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

from bench.paconvert_count import PaConvertTables, SameWay, count_file, find_tables  # noqa: E402
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


def measure(files: list[Path], db, tables: PaConvertTables | None = None) -> dict:
    counts = Counts()
    same_way = SameWay()
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
        if tables is not None:
            same_way.add(count_file(source, result.code, result.markers, db, "CPU", tables))
        # one reason per kind: names in quotes and backticks vary from call to call
        reasons.update(re.sub(r"`[^`]*`|'[^']*'", "…", m.reason)[:100] for m in result.markers)
    if tables is not None:
        # compliance findings and sites found by their shape (`def forward`, a training
        # step, `.to(device)`) have no torch API name for PaConvert to count
        unnamed = counts.total_found - same_way.named
        same_way.left_out["compliance findings and sites found by shape"] += unnamed
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
        "paconvert_way": None
        if tables is None
        else {
            "counted": same_way.counted,
            "converted": same_way.converted,
            "rate": same_way.rate,
            "extra_member_sites": same_way.extra,
            "extra_converted": same_way.extra_converted,
            "extra_third_party_uses": same_way.third_party,
            "rate_with_extra": same_way.rate_with_extra,
            "our_sites_it_does_not_count": dict(same_way.left_out.most_common()),
            "unconverted_names": dict(same_way.unconverted.most_common()),
        },
    }


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    as_json = "--json" in args
    with_markers = "--markers" in args
    explicit = None
    if "--paconvert" in args:
        at = args.index("--paconvert")
        explicit = args[at + 1] if at + 1 < len(args) else None
        args = args[:at] + args[at + 2 :]
    wanted = [a for a in args if not a.startswith("--")]
    tables, missing = find_tables(explicit)
    db = load_database()
    convert_source("import torch\nx = torch.zeros(1)\n", db)  # warm caches
    rows = {
        name: measure(files, db, tables)
        for name, files in projects()
        if not wanted or name in wanted
    }
    if as_json:
        print(json.dumps(rows, indent=2))
        return
    print("mindport convert: conversion rate (converted / torch sites) and speed, device CPU")
    if tables is None:
        print(f"  its-way: {missing}")
    else:
        note = "" if tables.version == "3.3.1" else " (the reference figures are 3.3.1's)"
        print(f"  its-way: our named sites counted as PaConvert {tables.version} counts{note};")
        print("  +extra: with the method calls and attributes it counts that we do not name")
        print("  (`model.eval()`, `x.to(d)`, `loss.item()`), converted unless marked, and the")
        print("  uses of torchvision, transformers, timm, ..., converted when gone from the port")
    header = f"  {'project':<26}{'files':>6}{'sites':>7}{'rate':>8}"
    header += f"{'its-way':>9}{'of':>6}{'+extra':>8}{'of':>6}{'PaConvert':>11}"
    print(header + f"{'lines/s':>9}{'slowest':>9}")
    total_lines = total_seconds = 0.0
    for name, row in rows.items():
        reference = PACONVERT.get(name)
        ref = f"{reference:.1%}" if reference is not None else "-"
        its = row["paconvert_way"]
        its_way = f"{'n/a':>9}{'':>6}{'n/a':>8}{'':>6}"
        if its:
            extra = its["counted"] + its["extra_member_sites"]
            its_way = f"{its['rate']:>9.1%}{its['counted']:>6}"
            its_way += f"{its['rate_with_extra']:>8.1%}{extra:>6}"
        print(
            f"  {name:<26}{row['files']:>6}{row['found']:>7}{row['rate']:>8.1%}{its_way}{ref:>11}"
            f"{row['lines_per_s']:>9.0f}{row['slowest_file_s']:>8.2f}s"
            + (f"  ({row['errors']} do not parse)" if row["errors"] else "")
        )
        if "/" not in name or name.startswith("examples"):
            total_lines += row["lines"]
            total_seconds += row["seconds"]
    if total_seconds:
        print(f"  all projects: {total_lines / total_seconds:.0f} lines/s")
    if tables is not None:
        print("\nour sites PaConvert would not count, by reason (left out of its-way):")
        for name, row in rows.items():
            left = row["paconvert_way"]["our_sites_it_does_not_count"]
            if left:
                print(f"  {name}: " + ", ".join(f"{n} {why}" for why, n in left.items()))
    if with_markers:
        for name, row in rows.items():
            if row["markers"]:
                print(f"\nmarkers left in {name}, by reason:")
                for reason, count in row["markers"].items():
                    print(f"  {count:5d}  {reason}")
            its = row["paconvert_way"]
            if its and its["unconverted_names"]:
                print(f"\nsites it counts that stay unconverted in {name}, by name:")
                for api, count in its["unconverted_names"].items():
                    print(f"  {count:5d}  {api}")


if __name__ == "__main__":
    main()
