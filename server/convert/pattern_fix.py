"""Quick fixes and scaffolds for compliance patterns (server.advice.compliance)."""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Sequence

from server.analysis.findings import AnalysisResult, Span, TorchReference
from server.convert.call_rewrite import FixRefused
from server.convert.quick_fix import FixPlan, TextEditPlan, text_in_span

# In-place tensor ops through `.data` and the expression that computes the new value.
_INPLACE = {"add_": "+", "sub_": "-", "mul_": "*", "div_": "/"}


def _parse_expr(source: str) -> ast.expr:
    try:
        return ast.parse(source.strip(), mode="eval").body
    except SyntaxError as exc:
        raise FixRefused(f"the code does not parse on its own: {exc.msg}") from exc


def _code(node: ast.AST, source: str) -> str:
    segment = ast.get_source_segment(source, node)
    if segment is None:
        raise FixRefused("cannot locate the code to rewrite")
    return segment


def plan_pattern_fix(
    lines: Sequence[str], analysis: AnalysisResult, ref: TorchReference
) -> FixPlan:
    rule = ref.qualified_name.removeprefix("pattern:")
    if ref.call is None:
        raise FixRefused("no code range recorded for this finding")
    span = ref.call.span
    source = text_in_span(lines, span)
    if rule == "param-data-assign":
        return _data_assign(source, span)
    if rule == "param-data-inplace":
        return _data_inplace(source, span)
    if rule == "device-move":
        return _device_move(source, span)
    if rule == "custom-autograd-function":
        return _autograd_scaffold(source, span, analysis)
    raise FixRefused(f"no automatic fix for {rule}")


def _data_assign(source: str, span: Span) -> FixPlan:
    try:
        statement = ast.parse(textwrap.dedent(source)).body[0]
    except (SyntaxError, IndexError) as exc:
        raise FixRefused("the assignment does not parse on its own") from exc
    text = textwrap.dedent(source)
    if not isinstance(statement, ast.Assign) or not isinstance(statement.targets[0], ast.Attribute):
        raise FixRefused("not a `.data = value` assignment")
    owner = _code(statement.targets[0].value, text)
    value = _code(statement.value, text)
    new = f"{owner}.set_data({value})"
    return FixPlan("mindport: use set_data", (TextEditPlan(span, new),))


def _data_inplace(source: str, span: Span) -> FixPlan:
    call = _parse_expr(source)
    if not (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and isinstance(call.func.value, ast.Attribute)
    ):
        raise FixRefused("not a `.data.<op>_()` call")
    text = source.strip()
    owner = _code(call.func.value.value, text)
    op = call.func.attr
    if call.keywords or len(call.args) != 1:
        raise FixRefused(f".data.{op}() with these arguments needs a manual port")
    arg = _code(call.args[0], text)
    if op == "copy_":
        new = f"{owner}.set_data({arg})"
    elif op in _INPLACE:
        new = f"{owner}.set_data({owner} {_INPLACE[op]} {arg})"
    else:
        raise FixRefused(f"no automatic port for .data.{op}()")
    return FixPlan("mindport: use set_data", (TextEditPlan(span, new),))


def _device_move(source: str, span: Span) -> FixPlan:
    call = _parse_expr(source)
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
        raise FixRefused("not a method call")
    extra = len(call.args) + len(call.keywords) - (1 if call.func.attr == "to" else 0)
    if call.func.attr == "cuda":
        extra = len(call.args) + sum(1 for k in call.keywords if k.arg != "non_blocking")
    if extra > 0:
        raise FixRefused("the call also converts dtype or passes options: port it by hand")
    receiver = _code(call.func.value, source.strip())
    return FixPlan(f"mindport: drop .{call.func.attr}(...)", (TextEditPlan(span, receiver),))


def _autograd_scaffold(source: str, span: Span, analysis: AnalysisResult) -> FixPlan:
    text = textwrap.dedent(source)
    try:
        cls = ast.parse(text).body[0]
    except (SyntaxError, IndexError) as exc:
        raise FixRefused("the class does not parse on its own") from exc
    if not isinstance(cls, ast.ClassDef):
        raise FixRefused("not a class")
    methods = {f.name: f for f in cls.body if isinstance(f, ast.FunctionDef)}
    inputs = _arg_names(methods.get("forward"))[1:] or ["*inputs"]  # drop ctx
    grads = ", ".join(f"d_{name.lstrip('*')}" for name in inputs)
    indent = " " * (len(source) - len(source.lstrip()))
    body = [
        f"class {cls.name}Cell(mindspore.nn.Cell):",
        f'    """MindSpore port of {cls.name}: forward -> construct, backward -> bprop."""',
        "",
        f"    def construct(self, {', '.join(inputs)}):",
        f'        raise NotImplementedError("port {cls.name}.forward here (without ctx)")',
        "",
        f"    def bprop(self, {', '.join(inputs)}, out, dout):",
        "        # return one gradient per construct input, in order",
        f'        raise NotImplementedError("port {cls.name}.backward here: return ({grads},)")',
    ]
    scaffold = "\n\n\n" + "\n".join(indent + line if line else "" for line in body) + "\n"
    end = Span(span.end_line, span.end_col, span.end_line, span.end_col)
    edits = [TextEditPlan(end, scaffold.rstrip("\n"))]
    if not analysis.imports_mindspore:
        at = analysis.import_insert_line
        edits.append(TextEditPlan(Span(at, 0, at, 0), "import mindspore\n"))
    return FixPlan(f"mindport: add a {cls.name}Cell scaffold (construct + bprop)", tuple(edits))


def _arg_names(func: ast.FunctionDef | None) -> list[str]:
    if func is None:
        return []
    args = func.args
    names = [a.arg for a in (*args.posonlyargs, *args.args)]
    if args.vararg:
        names.append("*" + args.vararg.arg)
    return names
