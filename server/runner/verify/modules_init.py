"""Verify torch.nn.init initialisers.

A target that is an Initializer class is built from the arguments other than the tensor and
applied with mindspore.common.initializer.initializer(obj, shape, dtype).
Deterministic ones (zeros_, ones_, constant_, eye_, dirac_) compare values. Random ones compare
shape, dtype and sample statistics on 10,000 draws: mean and standard deviation within 0.05 of
torch's (relative to torch's spread), and the range within torch's bounds.
"""

from __future__ import annotations

from typing import Any

from mapping_db.model import Entry, Target
from mapping_db.verification import TargetResult
from server.runner.verify.compare import compare, to_numpy, torch_to_mindspore
from server.runner.verify.modules_layers import Outcome, resolve, short_error, summarize
from server.runner.verify.modules_translate import Refused, translate_call

DETERMINISTIC = frozenset({"zeros_", "ones_", "constant_", "eye_", "dirac_"})

# (shape, args after the tensor, kwargs) per initialiser.
CASES: dict[str, list[tuple[tuple[int, ...], tuple[Any, ...], dict[str, Any]]]] = {
    "zeros_": [((3, 4), (), {})],
    "ones_": [((3, 4), (), {})],
    "constant_": [((3, 4), (0.5,), {}), ((2, 3), (), {"val": -2.0})],
    "eye_": [((3, 4), (), {}), ((4, 2), (), {})],
    "dirac_": [((4, 2, 3), (), {}), ((4, 2, 3, 3), (), {"groups": 2})],
    "uniform_": [((100, 100), (), {}), ((100, 100), (-2.0, 3.0), {}),
                 ((100, 100), (), {"a": -1.0, "b": 1.0})],
    "normal_": [((100, 100), (), {}), ((100, 100), (1.0, 0.5), {}),
                ((100, 100), (), {"mean": -1.0, "std": 2.0})],
    "xavier_uniform_": [((100, 100), (), {}), ((100, 100), (), {"gain": 2.0})],
    "xavier_normal_": [((100, 100), (), {}), ((100, 100), (), {"gain": 2.0})],
    "kaiming_uniform_": [((100, 100), (), {}), ((100, 100), (), {"a": 0.1, "mode": "fan_out"})],
    "kaiming_normal_": [((100, 100), (), {}), ((100, 100), (), {"a": 0.1, "mode": "fan_out"})],
    "trunc_normal_": [((100, 100), (), {}), ((100, 100), (), {"std": 0.5, "a": -1.0, "b": 1.0})],
}  # fmt: skip


def verify_init(entry: Entry, target: Target, max_cases: int) -> TargetResult:
    import torch

    name = entry.torch_api.rsplit(".", 1)[1]
    torch_func = getattr(torch.nn.init, name, None)
    if torch_func is None:
        return TargetResult(
            "untested", reason=f"torch {torch.__version__} has no {entry.torch_api}"
        )
    ms_func = resolve(target.api)
    if ms_func is None:
        return TargetResult("error", reason=f"{target.api} does not exist")
    table = CASES.get(name)
    if not table:
        return TargetResult("untested", reason=f"no cases for {name}")
    outcomes: list[tuple[str, Outcome]] = []
    skipped: list[str] = []
    for shape, args, kwargs in table[: max(max_cases, 1)]:
        label = f"{list(shape)} {args or ''}{kwargs or ''}".strip()
        try:
            outcomes.append((label, _run(name, torch_func, ms_func, target, shape, args, kwargs)))
        except Refused as exc:
            skipped.append(f"{label}: {exc}")
    result = summarize(outcomes, skipped)
    if name not in DETERMINISTIC and result.status in ("equal", "mismatch"):
        why = f"; {result.reason}" if result.reason else ""
        return TargetResult(
            result.status, result.cases, result.passed, result.max_abs_error,
            f"random: compared statistics{why}"[:240],
        )  # fmt: skip
    return result


def _run(
    name: str,
    torch_func: Any,
    ms_func: Any,
    target: Target,
    shape: tuple[int, ...],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Outcome:
    import mindspore
    import torch

    torch.manual_seed(0)
    tensor = torch.empty(shape)
    try:
        out = torch_func(tensor, *args, **kwargs)
    except Exception as exc:
        raise Refused(f"torch rejects it: {short_error(exc)}") from exc
    expected = out if out is not None else tensor
    mindspore.set_seed(0)
    ms_tensor = mindspore.Tensor(torch.zeros(shape).numpy())
    try:
        margs, mkwargs = translate_call(
            target,
            (tensor, *args),
            kwargs,
            lambda v: ms_tensor if v is tensor else torch_to_mindspore(v),
        )
        if _is_initializer(ms_func):
            actual = _apply_initializer(ms_func, margs, mkwargs, ms_tensor, shape)
        else:
            made = ms_func(*margs, **mkwargs)
            actual = made if made is not None else ms_tensor
        actual_np = to_numpy(actual)
    except Refused:
        raise
    except Exception as exc:
        return Outcome(False, None, short_error(exc), "error")
    if name in DETERMINISTIC:
        result = compare(expected, actual)
        return Outcome(
            result.ok, result.max_abs_error, result.reason, "equal" if result.ok else "mismatch"
        )
    return _statistics(to_numpy(expected), actual_np)


def _is_initializer(obj: Any) -> bool:
    from mindspore.common.initializer import Initializer

    return isinstance(obj, type) and issubclass(obj, Initializer)


def _apply_initializer(
    cls: Any, args: list[Any], kwargs: dict[str, Any], tensor: Any, shape: tuple[int, ...]
) -> Any:
    """An Initializer class (mindspore.common.initializer.One) does not take the tensor: it
    is built from the other arguments and applied with initializer(obj, shape, dtype)."""
    import mindspore
    from mindspore.common.initializer import initializer

    args = [a for a in args if a is not tensor]
    kwargs = {k: v for k, v in kwargs.items() if v is not tensor}
    return initializer(cls(*args, **kwargs), shape, mindspore.float32).init_data()


def _statistics(expected: Any, actual: Any) -> Outcome:
    import numpy as np

    if getattr(actual, "shape", None) != expected.shape:
        return Outcome(
            False,
            None,
            f"shape {getattr(actual, 'shape', None)}, torch gives {expected.shape}",
            "mismatch",
        )
    if actual.dtype != expected.dtype:
        return Outcome(
            False, None, f"dtype {actual.dtype}, torch gives {expected.dtype}", "mismatch"
        )
    spread = float(expected.std()) or 1.0
    mean_gap = abs(float(actual.mean()) - float(expected.mean())) / spread
    std_gap = abs(float(actual.std()) - float(expected.std())) / spread
    low, high = float(expected.min()), float(expected.max())
    margin = 0.05 * (high - low)
    in_range = float(actual.min()) >= low - margin and float(actual.max()) <= high + margin
    worst = max(mean_gap, std_gap)
    if worst > 0.05 or not in_range or not np.isfinite(actual).all():
        reason = (
            f"mean {actual.mean():.3g} vs {expected.mean():.3g}, std {actual.std():.3g} vs "
            f"{expected.std():.3g}, range [{actual.min():.3g}, {actual.max():.3g}] vs "
            f"[{low:.3g}, {high:.3g}]"
        )
        return Outcome(False, None, reason, "mismatch")
    return Outcome(True, None, "", "equal")
