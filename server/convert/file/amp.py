"""torch's GradScaler -> `GradScalerTorchArgs`, written into the port: torch's arguments and
methods over `mindspore.amp.DynamicLossScaler` (the same dynamic loss scaling: start at
`init_scale`, multiply by `growth_factor` after `growth_interval` finite steps, divide by it on
an overflow, skip that step). The training step (server.convert.file.accumulation) writes
`scaler.scale(loss)` as the differentiated value, `scaler.unscale_(optimizer)` as
`grads = scaler.unscale(grads)` and `scaler.step(optimizer)` as `scaler.step(optimizer, grads)`.

Converted only where the file uses the scaler through `scale`, `unscale_`, `step` and
`update` alone (the helper has no `state_dict`, `get_scale`, ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from server.analysis.findings import TorchReference
from server.convert.file.text import code, expr

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer

SCALERS = frozenset({"torch.amp.GradScaler", "torch.cuda.amp.GradScaler", "torch.GradScaler"})
SCALER_METHODS = frozenset({"scale", "unscale_", "step", "update"})
HELPER = "GradScalerTorchArgs"
HELPER_CODE = '''

class GradScalerTorchArgs:
    """torch.amp.GradScaler's arguments and steps over mindspore.amp.DynamicLossScaler."""

    def __init__(
        self,
        device="cuda",
        init_scale=65536.0,
        growth_factor=2.0,
        backoff_factor=0.5,
        growth_interval=2000,
        enabled=True,
    ):
        factor = int(growth_factor)
        if enabled and (factor != growth_factor or factor * backoff_factor != 1.0):
            raise ValueError("DynamicLossScaler grows by a whole factor, backs off by 1 / it")
        self.enabled = enabled
        self.scaler = mindspore.amp.DynamicLossScaler(init_scale, factor, growth_interval)
        self.unscaled = False
        self.finite = True

    def scale(self, value):
        return self.scaler.scale(value) if self.enabled else value

    def unscale(self, grads):
        if not self.enabled or self.unscaled:
            return grads
        self.unscaled = True
        return self.scaler.unscale(grads)

    def step(self, optimizer, grads):
        grads = self.unscale(grads)
        self.finite = not self.enabled or bool(mindspore.amp.all_finite(grads))
        if self.finite:
            optimizer(grads)

    def update(self):
        if self.enabled:
            self.scaler.adjust(mindspore.Tensor(self.finite))
        self.unscaled = False
'''


def scaler_names(conv: FileTransformer) -> set[str]:
    """Variables assigned a GradScaler in this file."""
    return {n for n, kind in conv.ctx.assigned_from.items() if kind in SCALERS}


def convert_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    qualified = next((r.qualified_name for r in refs if r.context == "call"), None)
    if qualified not in SCALERS:
        return None
    name = conv.ctx.assigned_at.get(conv.end(original))
    if name is None or "." in name or name in conv.scaler_misuse:
        return None
    if not conv.scaler_steps.get(name, set()) <= conv.accumulation_steps:
        return None  # a step this tool does not convert would call the helper wrongly
    args = [code(a) for a in updated.args]
    positional = any(a.keyword is None and not a.star for a in updated.args)
    if qualified == "torch.cuda.amp.GradScaler" and positional:
        args.insert(0, '"cuda"')  # torch.cuda.amp.GradScaler(a, ...) is GradScaler("cuda", a, ...)
    conv.ctx.helpers.add(HELPER_CODE)
    conv.ctx.consume_patterns(refs)
    return expr(f"{HELPER}({', '.join(a.rstrip(', ') for a in args)})")
