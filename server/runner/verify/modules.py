"""Verify module-like mappings: torch.nn layers and losses, torch.nn.init, torch.optim
optimizers and learning-rate schedulers, torch.utils.data.

`handles(entry)` says whether an entry is ours; `verify(entry, target, max_cases)` runs it in a
verification worker (torch and mindspore imported, the MindSpore device set) and never raises.
`translate_call` (from modules_translate) is the quick fix's argument translation at run time,
reusable by other verifiers.
"""

from __future__ import annotations

from mapping_db.model import Entry, Target
from mapping_db.verification import TargetResult
from server.runner.verify.modules_translate import Refused, translate_call

__all__ = ["Refused", "handles", "translate_call", "verify"]

_OTHER_PREFIXES = ("torch.optim.", "torch.utils.data.", "torch.nn.init.")


def handles(entry: Entry) -> bool:
    name = entry.torch_api
    if name.startswith(_OTHER_PREFIXES):
        return True
    if name.startswith("torch.nn."):
        rest = name.removeprefix("torch.nn.")
        return entry.kind == "class" and "." not in rest
    return False


def verify(entry: Entry, target: Target, max_cases: int = 5) -> TargetResult:
    """Run the entry's cases on torch and on `target`; every failure becomes a result."""
    try:
        return _dispatch(entry, target, max_cases)
    except Exception as exc:  # a bug of ours: say so, do not blame MindSpore
        from server.runner.verify.modules_layers import short_error

        return TargetResult("untested", reason=f"verifier failed: {short_error(exc)}"[:200])


def _dispatch(entry: Entry, target: Target, max_cases: int) -> TargetResult:
    name = entry.torch_api
    if name.startswith("torch.nn.init."):
        from server.runner.verify.modules_init import verify_init

        return verify_init(entry, target, max_cases)
    if name.startswith("torch.optim.lr_scheduler."):
        from server.runner.verify.modules_optim import verify_scheduler

        return verify_scheduler(entry, target, max_cases)
    if name.startswith("torch.optim."):
        from server.runner.verify.modules_optim import verify_optimizer

        return verify_optimizer(entry, target, max_cases)
    if name.startswith("torch.utils.data."):
        from server.runner.verify.modules_data import verify_data

        return verify_data(entry, target, max_cases)
    from server.runner.verify.modules_layers import verify_layer

    return verify_layer(entry, target, max_cases)
