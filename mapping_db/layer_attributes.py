"""The table of torch layer parameter/buffer names and their MindSpore names.

`data/layer_attributes.toml` is the one home of these facts: file conversion renames
`bn.weight` to `bn.gamma` with it, and weight transfer (torch state_dict -> MindSpore
parameters) maps names with it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLE = Path(__file__).resolve().parent / "data" / "layer_attributes.toml"


@dataclass(frozen=True, slots=True)
class AttributeName:
    torch: str
    mindspore: str  # "" when MindSpore has no counterpart (e.g. num_batches_tracked)
    transform: str = ""  # "" copy as is; "reshape"; other words are notes for weight transfer
    note: str = ""


@dataclass(frozen=True, slots=True)
class LayerAttributes:
    torch_layer: str  # "torch.nn.BatchNorm2d"
    mindspore_layer: str  # "mindspore.nn.BatchNorm2d"
    family: str
    attributes: dict[str, AttributeName]

    def mindspore_name(self, torch_name: str) -> str:
        """The MindSpore name of a torch attribute; a name the table lacks is the same."""
        fact = self.attributes.get(torch_name)
        return torch_name if fact is None else fact.mindspore


class LayerTableError(ValueError):
    """The table holds something the loader cannot accept; the message names it."""


def parse_table(text: str) -> dict[str, LayerAttributes]:
    raw = tomllib.loads(text)
    layers: dict[str, LayerAttributes] = {}
    for family, body in raw.items():
        torch_layers = body.get("torch", [])
        ms_layers = body.get("mindspore", [])
        if len(torch_layers) != len(ms_layers):
            raise LayerTableError(f"[{family}]: torch and mindspore lists differ in length")
        attributes = {}
        for name, fact in body.get("parameters", {}).items():
            if "mindspore" not in fact:
                raise LayerTableError(f"[{family}.parameters.{name}] has no `mindspore` name")
            attributes[name] = AttributeName(
                name, fact["mindspore"], fact.get("transform", ""), fact.get("note", "")
            )
        for torch_layer, ms_layer in zip(torch_layers, ms_layers, strict=True):
            layers[torch_layer] = LayerAttributes(torch_layer, ms_layer, family, attributes)
    return layers


@cache
def layer_table() -> dict[str, LayerAttributes]:
    """torch layer qualified name -> its attribute names (loaded once)."""
    return parse_table(TABLE.read_text(encoding="utf-8"))


def by_mindspore_layer() -> dict[str, LayerAttributes]:
    return {layer.mindspore_layer: layer for layer in layer_table().values()}


__all__ = [
    "AttributeName",
    "LayerAttributes",
    "LayerTableError",
    "by_mindspore_layer",
    "layer_table",
]
