"""Copy a torch model's weights into a MindSpore cell in this process, through the same weight
map the alignment's workers use (`weights.map_weights`, names from the layer attribute table).

For code that holds both models at once (the conversion tests, a notebook); torch and
mindspore are imported by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from server.runner.align.weights import WeightMap, map_weights
from server.runner.worker_side.torch_side import describe_weights


class WeightMismatch(ValueError):
    """The two models do not hold the same weights; the message lists what differs."""


@dataclass
class WeightCopy:
    copied: dict[str, str] = field(default_factory=dict)  # torch name -> MindSpore name
    skipped: list[str] = field(default_factory=list)  # torch names MindSpore has no place for
    unmatched: list[str] = field(default_factory=list)  # torch names with no MindSpore parameter
    missing: list[str] = field(default_factory=list)  # trainable MindSpore parameters unfilled
    tied: dict[str, str] = field(default_factory=dict)  # torch name -> the name it shares with
    # MindSpore parameters that are never trained and have no torch value: they keep their
    # initial values (the ones and zeros of a norm layer with affine=False, a mask buffer)
    fixed: list[str] = field(default_factory=list)


def weight_map(torch_model: Any, ms_cell: Any) -> WeightMap:
    state = torch_model.state_dict(keep_vars=True)
    modules = describe_weights(list(torch_model.named_modules()), state)
    ms_params = {
        name: {"shape": list(param.shape), "trainable": bool(param.requires_grad)}
        for name, param in ms_cell.parameters_and_names()
    }
    return map_weights(modules, ms_params)


def copy_torch_weights(torch_model: Any, ms_cell: Any, strict: bool = True) -> WeightCopy:
    """Set every MindSpore parameter from the torch value the weight map pairs it with.
    With `strict`, raise WeightMismatch when a torch value or a trainable MindSpore parameter
    finds no counterpart, or a shape differs."""
    import mindspore

    wmap = weight_map(torch_model, ms_cell)
    state = torch_model.state_dict(keep_vars=True)
    ms_params = dict(ms_cell.parameters_and_names())
    result = WeightCopy(
        skipped=[d["torch"] for d in wmap.dropped],
        unmatched=list(wmap.unmatched_torch),
        missing=list(wmap.unmatched_ms),
        tied={t["torch"]: t["same_as"] for t in wmap.tied},
        fixed=list(wmap.port_constants),
    )
    for pair in wmap.pairs:
        param = ms_params[pair["ms"]]
        array = state[pair["torch"]].detach().cpu().numpy().reshape(param.shape)
        param.set_data(mindspore.Tensor(array, dtype=param.dtype))
        result.copied[pair["torch"]] = pair["ms"]
    if strict and not wmap.ok:
        raise WeightMismatch("; ".join(wmap.problems()))
    return result


__all__ = ["WeightCopy", "WeightMismatch", "copy_torch_weights", "weight_map"]
