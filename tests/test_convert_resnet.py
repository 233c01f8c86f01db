"""examples/resnet50 converts with no marker in the model; the port runs under MindSpore,
matches torch with the same weights, and its training script trains."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from server.convert.file.context import MARKER_PREFIX
from server.runner.align.copy_weights import copy_torch_weights
from tests.convert_helpers import REPO, convert_to, load_module, relative_error, ruff_f

EXAMPLE = REPO / "examples" / "resnet50"
LOSS = re.compile(r"^step (\d+) loss (\S+)", re.MULTILINE)


@pytest.fixture(scope="module")
def port(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("resnet50_ms")
    tree = convert_to(EXAMPLE, out)
    assert not tree.errors
    return out


def test_model_converts_with_no_marker_and_ruff_f_clean(port: Path) -> None:
    model = (port / "model.py").read_text()
    assert MARKER_PREFIX not in model
    assert "torch" not in model.replace("PyTorch", "")
    assert "class ResNet(mindspore.nn.Cell)" in model and "def construct(self" in model
    assert (port / "train.py").exists()
    assert ruff_f([port / "model.py", port / "train.py"]) == ""


def test_eval_outputs_equal_torch_with_the_same_weights(port: Path, mindspore_on_cpu) -> None:
    ms = mindspore_on_cpu
    torch_module = load_module(EXAMPLE / "model.py", "resnet50_torch_for_convert")
    ms_module = load_module(port / "model.py", "resnet50_ms_port")
    torch.manual_seed(0)
    reference = torch_module.resnet50(num_classes=10).eval()
    with torch.no_grad():  # running statistics and scales that are not the defaults
        for module in reference.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.1, 0.1)
                module.running_var.uniform_(0.5, 1.5)
                module.weight.uniform_(0.5, 1.5)
                module.bias.uniform_(-0.1, 0.1)
    cell = ms_module.resnet50(num_classes=10)
    cell.set_train(False)
    copied = copy_torch_weights(reference, cell)
    assert len(copied.copied) == len(cell.parameters_dict())
    x = np.random.default_rng(0).standard_normal((2, 3, 64, 64)).astype(np.float32)
    with torch.no_grad():
        expected = reference(torch.from_numpy(x)).numpy()
        expected_embed = reference.embed(torch.from_numpy(x)).numpy()
    actual = cell(ms.Tensor(x)).asnumpy()
    assert relative_error(expected, actual) < 1e-5
    assert relative_error(expected_embed, cell.embed(ms.Tensor(x)).asnumpy()) < 1e-5


def test_training_script_port_trains(port: Path) -> None:
    """20 steps on 32x32 images: the loss goes down (MindSpore in a subprocess)."""
    code = (
        "import sys; sys.argv = ['train.py']; import train; train.IMAGE_SIZE = 32;"
        " sys.exit(train.main(['--steps', '20', '--batch-size', '4']))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=port,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    losses = [float(v) for _, v in LOSS.findall(proc.stdout)]
    assert len(losses) == 20, proc.stdout
    assert all(np.isfinite(losses))
    assert np.mean(losses[-4:]) < np.mean(losses[:4]), losses
    assert "eval accuracy" in proc.stdout
