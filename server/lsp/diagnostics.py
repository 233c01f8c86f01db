"""Diagnostics: one per torch reference that needs care, pushed or pulled.

Each diagnostic carries its fix in `data` (server.lsp.fix_payload; docs/architecture.md,
decision 8), so a code action needs no analysis of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from server.advice.assess import Assessment
from server.advice.compliance import RULES
from server.advice.policy import finding_level
from server.analysis.findings import Span
from server.lsp.fix_payload import FixPayload
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


def _range_dict(codec, lines, span: Span) -> dict:
    r = span_to_range(codec, lines, span)
    return {
        "start": {"line": r.start.line, "character": r.start.character},
        "end": {"line": r.end.line, "character": r.end.character},
    }


def build_diagnostics(server: MindportServer, state: DocumentState) -> list[dict]:
    """Diagnostics as LSP JSON objects.

    Built as plain dicts: on a file with thousands of torch references, making lsprotocol
    objects and unstructuring them with cattrs took longer than the analysis itself.
    """
    settings = server.settings
    doc = server.workspace.get_text_document(state.uri)
    lines = state.lines
    codec = doc.position_codec
    out: list[dict] = []
    if state.syntax_error is not None and settings.severity["syntax"] != "off":
        err = state.syntax_error
        note = " (showing findings from the last version that parsed)" if state.stale else ""
        out.append(
            {
                "range": {
                    "start": {"line": err.line, "character": 0},
                    "end": {"line": err.line + 1, "character": 0},
                },
                "message": f"syntax error: {err.message}{note}",
                "severity": _SEVERITY[settings.severity["syntax"]].value,
                "source": SOURCE,
                "code": "syntax",
            }
        )
    if state.skipped:
        out.append(
            {
                "range": {
                    "start": {"line": 0, "character": 0},
                    "end": {"line": 0, "character": 0},
                },
                "message": f"mindport did not analyse this file: {state.skipped}",
                "severity": types.DiagnosticSeverity.Information.value,
                "source": SOURCE,
                "code": "skipped",
            }
        )
    for assessment in state.assessments(server.db, settings.device, settings.mode):
        level = finding_level(assessment, settings)
        if level is None:
            continue
        severity = _SEVERITY[level].value
        diagnostic = {
            "range": _range_dict(codec, lines, assessment.reference.span),
            "message": assessment.message,
            "severity": severity,
            "source": SOURCE,
            "code": assessment.kind.replace("_", "-"),
            "data": FixPayload.of(assessment, state.result_version).to_json(),
        }
        link = _link(assessment)
        if link:
            diagnostic["codeDescription"] = {"href": link}
        out.append(diagnostic)
    # the last alignment run's findings in this file (server.lsp.run_commands)
    out.extend(getattr(server, "run_diagnostics", {}).get(state.uri, ()))
    return out


def _link(assessment: Assessment) -> str | None:
    if assessment.rule is not None:
        return RULES[assessment.rule].link
    target = assessment.target
    return (target.diff_url or target.url) if target is not None else None


def _notify(server: MindportServer, params: dict) -> None:
    # Sent as JSON directly: see build_diagnostics for why no lsprotocol objects.
    server.protocol._send_data(
        {"jsonrpc": "2.0", "method": types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, "params": params}
    )


def publish(server: MindportServer, uri: str) -> None:
    state = server.documents.get(uri)
    if state is None:
        return
    params = {"uri": uri, "diagnostics": build_diagnostics(server, state)}
    if state.version is not None:
        params["version"] = state.version
    _notify(server, params)


def publish_empty(server: MindportServer, uri: str) -> None:
    _notify(server, {"uri": uri, "diagnostics": []})


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
            from server.lsp.document_sync import analyse

            analyse(ls, uri)
            state = ls.documents.get(uri)
        if state is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])
        result_id = f"{state.version}:{ls.settings_generation}"
        if params.previous_result_id == result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return {"kind": "full", "items": build_diagnostics(ls, state), "resultId": result_id}
