"""Verify torch.nn.Module methods (model.eval(), model.parameters(), ...) against the Cell
methods they map to.

Per case: the same small model is built on both sides (each layer from its own mapping, the
way modules_layers builds an inner layer; torch's parameters and buffers copied in), the
method is called on each with the arguments the mapping writes (set_args, renames: the
quick fix's argument translation), and what it gives is compared:

    eval / train        the mode flag, then the forward output in that mode (dropout is
                        random in training mode, so training cases use a model without it)
    parameters          the parameter values, in order
    named_parameters,   the names and values, in order (MindSpore's names are compared as
    state_dict          they are: a user's code that reads them by name sees these)
    apply               the layers visited, in order, by the class the mapping names

The two models: an MLP (Linear, ReLU, Linear) and one with BatchNorm1d and Dropout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mapping_db.model import Entry, Target
from mapping_db.verification import TargetResult
from server.runner.verify.compare import compare, to_numpy, torch_to_mindspore
from server.runner.verify.modules_cases import Build
from server.runner.verify.modules_layers import (
    MindSporeFailed,
    Outcome,
    Unmatched,
    _ms_converter,
    _randomize_constants,
    copy_parameters,
    short_error,
    summarize,
)
from server.runner.verify.modules_translate import Refused, translate_call

PREFIX = "torch.nn.Module."


@dataclass(frozen=True)
class Model:
    label: str
    layers: tuple[Build, ...]


MLP = Model("mlp", (Build("Linear", (4, 6)), Build("ReLU"), Build("Linear", (6, 3))))
WITH_NORM = Model(
    "batchnorm, dropout",
    (
        Build("Linear", (4, 6)),
        Build("BatchNorm1d", (6,)),
        Build("ReLU"),
        Build("Dropout", (0.5,)),
        Build("Linear", (6, 3)),
    ),
)
NO_DROPOUT = Model(
    "batchnorm",
    (Build("Linear", (4, 6)), Build("BatchNorm1d", (6,)), Build("ReLU"), Build("Linear", (6, 3))),
)


def handles(entry: Entry) -> bool:
    name = entry.torch_api
    return name.startswith(PREFIX) and "." not in name.removeprefix(PREFIX)


def verify(entry: Entry, target: Target, max_cases: int = 5) -> TargetResult:
    method = entry.torch_api.removeprefix(PREFIX)
    check = _CHECKS.get(method)
    if check is None:
        return TargetResult("untested", reason=f"no case generator for Module.{method} yet")
    models = [NO_DROPOUT, MLP] if method == "train" else [MLP, WITH_NORM]
    outcomes: list[tuple[str, Outcome]] = []
    skipped: list[str] = []
    for model in models[: max(1, max_cases)]:
        try:
            torch_model, cell = _build(model, target)  # a bug of ours raises out of verify
        except (Refused, Unmatched) as exc:
            skipped.append(f"{model.label}: {exc}")
            continue
        except MindSporeFailed as exc:
            outcomes.append((model.label, Outcome(False, None, f"building: {exc}", "error")))
            continue
        try:
            outcome = check(torch_model, cell, target)
        except Refused as exc:
            skipped.append(f"{model.label}: {exc}")
            continue
        except Exception as exc:  # MindSpore raising in the method or the forward pass
            outcome = Outcome(False, None, short_error(exc), "error")
        outcomes.append((model.label, outcome))
    return summarize(outcomes, skipped)


def _build(model: Model, target: Target) -> tuple[Any, Any]:
    """The torch Sequential and the MindSpore SequentialCell of `model`, same parameters."""
    import mindspore
    import torch

    from server.runner.verify.modules_layers import _torch_value

    torch.manual_seed(0)
    torch_model = torch.nn.Sequential(*(_torch_value(b) for b in model.layers))
    _randomize_constants(torch_model)
    convert = _ms_converter(Target(api="mindspore.nn.Cell", sources=(), category="consistent"))
    cell = mindspore.nn.SequentialCell([convert(b) for b in model.layers])
    copy_parameters(torch_model, cell)
    return torch_model, cell


def _call(cell: Any, target: Target, *args: Any) -> Any:
    """Call the target method on `cell` with the arguments the mapping writes."""
    ms_args, ms_kwargs = translate_call(target, args, {})
    return getattr(cell, target.api.rsplit(".", 1)[1])(*ms_args, **ms_kwargs)


def _inputs() -> Any:
    import torch

    torch.manual_seed(1)
    return torch.randn(8, 4)


def _mode_and_output(torch_model: Any, cell: Any, training: bool) -> Outcome:
    import torch

    if torch_model.training != training or bool(cell.training) != training:
        return Outcome(
            False,
            None,
            f"mode: torch training={torch_model.training}, MindSpore training={cell.training}",
            "mismatch",
        )
    x = _inputs()
    with torch.no_grad():
        expected = torch_model(x)
    result = compare(expected, cell(torch_to_mindspore(x)))
    return Outcome(
        result.ok, result.max_abs_error, result.reason, "equal" if result.ok else "mismatch"
    )


def _eval(torch_model: Any, cell: Any, target: Target) -> Outcome:
    torch_model.train()
    cell.set_train(True)
    torch_model.eval()
    _call(cell, target)
    return _mode_and_output(torch_model, cell, training=False)


def _train(torch_model: Any, cell: Any, target: Target) -> Outcome:
    torch_model.eval()
    cell.set_train(False)
    torch_model.train()
    _call(cell, target)
    return _mode_and_output(torch_model, cell, training=True)


def _values(torch_model: Any, cell: Any, target: Target) -> Outcome:
    expected = [p.detach() for p in torch_model.parameters()]
    actual = list(_call(cell, target))
    return _compared(expected, actual)


def _named(items: Callable[[Any], Any]) -> Callable[[Any, Any, Target], Outcome]:
    def check(torch_model: Any, cell: Any, target: Target) -> Outcome:
        expected = [(n, t.detach()) for n, t in items(torch_model)]
        found = _call(cell, target)
        actual = list(found.items() if hasattr(found, "items") else found)
        names = [n for n, _ in expected], [str(n) for n, _ in actual]
        if names[0] != names[1]:
            return Outcome(False, None, f"names: {_first_difference(*names)}", "mismatch")
        return _compared([t for _, t in expected], [p for _, p in actual])

    return check


def _apply(torch_model: Any, cell: Any, target: Target) -> Outcome:
    from mapping_db.store import load_database

    db = load_database()
    seen_torch: list[str] = []
    seen_ms: list[str] = []
    torch_model.apply(lambda m: seen_torch.append(type(m).__name__))
    _call(cell, target, lambda c: seen_ms.append(type(c).__name__))
    expected = []
    for name in seen_torch:
        entry = db.get(f"torch.nn.{name}")
        mapped = [t.api.rsplit(".", 1)[1] for t in entry.targets] if entry else []
        expected.append(mapped or [name])
    same = len(expected) == len(seen_ms) and all(
        ms in names for ms, names in zip(seen_ms, expected, strict=True)
    )
    if same:
        return Outcome(True, 0.0, "", "equal")
    return Outcome(
        False, None, f"visited {', '.join(seen_ms)}; torch {', '.join(seen_torch)}", "mismatch"
    )


def _compared(expected: list[Any], actual: list[Any]) -> Outcome:
    if len(expected) != len(actual):
        return Outcome(
            False, None, f"{len(actual)} values, torch gives {len(expected)}", "mismatch"
        )
    result = compare(tuple(to_numpy(e) for e in expected), tuple(to_numpy(a) for a in actual))
    return Outcome(
        result.ok, result.max_abs_error, result.reason, "equal" if result.ok else "mismatch"
    )


def _outcome(result: Any) -> Outcome:
    return Outcome(
        result.ok, result.max_abs_error, result.reason, "equal" if result.ok else "mismatch"
    )


def _first_difference(torch_names: list[str], ms_names: list[str]) -> str:
    for index, (a, b) in enumerate(zip(torch_names, ms_names, strict=False)):
        if a != b:
            return f"#{index + 1} is {b}, torch's {a}"
    return f"{len(ms_names)} names, torch gives {len(torch_names)}"


_CHECKS: dict[str, Callable[[Any, Any, Target], Outcome]] = {
    "eval": _eval,
    "train": _train,
    "parameters": _values,
    "named_parameters": _named(lambda m: m.named_parameters()),
    "state_dict": _named(lambda m: m.state_dict().items()),
    "apply": _apply,
}
