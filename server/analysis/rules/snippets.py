"""Small helpers the fixers share: parse a finding's code on its own, cut a node's text."""

from __future__ import annotations

import ast

from server.analysis.edits import FixRefused


def parse_expr(source: str) -> ast.expr:
    try:
        return ast.parse(source.strip(), mode="eval").body
    except SyntaxError as exc:
        raise FixRefused(f"the code does not parse on its own: {exc.msg}") from exc


def code_of(node: ast.AST, source: str) -> str:
    segment = ast.get_source_segment(source, node)
    if segment is None:
        raise FixRefused("cannot locate the code to rewrite")
    return segment
