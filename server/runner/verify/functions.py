"""Verify function-like mappings: torch.*, torch.nn.functional.*, torch.linalg.*, torch.fft.*,
torch.special.* and torch.Tensor.* methods (and attributes such as Tensor.T).

Each case is one torch call (functions_cases) and the MindSpore call the quick fix writes for
it (functions_translate); their outputs are compared. A call the quick fix refuses or torch
rejects is skipped; MindSpore raising is an `error`, different outputs a `mismatch`. Random
APIs are compared on shape and dtype only.

torch and mindspore are imported lazily: only verification workers pay for them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mapping_db.model import Entry, Target
from mapping_db.verification import TargetResult
from server.runner.verify.compare import compare, to_numpy
from server.runner.verify.functions_cases import (
    TorchCall,
    candidate_calls,
    is_random,
    resolve_torch,
    torch_runner,
    warm_up,
)
from server.runner.verify.functions_real_cases import real_calls
from server.runner.verify.functions_translate import Refused, translate

__all__ = ["TorchCall", "Refused", "handles", "translate", "verify", "warm_up"]

_PREFIXES = ("torch.nn.functional.", "torch.linalg.", "torch.fft.", "torch.special.")


def handles(entry: Entry) -> bool:
    name = entry.torch_api
    if entry.kind == "attribute" and name.startswith("torch.Tensor."):
        return True  # x.dtype, x.data, x.itemsize: read from a tensor (functions_cases)
    if entry.kind not in ("function", "method"):
        return False
    if name.startswith("torch.Tensor."):
        return True
    if name.startswith(_PREFIXES):
        return True
    return name.startswith("torch.") and name.count(".") == 1


# Functions about the random generator's state: their outputs (generators, seeds, state
# tensors) mean nothing across libraries.
RNG_STATE_NAMES = frozenset({"manual_seed", "seed", "initial_seed", "get_rng_state",
                             "set_rng_state"})  # fmt: skip
# Memory addresses: both libraries return one, but two processes' pointers never agree.
ADDRESS_NAMES = frozenset({"data_ptr"})


def _comparable(value: Any) -> bool:
    """Tensors, numbers, strings, dtypes and containers of them; not functions or storages."""
    import torch

    if value is None or isinstance(value, torch.Tensor | int | float | complex | str | torch.dtype):
        return True
    if isinstance(value, np.ndarray):  # x.numpy(): compared like a tensor
        return True
    if isinstance(value, tuple | list):
        return all(_comparable(v) for v in value)
    return False


def _first_line(exc: BaseException) -> str:
    """The exception's type and first meaningful line; MindSpore's framed messages
    ("----", "- Kernel select failed:", then the cause) are joined into one line."""
    lines: list[str] = []
    for raw in str(exc).splitlines():
        line = raw.strip()
        if not line or set(line) <= set("-= "):
            continue
        if "C++ Call Stack" in line:
            break
        lines.append(line.removeprefix("- "))
        if not line.endswith(":"):
            break
    text = f"{type(exc).__name__}: {' '.join(lines)}".rstrip(": ")
    return text if len(text) <= 160 else text[:157] + "..."


def _shape_and_dtype(value: Any) -> Any:
    """Replace every array by its shape and dtype kind, for random outputs."""
    if isinstance(value, tuple | list):
        return tuple(_shape_and_dtype(v) for v in value)
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        kind = "int" if value.dtype.kind in "iu" else str(value.dtype)
        return (tuple(value.shape), kind)
    return value


def _normalize(value: Any) -> Any:
    """dtype objects (torch or mindspore) -> their names, so `x.dtype` results compare."""
    import mindspore
    import torch

    if isinstance(value, torch.dtype):
        return str(value).removeprefix("torch.")
    if isinstance(value, mindspore.dtype.Type):
        return str(value).lower().replace("bool_", "bool")
    if isinstance(value, tuple | list) and not isinstance(value, torch.Tensor):
        if hasattr(value, "_fields"):
            return tuple(_normalize(v) for v in value)
        return (
            type(value)(_normalize(v) for v in value)
            if type(value) in (tuple, list)
            else (tuple(_normalize(v) for v in value))
        )
    return value


def verify(entry: Entry, target: Target, max_cases: int = 5) -> TargetResult:
    """Run up to `max_cases` torch calls and their MindSpore rewrites; compare the outputs."""
    import torch

    if resolve_torch(entry) is None:
        return TargetResult("untested", reason=f"{entry.torch_api} is not in torch {_torch_v()}")
    if entry.torch_api.rsplit(".", 1)[-1] in RNG_STATE_NAMES:
        return TargetResult("untested", reason="random-generator state: outputs not comparable")
    if entry.torch_api.rsplit(".", 1)[-1] in ADDRESS_NAMES:
        return TargetResult("untested", reason="returns a memory address: values not comparable")
    generated = candidate_calls(entry, target)
    # the forms real code uses run too, on top of the generated cases (after the first two:
    # a varied sample and the call on torch's defaults)
    real = real_calls(entry)
    calls = generated[:2] + real + generated[2:]
    max_cases += len(real)
    if not calls:
        return TargetResult("untested", reason="no OpInfo samples and no usable torch signature")
    random = is_random(entry)
    in_place = is_in_place(entry)
    ran = passed = dtype_only = 0
    verdicts: list[str] = []
    worst = 0.0
    failure: tuple[str, str] | None = None  # (status, reason) of the first failing case
    refusals: list[str] = []
    rejected = 0
    for call in calls:
        if ran >= max_cases:
            break
        try:
            ms_call = translate(entry, target, call)
        except Refused as exc:
            refusals.append(str(exc))
            continue
        except Exception as exc:  # converting or binding the arguments failed in mindspore
            refusals.append(f"arguments: {_first_line(exc)}")
            continue
        torch.manual_seed(0)
        try:
            expected = torch_runner(entry, call)()
        except Exception:
            rejected += 1
            continue
        if not _comparable(expected):
            kind = type(expected).__name__
            return TargetResult("untested", reason=f"torch returns a {kind}: no value to compare")
        ran += 1
        case = f"case {ran} ({call.label()})"
        try:
            actual = ms_call()
        except Exception as exc:
            failure = failure or ("error", f"{case}: {_first_line(exc)}")
            verdicts.append(f"error: {case}: {_first_line(exc)}")
            continue
        try:
            expected_np, actual_np = _normalize(to_numpy(expected)), _normalize(to_numpy(actual))
        except Exception as exc:
            failure = failure or ("error", f"{case}: {_first_line(exc)}")  # deferred kernels
            verdicts.append(f"error: {case}: {_first_line(exc)}")
            continue
        if random:
            expected_np, actual_np = _shape_and_dtype(expected_np), _shape_and_dtype(actual_np)
        result = compare(expected_np, actual_np)
        if result.ok and in_place and not random:
            changed = (
                call.receiver
                if entry.is_tensor_method
                else (call.args[0] if call.args else call.kwargs.get("input"))
            )
            result = _receiver_compared(changed, ms_call.receiver)
        if result.ok:
            passed += 1
            worst = max(worst, result.max_abs_error or 0.0)
            verdicts.append("equal")
            continue
        dtype_only += result.dtype_only
        verdicts.append(f"mismatch: {case}: {result.reason}")
        if failure is None or failure[0] != "error":
            failure = failure or ("mismatch", f"{case}: {result.reason}")
    if ran == 0:
        if refusals:
            reason = f"the quick fix refuses every case: {refusals[0]}"
        elif rejected:
            reason = f"torch rejected all {rejected} generated cases"
        else:
            reason = "no case could be built"
        return TargetResult("untested", reason=reason[:200])
    note = " (random op: shape and dtype compared)" if random else ""
    if failure is not None:
        status, reason = failure
        return TargetResult(
            status,  # type: ignore[arg-type]
            ran,
            passed,
            worst if passed else None,
            reason + note,
            dtype_only,
            tuple(verdicts),
        )
    return TargetResult("equal", ran, passed, worst, note.strip(" ()"), 0, tuple(verdicts))


def is_in_place(entry: Entry) -> bool:
    """x.clamp_(...), torch.relu_(x): a name ending in one underscore changes its receiver
    (a function: its first argument)."""
    name = entry.torch_api.rsplit(".", 1)[-1]
    return name.endswith("_") and not name.endswith("__")


def _receiver_compared(torch_receiver: Any, ms_receiver: Any) -> Any:
    """After an in-place call both receivers must hold the same values: a rewrite that only
    returns the result (x.clamp(...) for x.clamp_(...)) leaves MindSpore's unchanged."""
    return compare(torch_receiver, ms_receiver, where="receiver after the in-place call")


def _torch_v() -> str:
    import torch

    return torch.__version__.split("+")[0]
