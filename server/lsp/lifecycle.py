"""Open, change and close: keep each document's analysis current and publish diagnostics."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.uris import to_fs_path

from server.lsp.diagnostics import publish, publish_empty, refresh_all

if TYPE_CHECKING:
    from server.lsp.server import MindportServer

log = logging.getLogger(__name__)


def _is_python(uri: str, language_id: str | None = None) -> bool:
    if language_id is not None:
        return language_id == "python"
    return uri.endswith((".py", ".pyi"))


def analyse(server: MindportServer, uri: str, edit: tuple[int, int, str] | None = None) -> None:
    doc = server.workspace.get_text_document(uri)
    if not _is_python(uri, doc.language_id):
        return
    state = server.documents.update(uri, doc.version, doc.source, edit)
    if not server.pulls_diagnostics:
        publish(server, uri)
    ask_jedi(server, uri, state)


def ask_jedi(server: MindportServer, uri: str, state) -> None:
    """Send the receivers local evidence left open to jedi; publish what it confirms."""
    candidates = state.unresolved()
    if server.jedi is None or not candidates or state.stale:
        return
    future = server.jedi.confirm(
        "\n".join(state.lines), to_fs_path(uri), [r.span for r in candidates]
    )
    loop = asyncio.get_running_loop()

    def done(fut) -> None:
        if fut.cancelled() or fut.exception() is not None:
            return
        loop.call_soon_threadsafe(_apply, server, uri, state, fut.result())

    future.add_done_callback(done)


def _apply(server: MindportServer, uri: str, state, confirmed: set) -> None:
    if server.documents.get(uri) is not state or not confirmed:
        return  # the document changed meanwhile: a newer question is on its way
    state.confirm(confirmed)
    if server.pulls_diagnostics:
        refresh_all(server)
    else:
        publish(server, uri)


def register(server: MindportServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: MindportServer, params: types.DidOpenTextDocumentParams) -> None:
        analyse(ls, params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: MindportServer, params: types.DidChangeTextDocumentParams) -> None:
        edit = None
        changes = params.content_changes
        if len(changes) == 1 and isinstance(changes[0], types.TextDocumentContentChangePartial):
            change = changes[0]
            edit = (change.range.start.line, change.range.end.line, change.text)
        analyse(ls, params.text_document.uri, edit)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: MindportServer, params: types.DidSaveTextDocumentParams) -> None:
        # Nothing to do: the text was analysed on change.
        return None

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: MindportServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.documents.close(params.text_document.uri)
        publish_empty(ls, params.text_document.uri)
