"""Diagnostics: one per torch reference that needs care, pushed or pulled.

Each diagnostic carries its fix in `data` (DESIGN decision 8), so a code action needs no
analysis of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from server.advice.assess import Assessment
from server.analysis.findings import Span
from server.lsp.positions import span_to_range

if TYPE_CHECKING:
    from server.lsp.documents import DocumentState
    from server.lsp.server import MindportServer

SOURCE = "mindport"
_SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "information": types.DiagnosticSeverity.Information,
    "hint": types.DiagnosticSeverity.Hint,
}


def fix_data(assessment: Assessment, version: int | None) -> dict:
    ref = assessment.reference
    call = ref.call.span if ref.call is not None else None
    return {
        "api": ref.qualified_name,
        "target": assessment.target.api if assessment.target is not None else None,
        "context": ref.context,
        "span": _span_list(ref.span),
        "call": _span_list(call) if call is not None else None,
        "version": version,
        "blocker": assessment.fix_blocker,
    }


def _span_list(span: Span) -> list[int]:
    return [span.line, span.col, span.end_line, span.end_col]


def build_diagnostics(server: MindportServer, state: DocumentState) -> list[types.Diagnostic]:
    settings = server.settings
    doc = server.workspace.get_text_document(state.uri)
    lines = doc.lines
    codec = doc.position_codec
    out: list[types.Diagnostic] = []
    if state.syntax_error is not None and settings.severity["syntax"] != "off":
        err = state.syntax_error
        where = types.Position(err.line, 0)
        note = " (showing findings from the last version that parsed)" if state.stale else ""
        out.append(
            types.Diagnostic(
                range=types.Range(where, types.Position(err.line + 1, 0)),
                message=f"syntax error: {err.message}{note}",
                severity=_SEVERITY[settings.severity["syntax"]],
                source=SOURCE,
                code="syntax",
            )
        )
    if state.skipped:
        out.append(
            types.Diagnostic(
                range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                message=f"mindport did not analyse this file: {state.skipped}",
                severity=types.DiagnosticSeverity.Information,
                source=SOURCE,
                code="skipped",
            )
        )
    for assessment in state.assessments(server.db, settings.device):
        if assessment.reference.confidence != "certain" and not settings.tensor_methods:
            continue
        level = settings.severity[assessment.kind]
        if level == "off":
            continue
        severity = _SEVERITY[level]
        if assessment.reference.confidence != "certain":
            severity = max(severity, types.DiagnosticSeverity.Information)
        out.append(
            types.Diagnostic(
                range=span_to_range(codec, lines, assessment.reference.span),
                message=assessment.message,
                severity=severity,
                source=SOURCE,
                code=assessment.kind.replace("_", "-"),
                data=fix_data(assessment, state.result_version),
                code_description=_link(assessment),
            )
        )
    return out


def _link(assessment: Assessment) -> types.CodeDescription | None:
    target = assessment.target
    url = (target.diff_url or target.url) if target is not None else None
    return types.CodeDescription(href=url) if url else None


def publish(server: MindportServer, uri: str) -> None:
    state = server.documents.get(uri)
    if state is None:
        return
    server.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(
            uri=uri, version=state.version, diagnostics=build_diagnostics(server, state)
        )
    )


def publish_empty(server: MindportServer, uri: str) -> None:
    server.text_document_publish_diagnostics(
        types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
    )


def refresh_all(server: MindportServer) -> None:
    """After a settings change: re-send pushed diagnostics or ask the client to pull again."""
    if server.pulls_diagnostics:
        caps = server.client_capabilities.workspace
        if caps is not None and caps.diagnostics is not None and caps.diagnostics.refresh_support:
            server.workspace_diagnostic_refresh(None)
        return
    for uri in list(server.workspace.text_documents):
        publish(server, uri)


def register(server: MindportServer) -> None:
    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier=SOURCE, inter_file_dependencies=False, workspace_diagnostics=False
        ),
    )
    def pull(ls: MindportServer, params: types.DocumentDiagnosticParams):
        uri = params.text_document.uri
        state = ls.documents.get(uri)
        if state is None:
            from server.lsp.lifecycle import analyse

            analyse(ls, uri)
            state = ls.documents.get(uri)
        if state is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        result_id = f"{state.version}:{ls.settings_generation}"
        if params.previous_result_id == result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return types.RelatedFullDocumentDiagnosticReport(
            items=build_diagnostics(ls, state), result_id=result_id
        )
