"""Typed records of the mapping database: what a torch API becomes in MindSpore.

These classes are the contract between the database (loader, importers, verification)
and its users (analysis, hover, diagnostics, quick fixes, the CLI). They hold facts only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# How an entry ports, as a whole.
Status = Literal["mapped", "mapped-with-differences", "no-equivalent"]

# What a parameter fact says.
#   same            same name and meaning on both sides (listed only when it has a note)
#   rename          same meaning, different name: a quick fix renames the keyword
#   rename-differs  different name and the behaviour or accepted values differ too
#   differs         same name, behaviour / type / accepted values differ
#   default         same meaning, the default value differs
#   torch-only      torch has it, MindSpore does not
#   mindspore-only  MindSpore has it, torch does not
ParamKind = Literal[
    "same",
    "rename",
    "rename-differs",
    "differs",
    "default",
    "torch-only",
    "mindspore-only",
]

# Where a fact comes from: the official tables we import; "curated" marks facts written by
# this project; "derived" marks facts derived by introspecting the installed torch and
# mindspore (same-named APIs, compared signatures), see mapping_db.importers.derived.
Source = Literal["master", "r2.4.10", "curated", "derived"]


def _rebuilt_positionally(self: Any) -> tuple:
    """Pickle a record as its constructor call: unpickling the cached database then takes a
    third of the time dataclasses' slot-by-slot __setstate__ takes."""
    return (type(self), tuple(getattr(self, name) for name in self.__slots__))


@dataclass(frozen=True, slots=True)
class ParamFact:
    torch: str | None = None
    mindspore: str | None = None
    kind: ParamKind = "same"
    torch_default: str | None = None  # source text of the default, e.g. "True", "'zeros'"
    mindspore_default: str | None = None
    note: str = ""  # our own words, one short line

    __reduce__ = _rebuilt_positionally


@dataclass(frozen=True, slots=True)
class Target:
    api: str  # e.g. "mindspore.nn.Conv2d", "mindspore.Tensor.view"
    sources: tuple[Source, ...]  # which tables list this target
    category: str  # normalised category, see mapping_db.categories
    note: str = ""  # our own words
    url: str | None = None  # MindSpore API page
    diff_url: str | None = None  # official difference page (rendered site URL)
    params: tuple[ParamFact, ...] = ()
    # Keyword renames a quick fix may apply blindly (kind == "rename" only).
    rename: dict[str, str] = field(default_factory=dict)
    # MindSpore-only arguments that must be set to match torch's behaviour, as source text.
    set_args: dict[str, str] = field(default_factory=dict)
    # torch defaults that must be written out because MindSpore's default differs.
    defaults: dict[str, str] = field(default_factory=dict)
    # torch keywords that can be dropped when they hold their default (or always: out=None).
    drop_if_default: tuple[str, ...] = ()
    # torch keywords that are harmless to drop whatever their value (inplace=True on ReLU).
    drop: tuple[str, ...] = ()
    # How a torch value becomes MindSpore's: {param: template}, "{}" is the torch value's
    # source text, e.g. BatchNorm momentum {"momentum": "1 - {}"}.
    value_transforms: dict[str, str] = field(default_factory=dict)
    # torch argument values MindSpore cannot express: {param: ("'reflect'", ...)}
    unsupported: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Devices on which this target is known not to run (e.g. mint kernels on CPU).
    not_on: tuple[str, ...] = ()
    # Parameter names in signature order, when known: a fix turns positional arguments into
    # keywords where the two orders part ways (nn.Conv2d's 5th argument is padding in torch,
    # pad_mode in MindSpore).
    torch_params: tuple[str, ...] = ()
    mindspore_params: tuple[str, ...] = ()

    __reduce__ = _rebuilt_positionally


@dataclass(frozen=True, slots=True)
class Entry:
    torch_api: str  # fully qualified, e.g. "torch.nn.Conv2d", "torch.Tensor.view"
    kind: Literal["function", "class", "method", "module", "attribute"]
    status: Status
    note: str = ""
    torch_url: str | None = None
    targets: tuple[Target, ...] = ()
    # Which tables listed the API at all (an API can be in one table only).
    sources: tuple[Source, ...] = ()
    # For no-equivalent entries: how to get the same result from other MindSpore APIs, as a
    # short expression or recipe in our words, e.g. "ops.log(ops.exp(x).sum(dim))".
    workaround: str = ""
    # The port simply deletes the construct (`with torch.no_grad():`): never an error.
    drop: bool = False

    __reduce__ = _rebuilt_positionally

    @property
    def is_tensor_method(self) -> bool:
        return self.torch_api.startswith("torch.Tensor.")


# torch keywords that only save memory: the result is the same without them, and MindSpore's
# layers take no such argument, so a fix drops them unless the target lists one of its own.
ALWAYS_DROPPED = frozenset({"inplace"})

# torch keywords that only choose where a tensor lives or which implementation runs: the values
# are the same without them (MindSpore places every tensor on the process's device), so a fix
# drops them whatever their value unless the target lists one of its own.
PLACEMENT_ONLY = frozenset({"device", "foreach", "fused", "capturable", "_stacklevel",
                            "pin_memory", "non_blocking"})  # fmt: skip

# torch keywords MindSpore's targets generally lack, with the default at which leaving them out
# changes nothing: a fix drops them when they hold that default and refuses otherwise, unless
# the target lists one of its own (tests/test_param_maps_signatures.py relies on this rule).
DROPPED_AT_DEFAULT: dict[str, str] = {
    "size_average": "None",  # deprecated spellings of `reduction`
    "reduce": "None",
    "generator": "None",
    "names": "None",
    "validate_args": "None",
    "out_dtype": "None",
    "sparse_grad": "False",
    "differentiable": "False",
    "maximize": "False",
    "decoupled_weight_decay": "False",
    "memory_format": "torch.preserve_format",
    "group_src": "None",
    "group_dst": "None",
    "_ranks": "None",
    "pin_memory_device": "''",
    "in_order": "True",
    "requires_grad": "False",  # MindSpore differentiates what mindspore.grad is given
}
