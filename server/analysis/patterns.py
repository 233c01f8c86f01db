"""Code patterns that need a different construct in MindSpore (not just another API name).

Pure checks on ast nodes; the analysis reports a match as a `pattern:<rule>` reference and
server.advice.compliance explains it.
"""

from __future__ import annotations

import ast

_MODULE_HOOKS = frozenset(
    {
        "register_forward_hook",
        "register_forward_pre_hook",
        "register_full_backward_hook",
        "register_full_backward_pre_hook",
        "register_backward_hook",
    }
)
_DEVICE_STRINGS = ("cuda", "cpu", "mps", "xpu", "npu")


def method_call_rule(call: ast.Call, func: ast.Attribute) -> str | None:
    """The compliance rule a method call matches, judged from the call alone."""
    name = func.attr
    if name in _MODULE_HOOKS:
        return "module-hook"
    if name == "register_hook":
        return "tensor-hook"
    if name in ("cuda", "cpu") and not call.args:
        return "device-move"
    if name == "to" and _moves_to_device(call):
        return "device-move"
    if (
        isinstance(func.value, ast.Attribute)
        and func.value.attr == "data"
        and name.endswith("_")
        and not name.startswith("_")
    ):
        return "param-data-inplace"
    return None


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


def is_data_assignment(target: ast.expr) -> bool:
    return isinstance(target, ast.Attribute) and target.attr == "data"
