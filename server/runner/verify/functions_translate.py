"""Translate one torch call into the MindSpore call the quick fix writes, ready to run.

The call is written as source text, every argument a literal (so the quick fix sees
`out=None` or `dim=1` as written) or a placeholder name; server.convert.call_rewrite rewrites
it; the rewritten text is evaluated with the placeholders bound to the same values converted
to mindspore. A verified target is therefore verified for exactly the call the quick fix writes.
"""

from __future__ import annotations

import ast
import inspect
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mapping_db.model import Entry, Target
from server.runner.verify.compare import torch_to_mindspore
from server.runner.verify.functions_cases import TorchCall, is_attribute
from server.runner.verify.modules_translate import Refused, evaluate, evaluate_arguments

__all__ = ["MindSporeCall", "Refused", "translate"]


@dataclass
class MindSporeCall:
    text: str  # the quick fix's rewrite, with placeholders for non-literal values
    thunk: Callable[[], Any]
    receiver: Any = None  # a method's receiver as converted: what an in-place call changes

    def __call__(self) -> Any:
        return self.thunk()


def _literal(value: Any) -> str | None:
    """Source text for a value the quick fix should see as written, or None."""
    import torch

    if value is None or isinstance(value, bool | int | str):
        return repr(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None
    if type(value) in (tuple, list, torch.Size):
        parts = [_literal(v) for v in value]
        if any(p is None for p in parts):
            return None
        if type(value) is list:
            return "[" + ", ".join(parts) + "]"  # type: ignore[arg-type]
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"  # type: ignore
    return None


def translate(entry: Entry, target: Target, call: TorchCall) -> MindSporeCall:
    """The MindSpore call the quick fix writes for `call`, ready to run on converted values.
    Raises Refused when the quick fix refuses the call."""
    import mindspore

    from server.convert.call_rewrite import FixRefused, rewrite_call

    if is_attribute(entry):
        return _translate_attribute(target, call)
    bound: dict[str, Any] = {}

    def source(value: Any) -> str:
        text = _literal(value)
        if text is not None:
            return text
        name = f"_v{len(bound)}"
        bound[name] = value
        return name

    parts = [source(v) for v in call.args] + [f"{k}={source(v)}" for k, v in call.kwargs.items()]
    if entry.is_tensor_method:
        bound["_self"] = call.receiver
        func_text = "_self." + entry.torch_api.rsplit(".", 1)[1]
    else:
        func_text = entry.torch_api
    text = f"{func_text}({', '.join(parts)})"
    try:
        rewritten = rewrite_call(text, target, tensor_method=entry.is_tensor_method).text
    except FixRefused as exc:
        raise Refused(str(exc)) from exc
    namespace: dict[str, Any] = {"mindspore": mindspore}
    namespace.update({name: torch_to_mindspore(value) for name, value in bound.items()})
    tree = ast.parse(rewritten, mode="eval").body
    # the tensor an in-place call changes: a method's receiver, else the first argument
    if call.args:
        first = parts[0]
    elif "input" in call.kwargs:
        first = parts[list(call.kwargs).index("input")].split("=", 1)[1]
    else:
        first = ""
    receiver = namespace.get("_self") if entry.is_tensor_method else namespace.get(first)
    if not isinstance(tree, ast.Call) or "return" in target.value_transforms:
        # an expression around the call (a cast of its result): evaluated as written
        return MindSporeCall(rewritten, lambda: evaluate(tree, namespace), receiver)
    func = _callable(evaluate(tree.func, namespace), target)
    args, kwargs = evaluate_arguments(tree, namespace)
    return MindSporeCall(rewritten, lambda: func(*args, **kwargs), receiver)


def _translate_attribute(target: Target, call: TorchCall) -> MindSporeCall:
    import mindspore

    if call.args or call.kwargs:
        raise Refused("an attribute takes no arguments")
    if not target.api.startswith("mindspore.Tensor."):
        raise Refused(f"{target.api} is not a Tensor attribute")
    name = target.api.rsplit(".", 1)[1]
    if not inspect.isdatadescriptor(getattr(mindspore.Tensor, name, None)):
        raise Refused(f"{target.api} is a method where torch has an attribute")
    receiver = torch_to_mindspore(call.receiver)
    return MindSporeCall(f"_self.{name}", lambda: getattr(receiver, name))


def _callable(func: Any, target: Target) -> Callable[..., Any]:
    """A Primitive class is instantiated first; other classes cannot be called as functions."""
    import mindspore

    if inspect.isclass(func):
        if issubclass(func, mindspore.ops.Primitive):
            try:
                return func()
            except TypeError as exc:
                raise Refused(f"{target.api} needs constructor arguments: {exc}") from exc
        if issubclass(func, mindspore.nn.Cell):
            raise Refused(f"{target.api} is a Cell class, not a function")
    if not callable(func):
        raise Refused(f"{target.api} is not callable")
    return func
