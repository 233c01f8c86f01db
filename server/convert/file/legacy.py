"""torch's legacy typed constructors (`torch.LongTensor(labels)`, `torch.FloatTensor(3, 4)`):
one name for two calls, told apart when the port runs, as torch does: whole numbers are sizes
(torch leaves the contents uninitialised; the port's are zeros), anything else is the data.
Written into the port as `legacy_tensor(<dtype>, ...)`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from server.analysis.findings import TorchReference
from server.convert.file.text import code, expr

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer

_DTYPES = {
    "FloatTensor": "float32",
    "DoubleTensor": "float64",
    "HalfTensor": "float16",
    "BFloat16Tensor": "bfloat16",
    "LongTensor": "int64",
    "IntTensor": "int32",
    "ShortTensor": "int16",
    "CharTensor": "int8",
    "ByteTensor": "uint8",
    "BoolTensor": "bool_",
}
LEGACY_CONSTRUCTORS = tuple(_DTYPES)
HELPER = "legacy_tensor"
HELPER_CODE = '''

def legacy_tensor(dtype, *args):
    """torch.<Type>Tensor(*sizes) or torch.<Type>Tensor(data): zeros of those sizes, or the data
    as a tensor of that type."""
    if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        return mindspore.ops.zeros(args, dtype)
    if len(args) != 1:
        raise TypeError("a legacy tensor constructor takes sizes or one sequence of data")
    data = args[0]
    if isinstance(data, mindspore.Tensor):
        return data.astype(dtype)
    return mindspore.Tensor(data, dtype)
'''


def convert_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    ref = next((r for r in refs if r.context == "call"), None)
    if ref is None or not ref.qualified_name.startswith("torch."):
        return None
    kind = ref.qualified_name.removeprefix("torch.")
    if kind not in _DTYPES or conv.in_type_check:
        return None
    if any(a.keyword is not None or a.star for a in updated.args):
        return None  # device=..., *sizes: left to the engine (and its marker)
    conv.ctx.helpers.add(HELPER_CODE)
    args = "".join(f", {code(a.value)}" for a in updated.args)
    return expr(f"{HELPER}(mindspore.{_DTYPES[kind]}{args})")
