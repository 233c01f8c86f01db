"""Verify the workaround formulas of "no equivalent" entries by running them.

A workaround (mapping_db/data/workarounds.toml) is a MindSpore expression that computes
what a torch API computes. Each is run on three sets of inputs against the torch call it stands
for and compared like any target (server.runner.verify.compare). The result is stored under the
pseudo-target "workaround" of the entry, so hovers can say whether the formula was checked.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mapping_db.model import Entry
from mapping_db.verification import WORKAROUND, TargetResult
from mapping_db.workarounds import Workaround, load_workarounds

__all__ = ["WORKAROUND", "has_recipe", "verify_workaround", "workaround_inputs"]
CASES = 3


def has_recipe(entry: Entry) -> bool:
    """An entry whose workaround has inputs to run it on."""
    recipe = load_workarounds().get(entry.torch_api)
    return bool(entry.workaround) and recipe is not None and recipe.mindspore == entry.workaround


def workaround_inputs(workaround: Workaround, seed: int = 0) -> dict[str, np.ndarray]:
    """Inputs by the recipe's (name, kind, shape) list; kinds are explained in its module."""
    rng = np.random.default_rng(seed)
    arrays: dict[str, np.ndarray] = {}
    for name, kind, shape in workaround.inputs:
        if kind == "int":
            arrays[name] = rng.integers(0, 4, size=shape).astype(np.int64)
        elif kind == "pos":
            arrays[name] = rng.uniform(0.5, 2.5, size=shape).astype(np.float32)
        elif kind == "prob":
            arrays[name] = rng.uniform(0.05, 0.95, size=shape).astype(np.float32)
        elif kind == "spd":
            m = rng.normal(size=shape)
            arrays[name] = (m @ m.T + shape[0] * np.eye(shape[0])).astype(np.float32)
        else:
            arrays[name] = rng.normal(size=shape).astype(np.float32)
    return arrays


def verify_workaround(entry: Entry, max_cases: int = CASES) -> TargetResult:
    """Run the entry's workaround (as the database states it) against torch."""
    import mindspore
    import torch
    from mindspore import ops

    from server.runner.verify.compare import compare

    recipe = load_workarounds().get(entry.torch_api)
    if not entry.workaround or recipe is None:
        return TargetResult("untested", reason="no inputs recorded for this workaround")
    ran = passed = 0
    worst = 0.0
    failure: tuple[str, str] | None = None
    for seed in range(min(max_cases, CASES)):
        arrays = workaround_inputs(recipe, seed)
        ran += 1
        case = f"case {ran} (seed {seed})"
        torch_inputs: dict[str, Any] = {k: torch.from_numpy(v) for k, v in arrays.items()}
        expected = eval(recipe.torch, {"torch": torch}, torch_inputs)  # noqa: S307 - our table
        try:
            ms_inputs: dict[str, Any] = {k: mindspore.Tensor(v) for k, v in arrays.items()}
            actual = eval(entry.workaround, {"ops": ops, "ms": mindspore}, ms_inputs)  # noqa: S307
            result = compare(expected, actual)
        except Exception as exc:
            failure = failure or ("error", f"{case}: {type(exc).__name__}: {_first_line(exc)}")
            continue
        if result.ok:
            passed += 1
            worst = max(worst, result.max_abs_error or 0.0)
        else:
            failure = failure or ("mismatch", f"{case}: {result.reason}")
    if failure is not None:
        status, reason = failure
        return TargetResult(status, ran, passed, worst if passed else None, reason[:200])  # type: ignore[arg-type]
    return TargetResult("equal", ran, passed, worst)


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0][:160] if text else ""
