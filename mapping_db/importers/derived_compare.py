"""Compare a torch signature with a mindspore one: parameter facts, fix fields, category.

Fix fields (rename, defaults, drop_if_default, torch_params/mindspore_params) are filled
only when the comparison makes them certain: every parameter is shared by name, renamed in
one of the ways the official tables use for many APIs (input/x, dim/axis, keepdim/keepdims,
groups/group) at the same position, a torch-only parameter the official tables list as a
general difference (out, device, inplace, ...), or a MindSpore extra that has a default.
Anything else is recorded as a fact a quick fix refuses on.
"""

from __future__ import annotations

from typing import Any

from mapping_db.importers.derived_signatures import Sig

# torch parameters the official tables treat as general differences (not per-API ones).
GENERAL_TORCH_ONLY = frozenset(
    "out layout device requires_grad pin_memory memory_format stable sparse_grad size_average "
    "reduce inplace".split()
)
# Renames the official tables apply to many APIs, as (torch, mindspore).
GENERIC_RENAMES = frozenset(
    {
        ("input", "x"),
        ("input", "input_x"),
        ("input", "tensor"),
        ("dim", "axis"),
        ("keepdim", "keepdims"),
        ("keepdim", "keep_dims"),
        ("groups", "group"),
    }
)

_CERTAIN = {"rename", "default"}


def _fact(kind: str, torch: str | None, ms: str | None, t: Sig, m: Sig) -> dict[str, str]:
    fact: dict[str, str] = {}
    if torch is not None:
        fact["torch"] = torch
    if ms is not None:
        fact["mindspore"] = ms
    fact["kind"] = kind
    if torch is not None and torch in t.defaults:
        fact["torch_default"] = t.defaults[torch]
    if ms is not None and ms in m.defaults:
        fact["mindspore_default"] = m.defaults[ms]
    return fact


def _pairs(t: Sig, m: Sig) -> dict[str, str]:
    """torch name -> mindspore name for parameters that differ in name only by position."""
    shared = set(t.params) & set(m.params)
    pairs: dict[str, str] = {}
    for index, name in enumerate(t.positional):
        if name in shared or index >= len(m.positional):
            continue
        other = m.positional[index]
        if other not in shared and other not in pairs.values():
            pairs[name] = other
    for name in t.params:  # keyword-only renames the tables use everywhere
        for tn, mn in GENERIC_RENAMES:
            if name == tn and name not in pairs and mn in m.params and mn not in shared:
                if mn not in pairs.values():
                    pairs[name] = mn
    return pairs


def _same_value(a: str, b: str) -> bool:
    """Defaults as source text: `2` and `2.0` are the same default (MindSpore often insists on
    the float; writing torch's int out would only break the call)."""
    if a == b:
        return True
    try:
        x, y = float(a), float(b)
    except ValueError:
        return False
    return x == y and "True" not in (a, b) and "False" not in (a, b)


def param_facts(t: Sig, m: Sig) -> list[dict[str, str]]:
    shared = set(t.params) & set(m.params)
    pairs = _pairs(t, m)
    facts: list[dict[str, str]] = []
    for name in t.params:
        if name in shared:
            td, md = t.defaults.get(name), m.defaults.get(name)
            if td is not None and md is not None and not _same_value(td, md):
                facts.append(_fact("default", name, name, t, m))
            elif (td is None) != (md is None):
                fact = _fact("differs", name, name, t, m)
                fact["note"] = "optional on one side only"
                facts.append(fact)
        elif name in pairs:
            kind = "rename" if (name, pairs[name]) in GENERIC_RENAMES else "rename-differs"
            fact = _fact(kind, name, pairs[name], t, m)
            if kind == "rename-differs":
                fact["note"] = "same position, different name"
            facts.append(fact)
        else:
            facts.append(_fact("torch-only", name, None, t, m))
    for name in m.params:
        if name not in shared and name not in pairs.values():
            fact = _fact("mindspore-only", None, name, t, m)
            if name not in m.defaults:
                fact["note"] = "required in MindSpore"
            facts.append(fact)
    return facts


def _is_general(fact: dict[str, str]) -> bool:
    return fact["kind"] == "torch-only" and fact["torch"] in GENERAL_TORCH_ONLY


def _is_extra(fact: dict[str, str]) -> bool:
    return fact["kind"] == "mindspore-only" and "mindspore_default" in fact


def _order_differs(t: Sig, m: Sig, pairs: dict[str, str]) -> bool:
    shared_t = [pairs.get(n, n) for n in t.positional if pairs.get(n, n) in m.positional]
    shared_m = [n for n in m.positional if n in shared_t]
    return shared_t != shared_m or any(
        t.positional.index(n) != m.positional.index(pairs.get(n, n))
        for n in t.positional
        if pairs.get(n, n) in m.positional
    )


def category_of(t: Sig, m: Sig, facts: list[dict[str, str]]) -> str:
    kinds = {f["kind"] for f in facts if not _is_general(f) and not _is_extra(f)}
    if m.overloads > 1 or t.overloads > 1:
        return "overload"
    if t.varargs != m.varargs or any(
        f["kind"] == "mindspore-only" and not _is_extra(f) for f in facts
    ):
        return "param-count"
    if "torch-only" in kinds:
        return "torch-only-param"
    if "rename-differs" in kinds or "rename" in kinds:
        return "param-names"
    if kinds & {"default", "differs"}:
        return "param-defaults"
    if any(_is_extra(f) for f in facts):
        return "mindspore-extra-param"
    return "consistent"


def compare(t: Sig | None, m: Sig | None) -> dict[str, Any]:
    """Target fields (category, params, fix fields) for one torch/mindspore pair."""
    if t is None or m is None:
        return {"category": "other", "certain": False, "summary": "signature not readable"}
    facts = param_facts(t, m)
    pairs = {f["torch"]: f["mindspore"] for f in facts if f["kind"].startswith("rename")}
    category = category_of(t, m, facts)
    order = _order_differs(t, m, pairs)
    certain = (
        t.overloads == 1
        and m.overloads == 1
        and t.varargs == m.varargs
        and all(f["kind"] in _CERTAIN or _is_general(f) or _is_extra(f) for f in facts)
    )
    if order and category in ("consistent", "mindspore-extra-param", "param-defaults"):
        category = "param-count"
    out: dict[str, Any] = {"category": category, "certain": certain, "params": facts}
    if certain:
        rename = {f["torch"]: f["mindspore"] for f in facts if f["kind"] == "rename"}
        defaults = {
            f["torch"]: f["torch_default"]
            for f in facts
            if f["kind"] in ("rename", "default")
            and "torch_default" in f
            and f.get("mindspore_default") not in (None, f["torch_default"])
        }
        drop = sorted(f["torch"] for f in facts if _is_general(f) and "torch_default" in f)
        if "out" in {f.get("torch") for f in facts if _is_general(f)} and "out" not in drop:
            drop.append("out")  # out is None when not given, whatever the docstring says
        out.update(rename=rename, defaults=defaults, drop_if_default=sorted(drop))
        if t.positional and m.positional and not t.varargs:
            out["torch_params"] = list(t.positional)
            out["mindspore_params"] = list(m.positional)
    out["summary"] = _summary(facts, order)
    return out


def _summary(facts: list[dict[str, str]], order: bool) -> str:
    parts: list[str] = []
    for fact in facts:
        kind, t, m = fact["kind"], fact.get("torch"), fact.get("mindspore")
        if kind == "rename":
            parts.append(f"`{t}` is `{m}`")
        elif kind == "rename-differs":
            parts.append(f"`{t}` sits where MindSpore has `{m}`")
        elif kind == "default":
            parts.append(f"default of `{t}` differs")
        elif kind == "differs":
            parts.append(f"`{t}` is optional on one side only")
        elif kind == "torch-only" and t not in GENERAL_TORCH_ONLY:
            parts.append(f"no `{t}`")
        elif kind == "mindspore-only" and "mindspore_default" not in fact:
            parts.append(f"MindSpore requires `{m}`")
    if order:
        parts.append("positional order differs")
    return "; ".join(parts)
