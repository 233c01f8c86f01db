"""`torch.einsum` on CPU, where MindSpore 2.10 has no einsum kernel: a two-operand
contraction written as broadcasting and a sum (each operand permuted into the order of all
its letters, given new axes for the letters it lacks, multiplied, summed over the letters the
output drops, then permuted into the output's order). Same result; more memory than a matmul."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from server.analysis.findings import TorchReference
from server.convert.file.text import expr

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def contraction(equation: str, a: str, b: str) -> str | None:
    """The broadcasting expression for `einsum(equation, a, b)`; None when the equation is
    outside what this writes (ellipses, a letter twice in one operand, implicit output)."""
    equation = equation.replace(" ", "")
    if "->" not in equation or "..." in equation:
        return None
    inputs, output = equation.split("->")
    parts = inputs.split(",")
    if len(parts) != 2:
        return None
    left, right = parts
    if any(len(set(p)) != len(p) for p in (left, right, output)):
        return None
    if not set(output) <= set(left) | set(right):
        return None
    order = list(dict.fromkeys(left + right))
    if not all(ch.isalpha() for ch in order):
        return None
    summed = [i for i, ch in enumerate(order) if ch not in output]
    kept = [ch for ch in order if ch in output]
    text = f"({_aligned(a, left, order)} * {_aligned(b, right, order)})"
    if summed:
        axes = ", ".join(str(i) for i in summed)
        text = f"{text}.sum(axis=({axes},))" if len(summed) == 1 else f"{text}.sum(axis=({axes}))"
    permutation = [kept.index(ch) for ch in output]
    if permutation != list(range(len(output))):
        text = f"{text}.permute({', '.join(map(str, permutation))})"
    return text


def _aligned(name: str, letters: str, order: list[str]) -> str:
    present = [ch for ch in order if ch in letters]
    permutation = [letters.index(ch) for ch in present]
    text = name
    if permutation != list(range(len(letters))):
        text = f"{text}.permute({', '.join(map(str, permutation))})"
    if len(present) == len(order):
        return text
    index = ", ".join(":" if ch in letters else "None" for ch in order)
    return f"{text}[{index}]"


def convert_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    from server.convert.file.transformer import Unconvertible

    ref = next((r for r in refs if r.qualified_name == "torch.einsum"), None)
    if ref is None or conv.ctx.device != "CPU":
        return None
    args = updated.args
    if len(args) != 3 or any(a.keyword or a.star for a in args):
        raise Unconvertible("einsum: MindSpore has no CPU kernel; only two operands convert")
    equation = args[0].value
    if not isinstance(equation, cst.SimpleString) or not isinstance(equation.evaluated_value, str):
        raise Unconvertible("einsum: MindSpore has no CPU kernel; the equation must be a literal")
    a, b = (_code(arg.value) for arg in args[1:])
    simple = all(isinstance(arg.value, cst.Name | cst.Attribute) for arg in args[1:])
    if not simple:
        a, b = f"({a})", f"({b})"
    written = contraction(equation.evaluated_value, a, b)
    if written is None:
        raise Unconvertible(
            "einsum: MindSpore has no CPU kernel; this equation needs a manual port"
        )
    return expr(written)
