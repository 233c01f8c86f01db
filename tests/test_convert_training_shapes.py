"""The training-step shapes of server/convert/file/training_shapes.py, run: the fixture's torch
source (tests/fixtures/convert/training_shapes/in.py) and its port (out.py, which
tests/test_convert_fixtures.py proves is what the conversion writes) train copies of the same
networks for several steps; the losses, the values read between the backward() calls and the
weights stay equal to torch's."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from mapping_db.store import load_database
from server.convert.file import convert_source
from server.runner.align.copy_weights import copy_torch_weights
from tests.convert_helpers import load_module

FOLDER = Path(__file__).resolve().parent / "fixtures" / "convert" / "training_shapes"
STEPS = 4


@pytest.fixture(scope="module")
def pair():
    return (
        load_module(FOLDER / "in.py", "shapes_torch"),
        load_module(FOLDER / "out.py", "shapes_ms"),
    )


def _nets(ms):
    """A discriminator (4 -> 1, sigmoid) and a generator (3 -> 4, tanh), in both frameworks,
    with the same weights."""

    class TorchD(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = torch.nn.Linear(4, 1)

        def forward(self, x):
            return torch.sigmoid(self.fc(x)).squeeze(1)

    class MsD(ms.nn.Cell):
        def __init__(self) -> None:
            super().__init__()
            self.fc = ms.nn.Dense(4, 1)

        def construct(self, x):
            return ms.ops.sigmoid(self.fc(x)).squeeze(1)

    class TorchG(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = torch.nn.Linear(3, 4)

        def forward(self, z):
            return torch.tanh(self.fc(z))

    class MsG(ms.nn.Cell):
        def __init__(self) -> None:
            super().__init__()
            self.fc = ms.nn.Dense(3, 4)

        def construct(self, z):
            return ms.ops.tanh(self.fc(z))

    torch.manual_seed(0)
    d_t, g_t, d_m, g_m = TorchD(), TorchG(), MsD(), MsG()
    copy_torch_weights(d_t, d_m)
    copy_torch_weights(g_t, g_m)
    return d_t, g_t, d_m, g_m


def _same(cell, module, atol: float = 1e-6) -> None:
    np.testing.assert_allclose(
        cell.fc.weight.asnumpy(), module.fc.weight.detach().numpy(), rtol=1e-5, atol=atol
    )
    np.testing.assert_allclose(
        cell.fc.bias.asnumpy(), module.fc.bias.detach().numpy(), rtol=1e-5, atol=atol
    )


def _data(seed: int, shapes):
    rng = np.random.default_rng(seed)
    return [tuple(rng.standard_normal(s).astype(np.float32) for s in shapes) for _ in range(STEPS)]


def test_discriminator_step_trains_like_torch(pair, mindspore_on_cpu) -> None:
    """Two backward() before one step (DCGAN's discriminator), `label.fill_` between them,
    `D_x` read between them, `fake.detach()`: the same losses, values and weights."""
    ms = mindspore_on_cpu
    torch_mod, ms_mod = pair
    d_t, g_t, d_m, g_m = _nets(ms)
    g_before = g_t.fc.weight.detach().numpy().copy()
    d_before = d_t.fc.weight.detach().numpy().copy()
    opt_t = torch.optim.SGD(d_t.parameters(), lr=0.5)
    opt_m = ms.experimental.optim.SGD(d_m.trainable_params(), lr=0.5)
    for real, noise in _data(7, [(6, 4), (6, 3)]):
        got_t = torch_mod.discriminator_step(
            d_t, g_t, opt_t, torch.nn.BCELoss(), torch.from_numpy(real), torch.from_numpy(noise)
        )
        got_m = ms_mod.discriminator_step(
            d_m, g_m, opt_m, ms.nn.BCELoss(), ms.Tensor(real), ms.Tensor(noise)
        )
        assert got_m == pytest.approx(got_t, rel=1e-5)
        _same(d_m, d_t)
    assert not np.allclose(d_m.fc.weight.asnumpy(), d_before)  # the discriminator trained
    _same(g_m, g_t)  # the generator is not trained by the discriminator's step
    np.testing.assert_array_equal(g_t.fc.weight.detach().numpy(), g_before)


def test_gan_steps_train_like_torch(pair, mindspore_on_cpu) -> None:
    """The discriminator's step (two backward) then the generator's, which computes `fake`
    again: both networks' weights follow torch's."""
    ms = mindspore_on_cpu
    torch_mod, ms_mod = pair
    d_t, g_t, d_m, g_m = _nets(ms)
    opt_dt = torch.optim.Adam(d_t.parameters(), lr=0.05, betas=(0.5, 0.999))
    opt_gt = torch.optim.Adam(g_t.parameters(), lr=0.05, betas=(0.5, 0.999))
    opt_dm = ms.experimental.optim.Adam(d_m.trainable_params(), lr=0.05, betas=(0.5, 0.999))
    opt_gm = ms.experimental.optim.Adam(g_m.trainable_params(), lr=0.05, betas=(0.5, 0.999))
    g_start = g_t.fc.weight.detach().numpy().copy()
    for real, noise in _data(8, [(5, 4), (5, 3)]):
        got_t = torch_mod.gan_step_again(
            d_t, g_t, opt_dt, opt_gt, torch.nn.BCELoss(),
            torch.from_numpy(real), torch.from_numpy(noise),
        )  # fmt: skip
        got_m = ms_mod.gan_step_again(
            d_m, g_m, opt_dm, opt_gm, ms.nn.BCELoss(), ms.Tensor(real), ms.Tensor(noise)
        )
        assert got_m == pytest.approx(got_t, rel=1e-4)
        # Adam divides by the gradients' own size: float rounding shows at ~1e-6
        _same(d_m, d_t, atol=1e-5)
        _same(g_m, g_t, atol=1e-5)
    assert not np.allclose(g_t.fc.weight.detach().numpy(), g_start)  # the generator trained


def test_same_loss_name_twice_trains_like_torch(pair, mindspore_on_cpu) -> None:
    ms = mindspore_on_cpu
    torch_mod, ms_mod = pair
    torch.manual_seed(1)
    model_t, model_m = torch.nn.Linear(4, 2), ms.nn.Dense(4, 2)
    copy_torch_weights(model_t, model_m)
    opt_t = torch.optim.SGD(model_t.parameters(), lr=0.3)
    opt_m = ms.experimental.optim.SGD(model_m.trainable_params(), lr=0.3)
    for batch in _data(9, [(3, 4), (3, 2), (5, 4), (5, 2)]):
        loss_t = torch_mod.same_name(
            model_t, opt_t, torch.nn.MSELoss(), *map(torch.from_numpy, batch)
        )
        loss_m = ms_mod.same_name(model_m, opt_m, ms.nn.MSELoss(), *map(ms.Tensor, batch))
        assert loss_m == pytest.approx(loss_t, rel=1e-5)
        np.testing.assert_allclose(
            model_m.weight.asnumpy(), model_t.weight.detach().numpy(), rtol=1e-5, atol=1e-6
        )


def test_manual_updates_train_like_torch(pair, mindspore_on_cpu) -> None:
    """`for p in model.parameters(): p.data.add_(p.grad, alpha=-lr)` after clipping (the
    clipping bites: max norm 0.1), regression's `param.data.add_(-0.1 * param.grad)`, and an
    if/else between an optimizer and the loop (`p.data.sub_(p.grad, alpha=lr)`)."""
    ms = mindspore_on_cpu
    torch_mod, ms_mod = pair
    torch.manual_seed(2)
    model_t, model_m = torch.nn.Linear(4, 2), ms.nn.Dense(4, 2)
    copy_torch_weights(model_t, model_m)
    for x, y in _data(10, [(6, 4), (6, 2)]):
        tx, ty, mx, my = torch.from_numpy(x), torch.from_numpy(y), ms.Tensor(x), ms.Tensor(y)
        loss_t = torch_mod.manual_update(model_t, torch.nn.MSELoss(), tx, ty, 0.5, 0.1)
        loss_m = ms_mod.manual_update(model_m, ms.nn.MSELoss(), mx, my, 0.5, 0.1)
        assert loss_m == pytest.approx(loss_t, rel=1e-5)
        loss_t = torch_mod.regression(model_t, tx, ty)
        loss_m = ms_mod.regression(model_m, mx, my)
        assert loss_m == pytest.approx(loss_t, rel=1e-5)
        for use_optimizer in (True, False):
            loss_t = torch_mod.either(model_t, torch.nn.MSELoss(), tx, ty, 0.2, use_optimizer)
            loss_m = ms_mod.either(model_m, ms.nn.MSELoss(), mx, my, 0.2, use_optimizer)
            assert loss_m == pytest.approx(loss_t, rel=1e-5)
        np.testing.assert_allclose(
            model_m.weight.asnumpy(), model_t.weight.detach().numpy(), rtol=1e-5, atol=1e-6
        )
        np.testing.assert_allclose(
            model_m.bias.asnumpy(), model_t.bias.detach().numpy(), rtol=1e-5, atol=1e-6
        )


def test_state_carried_between_steps_trains_like_torch(pair, mindspore_on_cpu) -> None:
    """`hidden` is passed into the forward function and assigned in one branch only: it comes
    back out, so every step starts from the state the previous one left (as in torch)."""
    ms = mindspore_on_cpu
    torch_mod, ms_mod = pair

    class TorchCell(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = torch.nn.Linear(4, 4)

        def forward(self, x, h):
            h = torch.tanh(self.fc(x) + h)
            return h.sum(1), h

    class MsCell(ms.nn.Cell):
        def __init__(self) -> None:
            super().__init__()
            self.fc = ms.nn.Dense(4, 4)

        def construct(self, x, h):
            h = ms.ops.tanh(self.fc(x) + h)
            return h.sum(1), h

    torch.manual_seed(3)
    model_t, model_m = TorchCell(), MsCell()
    copy_torch_weights(model_t, model_m)
    batches = _data(11, [(2, 4), (2,)])
    start = np.zeros((2, 4), np.float32)
    for hidden in (start, None):
        losses_t, hidden_t = torch_mod.carried(
            model_t, torch.nn.MSELoss(), [tuple(map(torch.from_numpy, b)) for b in batches],
            0.1, None if hidden is None else torch.from_numpy(hidden),
        )  # fmt: skip
        losses_m, hidden_m = ms_mod.carried(
            model_m, ms.nn.MSELoss(), [tuple(map(ms.Tensor, b)) for b in batches],
            0.1, None if hidden is None else ms.Tensor(hidden),
        )  # fmt: skip
        assert losses_m == pytest.approx(losses_t, rel=1e-5)
        if hidden is not None:
            assert not np.allclose(hidden_t.detach().numpy(), hidden)  # the state moved
            np.testing.assert_allclose(
                hidden_m.asnumpy(), hidden_t.detach().numpy(), rtol=1e-5, atol=1e-6
            )
        _same(model_m, model_t, atol=1e-5)  # eight steps of float rounding


REFUSED = {
    "gan_step": "compute `fake` again in this step",
    "not_zeroed": "`model.zero_grad()` is not called before backward()",
    "changed_in_place": "`x.mul_(scale)` updates a tensor in place between two backward()",
    "clipped_elsewhere": "clip_grad_norm_() of other parameters than `model`'s",
    "zero_branches_no_step": "without an optimizer step",
}


def test_refused_shapes_say_why() -> None:
    """Shapes the port could not train as torch does keep markers that say why: the
    generator's step reusing `fake` from the discriminator's forward, a manual update with no
    zero_grad(), an in-place update between two backward(), clipping other parameters, and a
    backward() with no step (the zero_grad() calls in both branches of an `if` marked too)."""
    source = (FOLDER / "in.py").read_text(encoding="utf-8")
    result = convert_source(source, load_database(), "CPU")
    starts = {
        line.split("(")[0][len("def ") :]: number
        for number, line in enumerate(source.splitlines(), 1)
        if line.startswith("def ")
    }
    ordered = sorted(starts.values())

    def function_of(line: int) -> str:
        first = max(n for n in ordered if n <= line)
        return next(name for name, n in starts.items() if n == first)

    marked: dict[str, list[str]] = {}
    for marker in result.markers:
        marked.setdefault(function_of(marker.line), []).append(marker.reason)
    assert set(marked) == set(REFUSED)  # every other function converted whole
    for name, words in REFUSED.items():
        assert any(words in reason for reason in marked[name]), (name, marked[name])
    assert len(marked["zero_branches_no_step"]) == 3  # both zero_grad() and the backward()
