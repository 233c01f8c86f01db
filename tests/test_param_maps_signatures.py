"""Every parameter map is checked against the installed mindspore's signatures.

A map must not rename to, set, write out or transform a parameter the target's signature lacks;
its `mindspore_params` must be the signature's own order; and a torch parameter a call may pass
by keyword must be either accepted by the target under the same name or handled by the map
(renamed, dropped, refused as torch-only, or one of the placement/default-only keywords the
quick fix drops by rule: mapping_db.model.PLACEMENT_ONLY, DROPPED_AT_DEFAULT).

Only targets a quick fix is offered for are checked for kept names (a map whose arguments differ
and that has no parameter order is refused by the fix: server.advice.assess._fix_blocker), and
only where both signatures are readable and the target takes no **kwargs.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from mapping_db.model import ALWAYS_DROPPED, DROPPED_AT_DEFAULT, PLACEMENT_ONLY, Entry, Target
from mapping_db.store import load_database
from server.advice.assess import _ARGUMENTS_DIFFER
from server.runner.verify.names import resolve

# Maps whose kept torch names are known to be wrong and are not fixed yet: each one names why.
# The test fails when a new one appears and when one listed here is fixed (remove it then).
KNOWN_KEPT: dict[tuple[str, str], str] = {
    ("torch.Tensor.isreal", "mindspore.Tensor.isreal"): "torch's stand-in signature names the"
    " receiver `tensor`; the method takes no argument",
    ("torch.Tensor.sum_to_size", "mindspore.Tensor.sum_to_size"): "torch's stand-in signature"
    " names the *size varargs `size`; both take the sizes positionally",
}


def _parameters(obj: Any) -> tuple[list[str], bool] | None:
    """Parameter names (without self, *args, **kwargs) and whether **kwargs is taken."""
    from torch.overrides import get_testing_overrides

    function = obj.__init__ if inspect.isclass(obj) else obj
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        stand_in = get_testing_overrides().get(obj)
        if stand_in is None:
            return None
        try:
            signature = inspect.signature(stand_in)
        except (TypeError, ValueError):
            return None
    params = signature.parameters.values()
    names = [p.name for p in params if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    if names[:1] == ["self"]:
        names = names[1:]
    return names, any(p.kind == p.VAR_KEYWORD for p in params)


def _torch_names(entry: Entry, target: Target) -> list[str]:
    import torch

    if entry.is_tensor_method:
        obj = getattr(torch.Tensor, entry.torch_api.rsplit(".", 1)[1], None)
    else:
        obj = resolve(entry.torch_api)
    found = _parameters(obj) if callable(obj) else None
    names = found[0] if found else list(target.torch_params)
    if entry.is_tensor_method and names[:1] in (["input"], ["self"]):
        names = names[1:]
    return names


def _offered(target: Target) -> bool:
    return not (target.category in _ARGUMENTS_DIFFER and not target.torch_params)


def map_problems(entry: Entry, target: Target) -> tuple[list[str], list[str]] | None:
    """(problems with what the map writes, torch names kept that the target lacks), or None
    when the target's signature cannot be read."""
    obj = resolve(target.api)
    found = _parameters(obj) if obj is not None and callable(obj) else None
    if found is None or found[1]:
        return None
    names, _ = found
    written: list[str] = []
    for torch_name, ms_name in target.rename.items():
        if ms_name not in names:
            written.append(f"renames `{torch_name}` to `{ms_name}`")
    for name in target.set_args:
        if name not in names:
            written.append(f"sets `{name}`")
    for name in [
        *target.defaults,
        *(k for k in target.value_transforms if k not in ("*", "return", "self")),
    ]:
        ms_name = target.rename.get(name, name)
        if ms_name not in names:
            written.append(f"writes `{ms_name}`")
    order = list(target.mindspore_params)
    if target.api.startswith("mindspore.Tensor.") and order[:1] == ["input"] != names[:1]:
        order = order[1:]  # the receiver's slot, which a method's signature leaves out
    if order and order != names[: len(order)]:
        written.append(f"mindspore_params {list(target.mindspore_params)} are not {names}")
    torch_only = {f.torch for f in target.params if f.kind == "torch-only" and f.torch}
    handled = (
        set(target.rename)
        | set(target.drop)
        | set(target.drop_if_default)
        | torch_only
        | ALWAYS_DROPPED
        | PLACEMENT_ONLY
        | set(DROPPED_AT_DEFAULT)
        | {"out"}
    )
    kept = []
    if _offered(target):
        kept = [n for n in _torch_names(entry, target) if n not in handled and n not in names]
    return [f"{entry.torch_api} -> {target.api}: {w}" for w in written], kept


@pytest.fixture(scope="module")
def checked(mindspore_on_cpu) -> dict[tuple[str, str], tuple[list[str], list[str]]]:
    import torch  # noqa: F401 - resolved names need it imported

    db = load_database()
    found = {}
    for entry in db:
        if entry.status == "no-equivalent":  # no fix is offered, whatever its targets
            continue
        for target in entry.targets:
            problems = map_problems(entry, target)
            if problems is not None:
                found[(entry.torch_api, target.api)] = problems
    return found


def test_signatures_are_readable_for_most_targets(checked) -> None:
    assert len(checked) > 900


def test_maps_only_write_parameters_the_target_has(checked) -> None:
    written = [line for problems, _ in checked.values() for line in problems]
    assert written == []


def test_torch_names_kept_by_a_fix_are_accepted_by_the_target(checked) -> None:
    kept = {key: names for key, (_, names) in checked.items() if names}
    new = {key: names for key, names in kept.items() if key not in KNOWN_KEPT}
    assert new == {}, f"{len(new)} maps keep torch names the target lacks"
    fixed = [key for key in KNOWN_KEPT if key not in kept]
    assert fixed == [], "fixed: remove them from KNOWN_KEPT"


def test_the_checker_catches_a_wrong_rename(mindspore_on_cpu) -> None:
    entry = load_database().get("torch.nn.functional.softmax")
    bad = Target("mindspore.ops.softmax", ("curated",), "param-names", rename={"dim": "x"})
    written, _ = map_problems(entry, bad)
    assert written == ["torch.nn.functional.softmax -> mindspore.ops.softmax: renames `dim` to `x`"]
    kept_bad = Target("mindspore.ops.softmax", ("curated",), "consistent")
    _, kept = map_problems(entry, kept_bad)
    assert "dim" in kept  # ops.softmax calls it `axis`
