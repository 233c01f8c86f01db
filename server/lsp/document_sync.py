"""Open, change and close: keep each document's analysis current and publish diagnostics."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.uris import to_fs_path

from server.lsp.diagnostic_items import publish_message
from server.lsp.diagnostics import build_diagnostics, publish, publish_empty, refresh_all
from server.lsp.first_document import is_python, take_analysis

if TYPE_CHECKING:
    from server.lsp.documents import DocumentState
    from server.lsp.server import MindportServer

log = logging.getLogger(__name__)


# A skipped analysis is made up for after this long if the queued change that superseded
# it never arrived as one (a client's malformed message is dropped).
SAFETY_NET_S = 0.5


def _analyse_if_skipped(server: MindportServer, uri: str) -> None:
    if uri in server.awaiting_analysis and uri in server.workspace.text_documents:
        analyse(server, uri)


# A document whose last analysis took longer than this, or that has more lines, is analysed
# off the request loop, its diagnostics built and encoded there too, so that hovers and code
# actions on it are answered meanwhile (from the previous version): on the loop, only the
# message is written.
OFF_LOOP_ABOVE_MS = 15.0
OFF_LOOP_LINES = 1_000


def analyse(server: MindportServer, uri: str) -> None:
    server.awaiting_analysis.discard(uri)
    doc = server.workspace.get_text_document(uri)
    if not is_python(uri, doc.language_id):
        return
    ticket = server.analysis_tickets.get(uri, 0) + 1
    server.analysis_tickets[uri] = ticket
    previous = server.documents.get(uri)
    if previous is None and (early := take_analysis(uri, doc.version, doc.source)) is not None:
        # the first document, analysed while pygls was being imported (first_document); its
        # diagnostics went out already unless the settings are not those they were made with
        state, published_with = early
        published = published_with == server.settings and not server.pulls_diagnostics
        _analysed(server, uri, server.documents.install(state), publish_it=not published)
        return
    if previous is not None and (
        previous.took_ms > OFF_LOOP_ABOVE_MS or len(previous.lines) > OFF_LOOP_LINES
    ):
        loop = asyncio.get_running_loop()
        future = server.analysis_thread().submit(
            _analyse_and_encode, server, uri, doc.version, doc.source
        )

        def done(fut) -> None:
            loop.call_soon_threadsafe(_install, server, uri, ticket, fut)

        future.add_done_callback(done)
        return
    _analysed(server, uri, server.documents.update(uri, doc.version, doc.source))


def _analyse_and_encode(
    server: MindportServer, uri: str, version: int | None, source: str
) -> tuple[DocumentState, bytes | None, int]:
    """Off the loop: the analysis, and its publishDiagnostics message encoded (pushed
    diagnostics), with the settings generation it was built for."""
    generation = server.settings_generation
    state = server.documents.compute(uri, version, source)
    if server.pulls_diagnostics:
        return state, None, generation
    items = build_diagnostics(server, state)
    body = json.dumps(publish_message(uri, state.version, items)).encode()
    return state, b"Content-Length: %d\r\n\r\n" % len(body) + body, generation


def _install(server: MindportServer, uri: str, ticket: int, future) -> None:
    if future.cancelled():
        return
    if future.exception() is not None:
        log.error("analysis of %s failed: %s", uri, future.exception())
        return
    if server.analysis_tickets.get(uri) != ticket or uri not in server.workspace.text_documents:
        return  # a newer version is being analysed (or the document was closed)
    state, message, generation = future.result()
    state = server.documents.install(state)
    if message is None or generation != server.settings_generation:
        _analysed(server, uri, state)  # settings changed meanwhile: built again
        return
    written = server.protocol.writer.write(message)
    if inspect.isawaitable(written):
        asyncio.ensure_future(written)
    _analysed(server, uri, state, publish_it=False)


def _analysed(server: MindportServer, uri: str, state, publish_it: bool = True) -> None:
    if publish_it and not server.pulls_diagnostics:
        publish(server, uri)
    ask_jedi(server, uri, state)
    if not server.background_started and server.start_background_work is not None:
        # the first diagnostics are out: the start-up work may begin
        asyncio.get_running_loop().call_soon(server.start_background_work)


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
        uri = params.text_document.uri
        if ls.read_ahead is not None and ls.read_ahead.superseded(uri):
            # a later change of this document is queued: its analysis replaces this one
            ls.awaiting_analysis.add(uri)
            asyncio.get_running_loop().call_later(SAFETY_NET_S, _analyse_if_skipped, ls, uri)
            return
        analyse(ls, uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: MindportServer, params: types.DidSaveTextDocumentParams) -> None:
        # Nothing to do: the text was analysed on change.
        return None

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: MindportServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.awaiting_analysis.discard(params.text_document.uri)
        ls.analysis_tickets.pop(params.text_document.uri, None)
        ls.documents.close(params.text_document.uri)
        publish_empty(ls, params.text_document.uri)
