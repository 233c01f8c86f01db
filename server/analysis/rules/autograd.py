"""Custom `torch.autograd.Function` subclasses: a Cell with `construct` and `bprop`."""

from __future__ import annotations

import ast
import textwrap

from server.analysis.edits import FixPlan, FixRefused, TextEditPlan
from server.analysis.findings import AnalysisResult, Span
from server.analysis.rules.base import DOCS, ClassBase, Rule


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


RULES = (
    Rule(
        "custom-autograd-function",
        "autograd",
        "custom torch.autograd.Function",
        "Port it as a mindspore.nn.Cell: forward becomes construct, backward becomes a "
        "`bprop(self, *inputs, out, dout)` method returning one gradient per input; for a "
        "hand-written kernel use mindspore.ops.Custom.",
        f"{DOCS}/api_python/nn/mindspore.nn.Cell.html",
        ClassBase("torch.autograd.Function"),
        fix=_autograd_scaffold,
    ),
)
