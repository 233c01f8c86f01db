"""After a function is rewritten: a local whose every use went with the conversion (`device =
x.device` used only in `.to(device)`, `loc = f"cuda:{rank}"` used only in `map_location=loc`)
and whose value has no side effect is dropped (it would be an unused variable)."""

from __future__ import annotations

import libcst as cst

from server.convert.file.text import code


def _pure(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.SimpleString | cst.FormattedString | cst.Integer | cst.Float):
        return True
    if isinstance(value, cst.Name | cst.Attribute):
        return True
    if isinstance(value, cst.Subscript) and isinstance(value.value, cst.Dict):
        return True  # a table looked up by the device (`{"GPU": "nccl", ...}[target]`)
    return code(value).startswith("mindspore.get_context(")


class _Loads(cst.CSTVisitor):
    def __init__(self) -> None:
        self.names: set[str] = set()

    def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
        return not isinstance(node.target, cst.Name)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> bool:
        if node.value is not None:
            node.value.visit(self)
        node.annotation.visit(self)
        return not isinstance(node.target, cst.Name)

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)  # not the keyword's name
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.names.add(node.value)


def _loads(node: cst.CSTNode) -> set[str]:
    visitor = _Loads()
    node.visit(visitor)
    return visitor.names


def _store(stmt: cst.CSTNode) -> tuple[str, cst.BaseExpression] | None:
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    small = stmt.body[0]
    if isinstance(small, cst.Assign) and len(small.targets) == 1:
        target, value = small.targets[0].target, small.value
    elif isinstance(small, cst.AnnAssign) and small.value is not None:
        target, value = small.target, small.value
    else:
        return None
    return (target.value, value) if isinstance(target, cst.Name) else None


def drop_dead_stores(original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
    before = _loads(original.body)
    after = _loads(updated.body)
    gone = before - after  # read in the source, not in the port
    if not gone:
        return updated
    dead: set[int] = set()

    class Find(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False  # nested functions are cleaned on their own

        def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
            store = _store(node)
            if store is not None and store[0] in gone and _pure(store[1]):
                dead.add(id(node))

    updated.body.visit(Find())
    if not dead:
        return updated

    class Remove(cst.CSTTransformer):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def leave_SimpleStatementLine(self, original_node, updated_node):
            return cst.RemovalSentinel.REMOVE if id(original_node) in dead else updated_node

    return updated.with_changes(body=updated.body.visit(Remove()))
