"""Copy a torch module's weights into the MindSpore cell converted from it.

Names follow the layer attribute table of the mapping database
(mapping_db/data/layer_attributes.toml): `bn1.weight` of a BatchNorm2d is `bn1.gamma`,
`emb.weight` of an Embedding is `emb.embedding_table`. One home for the alignment's weight
transfer and the conversion tests. torch and mindspore are imported by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mapping_db.layer_attributes import layer_table


class WeightMismatch(ValueError):
    """The two models do not hold the same weights; the message lists what differs."""


@dataclass
class WeightCopy:
    copied: dict[str, str] = field(default_factory=dict)  # torch name -> MindSpore name
    skipped: list[str] = field(default_factory=list)  # torch names MindSpore has no place for
    unmatched: list[str] = field(default_factory=list)  # torch names with no MindSpore parameter
    missing: list[str] = field(default_factory=list)  # MindSpore parameters torch did not fill
    tied: dict[str, str] = field(default_factory=dict)  # torch name -> the name it shares with
    # MindSpore parameters that are never trained and have no torch value: they keep their
    # initial values (the ones and zeros of a norm layer with affine=False)
    fixed: list[str] = field(default_factory=list)


def _torch_layer_name(module: Any) -> str | None:
    """The torch.nn class a module is (or derives from), as the table names it."""
    for cls in type(module).__mro__:
        name = f"torch.nn.{cls.__name__}"
        if cls.__module__.startswith("torch.nn") and name in layer_table():
            return name
    return None


def mindspore_name(torch_model: Any, torch_name: str) -> tuple[str, str]:
    """(MindSpore parameter name, transform) of a torch state_dict key; ("", "") when
    MindSpore keeps no such value (e.g. num_batches_tracked)."""
    owner_path, _, attr = torch_name.rpartition(".")
    owner = torch_model.get_submodule(owner_path) if owner_path else torch_model
    layer = _torch_layer_name(owner)
    if layer is None:
        return torch_name, ""
    fact = layer_table()[layer].attributes.get(attr)
    if fact is None:
        return torch_name, ""
    if not fact.mindspore:
        return "", ""
    return (f"{owner_path}.{fact.mindspore}" if owner_path else fact.mindspore), fact.transform


def copy_torch_weights(torch_model: Any, ms_cell: Any, strict: bool = True) -> WeightCopy:
    """Set every MindSpore parameter from the torch state_dict entry it corresponds to.
    With `strict`, raise WeightMismatch unless each side's weights find their counterpart."""
    import mindspore
    import numpy as np

    ms_params = dict(ms_cell.parameters_and_names())
    result = WeightCopy()
    problems: list[str] = []
    seen: dict[int, str] = {}  # storage of a copied torch tensor -> its name (tied weights)
    for torch_name, value in torch_model.state_dict(keep_vars=True).items():
        value = value.detach()
        name, transform = mindspore_name(torch_model, torch_name)
        if not name:
            result.skipped.append(torch_name)
            continue
        param = ms_params.get(name)
        shared = seen.get(value.data_ptr()) if value.numel() else None
        if param is None and shared is not None:
            result.tied[torch_name] = shared  # MindSpore lists a tied parameter once
            continue
        if param is None:
            problems.append(f"{torch_name}: no MindSpore parameter {name}")
            result.unmatched.append(torch_name)
            continue
        array = value.detach().cpu().numpy()
        if tuple(array.shape) != tuple(param.shape):
            if array.size != int(np.prod(param.shape)):
                problems.append(f"{torch_name}: shape {tuple(array.shape)} vs {tuple(param.shape)}")
                continue
            array = array.reshape(param.shape)  # e.g. Conv1d kernels (transform "reshape")
        param.set_data(mindspore.Tensor(array, dtype=param.dtype))
        result.copied[torch_name] = name
        seen[value.data_ptr()] = torch_name
    missing = sorted(set(ms_params) - set(result.copied.values()))
    result.fixed = [n for n in missing if not ms_params[n].requires_grad]
    missing = [n for n in missing if ms_params[n].requires_grad]
    result.missing = missing
    if missing:
        problems.append(f"MindSpore parameters with no torch value: {', '.join(missing)}")
    if strict and problems:
        raise WeightMismatch("; ".join(problems))
    return result


__all__ = ["WeightCopy", "WeightMismatch", "copy_torch_weights", "mindspore_name"]
