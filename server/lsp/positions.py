"""Convert between our positions (code points) and the client's (UTF-16 unless negotiated),
with pygls' position codec; the pygls-free helpers are in server.lsp.diagnostic_items.

Most lines are ASCII, where both agree; only other lines pay for a conversion.
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from server.analysis.findings import Span
from server.lsp.diagnostic_items import client_column, line_text


def to_client_column(codec: PositionCodec, line: str, col: int) -> int:
    return client_column(codec.client_num_units, line, col)


def span_to_range(codec: PositionCodec, lines: Sequence[str], span: Span) -> types.Range:
    start_line = line_text(lines, span.line)
    end_line = start_line if span.end_line == span.line else line_text(lines, span.end_line)
    return types.Range(
        start=types.Position(span.line, to_client_column(codec, start_line, span.col)),
        end=types.Position(span.end_line, to_client_column(codec, end_line, span.end_col)),
    )


def from_client_position(
    codec: PositionCodec, lines: Sequence[str], position: types.Position
) -> tuple[int, int] | None:
    """(line, code-point column), or None when the position lies outside the document."""
    if position.line < 0 or position.line >= len(lines) or position.character < 0:
        return None
    line = line_text(lines, position.line)
    if line.isascii():
        return (position.line, min(position.character, len(line)))
    units = 0
    for index, char in enumerate(line):
        if units >= position.character:
            return (position.line, index)
        units += codec.client_num_units(char)
    return (position.line, len(line))
