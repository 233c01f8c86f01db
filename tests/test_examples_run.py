"""The bundled ResNet-50 example builds, has the standard size, and trains."""

from __future__ import annotations

import importlib.util
import math
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import torch

EXAMPLE_DIR = Path(__file__).resolve().parents[1] / "examples" / "resnet50"
REPO_ROOT = EXAMPLE_DIR.parents[1]
LOSS_LINE = re.compile(r"^step (\d+) loss (\S+)", re.MULTILINE)


def load_model_module() -> ModuleType:
    path = EXAMPLE_DIR / "model.py"
    spec = importlib.util.spec_from_file_location("resnet50_example_model", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_train_script_runs_two_steps() -> None:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE_DIR / "train.py"), "--steps", "2", "--batch-size", "4"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    steps = LOSS_LINE.findall(proc.stdout)
    assert [int(step) for step, _ in steps] == [1, 2], proc.stdout
    losses = [float(loss) for _, loss in steps]
    assert all(math.isfinite(loss) and loss > 0 for loss in losses), losses


def test_resnet50_shapes_and_parameter_count() -> None:
    model_module = load_model_module()

    small = model_module.resnet50(num_classes=10)
    small.eval()
    with torch.no_grad():
        out = small(torch.randn(2, 3, 64, 64))
        features = small.embed(torch.randn(2, 3, 64, 64))
    assert out.shape == (2, 10)
    assert torch.isfinite(out).all()
    assert features.shape == (2, 2048)

    full = model_module.resnet50(num_classes=1000)
    assert sum(p.numel() for p in full.parameters()) == 25_557_032
    assert full.fc.out_features == 1000
