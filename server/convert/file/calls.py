"""Calls and names through the quick-fix engine (server.convert.call_rewrite): what the quick
fix writes for one call is what the file conversion writes for every call. Where no target of
a call's entry runs on the device, the entry's workaround formula verified equal there
(server.advice.formula_fix) is written the way the quick fix writes it
(server.convert.formula_call); a form the formula does not stand for keeps a marker that says
why."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from mapping_db.model import DROPPED_AT_DEFAULT
from server.advice.assess import Assessment
from server.advice.formula_fix import usable_formula
from server.analysis.findings import TorchReference
from server.convert.call_rewrite import FixRefused, rewrite_call, rewrite_name
from server.convert.file import distributions, utilities
from server.convert.file.adapters import class_value
from server.convert.file.context import category_of
from server.convert.file.evidence import with_shape_evidence
from server.convert.file.kernels import IS_CUDA, prepare_interpolate
from server.convert.file.text import expr
from server.convert.formula_call import rewrite_with_formula

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _reason(message: str) -> str:
    return message.rstrip(".")


def convert_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    ref = next((r for r in refs if r.context in ("call", "tensor-method")), None)
    if ref is None:
        return updated
    if not conv.fixes_only:  # rules that write a helper into the port
        special = distributions.convert_call(conv, original, updated, refs)
        special = special or utilities.convert_call(conv, original, updated, refs)
        if special is not None:
            return special
    assessment = conv.ctx.assess(ref)
    if assessment is None:
        return updated
    category = category_of(ref.qualified_name)
    target = assessment.target
    if target is None:
        try:
            formula = formula_call(conv, ref, assessment, updated)
        except FixRefused as exc:  # the formula does not stand for this call: say why
            reason = _no_target_reason(assessment.message, ref)
            conv.mark(original, f"{reason}; {_reason(str(exc))}", category)
            return updated
        if formula is None:
            conv.mark(original, _no_target_reason(assessment.message, ref), category)
        return updated if formula is None else formula
    if assessment.fix_blocker is not None:
        conv.mark(original, _reason(assessment.fix_blocker), category)
        return updated
    prepared = prepare_interpolate(updated, ref.qualified_name, conv.ctx.device)
    source = _call_source(with_shape_evidence(prepared, target, conv.int_names()), updated)
    try:
        rewrite = rewrite_call(source, target, tensor_method=ref.context == "tensor-method")
    except FixRefused as exc:
        conv.mark(original, _reason(str(exc)), category)
        return updated
    return _keep_parentheses(expr(rewrite.text), updated)


def formula_call(
    conv: FileTransformer, ref: TorchReference, assessment: Assessment, updated: cst.Call
) -> cst.BaseExpression | None:
    """The call written as its entry's workaround formula verified equal on the device, as the
    quick fix writes it (server.convert.quick_fix.plan_formula_fix); None when the entry has no
    such formula. Raises FixRefused with the reason when the formula does not stand for the
    call's form or values."""
    entry = assessment.entry
    usable = usable_formula(conv.ctx.db, entry, conv.ctx.device) if entry is not None else None
    if usable is None:
        return None
    if ref.context != "call":
        raise FixRefused("the workaround formula replaces calls only")
    rewrite = rewrite_with_formula(_call_source(updated, updated), usable.form)
    return _keep_parentheses(expr(rewrite.text), updated)


def _call_source(call: cst.Call, updated: cst.Call) -> str:
    source = _code(call)
    if "\n" in source and not updated.lpar:
        source = f"({source})"  # a call broken over lines parses on its own in parentheses
    return source


def _keep_parentheses(new: cst.BaseExpression, updated: cst.Call) -> cst.BaseExpression:
    """`new`, with the call's own parentheses if it had any."""
    return new.with_changes(lpar=updated.lpar, rpar=updated.rpar) if updated.lpar else new


# torch values a call's keyword holds at its default (`memory_format=torch.preserve_format`):
# the call's rewrite drops the keyword with its value; where it does not, the port still holds
# the name and the residue pass marks it.
_DEFAULT_VALUES = frozenset(v for v in DROPPED_AT_DEFAULT.values() if v.startswith("torch."))


def _no_target_reason(message: str, ref: TorchReference) -> str:
    name = ref.qualified_name.removeprefix("torch.Tensor.")
    if "no MindSpore equivalent" in message:
        return f"{name} has no MindSpore equivalent"
    if "not in the mapping database" in message:
        return f"{name} is not in the mapping database"
    text = message.split(": ", 1)[-1]
    return _reason(shortened(text.split(". ", 1)[0]))


MARKER_TEXT_LIMIT = 160


def shortened(text: str, limit: int = MARKER_TEXT_LIMIT) -> str:
    """`text` cut to fit a marker comment: at a word's end, with "…" saying it goes on (the
    hover and `mindport scan` give the whole note)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:(-")
    return cut + "…"


def convert_name(
    conv: FileTransformer,
    original: cst.BaseExpression,
    updated: cst.BaseExpression,
    ref: TorchReference,
) -> cst.BaseExpression:
    """A base class, an annotation, a name used as a value (`isinstance(m, nn.Conv2d)`)."""
    from server.convert.file import data, device, structure

    special = (
        (None if conv.fixes_only else distributions.convert_name(conv, original, ref))
        or structure.convert_name(conv, original, updated, ref)
        or data.convert_name(conv, original, updated, ref)
        or device.convert_name(conv, original, updated, ref)
    )
    if special is not None:
        return special
    if ref.context == "tensor-method" and ref.qualified_name == IS_CUDA and not conv.fixes_only:
        return updated  # the whole `x.is_cuda` is rewritten (kernels.tensor_attribute)
    assessment = conv.ctx.assess(ref)
    if assessment is None:
        return updated
    category = category_of(ref.qualified_name)
    if assessment.target is None and ref.qualified_name in _DEFAULT_VALUES:
        return updated
    if assessment.target is None:
        conv.mark(original, _no_target_reason(assessment.message, ref), category)
        return updated
    if ref.context == "tensor-method":  # an attribute of a tensor (`x.shape`, `x.T`)
        api = assessment.target.api
        if not api.startswith("mindspore.Tensor.") or not isinstance(updated, cst.Name):
            conv.mark(original, f"{api} for a tensor attribute needs a manual port", category)
            return updated
        return updated.with_changes(value=api.rsplit(".", 1)[1])
    try:
        if ref.context == "reference" and not conv.in_type_check and _is_class(ref):
            text, helper = class_value(assessment.target, ref.qualified_name)
            if helper is not None:
                conv.ctx.helpers.add(helper)
            return expr(text)
        rewrite = rewrite_name(assessment.target)
    except FixRefused as exc:
        conv.mark(original, _reason(str(exc)), category)
        return updated
    return expr(rewrite.text)


def _is_class(ref: TorchReference) -> bool:
    last = ref.qualified_name.rsplit(".", 1)[-1]
    return ref.qualified_name.startswith("torch.nn.") and last[:1].isupper()
