"""Judge one torch reference against the mapping database: what it becomes, what needs care.

Shared by diagnostics, hover, code actions and `mindport scan`, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from mapping_db.model import ALWAYS_DROPPED, Entry, Target
from mapping_db.store import MappingDB
from server.advice.advice_text import Advice, compose_advice, parameter_differences, user_note
from server.advice.compliance import PATTERN_PREFIX, Rule, rule_for_name
from server.advice.formula_fix import (
    UsableFormula,
    conditions,
    refusal_by_shape,
    usable_formula,
)
from server.analysis.findings import TorchReference

# The diagnostic kinds of server.settings.DEFAULT_SEVERITY that an assessment can have.
Kind = Literal["no_equivalent", "differences", "consistent", "unknown", "compliance", "graph_mode"]


@dataclass(frozen=True, slots=True)
class Assessment:
    reference: TorchReference
    kind: Kind
    # One line: what a diagnostic and a `scan` finding say, `api → target: advice` (the advice
    # from server.advice.advice_text.compose_advice, the same words as the hover and db show).
    message: str
    entry: Entry | None = None
    target: Target | None = None
    # Why no automatic fix is possible, when one is not (e.g. an unsupported argument value).
    fix_blocker: str | None = None
    # The advice's parts, one phrase each: the action, the differences (the call's own
    # keywords first), the evidence.
    details: tuple[str, ...] = ()
    rule: str | None = None  # a compliance rule (server.advice.compliance) when one applies
    advice: Advice | None = None  # the advice the message was written from (mapped APIs)

    @property
    def drop_only(self) -> bool:
        """The port simply deletes the construct (`with torch.no_grad():`)."""
        return self.advice is not None and self.advice.drop

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
        call.n_positional if call is not None else None,
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
    n_positional: int | None,
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
        advice = compose_advice(db, entry, None, device)
        said = advice.sentence()
        message = f"{entry.torch_api} has no MindSpore equivalent" + (f": {said}" if said else "")
        usable = usable_formula(db, entry, device)
        blocker = _formula_blocker(usable, context, keywords, n_positional, star_args) or None
        if usable is not None and context == "call":  # say whether the quick fix writes it
            message += (
                f"; no quick fix: {blocker}"
                if blocker
                else _formula_fix_phrase(usable, keywords, n_positional or 0, device)
            )
        return ("no_equivalent", message, entry, None, blocker, advice.parts, None, advice)
    advice = compose_advice(db, entry, target, device, keywords, n_positional)
    blocker = _fix_blocker(target, context, star_args, nothing_to_translate)
    verdict = db.verified(entry, target, device)
    failing = verdict is not None and verdict.status not in ("equal", "untested")
    if failing and verdict.blocks_fix:
        blocker = f"{target.api} failed verification on {device}"
    # Judged by the target used here: an entry whose other targets differ ports cleanly when
    # the one picked for the device behaves the same.
    # An entry the data calls "mapped" keeps its note as information (`torch.float32`: "A dtype
    # object"), not as something to change.
    actions = (
        advice.action[1:] if entry.status == "mapped" and user_note(entry.note) else (advice.action)
    )
    same = (
        target.category == "consistent"
        and not actions
        and not parameter_differences(target, keywords, n_positional)
    )
    kind = "consistent" if same and not failing else "differences"
    message = f"{entry.torch_api} → {target.api}: {advice.sentence()}"
    return (kind, message, entry, target, blocker, advice.parts, None, advice)


def _formula_fix_phrase(
    usable: UsableFormula, keywords: tuple[str, ...], n_positional: int, device: str
) -> str:
    phrase = f"; the quick fix writes the formula verified on {device}"
    met = conditions(usable.form, keywords, n_positional)
    return phrase + (f" when the call has {', '.join(met)}" if met else "")


def _formula_blocker(
    usable: UsableFormula | None,
    context: str,
    keywords: tuple[str, ...],
    n_positional: int | None,
    star_args: bool,
) -> str:
    """Why no quick fix writes the entry's verified workaround formula for this call, or ""
    when one may (the values are checked when the fix is made: server.convert.formula_call)."""
    if usable is None:
        return "no MindSpore equivalent"
    if context != "call":
        return "no MindSpore equivalent; the workaround formula replaces calls only"
    if star_args:
        return "the call passes *args/**kwargs: the formula's arguments cannot be matched"
    why = refusal_by_shape(usable.form, keywords, n_positional or 0)
    return f"{why}: port this call by hand" if why else ""


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
    receiver_first = target.value_transforms.get("self") == "receiver-first"  # x.f() -> f(x)
    if (
        context == "tensor-method"
        and not target.api.startswith("mindspore.Tensor.")
        and not receiver_first
    ):
        return f"{target.api} is not a Tensor method; rewrite the call by hand"
    return None
