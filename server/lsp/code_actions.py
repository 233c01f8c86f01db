"""Quick fixes: rewrite a torch call to its MindSpore target, with the import it needs."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from lsprotocol import types

from mapping_db.model import Target
from server.advice.advice_text import case_caveat
from server.advice.assess import Assessment, assess, lookup_entry
from server.analysis.findings import TorchReference
from server.lsp.convert_actions import KINDS, source_actions
from server.lsp.fix_payload import FixPayload
from server.lsp.positions import from_client_position, span_to_range

if TYPE_CHECKING:
    from server.lsp.documents import DocumentState
    from server.lsp.server import MindportServer

log = logging.getLogger(__name__)


def warm_up() -> None:
    """Import the fix machinery (libcst, ~120 ms) ahead of the first quick fix."""
    import server.convert.pattern_fix  # noqa: F401
    import server.convert.quick_fix  # noqa: F401


def _target(ls: MindportServer, api: str, target_api: str | None) -> Target | None:
    entry = lookup_entry(ls.db, api)
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


def _action(
    ls: MindportServer,
    uri: str,
    state: DocumentState,
    ref: TorchReference,
    target: Target | None,
    diagnostic: types.Diagnostic | None,
) -> types.CodeAction | None:
    # libcst costs ~120 ms to import: load it with the first fix, not at server start.
    from server.convert.pattern_fix import plan_pattern_fix
    from server.convert.quick_fix import FixRefused, plan_fix, plan_formula_fix

    doc = ls.workspace.get_text_document(uri)
    lines = state.lines
    try:
        if ref.context == "pattern":
            plan = plan_pattern_fix(lines, state.result, ref)
        elif target is None:  # no target runs here: a verified workaround formula, if any
            plan = plan_formula_fix(lines, state.result, ref, ls.db, ls.settings.device)
        else:
            plan = plan_fix(lines, state.result, ref, target, _caveat(ls, ref, target))
    except FixRefused as exc:
        log.info("no fix for %s: %s", ref.qualified_name, exc)
        return None
    edits = [
        types.TextEdit(range=span_to_range(doc.position_codec, lines, e.span), new_text=e.new_text)
        for e in plan.edits
    ]
    return types.CodeAction(
        title=plan.title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[diagnostic] if diagnostic is not None else None,
        is_preferred=diagnostic is not None,
        edit=types.WorkspaceEdit(changes={uri: edits}),
    )


def _caveat(ls: MindportServer, ref: TorchReference, target: Target) -> str:
    """What verification on the configured device found different for this target, for the
    fix's title: a fix is never applied without saying that a verified case differs."""
    entry = lookup_entry(ls.db, ref.qualified_name)
    verdict = ls.db.verified(entry, target, ls.settings.device) if entry is not None else None
    if verdict is None or verdict.status not in ("mismatch", "error"):
        return ""
    words = case_caveat(verdict, ls.settings.device)  # "verified on CPU: equal except ..."
    if words:
        return words
    ok = f"{verdict.passed}/{verdict.cases} verified cases agree"
    return f"{ok}; differs: {verdict.reason}" if verdict.reason else ok


def register(server: MindportServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, *KINDS]),
    )
    def code_action(ls: MindportServer, params: types.CodeActionParams):
        uri = params.text_document.uri
        state = ls.documents.get(uri)
        if state is None or state.stale:
            return None  # never edit from ranges of an older text
        actions: list[types.CodeAction] = source_actions(ls, params)  # server.lsp.convert_actions
        done: set[tuple[int, int]] = set()
        for diagnostic in params.context.diagnostics:
            payload = FixPayload.from_json(diagnostic.data)
            if diagnostic.source != "mindport" or payload is None:
                continue
            if payload.blocker or payload.version != state.result_version:
                continue
            ref = _reference_from_payload(state, payload)
            target = _target(ls, payload.api, payload.target)
            if ref is None:
                continue
            action = _action(ls, uri, state, ref, target, diagnostic)
            if action is not None:
                actions.append(action)
                done.add((ref.span.line, ref.span.col))
        # The cursor on a torch name with no diagnostic (e.g. a consistent API) also gets a fix.
        doc = ls.workspace.get_text_document(uri)
        where = from_client_position(doc.position_codec, state.lines, params.range.start)
        if where is not None:
            ref = state.result.reference_at(*where)
            if ref is not None and (ref.span.line, ref.span.col) not in done:
                action = _fix_for_reference(ls, uri, state, ref)
                if action is not None:
                    actions.append(action)
        return actions or None


def _fix_for_reference(
    ls: MindportServer, uri: str, state: DocumentState, ref: TorchReference
) -> types.CodeAction | None:
    assessment: Assessment | None = assess(ref, ls.db, ls.settings.device)
    if assessment is None or assessment.fix_blocker is not None:
        return None
    return _action(ls, uri, state, ref, assessment.target, None)
