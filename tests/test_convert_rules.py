"""Conversion rules that change what runs, checked by running them: the fixture's torch
source (`in.py`) and its port (`out.py`, which tests/test_convert_fixtures.py proves is what
the conversion writes) run with the same weights and inputs and give the same results."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from server.runner.align.copy_weights import copy_torch_weights
from tests.convert_helpers import load_module, relative_error

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "convert"


def _pair(rule: str):
    folder = FIXTURES / rule
    return (
        load_module(folder / "in.py", f"rule_torch_{rule}"),
        load_module(folder / "out.py", f"rule_ms_{rule}"),
    )


def test_inplace_activations_match_torch(mindspore_on_cpu) -> None:
    ms = mindspore_on_cpu
    torch_mod, ms_mod = _pair("inplace_activations")
    torch.manual_seed(0)
    reference = torch_mod.build()
    cell = ms_mod.build()
    copy_torch_weights(reference, cell)
    x = torch.randn(5, 4) * 3
    with torch.no_grad():
        expected = reference(x).numpy()
    actual = cell(ms.Tensor(x.numpy())).asnumpy()
    assert relative_error(expected, actual) < 1e-5


def test_module_hooks_match_torch(mindspore_on_cpu) -> None:
    ms = mindspore_on_cpu
    torch_mod, ms_mod = _pair("module_hooks")
    torch.manual_seed(0)
    reference = torch_mod.Net()
    cell = ms_mod.Net()
    copy_torch_weights(reference, cell)
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(np.float32)
    seen_t, hooks_t = torch_mod.capture(reference)
    seen_m, hooks_m = ms_mod.capture(cell)
    with torch.no_grad():
        hooked_t = reference(torch.from_numpy(x)).numpy()
    hooked_m = cell(ms.Tensor(x)).asnumpy()
    assert relative_error(hooked_t, hooked_m) < 1e-5
    assert len(seen_t) == len(seen_m) == 1
    assert relative_error(seen_t[0].detach().numpy(), seen_m[0].asnumpy()) < 1e-5
    for handle in hooks_t + hooks_m:
        handle.remove()
    with torch.no_grad():
        plain_t = reference(torch.from_numpy(x)).numpy()
    plain_m = cell(ms.Tensor(x)).asnumpy()
    assert relative_error(plain_t, plain_m) < 1e-5
    assert relative_error(plain_t, hooked_t) > 1e-3  # the pre-hook did change the input
    assert len(seen_m) == 1  # removed: not called again


def test_backend_settings_run_on_cpu(mindspore_on_cpu) -> None:
    torch_mod, ms_mod = _pair("backend_settings")
    ms_mod.configure(0, True)
    ms_mod.configure(1, False)
    assert mindspore_on_cpu.get_context("deterministic") == "ON"  # set twice, as torch may
    ms_mod.reproducible(False)
    assert mindspore_on_cpu.get_context("deterministic") == "OFF"
    # CUDA memory calls: MindSpore's runtime answers for the process's device (none used here)
    peak, reserved = ms_mod.free_memory()
    assert peak >= 0 and reserved >= 0
    # torch answers "cpu" on a machine with neither CUDA nor MPS, as MindSpore always does
    assert torch_mod.pick_device(False) == ms_mod.pick_device(False) == "cpu"


def _batches(loader, as_numpy) -> list[list[np.ndarray]]:
    return [[as_numpy(t) for t in batch] for batch in loader]


def test_data_loader_kwargs_match_torch(mindspore_on_cpu) -> None:
    torch_mod, ms_mod = _pair("data_loader_kwargs")
    for use_accel in (False, True):
        expected = [_batches(lo, torch.Tensor.numpy) for lo in torch_mod.loaders(use_accel, 3)]
        actual = [_batches(lo, lambda t: t.asnumpy()) for lo in ms_mod.loaders(use_accel, 3)]
        assert [len(b) for b in expected] == [len(b) for b in actual] == [4, 2]
        for exp_loader, act_loader in zip(expected, actual, strict=True):
            exp_rows = [np.concatenate([b[i] for b in exp_loader]) for i in range(2)]
            act_rows = [np.concatenate([b[i] for b in act_loader]) for i in range(2)]
            if use_accel:  # shuffled: the same rows, in another order
                exp_rows = [np.sort(r, axis=0) for r in exp_rows]
                act_rows = [np.sort(r, axis=0) for r in act_rows]
            for e, a in zip(exp_rows, act_rows, strict=True):
                np.testing.assert_array_equal(e, a)
    # the columns of a loader whose loop is elsewhere are counted from the first item
    rows = [(np.full(2, i, np.float32), np.int64(i)) for i in range(5)]
    batches = _batches(ms_mod.make(rows), lambda t: t.asnumpy())
    assert [b[0].shape for b in batches] == [(4, 2), (1, 2)]
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), np.arange(5))


def test_inplace_methods_match_torch(mindspore_on_cpu) -> None:
    torch_mod, ms_mod = _pair("inplace_methods")
    np.testing.assert_array_equal(torch_mod.causal_mask(5).numpy(), ms_mod.causal_mask(5).asnumpy())
    rng = np.random.default_rng(0)
    a, b = (rng.random((3, 4), dtype=np.float32) + 1 for _ in range(2))
    square_avg = b * b + a  # above grad_avg ** 2: the root is real
    expected = torch_mod.rms(torch.from_numpy(square_avg), torch.from_numpy(b)).numpy()
    actual = ms_mod.rms(mindspore_on_cpu.Tensor(square_avg), mindspore_on_cpu.Tensor(b)).asnumpy()
    assert relative_error(expected, actual) < 1e-6
    labels_t, labels_m = torch_mod.Labels(4), ms_mod.Labels(4)
    held_t, held_m = labels_t.buf, labels_m.buf  # another reference sees the updates
    for value in (3.0, 0.5):
        labels_t.update(value)
        labels_m.update(value)
        np.testing.assert_allclose(held_t.numpy(), held_m.asnumpy(), rtol=1e-6)
        np.testing.assert_array_equal(labels_t.label.numpy(), labels_m.label.asnumpy())
    labels_t.reset()
    labels_m.reset()
    assert not held_m.asnumpy().any() and not held_t.numpy().any()


def test_instance_norm_as_group_norm_matches_torch(mindspore_on_cpu) -> None:
    torch_mod, ms_mod = _pair("instance_norm")
    torch.manual_seed(0)
    reference = torch_mod.build()
    with torch.no_grad():  # not the default ones and zeros
        reference.in1.weight.uniform_(0.5, 1.5)
        reference.in1.bias.uniform_(-0.5, 0.5)
    cell = ms_mod.build()
    copied = copy_torch_weights(reference, cell)
    # affine=False: MindSpore's GroupNorm keeps untrained ones and zeros, torch has none
    assert copied.fixed == ["in2.beta", "in2.gamma"] and not copied.missing
    (x,) = torch_mod.example_inputs()
    with torch.no_grad():
        expected = reference(x).numpy()
    for train in (False, True):  # no running statistics: the same in both modes
        cell.set_train(train)
        actual = cell(mindspore_on_cpu.Tensor(x.numpy())).asnumpy()
        assert relative_error(expected, actual) < 1e-5


def test_legacy_constructors_match_torch(mindspore_on_cpu) -> None:
    torch_mod, ms_mod = _pair("legacy_constructors")
    content = np.arange(24).reshape(4, 6) * 1.5
    labels = np.array([2, 0, 1, 1])
    for expected, actual in zip(
        torch_mod.load(content, labels), ms_mod.load(content, labels), strict=True
    ):
        assert str(expected.dtype).removeprefix("torch.") == str(actual.dtype).lower()
        np.testing.assert_array_equal(expected.numpy(), actual.asnumpy())
    expected, actual = torch_mod.dummy(3, 2), ms_mod.dummy(3, 2)
    assert expected.shape == actual.shape == (3, 2) and str(actual.dtype) == "Int64"
    np.testing.assert_array_equal(expected.numpy(), actual.asnumpy())


def test_parameter_arguments_match_torch(mindspore_on_cpu) -> None:
    torch_mod, ms_mod = _pair("parameter_arguments")
    x = np.arange(3, dtype=np.float32)
    expected = torch_mod.parameters(torch.from_numpy(x))
    actual = ms_mod.parameters(mindspore_on_cpu.Tensor(x))
    for e, a in zip(expected, actual, strict=True):
        assert isinstance(a, mindspore_on_cpu.Parameter)
        assert e.requires_grad == a.requires_grad
        np.testing.assert_array_equal(e.detach().numpy(), a.asnumpy())


def test_unfold_matches_torch(mindspore_on_cpu) -> None:
    torch_mod, ms_mod = _pair("unfold")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 2, 3, 17)).astype(np.float32)
    expected = torch_mod.median_filter(torch.from_numpy(x), 5).numpy()
    actual = ms_mod.median_filter(mindspore_on_cpu.Tensor(x), 5).asnumpy()
    np.testing.assert_array_equal(expected, actual)
    img = rng.standard_normal((2, 3, 8, 12)).astype(np.float32)
    expected = torch_mod.patches(torch.from_numpy(img), 4, 3).numpy()
    actual = ms_mod.patches(mindspore_on_cpu.Tensor(img), 4, 3).asnumpy()
    assert expected.shape == actual.shape == (2, 3, 2, 4, 4, 3)
    np.testing.assert_array_equal(expected, actual)


def test_grad_scaler_step_matches_torch(mindspore_on_cpu) -> None:
    """`scaler.scale(loss).backward(); scaler.unscale_(opt); clip; scaler.step(opt);
    scaler.update()`, with the scaler on and off: the same parameters after each epoch."""
    ms = mindspore_on_cpu
    torch_mod, ms_mod = _pair("grad_scaler")
    rng = np.random.default_rng(2)
    batches = [
        (rng.standard_normal((4, 3)).astype(np.float32), rng.random((4, 2)).astype(np.float32))
        for _ in range(4)
    ]
    for use_amp in (True, False):
        torch.manual_seed(0)
        reference = torch.nn.Linear(3, 2)
        cell = ms.nn.Dense(3, 2)
        copy_torch_weights(reference, cell)
        optimizer_t = torch.optim.SGD(reference.parameters(), lr=0.5)
        optimizer_m = ms.experimental.optim.SGD(cell.trainable_params(), lr=0.5)
        loss_t = torch_mod.train(
            reference,
            [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in batches],
            optimizer_t,
            torch.nn.MSELoss(),
            use_amp,
        )
        loss_m = ms_mod.train(
            cell, [(ms.Tensor(x), ms.Tensor(y)) for x, y in batches], optimizer_m,
            ms.nn.MSELoss(), use_amp,
        )  # fmt: skip
        assert abs(loss_t - loss_m) <= 1e-5 * max(1.0, abs(loss_t))
        np.testing.assert_allclose(
            cell.weight.asnumpy(), reference.weight.detach().numpy(), rtol=1e-5, atol=1e-6
        )


def test_calculate_gain_constants_are_torch_values() -> None:
    from server.convert.file.init_weights import _GAINS

    for nonlinearity, written in _GAINS.items():
        assert eval(written) == pytest.approx(torch.nn.init.calculate_gain(nonlinearity))
    ms_text = (FIXTURES / "init_gain" / "out.py").read_text()
    assert "Orthogonal(gain=(2.0**0.5))" in ms_text
    slope = "(2.0 / (1 + (0.2) ** 2)) ** 0.5"
    assert slope in ms_text
    assert eval(slope) == pytest.approx(torch.nn.init.calculate_gain("leaky_relu", 0.2))


def test_loss_computed_before_zero_grad_trains_like_torch(mindspore_on_cpu) -> None:
    """A loss computed before zero_grad() (and kept in an attribute) is differentiated: the
    forward function starts where the loss is computed."""
    ms = mindspore_on_cpu
    torch_mod, ms_mod = _pair("training_order")

    class TorchNet(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = torch.nn.Linear(3, 2)

        def forward(self, x, y):
            out = self.fc(x)
            return out, torch.nn.functional.mse_loss(out, y)

    class MsNet(ms.nn.Cell):
        def __init__(self) -> None:
            super().__init__()
            self.fc = ms.nn.Dense(3, 2)

        def construct(self, x, y):
            out = self.fc(x)
            return out, ms.ops.mse_loss(out, y)

    rng = np.random.default_rng(3)
    data = [(rng.standard_normal((4, 3)), rng.random((4, 2))) for _ in range(3)]
    data = [(x.astype(np.float32), y.astype(np.float32)) for x, y in data]
    torch.manual_seed(0)
    reference, cell = TorchNet(), MsNet()
    copy_torch_weights(reference, cell)
    trainer_t = torch_mod.Trainer(torch.optim.SGD(reference.parameters(), lr=0.3))
    trainer_m = ms_mod.Trainer(ms.experimental.optim.SGD(cell.trainable_params(), lr=0.3))
    loss_t = trainer_t.run(reference, [tuple(map(torch.from_numpy, b)) for b in data])
    loss_m = trainer_m.run(cell, [tuple(map(ms.Tensor, b)) for b in data])
    assert loss_m == pytest.approx(loss_t, rel=1e-5)
    x, y = data[0]
    opt_t = torch.optim.SGD(reference.parameters(), lr=0.3)
    opt_m = ms.experimental.optim.SGD(cell.trainable_params(), lr=0.3)
    for _ in range(2):
        loss_t = torch_mod.early(
            reference, opt_t, torch.nn.MSELoss(), torch.from_numpy(x), torch.from_numpy(y)
        )
        loss_m = ms_mod.early(cell, opt_m, ms.nn.MSELoss(), ms.Tensor(x), ms.Tensor(y))
        assert loss_m == pytest.approx(loss_t, rel=1e-5)
    np.testing.assert_allclose(
        cell.fc.weight.asnumpy(), reference.fc.weight.detach().numpy(), rtol=1e-5, atol=1e-6
    )
    # a check between the loss and the step: the port computes the gradient, then skips the step
    before = cell.fc.weight.asnumpy().copy()
    tx, ty, mx, my = torch.from_numpy(x), torch.from_numpy(y), ms.Tensor(x), ms.Tensor(y)
    assert torch_mod.early_stop(reference, opt_t, torch.nn.MSELoss(), tx, ty, 0.0) is None
    assert ms_mod.early_stop(cell, opt_m, ms.nn.MSELoss(), mx, my, 0.0) is None
    np.testing.assert_array_equal(cell.fc.weight.asnumpy(), before)
    loss_t = torch_mod.early_stop(reference, opt_t, torch.nn.MSELoss(), tx, ty, 1e9)
    loss_m = ms_mod.early_stop(cell, opt_m, ms.nn.MSELoss(), mx, my, 1e9)
    assert loss_m == pytest.approx(loss_t, rel=1e-5)
    np.testing.assert_allclose(
        cell.fc.weight.asnumpy(), reference.fc.weight.detach().numpy(), rtol=1e-5, atol=1e-6
    )


def test_network_output_before_zero_grad_trains_like_torch(mindspore_on_cpu) -> None:
    ms = mindspore_on_cpu
    torch_mod, ms_mod = _pair("training_inputs")
    torch.manual_seed(0)
    reference, cell = torch.nn.Linear(4, 2), ms.nn.Dense(4, 2)
    copy_torch_weights(reference, cell)
    opt_t = torch.optim.SGD(reference.parameters(), lr=0.5)
    opt_m = ms.experimental.optim.SGD(cell.trainable_params(), lr=0.5)
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((5, 4)).astype(np.float32), rng.random((5, 2)).astype(np.float32)
    for _ in range(2):
        torch_mod.step(
            reference, opt_t, torch.nn.MSELoss(), torch.from_numpy(x), torch.from_numpy(y)
        )
        ms_mod.step(cell, opt_m, ms.nn.MSELoss(), ms.Tensor(x), ms.Tensor(y))
    np.testing.assert_allclose(
        cell.weight.asnumpy(), reference.weight.detach().numpy(), rtol=1e-5, atol=1e-6
    )


def test_no_grad_block_in_a_step_stops_the_gradient(mindspore_on_cpu) -> None:
    """`with torch.no_grad(): target = ...` inside a training step: the port stops the
    gradient there (without it, the gradient would also flow through the target)."""
    ms = mindspore_on_cpu
    torch_mod, ms_mod = _pair("no_grad_in_step")
    torch.manual_seed(0)
    reference, cell = torch.nn.Linear(3, 4), ms.nn.Dense(3, 4)
    copy_torch_weights(reference, cell)
    opt_t = torch.optim.SGD(reference.parameters(), lr=0.2)
    opt_m = ms.experimental.optim.SGD(cell.trainable_params(), lr=0.2)
    rng = np.random.default_rng(5)
    obs, next_obs = (rng.standard_normal((6, 3)).astype(np.float32) for _ in range(2))
    reward = rng.random(6).astype(np.float32)
    for _ in range(2):
        loss_t = torch_mod.td_step(
            reference, opt_t, *map(torch.from_numpy, (obs, next_obs, reward)), 0.9
        )
        loss_m = ms_mod.td_step(cell, opt_m, *map(ms.Tensor, (obs, next_obs, reward)), 0.9)
        assert loss_m == pytest.approx(loss_t, rel=1e-5)
    np.testing.assert_allclose(
        cell.weight.asnumpy(), reference.weight.detach().numpy(), rtol=1e-5, atol=1e-6
    )


def test_inplace_chain_matches_torch(mindspore_on_cpu) -> None:
    torch_mod, ms_mod = _pair("inplace_chain")
    rng = np.random.default_rng(6)
    square, avg, grad = (rng.random(5).astype(np.float32) for _ in range(3))
    state_t = {"square_avg": torch.from_numpy(square + 1), "grad_avg": torch.from_numpy(avg)}
    state_m = {
        "square_avg": mindspore_on_cpu.Tensor(square + 1),
        "grad_avg": mindspore_on_cpu.Tensor(avg),
    }
    for _ in range(2):
        expected = torch_mod.rmsprop_update(state_t, torch.from_numpy(grad), 0.9).numpy()
        actual = ms_mod.rmsprop_update(state_m, mindspore_on_cpu.Tensor(grad), 0.9).asnumpy()
        np.testing.assert_allclose(actual, expected, rtol=1e-6)
        for key in state_t:  # the tensors held in the state were updated in place
            np.testing.assert_allclose(state_m[key].asnumpy(), state_t[key].numpy(), rtol=1e-6)


def test_workaround_formulas_match_torch(mindspore_on_cpu) -> None:
    """The verified workaround formulas the port writes (normalize, nanoGPT's layer_norm with
    and without a bias, causal attention) and the LayerNorm primitive for a form the layer_norm
    formula refuses give torch's results; the masked attention the formula does not stand for
    keeps its torch call and a marker."""
    ms = mindspore_on_cpu
    torch_mod, ms_mod = _pair("workaround_formulas")
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 8)).astype(np.float32) * 3 + 1
    for bias in (True, False):
        reference, cell = torch_mod.LayerNorm(8, bias), ms_mod.LayerNorm(8, bias)
        with torch.no_grad():  # not the default ones and zeros
            reference.weight.uniform_(0.5, 1.5)
            if bias:
                reference.bias.uniform_(-0.5, 0.5)
        copy_torch_weights(reference, cell)
        with torch.no_grad():
            expected = reference(torch.from_numpy(x)).numpy()
        assert relative_error(expected, cell(ms.Tensor(x)).asnumpy()) < 1e-5
    weight = rng.random(8).astype(np.float32) + 0.5
    shift = rng.standard_normal(8).astype(np.float32)
    for b in (shift, None):
        expected = torch_mod.scaled_norm(
            torch.from_numpy(x), torch.from_numpy(weight), None if b is None else torch.tensor(b)
        ).numpy()
        actual = ms_mod.scaled_norm(
            ms.Tensor(x), ms.Tensor(weight), None if b is None else ms.Tensor(b)
        ).asnumpy()
        assert relative_error(expected, actual) < 1e-5
    rows = rng.standard_normal((4, 5)).astype(np.float32)
    rows[1] = 0.0  # a zero row: the clamp at eps keeps it zero, as torch does
    expected = torch_mod.unit_rows(torch.from_numpy(rows)).numpy()
    actual = ms_mod.unit_rows(ms.Tensor(rows)).asnumpy()
    assert relative_error(expected, actual) < 1e-6
    assert not actual[1].any()
    q, k, v = (rng.standard_normal((2, 2, 5, 4)).astype(np.float32) for _ in range(3))
    expected = torch_mod.causal_attention(*map(torch.from_numpy, (q, k, v))).numpy()
    actual = ms_mod.causal_attention(*map(ms.Tensor, (q, k, v))).asnumpy()
    assert relative_error(expected, actual) < 1e-5
    port = (FIXTURES / "workaround_formulas" / "out.py").read_text(encoding="utf-8")
    masked = next(line for line in port.splitlines() if "attn_mask=mask" in line)
    assert "F.scaled_dot_product_attention(" in masked
    assert "# mindport: " in masked and "attn_mask=None only" in masked


def test_unnamed_loss_trains_like_torch(mindspore_on_cpu) -> None:
    """`criterion(out, y).backward()` and `out.sum().backward()`: the loss gets a name of
    its own and the step trains as torch's does."""
    ms = mindspore_on_cpu
    torch_mod, ms_mod = _pair("training_step_unnamed_loss")
    rng = np.random.default_rng(5)
    data = [
        (rng.standard_normal((4, 3)).astype(np.float32), rng.random((4, 2)).astype(np.float32))
        for _ in range(3)
    ]
    torch.manual_seed(0)
    reference, cell = torch.nn.Linear(3, 2), ms.nn.Dense(3, 2)
    copy_torch_weights(reference, cell)
    torch_mod.train(reference, [tuple(map(torch.from_numpy, b)) for b in data])
    ms_mod.train(cell, [tuple(map(ms.Tensor, b)) for b in data])
    np.testing.assert_allclose(
        cell.weight.asnumpy(), reference.weight.detach().numpy(), rtol=1e-5, atol=1e-6
    )
    x = data[0][0]
    assert torch_mod.train_sum(reference, torch.from_numpy(x), 2.5) == 2.5
    assert ms_mod.train_sum(cell, ms.Tensor(x), 2.5) == 2.5
    np.testing.assert_allclose(
        cell.bias.asnumpy(), reference.bias.detach().numpy(), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        cell.weight.asnumpy(), reference.weight.detach().numpy(), rtol=1e-5, atol=1e-6
    )
    # a network built in the same block stays out of the step (before the fix the forward
    # function started at `model = ToyModel()`, leaving the optimizer undefined): both build
    # the same weights here, and train them the same way
    start_t, start_m = torch.nn.Linear(3, 2), ms.nn.Dense(3, 2)
    copy_torch_weights(start_t, start_m)
    torch_holder, ms_holder = torch_mod.ToyModel(), ms_mod.ToyModel()
    torch_holder.fc, ms_holder.fc = start_t, start_m
    torch_mod.ToyModel, ms_mod.ToyModel = (lambda: torch_holder), (lambda: ms_holder)
    x, y = data[1]
    before = start_t.weight.detach().numpy().copy()
    model_t, _ = torch_mod.demo(torch.from_numpy(x), torch.from_numpy(y))
    model_m, _ = ms_mod.demo(ms.Tensor(x), ms.Tensor(y))
    assert not np.allclose(model_m.fc.weight.asnumpy(), before)  # the step ran
    np.testing.assert_allclose(
        model_m.fc.weight.asnumpy(), model_t.fc.weight.detach().numpy(), rtol=1e-5, atol=1e-6
    )
