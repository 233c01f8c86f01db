"""Class structure: `nn.Module` -> `nn.Cell` (through the engine), `forward` -> `construct`,
train/eval, parameters, buffers, sub-module iteration, `nn.Sequential`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from server.analysis.findings import TorchReference
from server.convert.file.text import expr

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _expr(text: str) -> cst.BaseExpression:
    return expr(text)


# torch.nn containers whose MindSpore class takes the same arguments.
_CONTAINERS = {
    "torch.nn.Sequential": "mindspore.nn.SequentialCell",
    "torch.nn.ModuleList": "mindspore.nn.CellList",
    "torch.nn.ModuleDict": "mindspore.nn.CellDict",
}


def in_module_class(conv: FileTransformer) -> bool:
    return bool(conv.class_stack) and conv.class_stack[-1] in conv.ctx.module_classes


def convert_function(conv: FileTransformer, original, updated: cst.FunctionDef):
    if updated.name.value == "forward" and len(conv.class_stack) and in_module_class(conv):
        conv.ctx.count_found("structure")
        return updated.with_changes(name=cst.Name("construct"))
    return updated


def convert_name(conv, original, updated, ref: TorchReference):
    target = _CONTAINERS.get(ref.qualified_name)
    return _expr(target) if target is not None else None


def _method_call(node: cst.Call) -> tuple[cst.BaseExpression, str] | None:
    if isinstance(node.func, cst.Attribute):
        return node.func.value, node.func.attr.value
    return None


def _positional(node: cst.Call) -> list[cst.Arg]:
    return [a for a in node.args if a.keyword is None and not a.star]


# MindSpore's CellDict may not hold a CellList, SequentialCell or CellDict (torch's ModuleDict
# may): such a dict becomes this small Cell, written once into the port.
CELL_NAMESPACE = "CellNamespace"
CELL_NAMESPACE_CODE = f'''

class {CELL_NAMESPACE}(mindspore.nn.Cell):
    """Named sub-cells, reached as attributes or by name (a ModuleDict that may hold
    lists of cells, which MindSpore's CellDict may not)."""

    def __init__(self, cells):
        super().__init__()
        for name, cell in dict(cells).items():
            setattr(self, name, cell)

    def __getitem__(self, name):
        return getattr(self, name)
'''
_NESTED = ("mindspore.nn.CellList(", "mindspore.nn.SequentialCell(", "mindspore.nn.CellDict(")


def convert_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    for ref in refs:
        target = _CONTAINERS.get(ref.qualified_name)
        if target is not None and ref.context == "call":
            if any(a.keyword is not None for a in updated.args):
                return None  # let the engine judge keywords
            if ref.qualified_name == "torch.nn.ModuleDict" and any(
                n in _code(updated) for n in _NESTED
            ):
                conv.ctx.helpers.add(CELL_NAMESPACE_CODE)
                return updated.with_changes(func=cst.Name(CELL_NAMESPACE))
            return updated.with_changes(func=_expr(target))
    method = _method_call(updated)
    if method is None:
        return None
    receiver, name = method
    if any(r.context == "tensor-method" for r in refs):
        return None  # a tensor's method: the engine's business
    handler = _MODULE_METHODS.get(name)
    if handler is None:
        return None
    result = handler(conv, original, updated, receiver)
    if result is not None:
        conv.ctx.extra_site(conv.end(original), "structure")
    return result


def _set_train(conv, original, updated, receiver):
    if _code(receiver) in ("super()",):
        return None
    if original.func.attr.value == "eval":
        if updated.args:
            return None
        return updated.with_changes(
            func=updated.func.with_changes(attr=cst.Name("set_train")),
            args=[cst.Arg(cst.Name("False"))],
        )
    if len(updated.args) > 1 or any(a.star for a in updated.args):
        return None
    args = [a.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT) for a in updated.args]
    return updated.with_changes(
        func=updated.func.with_changes(attr=cst.Name("set_train")), args=args
    )


def _renamed(new: str):
    def rename(conv, original, updated, receiver):
        if updated.args:
            return None
        return updated.with_changes(func=updated.func.with_changes(attr=cst.Name(new)))

    return rename


def _modules(conv, original, updated, receiver):
    if updated.args:
        return None
    return _expr(f"(cell for _, cell in {_code(receiver)}.cells_and_names())")


def _named_children(conv, original, updated, receiver):
    if updated.args:
        return None
    return _expr(f"{_code(receiver)}.name_cells().items()")


def _forward(conv, original, updated, receiver):
    if _code(receiver) not in ("self", "super()") or not in_module_class(conv):
        return None
    return updated.with_changes(func=updated.func.with_changes(attr=cst.Name("construct")))


def _load_state_dict(conv, original, updated, receiver):
    positional = _positional(updated)
    if len(positional) != 1 or len(updated.args) > 2:
        return None
    return _expr(f"mindspore.load_param_into_net({_code(receiver)}, {_code(positional[0].value)})")


_MODULE_METHODS = {
    "train": _set_train,
    "eval": _set_train,
    "parameters": _renamed("trainable_params"),
    "named_parameters": _renamed("parameters_and_names"),
    "modules": _modules,
    "named_modules": _renamed("cells_and_names"),
    "children": _renamed("cells"),
    "named_children": _named_children,
    "forward": _forward,
    "state_dict": _renamed("parameters_dict"),
    "load_state_dict": _load_state_dict,
}


def register_buffer(conv: FileTransformer, updated: cst.SimpleStatementLine):
    """`self.register_buffer("name", t[, persistent])` -> `self.name = Parameter(t, ...)`."""
    if len(updated.body) != 1 or not isinstance(updated.body[0], cst.Expr):
        return None
    call = updated.body[0].value
    if not (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Attribute)
        and call.func.attr.value == "register_buffer"
    ):
        return None
    owner = _code(call.func.value)
    args = {a.keyword.value if a.keyword else i: a.value for i, a in enumerate(call.args)}
    name = args.get(0, args.get("name"))
    value = args.get(1, args.get("tensor"))
    persistent = args.get(2, args.get("persistent"))
    if not isinstance(name, cst.SimpleString) or value is None or not name.evaluated_value:
        return None
    attr = name.evaluated_value
    value_code = _code(value)
    if value_code == "None":
        new = f"{owner}.{attr} = None"
    elif persistent is not None and _code(persistent) == "False":
        new = f"{owner}.{attr} = {value_code}"  # not saved, not a parameter: a plain tensor
    else:
        new = (
            f"{owner}.{attr} = mindspore.Parameter({value_code}, name={attr!r},"
            " requires_grad=False)"
        )
    statement = cst.parse_statement(new)
    conv.ctx.count_found("structure")
    return statement.with_changes(
        leading_lines=updated.leading_lines, trailing_whitespace=updated.trailing_whitespace
    )
