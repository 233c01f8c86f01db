"""The usage figure: `python -m mapping_db.usage` sorts every torch reference of real code into
one answer kind, through the scan's own findings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mapping_db.store import load_database
from mapping_db.usage import KINDS, classify, is_weak_note, main

ROOT = Path(__file__).resolve().parents[1]

PROJECT = """\
import torch
import torch.fx
from torch.nn.modules.batchnorm import BatchNorm2d

x = torch.zeros(2, 3, dtype=torch.float32)
norm = BatchNorm2d(3)
g = torch.fx.Graph()
y = torch.not_a_real_api(x)
torch.save(x, "x.pt")
"""


def _kinds(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "main.py").write_text(PROJECT)
    proc = subprocess.run(
        [sys.executable, "-m", "server.cli", "scan", "--format", "json", "-q", str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    db = load_database()
    findings = json.loads(proc.stdout)["findings"]
    return {f["api"]: classify(f, db, "CPU") for f in findings}


def test_each_reference_gets_one_answer_kind(tmp_path: Path) -> None:
    kinds = _kinds(tmp_path)
    assert kinds["torch.not_a_real_api"] == "unknown"
    assert kinds["torch.fx.Graph"] == "guidance"  # the torch.fx namespace's answer
    assert kinds["torch.save"] == "guidance"  # a no-equivalent entry that says what to write
    # an alias path torch exposes resolves to the entry of torch.nn.BatchNorm2d
    assert kinds["torch.nn.modules.batchnorm.BatchNorm2d"] in ("verified", "mapped")
    assert kinds["torch.float32"] in ("verified", "mapped")
    assert set(kinds.values()) <= set(KINDS)


def test_weak_notes_are_only_not_found_phrases() -> None:
    assert is_weak_note("No same-named MindSpore API found by introspection.")
    assert is_weak_note("  ")
    assert not is_weak_note("Write mindspore.tensor(data, dtype=x.dtype).")


def test_command_prints_a_table_per_project(tmp_path: Path, capsys) -> None:
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "m.py").write_text(PROJECT)
    assert main([str(tmp_path / "one"), str(tmp_path / "two"), "--top", "3"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| ")]
    assert [r.split("|")[1].strip() for r in rows[2:]] == ["one", "two", "all"]
    assert "torch.not_a_real_api" in out  # the work list names the unknown API


def test_missing_path_is_bad_usage(tmp_path: Path, capsys) -> None:
    assert main([str(tmp_path / "nope")]) == 2
    assert "no such path" in capsys.readouterr().err
