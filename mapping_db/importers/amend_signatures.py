"""Every signature a MindSpore API accepts, overloads included, for the amend importer.

Many `mindspore.Tensor` methods are C++ bound and overloaded: `inspect` cannot read them,
and their docstring opens with one signature line and lists the others as
`.. method:: Tensor.std(dim=None, *, correction=1, keepdim=False) -> Tensor` blocks. Each
signature is returned on its own (overloads == 1), so that the amend importer can pick the
one a torch call matches.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from mapping_db.importers.derived_signatures import (
    Sig,
    _doc_signature,
    _from_inspect,
    mindspore_signature,
)

_DIRECTIVE = re.compile(r"^\s*\.\.\s+(?:method|function|py:method|py:function)::\s+(.*)$")


def signature_lines(doc: str, name: str) -> list[str]:
    """Signature lines of `name` in a docstring: the leading run and `.. method::` ones."""
    found: list[str] = []
    body = doc.strip().splitlines()
    for line in body:
        if _doc_signature(line, name, skip_first=False) is None:
            break
        found.append(line.strip())
    for line in body:
        match = _DIRECTIVE.match(line)
        if match and _doc_signature(match.group(1), name, skip_first=False) is not None:
            found.append(match.group(1).strip())
    return list(dict.fromkeys(found))


def mindspore_overloads(obj: Any, name: str, is_method: bool) -> list[Sig]:
    """Each signature `obj` accepts, without `self` for a Tensor method."""
    if obj is None:
        return []
    if inspect.isclass(obj):
        sig = mindspore_signature(obj, name, is_method)
        return [sig] if sig is not None else []
    sigs: list[Sig] = []
    try:
        first = _from_inspect(inspect.signature(obj), skip_first=is_method)
        if not (first.varargs and not first.params):
            sigs.append(first)
    except (TypeError, ValueError):
        pass
    for line in signature_lines(getattr(obj, "__doc__", None) or "", name):
        sig = _doc_signature(line, name, skip_first=False)
        if sig is None:
            continue
        if is_method and sig.params[:1] == ["self"]:
            sig.params.pop(0)
            sig.positional = [p for p in sig.positional if p != "self"]
        sig.overloads = 1
        if not any(_same(sig, other) for other in sigs):
            sigs.append(sig)
    return sigs


def _same(a: Sig, b: Sig) -> bool:
    return (a.params, a.positional, a.defaults, a.varargs) == (
        b.params,
        b.positional,
        b.defaults,
        b.varargs,
    )
