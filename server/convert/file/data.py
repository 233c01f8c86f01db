"""Data loading: `TensorDataset` -> a list of numpy rows, `DataLoader` ->
`mindspore.dataset.GeneratorDataset(...).batch(...)`, a `Dataset` subclass -> a plain class
(GeneratorDataset takes any object with `__getitem__` and `__len__`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from server.analysis.findings import TorchReference
from server.convert.file.text import expr

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer

_LOADER_ARGS = (
    "dataset", "batch_size", "shuffle", "sampler", "batch_sampler", "num_workers",
    "collate_fn", "pin_memory", "drop_last",
)  # fmt: skip
# DataLoader arguments that only tune speed: dropped.
_SPEED_ONLY = {"num_workers", "pin_memory", "persistent_workers", "prefetch_factor", "timeout"}


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def convert_name(conv, original, updated, ref: TorchReference):
    name = ref.qualified_name
    if name in ("torch.utils.data.Dataset", "torch.utils.data.IterableDataset"):
        if ref.context == "base-class":
            return cst.Name("object")
    if ref.context == "annotation":
        if name in ("torch.utils.data.Dataset", "torch.utils.data.IterableDataset"):
            return cst.Name("object")  # any object with __getitem__ and __len__ (or __iter__)
        if name == "torch.utils.data.TensorDataset":
            return cst.Name("list")
        if name == "torch.utils.data.DataLoader":
            return expr("mindspore.dataset.Dataset")
    return None


def convert_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    qualified = next((r.qualified_name for r in refs if r.context == "call"), None)
    if qualified == "torch.utils.data.TensorDataset":
        return _tensor_dataset(updated)
    if qualified == "torch.utils.data.DataLoader":
        return _data_loader(conv, original, updated)
    return None


def _tensor_dataset(updated: cst.Call) -> cst.BaseExpression:
    from server.convert.file.transformer import Unconvertible

    if not updated.args or any(a.keyword is not None or a.star for a in updated.args):
        raise Unconvertible("TensorDataset with these arguments needs a manual port")
    columns = ", ".join(f"{_code(a.value)}.asnumpy()" for a in updated.args)
    return expr(f"list(zip({columns}))")


# Written into the port where the conversion cannot see every argument (`**kwargs`) or how
# many columns the dataset's items have: DataLoader's keywords, checked when the port runs.
LOADER_HELPER = "DataLoaderTorchArgs"
_LOADER_HELPER_CODE = '''

def DataLoaderTorchArgs(
    dataset, batch_size=1, shuffle=False, drop_last=False, column_names=None, sampler=None,
    **options,
):
    """torch.utils.data.DataLoader's arguments, as a batched mindspore.dataset.GeneratorDataset.
    Arguments that only tune speed are ignored; a sampler gives the indices read, in its order
    (GeneratorDataset iterates it once per epoch); batch samplers and collate functions are
    refused."""
    speed_only = {"num_workers", "pin_memory", "persistent_workers", "prefetch_factor", "timeout"}
    refused = sorted(k for k, v in options.items() if k not in speed_only and v is not None)
    if refused:
        raise TypeError(f"DataLoader arguments with no counterpart here: {', '.join(refused)}")
    if sampler is not None and shuffle:
        raise ValueError("DataLoader's sampler option is mutually exclusive with shuffle")
    if column_names is None:
        if not hasattr(dataset, "__getitem__"):
            raise TypeError("an iterable dataset needs column_names=[...] (one per item field)")
        first = dataset[0]
        count = len(first) if isinstance(first, tuple | list) else 1
        column_names = [f"column{i}" for i in range(count)]
    order = {"shuffle": shuffle} if sampler is None else {"sampler": sampler}
    loader = mindspore.dataset.GeneratorDataset(dataset, column_names=column_names, **order)
    return loader if batch_size is None else loader.batch(batch_size, drop_remainder=drop_last)
'''


def _data_loader(conv: FileTransformer, original: cst.Call, updated: cst.Call):
    from server.convert.file.transformer import Unconvertible

    given: dict[str, str] = {}
    star_kwargs: list[str] = []
    for index, arg in enumerate(updated.args):
        if arg.star == "**":
            star_kwargs.append(_code(arg.value))
            continue
        if arg.star:
            raise Unconvertible("DataLoader(*args) hides its arguments")
        name = arg.keyword.value if arg.keyword else _LOADER_ARGS[index]
        given[name] = _code(arg.value)
    for name in _SPEED_ONLY:
        given.pop(name, None)
    dataset = given.pop("dataset", None)
    batch_size = given.pop("batch_size", "1")
    shuffle = given.pop("shuffle", "False")
    drop_last = given.pop("drop_last", "False")
    for name in ("sampler", "batch_sampler", "collate_fn"):
        if given.get(name, "None") == "None":
            given.pop(name, None)
    sampler = given.pop("sampler", None)
    if given:
        raise Unconvertible(f"DataLoader's {', '.join(given)} needs a manual port")
    if dataset is None or (batch_size == "None" and not star_kwargs):
        raise Unconvertible("DataLoader without a dataset or a batch size needs a manual port")
    columns = _columns(conv, original)
    if star_kwargs or columns is None or sampler is not None:
        conv.ctx.helpers.add(_LOADER_HELPER_CODE)
        args = [dataset]
        args += [f"{k}={v}" for k, v in given_args(batch_size, shuffle, drop_last)]
        if columns is not None:
            args.append(f"column_names=[{', '.join(repr(c) for c in columns)}]")
        if sampler is not None:  # it may be None when the port runs: the helper decides
            args.append(f"sampler={sampler}")
        args += [f"**{kwargs}" for kwargs in star_kwargs]
        return expr(f"{LOADER_HELPER}({', '.join(args)})")
    names = ", ".join(repr(c) for c in columns)
    drop = "" if drop_last == "False" else f", drop_remainder={drop_last}"
    return expr(
        f"mindspore.dataset.GeneratorDataset({dataset}, column_names=[{names}],"
        f" shuffle={shuffle}).batch({batch_size}{drop})"
    )


def given_args(batch_size: str, shuffle: str, drop_last: str) -> list[tuple[str, str]]:
    """The loader's own arguments that differ from DataLoader's defaults."""
    pairs = [("batch_size", batch_size, "1"), ("shuffle", shuffle, "False")]
    pairs.append(("drop_last", drop_last, "False"))
    return [(name, value) for name, value, default in pairs if value != default]


def _columns(conv: FileTransformer, original: cst.Call) -> list[str] | None:
    name = conv.ctx.assigned_at.get(conv.end(original))
    if name is not None and name in conv.ctx.loop_targets:
        return conv.ctx.loop_targets[name]
    return None
