"""Quick fixes as LSP JSON objects (plain dicts), built without the protocol library.

One builder for both paths: the server's codeAction handler (server.lsp.code_actions)
turns these dicts into protocol objects, and the first document's early answer
(server.lsp.early_code_actions) sends them as they are, before pygls is loaded; the two
cannot differ. No pygls or lsprotocol import here, directly or not.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from server.advice.advice_text import case_caveat
from server.advice.assess import assess, lookup_entry
from server.analysis.findings import TorchReference
from server.lsp.diagnostic_items import SOURCE, Units, line_text, range_dict
from server.lsp.fix_payload import FixPayload

if TYPE_CHECKING:
    from mapping_db.model import Target
    from mapping_db.store import MappingDB
    from server.lsp.documents import DocumentState

log = logging.getLogger(__name__)

QUICK_FIX = "quickfix"  # LSP's CodeActionKind.QuickFix


def warm_up() -> None:
    """Import the fix machinery (libcst, ~120 ms) ahead of the first quick fix."""
    import server.convert.pattern_fix  # noqa: F401
    import server.convert.quick_fix  # noqa: F401


def quick_fix_items(
    uri: str,
    state: DocumentState,
    db: MappingDB,
    device: str,
    units: Units,
    params: dict,
) -> list[dict]:
    """The quick fixes for a codeAction request's params (as sent): one per mindport
    diagnostic of this analysis that has a fix, then one for the torch name at the start
    of the range if it has no diagnostic among them."""
    actions: list[dict] = []
    done: set[tuple[int, int]] = set()
    context = params.get("context") or {}
    for diagnostic in context.get("diagnostics") or ():
        payload = FixPayload.from_json(diagnostic.get("data"))
        if diagnostic.get("source") != SOURCE or payload is None:
            continue
        if payload.blocker or payload.version != state.result_version:
            continue
        ref = _reference_from_payload(state, payload)
        if ref is None:
            continue
        action = fix_item(uri, state, ref, _target(db, payload.api, payload.target), db, device,
                          units, diagnostic)  # fmt: skip
        if action is not None:
            actions.append(action)
            done.add((ref.span.line, ref.span.col))
    # The cursor on a torch name with no diagnostic (e.g. a consistent API) also gets a fix.
    start = (params.get("range") or {}).get("start") or {}
    where = our_position(units, state.lines, start.get("line"), start.get("character"))
    if where is not None:
        ref = state.result.reference_at(*where)
        if ref is not None and (ref.span.line, ref.span.col) not in done:
            assessment = assess(ref, db, device)
            if assessment is not None and assessment.fix_blocker is None:
                action = fix_item(uri, state, ref, assessment.target, db, device, units, None)
                if action is not None:
                    actions.append(action)
    return actions


def our_position(
    units: Units, lines: Sequence[str], line: Any, character: Any
) -> tuple[int, int] | None:
    """(line, code-point column) of a client position, or None outside the document."""
    if not isinstance(line, int) or not isinstance(character, int):
        return None
    if line < 0 or line >= len(lines) or character < 0:
        return None
    text = line_text(lines, line)
    if text.isascii():
        return (line, min(character, len(text)))
    count = 0
    for index, char in enumerate(text):
        if count >= character:
            return (line, index)
        count += units(char)
    return (line, len(text))


def _target(db: MappingDB, api: str, target_api: str | None) -> Target | None:
    entry = lookup_entry(db, api)
    if entry is None or target_api is None:
        return None
    return next((t for t in entry.targets if t.api == target_api), None)


def _reference_from_payload(state: DocumentState, payload: FixPayload) -> TorchReference | None:
    """The reference a diagnostic was made for, from its data (no re-analysis)."""
    span = payload.span
    ref = state.result.reference_at(span.line, span.col)
    if ref is not None and ref.span == span and ref.qualified_name == payload.api:
        return ref
    return None


def fix_item(
    uri: str,
    state: DocumentState,
    ref: TorchReference,
    target: Target | None,
    db: MappingDB,
    device: str,
    units: Units,
    diagnostic: dict | None,
) -> dict | None:
    """The CodeAction of one fix, or None when it is refused."""
    # libcst costs ~120 ms to import: load it with the first fix, not at server start.
    from server.convert.pattern_fix import plan_pattern_fix
    from server.convert.quick_fix import FixRefused, plan_fix, plan_formula_fix

    lines = state.lines
    try:
        if ref.context == "pattern":
            plan = plan_pattern_fix(lines, state.result, ref)
        elif target is None:  # no target runs here: a verified workaround formula, if any
            plan = plan_formula_fix(lines, state.result, ref, db, device)
        else:
            plan = plan_fix(lines, state.result, ref, target, _caveat(db, device, ref, target))
    except FixRefused as exc:
        log.info("no fix for %s: %s", ref.qualified_name, exc)
        return None
    edits = [{"range": range_dict(units, lines, e.span), "newText": e.new_text} for e in plan.edits]
    action: dict = {"title": plan.title, "kind": QUICK_FIX}
    if diagnostic is not None:
        action["diagnostics"] = [diagnostic]
    action["isPreferred"] = diagnostic is not None
    action["edit"] = {"changes": {uri: edits}}
    return action


def _caveat(db: MappingDB, device: str, ref: TorchReference, target: Target) -> str:
    """What verification on the configured device found different for this target, for the
    fix's title: a fix is never applied without saying that a verified case differs."""
    entry = lookup_entry(db, ref.qualified_name)
    verdict = db.verified(entry, target, device) if entry is not None else None
    if verdict is None or verdict.status not in ("mismatch", "error"):
        return ""
    words = case_caveat(verdict, device)  # "verified on CPU: equal except ..."
    if words:
        return words
    ok = f"{verdict.passed}/{verdict.cases} verified cases agree"
    return f"{ok}; differs: {verdict.reason}" if verdict.reason else ok
