"""Devices: per-tensor moves, `torch.cuda` and `torch.backends` have no MindSpore counterpart.

MindSpore runs the whole process on the device chosen with `mindspore.set_device`.
"""

from __future__ import annotations

import ast

from server.analysis.edits import FixPlan, FixRefused, TextEditPlan
from server.analysis.findings import AnalysisResult, Span
from server.analysis.rules.base import DOCS, MethodCall, Rule, TorchNames
from server.analysis.rules.snippets import code_of, parse_expr

_DEVICE_STRINGS = ("cuda", "cpu", "mps", "xpu", "npu")


def _is_device_move(call: ast.Call, func: ast.Attribute) -> bool:
    name = func.attr
    if name in ("cuda", "cpu") and not call.args:
        return True
    return name == "to" and _moves_to_device(call)


def _moves_to_device(call: ast.Call) -> bool:
    candidates = list(call.args[:1]) + [k.value for k in call.keywords if k.arg == "device"]
    return any(_looks_like_device(node) for node in candidates)


def _looks_like_device(node: ast.expr) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.split(":")[0] in _DEVICE_STRINGS
    if isinstance(node, ast.Name):
        return "device" in node.id.lower() or node.id.lower() in ("dev", "gpu")
    if isinstance(node, ast.Attribute):
        return node.attr == "device" or "device" in node.attr.lower()
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name == "device"
    return False


def _drop_device_move(source: str, span: Span, analysis: AnalysisResult) -> FixPlan:
    call = parse_expr(source)
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
        raise FixRefused("not a method call")
    extra = len(call.args) + len(call.keywords) - (1 if call.func.attr == "to" else 0)
    if call.func.attr == "cuda":
        extra = len(call.args) + sum(1 for k in call.keywords if k.arg != "non_blocking")
    if extra > 0:
        raise FixRefused("the call also converts dtype or passes options: port it by hand")
    receiver = code_of(call.func.value, source.strip())
    return FixPlan(f"mindport: drop .{call.func.attr}(...)", (TextEditPlan(span, receiver),))


RULES = (
    Rule(
        "device-move",
        "device",
        "moving a model or tensor between devices",
        "MindSpore has no per-tensor device moves: the process runs on the device chosen "
        "with mindspore.set_device('CPU' | 'GPU' | 'Ascend'). Drop .cuda(), .cpu() and "
        ".to(device).",
        f"{DOCS}/api_python/mindspore/mindspore.set_device.html",
        MethodCall(_is_device_move),
        fix=_drop_device_move,
    ),
    Rule(
        "cuda",
        "device",
        "torch.cuda API",
        "CUDA queries and settings have no counterpart: choose the device with "
        "mindspore.set_device, and memory stats with mindspore.runtime (2.3+).",
        f"{DOCS}/api_python/mindspore/mindspore.set_device.html",
        TorchNames((("torch.cuda", False),)),
    ),
    Rule(
        "backends",
        "device",
        "torch.backends setting",
        "cuDNN/MKL switches have no counterpart; for reproducible runs use "
        "mindspore.set_deterministic(True) and mindspore.set_seed.",
        f"{DOCS}/api_python/mindspore/mindspore.set_deterministic.html",
        TorchNames((("torch.backends", False),)),
    ),
)
