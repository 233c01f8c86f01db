"""Judge one torch reference against the mapping database: what it becomes, what needs care.

Shared by diagnostics, hover, code actions and `mindport scan`, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from mapping_db.model import ALWAYS_DROPPED, Entry, ParamFact, Target
from mapping_db.store import MappingDB
from server.advice.compliance import PATTERN_PREFIX, Rule, rule_for_name
from server.analysis.findings import TorchReference

# The diagnostic kinds of server.settings.DEFAULT_SEVERITY that an assessment can have.
Kind = Literal["no_equivalent", "differences", "consistent", "unknown", "compliance", "graph_mode"]


@dataclass(frozen=True, slots=True)
class Assessment:
    reference: TorchReference
    kind: Kind
    message: str  # one line: what a diagnostic or a scan row says
    entry: Entry | None = None
    target: Target | None = None
    # Why no automatic fix is possible, when one is not (e.g. an unsupported argument value).
    fix_blocker: str | None = None
    # What needs care, one phrase each, the call's own keywords first.
    details: tuple[str, ...] = ()
    rule: str | None = None  # a compliance rule (server.advice.compliance) when one applies

    @property
    def fixable(self) -> bool:
        return self.target is not None and self.fix_blocker is None


def lookup_entry(db: MappingDB, qualified_name: str) -> Entry | None:
    entry = db.get(qualified_name)
    if entry is None and qualified_name.startswith("torch.Tensor."):
        entry = db.tensor_method(qualified_name.removeprefix("torch.Tensor."))
    return entry


def assess(ref: TorchReference, db: MappingDB, device: str) -> Assessment | None:
    """None when the reference is a module path (e.g. `torch.nn` used as a value), or an
    unresolved tensor-method candidate (see server.analysis.findings.Confidence)."""
    if ref.confidence == "unresolved":
        return None
    call = ref.call
    verdict = _judge(
        db,
        ref.qualified_name,
        ref.context,
        call.keywords if call is not None else (),
        call is not None and call.has_star_args,
        device,
        call is not None
        and call.n_positional == 0
        and all(k in ALWAYS_DROPPED for k in call.keywords),
    )
    return None if verdict is None else Assessment(ref, *verdict)


# The verdict depends on the name and the call's keywords, not on where the call is: a file
# with thousands of references has a few hundred distinct verdicts.
@lru_cache(maxsize=16384)
def _judge(
    db: MappingDB,
    qualified_name: str,
    context: str,
    keywords: tuple[str, ...],
    star_args: bool,
    device: str,
    nothing_to_translate: bool = False,
) -> tuple | None:
    rule = rule_for_name(qualified_name)
    if rule is not None:
        return _judge_rule(db, rule, qualified_name, context, keywords, star_args, device)
    entry = lookup_entry(db, qualified_name)
    if entry is None:
        if db.has_module(qualified_name):
            return None
        where = " (receiver looks like a tensor)" if context == "tensor-method" else ""
        return ("unknown", f"{qualified_name}: not in the mapping database{where}")
    target = db.pick_target(entry, device)
    if entry.status == "no-equivalent" or target is None:
        note = f": {entry.note}" if entry.note else ""
        workaround = f" Workaround: {entry.workaround}" if entry.workaround else ""
        details = tuple(d for d in (entry.note, workaround.strip()) if d)
        return (
            "no_equivalent",
            f"{entry.torch_api} has no MindSpore equivalent{note}{workaround}",
            entry,
            None,
            "no MindSpore equivalent",
            details,
        )
    care = _cares(target, keywords)
    blocker = _fix_blocker(target, context, star_args, nothing_to_translate)
    verdict = db.verified(entry, target, device)
    if verdict is not None and verdict.status != "equal" and verdict.status != "untested":
        care.append(f"verification on {device}: {verdict.summary()}")
        if verdict.blocks_fix:
            blocker = f"{target.api} failed verification on {device}"
    if entry.status == "mapped" and not care and target.category == "consistent":
        return ("consistent", f"{entry.torch_api} → {target.api}", entry, target, blocker)
    details = tuple(care) or (_category_phrase(target),)
    message = f"{entry.torch_api} → {target.api}: {'; '.join(details)}"
    return ("differences", message, entry, target, blocker, details)


def _judge_rule(
    db: MappingDB,
    rule: Rule,
    qualified_name: str,
    context: str,
    keywords: tuple[str, ...],
    star_args: bool,
    device: str,
) -> tuple:
    if qualified_name.startswith(PATTERN_PREFIX):
        blocker = None if rule.fixable else "no automatic fix; see the note"
        return (rule.kind, f"{rule.title}: {rule.note}", None, None, blocker, (rule.note,), rule.id)
    entry = lookup_entry(db, qualified_name)
    target = db.pick_target(entry, device) if entry is not None else None
    blocker = _fix_blocker(target, context, star_args) if target is not None else "no target"
    message = f"{qualified_name}: {rule.title}: {rule.note}"
    if target is not None:
        message = f"{qualified_name} → {target.api}; {rule.title}: {rule.note}"
    return (rule.kind, message, entry, target, blocker, (rule.note,), rule.id)


def _cares(target: Target, keywords: tuple[str, ...]) -> list[str]:
    """Parameter differences worth a line, those the call actually uses first."""
    used = set(keywords)
    first: list[str] = []
    rest: list[str] = []
    for fact in target.params:
        phrase = describe_param(fact)
        if phrase is None:
            continue
        (first if fact.torch in used else rest).append(phrase)
    for name, values in target.unsupported.items():
        if name in used:
            first.append(f"`{name}` values {', '.join(values)} are not supported")
    for name, value in target.set_args.items():
        rest.append(f"MindSpore needs {name}={value} to match")
    return first + rest


@lru_cache(maxsize=4096)
def describe_param(fact: ParamFact) -> str | None:
    t, m = fact.torch, fact.mindspore
    match fact.kind:
        case "rename":
            return f"`{t}` is `{m}`" + _defaults_phrase(fact)
        case "rename-differs":
            return f"`{t}` is `{m}` and behaves differently" + _defaults_phrase(fact)
        case "differs":
            return f"`{t}` behaves differently" + (f" ({fact.note})" if fact.note else "")
        case "default":
            return f"`{t}` default differs" + _defaults_phrase(fact)
        case "torch-only":
            return f"`{t}` has no MindSpore counterpart"
        case _:
            return None


def _defaults_phrase(fact: ParamFact) -> str:
    a, b = fact.torch_default, fact.mindspore_default
    if a is not None and b is not None and a != b:
        return f" (default {a} in torch, {b} in MindSpore)"
    return ""


_CATEGORY_PHRASES = {
    "consistent": "consistent",
    "param-names": "parameter names differ",
    "param-defaults": "a default value differs",
    "param-types": "parameter types differ",
    "param-count": "number or order of parameters differs",
    "no-inplace": "MindSpore has no `inplace`",
    "overload": "overloads take different parameters",
    "diff": "behaviour differs, see the official difference page",
}


def _category_phrase(target: Target) -> str:
    if target.note:
        return target.note
    return _CATEGORY_PHRASES.get(target.category, target.category)


# Categories where renaming the API is not enough unless the data maps the parameters.
_ARGUMENTS_DIFFER = frozenset({"diff", "overload", "param-count", "other"})


def _fix_blocker(
    target: Target, context: str, star_args: bool, nothing_to_translate: bool = False
) -> str | None:
    if star_args and (target.rename or target.set_args or target.defaults):
        return "the call passes *args/**kwargs, so its keywords cannot be translated safely"
    if (
        context in ("call", "tensor-method")
        and not nothing_to_translate  # nn.Sigmoid(), nn.ReLU(inplace=True)
        and target.category in _ARGUMENTS_DIFFER
        and not target.torch_params
        and target.api not in ("mindspore.Tensor.shape", "mindspore.Tensor.dtype")
    ):
        return "the argument lists differ and their mapping is not in the data: port by hand"
    if context == "tensor-method" and not target.api.startswith("mindspore.Tensor."):
        return f"{target.api} is not a Tensor method; rewrite the call by hand"
    return None
