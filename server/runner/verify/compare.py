"""Moving values between torch and mindspore, and comparing outputs.

Imports torch and mindspore lazily: only verification workers pay for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

# Tolerances by dtype kind of the torch output (float32 math in two libraries).
RTOL = {"float16": 1e-2, "bfloat16": 2e-2, "float32": 1.3e-5 * 100, "float64": 1e-7}
ATOL = {"float16": 1e-2, "bfloat16": 2e-2, "float32": 1e-5 * 10, "float64": 1e-7}


@dataclass(frozen=True, slots=True)
class Comparison:
    ok: bool
    max_abs_error: float | None = None
    reason: str = ""
    # Not ok only because an integer width differs (int32 indices where torch gives int64):
    # the values agree. The fix is still offered, with the difference in its title.
    dtype_only: bool = False


def to_numpy(value: Any) -> Any:
    """torch/mindspore tensors (also nested in tuples, lists, dicts) -> numpy; scalars kept."""
    import mindspore
    import torch

    if isinstance(value, torch.Tensor):
        value = value.detach().cpu()
        if value.dtype == torch.bfloat16:
            value = value.float()
        return value.resolve_conj().resolve_neg().numpy()
    if isinstance(value, mindspore.Tensor):
        if value.dtype == mindspore.bfloat16:
            value = value.float()
        return value.asnumpy()
    if isinstance(value, tuple | list):
        return (
            type(value)(to_numpy(v) for v in value)
            if not _is_named(value)
            else tuple(to_numpy(v) for v in value)
        )
    if isinstance(value, dict):
        return {k: to_numpy(v) for k, v in value.items()}
    return value


def _is_named(value: Any) -> bool:
    return hasattr(value, "_fields")  # torch's return types (values, indices) are namedtuples


def torch_to_mindspore(value: Any) -> Any:
    """torch tensors (nested too) -> mindspore tensors with the same values and dtype."""
    import mindspore
    import torch

    if isinstance(value, torch.Tensor):
        array = to_numpy(value)
        if value.dtype == torch.bfloat16:
            return mindspore.Tensor(array, mindspore.bfloat16)
        return mindspore.Tensor(array)
    if isinstance(value, torch.dtype):
        return torch_dtype_to_mindspore(value)
    if isinstance(value, torch.Size):
        return tuple(value)
    if isinstance(value, tuple | list):
        return type(value)(torch_to_mindspore(v) for v in value)
    if isinstance(value, dict):
        return {k: torch_to_mindspore(v) for k, v in value.items()}
    return value


def torch_dtype_to_mindspore(dtype: Any) -> Any:
    import mindspore

    name = str(dtype).removeprefix("torch.")
    aliases = {
        "float": "float32",
        "double": "float64",
        "half": "float16",
        "long": "int64",
        "int": "int32",
        "cfloat": "complex64",
        "cdouble": "complex128",
    }
    name = aliases.get(name, name)
    if name == "bool":
        name = "bool_"
    return getattr(mindspore, name)


def compare(expected: Any, actual: Any, rtol: float | None = None, atol: float | None = None,
            where: str = "output") -> Comparison:  # fmt: skip
    """torch's result vs mindspore's: same structure, shapes, dtype kinds, values (allclose)."""
    exp, act = to_numpy(expected), to_numpy(actual)
    return _compare(exp, act, rtol, atol, where)


def _compare(exp: Any, act: Any, rtol: float | None, atol: float | None, where: str) -> Comparison:
    if isinstance(exp, tuple | list):
        if not isinstance(act, tuple | list) or len(exp) != len(act):
            got = (
                f"{type(act).__name__} of {len(act)}"
                if isinstance(act, tuple | list)
                else (type(act).__name__)
            )
            return Comparison(False, None, f"{where}: expected {len(exp)} outputs, got {got}")
        worst = 0.0
        width: Comparison | None = None  # the first output whose integer width differs
        for index, (e, a) in enumerate(zip(exp, act, strict=True)):
            part = _compare(e, a, rtol, atol, f"{where}[{index}]")
            if not part.ok and not part.dtype_only:
                return part
            width = width or (part if part.dtype_only else None)
            worst = max(worst, part.max_abs_error or 0.0)
        return width if width is not None else Comparison(True, worst)
    if isinstance(exp, np.ndarray) or isinstance(act, np.ndarray):
        try:
            e = np.asarray(exp)
            a = np.asarray(act)
        except ValueError:  # e.g. a tuple of differently shaped outputs against one array
            got = (
                f"{type(act).__name__} of {len(act)}"
                if isinstance(act, tuple | list)
                else (type(act).__name__)
            )
            return Comparison(False, None, f"{where}: {got}, torch gives one array")
        if e.shape != a.shape:
            return Comparison(False, None, f"{where}: shape {a.shape}, torch gives {e.shape}")
        if _kind(e.dtype) != _kind(a.dtype):
            return Comparison(False, None, f"{where}: dtype {a.dtype}, torch gives {e.dtype}")
        if e.dtype != a.dtype:  # same kind, another width: int32 indices where torch has int64
            same = _compare(e, a.astype(e.dtype), rtol, atol, where)
            if not same.ok:
                return same
            reason = f"{where}: dtype {a.dtype}, torch gives {e.dtype} (values equal)"
            return Comparison(False, 0.0, reason, dtype_only=True)
        if e.size == 0:
            return Comparison(True, 0.0)
        if e.dtype == np.bool_ or a.dtype == np.bool_:
            same = bool(np.array_equal(e, a))
            return Comparison(same, 0.0 if same else 1.0, "" if same else f"{where}: values differ")
        key = str(e.dtype) if str(e.dtype) in RTOL else "float32"
        r = RTOL[key] if rtol is None else rtol
        t = ATOL[key] if atol is None else atol
        e64 = e.astype(np.complex128 if np.iscomplexobj(e) else np.float64)
        a64 = a.astype(np.complex128 if np.iscomplexobj(a) else np.float64)
        finite = np.isfinite(e64)
        if not np.array_equal(finite, np.isfinite(a64)):
            return Comparison(False, None, f"{where}: inf/nan in different places")
        same_special = np.array_equal(e64[~finite], a64[~finite], equal_nan=True)
        diff = np.abs(e64[finite] - a64[finite])
        worst = float(diff.max()) if diff.size else 0.0
        ok = same_special and bool(np.allclose(a64, e64, rtol=r, atol=t, equal_nan=True))
        reason = "" if ok else f"{where}: max abs error {worst:.3g} (rtol {r:g}, atol {t:g})"
        if not same_special:
            reason = f"{where}: inf/nan values differ (finite part: max abs error {worst:.3g})"
        return Comparison(ok, worst, reason)
    if isinstance(exp, float | int | bool | complex) and isinstance(
        act, float | int | bool | complex
    ):
        worst = abs(complex(exp) - complex(act))
        ok = bool(np.isclose(complex(act), complex(exp), rtol=rtol or 1e-5, atol=atol or 1e-6))
        return Comparison(ok, float(worst), "" if ok else f"{where}: {act!r}, torch gives {exp!r}")
    same = exp == act
    return Comparison(
        bool(same), 0.0 if same else None, "" if same else f"{where}: {act!r} vs {exp!r}"
    )


def _kind(dtype: np.dtype) -> str:
    """Float and complex dtypes must match exactly; an integer width that differs (MindSpore
    returns int32 indices where torch returns int64 on some ops) is a difference of its own:
    see Comparison.dtype_only."""
    if dtype.kind in "iu":
        return "int"
    return str(dtype)
