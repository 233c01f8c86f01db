"""Verify torch.optim optimizers and learning-rate schedulers.

Optimizers: the same two parameters (a 4x3 weight and a bias) on both sides, the same fixed
gradients for three steps, parameters compared after every step. torch takes the gradients
from `.grad` and `step()`; every MindSpore optimizer (mindspore.nn, mindspore.experimental,
mindspore.mint) applies a tuple of gradients when called. Schedulers: the learning rate over
ten steps of an SGD optimizer (MindSpore's experimental SGD, which its schedulers drive).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mapping_db.model import Entry, Target
from mapping_db.verification import TargetResult
from server.runner.verify.compare import compare, torch_to_mindspore
from server.runner.verify.modules_layers import Outcome, resolve, short_error, summarize
from server.runner.verify.modules_translate import Refused, translate_call

STEPS = 3
SCHEDULE_STEPS = 10


class _Params:
    """Placeholder for the parameter list (or optimizer) in a constructor call."""

    def __repr__(self) -> str:
        return "params"


# Hyperparameters per optimizer: defaults first, then non-default values of what mappings
# rename or change. The first case is also tried with lr passed positionally.
OPTIMIZER_CASES: dict[str, list[dict[str, Any]]] = {
    "SGD": [{"lr": 0.1}, {"lr": 0.1, "momentum": 0.9},
            {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01, "nesterov": True},
            {"lr": 0.1, "momentum": 0.5, "dampening": 0.1}],
    "Adam": [{"lr": 0.01}, {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6},
             {"lr": 0.01, "weight_decay": 0.1}, {"lr": 0.01, "amsgrad": True}],
    "AdamW": [{"lr": 0.01}, {"lr": 0.01, "weight_decay": 0.1},
              {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6}],
    "Adamax": [{"lr": 0.01}, {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1}],
    "Adagrad": [{"lr": 0.1}, {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1,
                              "initial_accumulator_value": 0.1}],
    "Adadelta": [{"lr": 1.0}, {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.1}],
    "ASGD": [{"lr": 0.01}, {"lr": 0.01, "lambd": 1e-3, "alpha": 0.5, "t0": 1.0,
                            "weight_decay": 0.1}],
    "NAdam": [{"lr": 0.01}, {"lr": 0.01, "betas": (0.8, 0.99), "momentum_decay": 0.005}],
    "RAdam": [{"lr": 0.01}, {"lr": 0.01, "weight_decay": 0.1}],
    "RMSprop": [{"lr": 0.01}, {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True},
                {"lr": 0.01, "weight_decay": 0.1, "eps": 1e-6}],
    "Rprop": [{"lr": 0.01}, {"lr": 0.02, "etas": (0.4, 1.3), "step_sizes": (1e-5, 1.0)}],
    "SparseAdam": [{"lr": 0.01}, {"lr": 0.01, "betas": (0.8, 0.99)}],
}  # fmt: skip

SCHEDULER_CASES: dict[str, list[dict[str, Any]]] = {
    "StepLR": [{"step_size": 3}, {"step_size": 2, "gamma": 0.5}],
    "MultiStepLR": [{"milestones": [2, 5]}, {"milestones": [3], "gamma": 0.5}],
    "ExponentialLR": [{"gamma": 0.9}, {"gamma": 0.5}],
    "CosineAnnealingLR": [{"T_max": 5}, {"T_max": 4, "eta_min": 0.01}],
    "CosineAnnealingWarmRestarts": [{"T_0": 3}, {"T_0": 2, "T_mult": 2, "eta_min": 0.01}],
    "ConstantLR": [{}, {"factor": 0.5, "total_iters": 3}],
    "LinearLR": [{}, {"start_factor": 0.5, "end_factor": 1.0, "total_iters": 4}],
    "PolynomialLR": [{"total_iters": 5}, {"total_iters": 4, "power": 2.0}],
    "MultiplicativeLR": [{"lr_lambda": lambda epoch: 0.9}],
    "LambdaLR": [{"lr_lambda": lambda epoch: 1.0 / (epoch + 1)}],
    "CyclicLR": [{"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 3},
                 {"base_lr": 0.01, "max_lr": 0.1, "step_size_up": 2, "mode": "triangular2"}],
    "ReduceLROnPlateau": [{"patience": 1, "factor": 0.5}, {"mode": "max", "patience": 0}],
}  # fmt: skip
_METRICS = [1.0, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.7, 0.7]
_BASES = frozenset({"Optimizer", "LRScheduler", "_LRScheduler"})


def _torch_class(entry: Entry) -> Any:
    import importlib

    module_name, _, name = entry.torch_api.rpartition(".")
    return getattr(importlib.import_module(module_name), name, None)


def _first_check(entry: Entry, target: Target) -> TargetResult | Any:
    import torch

    name = entry.torch_api.rsplit(".", 1)[1]
    if name in _BASES:
        return TargetResult("untested", reason="a base class: nothing to run alone")
    torch_cls = _torch_class(entry)
    if torch_cls is None:
        return TargetResult(
            "untested", reason=f"torch {torch.__version__} has no {entry.torch_api}"
        )
    ms_obj = resolve(target.api)
    if ms_obj is None:
        return TargetResult("error", reason=f"{target.api} does not exist")
    return torch_cls, ms_obj


# --- optimizers ---------------------------------------------------------------------------------


def verify_optimizer(entry: Entry, target: Target, max_cases: int) -> TargetResult:
    found = _first_check(entry, target)
    if isinstance(found, TargetResult):
        return found
    torch_cls, ms_cls = found
    name = entry.torch_api.rsplit(".", 1)[1]
    table = OPTIMIZER_CASES.get(name)
    if table is None:
        return TargetResult("untested", reason=f"no hyperparameter cases for {name}")
    cases: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    first = dict(table[0])
    cases.append((_label(first), (), first))
    if "lr" in first:
        rest = {k: v for k, v in first.items() if k != "lr"}
        cases.append((f"lr={first['lr']} positional", (first["lr"],), rest))
    cases.extend((_label(h), (), h) for h in table[1:])
    outcomes: list[tuple[str, Outcome]] = []
    skipped: list[str] = []
    for label, args, kwargs in cases[: max(max_cases, 1)]:
        try:
            outcomes.append((label, _run_optimizer(torch_cls, ms_cls, target, args, kwargs)))
        except (Refused, _TorchFailed) as exc:
            skipped.append(f"{label}: {exc}")
    return summarize(outcomes, skipped)


def _label(hyper: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in hyper.items()) or "defaults"


class _TorchFailed(Exception):
    pass


def _start_values() -> list[Any]:
    import torch

    generator = torch.Generator().manual_seed(0)
    return [torch.randn(4, 3, generator=generator), torch.randn(3, generator=generator)]


def _gradients() -> list[list[Any]]:
    import torch

    generator = torch.Generator().manual_seed(1)
    return [
        [torch.randn(4, 3, generator=generator), torch.randn(3, generator=generator)]
        for _ in range(STEPS)
    ]


def _run_optimizer(
    torch_cls: Any, ms_cls: Any, target: Target, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Outcome:
    import mindspore
    import torch

    grads = _gradients()
    tparams = [torch.nn.Parameter(v.clone()) for v in _start_values()]
    expected: list[list[Any]] = []
    try:
        opt = torch_cls(tparams, *args, **kwargs)
        for step in grads:
            for p, g in zip(tparams, step, strict=True):
                p.grad = g.clone()
            opt.step()
            expected.append([p.detach().clone() for p in tparams])
    except Exception as exc:
        raise _TorchFailed(short_error(exc)) from exc
    mparams = [
        mindspore.Parameter(torch_to_mindspore(v.clone()), name=n)
        for v, n in zip(_start_values(), ("weight", "bias"), strict=True)
    ]
    marker = _Params()

    def convert(value: Any) -> Any:
        return mparams if value is marker else torch_to_mindspore(value)

    try:
        margs, mkwargs = translate_call(target, (marker, *args), kwargs, convert)
    except Refused:
        raise
    except Exception as exc:
        return Outcome(False, None, f"the rewritten arguments fail: {short_error(exc)}", "error")
    try:
        mopt = ms_cls(*margs, **mkwargs)
    except Exception as exc:
        return Outcome(False, None, f"constructor: {short_error(exc)}", "error")
    worst = 0.0
    for index, step in enumerate(grads):
        try:
            mopt(tuple(torch_to_mindspore(g) for g in step))
            result = compare(
                expected[index], [p.value() for p in mparams], where=f"step {index + 1}"
            )
        except Exception as exc:
            return Outcome(False, None, f"step {index + 1}: {short_error(exc)}", "error")
        if not result.ok:
            return Outcome(False, result.max_abs_error, result.reason, "mismatch")
        worst = max(worst, result.max_abs_error or 0.0)
    return Outcome(True, worst, "", "equal")


# --- schedulers ---------------------------------------------------------------------------------


def verify_scheduler(entry: Entry, target: Target, max_cases: int) -> TargetResult:
    found = _first_check(entry, target)
    if isinstance(found, TargetResult):
        return found
    torch_cls, ms_obj = found
    name = entry.torch_api.rsplit(".", 1)[1]
    if name in ("SequentialLR", "ChainedScheduler"):
        return TargetResult("untested", reason="takes scheduler objects; no case generator yet")
    table = SCHEDULER_CASES.get(name)
    if table is None:
        return TargetResult("untested", reason=f"no cases for {name}")
    outcomes: list[tuple[str, Outcome]] = []
    skipped: list[str] = []
    for hyper in table[: max(max_cases, 1)]:
        label = _label({k: v for k, v in hyper.items() if not callable(v)}) or "lr_lambda"
        try:
            outcomes.append((label, _run_scheduler(name, torch_cls, ms_obj, target, hyper)))
        except (Refused, _TorchFailed) as exc:
            skipped.append(f"{label}: {exc}")
    return summarize(outcomes, skipped)


def _torch_rates(name: str, torch_cls: Any, hyper: dict[str, Any]) -> list[float]:
    import torch

    param = torch.nn.Parameter(torch.zeros(2))
    momentum = 0.9 if name == "CyclicLR" else 0.0
    opt = torch.optim.SGD([param], lr=0.1, momentum=momentum)
    try:
        sched = torch_cls(opt, **hyper)
        rates = []
        for step in range(SCHEDULE_STEPS):
            opt.step()
            if name == "ReduceLROnPlateau":
                sched.step(_METRICS[step])
            else:
                sched.step()
            rates.append(float(opt.param_groups[0]["lr"]))
    except Exception as exc:
        raise _TorchFailed(short_error(exc)) from exc
    return rates


def _run_scheduler(
    name: str, torch_cls: Any, ms_obj: Any, target: Target, hyper: dict[str, Any]
) -> Outcome:
    import mindspore
    from mindspore.experimental import optim

    expected = _torch_rates(name, torch_cls, hyper)
    param = mindspore.Parameter(mindspore.Tensor([0.0, 0.0], mindspore.float32), name="p")
    momentum = 0.9 if name == "CyclicLR" else 0.0
    mopt = optim.SGD([param], lr=0.1, momentum=momentum)
    marker = _Params()

    def convert(value: Any) -> Any:
        return mopt if value is marker else value

    try:
        margs, mkwargs = translate_call(target, (marker,), hyper, convert)
    except Refused:
        raise
    except Exception as exc:
        return Outcome(False, None, f"the rewritten arguments fail: {short_error(exc)}", "error")
    try:
        made = ms_obj(*margs, **mkwargs)
        actual = _ms_rates(name, made, mopt)
    except Exception as exc:
        return Outcome(False, None, short_error(exc), "error")
    result = compare(expected, actual, where="learning rates")
    return Outcome(
        result.ok, result.max_abs_error, result.reason, "equal" if result.ok else "mismatch"
    )


def _ms_rates(name: str, made: Any, mopt: Any) -> list[float]:
    """Rates from a MindSpore scheduler object, or from a function's list of rates."""
    if isinstance(made, list | tuple):
        return [float(v) for v in made[1 : SCHEDULE_STEPS + 1]]
    step: Callable[..., Any] = made.step
    rates = []
    for index in range(SCHEDULE_STEPS):
        if name == "ReduceLROnPlateau":
            step(_METRICS[index])
        else:
            step()
        lr = mopt.param_groups[0]["lr"]
        rates.append(float(lr.asnumpy() if hasattr(lr, "asnumpy") else lr))
    return rates
