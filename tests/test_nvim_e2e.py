"""Headless Neovim with the mindport plugin from editors/nvim as the LSP client.

Two Neovims: Debian 12's 0.7 (`vim.lsp.start_client`) and a 0.11+ build from PyPI fetched once
into ~/.cache/mindport-editor-tools by editors/nvim/scripts/fetch-test-nvim.sh
(`vim.lsp.config` + `vim.lsp.enable`).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
PLUGIN = HERE.parent / "editors" / "nvim"
FETCH_NEW_NVIM = PLUGIN / "scripts" / "fetch-test-nvim.sh"
SOURCE = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, bias=False)
"""
NET = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)

    def forward(self, x):
        return torch.relu(self.fc(x))


def example_inputs():
    return (torch.randn(2, 4),)
"""


def debian_nvim() -> str:
    nvim = shutil.which("nvim")
    assert nvim, "Neovim is required for this test: apt-get install -y neovim (make test does it)"
    return nvim


def new_nvim() -> str:
    proc = subprocess.run(
        ["bash", str(FETCH_NEW_NVIM)],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def run_nvim(tmp_path: Path, nvim: str) -> dict:
    model = tmp_path / "model.py"
    model.write_text(SOURCE)
    (tmp_path / "net.py").write_text(NET)
    out = tmp_path / "result.json"
    env = dict(os.environ)
    env["MINDPORT_OUT"] = str(out)
    env["MINDPORT_FILE"] = str(model)
    env["MINDPORT_NET"] = str(tmp_path / "net.py")
    env["MINDPORT_PLUGIN"] = str(PLUGIN)
    env["MINDPORT_CMD"] = json.dumps([sys.executable, "-m", "server.cli", "serve"])
    env["PYTHONPATH"] = str(HERE.parent)
    proc = subprocess.run(
        [nvim, "--headless", "--clean", "-u", str(HERE / "nvim" / "e2e.lua")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.exists(), f"nvim wrote no result: {proc.stdout}\n{proc.stderr}"
    return json.loads(out.read_text())


@pytest.mark.parametrize("which", ["debian", "0.11+"])
def test_neovim_plugin_gives_diagnostics_hover_fix_and_doctor(tmp_path: Path, which: str) -> None:
    nvim = debian_nvim() if which == "debian" else new_nvim()
    result = run_nvim(tmp_path, nvim)
    assert result["errors"] == []
    major, minor = (int(part) for part in result["version"].split("."))
    if (major, minor) >= (0, 11):
        assert result["started_with"] == "vim.lsp.enable"
    elif (major, minor) >= (0, 8):
        assert result["started_with"] == "vim.lsp.start"
    else:
        assert result["started_with"] == "vim.lsp.start_client"
    if which == "0.11+":
        assert (major, minor) >= (0, 11), result["version"]
    assert result["filetype"] == "python"
    assert result["client_name"] == "mindport"
    assert result["got_diagnostics"]
    messages = [d["message"] for d in result["diagnostics"]]
    assert any("torch.nn.Conv2d" in m and "has_bias" in m for m in messages), messages
    assert "mindspore.nn.Conv2d" in (result["hover"] or ""), result.get("hover")
    assert any("mindspore.nn.Conv2d" in title for title in result["menu"]), result["menu"]
    assert (
        "self.conv = mindspore.nn.Conv2d(3, 8, 3, has_bias=False, pad_mode='pad')" in result["text"]
    )
    assert "import torch.nn as nn\nimport mindspore" in result["text"]
    doctor = [n["message"] for n in result["notifications"] if "doctor:" in n["message"]]
    assert doctor and "nothing blocks runs on CPU" in doctor[0], result["notifications"]
    # :MindportConvert opened the port, written beside the file.
    assert result["converted_name"] == str(tmp_path / "model_ms.py"), result["converted_name"]
    assert "class Net(mindspore.nn.Cell):" in result["converted_text"], result["converted_text"]
    assert (tmp_path / "model_ms.py").exists()
    assert any("wrote model_ms.py" in n["message"] for n in result["notifications"]), result
    # :MindportAlign ran Net in both frameworks; the report it opens exists.
    report = result.get("report")
    assert report and report.startswith("file://") and report.endswith("index.html"), result
    folder = tmp_path / ".mindport" / "reports"
    written = [p.as_uri() for p in folder.glob("*/index.html")]
    assert report in written, (report, written)
