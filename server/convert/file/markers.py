"""`# mindport: <reason>` comments on the lines a person must finish."""

from __future__ import annotations

import libcst as cst

from server.convert.file.context import MARKER_PREFIX


def marker_text(reasons: list[str]) -> str:
    unique = list(dict.fromkeys(r.replace("\n", " ").strip() for r in reasons))
    return MARKER_PREFIX + "; ".join(unique)


def _comment(existing: cst.Comment | None, reasons: list[str]) -> cst.Comment:
    text = marker_text(reasons)
    if existing is not None:
        text = f"{existing.value}  {text}"
    return cst.Comment(text)


def _trailing(ws: cst.TrailingWhitespace, reasons: list[str]) -> cst.TrailingWhitespace:
    spacing = ws.whitespace if ws.comment is not None else cst.SimpleWhitespace("  ")
    return ws.with_changes(whitespace=spacing, comment=_comment(ws.comment, reasons))


def with_marker(node: cst.CSTNode, reasons: list[str]) -> cst.CSTNode:
    """The statement with the reasons in a comment at the end of its (first) line."""
    if isinstance(node, cst.SimpleStatementLine):
        return node.with_changes(trailing_whitespace=_trailing(node.trailing_whitespace, reasons))
    body = getattr(node, "body", None)
    if isinstance(body, cst.IndentedBlock):
        return node.with_changes(body=body.with_changes(header=_trailing(body.header, reasons)))
    if isinstance(body, cst.SimpleStatementSuite):
        trailing = _trailing(body.trailing_whitespace, reasons)
        return node.with_changes(body=body.with_changes(trailing_whitespace=trailing))
    return node


def count_markers(source: str) -> int:
    return sum(1 for line in source.splitlines() if MARKER_PREFIX in line)
