"""Diagnostics: one per torch reference that needs care, pushed or pulled.

The diagnostics themselves are built without the protocol library
(server.lsp.diagnostic_items), so that the first ones can go out before it is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from server.lsp.diagnostic_items import SOURCE, diagnostic_items, publish_message

if TYPE_CHECKING:
    from server.lsp.documents import DocumentState
    from server.lsp.server import MindportServer


def build_diagnostics(server: MindportServer, state: DocumentState) -> list[dict]:
    """Diagnostics as LSP JSON objects (server.lsp.diagnostic_items)."""
    codec = server.workspace.get_text_document(state.uri).position_codec
    # the last alignment run's findings in this file (server.lsp.run_commands)
    extra = getattr(server, "run_diagnostics", {}).get(state.uri, ())
    return diagnostic_items(state, server.settings, server.db, codec.client_num_units, extra)


def _notify(server: MindportServer, params: dict) -> None:
    # Sent as JSON directly (server.lsp.diagnostic_items says why no lsprotocol objects).
    server.protocol._send_data(
        {"jsonrpc": "2.0", "method": types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, "params": params}
    )


def publish(server: MindportServer, uri: str) -> None:
    state = server.documents.get(uri)
    if state is None:
        return
    _notify(server, publish_message(uri, state.version, build_diagnostics(server, state))["params"])


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
