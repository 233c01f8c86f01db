"""The typed plan of a quick fix: text edits on code-point spans, or the reason there is none.

Shared by the rule fixers (server.analysis.rules) and the call rewrite (server.convert), so
both refuse with the same exception and the LSP turns both into one kind of code action.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from server.analysis.findings import Span


class FixRefused(Exception):
    """The code cannot be rewritten safely; the message says why, for the user."""


@dataclass(frozen=True, slots=True)
class TextEditPlan:
    span: Span  # code points
    new_text: str


@dataclass(frozen=True, slots=True)
class FixPlan:
    title: str
    edits: tuple[TextEditPlan, ...]


def text_in_span(lines: Sequence[str], span: Span) -> str:
    if span.line == span.end_line:
        return lines[span.line][span.col : span.end_col]
    parts = [lines[span.line][span.col :]]
    parts += lines[span.line + 1 : span.end_line]
    parts.append(lines[span.end_line][: span.end_col])
    return "".join(parts) if parts[0].endswith("\n") else "\n".join(parts)
