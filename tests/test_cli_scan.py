"""`mindport scan` end to end: formats, exit codes, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def scan(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "scan", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_table_on_the_example_lists_apis_and_exits_1_for_errors() -> None:
    out = scan(str(EXAMPLES), "--width", "200")
    assert out.returncode == 1  # torch.no_grad, torch.device... have no equivalent
    assert "torch.nn.Conv2d" in out.stdout
    assert "mindspore.nn.Conv2d" in out.stdout
    assert "torch.cuda.is_available" in out.stdout
    assert "2 files" in out.stdout
    assert "error(s)" in out.stderr


def test_json_findings_have_positions_kinds_and_targets() -> None:
    out = scan(str(EXAMPLES / "resnet50" / "model.py"), "--format", "json", "-q")
    data = json.loads(out.stdout)
    assert data["files"] == 1 and data["device"] == "CPU"
    conv = [f for f in data["findings"] if f["api"] == "torch.nn.Conv2d"]
    assert conv and conv[0]["kind"] == "differences"
    assert conv[0]["target"] == "mindspore.nn.Conv2d"
    source = (EXAMPLES / "resnet50" / "model.py").read_text().split("\n")
    line = source[conv[0]["line"] - 1]
    assert line[conv[0]["column"] - 1 :].startswith("nn.Conv2d")


def test_sarif_is_valid_shape() -> None:
    out = scan(str(EXAMPLES), "--format", "sarif", "-q")
    sarif = json.loads(out.stdout)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert {r["level"] for r in results} <= {"error", "warning", "note"}
    assert any(r["ruleId"] == "no_equivalent" and r["level"] == "error" for r in results)
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1 and region["startColumn"] >= 1


def test_clean_tree_exits_0_and_device_changes_targets(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text("import torch.nn as nn\nlayer = nn.Conv2d(1, 2, 3)\n")
    out = scan(str(tmp_path), "--format", "json", "--device", "Ascend")
    assert out.returncode == 0
    (finding,) = json.loads(out.stdout)["findings"]
    assert finding["target"] == "mindspore.mint.nn.Conv2d"


def test_bad_files_are_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import torch\nx = torch.ones(\n")
    (tmp_path / "blob.py").write_bytes(b"\x00\x01torch\x02")
    (tmp_path / "latin.py").write_bytes("import torch\ns = 'caf\xe9'\n".encode("latin-1"))
    out = scan(str(tmp_path), "--format", "json")
    data = json.loads(out.stdout)
    assert out.returncode == 1  # the syntax error
    assert [e["path"].endswith("broken.py") for e in data["syntax_errors"]] == [True]
    assert [s["why"] for s in data["skipped"]] == ["binary file"]


def test_missing_path_and_settings_from_pyproject(tmp_path: Path) -> None:
    out = scan(str(tmp_path / "nope"))
    assert out.returncode == 2 and "no such file" in out.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.mindport]\ndevice = "TPU"\n')
    (tmp_path / "m.py").write_text("import torch\n")
    out = scan("m.py", cwd=tmp_path)
    assert "device: expected one of CPU, GPU, Ascend" in out.stderr


def test_db_show_prints_notes_verbatim() -> None:
    # square brackets in notes are text, not console markup
    out = subprocess.run(
        [sys.executable, "-m", "server.cli", "db", "show", "Tensor.size"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0
    assert "x.shape[d]" in out.stdout.replace("\n", "")
