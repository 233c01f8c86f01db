"""Headless Neovim 0.7 as a real LSP client of `mindport serve`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
SOURCE = """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, bias=False)
"""


def test_neovim_gets_diagnostics_hover_and_fix(tmp_path: Path) -> None:
    nvim = shutil.which("nvim")
    assert nvim, "Neovim is required for this test: apt-get install -y neovim (make test does it)"
    model = tmp_path / "model.py"
    model.write_text(SOURCE)
    out = tmp_path / "result.json"
    env = dict(os.environ)
    env["MINDPORT_OUT"] = str(out)
    env["MINDPORT_CMD"] = json.dumps([sys.executable, "-m", "server.cli", "serve"])
    env["PYTHONPATH"] = str(HERE.parent)
    proc = subprocess.run(
        [nvim, "--headless", "--clean", "-u", str(HERE / "nvim" / "e2e.lua"), str(model)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.exists(), f"nvim wrote no result: {proc.stdout}\n{proc.stderr}"
    result = json.loads(out.read_text())
    assert result["errors"] == []
    assert result["got_diagnostics"]
    messages = [d["message"] for d in result["diagnostics"]]
    assert any("torch.nn.Conv2d" in m and "has_bias" in m for m in messages), messages
    assert "mindspore.nn.Conv2d" in result["hover"]
    assert (
        "self.conv = mindspore.nn.Conv2d(3, 8, 3, has_bias=False, pad_mode='pad')" in result["text"]
    )
    assert "import torch.nn as nn\nimport mindspore" in result["text"]
