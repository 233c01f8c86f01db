"""Calls whose MindSpore target does not run like torch's on a device, written in a form that
does (each found by running it on MindSpore 2.10):
- on CPU, `nn.CrossEntropyLoss` wants int32 class labels where torch's are int64:
  `ops.cross_entropy` takes both, with the same keywords, so the loss is a
  `functools.partial` of it;
- on CPU, `ops.interpolate` refuses `scale_factor` for bilinear/nearest 4-D input: a whole
  number scale is the same as `size=` the scaled spatial sizes (torch floors the product);
- on CPU, `ops.layer_norm` has no kernel: `F.layer_norm` is its workaround formula verified
  on the device (server.convert.file.calls.formula_call, as the quick fix writes it); a form
  the formula refuses (an input that is not a plain name, which it reads three times) with a
  weight is the `ops.LayerNorm` primitive (the kernel behind `nn.LayerNorm`) over the shape's
  last axes;
- `nn.MultiheadAttention(..., need_weights=False)` returns a 1-tuple in MindSpore where torch
  returns (output, None): the weights are asked for, so `out, _ = attn(...)` still unpacks;
- on CPU, `Tensor.unfold` (windows along an axis) fails: `unfold_torch_args`, written into the
  port, gathers the windows with an index (the same values, in torch's layout: the windows
  where the axis was, each window's elements last);
- on CPU, `nn.InstanceNorm2d` has no kernel: without running statistics it is a GroupNorm with
  one group per channel (the same statistics per sample and channel, the same per-channel
  scale and shift, named gamma and beta as InstanceNorm's are);
- one-argument `torch.where(cond)` is `nonzero(as_tuple=True)`, which has no CPU kernel: the
  columns of `ops.nonzero` (int64 coordinates in row-major order, as torch's) are the same
  tuple; `atleast_1d` makes a 0-d condition one element long, as torch does;
- `torch.set_num_threads(n)` is the thread count of CPU kernels,
  `mindspore.device_context.cpu.op_tuning.threads_num(n)` (MindSpore refuses a second call);
- `x.to_sparse()` (a sparse COO tensor) is `x.to_coo()`, and a COO tensor's `indices()` (int64,
  one row per dimension) is the transpose of MindSpore's `COOTensor.indices` (int32, one row per
  element), cast; the coordinates are in the same row-major order;
- `x.new_tensor(data)` (no MindSpore method) is `mindspore.tensor(data, dtype=x.dtype)`: a new
  tensor of the receiver's dtype (or the `dtype=` given), as torch makes it;
- `torch.view_as_complex` and `torch.nn.utils.rnn.pad_sequence` (no MindSpore function) are
  helpers written into the port, `view_as_complex_torch_args` (`ops.Complex` of the last
  axis's two halves: a new tensor, not a view) and `pad_sequence_torch_args`;
- `x.is_cuda`: every MindSpore tensor a kernel makes lives on the process's device, so it is
  whether that device is a GPU (the receiver, a name, is not evaluated)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from server.analysis.edits import FixRefused
from server.analysis.findings import TorchReference
from server.convert.file.text import expr

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer

# torch loss layer -> (device, functional target, the keywords both take)
_FUNCTIONAL = {
    "torch.nn.CrossEntropyLoss": (
        "CPU",
        "mindspore.ops.cross_entropy",
        ("weight", "ignore_index", "reduction", "label_smoothing"),
    ),
}


def prepare_interpolate(call: cst.Call, qualified: str, device: str) -> cst.Call:
    """`F.interpolate(x, scale_factor=2, ...)` -> `F.interpolate(x, size=tuple(...), ...)`
    before the engine rewrites it, when the scale is a whole number."""
    if qualified != "torch.nn.functional.interpolate" or device != "CPU":
        return call
    args = list(call.args)
    for index, arg in enumerate(args):
        is_scale = (arg.keyword is not None and arg.keyword.value == "scale_factor") or (
            arg.keyword is None and index == 2
        )
        if not is_scale or arg.star:
            continue
        value = arg.value
        whole = isinstance(value, cst.Integer) or (
            isinstance(value, cst.Float) and float(value.value).is_integer()
        )
        first = args[0].value if args and args[0].keyword is None else None
        if not whole or not isinstance(first, cst.Name):
            return call
        factor = int(float(value.value))
        size = expr(f"tuple(d * {factor} for d in {first.value}.shape[2:])")
        args[index] = arg.with_changes(keyword=cst.Name("size"), value=size, equal=_EQUAL)
        if arg.keyword is None:
            return call  # positional scale_factor after a positional size: leave it
        return call.with_changes(args=args)
    return call


_EQUAL = cst.AssignEqual(
    whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
)


def attention_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    """`self.attn(q, k, v, need_weights=False)` where self.attn is a MultiheadAttention."""
    func = original.func
    if not (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Name)
        and func.value.value == "self"
        and conv.class_stack
    ):
        return None
    attrs = conv.ctx.layer_attributes.get(conv.class_stack[-1], {})
    if attrs.get(func.attr.value) != "torch.nn.MultiheadAttention":
        return None
    kept = [
        a for a in updated.args if not (a.keyword is not None and a.keyword.value == "need_weights")
    ]
    if len(kept) == len(updated.args):
        return None
    dropped = next(a for a in updated.args if a.keyword and a.keyword.value == "need_weights")
    if cst.Module([]).code_for_node(dropped.value) != "False":
        return None
    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return updated.with_changes(args=kept)


_LAYER_NORM_PARAMS = ("input", "normalized_shape", "weight", "bias", "eps")


def layer_norm_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    from server.convert.file.calls import formula_call
    from server.convert.file.transformer import Unconvertible

    ref = next((r for r in refs if r.qualified_name == "torch.nn.functional.layer_norm"), None)
    if ref is None or conv.ctx.device != "CPU":
        return None
    assessment = conv.ctx.assess(ref)
    if assessment is not None and assessment.target is None:
        try:  # the formula verified on the device first: what is verified is what is written
            formula = formula_call(conv, ref, assessment, updated)
        except FixRefused:
            formula = None
        if formula is not None:
            return formula
    given: dict[str, str] = {}
    for index, arg in enumerate(updated.args):
        if arg.star or index >= len(_LAYER_NORM_PARAMS):
            raise Unconvertible("F.layer_norm with these arguments needs a manual port")
        name = arg.keyword.value if arg.keyword else _LAYER_NORM_PARAMS[index]
        given[name] = cst.Module([]).code_for_node(arg.value)
    x, shape = given.get("input"), given.get("normalized_shape")
    weight, bias = given.get("weight", "None"), given.get("bias", "None")
    if x is None or shape is None or weight == "None":
        raise Unconvertible("F.layer_norm without a weight needs a manual port on CPU")
    eps = given.get("eps", "1e-05")
    if bias != "None":
        bias = f"({bias} if {bias} is not None else mindspore.ops.zeros_like({weight}))"
    else:
        bias = f"mindspore.ops.zeros_like({weight})"
    axes = f"-len({shape})"
    return expr(
        f"mindspore.ops.LayerNorm(begin_norm_axis={axes}, begin_params_axis={axes},"
        f" epsilon={eps})({x}, {weight}, {bias})[0]"
    )


def convert_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    from server.convert.file.transformer import Unconvertible

    for rule in (_where_call, _threads_call, _sparse_call, _new_tensor_call, _helper_call):
        result = rule(conv, updated, refs)
        if result is not None:
            return result
    ref = next((r for r in refs if r.context == "call" and r.qualified_name in _FUNCTIONAL), None)
    if ref is None:
        return None
    device, function, keywords = _FUNCTIONAL[ref.qualified_name]
    if conv.ctx.device != device:
        return None
    if any(a.keyword is None or a.keyword.value not in keywords for a in updated.args):
        raise Unconvertible(
            f"{ref.qualified_name.removeprefix('torch.')} with these arguments: pass only"
            f" {', '.join(keywords)} by keyword"
        )
    args = [cst.Arg(expr(function)), *updated.args]
    args = [a.with_changes(comma=cst.MaybeSentinel.DEFAULT) for a in args]
    fixed = [
        a.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        for a in args[:-1]
    ]
    return cst.Call(func=expr("functools.partial"), args=[*fixed, args[-1]])


_INSTANCE_NORM_PARAMS = ("num_features", "eps", "momentum", "affine", "track_running_stats")


def instance_norm_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    ref = next((r for r in refs if r.qualified_name == "torch.nn.InstanceNorm2d"), None)
    if ref is None or ref.context != "call" or conv.ctx.device != "CPU":
        return None
    given: dict[str, str] = {}
    for index, arg in enumerate(updated.args):
        if arg.star or (arg.keyword is None and index >= len(_INSTANCE_NORM_PARAMS)):
            return None
        name = arg.keyword.value if arg.keyword else _INSTANCE_NORM_PARAMS[index]
        given[name] = cst.Module([]).code_for_node(arg.value)
    given.pop("momentum", None)  # only for running statistics
    if (
        given.pop("track_running_stats", "False") != "False"
        or given.pop("device", "None") != "None"
    ):
        return None
    if given.pop("dtype", "None") != "None" or "num_features" not in given:
        return None
    channels = given.pop("num_features")
    keywords = "".join(f", {k}={v}" for k, v in (("eps", given.pop("eps", "1e-05")),))
    keywords += f", affine={given.pop('affine', 'False')}"
    if given:
        return None
    return expr(f"mindspore.nn.GroupNorm({channels}, {channels}{keywords})")


UNFOLD_HELPER = '''

def unfold_torch_args(x, dimension, size, step):
    """torch.Tensor.unfold: every `size` elements along `dimension`, `step` apart, the windows
    where the axis was and each window's elements last."""
    dim = dimension % x.ndim
    count = (x.shape[dim] - size) // step + 1
    index = mindspore.ops.arange(count).reshape(-1, 1) * step + mindspore.ops.arange(size)
    windows = mindspore.ops.moveaxis(x, dim, -1)[..., index]
    return mindspore.ops.moveaxis(windows, -2, dim)
'''
_UNFOLD_PARAMS = ("dimension", "size", "step")


def unfold_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    ref = next((r for r in refs if r.qualified_name == "torch.Tensor.unfold"), None)
    if ref is None or ref.context != "tensor-method" or not isinstance(updated.func, cst.Attribute):
        return None
    assessment = conv.ctx.assess(ref)
    if assessment is None or (assessment.target is not None and assessment.fix_blocker is None):
        return None  # the engine's target runs on this device
    given: dict[str, str] = {}
    for index, arg in enumerate(updated.args):
        if arg.star or (arg.keyword is None and index >= len(_UNFOLD_PARAMS)):
            return None
        name = arg.keyword.value if arg.keyword else _UNFOLD_PARAMS[index]
        given[name] = cst.Module([]).code_for_node(arg.value)
    if set(given) != set(_UNFOLD_PARAMS):
        return None
    conv.ctx.helpers.add(UNFOLD_HELPER)
    receiver = cst.Module([]).code_for_node(updated.func.value)
    values = ", ".join(given[name] for name in _UNFOLD_PARAMS)
    return expr(f"unfold_torch_args({receiver}, {values})")


def _where_call(
    conv: FileTransformer, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    """`torch.where(cond)`: the coordinates of the true elements, one tensor per dimension."""
    ref = next((r for r in refs if r.qualified_name == "torch.where"), None)
    if ref is None or ref.context != "call" or len(updated.args) != 1:
        return None
    arg = updated.args[0]
    if arg.star or (arg.keyword is not None and arg.keyword.value != "condition"):
        return None
    condition = cst.Module([]).code_for_node(arg.value)
    return expr(
        f"mindspore.ops.unbind(mindspore.ops.nonzero(mindspore.ops.atleast_1d({condition})), 1)"
    )


def _threads_call(
    conv: FileTransformer, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    ref = next((r for r in refs if r.qualified_name == "torch.set_num_threads"), None)
    if ref is None or ref.context != "call" or len(updated.args) != 1 or updated.args[0].star:
        return None
    if updated.args[0].keyword is not None and updated.args[0].keyword.value != "int":
        return None
    value = cst.Module([]).code_for_node(updated.args[0].value)
    return expr(f"mindspore.device_context.cpu.op_tuning.threads_num({value})")


_SPARSE_METHODS = {
    "torch.Tensor.to_sparse": "{x}.to_coo()",
    "torch.Tensor.indices": "{x}.indices.T.astype(mindspore.int64)",
}


def _sparse_call(
    conv: FileTransformer, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    ref = next((r for r in refs if r.qualified_name in _SPARSE_METHODS), None)
    if ref is None or ref.context != "tensor-method" or updated.args:
        return None  # `to_sparse(sparse_dim)` and layouts other than COO stay marked
    if not isinstance(updated.func, cst.Attribute):
        return None
    receiver = cst.Module([]).code_for_node(updated.func.value)
    if "\n" in receiver:
        receiver = f"({receiver})"
    return expr(_SPARSE_METHODS[ref.qualified_name].format(x=receiver))


def _new_tensor_call(
    conv: FileTransformer, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    """`x.new_tensor(data[, dtype=d, device=...])`: a new tensor of x's dtype (or d)."""
    ref = next((r for r in refs if r.qualified_name == "torch.Tensor.new_tensor"), None)
    if ref is None or ref.context != "tensor-method" or not isinstance(updated.func, cst.Attribute):
        return None
    if not updated.args or any(a.star for a in updated.args) or updated.args[0].keyword:
        return None
    keywords = {a.keyword.value: _code(a.value) for a in updated.args[1:] if a.keyword}
    if len(updated.args) - 1 != len(keywords) or set(keywords) - {
        "dtype",
        "device",
        "requires_grad",
    }:
        return None
    if keywords.get("requires_grad", "False") != "False":
        return None  # a leaf that asks for gradients: left marked
    receiver = _code(updated.func.value)
    if "\n" in receiver:
        receiver = f"({receiver})"
    dtype = keywords.get("dtype", "None")
    dtype = f"{receiver}.dtype" if dtype == "None" else dtype
    return expr(f"mindspore.tensor({_code(updated.args[0].value)}, dtype={dtype})")


VIEW_AS_COMPLEX_HELPER = '''

def view_as_complex_torch_args(input):
    """torch.view_as_complex, written by mindport: the last axis (of size 2) as the real and
    imaginary parts of a complex tensor. A new tensor, not a view: writing into it leaves the
    input as it was, where torch's view writes through."""
    if input.shape[-1:] != (2,) or input.dtype not in (mindspore.float32, mindspore.float64):
        raise ValueError("view_as_complex takes float32/float64 with a last axis of size 2")
    return mindspore.ops.Complex()(input[..., 0], input[..., 1])
'''
PAD_SEQUENCE_HELPER = '''

def pad_sequence_torch_args(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """torch.nn.utils.rnn.pad_sequence, written by mindport: the tensors padded along their
    first axis to the longest, stacked on axis 1 (axis 0 with batch_first)."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"padding_side must be 'left' or 'right', not {padding_side!r}")
    sequences = list(sequences)
    longest = max(s.shape[0] for s in sequences)
    padded = []
    for s in sequences:
        shape = (longest - s.shape[0], *s.shape[1:])
        fill = mindspore.ops.full(shape, padding_value, dtype=s.dtype)
        padded.append(mindspore.ops.cat((s, fill) if padding_side == "right" else (fill, s)))
    stacked = mindspore.ops.stack(padded)
    return stacked if batch_first else stacked.swapaxes(0, 1)
'''
# torch function -> (the port's helper, its code, the parameters it takes)
_HELPER_CALLS = {
    "torch.view_as_complex": ("view_as_complex_torch_args", VIEW_AS_COMPLEX_HELPER, ("input",)),
    "torch.nn.utils.rnn.pad_sequence": (
        "pad_sequence_torch_args",
        PAD_SEQUENCE_HELPER,
        ("sequences", "batch_first", "padding_value", "padding_side"),
    ),
}


def _helper_call(
    conv: FileTransformer, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    ref = next((r for r in refs if r.context == "call" and r.qualified_name in _HELPER_CALLS), None)
    if ref is None or any(a.star for a in updated.args):
        return None
    name, helper, params = _HELPER_CALLS[ref.qualified_name]
    positional = [a for a in updated.args if a.keyword is None]
    keywords = {a.keyword.value for a in updated.args if a.keyword is not None}
    if len(positional) > len(params) or keywords - set(params[len(positional) :]):
        return None
    conv.ctx.helpers.add(helper)
    return updated.with_changes(func=cst.Name(name))


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


IS_CUDA = "torch.Tensor.is_cuda"


def tensor_attribute(
    conv: FileTransformer, original: cst.Attribute, updated: cst.Attribute
) -> cst.BaseExpression | None:
    """`x.is_cuda` (the whole attribute; the name alone is left to this by calls.py)."""
    ref = conv.name_ref(original.attr)
    if ref is None or ref.qualified_name != IS_CUDA or ref.context != "tensor-method":
        return None
    receiver = original.value
    while isinstance(receiver, cst.Attribute):
        receiver = receiver.value
    if not isinstance(receiver, cst.Name):  # evaluating it might do something: left marked
        conv.mark(original, "is_cuda on an expression: test the device by hand", "device")
        return updated
    return expr('(mindspore.get_current_device().device_target == "GPU")')
