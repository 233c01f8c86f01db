"""Local evidence about what an expression holds: a tensor, an nn.Module, a list of tensors...

Mixed into the statement analyzer, which provides `_resolve_chain`. Only facts visible in the
file are used: torch calls, tensor operators, annotations, `forward` arguments, layers and
parameters registered on `self`, module outputs, parameter/state-dict iteration, DataLoader
batches. What cannot be decided here stays undecided (later: jedi, with a time budget).
"""

from __future__ import annotations

import ast

from mapping_db.tensor_methods import TENSOR_ONLY_METHODS
from server.analysis.scopes import Scope, ValueKind
from server.analysis.tensor_evidence import (
    MODULE_TENSOR_ATTRIBUTES,
    TENSOR_ATTRIBUTES,
    returns_tensor_from_method,
    returns_tensor_from_torch_call,
    returns_tensors_from_method,
    returns_tensors_from_torch_call,
)

# Calls on a module whose iteration yields tensors / (name, tensor) / modules / (name, module).
_ITER_TENSORS = frozenset({"parameters", "buffers"})
_ITER_NAMED_TENSORS = frozenset({"named_parameters", "named_buffers"})
_ITER_MODULES = frozenset({"modules", "children"})
_ITER_NAMED_MODULES = frozenset({"named_modules", "named_children"})
_MODULE_CONTAINERS = frozenset({"ModuleList", "Sequential", "ModuleDict"})


class ValueEvidence:
    def _resolve_chain(self, node: ast.expr | None, scope: Scope) -> str | None:  # pragma: no cover
        raise NotImplementedError  # provided by the analyzer

    def _name_says_tensor(self, func: ast.Attribute, scope: Scope) -> bool:  # pragma: no cover
        raise NotImplementedError  # provided by the analyzer

    def _annotation_is_tensor(self, node: ast.expr, scope: Scope) -> bool:
        return self._resolve_chain(node, scope) in (
            "torch.Tensor",
            "torch.nn.Parameter",
            "torch.nn.parameter.Parameter",
        )

    def _annotation_kind(self, node: ast.expr, scope: Scope) -> ValueKind | None:
        """Tensor, nn.Module, list[Tensor] / tuple[Tensor, ...], dict[str, Tensor]."""
        if self._annotation_is_tensor(node, scope):
            return "tensor"
        if self._resolve_chain(node, scope) == "torch.nn.Module":
            return "module"
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
            container = node.value.id.lower()
            args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            tensor_args = [a for a in args if self._annotation_is_tensor(a, scope)]
            if container in ("dict", "mapping") and len(args) == 2 and tensor_args == [args[1]]:
                return "tensor_dict"
            if container in ("list", "tuple", "sequence", "iterable") and tensor_args:
                if len(tensor_args) == len([a for a in args if not isinstance(a, ast.Constant)]):
                    return "tensor_list"
        return None

    def _makes_torch_module(self, node: ast.expr, scope: Scope) -> bool:
        if not isinstance(node, ast.Call):
            return False
        if isinstance(node.func, ast.Name) and scope.kind_of(node.func.id) == "module_class":
            return True  # an nn.Module subclass defined in this file
        qualified = self._resolve_chain(node.func, scope)
        if qualified is None or not qualified.startswith("torch.nn."):
            return False
        last = qualified.rsplit(".", 1)[-1]
        return last[:1].isupper() and last != "Parameter"

    def _is_module_class(self, base: ast.expr, scope: Scope) -> bool:
        """A base class that makes a class an nn.Module (torch's, or one of this file's)."""
        if isinstance(base, ast.Name) and scope.kind_of(base.id) == "module_class":
            return True
        qualified = self._resolve_chain(base, scope)
        return (
            qualified is not None
            and qualified.startswith("torch.nn.")
            and (qualified.rsplit(".", 1)[-1][:1].isupper())
        )

    def _value_kind(self, node: ast.expr, scope: Scope) -> ValueKind | None:
        """What an assigned value holds, as far as local evidence goes."""
        if self._is_tensor(node, scope):
            return "tensor"
        if self._is_size(node, scope):
            return "size"
        if self._makes_torch_module(node, scope):
            return "module"
        match node:
            case ast.Call() if isinstance(node.func, ast.Name) and node.func.id in (
                "list",
                "tuple",
                "sorted",
            ):
                if node.args:
                    elements = self._element_kinds(node.args[0], scope, ast.Name("_"))
                    if elements and all(kind == "tensor" for _, kind in elements):
                        return "tensor_list"
            case ast.Call():
                qualified = self._resolve_chain(node.func, scope)
                if qualified is not None:
                    if qualified == "torch.utils.data.DataLoader":
                        return "loader"
                    if returns_tensors_from_torch_call(qualified):
                        return "tensor_list"
                    return None
                func = node.func
                if isinstance(func, ast.Attribute):
                    if func.attr == "state_dict":
                        return "tensor_dict"
                    if self._is_tensor(func.value, scope) and returns_tensors_from_method(
                        func.attr
                    ):
                        return "tensor_list"
            case ast.List() | ast.Tuple():
                if node.elts and all(self._is_tensor(e, scope) for e in node.elts):
                    return "tensor_list"
            case ast.ListComp() | ast.GeneratorExp():
                return "tensor_list" if self._comprehension_makes_tensors(node, scope) else None
            case ast.Name():
                kind = scope.kind_of(node.id)
                values = ("tensor", "module", "tensor_list", "tensor_dict", "loader")
                return kind if kind in values else None
        return None

    def _comprehension_makes_tensors(self, node: ast.ListComp | ast.GeneratorExp, scope) -> bool:
        inner = Scope("comprehension", parent=scope)
        for gen in node.generators:
            self._bind_iteration(gen.target, gen.iter, inner)
        return self._is_tensor(node.elt, inner)

    def _bind_iteration(self, target: ast.expr, iterable: ast.expr, scope: Scope) -> None:
        """Give loop / comprehension targets the kind of what `iterable` yields."""
        element = self._element_kinds(iterable, scope, target)
        if element is None:
            return
        for name, kind in element:
            scope.set_kind(name, kind)

    def _element_kinds(
        self, iterable: ast.expr, scope: Scope, target: ast.expr
    ) -> list[tuple[str, ValueKind]] | None:
        def names(node: ast.expr) -> list[str]:
            return [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]

        def nth(index: int) -> ast.expr | None:
            if isinstance(target, ast.Tuple | ast.List) and len(target.elts) > index:
                return target.elts[index]
            return None

        # enumerate(x) / zip(...) : (index, element)
        if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name):
            if iterable.func.id == "enumerate" and iterable.args:
                second = nth(1)
                return self._element_kinds(iterable.args[0], scope, second) if second else None
            if iterable.func.id == "zip" and isinstance(target, ast.Tuple | ast.List):
                out: list[tuple[str, ValueKind]] = []
                for part, sub in zip(iterable.args, target.elts, strict=False):
                    out += self._element_kinds(part, scope, sub) or []
                return out
            if iterable.func.id in ("reversed", "list", "tuple", "sorted") and iterable.args:
                return self._element_kinds(iterable.args[0], scope, target)
        if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Attribute):
            method = iterable.func.attr
            if method in _ITER_TENSORS:
                return [(n, "tensor") for n in names(target)]
            if method in _ITER_MODULES:
                return [(n, "module") for n in names(target)]
            second = nth(1)
            if method in _ITER_NAMED_TENSORS and second is not None:
                return [(n, "tensor") for n in names(second)]
            if method in _ITER_NAMED_MODULES and second is not None:
                return [(n, "module") for n in names(second)]
            owner = self._value_kind(iterable.func.value, scope)
            if owner == "tensor_dict" and method == "values":
                return [(n, "tensor") for n in names(target)]
            if owner == "tensor_dict" and method == "items" and second is not None:
                return [(n, "tensor") for n in names(second)]
        kind = self._value_kind(iterable, scope)
        if kind in ("tensor", "tensor_list"):
            if isinstance(target, ast.Name):
                return [(target.id, "tensor")]
            return [(n, "tensor") for n in names(target)]  # rows of a tensor of pairs
        if kind == "loader" and isinstance(target, ast.Tuple | ast.List):
            return [(n, "tensor") for n in names(target)]  # `for x, y in loader` (a dict: unknown)
        if self._is_module_container(iterable, scope):
            return [(n, "module") for n in names(target)]
        return None

    def _is_size(self, node: ast.expr, scope: Scope) -> bool:
        """A torch.Size: `x.shape`, `x.size()`, or a slice of one (it has .numel() too)."""
        match node:
            case ast.Attribute(attr="shape"):
                return True
            case ast.Call(func=ast.Attribute(attr="size"), args=[]):
                return True
            case ast.Subscript():
                return self._is_size(node.value, scope)
            case ast.Name():
                return scope.kind_of(node.id) == "size"
        return False

    def _is_module_container(self, node: ast.expr, scope: Scope) -> bool:
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "self":
                facts = scope.enclosing_class_facts()
                return facts is not None and node.attr in facts.modules
        if isinstance(node, ast.Name):
            return scope.kind_of(node.id) == "module"
        return False

    def _is_module_value(self, node: ast.expr, scope: Scope) -> bool:
        """An nn.Module: a module-typed name, `self.<layer>`, an item of a ModuleList."""
        match node:
            case ast.Name():
                return scope.kind_of(node.id) == "module"
            case ast.Attribute() if isinstance(node.value, ast.Name) and node.value.id == "self":
                facts = scope.enclosing_class_facts()
                return facts is not None and node.attr in facts.modules
            case ast.Subscript():
                return self._is_module_container(node.value, scope)
        return False

    def _is_tensor(self, node: ast.expr, scope: Scope) -> bool:
        match node:
            case ast.Name():
                return scope.is_tensor_name(node.id)
            case ast.Call():
                return self._call_returns_tensor(node, scope)
            case ast.BinOp():
                return self._is_tensor(node.left, scope) or self._is_tensor(node.right, scope)
            case ast.Compare() if len(node.comparators) == 1:
                return self._is_tensor(node.left, scope) or self._is_tensor(
                    node.comparators[0], scope
                )
            case ast.UnaryOp():
                return self._is_tensor(node.operand, scope)
            case ast.Subscript():
                if self._is_tensor(node.value, scope):
                    return True
                return self._value_kind(node.value, scope) in ("tensor_list", "tensor_dict")
            case ast.IfExp():
                return self._is_tensor(node.body, scope) or self._is_tensor(node.orelse, scope)
            case ast.Attribute():
                if node.attr == "grad":
                    return True  # only tensors have a .grad in model code
                if node.attr in TENSOR_ATTRIBUTES:
                    return self._is_tensor(node.value, scope)
                if node.attr in MODULE_TENSOR_ATTRIBUTES and self._is_module_value(
                    node.value, scope
                ):
                    return True
                if isinstance(node.value, ast.Name) and node.value.id == "self":
                    facts = scope.enclosing_class_facts()
                    return facts is not None and node.attr in facts.tensors
                return False
        return False

    def _call_returns_tensor(self, node: ast.Call, scope: Scope) -> bool:
        func = node.func
        qualified = self._resolve_chain(func, scope)
        if qualified is not None:
            return returns_tensor_from_torch_call(qualified)
        if self._is_module_value(func, scope):
            return True  # calling a layer: its output
        if isinstance(func, ast.Attribute):
            if isinstance(func.value, ast.Name) and func.value.id == "self":
                facts = scope.enclosing_class_facts()
                if facts is not None and func.attr in facts.tensor_methods:
                    return True
            if self._is_tensor(func.value, scope):
                return returns_tensor_from_method(func.attr)
            if func.attr in TENSOR_ONLY_METHODS and self._name_says_tensor(func, scope):
                return returns_tensor_from_method(func.attr)
            return False
        if isinstance(func, ast.Name):
            return scope.kind_of(func.id) == "tensor_fn"
        return False
