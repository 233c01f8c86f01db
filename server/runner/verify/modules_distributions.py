"""Verify torch.distributions classes against mindspore.nn.probability.distribution.

Per case: the distribution is built on both sides from the same parameters (MindSpore's
constructor call is the quick fix's translation of torch's: renames such as loc -> mean and
set arguments apply), then compared: log_prob of the same values, entropy, mean and variance
where torch defines them, and a sample's shape and dtype (its values are random).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mapping_db.model import Entry, Target
from mapping_db.verification import TargetResult
from server.runner.verify.compare import compare, to_numpy, torch_to_mindspore
from server.runner.verify.modules_layers import Outcome, short_error, summarize
from server.runner.verify.modules_translate import Refused, translate_call
from server.runner.verify.names import resolve

PREFIX = "torch.distributions."


@dataclass
class DistCase:
    label: str
    kwargs: Callable[[], dict[str, Any]]  # torch constructor keywords
    values: Callable[[], Any]  # for log_prob
    moments: bool = True  # torch defines mean and variance


def _cases() -> dict[str, list[DistCase]]:
    import torch

    def floats(*values: float) -> Any:
        return torch.tensor(values, dtype=torch.float32)

    return {
        "Normal": [
            DistCase(
                "vector",
                lambda: {"loc": floats(0.0, 1.0, -0.5), "scale": floats(1.0, 2.0, 0.5)},
                lambda: floats(0.3, -1.0, 2.0),
            ),
            DistCase(
                "batch",
                lambda: {"loc": torch.randn(2, 3), "scale": torch.rand(2, 3) + 0.5},
                lambda: torch.randn(2, 3),
            ),
        ],
        "Bernoulli": [
            DistCase("vector", lambda: {"probs": floats(0.2, 0.7, 0.5)}, lambda: floats(1, 0, 1)),
            DistCase(
                "batch",
                lambda: {"probs": torch.rand(2, 3) * 0.8 + 0.1},
                lambda: (torch.rand(2, 3) > 0.5).float(),
            ),
        ],
        "Categorical": [
            DistCase(
                "vector",
                lambda: {"probs": floats(0.2, 0.5, 0.3)},
                lambda: torch.tensor([0, 2, 1]),
                moments=False,
            ),
            DistCase(
                "batch",
                lambda: {"probs": torch.softmax(torch.randn(2, 4), -1)},
                lambda: torch.tensor([3, 0]),
                moments=False,
            ),
        ],
    }


def handles(entry: Entry) -> bool:
    rest = entry.torch_api.removeprefix(PREFIX)
    return entry.torch_api.startswith(PREFIX) and entry.kind == "class" and "." not in rest


def verify(entry: Entry, target: Target, max_cases: int = 5) -> TargetResult:
    import torch

    name = entry.torch_api.removeprefix(PREFIX)
    cases = _cases().get(name)
    if not cases:
        if name == "Distribution":
            return TargetResult("untested", reason="a base class: nothing to run alone")
        return TargetResult("untested", reason=f"no case generator for distributions.{name} yet")
    ms_cls = resolve(target.api)
    torch_cls = getattr(torch.distributions, name)
    if ms_cls is None or not isinstance(ms_cls, type):
        return TargetResult("untested", reason=f"{target.api} is not a distribution class")
    outcomes: list[tuple[str, Outcome]] = []
    skipped: list[str] = []
    for case in cases[: max(1, max_cases)]:
        torch.manual_seed(0)
        kwargs = case.kwargs()
        values = case.values()
        try:
            ms_args, ms_kwargs = translate_call(target, (), kwargs)
        except Refused as exc:
            skipped.append(f"{case.label}: {exc}")
            continue
        dist = torch_cls(**kwargs)
        try:
            ms_dist = ms_cls(*ms_args, **ms_kwargs)
            outcome = _compare(dist, ms_dist, values, case.moments)
        except Exception as exc:  # MindSpore raising: constructor or a method
            outcome = Outcome(False, None, short_error(exc), "error")
        outcomes.append((case.label, outcome))
    return summarize(outcomes, skipped)


def _compare(dist: Any, ms_dist: Any, values: Any, moments: bool) -> Outcome:
    checks: list[tuple[str, Any, Any]] = [
        ("log_prob", dist.log_prob(values), ms_dist.log_prob(torch_to_mindspore(values))),
        ("entropy", dist.entropy(), ms_dist.entropy()),
    ]
    if moments:
        checks += [("mean", dist.mean, ms_dist.mean()), ("variance", dist.variance, ms_dist.var())]
    worst = 0.0
    for what, expected, actual in checks:
        result = compare(expected, actual)
        if not result.ok:
            return Outcome(False, None, f"{what}: {result.reason}", "mismatch")
        worst = max(worst, result.max_abs_error or 0.0)
    sample, ms_sample = to_numpy(dist.sample((4,))), to_numpy(ms_dist.sample((4,)))
    if sample.shape != ms_sample.shape or _kind(sample) != _kind(ms_sample):
        reason = (
            f"sample: {_kind(ms_sample)}{list(ms_sample.shape)}, "
            f"torch gives {_kind(sample)}{list(sample.shape)}"
        )
        return Outcome(False, None, reason, "mismatch")
    return Outcome(True, worst, "", "equal")


def _kind(array: Any) -> str:
    return "int" if array.dtype.kind in "iu" else str(array.dtype)
