"""Verification results change what mindport answers: the target picked on a device, the
hover's verification line, the diagnostic and the quick fix's willingness."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mapping_db import load_database
from mapping_db.store import DATA_DIR
from mapping_db.verification import TargetResult, Verification, read, results_for, write
from server.advice.assess import assess
from server.advice.hover_text import hover_markdown
from server.analysis.findings import CallShape, Span, TorchReference


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy, ignore=shutil.ignore_patterns("verified"))
    return copy


def _results(data_dir: Path, results: dict[str, dict[str, TargetResult]]) -> None:
    verification = Verification("CPU", "2.10.0", "2.13.0", "3.11", "2026-11-28", results)
    write(verification, data_dir / "verified")


def test_results_round_trip(tmp_path: Path) -> None:
    result = TargetResult("mismatch", 3, 2, 0.5, "case 2 (dim=1): max abs error 0.5")
    verification = Verification(
        "CPU", "2.10.0", "2.13.0+cpu", results={"torch.a": {"ms.a": result}}
    )
    path = write(verification, tmp_path)
    assert path.name == "cpu-mindspore2.10.0-torch2.13.0.json"
    assert read(path).get("torch.a", "ms.a") == result
    assert results_for("cpu", "2.10", tmp_path).get("torch.a", "ms.a") == result
    assert results_for("GPU", None, tmp_path) is None


def test_a_failing_target_gives_way_to_one_that_runs(data_dir: Path) -> None:
    db = load_database(data_dir)
    entry = db.get("torch.flatten")
    assert entry is not None and len(entry.targets) >= 2
    first = db.pick_target(entry, "CPU")
    assert first is not None
    other = next(t for t in entry.targets if t is not first and "CPU" not in t.not_on)
    _results(
        data_dir,
        {
            "torch.flatten": {
                first.api: TargetResult("error", 0, 0, None, "TypeError: no kernel"),
                other.api: TargetResult("equal", 5, 5, 0.0),
            }
        },
    )
    db = load_database(data_dir)
    assert db.pick_target(entry, "CPU").api == other.api
    text = hover_markdown(db, "torch.flatten", "CPU")
    assert f"→ **{other.api}**" in text
    assert "Verified on CPU with MindSpore 2.10.0 and torch 2.13.0: 5/5 cases" in text
    assert f"`{first.api}`" in text and "TypeError: no kernel" in text


def test_a_target_failing_everywhere_blocks_the_fix(data_dir: Path) -> None:
    db = load_database(data_dir)
    entry = db.get("torch.nn.ReLU")
    assert entry is not None
    _results(
        data_dir,
        {
            "torch.nn.ReLU": {
                t.api: TargetResult("crash", 0, 0, None, "exit -6") for t in entry.targets
            }
        },
    )
    db = load_database(data_dir)
    span = Span(0, 0, 0, 7)
    ref = TorchReference("torch.nn.ReLU", span, "call", call=CallShape(span, 0, ()))
    assessment = assess(ref, db, "CPU")
    assert assessment is not None
    assert assessment.kind == "differences"
    assert "verification on CPU: crash: exit -6" in assessment.message
    assert assessment.fix_blocker is not None and "failed verification" in assessment.fix_blocker
    assert "**Verification on CPU with MindSpore 2.10.0 and torch 2.13.0 failed**" in (
        hover_markdown(db, "torch.nn.ReLU", "CPU")
    )


def test_hover_says_whether_the_workaround_was_verified(data_dir: Path) -> None:
    db = load_database(data_dir)
    entry = db.get("torch.corrcoef")
    assert entry is not None and entry.workaround
    assert "verified" not in hover_markdown(db, "torch.corrcoef", "CPU")  # no results yet
    _results(
        data_dir,
        {
            "torch.corrcoef": {"workaround": TargetResult("equal", 3, 3, 1e-7)},
            "torch.isin": {"workaround": TargetResult("mismatch", 3, 1, 0.0, "case 2: dtype")},
        },
    )
    db = load_database(data_dir)
    text = hover_markdown(db, "torch.corrcoef", "CPU")
    assert f"Workaround: `{entry.workaround}`" in text
    assert "The workaround was verified on CPU with MindSpore 2.10.0 and torch 2.13.0: 3/3" in text
    failed = hover_markdown(db, "torch.isin", "CPU")
    assert "**The workaround failed verification on CPU** (mismatch: case 2: dtype)" in failed


def test_a_target_failing_on_some_cases_is_offered_with_the_case_named(data_dir: Path) -> None:
    db = load_database(data_dir)
    entry = db.get("torch.nn.ReLU")
    assert entry is not None
    reason = "case 4 (float32[]): ValueError: rank must be positive"
    _results(
        data_dir,
        {"torch.nn.ReLU": {t.api: TargetResult("error", 5, 3, 0.0, reason) for t in entry.targets}},
    )
    db = load_database(data_dir)
    span = Span(0, 0, 0, 7)
    ref = TorchReference("torch.nn.ReLU", span, "call", call=CallShape(span, 0, ()))
    assessment = assess(ref, db, "CPU")
    assert assessment is not None and assessment.fix_blocker is None
    assert f"verification on CPU: error: {reason}" in assessment.message
    text = hover_markdown(db, "torch.nn.ReLU", "CPU")
    assert "**Verification on CPU with MindSpore 2.10.0 and torch 2.13.0: 3/5 cases pass**" in text
    assert reason in text and "check calls like the failing case" in text
    never = {t.api: TargetResult("error", 5, 0, None, reason) for t in entry.targets}
    _results(data_dir, {"torch.nn.ReLU": never})
    db = load_database(data_dir)
    assessment = assess(ref, db, "CPU")
    assert assessment is not None and assessment.fix_blocker is not None
