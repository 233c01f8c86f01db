"""Normalise the official tables' category text into a few kinds, with notes in our words.

The tables write one category per row, as free text ("The functions are consistent, but the
default value of dim is different."). We keep the fact (which kind, which parameter) and
write our own one-line note; the official prose stays on the official page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Normalised categories, in the order hover and scan explain them.
CATEGORIES = (
    "consistent",
    "param-names",
    "param-defaults",
    "param-types",
    "param-count",
    "torch-only-param",
    "mindspore-extra-param",
    "overload",
    "diff",
    "other",
)


@dataclass(frozen=True, slots=True)
class Category:
    name: str
    note: str = ""
    param: str | None = None  # the parameter the category names, when it names one
    renamed_to: str | None = None  # for "X is Y in MindSpore"


_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"default value of (\w+) is different", re.I), "param-defaults"),
    (re.compile(r"parameter default values are inconsistent", re.I), "param-defaults"),
    (re.compile(r"the (\w+) parameter is (\w+) in mindspore", re.I), "param-names"),
    (re.compile(r"parameter names? (are|is) (inconsistent|different)", re.I), "param-names"),
    (re.compile(r"inconsistent parameter names", re.I), "param-names"),
    (re.compile(r"parameter data types are inconsistent", re.I), "param-types"),
    (re.compile(r"number or sequence of parameters", re.I), "param-count"),
    (
        re.compile(r"\b(has no|does not contain|no)\b (the )?(parameter )?`?(\w+)`?", re.I),
        "torch-only-param",
    ),
    (re.compile(r"pytorch has some optimization parameters", re.I), "torch-only-param"),
    (
        re.compile(r"mindspore has (an additional|two different) parameter", re.I),
        "mindspore-extra-param",
    ),
    (re.compile(r"interface overloading|involves overloading", re.I), "overload"),
    (re.compile(r"deprecated", re.I), "other"),
    (re.compile(r"^(the )?functi+ons? (are|is) consistent\.?$", re.I), "consistent"),
    (re.compile(r"^consistent\.?$", re.I), "consistent"),
]


def normalise(text: str | None, category_class: str | None = None) -> Category:
    """Category of one table row. `category_class` is the reference parser's coarse class."""
    raw = (text or "").strip()
    if category_class == "diff_page" or raw.lower() == "diff":
        return Category("diff", "Differences are listed on the official difference page.")
    if not raw or raw.lower() == "consistent":
        return Category("consistent")
    for pattern, name in _RULES:
        match = pattern.search(raw)
        if match is None:
            continue
        return _with_note(name, match, raw)
    return Category("other", "See the official page for what differs.")


def _with_note(name: str, match: re.Match[str], raw: str) -> Category:
    groups = [g for g in match.groups() if g] if match.groups() else []
    if name == "param-defaults":
        param = groups[0] if groups and groups[0].isidentifier() and " " not in groups[0] else None
        if param and param.lower() not in ("parameter",):
            return Category(name, f"Same behaviour; the default of `{param}` differs.", param)
        return Category(name, "Same behaviour; some default values differ.")
    if name == "param-names":
        renamed = re.search(r"the (\w+) parameter is (\w+) in mindspore", raw, re.I)
        if renamed:
            old, new = renamed.group(1), renamed.group(2)
            return Category(name, f"Same behaviour; `{old}` is `{new}`.", old, new)
        return Category(name, "Same behaviour; some parameter names differ.")
    if name == "param-types":
        return Category(name, "Same behaviour; accepted argument types differ.")
    if name == "param-count":
        return Category(name, "Same behaviour; the number or order of parameters differs.")
    if name == "torch-only-param":
        params = re.findall(r"`(\w+)`", raw) or re.findall(r"parameter (\w+)", raw)
        params = [p for p in params if p not in ("parameter", "the")]
        if params:
            listed = ", ".join(f"`{p}`" for p in params)
            return Category(name, f"Same behaviour; MindSpore has no {listed}.", params[0])
        return Category(name, "Same behaviour; torch has extra tuning parameters MindSpore lacks.")
    if name == "mindspore-extra-param":
        params = re.findall(r"(\w+) = None", raw)
        listed = ", ".join(f"`{p}`" for p in params) or "extra parameters"
        return Category(name, f"Same behaviour; MindSpore adds {listed} (defaults match torch).")
    if name == "overload":
        return Category(name, "The overloads take different parameters.")
    if name == "consistent":
        return Category(name)
    if "deprecated" in raw.lower():
        return Category(
            "other", "MindSpore's version behaves like the newer torch API that replaces this one."
        )
    return Category("other", "See the official page for what differs.")


# Words that, alone, say a parameter only changed its name (in the diff pages' tables).
_BENIGN_WORDS = frozenset(
    """same function functions functional functionality functionalities consistent is are the
    but have has different differ parameter parameters name names interface input inputs and
    with a of in it they their only-name naming""".split()
)


def difference_is_name_only(text: str | None) -> bool:
    """True when a diff-table 'Difference' cell says nothing beyond 'same, renamed'."""
    cleaned = (text or "").strip()
    if cleaned in ("", "-", "—"):
        return True
    words = re.findall(r"[a-z]+", cleaned.lower())
    return bool(words) and all(w in _BENIGN_WORDS for w in words)
