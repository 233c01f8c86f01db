"""Verify dtype objects: `torch.float32` -> `mindspore.float32`, `torch.long` -> `mindspore.int64`.

A dtype maps right when tensors made with it hold the same kind of number: per case, a tensor
is built in each framework with the dtype (zeros, then a cast of the same values) and the two
are compared on dtype name, bytes per element and values (compare.py, exact dtypes).
"""

from __future__ import annotations

from typing import Any

from mapping_db.model import Entry, Target
from mapping_db.verification import TargetResult
from server.runner.verify.compare import compare

_VALUES = (1.5, -2.0, 0.0, 3.0)  # exact in every float width; ints and bools truncate alike


def _torch_dtype(entry: Entry) -> Any:
    import torch

    value = getattr(torch, entry.torch_api.removeprefix("torch."), None)
    return value if isinstance(value, torch.dtype) else None


def handles(entry: Entry) -> bool:
    if entry.kind != "attribute" or entry.torch_api.count(".") != 1:
        return False
    return _torch_dtype(entry) is not None


def _name(dtype: Any) -> str:
    return str(dtype).removeprefix("torch.").lower().replace("bool_", "bool")


def verify(entry: Entry, target: Target, max_cases: int = 5) -> TargetResult:
    import mindspore
    import torch

    from server.runner.verify.names import resolve

    torch_dtype = _torch_dtype(entry)
    ms_dtype = resolve(target.api)
    if not isinstance(ms_dtype, mindspore.dtype.Type):
        return TargetResult("error", reason=f"{target.api} is not a MindSpore dtype")
    cases = [
        ("zeros", lambda: torch.zeros(3, dtype=torch_dtype),
         lambda: mindspore.ops.zeros(3, dtype=ms_dtype)),
        ("cast", lambda: torch.tensor(_VALUES).to(torch_dtype),
         lambda: mindspore.Tensor(list(_VALUES), mindspore.float32).astype(ms_dtype)),
    ][:max_cases]  # fmt: skip
    verdicts: list[str] = []
    for label, make_torch, make_ms in cases:
        expected, actual = make_torch(), make_ms()
        if _name(expected.dtype) != _name(actual.dtype):
            reason = (
                f"case {label}: dtype {_name(actual.dtype)}, torch gives {_name(expected.dtype)}"
            )
            verdicts.append(f"mismatch: {reason}")
            continue
        if expected.element_size() != actual.itemsize:
            verdicts.append(f"mismatch: case {label}: {actual.itemsize} bytes per element")
            continue
        result = compare(expected, actual)
        verdicts.append("equal" if result.ok else f"mismatch: case {label}: {result.reason}")
    passed = verdicts.count("equal")
    failed = [v for v in verdicts if v != "equal"]
    if failed:
        reason = failed[0].removeprefix("mismatch: ")
        return TargetResult("mismatch", len(cases), passed, None, reason, 0, tuple(verdicts))
    return TargetResult("equal", len(cases), passed, 0.0, "", 0, tuple(verdicts))
