"""The registry of compliance and graph-mode rules, dispatched by rule id.

One module per family holds each rule's detection, text, link and fix (`Rule`, in `base`);
this module collects them. The analysis asks it which rule a construct matches and reports
`pattern:<rule id>` references; the advice (server.advice.compliance) explains them and the
quick fix (server.convert.pattern_fix) calls `plan_rule_fix`. `docs/rules.md` says how to
add a rule.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

from server.analysis.edits import FixPlan, FixRefused, text_in_span
from server.analysis.findings import AnalysisResult, TorchReference
from server.analysis.rules import (
    amp,
    autograd,
    device,
    distributed,
    graph_mode,
    hooks,
    jit,
    parameters,
    seed,
)
from server.analysis.rules.base import (
    PATTERN_PREFIX,
    Assignment,
    ClassBase,
    MethodCall,
    Rule,
    TorchNames,
)

_FAMILIES = (autograd, hooks, parameters, device, jit, amp, distributed, seed, graph_mode)


def _collect() -> dict[str, Rule]:
    rules: dict[str, Rule] = {}
    for family in _FAMILIES:
        for rule in family.RULES:
            if rule.family != family.__name__.rsplit(".", 1)[1]:
                raise ValueError(f"rule {rule.id!r} names family {rule.family!r}")
            if rule.id in rules:
                raise ValueError(f"rule id {rule.id!r} is defined twice")
            rules[rule.id] = rule
    return rules


RULES: dict[str, Rule] = _collect()

_EXACT_NAMES: dict[str, str] = {}  # qualified name -> rule id
_NAME_PREFIXES: dict[str, str] = {}  # prefix (matches itself and its members) -> rule id
_METHOD_CALLS = tuple(
    (r.detect.matches, (r.id, r.detect.tensor_receiver))
    for r in RULES.values()
    if isinstance(r.detect, MethodCall)
)
_ASSIGNMENTS = tuple(
    (r.detect.matches, r.id) for r in RULES.values() if isinstance(r.detect, Assignment)
)
_CLASS_BASES = {
    r.detect.qualified_name: r.id for r in RULES.values() if isinstance(r.detect, ClassBase)
}
for _rule in RULES.values():
    if isinstance(_rule.detect, TorchNames):
        for _prefix, _exact in _rule.detect.prefixes:
            (_EXACT_NAMES if _exact else _NAME_PREFIXES)[_prefix] = _rule.id


def rule_for_name(qualified_name: str) -> Rule | None:
    """The rule a reference's name says: `pattern:<id>`, or a torch name such as `torch.jit.script`
    (the longest matching prefix wins: `torch.cuda.amp.GradScaler` is amp, not cuda)."""
    if qualified_name.startswith(PATTERN_PREFIX):
        return RULES.get(qualified_name[len(PATTERN_PREFIX) :])
    rule_id = _EXACT_NAMES.get(qualified_name) or _NAME_PREFIXES.get(qualified_name)
    name = qualified_name
    while rule_id is None and "." in name:
        name = name.rsplit(".", 1)[0]
        rule_id = _NAME_PREFIXES.get(name)
    return RULES[rule_id] if rule_id is not None else None


def method_call_rule(call: ast.Call, func: ast.Attribute) -> tuple[str, bool] | None:
    """The rule a method call on a non-torch receiver matches, judged from the call alone:
    (rule id, whether the receiver is a tensor whatever it looks like)."""
    for matches, found in _METHOD_CALLS:
        if matches(call, func):
            return found
    return None


def assignment_rule(target: ast.expr) -> str | None:
    """The rule an assignment to this single target matches (`p.data = v`)."""
    for matches, rule_id in _ASSIGNMENTS:
        if matches(target):
            return rule_id
    return None


def class_base_rule(base_qualified_name: str | None) -> str | None:
    """The rule a class matches by subclassing this torch name."""
    return _CLASS_BASES.get(base_qualified_name) if base_qualified_name else None


def plan_rule_fix(lines: Sequence[str], analysis: AnalysisResult, ref: TorchReference) -> FixPlan:
    """The fix of a `pattern:<rule>` finding; raises FixRefused with the reason when none."""
    rule_id = ref.qualified_name.removeprefix(PATTERN_PREFIX)
    if ref.call is None:
        raise FixRefused("no code range recorded for this finding")
    span = ref.call.span
    source = text_in_span(lines, span)
    rule = RULES.get(rule_id)
    if rule is None or rule.fix is None:
        raise FixRefused(f"no automatic fix for {rule_id}")
    return rule.fix(source, span, analysis)


__all__ = [
    "PATTERN_PREFIX",
    "RULES",
    "Rule",
    "assignment_rule",
    "class_base_rule",
    "method_call_rule",
    "plan_rule_fix",
    "rule_for_name",
]
