"""One-call rewrites with libcst: keywords renamed, positions kept safe, comments kept."""

from __future__ import annotations

import ast

import pytest

from mapping_db.model import ParamFact, Target
from server.analysis.references import find_torch_references
from server.convert.call_rewrite import FixRefused, rewrite_call, rewrite_name
from server.convert.quick_fix import plan_fix

CONV = Target(
    api="mindspore.nn.Conv2d",
    sources=("r2.4.10",),
    category="diff",
    params=(
        ParamFact("groups", "group", "rename"),
        ParamFact("bias", "has_bias", "rename", "True", "False"),
        ParamFact("padding_mode", None, "torch-only", "'zeros'"),
    ),
    rename={"groups": "group", "bias": "has_bias"},
    set_args={"pad_mode": "'pad'"},
    defaults={"bias": "True"},
    drop_if_default=("padding_mode",),
    unsupported={"padding_mode": ("'reflect'", "'circular'")},
    torch_params=(
        "in_channels",
        "out_channels",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "groups",
        "bias",
        "padding_mode",
    ),
    mindspore_params=(
        "in_channels",
        "out_channels",
        "kernel_size",
        "stride",
        "pad_mode",
        "padding",
        "dilation",
        "group",
        "has_bias",
    ),
)


def test_keywords_renamed_and_required_arguments_added() -> None:
    out = rewrite_call("nn.Conv2d(3, 8, kernel_size=3, groups=1, bias=False)", CONV)
    assert (
        out.text
        == "mindspore.nn.Conv2d(3, 8, kernel_size=3, group=1, has_bias=False, pad_mode='pad')"
    )


def test_torch_default_written_out_when_mindspore_differs() -> None:
    out = rewrite_call("nn.Conv2d(3, 8, 3)", CONV)
    assert out.text == "mindspore.nn.Conv2d(3, 8, 3, has_bias=True, pad_mode='pad')"


def test_positional_arguments_past_a_diverging_slot_become_keywords() -> None:
    out = rewrite_call("nn.Conv2d(64, 64, 3, 1, 1, 1, 1, False)", CONV)
    assert out.text == (
        "mindspore.nn.Conv2d(64, 64, 3, 1, padding=1, dilation=1, group=1, has_bias=False,"
        " pad_mode='pad')"
    )
    ast.parse(out.text)


def test_default_valued_torch_only_keyword_dropped_other_values_refused() -> None:
    out = rewrite_call("nn.Conv2d(1, 2, 3, padding_mode='zeros')", CONV)
    assert "padding_mode" not in out.text
    with pytest.raises(FixRefused, match="padding_mode"):
        rewrite_call("nn.Conv2d(1, 2, 3, padding_mode='reflect')", CONV)


def test_multiline_call_keeps_comments_and_layout() -> None:
    source = "nn.Conv2d(\n    3,  # inputs\n    8,\n    3,\n    bias=False,\n)"
    out = rewrite_call(source, CONV)
    assert "# inputs" in out.text
    assert "has_bias=False," in out.text
    ast.parse(out.text)


def test_star_arguments_refused() -> None:
    with pytest.raises(FixRefused):
        rewrite_call("nn.Conv2d(*args, **kwargs)", CONV)


def test_tensor_method_rename() -> None:
    target = Target(api="mindspore.Tensor.swapaxes", sources=("curated",), category="consistent")
    out = rewrite_call("x.transpose(0, 1)", target, tensor_method=True)
    assert out.text == "x.swapaxes(0, 1)"


def test_name_rewrite_and_alias() -> None:
    cell = Target(api="mindspore.nn.Cell", sources=("curated",), category="diff")
    assert rewrite_name(cell).text == "mindspore.nn.Cell"
    assert rewrite_name(cell, "ms").text == "ms.nn.Cell"


def test_plan_fix_adds_import_after_last_import_once() -> None:
    source = "import torch.nn as nn\n\nlayer = nn.Conv2d(1, 2, 3)\n"
    analysis = find_torch_references(source)
    (ref,) = analysis.references
    plan = plan_fix(source.split("\n"), analysis, ref, CONV)
    assert [e.new_text for e in plan.edits] == [
        "mindspore.nn.Conv2d(1, 2, 3, has_bias=True, pad_mode='pad')",
        "import mindspore\n",
    ]
    assert plan.edits[1].span.line == 1
    already = "import mindspore\n" + source
    analysis = find_torch_references(already)
    plan = plan_fix(already.split("\n"), analysis, analysis.references[0], CONV)
    assert len(plan.edits) == 1


def test_method_to_attribute() -> None:
    shape = Target(api="mindspore.Tensor.shape", sources=("r2.4.10",), category="diff")
    assert rewrite_call("x.size()", shape, tensor_method=True).text == "x.shape"
    assert rewrite_call("y.size(0)", shape, tensor_method=True).text == "y.shape[0]"
    with pytest.raises(FixRefused):
        rewrite_call("y.size(dim=0)", shape, tensor_method=True)


def test_value_transform_and_argument_reference() -> None:
    bn = Target(
        api="mindspore.nn.BatchNorm2d",
        sources=("curated",),
        category="diff",
        value_transforms={"momentum": "1 - {}"},
        torch_params=("num_features", "eps", "momentum"),
        mindspore_params=("num_features", "eps", "momentum"),
    )
    assert rewrite_call("nn.BatchNorm2d(8, momentum=0.01)", bn).text == (
        "mindspore.nn.BatchNorm2d(8, momentum=1 - 0.01)"
    )
    assert rewrite_call("nn.BatchNorm2d(8, 1e-5, m)", bn).text == (
        "mindspore.nn.BatchNorm2d(8, 1e-5, 1 - m)"
    )
    with pytest.raises(FixRefused, match="None cannot be converted"):
        rewrite_call("nn.BatchNorm2d(8, momentum=None)", bn)
    conv = Target(
        api="mindspore.nn.Conv2d",
        sources=("curated",),
        category="diff",
        value_transforms={"padding": "pairs-to-sides"},
        torch_params=("in_channels", "out_channels", "kernel_size", "stride", "padding"),
        mindspore_params=("in_channels", "out_channels", "kernel_size", "stride", "pad_mode"),
    )
    assert rewrite_call("nn.Conv2d(3, 8, 3, padding=(1, 2))", conv).text == (
        "mindspore.nn.Conv2d(3, 8, 3, padding=(1, 1, 2, 2))"
    )
    assert rewrite_call("nn.Conv2d(3, 8, 3, 1, 1)", conv).text == (
        "mindspore.nn.Conv2d(3, 8, 3, 1, padding=1)"
    )
    with pytest.raises(FixRefused, match="one number or one per dimension"):
        rewrite_call("nn.Conv2d(3, 8, 3, padding=pad)", conv)
    gelu = Target(
        api="mindspore.nn.GELU",
        sources=("curated",),
        category="diff",
        value_transforms={"approximate": "{} == 'tanh'"},
        defaults={"approximate": "'none'"},
        torch_params=("approximate",),
        mindspore_params=("approximate",),
    )
    # the default written out goes through the same conversion as a passed value
    assert rewrite_call("nn.GELU()", gelu).text == "mindspore.nn.GELU(approximate=False)"
    assert rewrite_call("nn.GELU('tanh')", gelu).text == "mindspore.nn.GELU(True)"
    assert rewrite_call("nn.GELU(mode)", gelu).text == "mindspore.nn.GELU(mode == 'tanh')"
    pool = Target(
        api="mindspore.nn.MaxPool2d",
        sources=("curated",),
        category="diff",
        defaults={"stride": "{kernel_size}"},
        torch_params=("kernel_size", "stride", "padding"),
        mindspore_params=("kernel_size", "stride", "pad_mode", "padding"),
    )
    assert rewrite_call("nn.MaxPool2d(3)", pool).text == "mindspore.nn.MaxPool2d(3, stride=3)"
    assert rewrite_call("nn.MaxPool2d(kernel_size=2, stride=1)", pool).text == (
        "mindspore.nn.MaxPool2d(kernel_size=2, stride=1)"
    )


def test_torch_only_keyword_without_drop_rule_is_refused() -> None:
    loader = Target(
        api="mindspore.dataset.GeneratorDataset",
        sources=("r2.4.10",),
        category="diff",
        params=(ParamFact("batch_size", None, "torch-only", "1"),),
    )
    with pytest.raises(FixRefused, match="batch_size"):
        rewrite_call("DataLoader(ds, batch_size=8)", loader)


DIAG = Target(
    api="mindspore.ops.diag",
    sources=("r2.4.10",),
    category="diff",
    params=(ParamFact("diagonal", None, "torch-only", "0"),),
    drop_if_default=("diagonal",),
    torch_params=("input", "diagonal"),
    mindspore_params=("input",),
)


def test_positional_argument_without_counterpart_follows_the_keyword_rule() -> None:
    assert rewrite_call("torch.diag(x, 0)", DIAG).text == "mindspore.ops.diag(x)"
    assert rewrite_call("torch.diag(x, diagonal=0)", DIAG).text == "mindspore.ops.diag(x)"
    with pytest.raises(FixRefused, match="diagonal=2"):
        rewrite_call("torch.diag(x, 2)", DIAG)


LAYER_NORM = Target(
    api="mindspore.nn.LayerNorm",
    sources=("curated",),
    category="diff",
    params=(ParamFact("eps", "epsilon", "rename-differs", "1e-05", "1e-07"),),
    rename={"eps": "epsilon"},
    defaults={"eps": "1e-05"},
    value_transforms={"normalized_shape": "one-axis-shape"},
    torch_params=("normalized_shape", "eps"),
    mindspore_params=("normalized_shape", "begin_norm_axis"),
)


def test_one_axis_shape_becomes_a_tuple_and_several_axes_are_refused() -> None:
    assert rewrite_call("nn.LayerNorm(512)", LAYER_NORM).text == (
        "mindspore.nn.LayerNorm((512,), epsilon=1e-05)"
    )
    out = rewrite_call("nn.LayerNorm([64], 1e-6)", LAYER_NORM).text
    assert out == "mindspore.nn.LayerNorm((64,), epsilon=1e-6)"
    for shape in ("(4, 5)", "d_model"):
        with pytest.raises(FixRefused, match="one axis"):
            rewrite_call(f"nn.LayerNorm({shape})", LAYER_NORM)


def test_float_of_a_literal_is_written_as_the_float() -> None:
    gru = Target(
        api="mindspore.nn.GRU",
        sources=("curated",),
        category="diff",
        defaults={"dropout": "0"},
        value_transforms={"dropout": "float({})"},
        torch_params=("input_size", "hidden_size", "num_layers", "dropout"),
        mindspore_params=("input_size", "hidden_size", "num_layers", "dropout"),
    )
    assert rewrite_call("nn.GRU(4, 8)", gru).text == "mindspore.nn.GRU(4, 8, dropout=0.0)"
    assert rewrite_call("nn.GRU(4, 8, dropout=p)", gru).text == (
        "mindspore.nn.GRU(4, 8, dropout=float(p))"
    )


def test_unbiased_becomes_ddof_and_torchs_default_is_written_out() -> None:
    std = Target(
        api="mindspore.ops.std",
        sources=("curated",),
        category="diff",
        rename={"dim": "axis", "unbiased": "ddof"},
        value_transforms={"unbiased": "int({})"},
        defaults={"unbiased": "True"},
        torch_params=("input", "dim", "unbiased"),
        mindspore_params=("input", "axis", "ddof"),
    )
    assert rewrite_call("torch.std(x, 0)", std).text == "mindspore.ops.std(x, 0, ddof=1)"
    assert rewrite_call("torch.std(x, dim=0, unbiased=False)", std).text == (
        "mindspore.ops.std(x, axis=0, ddof=0)"
    )


EXPAND = Target(
    api="mindspore.Tensor.broadcast_to",
    sources=("curated",),
    category="diff",
    rename={"size": "shape"},
    value_transforms={"*": "pack-into-tuple"},
    torch_params=("size",),
    mindspore_params=("shape",),
)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("x.expand(2, 3)", "x.broadcast_to((2, 3))"),
        ("x.expand(b, -1, d)", "x.broadcast_to((b, -1, d))"),
        ("x.expand(7)", "x.broadcast_to((7,))"),
        ("x.expand((2, 3))", "x.broadcast_to((2, 3))"),
        ("x.expand(size=(5, 5))", "x.broadcast_to(shape=(5, 5))"),
    ],
)
def test_sizes_spread_over_arguments_are_packed_into_one_tuple(source: str, expected: str) -> None:
    assert rewrite_call(source, EXPAND, tensor_method=True).text == expected


def test_one_sized_name_is_ambiguous_and_refused() -> None:
    with pytest.raises(FixRefused, match="one size or a whole shape"):
        rewrite_call("x.expand(n)", EXPAND, tensor_method=True)


def test_inplace_is_dropped_unless_the_target_takes_it() -> None:
    relu6 = Target(api="mindspore.nn.ReLU6", sources=("r2.4.10",), category="param-count")
    assert rewrite_call("nn.ReLU6(inplace=True)", relu6).text == "mindspore.nn.ReLU6()"
    ops_relu = Target(
        api="mindspore.ops.relu",
        sources=("master",),
        category="consistent",
        torch_params=("input", "inplace"),
        mindspore_params=("input", "inplace"),
    )
    assert rewrite_call("F.relu(x, inplace=True)", ops_relu).text == (
        "mindspore.ops.relu(x, inplace=True)"
    )


def test_a_layer_called_with_only_inplace_is_fixable() -> None:
    from mapping_db.store import load_database
    from server.advice.assess import assess
    from server.analysis.findings import CallShape, Span, TorchReference

    span = Span(0, 0, 0, 20)
    ref = TorchReference("torch.nn.ReLU", span, "call", call=CallShape(span, 0, ("inplace",)))
    assessment = assess(ref, load_database(), "CPU")
    assert assessment is not None and assessment.fixable, assessment


def test_an_overload_that_leaves_out_the_leading_parameter_gets_its_default() -> None:
    """torch.randint(high, size) is randint(low=0, high, size): the data's first parameter
    has a default before parameters without one; the rewrite writes it where it was left out
    (MindSpore's randint has no such overload: `randint(10, (3,))` would bind low=10)."""
    from mapping_db.store import load_database

    target = next(
        t for t in load_database().get("torch.randint").targets if t.api == "mindspore.ops.randint"
    )
    cases = {
        "torch.randint(10, (3,))": "mindspore.ops.randint(0, 10, (3,))",
        "torch.randint(10, size=(3,))": "mindspore.ops.randint(0, 10, size=(3,))",
        "torch.randint(high=10, size=(3,))": "mindspore.ops.randint(0, high=10, size=(3,))",
        "torch.randint(2, 10, (3,))": "mindspore.ops.randint(2, 10, (3,))",
        "torch.randint(low=2, high=10, size=(3,))": (
            "mindspore.ops.randint(low=2, high=10, size=(3,))"
        ),
    }
    for source, expected in cases.items():
        assert rewrite_call(source, target).text == expected
