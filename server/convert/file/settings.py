"""Backend settings with a MindSpore counterpart: `torch.backends.*` switches written as
assignments (`cudnn.benchmark = True`), and questions about backends MindSpore does not have.

- `cudnn.deterministic = v` -> `mindspore.set_context(deterministic="ON"|"OFF")` (MindSpore's
  switch covers every kernel, cuDNN's included). Not `mindspore.set_deterministic(v)`: that one
  raises when called a second time, where torch's flag may be set again and again (a seeding
  helper called per run);
- `cudnn.benchmark = v` -> the three cuDNN convolution algorithm choices of
  `mindspore.device_context.gpu.op_tuning`: "performance" (try every algorithm and keep the
  fastest, what torch's benchmark mode does) or "normal" (the heuristic choice, torch's and
  MindSpore's default);
- `cuda.matmul.allow_tf32 = v` / `cudnn.allow_tf32 = v` ->
  `mindspore.device_context.gpu.op_precision.matmul_allow_tf32(v)` / `conv_allow_tf32(v)`
  (the defaults agree: off for matmul, on for convolutions);
- `torch.use_deterministic_algorithms(v)` -> `mindspore.set_context(deterministic=...)`, as
  `cudnn.deterministic` (torch also raises where an operation has no deterministic kernel;
  MindSpore's switch makes them all deterministic);
- `torch.backends.mps.is_available()` / `is_built()` -> `False`: MindSpore does not run on
  Apple GPUs, so a port takes the branch torch takes on a machine without one.

The GPU settings act on GPU only, as torch's act where cuDNN/cuBLAS run: the port calls them
under `if mindspore.get_context("device_target") == "GPU":` (on a CPU build of MindSpore the
GPU configuration functions fail when called a second time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from server.analysis.findings import TorchReference
from server.convert.file.text import code

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer

_GPU = "mindspore.device_context.gpu"
_DEVICE_TARGET = 'mindspore.get_context("device_target")'
_ALGOS = ("conv_fprop_algo", "conv_dgrad_algo", "conv_wgrad_algo")
_NO_BACKEND = {"torch.backends.mps.is_available", "torch.backends.mps.is_built"}


def _on_off(value: str) -> str:
    if value in ("True", "False"):
        return '"ON"' if value == "True" else '"OFF"'
    return f'"ON" if {value} else "OFF"'


def _benchmark(value: str) -> list[str]:
    if value in ("True", "False"):
        mode = '"performance"' if value == "True" else '"normal"'
    else:
        mode = f'"performance" if {value} else "normal"'
    return [f"{_GPU}.op_tuning.{algo}({mode})" for algo in _ALGOS]


_SETTINGS = {
    "torch.backends.cudnn.deterministic": lambda v: [
        f"mindspore.set_context(deterministic={_on_off(v)})"
    ],
    "torch.backends.cudnn.benchmark": _benchmark,
    "torch.backends.cuda.matmul.allow_tf32": lambda v: [
        f"{_GPU}.op_precision.matmul_allow_tf32({v})"
    ],
    "torch.backends.cudnn.allow_tf32": lambda v: [f"{_GPU}.op_precision.conv_allow_tf32({v})"],
}


def setting_target(conv: FileTransformer, statement: cst.SimpleStatementLine) -> str | None:
    """The torch setting this statement assigns (`cudnn.benchmark = True`), if it has a
    MindSpore counterpart here."""
    if len(statement.body) != 1 or not isinstance(statement.body[0], cst.Assign):
        return None
    assign = statement.body[0]
    if len(assign.targets) != 1:
        return None
    qualified = _dotted_name(conv, assign.targets[0].target)
    return qualified if qualified in _SETTINGS else None


def resolved_part(conv: FileTransformer, statement: cst.SimpleStatementLine) -> cst.CSTNode:
    """The part of the setting's target the analysis resolved (`cudnn` of `cudnn.benchmark`):
    the name conversion leaves it to the statement."""
    assign = statement.body[0]
    assert isinstance(assign, cst.Assign)
    node = assign.targets[0].target
    while conv.name_ref(node) is None and isinstance(node, cst.Attribute):
        node = node.value
    return node


def convert_statement(
    conv: FileTransformer, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
) -> cst.SimpleStatementLine | cst.If | None:
    """`<torch.backends setting> = value` as a whole statement: its MindSpore call(s)."""
    qualified = setting_target(conv, original)
    if qualified is None:
        return None
    new_assign = updated.body[0]
    assert isinstance(new_assign, cst.Assign)
    calls = _SETTINGS[qualified](code(new_assign.value))
    consume_line_patterns(conv, conv.line(original), "pattern:backends")
    statements = [
        cst.SimpleStatementLine(body=[cst.Expr(cst.parse_expression(call))]) for call in calls
    ]
    statements[-1] = statements[-1].with_changes(trailing_whitespace=updated.trailing_whitespace)
    if not calls[0].startswith(_GPU):
        return statements[0].with_changes(leading_lines=updated.leading_lines)
    guard = cst.parse_statement(f'if {_DEVICE_TARGET} == "GPU":\n    pass\n')
    assert isinstance(guard, cst.If)
    body = guard.body.with_changes(body=statements)
    return guard.with_changes(body=body, leading_lines=updated.leading_lines)


def _dotted_name(conv: FileTransformer, node: cst.BaseExpression) -> str | None:
    """`cudnn.benchmark` -> "torch.backends.cudnn.benchmark": the torch name the analysis
    resolved for the innermost part, with the attributes taken after it."""
    attrs: list[str] = []
    while True:
        ref = conv.name_ref(node)
        if ref is not None:
            return ".".join([ref.qualified_name, *reversed(attrs)])
        if not isinstance(node, cst.Attribute):
            return None
        attrs.append(node.attr.value)
        node = node.value


def convert_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    qualified = next((r.qualified_name for r in refs if r.context == "call"), None)
    if qualified == "torch.use_deterministic_algorithms":
        positional = [a for a in updated.args if a.keyword is None]
        others = {a.keyword.value for a in updated.args if a.keyword is not None}
        if len(positional) == 1 and not positional[0].star and others <= {"warn_only"}:
            value = _on_off(code(positional[0].value))
            return cst.parse_expression(f"mindspore.set_context(deterministic={value})")
        return None
    if qualified in _NO_BACKEND and not updated.args:
        consume_line_patterns(conv, conv.line(original), "pattern:backends")
        return cst.Name("False")
    return None


def consume_line_patterns(conv: FileTransformer, line: int, rule: str) -> None:
    """The compliance findings of this rule on this line (1-based) were taken care of."""
    found = [r for r in conv.ctx.patterns_by_line.get(line, []) if r.qualified_name == rule]
    conv.ctx.consume_patterns(found)
