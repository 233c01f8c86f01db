"""One advice text per finding, shared by `mindport scan`, `db show`, hovers and diagnostics.

`compose_advice` is the one place where an entry's data becomes advice, in this order: what to
write instead (the action), then the differences (the call's own keywords first), then the
evidence (verified or not, on which device). Sentences about where a fact came from
(introspection, amendments, an unreadable signature) are provenance, not advice: they stay in
`db show --json` and in the hover's footer (`provenance_notes`).

New data-driven answers (e.g. a curated answer field) are fed in here, so every surface shows
them the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from mapping_db.model import DROPPED_AT_DEFAULT, Entry, ParamFact, Target
from mapping_db.store import MappingDB
from mapping_db.verification import TargetResult
from server.advice.case_words import verified_phrase

# Sentences of a note that say where a fact came from rather than what to do.
_PROVENANCE = re.compile(
    r"^(Amended:|derived:|Signature not readable\b|No same-named MindSpore API found"
    r"|Differences are listed on the official difference page\b)"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z`])")


@dataclass(frozen=True, slots=True)
class Advice:
    action: tuple[str, ...] = ()  # what to write instead, most important first
    differences: tuple[str, ...] = ()  # what behaves differently, the call's keywords first
    evidence: str = ""  # verified or not, on which device
    drop: bool = False  # the port deletes the construct; nothing blocks it

    @property
    def parts(self) -> tuple[str, ...]:
        return (*self.action, *self.differences, *((self.evidence,) if self.evidence else ()))

    def sentence(self) -> str:
        """The advice as one line (a diagnostic, a `scan` finding)."""
        return "; ".join(p.rstrip(". ") for p in self.parts)


def split_note(note: str) -> tuple[str, str]:
    """(advice, provenance): a note's sentences for the user, and those about its origin."""
    if not note:
        return "", ""
    advice: list[str] = []
    origin: list[str] = []
    for sentence in _SENTENCE_END.split(note.strip()):
        (origin if _PROVENANCE.match(sentence) else advice).append(sentence)
    return " ".join(advice), " ".join(origin)


def user_note(note: str) -> str:
    return split_note(note)[0]


def compose_advice(
    db: MappingDB,
    entry: Entry,
    target: Target | None,
    device: str,
    keywords: tuple[str, ...] = (),
    n_positional: int | None = None,
) -> Advice:
    """The advice for `entry` ported to `target` on `device` (no target: no equivalent).

    `keywords` and `n_positional` describe the call when there is one: its own keywords come
    first, and torch-only parameters it does not pass are left out. `n_positional=None` means
    no call is known (a hover, `db show`): every difference is listed.
    """
    action: list[str] = []
    note = user_note(entry.note)
    if note:
        action.append(note)
    if target is None:
        if entry.workaround:
            action.append(f"write instead: {entry.workaround}")
        shown = workaround_evidence(db, entry, device) if entry.workaround else ""
        return Advice(tuple(action), (), shown, drop=entry.drop)
    differences: list[str] = []
    target_note = user_note(target.note)
    if target_note:
        # "Same behaviour; MindSpore has no `verbose`." describes; anything else instructs.
        (differences if _DESCRIBES.match(target_note) else action).append(target_note)
    written = " ".join(action)
    for name, value in target.set_args.items():
        if f"{name}={value}" not in written:
            action.append(f"set {name}={value} to match torch")
    differences += parameter_differences(target, keywords, n_positional)
    if not differences and not action and target.category not in ("consistent", "diff"):
        differences.append(category_phrase(target))
    if target.category == "diff" and not target_note and not _has_param_facts(target):
        differences.append(category_phrase(target))
    return Advice(tuple(action), tuple(differences), target_evidence(db, entry, target, device))


_DESCRIBES = re.compile(r"^Same (behaviour|parameters)\b")


def _has_param_facts(target: Target) -> bool:
    return any(describe_param(fact) for fact in target.params)


def parameter_differences(
    target: Target, keywords: tuple[str, ...] = (), n_positional: int | None = None
) -> list[str]:
    """Parameter differences worth a line, those the call actually uses first; with a known
    call, torch-only parameters it does not pass are left out."""
    used = set(keywords)
    passed = set(target.torch_params[:n_positional]) if n_positional is not None else set()
    first: list[str] = []
    rest: list[str] = []
    for fact in target.params:
        phrase = describe_param(fact)
        if phrase is None:
            continue
        if fact.torch in used:
            first.append(phrase)
        elif (
            n_positional is not None
            and fact.kind == "torch-only"
            and target.torch_params
            and fact.torch not in passed
        ):
            continue  # not passed: nothing to drop
        else:
            rest.append(phrase)
    for name, values in target.unsupported.items():
        if name in used:
            first.append(f"`{name}` values {', '.join(values)} are not supported")
    described = {fact.torch for fact in target.params}
    for name in keywords:  # keywords MindSpore generally lacks (mapping_db.model)
        foreign = name not in target.mindspore_params and name not in target.rename
        if name in DROPPED_AT_DEFAULT and foreign and name not in described:
            default = DROPPED_AT_DEFAULT[name]
            first.append(
                f"`{name}` has no MindSpore counterpart: the fix drops {name}={default},"
                " any other value is ported by hand"
            )
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


CATEGORY_PHRASES = {
    "consistent": "behaves the same",
    "param-names": "parameter names differ",
    "param-defaults": "a default value differs",
    "param-types": "parameter types differ",
    "param-count": "number or order of parameters differs",
    "no-inplace": "MindSpore has no `inplace`",
    "overload": "overloads take different parameters",
    "torch-only-param": "torch has parameters MindSpore lacks",
    "diff": "behaviour differs",
}


def category_phrase(target: Target) -> str:
    phrase = CATEGORY_PHRASES.get(target.category, target.category)
    if target.category == "diff":
        if target.diff_url:
            return f"{phrase}: read the official difference page {target.diff_url}"
        return f"{phrase}; the data names no detail: compare the two API pages"
    return phrase


def target_evidence(db: MappingDB, entry: Entry, target: Target, device: str) -> str:
    verdict = db.verified(entry, target, device)
    if verdict is None:
        return f"not verified on {device} yet"
    if verdict.status == "equal":
        return f"verified on {device} ({verdict.summary()})"
    if verdict.status == "untested":
        return f"not verified on {device}: {verdict.reason or 'no inputs could be built'}"
    return case_caveat(verdict, device) or f"verification on {device}: {verdict.summary()}"


def case_caveat(verdict: TargetResult, device: str) -> str:
    """For a target that agreed on some verified cases and not on others: which inputs differ,
    in a few words ("verified on CPU: equal except 0-d input (fails) (4/5 cases)"); "" when the
    result has no per-case verdicts (the caller says it its own way)."""
    if not verdict.partial:
        return ""
    phrase = verified_phrase(verdict, device)
    return f"{phrase} ({verdict.passed}/{verdict.cases} cases)" if phrase else ""


def workaround_evidence(db: MappingDB, entry: Entry, device: str) -> str:
    verdict = db.workaround_verified(entry, device)
    if verdict is None:
        return f"workaround not verified on {device} yet"
    if verdict.status == "equal":
        return f"workaround verified on {device} ({verdict.summary()})"
    return f"workaround fails verification on {device} ({verdict.summary()})"


def provenance_notes(entry: Entry, target: Target | None) -> list[str]:
    """Where the facts came from: for the hover's footer, never for the advice."""
    found = [split_note(entry.note)[1]]
    if target is not None:
        found.append(split_note(target.note)[1])
    return [text for text in found if text]


# -- links to the torch documentation of the installed version -------------------------------

_TORCH_DOCS = re.compile(r"^https?://(docs\.)?pytorch\.org/docs/[^/]+/", re.IGNORECASE)
_OLD_TENSOR_PAGE = re.compile(r"tensors\.html#(torch\.Tensor\.\w+)$")


@lru_cache(maxsize=1)
def installed_torch_version() -> str | None:
    """torch's version in this environment, read from its metadata (torch is never imported;
    importlib.metadata itself, ~20 ms, is imported when first asked, not with the server)."""
    from importlib import metadata

    try:
        return metadata.version("torch")
    except metadata.PackageNotFoundError:
        return None


def docs_version(db: MappingDB | None = None) -> str:
    """`2.13` for torch 2.13.0+cpu; the verification results' torch when torch is not here."""
    version = installed_torch_version()
    if version is None and db is not None:
        for device in ("CPU", "GPU", "Ascend"):
            results = db.verification(device)
            if results is not None and results.torch:
                version = results.torch
                break
    if version is None:
        return "stable"
    return ".".join(version.split("+")[0].split(".")[:2])


def torch_docs_url(url: str | None, version: str) -> str | None:
    """The data's torch page for the torch `version` (`2.13`), whichever version it cites."""
    if not url:
        return None
    if not _TORCH_DOCS.match(url):
        return url
    path = _TORCH_DOCS.sub("", url)
    old = _OLD_TENSOR_PAGE.match(path)
    if old:  # 1.x documented methods on one page; 2.x gives each its own
        path = f"generated/{old.group(1)}.html"
    return f"https://pytorch.org/docs/{version}/{path}"
