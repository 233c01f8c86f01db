"""The layer attribute table (mapping_db/data/layer_attributes.toml) against the installed
torch and mindspore: every name on each side exists, with the same number of elements."""

from __future__ import annotations

import importlib

import pytest
import torch

from mapping_db.layer_attributes import LayerTableError, layer_table, parse_table

# Constructor arguments that build each layer in both frameworks.
_ARGS = {
    "BatchNorm": (4,),
    "InstanceNorm": (4,),
    "LayerNorm": None,
    "GroupNorm": (2, 4),
    "Embedding": (5, 3),
    "PReLU": (),
    "Conv1d": (2, 3, 3),
    "ConvTranspose1d": (2, 3, 3),
    "Conv1dTranspose": (2, 3, 3),
    "LSTM": (3, 4),
    "GRU": (3, 4),
    "RNN": (3, 4),
    "MultiheadAttention": (8, 2),
}


def _build(qualified: str):
    module, _, name = qualified.rpartition(".")
    cls = getattr(importlib.import_module(module), name)
    key = next(k for k in _ARGS if name.startswith(k))
    if key == "LayerNorm":
        return cls((4,)) if qualified.startswith("mindspore") else cls(4)
    if qualified.startswith("mindspore") and "Conv" in name:
        return cls(*_ARGS[key], has_bias=True)
    return cls(*_ARGS[key])


def _sizes(layer, framework: str) -> dict[str, int]:
    if framework == "torch":
        return {k: v.numel() for k, v in layer.state_dict().items()}
    return {k: int(v.size) for k, v in layer.parameters_and_names()}


@pytest.mark.parametrize("torch_layer", sorted(layer_table()))
def test_names_exist_on_both_sides(torch_layer: str, mindspore_on_cpu) -> None:
    facts = layer_table()[torch_layer]
    torch_sizes = _sizes(_build(torch_layer), "torch")
    ms_sizes = _sizes(_build(facts.mindspore_layer), "mindspore")
    for torch_name, size in torch_sizes.items():
        ms_name = facts.mindspore_name(torch_name)
        if ms_name == "":
            continue
        assert ms_name in ms_sizes, (torch_name, ms_name, sorted(ms_sizes))
        assert ms_sizes[ms_name] == size


def test_bad_table_is_reported() -> None:
    with pytest.raises(LayerTableError, match="differ in length"):
        parse_table('[x]\ntorch = ["a"]\nmindspore = []\n')
    with pytest.raises(LayerTableError, match="no `mindspore` name"):
        parse_table('[x]\ntorch = ["a"]\nmindspore = ["b"]\n[x.parameters.w]\nnote = "n"\n')


def test_the_torch_side_is_real() -> None:
    assert set(torch.nn.BatchNorm2d(2).state_dict()) >= set(
        layer_table()["torch.nn.BatchNorm2d"].attributes
    )
