"""Weight initialisation: `nn.init.<fn>_(t, ...)` -> `t.set_data(initializer(<Init>(...),
t.shape, t.dtype))` with MindSpore's initializers, torch's defaults written out (MindSpore's
differ, e.g. Normal's sigma is 0.01 where torch's std is 1)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from server.analysis.findings import TorchReference
from server.convert.file.text import expr

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer

INIT = "mindspore.common.initializer"

# torch function -> (MindSpore initializer, [(torch parameter, MindSpore parameter, torch
# default)] in torch's positional order after the tensor)
_INITS: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "constant_": ("Constant", [("val", "value", "")]),
    "zeros_": ("Zero", []),
    "ones_": ("One", []),
    "normal_": ("Normal", [("mean", "mean", "0.0"), ("std", "sigma", "1.0")]),
    "trunc_normal_": (
        "TruncatedNormal",
        [("mean", "mean", "0.0"), ("std", "sigma", "1.0"), ("a", "a", "-2.0"), ("b", "b", "2.0")],
    ),
    "xavier_uniform_": ("XavierUniform", [("gain", "gain", "1.0")]),
    "xavier_normal_": ("XavierNormal", [("gain", "gain", "1.0")]),
    "kaiming_normal_": (
        "HeNormal",
        [
            ("a", "negative_slope", "0"),
            ("mode", "mode", "'fan_in'"),
            ("nonlinearity", "nonlinearity", "'leaky_relu'"),
        ],
    ),
    "kaiming_uniform_": (
        "HeUniform",
        [
            ("a", "negative_slope", "0"),
            ("mode", "mode", "'fan_in'"),
            ("nonlinearity", "nonlinearity", "'leaky_relu'"),
        ],
    ),
    "orthogonal_": ("Orthogonal", [("gain", "gain", "1.0")]),
}
_IGNORED = ("generator",)


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


# In-place initialisation through `.data` (`m.weight.data.normal_(0, 0.02)`): the nn.init
# function that does the same.
_DATA_INITS = {
    "normal_": "normal_",
    "fill_": "constant_",
    "zero_": "zeros_",
    "uniform_": "uniform_",
}


def convert_data_init(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    """`t.data.normal_(0, 0.02)` -> `t.set_data(initializer(Normal(...), ...))`."""
    func = updated.func
    if not (
        isinstance(func, cst.Attribute)
        and func.attr.value in _DATA_INITS
        and isinstance(func.value, cst.Attribute)
        and func.value.attr.value == "data"
        and any(r.qualified_name == "pattern:param-data-inplace" for r in refs)
    ):
        return None
    name = _DATA_INITS[func.attr.value]
    tensor = func.value.value
    call = updated.with_changes(args=[cst.Arg(tensor), *updated.args])
    result = _initializer(name, call)
    conv.ctx.consume_patterns(refs)
    return result


def convert_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    ref = next((r for r in refs if r.qualified_name.startswith("torch.nn.init.")), None)
    if ref is None:
        return None
    name = ref.qualified_name.removeprefix("torch.nn.init.")
    if name == "calculate_gain":
        return _gain(updated)
    if name not in _INITS and name != "uniform_":
        return None  # the engine says what it knows
    return _initializer(name, updated)


# torch.nn.init.calculate_gain's table (its documented values), for a nonlinearity named by a
# string literal: the number itself goes into the port.
_GAINS = {
    "linear": "1.0", "sigmoid": "1.0", "conv1d": "1.0", "conv2d": "1.0",
    "conv3d": "1.0", "conv_transpose1d": "1.0", "conv_transpose2d": "1.0",
    "conv_transpose3d": "1.0", "tanh": "5.0 / 3", "relu": "2.0**0.5", "selu": "3.0 / 4",
}  # fmt: skip


def _gain(updated: cst.Call) -> cst.BaseExpression | None:
    """`init.calculate_gain('relu')` -> `2.0**0.5`; leaky_relu with its slope (default 0.01)."""
    args = updated.args
    if not args or len(args) > 2 or any(a.star for a in args):
        return None
    first = args[0].value
    if not isinstance(first, cst.SimpleString) or not isinstance(first.evaluated_value, str):
        return None
    nonlinearity = first.evaluated_value
    if nonlinearity in _GAINS and len(args) == 1:
        return expr(f"({_GAINS[nonlinearity]})")
    if nonlinearity == "leaky_relu":
        slope = cst.Module([]).code_for_node(args[1].value) if len(args) == 2 else "0.01"
        return expr(f"(2.0 / (1 + ({slope}) ** 2)) ** 0.5")
    return None


def _initializer(name: str, updated: cst.Call) -> cst.BaseExpression:
    from server.convert.file.transformer import Unconvertible

    if any(a.star for a in updated.args) or not updated.args:
        raise Unconvertible(f"nn.init.{name} with these arguments needs a manual port")
    tensor = updated.args[0].value
    if updated.args[0].keyword is not None and updated.args[0].keyword.value != "tensor":
        raise Unconvertible(f"nn.init.{name}: pass the tensor first")
    given = _arguments(name, updated.args[1:])
    if name == "uniform_":
        init = _uniform(given)
    else:
        cls, params = _INITS[name]
        parts = []
        for torch_name, ms_name, default in params:
            value = given.pop(torch_name, default)
            if not value:
                raise Unconvertible(f"nn.init.{name}: `{torch_name}` is required")
            parts.append(f"{ms_name}={value}")
        if given:
            raise Unconvertible(f"nn.init.{name}: {', '.join(given)} has no MindSpore counterpart")
        init = f"{INIT}.{cls}({', '.join(parts)})"
    t = _code(tensor)
    return expr(f"{t}.set_data({INIT}.initializer({init}, {t}.shape, {t}.dtype))")


def _arguments(name: str, args) -> dict[str, str]:
    from server.convert.file.transformer import Unconvertible

    order = [p[0] for p in _INITS[name][1]] if name in _INITS else ["a", "b"]
    given: dict[str, str] = {}
    for index, arg in enumerate(args):
        if arg.keyword is None:
            if index >= len(order):
                raise Unconvertible(f"nn.init.{name}: too many arguments")
            given[order[index]] = _code(arg.value)
        elif arg.keyword.value not in _IGNORED:
            given[arg.keyword.value] = _code(arg.value)
        elif _code(arg.value) != "None":
            raise Unconvertible(f"nn.init.{name}: a generator has no MindSpore counterpart")
    return given


def _uniform(given: dict[str, str]) -> str:
    """U(a, b) from MindSpore's Uniform(scale), which draws from U(-scale, scale)."""
    from server.convert.file.transformer import Unconvertible

    a = given.pop("a", "0.0")
    b = given.pop("b", "1.0")
    if given:
        raise Unconvertible(f"nn.init.uniform_: {', '.join(given)} has no MindSpore counterpart")
    if a == f"-{b}" or a == f"-({b})":
        return f"{INIT}.Uniform(scale={b})"
    raise Unconvertible(
        f"nn.init.uniform_ over [{a}, {b}]: MindSpore's Uniform draws from [-scale, scale]"
    )
