"""Name scopes for the torch-reference analysis: which local name means which torch API.

Python's rule is followed where it matters for torch code: a name assigned anywhere in a
function is local to the whole function; class bodies are not visible from their methods;
function bodies run after the module has finished binding its names.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Literal

ScopeKind = Literal["module", "class", "function", "comprehension"]


@dataclass(slots=True)
class ClassFacts:
    """What `self.<name>` holds, as learned from the class's methods (mostly __init__)."""

    modules: set[str] = field(default_factory=set)  # self.conv = nn.Conv2d(...)
    tensors: set[str] = field(default_factory=set)  # self.w = nn.Parameter(...), buffers
    tensor_methods: set[str] = field(default_factory=set)  # methods seen returning a tensor


# What a local name holds, when local evidence says so.
#   tensor       a torch.Tensor (or Parameter)
#   module       an nn.Module instance: calling it gives a tensor
#   tensor_list  a list/tuple of tensors (torch.split results, [self.a(x), self.b(x)])
#   tensor_dict  a mapping to tensors (state_dict())
#   loader       a DataLoader: iterating it gives batches of tensors
#   tensor_fn    a function of this file that returns a tensor (annotated `-> Tensor`)
ValueKind = str


@dataclass(slots=True)
class Scope:
    kind: ScopeKind
    parent: Scope | None = None
    # Current binding of each name: a torch qualified name, or None when the name is bound
    # to something that is not torch (this is how shadowing is recorded).
    bindings: dict[str, str | None] = field(default_factory=dict)
    # Every name assigned somewhere in this function (Python makes them local everywhere in it).
    local_names: set[str] = field(default_factory=set)
    global_names: set[str] = field(default_factory=set)
    value_kinds: dict[str, ValueKind] = field(default_factory=dict)
    class_facts: ClassFacts | None = None  # for a class scope, and methods point at it
    is_forward: bool = False
    returns_tensor: bool = False  # a `return` in this function gives back a tensor
    # The module scope logs every change it undergoes, so an incremental update can rebuild
    # the bindings in force before any top-level statement (see server.analysis.incremental).
    ops: list[tuple[str, str, str | None]] | None = None

    def lookup(self, name: str) -> str | None:
        scope: Scope | None = self
        first = True
        while scope is not None:
            if scope.kind == "class" and not first:
                scope = scope.parent
                continue
            if name in scope.global_names:
                return _module_of(scope).bindings.get(name)
            if name in scope.bindings:
                return scope.bindings[name]
            if scope.kind in ("function", "comprehension") and name in scope.local_names:
                return None  # local but not bound (yet): never the module's torch name
            first = False
            scope = scope.parent
        return None

    def bind(self, name: str, qualified: str | None) -> None:
        self.bindings[name] = qualified
        if qualified is None:
            self.value_kinds.pop(name, None)
        if self.ops is not None:
            self.ops.append(("bind", name, qualified))

    def set_kind(self, name: str, kind: ValueKind | None) -> None:
        if kind is None:
            self.value_kinds.pop(name, None)
        else:
            self.value_kinds[name] = kind
        if self.ops is not None:
            self.ops.append(("kind", name, kind))

    def mark_tensor(self, name: str) -> None:
        self.set_kind(name, "tensor")

    def replay(self, ops: list[tuple[str, str, str | None]]) -> None:
        """Apply logged changes (from another run) to this scope, logging them again."""
        for op, name, value in ops:
            if op == "bind":
                self.bind(name, value)
            else:
                self.set_kind(name, value)

    def state(self) -> tuple[dict[str, str | None], dict[str, ValueKind]]:
        return dict(self.bindings), dict(self.value_kinds)

    def kind_of(self, name: str) -> ValueKind | None:
        scope: Scope | None = self
        while scope is not None:
            if scope.kind == "class" and scope is not self:
                scope = scope.parent
                continue
            kind = scope.value_kinds.get(name)
            if kind is not None:
                return kind
            if name in scope.bindings or name in scope.local_names:
                return None
            if scope.kind == "module":
                return None
            scope = scope.parent
        return None

    def is_tensor_name(self, name: str) -> bool:
        return self.kind_of(name) == "tensor"

    def is_module_instance(self, name: str) -> bool:
        return self.kind_of(name) == "module"

    def enclosing_class_facts(self) -> ClassFacts | None:
        scope: Scope | None = self
        while scope is not None:
            if scope.class_facts is not None:
                return scope.class_facts
            scope = scope.parent
        return None


def _module_of(scope: Scope) -> Scope:
    while scope.parent is not None:
        scope = scope.parent
    return scope


def names_bound_in(
    body: list[ast.stmt], args: ast.arguments | None, has_walrus: bool = True
) -> tuple[set[str], set[str]]:
    """Local and `global` names of a function body, without entering nested scopes.

    Only statements bind names (plus `:=`, looked for only when the body's text has one):
    walking statements and their targets is several times faster than walking every node.
    """
    local: set[str] = set()
    declared: set[str] = set()
    globals_: set[str] = set()
    if args is not None:
        for a in (*args.posonlyargs, *args.args, *args.kwonlyargs):
            local.add(a.arg)
        if args.vararg:
            local.add(args.vararg.arg)
        if args.kwarg:
            local.add(args.kwarg.arg)
    stack: list[ast.stmt] = list(body)
    while stack:
        node = stack.pop()
        match node:
            case ast.Global() | ast.Nonlocal():
                declared.update(node.names)
                if isinstance(node, ast.Global):
                    globals_.update(node.names)
            case ast.FunctionDef() | ast.AsyncFunctionDef() | ast.ClassDef():
                local.add(node.name)
            case ast.Import() | ast.ImportFrom():
                for alias in node.names:
                    local.add((alias.asname or alias.name).split(".")[0])
            case ast.Assign():
                for target in node.targets:
                    _target_names(target, local)
            case ast.AugAssign() | ast.AnnAssign():
                _target_names(node.target, local)
            case ast.For() | ast.AsyncFor():
                _target_names(node.target, local)
            case ast.With() | ast.AsyncWith():
                for item in node.items:
                    if item.optional_vars is not None:
                        _target_names(item.optional_vars, local)
            case ast.Delete():
                for target in node.targets:
                    _target_names(target, local)
            case ast.Try() | ast.TryStar():
                for handler in node.handlers:
                    if handler.name:
                        local.add(handler.name)
                    stack.extend(handler.body)
            case ast.Match():
                for case in node.cases:
                    for sub in ast.walk(case.pattern):
                        name = getattr(sub, "name", None)
                        if isinstance(sub, ast.MatchAs | ast.MatchStar) and name:
                            local.add(name)
                    stack.extend(case.body)
        for block_name in ("body", "orelse", "finalbody"):
            block = getattr(node, block_name, None)
            if block and not isinstance(
                node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
            ):
                stack.extend(block)
    if has_walrus:
        for stmt in body:
            for sub in ast.walk(stmt):
                if isinstance(sub, ast.NamedExpr) and isinstance(sub.target, ast.Name):
                    local.add(sub.target.id)
    return local - declared, globals_


def _target_names(target: ast.expr, into: set[str]) -> None:
    if isinstance(target, ast.Name):
        into.add(target.id)
    elif isinstance(target, ast.Tuple | ast.List):
        for elt in target.elts:
            _target_names(elt, into)
    elif isinstance(target, ast.Starred):
        _target_names(target.value, into)
