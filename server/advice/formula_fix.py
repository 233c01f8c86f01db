"""Workaround formulas a quick fix may write in place of a call.

Where no MindSpore target of an entry runs on the configured device (F.normalize and
F.layer_norm have no CPU kernel) or the entry has no equivalent at all (causal
F.scaled_dot_product_attention), its workaround formula (mapping_db/data/workarounds.toml) is
the port. A formula is written by a quick fix only when the data says how the call's arguments
go into it and the formula was verified equal on the device (`mindport db verify`):

    fix       = the formula over torch's parameter names (and `ops`, `ms`)
    signature = torch's parameters in order, "name" or "name=default" (source text)
    covers    = {param = [values]}: the only values the formula stands for; a call passing
                (or defaulting to) another value gets no fix, and is told why
    terms     = {param = "_ * param"}: what an argument adds when it is passed and not None
                ("_" is the formula so far), in order
    derived   = {name = "last-axes:param"}: a value the fix computes from an argument
                (the last len(normalized_shape) axes)

tests/test_quick_fix_formulas.py checks that `fix` over the arguments of the `torch` call the
formula was verified with is the verified formula itself, and runs other call forms in both
frameworks.
"""

from __future__ import annotations

import ast
import tomllib
from dataclasses import dataclass, field
from functools import cache

from mapping_db.model import Entry
from mapping_db.store import MappingDB
from mapping_db.verification import TargetResult
from mapping_db.workarounds import WORKAROUNDS_FILE

# Derived values the fix can compute, by the name the data uses.
LAST_AXES = "last-axes"


@dataclass(frozen=True, slots=True)
class FormulaForm:
    torch_api: str
    formula: str  # the verified formula (`mindspore` in the data), over the `torch` call's names
    torch_call: str  # the torch call the formula was verified against
    fix: str
    signature: tuple[tuple[str, str | None], ...]  # (name, default source or None)
    covers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    terms: tuple[tuple[str, str], ...] = ()
    derived: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (kind, param)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.signature)


@dataclass(frozen=True, slots=True)
class UsableFormula:
    form: FormulaForm
    verdict: TargetResult  # the formula's verification on the device (equal)
    why: str  # why the formula and not a target: "mindspore.mint.x has no CPU kernel"


def parse_formula_forms(text: str) -> dict[str, FormulaForm]:
    """The entries of workarounds.toml that say how a call's arguments go into the formula."""
    forms: dict[str, FormulaForm] = {}
    for api, row in tomllib.loads(text).items():
        if "fix" not in row:
            continue
        signature = tuple(_parameter(text) for text in row["signature"])
        derived = {}
        for name, spec in row.get("derived", {}).items():
            kind, _, param = spec.partition(":")
            derived[name] = (kind, param)
        forms[api] = FormulaForm(
            torch_api=api,
            formula=row["mindspore"],
            torch_call=row["torch"],
            fix=row["fix"],
            signature=signature,
            covers={name: tuple(values) for name, values in row.get("covers", {}).items()},
            terms=tuple(row.get("terms", {}).items()),
            derived=derived,
        )
    return forms


def _parameter(text: str) -> tuple[str, str | None]:
    name, sep, default = text.partition("=")
    return name.strip(), default.strip() if sep else None


@cache
def formula_forms() -> dict[str, FormulaForm]:
    return parse_formula_forms(WORKAROUNDS_FILE.read_text(encoding="utf-8"))


def usable_formula(db: MappingDB, entry: Entry, device: str) -> UsableFormula | None:
    """The formula a quick fix writes for `entry` on `device`, when no target runs there and
    the formula was verified equal there; None otherwise."""
    form = formula_forms().get(entry.torch_api)
    if form is None or entry.workaround != form.formula:
        return None
    if entry.status != "no-equivalent" and db.pick_target(entry, device) is not None:
        return None
    verdict = db.workaround_verified(entry, device)
    if verdict is None or verdict.status != "equal":
        return None
    if entry.targets:
        names = ", ".join(t.api.removeprefix("mindspore.") for t in entry.targets)
        why = f"{names} {'has' if len(entry.targets) == 1 else 'have'} no {device} kernel"
    else:
        why = "no MindSpore counterpart"
    return UsableFormula(form, verdict, why)


def uncovered_keywords(form: FormulaForm, keywords: tuple[str, ...]) -> list[str]:
    """Keywords of a call that the formula's signature does not have."""
    names = set(form.names)
    return [k for k in keywords if k not in names]


def refusal_by_shape(form: FormulaForm, keywords: tuple[str, ...], n_positional: int) -> str:
    """Why the formula cannot stand for a call, judged from what the call passes (not the
    values): a keyword it lacks, too many arguments, or a parameter left at a default that the
    formula does not cover (SDPA without is_causal=True). "" when the values decide."""
    foreign = uncovered_keywords(form, keywords)
    if foreign:
        return f"the verified formula has no `{foreign[0]}`"
    if n_positional > len(form.signature):
        return f"more positional arguments than {form.torch_api} takes"
    for index, (name, default) in enumerate(form.signature):
        allowed = form.covers.get(name)
        passed = name in keywords or index < n_positional
        if allowed and not passed and not any(same_value(default or "", v) for v in allowed):
            return f"the verified formula stands for {name}={' or '.join(allowed)} only"
    return ""


def conditions(form: FormulaForm, keywords: tuple[str, ...], n_positional: int) -> list[str]:
    """The covered values of the parameters a call passes, which its values must meet:
    ["dropout_p=0.0", "is_causal=True"]."""
    return [
        f"{name}={' or '.join(form.covers[name])}"
        for index, (name, _) in enumerate(form.signature)
        if name in form.covers and (name in keywords or index < n_positional)
    ]


def same_value(text: str, allowed: str) -> bool:
    """Two argument texts that are the same value (`2` and `2.0`, `'a'` and `"a"`)."""
    if text.replace('"', "'") == allowed.replace('"', "'"):
        return True
    try:
        a, b = ast.literal_eval(text), ast.literal_eval(allowed)
    except (ValueError, SyntaxError):
        return False
    return a == b and isinstance(a, bool) == isinstance(b, bool)
