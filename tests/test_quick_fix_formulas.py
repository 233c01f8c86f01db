"""Quick fixes that write a verified workaround formula (server.advice.formula_fix): the formula
written for the verified call is the verified formula itself, other call forms compute torch's
result when run in both frameworks on CPU, and forms the formula does not stand for are
refused with the reason."""

from __future__ import annotations

import ast
from typing import Any

import numpy as np
import pytest

from mapping_db.store import load_database
from server.advice.assess import assess
from server.advice.formula_fix import formula_forms, usable_formula
from server.analysis.edits import FixRefused
from server.analysis.findings import CallShape, Span, TorchReference
from server.convert.formula_call import rewrite_with_formula

NORMALIZE = "torch.nn.functional.normalize"
LAYER_NORM = "torch.nn.functional.layer_norm"
SDPA = "torch.nn.functional.scaled_dot_product_attention"


def _same_code(a: str, b: str) -> bool:
    return ast.dump(ast.parse(a, mode="eval")) == ast.dump(ast.parse(b, mode="eval"))


@pytest.mark.parametrize("api", sorted(formula_forms()))
def test_the_fix_for_the_verified_call_is_the_verified_formula(api: str) -> None:
    form = formula_forms()[api]
    written = rewrite_with_formula(form.torch_call, form, mindspore_alias="ms").text
    # the data's formula names mindspore.ops `ops`; the fix spells it from the package
    assert _same_code(written, form.formula.replace("ops.", "ms.ops.")), written


def test_every_formula_with_a_fix_is_verified_equal_on_cpu() -> None:
    db = load_database()
    for api in formula_forms():
        entry = db.get(api)
        assert entry is not None
        usable = usable_formula(db, entry, "CPU")
        assert usable is not None, f"{api}: no verified formula the fix may write on CPU"
        assert usable.verdict.status == "equal"


# (api, torch call, input shapes): forms other than the verified one
FORMS: list[tuple[str, str]] = [
    (NORMALIZE, "F.normalize(x, dim=-1)"),
    (NORMALIZE, "F.normalize(x, 2, 0, 1e-6)"),
    (NORMALIZE, "F.normalize(x, p=2.0, dim=1)"),
    (LAYER_NORM, "F.layer_norm(x, (5,))"),
    (LAYER_NORM, "F.layer_norm(x, [4, 5])"),
    (LAYER_NORM, "F.layer_norm(x, w.shape, w, b, 1e-05)"),
    (LAYER_NORM, "F.layer_norm(x, (5,), weight=w, bias=None, eps=1e-3)"),
    (LAYER_NORM, "F.layer_norm(x, w.shape, w, n, 1e-05)"),
    (SDPA, "F.scaled_dot_product_attention(q, k, vv, is_causal=True)"),
    (SDPA, "F.scaled_dot_product_attention(q, k, vv, None, 0.0, True)"),
    (
        SDPA,
        "F.scaled_dot_product_attention(q, k, vv, attn_mask=None, dropout_p=0.0, is_causal=True)",
    ),
]


def _values() -> dict[str, np.ndarray | None]:
    rng = np.random.default_rng(1)
    return {
        "x": rng.standard_normal((3, 4, 5)).astype(np.float32),
        "w": rng.standard_normal((5,)).astype(np.float32),
        "b": rng.standard_normal((5,)).astype(np.float32),
        "q": rng.standard_normal((2, 2, 6, 8)).astype(np.float32),
        "k": rng.standard_normal((2, 2, 6, 8)).astype(np.float32),
        "vv": rng.standard_normal((2, 2, 6, 8)).astype(np.float32),
        "n": None,  # an optional bias that is None at run time (nanoGPT's bias=False)
    }


@pytest.mark.parametrize(("api", "call"), FORMS)
def test_other_forms_compute_torchs_result(api: str, call: str, mindspore_on_cpu) -> None:  # type: ignore[no-untyped-def]
    import torch
    import torch.nn.functional as F

    written = rewrite_with_formula(call, formula_forms()[api]).text
    values = _values()
    torch_values: dict[str, Any] = {
        k: None if v is None else torch.from_numpy(v) for k, v in values.items()
    }
    ms_values: dict[str, Any] = {
        k: None if v is None else mindspore_on_cpu.Tensor(v) for k, v in values.items()
    }
    expected = eval(call, {"F": F, "torch": torch}, torch_values).numpy()  # noqa: S307
    actual = eval(written, {"mindspore": mindspore_on_cpu}, ms_values).asnumpy()  # noqa: S307
    assert actual.shape == expected.shape and actual.dtype == expected.dtype, written
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-5, err_msg=written)


@pytest.mark.parametrize(
    ("api", "call", "why"),
    [
        (NORMALIZE, "F.normalize(x, p=1)", "stands for p=2 or 2.0 only"),
        (NORMALIZE, "F.normalize(self.proj(x), dim=-1)", "assign `self.proj(x)` to a name"),
        (NORMALIZE, "F.normalize(*args)", "*args"),
        (LAYER_NORM, "F.layer_norm(x, shape())", "normalized shape"),
        (SDPA, "F.scaled_dot_product_attention(q, k, v)", "is_causal=True only"),
        (SDPA, "F.scaled_dot_product_attention(q, k, v, mask, is_causal=True)", "attn_mask"),
        (
            SDPA,
            "F.scaled_dot_product_attention(q, k, v, dropout_p=self.p if self.training else 0,"
            " is_causal=True)",
            "dropout_p=0.0 only",
        ),
        (SDPA, "F.scaled_dot_product_attention(q, k, v, is_causal=True, foo=1)", "no `foo`"),
    ],
)
def test_forms_the_formula_does_not_cover_are_refused(api: str, call: str, why: str) -> None:
    with pytest.raises(FixRefused, match=None) as refused:
        rewrite_with_formula(call, formula_forms()[api])
    assert why in str(refused.value)


def test_a_keyword_the_formula_lacks_blocks_the_fix_in_the_assessment() -> None:
    db = load_database()
    span = Span(0, 0, 0, 10)
    plain = TorchReference(SDPA, span, "call", call=CallShape(span, 3, ("is_causal",)))
    assessment = assess(plain, db, "CPU")
    assert assessment is not None and assessment.fix_blocker is None
    foreign = TorchReference(SDPA, span, "call", call=CallShape(span, 3, ("enable_gqa", "foo")))
    assessment = assess(foreign, db, "CPU")
    assert assessment is not None and assessment.fix_blocker is not None
    assert "`foo`" in assessment.fix_blocker


def test_the_diagnostic_says_whether_the_quick_fix_writes_the_formula() -> None:
    db = load_database()
    span = Span(0, 0, 0, 10)
    causal = TorchReference(SDPA, span, "call", call=CallShape(span, 3, ("is_causal",)))
    assessment = assess(causal, db, "CPU")
    assert assessment is not None
    assert "the quick fix writes the formula verified on CPU" in assessment.message
    plain = TorchReference(SDPA, span, "call", call=CallShape(span, 3, ()))
    assessment = assess(plain, db, "CPU")
    assert assessment is not None and assessment.fix_blocker is not None
    assert "no quick fix: the verified formula stands for is_causal=True only" in (
        assessment.message
    )
    # six positional arguments pass is_causal: the values decide when the fix is made
    positional = TorchReference(SDPA, span, "call", call=CallShape(span, 6, ()))
    assessment = assess(positional, db, "CPU")
    assert assessment is not None and assessment.fix_blocker is None
