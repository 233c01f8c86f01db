"""Translate one torch constructor call's arguments into the MindSpore target's, at run time.

The translation is the quick fix's own (server.convert.call_rewrite.rewrite_call): the torch
call is written out as source text, every literal argument as itself and every other value
(tensors, parameter lists, optimizers) as a placeholder name; the quick fix rewrites that text
and the rewritten arguments are evaluated with the placeholders bound to converted values. So
what is verified is exactly the call a user gets from the quick fix: positional arguments
moved to keywords where the signatures part ways, renames, written-out defaults, set_args,
drops and value transforms such as BatchNorm's `1 - momentum`.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from mapping_db.model import Target


class Refused(Exception):
    """The quick fix would not rewrite this call; the message is its reason."""


def literal_source(value: Any) -> str | None:
    """Source text for a value the quick fix should see as written, or None."""
    if value is None or isinstance(value, bool | int | str):
        return repr(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None
    if type(value) in (tuple, list) or type(value).__name__ == "Size":
        parts = [literal_source(v) for v in value]
        if any(p is None for p in parts):
            return None
        if type(value) is list:
            return "[" + ", ".join(parts) + "]"  # type: ignore[arg-type]
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"  # type: ignore
    return None


def rewritten_source(
    target: Target, args: Sequence[Any], kwargs: Mapping[str, Any], torch_name: str = "torch_api"
) -> tuple[str, dict[str, Any]]:
    """The quick fix's text for `torch_name(*args, **kwargs)` and the placeholders it uses
    (name -> the torch value). Raises Refused where the quick fix refuses."""
    from server.convert.call_rewrite import FixRefused, rewrite_call

    bound: dict[str, Any] = {}

    def source(value: Any) -> str:
        text = literal_source(value)
        if text is not None:
            return text
        name = f"_v{len(bound)}"
        bound[name] = value
        return name

    parts = [source(v) for v in args] + [f"{k}={source(v)}" for k, v in kwargs.items()]
    text = f"{torch_name}({', '.join(parts)})"
    try:
        return rewrite_call(text, target).text, bound
    except FixRefused as exc:
        raise Refused(str(exc)) from exc


def translate_call(
    target: Target,
    args: Sequence[Any],
    kwargs: Mapping[str, Any],
    convert: Callable[[Any], Any] | None = None,
) -> tuple[list[Any], dict[str, Any]]:
    """The MindSpore arguments the quick fix writes for a torch call with `args`/`kwargs`.

    Literal values (numbers, strings, tuples of them, None) are evaluated from the rewritten
    text, so value transforms apply to them; any other value is passed through `convert`
    (default: compare.torch_to_mindspore, torch tensors become mindspore tensors). Raises
    Refused where the quick fix refuses the call (an unsupported value, a torch-only keyword).
    """
    import mindspore

    from server.runner.verify.compare import torch_to_mindspore

    convert = convert or torch_to_mindspore
    text, bound = rewritten_source(target, args, kwargs)
    namespace: dict[str, Any] = {"mindspore": mindspore}
    namespace.update({name: convert(value) for name, value in bound.items()})
    tree = ast.parse(text, mode="eval").body
    if not isinstance(tree, ast.Call):
        raise Refused(f"the quick fix did not write a call: {text}")
    return evaluate_arguments(tree, namespace)


def evaluate_arguments(
    tree: ast.Call, namespace: dict[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    """The positional and keyword values of a rewritten call, evaluated in `namespace`."""
    args: list[Any] = []
    for node in tree.args:
        if isinstance(node, ast.Starred):
            raise Refused("the rewritten call unpacks *args")
        args.append(evaluate(node, namespace))
    kwargs: dict[str, Any] = {}
    for keyword in tree.keywords:
        if keyword.arg is None:
            raise Refused("the rewritten call unpacks **kwargs")
        kwargs[keyword.arg] = evaluate(keyword.value, namespace)
    return args, kwargs


def evaluate(node: ast.expr, namespace: dict[str, Any]) -> Any:
    code = compile(ast.Expression(node), "<rewritten call>", "eval")
    return eval(code, namespace)  # noqa: S307 - our own rewrite of our own placeholders
