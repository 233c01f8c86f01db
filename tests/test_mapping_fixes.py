"""The rewrites behind the fixes for calls real code makes, on the database's own targets, and
the verification rules that keep them honest (integer widths, per-case verdicts)."""

from __future__ import annotations

import numpy as np
import pytest

from mapping_db.model import Target
from mapping_db.store import load_database
from mapping_db.verification import TargetResult, parse
from server.analysis.edits import FixRefused
from server.convert.call_rewrite import rewrite_call


def _fix(api: str, source: str, method: bool = False) -> str:
    db = load_database()
    entry = db.get(api)
    target = db.pick_target(entry, "CPU")
    return rewrite_call(source, target, tensor_method=method).text


def test_sizes_are_packed_for_mint_zeros_and_one_size_is_kept() -> None:
    assert _fix("torch.zeros", "torch.zeros(2, 3)") == "mindspore.mint.zeros((2, 3))"
    assert _fix("torch.ones", "torch.ones(n)") == "mindspore.mint.ones(n)"
    assert _fix("torch.zeros", "torch.zeros((2, 3))") == "mindspore.mint.zeros((2, 3))"


def test_torch_dtype_arguments_become_mindspore_dtypes() -> None:
    assert _fix("torch.zeros", "torch.zeros(4, dtype=torch.long)") == (
        "mindspore.mint.zeros(4, dtype=mindspore.int64)"
    )
    assert _fix("torch.Tensor.to", "v.to(torch.float64)", method=True) == (
        "v.to(mindspore.float64)"
    )
    # not a dtype: left as written
    assert "torch.pi" in _fix("torch.full", "torch.full((2,), torch.pi, dtype=torch.float32)")


def test_full_writes_the_dtype_torch_infers_from_the_fill_value() -> None:
    assert _fix("torch.full", "torch.full((2, 2), 3.0)").endswith("dtype=mindspore.float32)")
    assert _fix("torch.full", "torch.full((3,), 7)").endswith("dtype=mindspore.int64)")
    assert _fix("torch.full", "torch.full((3,), True)").endswith("dtype=mindspore.bool_)")
    with pytest.raises(FixRefused, match="dtype"):
        _fix("torch.full", "torch.full((3,), value)")


def test_results_are_cast_where_mindspore_gives_int32() -> None:
    assert _fix("torch.argsort", "torch.argsort(v, dim=1)") == (
        "mindspore.ops.argsort(v, axis=1).astype(mindspore.int64)"
    )
    topk = _fix("torch.topk", "torch.topk(v, 2, dim=1)")
    assert topk.endswith("(*mindspore.ops.topk(v, 2, dim=1))")
    assert "indices.astype(mindspore.int64)" in topk


def test_a_method_can_become_a_function_of_its_receiver() -> None:
    assert _fix("torch.Tensor.detach", "x.grad.detach()", method=True) == (
        "mindspore.ops.stop_gradient(x.grad)"
    )


def test_diag_embedding_repeat_and_required_arguments() -> None:
    assert _fix("torch.diag", "torch.diag(m)") == "mindspore.numpy.diag(m)"
    assert _fix("torch.Tensor.repeat", "v.repeat(2, 1)", method=True) == "v.tile((2, 1))"
    assert _fix("torch.nn.functional.embedding", "F.embedding(idx, weight)") == (
        "mindspore.ops.gather(input_indices=idx, input_params=weight, axis=0)"
    )
    with pytest.raises(FixRefused, match="num_classes"):  # torch would infer it: no fix
        _fix("torch.nn.functional.one_hot", "F.one_hot(idx)")
    with pytest.raises(FixRefused, match="dim"):  # softmax's implicit dim has no counterpart
        _fix("torch.nn.functional.softmax", "F.softmax(x)")


def test_placement_keywords_drop_and_default_only_ones_refuse_other_values() -> None:
    assert _fix("torch.arange", "torch.arange(0, t, device=device)") == (
        "mindspore.ops.arange(0, t)"
    )
    target = Target("mindspore.ops.abs", ("curated",), "consistent", mindspore_params=("input",))
    assert rewrite_call("torch.abs(x, generator=None)", target).text == "mindspore.ops.abs(x)"
    with pytest.raises(FixRefused, match="generator"):
        rewrite_call("torch.abs(x, generator=g)", target)


def test_integer_width_is_a_difference_of_its_own(mindspore_on_cpu) -> None:
    from server.runner.verify.compare import compare

    same = compare(np.arange(3, dtype=np.int64), np.arange(3, dtype=np.int64))
    assert same.ok and not same.dtype_only
    width = compare(np.arange(3, dtype=np.int64), np.arange(3, dtype=np.int32))
    assert not width.ok and width.dtype_only and "int32" in width.reason
    values = compare(np.arange(3, dtype=np.int64), np.arange(1, 4, dtype=np.int32))
    assert not values.ok and not values.dtype_only
    pair = compare(
        (np.ones(2, np.float32), np.arange(2, dtype=np.int64)),
        (np.ones(2, np.float32), np.arange(2, dtype=np.int32)),
    )
    assert pair.dtype_only and "[1]" in pair.reason


def test_dtype_only_results_still_allow_a_titled_fix() -> None:
    width = TargetResult("mismatch", 3, 0, None, "case 1: dtype int32", dtype_only=3)
    assert not width.blocks_fix and width.partial
    broken = TargetResult("mismatch", 3, 0, None, "case 1: values differ")
    assert broken.blocks_fix


def test_results_file_keeps_per_case_verdicts() -> None:
    text = (
        '{"format": 1, "device": "CPU", "mindspore": "2.10.0", "torch": "2.13.0", "results": '
        '{"torch.cummin": {"mindspore.ops.cummin": {"status": "error", "cases": 2, '
        '"passed": 1, "reason": "case 2 (float32[])", "case_verdicts": ["equal", '
        '"error: case 2 (float32[]): rank 0"]}}}}'
    )
    verdict = parse(text).get("torch.cummin", "mindspore.ops.cummin")
    assert verdict.case_verdicts == ("equal", "error: case 2 (float32[]): rank 0")
    assert verdict.differing_cases() == ["error: case 2 (float32[]): rank 0"]


def test_committed_results_hold_verdicts_for_the_real_code_forms() -> None:
    db = load_database()
    results = db.verification("CPU")
    zeros = results.get("torch.zeros", "mindspore.mint.zeros")
    assert zeros.status == "equal" and zeros.case_verdicts.count("equal") == zeros.cases
    interpolate = results.get("torch.nn.functional.interpolate", "mindspore.ops.interpolate")
    differing = interpolate.differing_cases()
    assert differing and all("scale_factor=1.7" in v or "scale_factor=0.6" in v for v in differing)
    assert interpolate.case_verdicts.count("equal") == interpolate.passed >= 4  # 4-D forms pass


def test_interpolate_recomputes_only_whole_scale_factors() -> None:
    api = "torch.nn.functional.interpolate"
    assert _fix(api, "F.interpolate(x, scale_factor=2, mode='nearest')") == (
        "mindspore.ops.interpolate(x, scale_factor=2.0, mode='nearest', "
        "recompute_scale_factor=True)"
    )
    assert _fix(api, "F.interpolate(x, scale_factor=1.5)") == (
        "mindspore.ops.interpolate(x, scale_factor=1.5)"
    )
    assert "recompute" not in _fix(api, "F.interpolate(x, size=(4, 4), mode='bilinear')")
