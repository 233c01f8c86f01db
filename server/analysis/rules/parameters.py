"""Writes through `.data`: MindSpore Parameters are updated with `set_data`."""

from __future__ import annotations

import ast
import textwrap

from server.analysis.edits import FixPlan, FixRefused, TextEditPlan
from server.analysis.findings import AnalysisResult, Span
from server.analysis.rules.base import DOCS, Assignment, MethodCall, Rule
from server.analysis.rules.snippets import code_of, parse_expr

# In-place tensor ops through `.data` and the operator that computes the new value.
_INPLACE = {"add_": "+", "sub_": "-", "mul_": "*", "div_": "/"}


def _is_data_assignment(target: ast.expr) -> bool:
    return isinstance(target, ast.Attribute) and target.attr == "data"


def _is_data_inplace(call: ast.Call, func: ast.Attribute) -> bool:
    name = func.attr
    return (
        isinstance(func.value, ast.Attribute)
        and func.value.attr == "data"
        and name.endswith("_")
        and not name.startswith("_")
    )


def _data_assign(source: str, span: Span, analysis: AnalysisResult) -> FixPlan:
    try:
        statement = ast.parse(textwrap.dedent(source)).body[0]
    except (SyntaxError, IndexError) as exc:
        raise FixRefused("the assignment does not parse on its own") from exc
    text = textwrap.dedent(source)
    if not isinstance(statement, ast.Assign) or not isinstance(statement.targets[0], ast.Attribute):
        raise FixRefused("not a `.data = value` assignment")
    owner = code_of(statement.targets[0].value, text)
    value = code_of(statement.value, text)
    new = f"{owner}.set_data({value})"
    return FixPlan("mindport: use set_data", (TextEditPlan(span, new),))


def _data_inplace(source: str, span: Span, analysis: AnalysisResult) -> FixPlan:
    call = parse_expr(source)
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Attribute)
    ):
        raise FixRefused("not a `.data.<op>_()` call")
    text = source.strip()
    owner = code_of(call.func.value.value, text)
    op = call.func.attr
    if call.keywords or len(call.args) != 1:
        raise FixRefused(f".data.{op}() with these arguments needs a manual port")
    arg = code_of(call.args[0], text)
    if op == "copy_":
        new = f"{owner}.set_data({arg})"
    elif op in _INPLACE:
        atom = ast.Name | ast.Attribute | ast.Call | ast.Subscript | ast.Constant
        operand = arg if isinstance(call.args[0], atom) else f"({arg})"  # `mul_(1 - tau)`
        new = f"{owner}.set_data({owner} {_INPLACE[op]} {operand})"
    else:
        raise FixRefused(f"no automatic port for .data.{op}()")
    return FixPlan("mindport: use set_data", (TextEditPlan(span, new),))


RULES = (
    Rule(
        "param-data-assign",
        "parameters",
        "assignment to .data",
        "MindSpore Parameters are updated with param.set_data(value) (or ops.assign inside "
        "a graph); `.data` is not a writable alias of the storage.",
        f"{DOCS}/api_python/mindspore/mindspore.Parameter.html",
        Assignment(_is_data_assignment),
        fix=_data_assign,
    ),
    Rule(
        "param-data-inplace",
        "parameters",
        "in-place update through .data",
        "In-place updates of a parameter's storage become param.set_data(new_value), or "
        "mindspore.ops.assign / assign_add inside a graph.",
        f"{DOCS}/api_python/mindspore/mindspore.Parameter.html",
        # `.data.<op>_()` is an in-place update of a tensor's storage, whatever owns it
        MethodCall(_is_data_inplace, tensor_receiver=True),
        fix=_data_inplace,
    ),
)
