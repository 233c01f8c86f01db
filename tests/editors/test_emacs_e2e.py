"""Emacs in batch mode with eglot (Debian 12: `emacs-nox` + `elpa-eglot`) and mindport.el."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
PACKAGE = HERE.parents[1] / "editors" / "emacs" / "mindport.el"
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
FIXED = "self.conv = mindspore.nn.Conv2d(3, 8, 3, has_bias=False, pad_mode='pad')"


def test_emacs_eglot_gives_diagnostics_hover_fix_and_doctor(tmp_path: Path) -> None:
    emacs = shutil.which("emacs")
    assert emacs, (
        "Emacs is required: apt-get install -y emacs-nox elpa-eglot (make editor-tools does it)"
    )
    model = tmp_path / "model.py"
    model.write_text(SOURCE)
    (tmp_path / "net.py").write_text(NET)
    out = tmp_path / "result.json"
    env = dict(os.environ)
    env.update(
        MINDPORT_EL=str(PACKAGE),
        MINDPORT_PYTHON=sys.executable,
        MINDPORT_FILE=str(model),
        MINDPORT_NET=str(tmp_path / "net.py"),
        MINDPORT_OUT=str(out),
        HOME=str(tmp_path),  # no user init, no ~/.emacs.d state
    )
    proc = subprocess.run(
        [emacs, "--batch", "-l", str(HERE / "emacs_e2e.el")],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.exists(), f"emacs wrote no result: {proc.stdout}\n{proc.stderr[-3000:]}"
    result = json.loads(out.read_text())
    assert not result.get("errors"), result["errors"]
    assert result["server_class"] == "eglot-mindport"
    assert any("torch.nn.Conv2d" in d and "has_bias" in d for d in result["diagnostics"]), result
    assert "mindspore.nn.Conv2d" in result["hover"]
    assert any("mindspore.nn.Conv2d" in title for title in result["menu"]), result["menu"]
    assert FIXED in result["text"]
    assert "import torch.nn as nn\nimport mindspore" in result["text"]
    assert result["doctor"] and "nothing blocks runs on CPU" in result["doctor"], result
    # mindport-convert-file: the port, in a buffer visiting model_ms.py beside the file.
    assert "class Net(mindspore.nn.Cell):" in (result["converted"] or ""), result
    assert result["converted_exists"] is True
    assert "wrote model_ms.py" in (result["convert_message"] or ""), result
    # mindport-run-alignment ran Net in both frameworks; the report it opened exists.
    written = [p.as_uri() for p in (tmp_path / ".mindport" / "reports").glob("*/index.html")]
    assert result["report"] in written, (result["report"], written)


def test_mindport_el_byte_compiles_without_warnings(tmp_path: Path) -> None:
    emacs = shutil.which("emacs")
    assert emacs, (
        "Emacs is required: apt-get install -y emacs-nox elpa-eglot (make editor-tools does it)"
    )
    copy = tmp_path / "mindport.el"
    copy.write_text(PACKAGE.read_text())
    proc = subprocess.run(
        [
            emacs,
            "--batch",
            "--eval",
            "(setq byte-compile-error-on-warn t)",
            "--eval",
            f'(unless (byte-compile-file "{copy}") (kill-emacs 1))',
        ],
        env={**os.environ, "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "mindport.elc").exists()
