"""Compliance findings with a fix (`p.data = v`, `p.data.add_(v)` -> `p.set_data(...)`):
the rule's own fixer (server.convert.pattern_fix) applied to the already converted code."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from server.analysis.findings import CallShape, Span, TorchReference
from server.convert.call_rewrite import FixRefused
from server.convert.file.text import code, expr
from server.convert.pattern_fix import plan_pattern_fix

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer

_DATA_INPLACE = "pattern:param-data-inplace"
_MODULE_HOOK = "pattern:module-hook"
# mindspore.nn.Cell has these with torch's signature (hook_fn, *, prepend, with_kwargs[,
# always_call]) and torch's hook arguments (cell, inputs[, output]); they run in PyNative mode.
_SAME_HOOKS = ("register_forward_hook", "register_forward_pre_hook")
_DATA_ASSIGN = "pattern:param-data-assign"


def _fixed_text(conv: FileTransformer, ref: TorchReference, text: str) -> str | None:
    """The rule's fix of `text` (the whole finding, as converted so far); None if refused."""
    lines = text.splitlines(keepends=True) or [""]
    last = lines[-1].rstrip("\n")
    span = Span(0, 0, len(lines) - 1, len(last))
    local = TorchReference(
        ref.qualified_name, span, ref.context, ref.confidence, CallShape(span, 0, ())
    )
    try:
        plan = plan_pattern_fix(lines, conv.ctx.analysis, local)
    except FixRefused:
        return None
    if len(plan.edits) != 1 or plan.edits[0].span != span:
        return None
    return plan.edits[0].new_text


def fix_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    hook = next((r for r in refs if r.qualified_name == _MODULE_HOOK), None)
    if hook is not None and isinstance(updated.func, cst.Attribute):
        if updated.func.attr.value in _SAME_HOOKS:
            conv.ctx.consume_patterns([hook])
            return updated
    ref = next((r for r in refs if r.qualified_name == _DATA_INPLACE), None)
    if ref is None:
        return None
    new = _fixed_text(conv, ref, code(updated))
    if new is None:
        return None
    conv.ctx.consume_patterns([ref])
    return expr(new)


def fix_statement(
    conv: FileTransformer, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
) -> cst.SimpleStatementLine | None:
    if len(updated.body) != 1 or not isinstance(updated.body[0], cst.Assign):
        return None
    line = conv.line(original)
    refs = [
        r
        for r in conv.ctx.patterns_by_line.get(line, [])
        if r.qualified_name == _DATA_ASSIGN and id(r) not in conv.ctx.consumed
    ]
    if not refs:
        return None
    new = _fixed_text(conv, refs[0], code(updated.body[0]))
    if new is None:
        return None
    conv.ctx.consume_patterns(refs[:1])
    statement = cst.parse_statement(new + "\n")
    assert isinstance(statement, cst.SimpleStatementLine)
    return statement.with_changes(
        leading_lines=updated.leading_lines, trailing_whitespace=updated.trailing_whitespace
    )
