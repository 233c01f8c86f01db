"""Verification depth: the argument conversions the quick fix writes where MindSpore takes one
form only, the case generators for module methods and distributions, the real-code forms of
torch-level functionals, and the reason an entry with no generator names. Real torch and real
mindspore on CPU."""

from __future__ import annotations

import pytest

from mapping_db.model import Entry, Target
from mapping_db.store import load_database
from server.analysis.edits import FixRefused
from server.convert.call_rewrite import rewrite_call
from server.runner.verify import functions, modules_distributions, modules_methods
from server.runner.verify.no_generator import no_generator_reason


@pytest.fixture(scope="module", autouse=True)
def _cpu(mindspore_on_cpu) -> None:  # type: ignore[no-untyped-def]
    return None


def _pair(torch_api: str, target_api: str) -> tuple[Entry, Target]:
    entry = load_database().get(torch_api)
    assert entry is not None, torch_api
    target = next((t for t in entry.targets if t.api == target_api), None)
    assert target is not None, f"{torch_api} has no target {target_api}"
    return entry, target


# ---- conversions the fix writes -------------------------------------------------------------


def test_fft2_dim_int_becomes_a_one_tuple_and_a_tuple_stays() -> None:
    _, target = _pair("torch.fft.fft2", "mindspore.ops.fft2")
    assert rewrite_call("torch.fft.fft2(x, dim=0)", target).text == (
        "mindspore.ops.fft2(x, dim=(0,))"
    )
    assert rewrite_call("torch.fft.fft2(x, dim=(-2, -1))", target).text.endswith("dim=(-2, -1))")
    # a variable is left as written: MindSpore raises on an int, it never computes otherwise
    assert rewrite_call("torch.fft.fft2(x, dim=d)", target).text.endswith("dim=d)")


def test_avg_pool1d_one_tuples_become_ints_and_stride_is_written_out() -> None:
    _, target = _pair("torch.nn.functional.avg_pool1d", "mindspore.ops.avg_pool1d")
    text = rewrite_call("torch.nn.functional.avg_pool1d(x, (3,))", target).text
    assert text == "mindspore.ops.avg_pool1d(x, 3, stride=3)"


def test_triplet_margin_p_whole_float_becomes_int_and_a_fraction_is_refused() -> None:
    _, target = _pair(
        "torch.nn.functional.triplet_margin_loss", "mindspore.ops.triplet_margin_loss"
    )
    assert "p=2)" in rewrite_call("torch.nn.functional.triplet_margin_loss(a, b, c)", target).text
    with pytest.raises(FixRefused):
        rewrite_call("torch.nn.functional.triplet_margin_loss(a, b, c, p=1.5)", target)


# ---- what verification finds with them -----------------------------------------------------


@pytest.mark.parametrize(
    ("torch_api", "target_api"),
    [
        ("torch.fft.rfftn", "mindspore.ops.rfftn"),
        ("torch.polygamma", "mindspore.ops.polygamma"),
        ("torch.max_pool2d", "mindspore.ops.max_pool2d"),
        ("torch.nn.functional.affine_grid", "mindspore.ops.affine_grid"),
        ("torch.Tensor.roll", "mindspore.numpy.roll"),
    ],
)
def test_converted_calls_and_real_forms_verify_equal(torch_api: str, target_api: str) -> None:
    entry, target = _pair(torch_api, target_api)
    result = functions.verify(entry, target, 5)
    assert result.status == "equal", result.reason
    assert result.cases >= 2 and result.passed == result.cases


def test_vander_increasing_true_is_refused_and_the_rest_verifies() -> None:
    entry, target = _pair("torch.vander", "mindspore.ops.vander")
    assert rewrite_call("torch.vander(x, 3, False)", target).text == "mindspore.ops.vander(x, 3)"
    with pytest.raises(FixRefused):
        rewrite_call("torch.vander(x, 3, True)", target)
    result = functions.verify(entry, target, 5)
    assert result.status == "equal", result.reason


# ---- module methods --------------------------------------------------------------------------


def test_eval_and_parameters_verify_on_the_same_model() -> None:
    for api, target_api in (
        ("torch.nn.Module.eval", "mindspore.nn.Cell.set_train"),
        ("torch.nn.Module.parameters", "mindspore.nn.Cell.trainable_params"),
    ):
        entry, target = _pair(api, target_api)
        result = modules_methods.verify(entry, target, 5)
        assert result.status == "equal", (api, result.reason)
        assert result.cases == 2


def test_eval_without_mode_false_is_caught() -> None:
    """set_train() with no argument turns training on: verification must see that."""
    entry, target = _pair("torch.nn.Module.eval", "mindspore.nn.Cell.set_train")
    bare = Target(api=target.api, sources=target.sources, category=target.category)
    result = modules_methods.verify(entry, bare, 5)
    assert result.status == "mismatch" and "training" in result.reason


def test_named_parameters_names_differ_with_batch_norm() -> None:
    entry, target = _pair(
        "torch.nn.Module.named_parameters", "mindspore.nn.Cell.parameters_and_names"
    )
    result = modules_methods.verify(entry, target, 5)
    assert result.status == "mismatch"
    assert result.passed == 1  # the MLP's names agree; batch norm's gamma/beta do not
    assert "moving_mean" in result.reason


# ---- distributions ---------------------------------------------------------------------------


def test_normal_verifies_with_loc_scale_renamed() -> None:
    entry, target = _pair(
        "torch.distributions.Normal", "mindspore.nn.probability.distribution.Normal"
    )
    result = modules_distributions.verify(entry, target, 5)
    assert result.status == "equal", result.reason


def test_normal_without_the_rename_fails() -> None:
    entry, target = _pair(
        "torch.distributions.Normal", "mindspore.nn.probability.distribution.Normal"
    )
    bare = Target(api=target.api, sources=target.sources, category=target.category)
    result = modules_distributions.verify(entry, bare, 5)
    assert result.status == "error", result.reason


def test_bernoulli_sample_dtype_is_compared() -> None:
    entry, target = _pair(
        "torch.distributions.Bernoulli", "mindspore.nn.probability.distribution.Bernoulli"
    )
    assert modules_distributions.verify(entry, target, 5).status == "equal"
    bare = Target(api=target.api, sources=target.sources, category=target.category)
    result = modules_distributions.verify(entry, bare, 5)
    assert result.status == "mismatch" and "sample" in result.reason


# ---- reasons for entries no generator handles -------------------------------------------------


def test_no_generator_reasons_name_what_is_missing() -> None:
    assert "process group" in no_generator_reason("torch.distributed.all_reduce")
    assert no_generator_reason("torch.Stream").endswith("nothing to compare on CPU")
    reason = no_generator_reason("torchvision.transforms.Resize")
    try:
        import torchvision  # noqa: F401
    except Exception:
        assert reason.startswith("torchvision does not import beside this torch")
    else:
        assert reason == "no case generator for torchvision yet"
    assert no_generator_reason("torch.foo.bar") == "no case generator for torch.foo yet"


# ---- in-place methods ------------------------------------------------------------------------


def test_in_place_receiver_is_compared_and_add_underscore_is_caught() -> None:
    """MindSpore 2.10's Tensor.add_ on CPU returns the sum and leaves x as it was: the
    returned value agrees, the receiver after the call does not."""
    entry, target = _pair("torch.Tensor.add_", "mindspore.Tensor.add_")
    result = functions.verify(entry, target, 5)
    assert result.status == "mismatch"
    assert "receiver after the in-place call" in result.reason


def test_in_place_write_back_rewrites_and_verifies() -> None:
    entry, target = _pair("torch.Tensor.add_", "mindspore.Tensor.add")
    assert rewrite_call("x.add_(y, alpha=2)", target, tensor_method=True).text == (
        "x.assign_value(x.add(y, alpha=2).astype(x.dtype))"
    )
    with pytest.raises(FixRefused):  # the receiver would be evaluated twice
        rewrite_call("f(a).add_(y)", target, tensor_method=True)
    result = functions.verify(entry, target, 5)
    assert result.status == "equal", result.reason


def test_comparison_in_place_keeps_the_receiver_dtype() -> None:
    entry, target = _pair("torch.Tensor.gt_", "mindspore.Tensor.gt")
    assert entry.status != "no-equivalent"
    result = functions.verify(entry, target, 5)
    assert result.status == "equal", result.reason
    # without the cast back to x's dtype, x would become bool where torch keeps float
    plain = Target(
        api=target.api,
        sources=target.sources,
        category=target.category,
        value_transforms={"return": "{self}.assign_value({})"},
    )
    assert functions.verify(entry, plain, 5).status == "mismatch"


def test_in_place_generator_writes_only_verified_targets() -> None:
    from mapping_db.importers import inplace

    entries = inplace.build(candidates=False)
    db = load_database()
    results = db.verification("CPU")
    assert results is not None and len(entries) > 50
    for api, (_, target) in entries.items():
        verdict = results.get(api, target["api"])
        assert verdict is not None and verdict.works, api
        assert target["value_transforms"]["return"] == inplace.WRITE_BACK
    # the generated file holds exactly what the generator writes now
    assert inplace.OUT.read_text(encoding="utf-8") == inplace.dump(entries)


def test_function_in_place_writes_back_into_its_first_argument() -> None:
    entry, target = _pair("torch.relu_", "mindspore.ops.relu")
    assert rewrite_call("torch.relu_(h)", target).text == (
        "h.assign_value(mindspore.ops.relu(h).astype(h.dtype))"
    )
    with pytest.raises(FixRefused):
        rewrite_call("torch.relu_(a + b)", target)
    result = functions.verify(entry, target, 5)
    assert result.status == "equal", result.reason
    # without the write-back the returned value agrees and the argument is left unchanged
    plain = Target(api=target.api, sources=target.sources, category=target.category)
    result = functions.verify(entry, plain, 5)
    assert result.status == "mismatch" and "receiver after the in-place call" in result.reason


def test_zero_and_fill_write_back_through_a_function() -> None:
    _, zero = _pair("torch.Tensor.zero_", "mindspore.ops.zeros_like")
    assert rewrite_call("self.buf.zero_()", zero, tensor_method=True).text == (
        "self.buf.assign_value(mindspore.ops.zeros_like(self.buf))"
    )
    entry, fill = _pair("torch.Tensor.fill_", "mindspore.ops.full_like")
    assert rewrite_call("x.fill_(0.5)", fill, tensor_method=True).text == (
        "x.assign_value(mindspore.ops.full_like(x, 0.5).astype(x.dtype))"
    )
    result = functions.verify(entry, fill, 5)
    assert result.status == "equal" and result.cases >= 3, result.reason
