"""server.runner.verify.modules on real entries, real torch and real mindspore (CPU)."""

from __future__ import annotations

import pytest

from mapping_db.model import Entry, Target
from mapping_db.store import load_database
from server.runner.verify import modules


@pytest.fixture(scope="module", autouse=True)
def _cpu(mindspore_on_cpu) -> None:  # type: ignore[no-untyped-def]
    return None


def _pair(torch_api: str, target_api: str) -> tuple[Entry, Target]:
    entry = load_database().get(torch_api)
    assert entry is not None, torch_api
    target = next((t for t in entry.targets if t.api == target_api), None)
    assert target is not None, f"{torch_api} has no target {target_api}"
    return entry, target


def _verify(torch_api: str, target_api: str, max_cases: int = 5):  # type: ignore[no-untyped-def]
    entry, target = _pair(torch_api, target_api)
    return modules.verify(entry, target, max_cases)


def test_handles_layers_optimizers_init_and_data_not_functions() -> None:
    db = load_database()
    for name in ("torch.nn.Conv2d", "torch.optim.SGD", "torch.optim.lr_scheduler.StepLR",
                 "torch.nn.init.uniform_", "torch.utils.data.SequentialSampler"):  # fmt: skip
        assert modules.handles(db.get(name)), name
    for name in ("torch.nn.functional.relu", "torch.flatten", "torch.Tensor.view"):
        entry = db.get(name)
        assert entry is not None and not modules.handles(entry), name


def test_translate_call_follows_the_quick_fix_for_conv2d() -> None:
    _, target = _pair("torch.nn.Conv2d", "mindspore.nn.Conv2d")
    args, kwargs = modules.translate_call(target, (4, 6, 3, 1, 1), {"groups": 2})
    # Fifth torch argument (padding) must not land on MindSpore's pad_mode slot.
    assert args == [4, 6, 3, 1]
    assert kwargs["padding"] == 1
    assert kwargs["group"] == 2 and "groups" not in kwargs
    assert kwargs["pad_mode"] == "pad" and kwargs["has_bias"] is True


def test_translate_call_applies_value_transforms_and_refusals() -> None:
    _, target = _pair("torch.nn.BatchNorm2d", "mindspore.nn.BatchNorm2d")
    _, kwargs = modules.translate_call(target, (3,), {"momentum": 0.25})
    assert kwargs["momentum"] == pytest.approx(0.75)
    with pytest.raises(modules.Refused):
        modules.translate_call(target, (3,), {"track_running_stats": False})


def test_linear_to_dense_is_equal() -> None:
    result = _verify("torch.nn.Linear", "mindspore.nn.Dense")
    assert result.status == "equal", result.reason
    assert result.cases >= 3 and result.passed == result.cases


def test_conv2d_is_equal_for_int_padding() -> None:
    result = _verify("torch.nn.Conv2d", "mindspore.nn.Conv2d", max_cases=3)
    assert result.status == "equal", result.reason
    assert result.cases == 3


def test_conv2d_tuple_padding_is_equal_once_pairs_become_sides() -> None:
    # torch takes padding=(2, 1); MindSpore's nn.Conv2d wants an int or a 4-tuple
    # (top, bottom, left, right): the curated map's pairs-to-sides transform makes
    # every module_db case, tuple paddings and groups/dilation included, agree.
    result = _verify("torch.nn.Conv2d", "mindspore.nn.Conv2d", max_cases=5)
    assert result.status == "equal", result.reason
    assert result.cases >= 3


def test_batchnorm2d_with_copied_running_statistics_is_equal_in_eval_mode() -> None:
    result = _verify("torch.nn.BatchNorm2d", "mindspore.nn.BatchNorm2d", max_cases=3)
    assert result.status == "equal", result.reason
    assert result.cases == 3


def test_lstm_weights_are_copied_and_outputs_match() -> None:
    result = _verify("torch.nn.LSTM", "mindspore.nn.LSTM", max_cases=3)
    assert result.status == "equal", result.reason


def test_sgd_with_momentum_matches_experimental_sgd() -> None:
    result = _verify("torch.optim.SGD", "mindspore.experimental.optim.SGD")
    assert result.status == "equal", result.reason
    assert result.cases == 5


def test_nn_sgd_rejects_torch_keyword_lr() -> None:
    result = _verify("torch.optim.SGD", "mindspore.nn.SGD")
    assert result.status == "error"
    assert "lr" in result.reason


def test_step_lr_schedule_matches() -> None:
    result = _verify("torch.optim.lr_scheduler.StepLR",
                     "mindspore.experimental.optim.lr_scheduler.StepLR")  # fmt: skip
    assert result.status == "equal", result.reason


def test_deterministic_init_compares_values() -> None:
    result = _verify("torch.nn.init.eye_", "mindspore.common.initializer.Identity")
    assert result.status == "equal", result.reason
    assert result.cases == 2


def test_random_init_compares_statistics() -> None:
    result = _verify("torch.nn.init.xavier_uniform_", "mindspore.common.initializer.XavierUniform")
    assert result.status == "equal"
    assert "random: compared statistics" in result.reason


def test_normal_init_has_a_different_default_spread() -> None:
    # torch's normal_ draws with std 1 by default, MindSpore's Normal with sigma 0.01.
    result = _verify("torch.nn.init.normal_", "mindspore.common.initializer.Normal")
    assert result.status == "mismatch"
    assert "std" in result.reason


def test_missing_torch_class_is_untested_not_an_exception() -> None:
    result = _verify("torch.nn.SeLU", "mindspore.nn.SeLU")
    assert result.status == "untested"
    assert "no torch.nn.SeLU" in result.reason
