"""Module and tensor hooks: MindSpore has them in PyNative mode only."""

from __future__ import annotations

import ast

from server.analysis.rules.base import DOCS, MethodCall, Rule

_MODULE_HOOKS = frozenset(
    {
        "register_forward_hook",
        "register_forward_pre_hook",
        "register_full_backward_hook",
        "register_full_backward_pre_hook",
        "register_backward_hook",
    }
)


def _module_hook(call: ast.Call, func: ast.Attribute) -> bool:
    return func.attr in _MODULE_HOOKS


def _tensor_hook(call: ast.Call, func: ast.Attribute) -> bool:
    return func.attr == "register_hook"


RULES = (
    Rule(
        "module-hook",
        "hooks",
        "module hook",
        "mindspore.nn.Cell has register_forward_pre_hook, register_forward_hook and "
        "register_backward_hook; they run in PyNative mode only, not under mindspore.jit.",
        f"{DOCS}/api_python/nn/mindspore.nn.Cell.html",
        MethodCall(_module_hook),
    ),
    Rule(
        "tensor-hook",
        "hooks",
        "tensor hook",
        "mindspore.Tensor.register_hook exists for gradients in PyNative mode only; in graph "
        "mode use mindspore.ops.HookBackward or restructure with a Cell's bprop.",
        f"{DOCS}/api_python/mindspore/Tensor/mindspore.Tensor.register_hook.html",
        MethodCall(_tensor_hook),
    ),
)
