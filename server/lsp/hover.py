"""Hover: the MindSpore equivalent of the torch reference under the cursor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from server.advice.compliance import reported_in
from server.advice.hover_text import hover_markdown
from server.lsp.positions import from_client_position, span_to_range

if TYPE_CHECKING:
    from server.lsp.server import MindportServer


def register(server: MindportServer) -> None:
    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: MindportServer, params: types.HoverParams) -> types.Hover | None:
        uri = params.text_document.uri
        state = ls.documents.get(uri)
        if state is None:
            return None
        doc = ls.workspace.get_text_document(uri)
        where = from_client_position(doc.position_codec, state.lines, params.position)
        if where is None:
            return None
        ref = state.result.reference_at(*where)
        ref = state.judged(ref) if ref is not None else None
        if ref is None or not reported_in(ref.qualified_name, ls.settings.mode):
            return None
        text = hover_markdown(
            ls.db, ref.qualified_name, ls.settings.device, confidence=ref.confidence
        )
        return types.Hover(
            contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text),
            range=span_to_range(doc.position_codec, state.lines, ref.span),
        )
