"""torch utilities MindSpore has no counterpart for, as small functions with torch's signature
written into the port:

- `torch.finfo(dtype)`: bits, eps, max, min, tiny (smallest_normal), resolution and dtype of a
  floating dtype (torch's values, as Python floats; float32 when none is given);
- `torch.nn.utils.parameters_to_vector(parameters)`: the parameters flattened and joined in
  order;
- `torch.nn.utils.vector_to_parameters(vec, parameters)`: each parameter takes its slice of
  `vec`, in order, through `set_data` (torch makes the parameters views of `vec`; here they hold
  copies of its values)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from server.analysis.findings import TorchReference
from server.convert.file.text import expr

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer

FINFO_HELPER = '''
def finfo_torch_args(dtype=None):
    """torch.finfo: the limits of a floating dtype (float32 when none is given)."""
    import types

    dtype = mindspore.float32 if dtype is None else dtype
    limits = {
        mindspore.float16: (16, 2.0**-10, 65504.0, 2.0**-14, 0.001),
        mindspore.bfloat16: (16, 2.0**-7, 3.3895313892515355e38, 2.0**-126, 0.01),
        mindspore.float32: (32, 2.0**-23, 3.4028234663852886e38, 2.0**-126, 1e-06),
        mindspore.float64: (64, 2.0**-52, 1.7976931348623157e308, 2.0**-1022, 1e-15),
    }
    if dtype not in limits:
        raise TypeError(f"torch.finfo() requires a floating point input type, not {dtype}")
    bits, eps, largest, tiny, resolution = limits[dtype]
    return types.SimpleNamespace(
        bits=bits, eps=eps, max=largest, min=-largest, tiny=tiny, smallest_normal=tiny,
        resolution=resolution, dtype=str(dtype).lower(),
    )
'''

PARAMETERS_TO_VECTOR_HELPER = '''
def parameters_to_vector_torch_args(parameters):
    """torch.nn.utils.parameters_to_vector: the parameters flattened and joined, in order."""
    return mindspore.ops.cat([param.reshape(-1) for param in parameters])
'''

VECTOR_TO_PARAMETERS_HELPER = '''
def vector_to_parameters_torch_args(vec, parameters):
    """torch.nn.utils.vector_to_parameters: each parameter takes its slice of `vec`, in order."""
    if not isinstance(vec, mindspore.Tensor):
        raise TypeError(f"expected a Tensor, but got: {type(vec).__name__}")
    offset = 0
    for param in parameters:
        size = param.numel()
        param.set_data(vec[offset : offset + size].reshape(param.shape))
        offset += size
'''

# torch name -> (parameters in order, the port's function, its helper)
_FUNCTIONS = {
    "torch.finfo": (("type",), "finfo_torch_args", FINFO_HELPER),
    "torch.nn.utils.parameters_to_vector": (
        ("parameters",),
        "parameters_to_vector_torch_args",
        PARAMETERS_TO_VECTOR_HELPER,
    ),
    "torch.nn.utils.convert_parameters.parameters_to_vector": (
        ("parameters",),
        "parameters_to_vector_torch_args",
        PARAMETERS_TO_VECTOR_HELPER,
    ),
    "torch.nn.utils.vector_to_parameters": (
        ("vec", "parameters"),
        "vector_to_parameters_torch_args",
        VECTOR_TO_PARAMETERS_HELPER,
    ),
    "torch.nn.utils.convert_parameters.vector_to_parameters": (
        ("vec", "parameters"),
        "vector_to_parameters_torch_args",
        VECTOR_TO_PARAMETERS_HELPER,
    ),
}


def convert_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    ref = next((r for r in refs if r.context == "call" and r.qualified_name in _FUNCTIONS), None)
    if ref is None:
        return None
    params, function, helper = _FUNCTIONS[ref.qualified_name]
    if len(updated.args) > len(params) or any(a.star for a in updated.args):
        return None
    positional: list[cst.Arg] = []
    for arg in updated.args:  # keywords by torch's names, written by position
        if arg.keyword is None:
            positional.append(arg)
        elif arg.keyword.value in params[len(positional) :]:
            positional.append(arg.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT))
        else:
            return None
    conv.ctx.helpers.add(helper)
    return updated.with_changes(func=expr(function), args=positional)
