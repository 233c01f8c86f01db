"""Markdown shown when hovering a torch reference. Pure: entry + target in, text out."""

from __future__ import annotations

from mapping_db.model import Entry, ParamFact, Target
from mapping_db.store import MappingDB
from mapping_db.verification import TargetResult, Verification
from server.advice.advice_text import (
    CATEGORY_PHRASES,
    compose_advice,
    docs_version,
    provenance_notes,
    torch_docs_url,
)
from server.advice.assess import lookup_entry
from server.advice.case_words import equal_except
from server.advice.compliance import PATTERN_PREFIX, rule_for_name, rule_markdown
from server.advice.formula_fix import usable_formula

_EVIDENCE = {
    "likely": "_Receiver judged a tensor from data flow in this file._",
    "inferred": "_Receiver inferred a tensor by jedi._",
    "possible": "_Receiver guessed a tensor from the method name alone (only tensors have it)._",
}
_STATUS_WORDS = {
    "mapped": "mapped",
    "mapped-with-differences": "mapped with differences",
    "no-equivalent": "no MindSpore equivalent",
}
_KIND_WORDS = {
    "same": "same",
    "rename": "renamed",
    "rename-differs": "renamed, behaves differently",
    "differs": "behaves differently",
    "default": "default differs",
    "torch-only": "torch only",
    "mindspore-only": "MindSpore only",
}


def hover_markdown(
    db: MappingDB, qualified_name: str, device: str, confidence: str = "certain"
) -> str:
    rule = rule_for_name(qualified_name)
    if rule is not None and qualified_name.startswith(PATTERN_PREFIX):
        return rule_markdown(rule)
    entry = lookup_entry(db, qualified_name)
    if entry is None:
        text = _unknown(qualified_name, confidence)
    else:
        text = _entry_markdown(db, entry, device, confidence)
    if rule is not None:
        text = rule_markdown(rule) + "\n\n---\n\n" + text
    return text


# Hover text depends only on (database, entry, device, confidence): build it once.
_CACHE: dict[tuple[int, str, str, str], str] = {}


def _entry_markdown(db: MappingDB, entry: Entry, device: str, confidence: str) -> str:
    key = (id(db), entry.torch_api, device, confidence)
    text = _CACHE.get(key)
    if text is None:
        if len(_CACHE) > 4096:
            _CACHE.clear()
        text = _CACHE[key] = _build_entry_markdown(db, entry, device, confidence)
    return text


def _build_entry_markdown(db: MappingDB, entry: Entry, device: str, confidence: str) -> str:
    """What to write instead first (the same advice as the diagnostic and `mindport scan`),
    then the parameters, the evidence, other targets, links; where the facts came from last."""
    lines: list[str] = []
    target = db.pick_target(entry, device)
    head = f"**{entry.torch_api}**"
    if target is not None:
        head += f" → **{target.api}**"
    lines.append(f"{head} · {_STATUS_WORDS.get(entry.status, entry.status)}")
    if confidence in _EVIDENCE:
        lines += ["", _EVIDENCE[confidence]]
    advice = compose_advice(db, entry, target, device)
    for action in advice.action:
        if not action.startswith("write instead: "):
            lines += ["", action]
    if entry.workaround:
        lines += ["", f"Workaround: `{entry.workaround}`"]
        lines += _workaround_verification(db, entry, device)
        usable = usable_formula(db, entry, device)
        if usable is not None:
            lines += [
                "",
                f"The quick fix writes this formula with the call's arguments ({usable.why};"
                " it refuses forms the formula does not cover).",
            ]
    if target is not None:
        lines += _target_section(target)
        lines += ["", _verification_line(db, entry, target, device)]
    others = [t for t in entry.targets if t is not target]
    if others:
        lines += ["", "Other targets:"]
        for other in others:
            where = f" (not on {', '.join(other.not_on)})" if other.not_on else ""
            verdict = db.verified(entry, other, device)
            if verdict is not None and verdict.status not in ("equal", "untested"):
                where += f"; on {device} it fails verification ({verdict.summary()})"
                where += _table_is_wrong(other, verdict)
            elif verdict is not None:
                where += f"; verified on {device}"
            lines.append(f"- `{other.api}` from {_sources(other)}{where}")
    links = _links(db, entry, target)
    if links:
        lines += ["", " · ".join(links)]
    footer = []
    if target is not None:
        footer.append(f"Listed by {_sources(target)}; picked for {device}.")
    footer += provenance_notes(entry, target)
    if footer:
        lines += ["", "---", "", "_" + " ".join(footer).replace("_", "\\_") + "_"]
    return "\n".join(lines)


def _verification_line(db: MappingDB, entry: Entry, target: Target, device: str) -> str:
    results = db.verification(device)
    verdict = db.verified(entry, target, device)
    if results is None or verdict is None:
        return f"_Not verified by running on {device} yet (`mindport db verify`)._"
    versions = _versions(results)
    if verdict.status == "equal":
        return f"Verified on {device} with {versions}: {verdict.summary()}."
    if verdict.status == "untested":
        return f"Not verified on {device}: {verdict.reason or 'no inputs could be built'}."
    if verdict.partial and (words := equal_except(verdict, device)) is not None:
        return (
            f"**Verified on {device} with {versions}: {words}** ({verdict.passed}/"
            f"{verdict.cases} cases agree).{_table_is_wrong(target, verdict)} The quick fix is"
            " offered: check calls like the differing cases by hand."
        )
    if verdict.partial:
        agree = "pass" if verdict.status == "error" else "agree"
        return (
            f"**Verification on {device} with {versions}: {verdict.passed}/{verdict.cases} "
            f"cases {agree}**; {verdict.reason}.{_table_is_wrong(target, verdict)} The quick "
            "fix is offered: check calls like the failing case by hand."
        )
    text = f"**Verification on {device} with {versions} failed**: {verdict.summary()}."
    return text + (_table_is_wrong(target, verdict) or " Port this call by hand.")


def _versions(results: Verification) -> str:
    return f"MindSpore {results.mindspore} and torch {results.torch}"


def _workaround_verification(db: MappingDB, entry: Entry, device: str) -> list[str]:
    results = db.verification(device)
    verdict = db.workaround_verified(entry, device)
    if results is None or verdict is None:
        return []
    versions = _versions(results)
    if verdict.status == "equal":
        return [
            "",
            f"The workaround was verified on {device} with {versions}: {verdict.summary()}.",
        ]
    return ["", f"**The workaround failed verification on {device}** ({verdict.summary()})."]


def _table_is_wrong(target: Target, verdict: TargetResult) -> str:
    """Say so where running it shows an official table's entry is wrong."""
    official = [s for s in target.sources if s in ("master", "r2.4.10")]
    if not official:
        return ""
    table = f"the {official[0]} table"
    if verdict.reason.startswith("not in mindspore"):
        return f" {table.capitalize()} names an API that does not exist in this MindSpore."
    if target.category == "consistent" and verdict.status in ("mismatch", "error"):
        return f" {table.capitalize()} calls it consistent; running it says otherwise."
    return ""


def _target_section(target: Target) -> list[str]:
    lines = ["", f"Category: {CATEGORY_PHRASES.get(target.category, target.category)}"]
    rows = [fact for fact in target.params if fact.kind != "same" or fact.note]
    if rows:
        lines += ["", "| torch | MindSpore | difference |", "| --- | --- | --- |"]
        lines += [_param_row(fact) for fact in rows]
    extra: list[str] = []
    for name, value in target.set_args.items():
        extra.append(f"- set `{name}={value}` to match torch")
    for name, value in target.defaults.items():
        extra.append(f"- write out `{name}={value}`: MindSpore's default differs")
    for name, values in target.unsupported.items():
        extra.append(f"- `{name}` = {', '.join(values)} cannot be expressed")
    if extra:
        lines += ["", *extra]
    return lines


def _param_row(fact: ParamFact) -> str:
    what = _KIND_WORDS.get(fact.kind, fact.kind)
    a, b = fact.torch_default, fact.mindspore_default
    if a is not None and b is not None and a != b:
        what += f"; default {a} vs {b}"
    if fact.note:
        what += f"; {fact.note}"
    torch_name = f"`{fact.torch}`" if fact.torch else "—"
    ms_name = f"`{fact.mindspore}`" if fact.mindspore else "—"
    return f"| {torch_name} | {ms_name} | {what.replace('|', '/')} |"


def _sources(target: Target) -> str:
    names = {
        "master": "the master table",
        "r2.4.10": "the r2.4.10 table",
        "curated": "mindport",
        "derived": "mindport (derived by introspection)",
    }
    return ", ".join(names.get(s, s) for s in target.sources) or "mindport"


def _links(db: MappingDB, entry: Entry, target: Target | None) -> list[str]:
    links: list[str] = []
    if target is not None and target.diff_url:
        links.append(f"[Official difference page]({target.diff_url})")
    if target is not None and target.url:
        links.append(f"[{target.api}]({target.url})")
    torch_url = torch_docs_url(entry.torch_url, docs_version(db))
    if torch_url:
        links.append(f"[{entry.torch_api}]({torch_url})")
    return links


def _unknown(qualified_name: str, confidence: str) -> str:
    lines = [f"**{qualified_name}** · not in the mapping database yet"]
    if confidence in _EVIDENCE:
        lines += ["", _EVIDENCE[confidence]]
    lines += ["", "Search the tables with `mindport db search`."]
    return "\n".join(lines)
