"""Device placement and autograd switches: `.to(device)`/`.cuda()`/`.cpu()` go (MindSpore
places tensors itself), `.to(dtype)` is `astype`, `torch.device(...)` is the context's device,
`with torch.no_grad():` and `@torch.no_grad()` go (MindSpore computes gradients only inside
`value_and_grad`), `.detach()` is `ops.stop_gradient`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from server.analysis.findings import TorchReference
from server.convert.file.text import expr

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer

_GRAD_SWITCHES = ("torch.no_grad", "torch.inference_mode", "torch.enable_grad")
_NO_GRAD = ("torch.no_grad", "torch.inference_mode")
_DEVICE_TARGET = 'mindspore.get_context("device_target")'
# Questions about the machine, asked of MindSpore: a process runs on one device target.
_DEVICE_QUERIES = {
    "torch.cuda.is_available": f'({_DEVICE_TARGET} == "GPU")',
    "torch.accelerator.is_available": f'({_DEVICE_TARGET} != "CPU")',
    "torch.accelerator.current_accelerator": _DEVICE_TARGET,
    "torch.cuda.device_count": "mindspore.hal.device_count()",
    "torch.accelerator.device_count": "mindspore.hal.device_count()",
}
# CUDA memory and synchronisation calls: mindspore.runtime's act on the process's device (torch's
# take an optional device; converted without one). memory_stats is left: its keys differ.
_RUNTIME = {
    f"torch.cuda.{name}": f"mindspore.runtime.{name}()"
    for name in (
        "empty_cache", "synchronize", "reset_peak_memory_stats", "memory_allocated",
        "max_memory_allocated", "memory_reserved", "max_memory_reserved",
    )
}  # fmt: skip


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def convert_name(conv, original, updated, ref: TorchReference):
    """`-> torch.device`: MindSpore names devices with strings (`get_context("device_target")`)."""
    if ref.qualified_name == "torch.device" and ref.context == "annotation":
        return cst.Name("str")
    return None


def _qualified(refs: list[TorchReference]) -> str | None:
    return next((r.qualified_name for r in refs if r.context == "call"), None)


def _is_dtype(conv: FileTransformer, node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.Attribute) and node.attr.value == "dtype":
        return True  # `w.to(x.dtype)`
    ref = conv.name_ref(node)
    if ref is None:
        return False
    return ref.qualified_name.rsplit(".", 1)[-1] in _TORCH_DTYPES


_TORCH_DTYPES = {
    "float32", "float", "float64", "double", "float16", "half", "bfloat16", "int8", "int16",
    "int32", "int", "int64", "long", "uint8", "bool", "complex64", "complex128",
}  # fmt: skip


# variable names that hold a device (`.to(args.gpu)`, `.to(self.local_rank)`, `.to(DEVICE)`)
_DEVICE_WORDS = ("device", "gpu", "cuda", "rank")


def _is_device(conv: FileTransformer, node: cst.BaseExpression) -> bool:
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        return isinstance(value, str) and value.split(":")[0] in ("cpu", "cuda", "mps", "npu")
    if isinstance(node, cst.Integer):
        return True  # a device index: `.to(0)`
    if isinstance(node, cst.Name | cst.Attribute):
        last = (node.value if isinstance(node, cst.Name) else node.attr.value).lower()
        return any(word in last for word in _DEVICE_WORDS) or last == "dev"
    if isinstance(node, cst.Call):
        return _code(node).startswith(_DEVICE_TARGET)
    return False


def convert_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    from server.convert.file.transformer import Unconvertible

    qualified = _qualified(refs)
    answer = _feature_check(conv, original)
    if answer is not None:
        return answer
    if qualified in _GRAD_SWITCHES:
        return updated  # `with` and decorators drop them; left anywhere else, they are marked
    if qualified in _DEVICE_QUERIES and not updated.args:
        return expr(_DEVICE_QUERIES[qualified])
    if qualified in _RUNTIME and not updated.args:
        conv.ctx.consume_patterns(conv.call_refs(original))
        return expr(_RUNTIME[qualified])
    if qualified == "torch.device":
        return expr(_DEVICE_TARGET)
    if not isinstance(updated.func, cst.Attribute):
        return None
    method = updated.func.attr.value
    receiver = updated.func.value
    if method in ("cuda", "cpu"):
        if any(a.keyword is None or a.keyword.value != "non_blocking" for a in updated.args[1:]):
            return None
        conv.ctx.extra_site(conv.end(original), "device")
        conv.ctx.consume_patterns(conv.call_refs(original))
        return (
            receiver.with_changes(lpar=updated.lpar, rpar=updated.rpar)
            if updated.lpar
            else receiver
        )
    if method == "to":
        return _to(conv, original, updated, receiver, Unconvertible)
    if method == "detach" and not updated.args:
        conv.ctx.extra_site(conv.end(original), "device")
        return expr(f"mindspore.ops.stop_gradient({_code(receiver)})")
    return None


def _feature_check(conv: FileTransformer, original: cst.Call) -> cst.BaseExpression | None:
    """`hasattr(torch.nn.functional, "scaled_dot_product_attention")` asks whether the
    framework has an API: MindSpore's answer, from the mapping database."""
    if not (
        isinstance(original.func, cst.Name)
        and original.func.value == "hasattr"
        and len(original.args) == 2
        and isinstance(original.args[1].value, cst.SimpleString)
    ):
        return None
    module = conv.name_ref(original.args[0].value)
    name = original.args[1].value.evaluated_value
    if module is None or not isinstance(name, str):
        return None
    entry = conv.ctx.db.get(f"{module.qualified_name}.{name}")
    if entry is None:
        return None
    conv.ctx.count_found("device")
    has = entry.status != "no-equivalent" and conv.ctx.db.pick_target(entry, conv.ctx.device)
    return cst.Name("True" if has else "False")


def _to(conv, original, updated, receiver, Unconvertible):
    dtype = None
    for orig_arg, arg in zip(original.args, updated.args, strict=True):
        keyword = arg.keyword.value if arg.keyword else None
        if keyword in ("non_blocking", "copy", "memory_format"):
            continue
        if keyword == "dtype" or (keyword is None and _is_dtype(conv, orig_arg.value)):
            dtype = arg.value
        elif keyword == "device" or (keyword is None and _is_device(conv, orig_arg.value)):
            continue
        else:
            refs = conv.call_refs(original)
            if any(r.qualified_name == "pattern:device-move" for r in refs) and keyword is None:
                continue  # the analysis says this is a device
            raise Unconvertible("`.to()` with an argument that is neither a device nor a dtype")
    conv.ctx.extra_site(conv.end(original), "device")
    conv.ctx.consume_patterns(conv.call_refs(original))
    if dtype is not None:
        return expr(f"{_code(receiver)}.astype({_code(dtype)})")
    return receiver.with_changes(lpar=updated.lpar, rpar=updated.rpar) if updated.lpar else receiver


def _is_grad_switch(conv: FileTransformer, original_call: cst.BaseExpression) -> bool:
    if not isinstance(original_call, cst.Call):
        return False
    return _qualified(conv.call_refs(original_call)) in _GRAD_SWITCHES


def convert_with(conv: FileTransformer, original: cst.With, updated: cst.With):
    kept = [
        item
        for orig, item in zip(original.items, updated.items, strict=True)
        if not (_is_grad_switch(conv, orig.item) and orig.asname is None)
    ]
    if len(kept) == len(updated.items):
        return updated
    if kept:
        kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return updated.with_changes(items=kept)
    body = updated.body
    if isinstance(body, cst.IndentedBlock):
        statements = list(body.body)
        if statements and original.leading_lines:
            statements[0] = statements[0].with_changes(
                leading_lines=[*original.leading_lines, *statements[0].leading_lines]
            )
    else:
        statements = [
            cst.SimpleStatementLine(body=list(body.body), leading_lines=original.leading_lines)
        ]
    stops = any(
        _qualified(conv.call_refs(orig.item)) in _NO_GRAD
        for orig in original.items
        if isinstance(orig.item, cst.Call)
    )
    if stops:  # a training step's forward function stops the gradient there (training.py)
        conv.no_grad_statements.update(id(s) for s in statements)
    return cst.FlattenSentinel(statements)


def drop_grad_decorators(conv: FileTransformer, original: cst.FunctionDef, updated):
    kept = [
        deco
        for orig, deco in zip(original.decorators, updated.decorators, strict=True)
        if not _is_grad_switch(conv, orig.decorator)
    ]
    if len(kept) == len(updated.decorators):
        return updated
    return updated.with_changes(decorators=kept)


def convert_statement(conv: FileTransformer, original, updated):
    from server.convert.file.structure import register_buffer

    return register_buffer(conv, updated)
