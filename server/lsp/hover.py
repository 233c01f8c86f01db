"""Hover: the MindSpore equivalent of the torch reference under the cursor.

Answered from the document's latest analysis; while a newer version of a large document is
being analysed (off the request loop), from the previous one where the hovered line did not
change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from server.advice.compliance import reported_in
from server.advice.hover_text import hover_markdown
from server.lsp.positions import from_client_position, span_to_range

if TYPE_CHECKING:
    from server.lsp.server import MindportServer


def _same_line(doc, lines: list[str], line: int) -> bool:
    """Whether the document's current text has the analysed text's `line` at that line."""
    current = doc.lines
    return line < len(current) and current[line].rstrip("\r\n") == lines[line].rstrip("\r\n")


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
        if state.version != doc.version and not _same_line(doc, state.lines, where[0]):
            return None  # the newer text's analysis is still running; this line changed
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
