"""Facts about the file's own names, gathered before rewriting: which classes are torch
modules or datasets, what layer each `self.<name>` holds, what each variable was assigned
from, and how loops unpack their loaders."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from server.convert.file.context import ConversionContext
from server.convert.file.evidence import int_arguments

_DATASETS = ("torch.utils.data.Dataset", "torch.utils.data.IterableDataset")
LOCAL = "local:"  # type prefix of a class defined in the file


class _Prescan(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, ctx: ConversionContext) -> None:
        self.ctx = ctx
        self.classes: list[str] = []
        self.local_classes: set[str] = set()

    def _end(self, node: cst.CSTNode) -> tuple[int, int]:
        pos = self.get_metadata(PositionProvider, node).end
        return (pos.line, pos.column)

    def qualified(self, node: cst.CSTNode) -> str | None:
        """The torch name a name or call refers to, or `local:<Class>`."""
        if isinstance(node, cst.Call):
            for ref in self.ctx.calls.get(self._end(node), []):
                if ref.context == "call":
                    return ref.qualified_name
            return self.qualified(node.func) if isinstance(node.func, cst.Name) else None
        ref = self.ctx.names.get(self._end(node))
        if ref is not None:
            return ref.qualified_name
        if isinstance(node, cst.Name) and node.value in self.local_classes:
            return LOCAL + node.value
        return None

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        name = node.name.value
        for base in node.bases:
            kind = self.qualified(base.value)
            if kind is None:
                continue
            if kind in _DATASETS:
                self.ctx.dataset_classes.add(name)
            elif kind.startswith("torch.nn.") or (
                kind.startswith(LOCAL) and kind[len(LOCAL) :] in self.ctx.module_classes
            ):
                self.ctx.module_classes.add(name)
        self.local_classes.add(name)
        self.classes.append(name)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.classes.pop()

    def visit_Call(self, node: cst.Call) -> None:
        for ref in self.ctx.calls.get(self._end(node), []):
            if ref.context == "call":
                self.ctx.int_expressions |= int_arguments(node, ref.qualified_name)

    def visit_Assign(self, node: cst.Assign) -> None:
        if not isinstance(node.value, cst.Call):
            return
        kind = self.qualified(node.value)
        if kind is None:
            return
        for target in node.targets:
            t = target.target
            if isinstance(t, cst.Name):
                self.ctx.assigned_from[t.value] = kind
                self.ctx.assigned_at[self._end(node.value)] = t.value
            elif (
                isinstance(t, cst.Attribute)
                and isinstance(t.value, cst.Name)
                and t.value.value == "self"
                and self.classes
            ):
                owner = self.classes[-1]
                self.ctx.layer_attributes.setdefault(owner, {})[t.attr.value] = kind
                self.ctx.assigned_at[self._end(node.value)] = t.attr.value
                if kind == "torch.nn.ModuleDict":
                    self._module_dict(f"{owner}.{t.attr.value}", node.value)

    def _module_dict(self, name: str, call: cst.Call) -> None:
        """`nn.ModuleDict(dict(wte=nn.Embedding(...), ...))`: the layers by key, as if they
        were the attributes of a class named `<Class>.<attribute>`."""
        if len(call.args) != 1:
            return
        inner = call.args[0].value
        found: dict[str, str] = {}
        if (
            isinstance(inner, cst.Call)
            and isinstance(inner.func, cst.Name)
            and inner.func.value == "dict"
        ):
            for arg in inner.args:
                if arg.keyword is not None and isinstance(arg.value, cst.Call):
                    kind = self.qualified(arg.value)
                    if kind is not None:
                        found[arg.keyword.value] = kind
        elif isinstance(inner, cst.Dict):
            for element in inner.elements:
                if (
                    isinstance(element, cst.DictElement)
                    and isinstance(element.key, cst.SimpleString)
                    and isinstance(element.value, cst.Call)
                ):
                    kind = self.qualified(element.value)
                    key = element.key.evaluated_value
                    if kind is not None and isinstance(key, str):
                        found[key] = kind
        if found:
            self.ctx.layer_attributes[name] = found
            owner, _, attr = name.rpartition(".")
            self.ctx.layer_attributes[owner][attr] = LOCAL + name

    def visit_For(self, node: cst.For) -> None:
        if not isinstance(node.iter, cst.Name):
            return
        target = node.target
        if isinstance(target, cst.Tuple | cst.List):
            names = [e.value.value for e in target.elements if isinstance(e.value, cst.Name)]
            if len(names) == len(target.elements):
                self.ctx.loop_targets[node.iter.value] = names
        elif isinstance(target, cst.Name):
            self.ctx.loop_targets.setdefault(node.iter.value, [target.value])


def prescan(wrapper: MetadataWrapper, ctx: ConversionContext) -> None:
    wrapper.visit(_Prescan(ctx))
