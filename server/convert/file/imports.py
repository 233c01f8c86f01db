"""Imports of the port: torch imports nothing uses any more go, `import mindspore` (and the
few standard modules conversions use) come in where the first torch import was."""

from __future__ import annotations

import libcst as cst

# Modules the conversion writes fully qualified names of, and the import each needs.
_ADDED = {"functools": "import functools", "mindspore": "import mindspore"}


class _UsedNames(cst.CSTVisitor):
    """Names read anywhere outside import statements (over-approximate: a kept import is
    safer than a missing one)."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.bound: set[str] = set()

    def visit_Import(self, node: cst.Import) -> bool:
        for alias in node.names:
            self.bound.add(_bound_name(alias))
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        if not isinstance(node.names, cst.ImportStar):
            for alias in node.names:
                self.bound.add(_bound_name(alias))
        return False

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        node.value.visit(self)
        return False

    def visit_Arg(self, node: cst.Arg) -> bool:
        node.value.visit(self)
        return False

    def visit_Param(self, node: cst.Param) -> bool:
        for part in (node.annotation, node.default):
            if part is not None:
                part.visit(self)
        return False

    def visit_Name(self, node: cst.Name) -> None:
        self.used.add(node.value)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        for part in (*node.decorators, node.params, node.body):
            part.visit(self)
        if node.returns is not None:
            node.returns.visit(self)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        for part in (*node.decorators, *node.bases, *node.keywords, node.body):
            part.visit(self)
        return False

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        # a string annotation ("Tensor") uses the names in it
        value = node.evaluated_value
        if isinstance(value, str) and value.replace(".", "").replace("_", "").isalnum():
            self.used.add(value.split(".")[0])


def _bound_name(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    name = alias.name
    while isinstance(name, cst.Attribute):
        name = name.value
    return name.value if isinstance(name, cst.Name) else ""


def _module_name(node: cst.BaseExpression | None) -> str:
    if node is None:
        return ""
    return cst.Module(body=[]).code_for_node(node)


def _is_torch(module: str) -> bool:
    return module == "torch" or module.startswith("torch.")


def used_names(module: cst.Module) -> set[str]:
    usage = _UsedNames()
    module.visit(usage)
    return usage.used


def tidy_imports(module: cst.Module, used_before: set[str] | None = None) -> cst.Module:
    """Drop torch imports nothing uses, and any import the conversion left unused (used in
    the source, `used_before`, not in the port); add the imports the port needs."""
    usage = _UsedNames()
    module.visit(usage)
    used = usage.used
    orphaned = (used_before or set()) - used
    missing = [
        cst.parse_statement(line)
        for name, line in _ADDED.items()
        if name in used and name not in usage.bound
    ]
    new_body: list[cst.CSTNode] = []
    pending: list[cst.EmptyLine] = []  # comments and blank lines above a removed import
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
            small = stmt.body[0]
            kept = _kept_torch_import(small, used, orphaned)
            if kept is not small:
                if missing:  # the new imports take the place of the first torch import
                    missing[0] = missing[0].with_changes(leading_lines=stmt.leading_lines)
                    new_body.extend(missing)
                    missing = []
                    stmt = stmt.with_changes(leading_lines=[])
                if kept is None:
                    pending.extend(stmt.leading_lines)
                    continue
                stmt = stmt.with_changes(body=[kept])
        if pending and hasattr(stmt, "leading_lines"):
            stmt = stmt.with_changes(leading_lines=[*pending, *stmt.leading_lines])
            pending = []
        new_body.append(stmt)
    if missing:
        at = _after_header(new_body)
        new_body[at:at] = missing
    return module.with_changes(body=new_body)


def _kept_torch_import(small: cst.BaseSmallStatement, used: set[str], orphaned: set[str]):
    """The import statement without its unused torch names (and names the conversion left
    unused): the same node when nothing goes, None when nothing of it is left."""
    if isinstance(small, cst.Import | cst.ImportFrom) and not isinstance(
        small.names, cst.ImportStar
    ):
        if any(_bound_name(a) in orphaned for a in small.names):
            names = [a for a in small.names if _bound_name(a) not in orphaned]
            if not names:
                return None
            names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            small = small.with_changes(names=names)
            reduced = _kept_torch_import(small, used, set())
            return reduced
    if isinstance(small, cst.Import):
        if not any(_is_torch(_module_name(a.name)) for a in small.names):
            return small
        names = [
            a for a in small.names if not _is_torch(_module_name(a.name)) or _bound_name(a) in used
        ]
    elif isinstance(small, cst.ImportFrom):
        if not _is_torch(_module_name(small.module)) or small.relative:
            return small
        if isinstance(small.names, cst.ImportStar):
            return small
        names = [a for a in small.names if _bound_name(a) in used]
    else:
        return small
    if not names:
        return None
    if len(names) == len(small.names):
        return small
    names[-1] = names[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    if isinstance(small, cst.ImportFrom):
        return (
            small.with_changes(names=names, lpar=None, rpar=None)
            if len(names) == 1
            else small.with_changes(names=names)
        )
    return small.with_changes(names=names)


def _after_header(body: list[cst.CSTNode]) -> int:
    """After the docstring and `from __future__` imports."""
    index = 0
    for i, stmt in enumerate(body):
        if not isinstance(stmt, cst.SimpleStatementLine):
            break
        small = stmt.body[0]
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString) and i == 0:
            index = i + 1
        elif isinstance(small, cst.ImportFrom) and _module_name(small.module) == "__future__":
            index = i + 1
        else:
            break
    return index
