"""Signatures of installed torch and mindspore APIs, as parameter names, order and defaults.

torch builtins have no `inspect` signature: we read the first line of their docstring
(`cumsum(input, dim, *, dtype=None, out=None) -> Tensor`) and fall back on the signature
lambdas of `torch.overrides.get_testing_overrides()`. Many mindspore Tensor methods and some
`mint` functions are C++ bound or take `(*args, **kwargs)`: their docstring opens with the
signature too. Several signature lines at the top mean overloads.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from mapping_db.importers.signatures import parse_signature


@dataclass(slots=True)
class Sig:
    params: list[str] = field(default_factory=list)  # every name, in order
    positional: list[str] = field(default_factory=list)  # those that can go by position
    defaults: dict[str, str] = field(default_factory=dict)
    varargs: bool = False  # takes *args (view(*shape)) or **kwargs
    overloads: int = 1


def _from_inspect(signature: inspect.Signature, skip_first: bool) -> Sig:
    sig = Sig()
    items = list(signature.parameters.values())
    if skip_first and items:
        items = items[1:]
    for p in items:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            sig.varargs = True
            continue
        sig.params.append(p.name)
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
            sig.positional.append(p.name)
        if p.default is not p.empty:
            sig.defaults[p.name] = _default_text(p.default)
    return sig


def _default_text(value: Any) -> str:
    if isinstance(value, type):
        return value.__name__
    text = repr(value)
    if text.startswith("<") or len(text) > 40:
        return type(value).__name__
    return text


_DOC_LINE = re.compile(r"^\s*(?:[\w.]+\.)?(\w+)\((.*)\)\s*(?:->.*)?$")


def _doc_signature(doc: str | None, name: str, skip_first: bool) -> Sig | None:
    """The signature lines a docstring opens with, when they name `name`."""
    lines: list[str] = []
    for line in (doc or "").strip().splitlines():
        match = _DOC_LINE.match(line)
        if match is None or match.group(1) != name:
            break
        lines.append(line)
    if not lines:
        return None
    parsed = parse_signature(lines[0])
    inner = lines[0][lines[0].find("(") + 1 :]
    if not parsed.names and re.match(r"\s*\*\w+\s*\)", inner):
        return Sig(varargs=True, overloads=len(lines))  # view(*shape)
    if not parsed.names and "()" not in lines[0].replace(" ", ""):
        return None
    sig = Sig(overloads=len(lines))
    sig.varargs = "*args" in inner or "**" in inner or re.search(r"\*\w", inner) is not None
    order = [n for n in re.findall(r"(\w+)\s*(?:[:=][^,]*)?(?:,|\))", inner) if n in parsed.names]
    sig.params = list(dict.fromkeys(order + sorted(parsed.names - set(order))))
    sig.positional = list(parsed.positional)
    sig.defaults = dict(parsed.defaults)
    if skip_first and sig.params and sig.params[0] in ("self", "input"):
        first = sig.params.pop(0)
        if first in sig.positional:
            sig.positional.remove(first)
    return sig


@cache
def _overrides() -> dict[Any, Any]:
    import torch.overrides

    return torch.overrides.get_testing_overrides()


def torch_signature(obj: Any, name: str, is_method: bool) -> Sig | None:
    """`obj`'s signature; for a Tensor method without `self`."""
    if inspect.isclass(obj):
        try:
            return _from_inspect(inspect.signature(obj.__init__), skip_first=True)
        except (TypeError, ValueError):
            return None
    try:
        sig = _from_inspect(inspect.signature(obj), skip_first=is_method)
        if not (sig.varargs and not sig.params):  # (*args, **kwargs): a dispatching wrapper
            return sig
    except (TypeError, ValueError):
        pass
    from_doc = _doc_signature(getattr(obj, "__doc__", None), name, skip_first=is_method)
    if from_doc is not None:
        return from_doc
    lam = _overrides().get(obj)
    if lam is None:
        return None
    sig = _from_inspect(inspect.signature(lam), skip_first=is_method)
    if "out" in sig.positional:  # the lambdas list `out` positionally; torch takes it by keyword
        sig.positional = sig.positional[: sig.positional.index("out")]
    return sig


def mindspore_signature(obj: Any, name: str, is_method: bool) -> Sig | None:
    """`obj`'s signature; for a Tensor method or a class without `self`."""
    if inspect.isclass(obj):
        try:
            return _from_inspect(inspect.signature(obj.__init__), skip_first=True)
        except (TypeError, ValueError):
            return None
    try:
        sig = _from_inspect(inspect.signature(obj), skip_first=is_method)
    except (TypeError, ValueError):
        sig = None
    if sig is not None and not (sig.varargs and not sig.params):
        return sig
    return _doc_signature(getattr(obj, "__doc__", None), name, skip_first=False)
