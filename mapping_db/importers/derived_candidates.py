"""Where a torch API's same-named MindSpore counterpart may live, per torch namespace.

Only names found by introspection of the installed mindspore count; a candidate must be of
the same kind (a class for a class, a function for a function).
"""

from __future__ import annotations

import importlib
import inspect
import types
from functools import cache
from typing import Any

# Names that differ but are the same function (torch documents these as aliases).
SPECIAL_ALIASES = {"expit": "sigmoid", "gammaln": "lgamma", "psi": "digamma"}

# torch.nn.init functions and the mindspore.common.initializer class that fills the same way.
INIT_TABLE = {
    "constant_": "Constant",
    "dirac_": "Dirac",
    "eye_": "Identity",
    "kaiming_normal_": "HeNormal",
    "kaiming_uniform_": "HeUniform",
    "normal_": "Normal",
    "ones_": "One",
    "orthogonal_": "Orthogonal",
    "sparse_": "Sparse",
    "trunc_normal_": "TruncatedNormal",
    "uniform_": "Uniform",
    "xavier_normal_": "XavierNormal",
    "xavier_uniform_": "XavierUniform",
    "zeros_": "Zero",
}


@cache
def resolve(api: str) -> Any:
    """The object `api` names in the installed mindspore, or None."""
    parts = api.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except Exception:  # noqa: BLE001 - not a module at this depth
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name, None)
            if obj is None:
                return None
        return obj
    return None


def _paths(namespace: str, name: str) -> list[str]:
    ms = "mindspore"
    table: dict[str, list[str]] = {
        "torch": [f"{ms}.ops.{name}", f"{ms}.mint.{name}", f"{ms}.{name}"],
        "torch.Tensor": [f"{ms}.Tensor.{name}"],
        "torch.nn": [f"{ms}.nn.{name}", f"{ms}.mint.nn.{name}"],
        "torch.nn.functional": [f"{ms}.ops.{name}", f"{ms}.mint.nn.functional.{name}"],
        "torch.linalg": [f"{ms}.ops.{name}", f"{ms}.mint.linalg.{name}"],
        "torch.fft": [f"{ms}.ops.{name}", f"{ms}.mint.fft.{name}"],
        "torch.special": [f"{ms}.ops.{name}", f"{ms}.mint.special.{name}"],
        "torch.optim": [f"{ms}.experimental.optim.{name}", f"{ms}.mint.optim.{name}"],
        "torch.optim.lr_scheduler": [f"{ms}.experimental.optim.lr_scheduler.{name}"],
        "torch.utils.data": [f"{ms}.dataset.{name}"],
    }
    if namespace == "torch.special" and name in SPECIAL_ALIASES:
        return [f"{ms}.ops.{SPECIAL_ALIASES[name]}"]
    if namespace == "torch.nn.init":
        return [f"{ms}.common.initializer.{INIT_TABLE[name]}"] if name in INIT_TABLE else []
    return table[namespace]


def candidates(namespace: str, name: str, torch_obj: Any) -> list[str]:
    """MindSpore APIs of the same kind found for torch `namespace.name`, ops/nn first."""
    want_class = inspect.isclass(torch_obj)
    found: list[str] = []
    for path in _paths(namespace, name):
        obj = resolve(path)
        if obj is None or isinstance(obj, types.ModuleType) or not callable(obj):
            continue
        if namespace == "torch.nn.init":
            found.append(path)  # a class standing for a function: the table says so
        elif inspect.isclass(obj) == want_class:
            found.append(path)
    # torch.X as a class: only the top-level mindspore class counts.
    if namespace == "torch":
        top = [p for p in found if p.count(".") == 1]
        found = top if want_class else [p for p in found if p.count(".") > 1]
    return found
