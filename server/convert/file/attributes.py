"""Layer attributes by their MindSpore names (`bn.weight` -> `bn.gamma`), from the table in
the mapping database (mapping_db/data/layer_attributes.toml), where the layer's type is
known: an `isinstance` test around the use, a `self.<name>` assigned a layer, or a variable
assigned one."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from mapping_db.layer_attributes import layer_table
from server.convert.file.prescan import LOCAL
from server.convert.file.text import expr

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer


def _type_of_name(conv: FileTransformer, node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Call):
        return None
    ref = conv.name_ref(node)
    if ref is not None:
        return ref.qualified_name
    if isinstance(node, cst.Name) and node.value in conv.ctx.module_classes | set(
        conv.ctx.layer_attributes
    ):
        return LOCAL + node.value
    if isinstance(node, cst.Name):
        return LOCAL + node.value
    return None


def narrowing(conv: FileTransformer, test: cst.BaseExpression) -> dict[str, set[str]]:
    """`isinstance(m, nn.BatchNorm2d)` -> {"m": {"torch.nn.BatchNorm2d"}}."""
    if not (
        isinstance(test, cst.Call)
        and isinstance(test.func, cst.Name)
        and test.func.value == "isinstance"
        and len(test.args) == 2
        and isinstance(test.args[0].value, cst.Name)
    ):
        return {}
    kinds = test.args[1].value
    elements = kinds.elements if isinstance(kinds, cst.Tuple) else [cst.Element(kinds)]
    types = {_type_of_name(conv, e.value) for e in elements}
    if None in types:
        return {}
    return {test.args[0].value.value: {t for t in types if t is not None}}


def annotated_layers(conv: FileTransformer, node: cst.FunctionDef) -> dict[str, set[str]]:
    """Parameters annotated with a torch layer (`bn: nn.BatchNorm2d`)."""
    found: dict[str, set[str]] = {}
    params = node.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        if param.annotation is None:
            continue
        ref = conv.name_ref(param.annotation.annotation)
        if ref is not None and ref.qualified_name in layer_table():
            found[param.name.value] = {ref.qualified_name}
    return found


def _types(conv: FileTransformer, receiver: cst.BaseExpression) -> set[str]:
    """The torch layer types `receiver` may hold (empty when unknown)."""
    if isinstance(receiver, cst.Name):
        for scope in reversed(conv.narrowed):
            if receiver.value in scope:
                return scope[receiver.value]
        kind = conv.ctx.assigned_from.get(receiver.value)
        return {kind} if kind is not None and kind in layer_table() else set()
    if isinstance(receiver, cst.Attribute):
        owner = receiver.value
        owners: set[str] = set()
        if isinstance(owner, cst.Name) and owner.value == "self" and conv.class_stack:
            owners = {LOCAL + conv.class_stack[-1]}
        else:
            owners = _types(conv, owner)
        found = set()
        for kind in owners:
            if kind.startswith(LOCAL):
                attrs = conv.ctx.layer_attributes.get(kind[len(LOCAL) :], {})
                if receiver.attr.value in attrs:
                    found.add(attrs[receiver.attr.value])
        return found
    return set()


def rename_attribute(
    conv: FileTransformer, original: cst.Attribute, updated: cst.Attribute
) -> cst.BaseExpression:
    table = layer_table()
    name = original.attr.value
    types = [t for t in _types(conv, original.value) if t in table]
    if not types:
        return updated
    names = {table[t].mindspore_name(name) for t in types}
    if len(names) != 1:
        conv.mark(original, f"`{name}` has different MindSpore names for these layers", "layer")
        return updated
    new = names.pop()
    if new == name:
        return updated
    conv.ctx.count_found("layer")
    if not new:
        conv.mark(original, f"MindSpore's {types[0].rsplit('.', 1)[1]} has no `{name}`", "layer")
        return updated
    head, _, last = new.rpartition(".")
    value = updated.value
    if head:
        value = expr(f"{cst.Module([]).code_for_node(value)}.{head}")
    return updated.with_changes(value=value, attr=cst.Name(last))
