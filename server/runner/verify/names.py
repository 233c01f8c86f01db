"""Dotted API names to the objects they refer to, in a worker that has the frameworks."""

from __future__ import annotations

import importlib
from typing import Any


def resolve(api: str) -> Any:
    """The object a dotted name (`mindspore.nn.Dense`, `torch.Tensor.add`) refers to, or None
    when it does not exist: the longest importable prefix, then attributes."""
    parts = api.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        for attribute in parts[split:]:
            obj = getattr(obj, attribute, None)
            if obj is None:
                return None
        return obj
    return None
