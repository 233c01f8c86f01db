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


# languageIds clients use for Python; a client without filetype detection sends "" or
# "plaintext" for a .py file, which is analysed for its name.
PYTHON_LANGUAGE_IDS = frozenset({"python", "python3", "py", "pyi"})
PYTHON_SUFFIXES = (".py", ".pyi", ".pyw")


def is_python(uri: str, language_id: str | None = None) -> bool:
    """A Python document: by its languageId (notebook cells, untitled buffers) or its name."""
    if (language_id or "").strip().lower() in PYTHON_LANGUAGE_IDS:
        return True
    path = uri.split("#", 1)[0].split("?", 1)[0]
    return path.lower().endswith(PYTHON_SUFFIXES)


# A skipped analysis is made up for after this long if the queued change that superseded
# it never arrived as one (a client's malformed message is dropped).
SAFETY_NET_S = 0.5


def _analyse_if_skipped(server: MindportServer, uri: str) -> None:
    if uri in server.awaiting_analysis and uri in server.workspace.text_documents:
        analyse(server, uri)


# A document whose last analysis took longer than this is analysed off the request loop,
# so that hovers and code actions on it are answered meanwhile (from the previous version).
OFF_LOOP_ABOVE_MS = 15.0


def analyse(server: MindportServer, uri: str) -> None:
    server.awaiting_analysis.discard(uri)
    doc = server.workspace.get_text_document(uri)
    if not is_python(uri, doc.language_id):
        return
    ticket = server.analysis_tickets.get(uri, 0) + 1
    server.analysis_tickets[uri] = ticket
    previous = server.documents.get(uri)
    if previous is not None and previous.took_ms > OFF_LOOP_ABOVE_MS:
        loop = asyncio.get_running_loop()
        future = server.analysis_thread().submit(
            server.documents.compute, uri, doc.version, doc.source
        )

        def done(fut) -> None:
            loop.call_soon_threadsafe(_install, server, uri, ticket, fut)

        future.add_done_callback(done)
        return
    _analysed(server, uri, server.documents.update(uri, doc.version, doc.source))


def _install(server: MindportServer, uri: str, ticket: int, future) -> None:
    if future.cancelled():
        return
    if future.exception() is not None:
        log.error("analysis of %s failed: %s", uri, future.exception())
        return
    if server.analysis_tickets.get(uri) != ticket or uri not in server.workspace.text_documents:
        return  # a newer version is being analysed (or the document was closed)
    _analysed(server, uri, server.documents.install(future.result()))


def _analysed(server: MindportServer, uri: str, state) -> None:
    if not server.pulls_diagnostics:
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
