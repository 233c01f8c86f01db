"""Checkpoints: `torch.save(model.state_dict(), path)` -> `mindspore.save_checkpoint(model,
path)`, `torch.load(path)` -> `mindspore.load_checkpoint(path)` (model.load_state_dict is
structure's `load_param_into_net`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from server.analysis.findings import TorchReference
from server.convert.file.text import expr

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer

_LOAD_ONLY_TORCH = {"map_location", "weights_only", "mmap", "pickle_module"}


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def convert_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    from server.convert.file.transformer import Unconvertible

    qualified = next((r.qualified_name for r in refs if r.context == "call"), None)
    if qualified == "torch.save":
        if len(updated.args) != 2 or any(a.keyword or a.star for a in updated.args):
            raise Unconvertible("torch.save with these arguments needs a manual port")
        obj, path = (a.value for a in updated.args)
        if (
            isinstance(obj, cst.Call)
            and isinstance(obj.func, cst.Attribute)
            and obj.func.attr.value == "parameters_dict"
            and not obj.args
        ):
            obj = obj.func.value  # save_checkpoint takes the cell itself
        return expr(f"mindspore.save_checkpoint({_code(obj)}, {_code(path)})")
    if qualified == "torch.load":
        positional = [a for a in updated.args if a.keyword is None and not a.star]
        extra = {a.keyword.value for a in updated.args if a.keyword} - _LOAD_ONLY_TORCH
        if len(positional) != 1 or extra or any(a.star for a in updated.args):
            raise Unconvertible("torch.load with these arguments needs a manual port")
        return expr(f"mindspore.load_checkpoint({_code(positional[0].value)})")
    return None
