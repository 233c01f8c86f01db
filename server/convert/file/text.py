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


def statement_call(stmt: cst.CSTNode) -> cst.Call | None:
    """The call a one-line statement is (`opt.step()`, `f(x)`), or None."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    line = stmt.body[0]
    if isinstance(line, cst.Expr) and isinstance(line.value, cst.Call):
        return line.value
    return None


def statement_method(stmt: cst.CSTNode) -> tuple[str, str, cst.Call] | None:
    """`a.b.method(...)` as a whole statement -> ("a.b", "method", the call)."""
    call = statement_call(stmt)
    if call is None or not isinstance(call.func, cst.Attribute):
        return None
    return code(call.func.value), call.func.attr.value, call
