"""The sample models in examples/models/: each converts with no marker, is ruff-F clean, and
the port computes what torch computes with the same weights and inputs (eval mode); the
training script's port gives torch's first five losses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from server.convert.file.context import MARKER_PREFIX
from server.runner.align.copy_weights import copy_torch_weights
from tests.convert_helpers import REPO, convert_to, load_module, relative_error, ruff_f

MODELS = REPO / "examples" / "models"
NAMES = sorted(p.stem for p in MODELS.glob("*.py") if p.stem != "__init__")


@pytest.fixture(scope="module")
def ports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("models_ms")
    tree = convert_to(MODELS, out)
    assert not tree.errors
    return out


def test_at_least_six_models() -> None:
    assert len(NAMES) >= 6


def _outputs(value) -> list[np.ndarray]:
    if isinstance(value, tuple | list):
        return [a for v in value for a in _outputs(v)]
    return [value.detach().numpy() if isinstance(value, torch.Tensor) else value.asnumpy()]


@pytest.mark.parametrize("name", NAMES)
def test_model_port_matches_torch(name: str, ports: Path, mindspore_on_cpu) -> None:
    ms = mindspore_on_cpu
    port_path = ports / f"{name}.py"
    assert MARKER_PREFIX not in port_path.read_text()
    assert ruff_f([port_path]) == ""
    torch_module = load_module(MODELS / f"{name}.py", f"torch_model_{name}")
    ms_module = load_module(port_path, f"ms_model_{name}")
    torch.manual_seed(0)
    reference = torch_module.build().eval()
    inputs = torch_module.example_inputs()
    cell = ms_module.build()
    cell.set_train(False)
    copy_torch_weights(reference, cell)
    with torch.no_grad():
        expected = _outputs(reference(*inputs))
    actual = _outputs(cell(*(ms.Tensor(x.numpy()) for x in inputs)))
    assert len(expected) == len(actual)
    for e, a in zip(expected, actual, strict=True):
        assert relative_error(e, a) < 1e-5


def test_training_script_first_five_losses(ports: Path, mindspore_on_cpu) -> None:
    ms = mindspore_on_cpu
    torch_module = load_module(MODELS / "train_regression.py", "torch_train_regression")
    ms_module = load_module(ports / "train_regression.py", "ms_train_regression")
    torch.manual_seed(0)
    reference = torch_module.build()
    cell = ms_module.build()
    copy_torch_weights(reference, cell)
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((torch_module.SAMPLES, 4)).astype(np.float32)
    ys = (xs.sum(axis=1, keepdims=True) * 0.5).astype(np.float32)
    expected = torch_module.train(reference, torch.from_numpy(xs), torch.from_numpy(ys))
    actual = ms_module.train(cell, ms.Tensor(xs), ms.Tensor(ys))
    assert len(expected) == len(actual) == 5
    np.testing.assert_allclose(actual, expected, rtol=1e-4)
    assert expected[-1] != expected[0]  # it trained


def test_accumulation_script_first_five_losses(ports: Path, mindspore_on_cpu) -> None:
    """nanoGPT's loop: three micro-batches per step through a GradScaler, clipping after
    unscaling, AdamW with weight decay."""
    ms = mindspore_on_cpu
    torch_module = load_module(MODELS / "train_accumulation.py", "torch_train_accumulation")
    ms_module = load_module(ports / "train_accumulation.py", "ms_train_accumulation")
    assert MARKER_PREFIX not in (ports / "train_accumulation.py").read_text()
    torch.manual_seed(0)
    reference = torch_module.build()
    cell = ms_module.build()
    copy_torch_weights(reference, cell)
    rng = np.random.default_rng(1)
    xs = rng.standard_normal((24, 6)).astype(np.float32)
    ys = np.tanh(xs[:, :3] * 2 + xs[:, 3:]).astype(np.float32)
    expected = torch_module.train(reference, torch.from_numpy(xs), torch.from_numpy(ys))
    actual = ms_module.train(cell, ms.Tensor(xs), ms.Tensor(ys))
    assert len(expected) == len(actual) == 5
    np.testing.assert_allclose(actual, expected, rtol=1e-4)
    assert expected[-1] < expected[0]  # it trained
