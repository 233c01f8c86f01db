"""Code text <-> libcst nodes for the rewrites."""

from __future__ import annotations

import libcst as cst


def code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def expr(text: str) -> cst.BaseExpression:
    """Parse generated expression text; text that spans lines (a receiver broken over lines
    inside the file's own brackets) parses inside parentheses."""
    try:
        return cst.parse_expression(text)
    except cst.ParserSyntaxError:
        return cst.parse_expression(f"({text})")
