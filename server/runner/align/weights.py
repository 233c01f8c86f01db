"""torch parameter and buffer names -> MindSpore parameter names, by module path and the layer
attribute table (`mapping_db/data/layer_attributes.toml`).

Pure: it works on what the two workers describe (module paths, types, names, shapes), so the
same map serves alignment and `mindport weights convert`. Whatever does not match (a name the
port lacks, a shape that differs) is listed; nothing is copied as if it matched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from mapping_db.layer_attributes import layer_table

COPY_TRANSFORMS = ("", "reshape")


@dataclass
class WeightMap:
    pairs: list[dict[str, Any]] = field(default_factory=list)  # torch, ms, transform, renamed
    dropped: list[dict[str, str]] = field(default_factory=list)  # torch-only, by the table
    tied: list[dict[str, str]] = field(default_factory=list)  # torch, same_as: one MS Parameter
    unmatched_torch: list[str] = field(default_factory=list)
    unmatched_ms: list[str] = field(default_factory=list)
    # Non-trainable port parameters torch has no value for (a mask the port builds as a
    # buffer where torch takes another code path): kept as the port built them; the forward
    # comparison judges them.
    port_constants: list[str] = field(default_factory=list)
    shape_mismatch: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.unmatched_torch or self.unmatched_ms or self.shape_mismatch)

    @property
    def renamed(self) -> int:
        return sum(1 for p in self.pairs if p["renamed"])

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.ok else "diverges",
            "mapped": len(self.pairs),
            "renamed": self.renamed,
            "pairs": self.pairs,
            "dropped": self.dropped,
            "tied": self.tied,
            "unmatched_torch": self.unmatched_torch,
            "unmatched_mindspore": self.unmatched_ms,
            "shape_mismatch": self.shape_mismatch,
            "port_constants": self.port_constants,
        }

    def problems(self) -> list[str]:
        lines = [f"torch {name} has no counterpart in the port" for name in self.unmatched_torch]
        lines += [
            f"port parameter {name} has no counterpart in torch" for name in self.unmatched_ms
        ]
        lines += [
            f"{m['torch']} {tuple(m['torch_shape'])} -> {m['ms']} {tuple(m['ms_shape'])}: "
            "shapes differ"
            for m in self.shape_mismatch
        ]
        return lines


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def map_weights(torch_modules: list[dict[str, Any]], ms_params: dict[str, Any]) -> WeightMap:
    """`torch_modules`: the torch worker's module list (path, type, params, buffers with shapes);
    `ms_params`: MindSpore full name -> {"shape", "trainable"}."""
    table = layer_table()
    result = WeightMap()
    claimed: set[str] = set()
    for module in torch_modules:
        bases = module.get("bases") or [module["type"]]
        layer = next((table[b] for b in bases if b in table), None)
        entries = [(n, s, "param") for n, s in module.get("params", {}).items()]
        entries += [(n, s, "buffer") for n, s in module.get("buffers", {}).items()]
        for local, shape, kind in entries:
            torch_name = _join(module["path"], local)
            fact = layer.attributes.get(local) if layer is not None else None
            ms_local = local if fact is None else fact.mindspore
            transform = "" if fact is None else fact.transform
            if not ms_local:
                result.dropped.append({"torch": torch_name, "note": fact.note if fact else ""})
                continue
            ms_name = _join(module["path"], ms_local)
            target = ms_params.get(ms_name)
            same_as = (module.get("tied") or {}).get(local)
            if target is None and same_as is not None:
                # Shared with an earlier torch name; the port shares one Parameter too.
                result.tied.append({"torch": torch_name, "same_as": same_as})
                continue
            if target is None:
                result.unmatched_torch.append(torch_name)
                continue
            claimed.add(ms_name)
            ms_shape = list(target["shape"])
            same = list(shape) == ms_shape
            if not same and not (
                transform in COPY_TRANSFORMS
                and math.prod(shape) == math.prod(ms_shape)
                and transform == "reshape"
            ):
                result.shape_mismatch.append(
                    {
                        "torch": torch_name,
                        "ms": ms_name,
                        "torch_shape": list(shape),
                        "ms_shape": ms_shape,
                    }
                )
                continue
            result.pairs.append(
                {
                    "torch": torch_name,
                    "ms": ms_name,
                    "transform": transform,
                    "renamed": ms_local != local,
                    "kind": kind,
                    "trainable": bool(target.get("trainable", True)),
                }
            )
    for name in sorted(ms_params):
        if name in claimed:
            continue
        if ms_params[name].get("trainable", True):
            result.unmatched_ms.append(name)
        else:
            result.port_constants.append(name)
    return result
