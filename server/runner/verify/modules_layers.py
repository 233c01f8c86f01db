"""Verify torch.nn layers and losses against their MindSpore cells.

Per case: build the torch module, build the MindSpore cell from the quick fix's translation of
the same constructor call, copy torch's parameters and buffers into the cell, put both in
evaluation mode (dropout off, batch norm on running statistics) and compare forward outputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mapping_db.model import Entry, Target
from mapping_db.verification import TargetResult
from server.runner.verify.compare import compare, torch_to_mindspore
from server.runner.verify.modules_cases import Build, LayerCase, layer_cases
from server.runner.verify.modules_translate import Refused, translate_call
from server.runner.verify.names import resolve

# MindSpore's names for torch's parameters and buffers (any segment of a dotted name).
MS_NAMES = {
    "gamma": "weight",
    "beta": "bias",
    "moving_mean": "running_mean",
    "moving_variance": "running_var",
    "w": "weight",  # PReLU
    "embedding_table": "weight",
    "dense1": "linear1",  # Transformer layers
    "dense2": "linear2",
}

# torch.nn containers and base classes: nothing to run on their own.
CONTAINERS = frozenset({
    "Module", "ModuleDict", "ModuleList", "Sequential", "ParameterDict", "ParameterList",
    "Parameter", "Container", "RNNBase", "RNNCellBase", "Buffer", "UninitializedBuffer",
    "UninitializedParameter", "DataParallel",
})  # fmt: skip


class Unmatched(Exception):
    """torch parameters without a place in the MindSpore cell; the message names them."""


class MindSporeFailed(Exception):
    """MindSpore raised while building or running the cell."""

    def __init__(self, exc: BaseException) -> None:
        super().__init__(short_error(exc))


def short_error(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines()]
    # MindSpore's runtime errors open with banner lines ("-----", "- Kernel select failed:").
    first = next((line for line in lines if line and not line.startswith("-")), "")
    text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return text[:160]


@dataclass
class Outcome:
    ok: bool
    error: float | None
    reason: str
    status: str  # equal | mismatch | error


def verify_layer(entry: Entry, target: Target, max_cases: int) -> TargetResult:
    import torch

    name = entry.torch_api.removeprefix("torch.nn.")
    if name in CONTAINERS:
        return TargetResult("untested", reason="a container or base class: nothing to run alone")
    torch_cls = getattr(torch.nn, name, None)
    if torch_cls is None:
        return TargetResult("untested", reason=f"torch {torch.__version__} has no torch.nn.{name}")
    ms_cls = resolve(target.api)
    if ms_cls is None:
        return TargetResult("error", reason=f"{target.api} does not exist")
    candidates = layer_cases(name, torch_cls, max_cases)
    if not candidates:
        return TargetResult("untested", reason=f"no inputs for torch.nn.{name}")
    wanted = max(max_cases, 1)
    outcomes: list[tuple[str, Outcome]] = []
    skipped: list[str] = []
    for case in candidates:
        if len(outcomes) >= wanted:
            break
        try:
            outcome = run_case(case, torch_cls, target, ms_cls)
        except (Refused, Unmatched, TorchFailed) as exc:
            skipped.append(f"{case.label}: {exc}")
            continue
        if outcome is not None:
            outcomes.append((case.label, outcome))
    return summarize(outcomes, skipped)


def summarize(outcomes: list[tuple[str, Outcome]], skipped: list[str]) -> TargetResult:
    if not outcomes:
        why = skipped[0] if skipped else "no case ran"
        return TargetResult("untested", reason=f"no case ran; {why}"[:200])
    passed = sum(1 for _, o in outcomes if o.ok)
    errors = [o.error for _, o in outcomes if o.error is not None]
    worst = max(errors) if errors else None
    failed = next(((label, o) for label, o in outcomes if not o.ok), None)
    if failed is None:
        return TargetResult("equal", len(outcomes), passed, worst)
    label, outcome = failed
    return TargetResult(
        outcome.status, len(outcomes), passed, worst, f"case {label!r}: {outcome.reason}"[:240]
    )


class TorchFailed(Exception):
    """torch itself rejected the generated case."""


def _torch_value(value: Any) -> Any:
    import torch

    if isinstance(value, Build):
        args = tuple(_torch_value(v) for v in value.args)
        kwargs = {k: _torch_value(v) for k, v in value.kwargs.items()}
        return getattr(torch.nn, value.name)(*args, **kwargs)
    return value


def _ms_converter(outer: Target) -> Any:
    """Converts placeholders: tensors to mindspore, Build specs to MindSpore cells built from
    the mapping of their own torch class (the target in the outer target's namespace)."""

    def convert(value: Any) -> Any:
        if callable(value) and not isinstance(value, Build):
            return _ms_function(value)
        if not isinstance(value, Build):
            return torch_to_mindspore(value)
        from mapping_db.store import load_database

        entry = load_database().get(f"torch.nn.{value.name}")
        namespace = outer.api.rsplit(".", 1)[0] + "."
        inner = next(
            (t for t in (entry.targets if entry else ()) if t.api.startswith(namespace)), None
        )
        if inner is None:
            raise Refused(f"no {namespace}* mapping for torch.nn.{value.name}")
        args, kwargs = translate_call(inner, value.args, value.kwargs, convert)
        cls = resolve(inner.api)
        try:
            return cls(*args, **kwargs)
        except Exception as exc:
            raise MindSporeFailed(exc) from exc

    return convert


def _ms_function(func: Any) -> Any:
    """A torch function passed as an argument (activation=F.gelu) becomes what the quick fix
    writes for it: its mapping's mindspore.ops target, else its first target."""
    from mapping_db.store import load_database

    module = getattr(func, "__module__", "") or ""
    name = getattr(func, "__name__", "")
    if not module.startswith("torch"):
        return func
    db = load_database()
    entry = db.get(f"torch.nn.functional.{name}") or db.get(f"torch.{name}")
    if entry is None or not entry.targets:
        raise Refused(f"no mapping for the torch function {name} passed as an argument")
    ops = [t for t in entry.targets if t.api.startswith("mindspore.ops.")]
    found = resolve((ops or list(entry.targets))[0].api)
    if found is None:
        raise Refused(f"the mapping for {name} does not resolve")
    return found


def run_case(case: LayerCase, torch_cls: Any, target: Target, ms_cls: Any) -> Outcome | None:
    import mindspore
    import torch

    torch.manual_seed(0)
    try:
        module = torch_cls(
            *(_torch_value(v) for v in case.args),
            **{k: _torch_value(v) for k, v in case.kwargs.items()},
        )
        module.eval()
        _randomize_constants(module)
        inputs, input_kwargs = _positional_inputs(module, *case.inputs())
        with torch.no_grad():
            expected = module(*inputs, **input_kwargs)
    except Exception as exc:
        raise TorchFailed(short_error(exc)) from exc
    try:
        args, kwargs = translate_call(target, case.args, case.kwargs, _ms_converter(target))
    except MindSporeFailed as exc:
        return Outcome(False, None, f"building the inner layer: {exc}", "error")
    except Refused:
        raise
    except Exception as exc:  # the rewritten arguments do not evaluate, e.g. `1 - None`
        return Outcome(False, None, f"the rewritten arguments fail: {short_error(exc)}", "error")
    mindspore.set_seed(0)
    try:
        cell = ms_cls(*args, **kwargs)
    except Exception as exc:
        return Outcome(False, None, f"constructor: {short_error(exc)}", "error")
    if not isinstance(cell, mindspore.nn.Cell):
        return Outcome(False, None, f"{target.api} did not build a Cell", "error")
    copy_parameters(module, cell)
    cell.set_train(False)
    try:
        actual = cell(*torch_to_mindspore(tuple(inputs)), **torch_to_mindspore(input_kwargs))
        result = compare(expected, actual)  # MindSpore may run lazily: errors surface here
    except Exception as exc:
        return Outcome(False, None, short_error(exc), "error")
    status = "equal" if result.ok else "mismatch"
    return Outcome(result.ok, result.max_abs_error, result.reason, status)


def _positional_inputs(module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
    """Forward inputs passed by keyword (module_db writes Linear(input=x)) become positional
    where they fill torch's forward parameters in order: the names differ in MindSpore."""
    import inspect

    try:
        params = list(inspect.signature(module.forward).parameters.values())
    except (TypeError, ValueError):
        return args, kwargs
    args, kwargs = list(args), dict(kwargs)
    for param in params[len(args) :]:
        if param.kind is not param.POSITIONAL_OR_KEYWORD or param.name not in kwargs:
            break
        args.append(kwargs.pop(param.name))
    return tuple(args), kwargs


def _randomize_constants(module: Any) -> None:
    """Parameters and buffers initialised to one constant (norm weights, running statistics)
    get random values, so copying them and using them is actually checked."""
    import torch

    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for name, tensor in [*module.named_parameters(), *module.named_buffers()]:
            if not tensor.is_floating_point() or tensor.numel() < 1:
                continue
            if not bool((tensor == tensor.flatten()[0]).all()):
                continue
            noise = torch.rand(tensor.shape, generator=generator)
            if name.endswith("var"):
                tensor.copy_(0.5 + noise)
            else:
                tensor.add_(noise - 0.5)


def _canonical(name: str) -> str:
    return ".".join(MS_NAMES.get(part, part) for part in name.split("."))


def copy_parameters(module: Any, cell: Any) -> None:
    """Copy torch's float parameters and buffers into the cell: by name (with MindSpore's
    renames), then the rest by order where shapes agree. A shape that differs only in unit
    dimensions (MindSpore's Conv1d stores its kernel as (out, in, 1, k)) is reshaped: the
    values and their order are the same. Raises Unmatched naming what has no place."""
    import mindspore
    import numpy as np

    source = [
        (name, tensor.detach().numpy())
        for name, tensor in [*module.named_parameters(), *module.named_buffers()]
        if tensor.is_floating_point()
    ]
    targets = [
        (name, param)
        for name, param in cell.parameters_and_names()
        if param.dtype in (mindspore.float32, mindspore.float16, mindspore.float64)
    ]
    by_name = {_canonical(name): (name, param) for name, param in targets}
    used: set[str] = set()
    pending: list[tuple[str, np.ndarray]] = []
    plan: list[tuple[Any, np.ndarray]] = []
    for name, array in source:
        hit = by_name.get(name) or _by_suffix(name, by_name, used)
        if hit is not None and hit[0] not in used and _fits(array, hit[1].shape):
            plan.append((hit[1], array))
            used.add(hit[0])
        else:
            pending.append((name, array))
    free = [(name, param) for name, param in targets if name not in used]
    unplaced = []
    for name, array in pending:
        # Last resort: the one free parameter of a fitting shape (never a guess among several).
        fitting = [(n, p) for n, p in free if n not in used and _fits(array, p.shape)]
        if len(fitting) != 1:
            unplaced.append(name)
            continue
        plan.append((fitting[0][1], array))
        used.add(fitting[0][0])
    if unplaced:
        raise Unmatched(f"no MindSpore parameter for torch's {', '.join(unplaced)}"[:160])
    for param, array in plan:
        value = array.reshape(param.shape).astype(mindspore.dtype_to_nptype(param.dtype))
        param.set_data(mindspore.Tensor(value))


def _by_suffix(name: str, by_name: dict[str, Any], used: set[str]) -> Any:
    """The one MindSpore parameter whose name ends like torch's (bn2d.moving_mean for
    running_mean: MindSpore's BatchNorm3d wraps a BatchNorm2d), if exactly one does."""
    hits = [
        hit
        for canonical, hit in by_name.items()
        if hit[0] not in used and (canonical.endswith("." + name) or name.endswith("." + canonical))
    ]
    return hits[0] if len(hits) == 1 else None


def _fits(array: Any, shape: tuple[int, ...]) -> bool:
    shape = tuple(shape)
    if tuple(array.shape) == shape:
        return True
    squeeze = tuple(d for d in array.shape if d != 1)
    return squeeze == tuple(d for d in shape if d != 1)
