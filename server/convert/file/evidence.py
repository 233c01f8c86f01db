"""What the file itself says about a value's type, for arguments the engine cannot judge
alone: a name that is an `int` (a parameter annotated `int` or defaulting to an int literal,
a module constant assigned an int literal) is one axis where torch takes an int or a shape."""

from __future__ import annotations

import libcst as cst

from mapping_db.model import Target
from server.convert.call_rewrite import ONE_AXIS_SHAPE, PAIRS_TO_SIDES
from server.convert.file.text import expr

PAIR = "pair:"  # prefix of a name known to hold a pair (`padding: Tuple[int, int]`)


def _is_pair_annotation(annotation: cst.BaseExpression | None) -> bool:
    """`Tuple[int, int]` / `tuple[int, int]`."""
    if not isinstance(annotation, cst.Subscript):
        return False
    base = annotation.value
    name = base.value if isinstance(base, cst.Name) else None
    if name not in ("Tuple", "tuple") or len(annotation.slice) != 2:
        return False
    return all(
        isinstance(e.slice, cst.Index)
        and isinstance(e.slice.value, cst.Name)
        and e.slice.value.value == "int"
        for e in annotation.slice
    )


def is_int_literal(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Integer)


def int_parameters(node: cst.FunctionDef) -> set[str]:
    names: set[str] = set()
    params = node.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        annotation = param.annotation.annotation if param.annotation is not None else None
        if isinstance(annotation, cst.Name) and annotation.value == "int":
            names.add(param.name.value)
        elif _is_pair_annotation(annotation):
            names.add(PAIR + param.name.value)
        elif annotation is None and is_int_literal(param.default):
            names.add(param.name.value)
    return names


def module_int_constants(module: cst.Module) -> set[str]:
    names: set[str] = set()
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for small in stmt.body:
            if (
                isinstance(small, cst.Assign)
                and len(small.targets) == 1
                and isinstance(small.targets[0].target, cst.Name)
                and is_int_literal(small.value)
            ):
                names.add(small.targets[0].target.value)
    return names


# torch layers whose first arguments are ints: an expression passed there is an int elsewhere.
INT_ARGUMENTS = {
    "torch.nn.Linear": 2,
    "torch.nn.Embedding": 2,
    "torch.nn.Conv1d": 2,
    "torch.nn.Conv2d": 2,
    "torch.nn.Conv3d": 2,
    "torch.nn.MultiheadAttention": 2,
    "torch.nn.GRU": 2,
    "torch.nn.LSTM": 2,
}


def int_arguments(call: cst.Call, qualified: str) -> set[str]:
    """The code of the simple expressions a call passes where torch takes an int."""
    count = INT_ARGUMENTS.get(qualified, 0)
    found = set()
    for arg in call.args[:count]:
        if arg.keyword is None and not arg.star and isinstance(arg.value, cst.Name | cst.Attribute):
            found.add(cst.Module([]).code_for_node(arg.value))
    return found


def with_shape_evidence(call: cst.Call, target: Target, ints: set[str]) -> cst.Call:
    """`nn.LayerNorm(dim)` with `dim: int` -> `nn.LayerNorm((dim,))`, which the engine's
    one-axis transform accepts as it is."""
    names = [n for n, t in target.value_transforms.items() if t == ONE_AXIS_SHAPE]
    pairs = [n for n, t in target.value_transforms.items() if t == PAIRS_TO_SIDES]
    if not (names or pairs) or not target.torch_params:
        return call
    args = list(call.args)
    for index, arg in enumerate(args):
        if arg.star:
            return call
        name = (
            arg.keyword.value
            if arg.keyword
            else (target.torch_params[index] if index < len(target.torch_params) else None)
        )
        value = arg.value
        text = cst.Module([]).code_for_node(value)
        if name in names and isinstance(value, cst.Name | cst.Attribute) and text in ints:
            one = expr(f"({text},)")
            args[index] = arg.with_changes(value=one)
        elif name in pairs and isinstance(value, cst.Name) and PAIR + text in ints:
            # a pair by its elements: the engine spreads them over the sides
            args[index] = arg.with_changes(value=expr(f"({text}[0], {text}[1])"))
        elif name in pairs and isinstance(value, cst.Name) and text in ints:
            args[index] = arg.with_changes(value=expr(f"({text}, {text})"))
    return call.with_changes(args=args)
