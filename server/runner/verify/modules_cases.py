"""Cases for torch.nn layers and losses: constructor and forward inputs.

Inputs come from torch's module test database (torch.testing._internal.common_modules), and
from a table of our own for classes it lacks and for non-default values of the parameters a
mapping renames or transforms. Unbatched ("no_batch_dim", scalar) and empty samples are left
out: MindSpore's layers document batched inputs, so those would test a different question.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any


@dataclass(frozen=True)
class Build:
    """A layer to construct on both sides (a constructor argument that is itself a layer)."""

    name: str  # torch class name in torch.nn, e.g. "TransformerEncoderLayer"
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass
class LayerCase:
    label: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    inputs: Callable[[], tuple[tuple[Any, ...], dict[str, Any]]]  # forward args, kwargs


def _randn(*shape: int) -> Any:
    import torch

    return torch.randn(*shape)


def _fixed(*shapes: tuple[int, ...]) -> Callable[[], tuple[tuple[Any, ...], dict[str, Any]]]:
    return lambda: (tuple(_randn(*s) for s in shapes), {})


def _unpool(dims: int) -> Callable[[], tuple[tuple[Any, ...], dict[str, Any]]]:
    def make() -> tuple[tuple[Any, ...], dict[str, Any]]:
        import torch

        pool = getattr(torch.nn, f"MaxPool{dims}d")(2, return_indices=True)
        values, indices = pool(torch.randn(1, 2, *([4] * dims)))
        return (values, indices), {}

    return make


def _transformer_layer(kind: str, **extra: Any) -> Build:
    kwargs = {"d_model": 4, "nhead": 2, "dim_feedforward": 8, "dropout": 0.0, **extra}
    return Build(f"Transformer{kind}Layer", (), kwargs)


_C = LayerCase
_SEQ = _fixed((5, 2, 3))
# Our own cases: classes torch's module database lacks, unbatched-only samples replaced by
# batched ones, and non-default values of parameters that mappings rename or transform.
EXTRA: dict[str, list[LayerCase]] = {
    "Conv1d": [
        _C("stride, padding, no bias", (4, 6, 3), {"stride": 2, "padding": 1, "bias": False},
           _fixed((2, 4, 9))),
        _C("groups, dilation", (4, 6, 3), {"groups": 2, "dilation": 2, "padding": 2},
           _fixed((2, 4, 9))),
    ],
    "Conv2d": [
        _C("stride, padding, no bias", (4, 6, 3), {"stride": 2, "padding": 1, "bias": False},
           _fixed((2, 4, 7, 6))),
        _C("groups, dilation", (4, 6, (3, 2)), {"groups": 2, "dilation": 2, "padding": (2, 1)},
           _fixed((2, 4, 7, 6))),
    ],
    "Conv3d": [
        _C("stride, padding, no bias", (4, 6, 3), {"stride": 2, "padding": 1, "bias": False},
           _fixed((2, 4, 5, 6, 5))),
        _C("groups", (4, 6, 3), {"groups": 2, "padding": 1}, _fixed((2, 4, 5, 4, 5))),
    ],
    "ConvTranspose1d": [
        _C("stride, padding", (4, 6, 3), {"stride": 2, "padding": 1}, _fixed((2, 4, 5))),
        _C("no bias", (4, 6, 3), {"bias": False}, _fixed((2, 4, 5))),
    ],
    "ConvTranspose2d": [
        _C("stride, padding", (4, 6, 3), {"stride": 2, "padding": 1}, _fixed((2, 4, 5, 4))),
        _C("no bias", (4, 6, 3), {"bias": False}, _fixed((2, 4, 5, 4))),
    ],
    "ConvTranspose3d": [
        _C("stride, padding", (4, 6, 3), {"stride": 2, "padding": 1}, _fixed((2, 4, 3, 4, 3))),
        _C("no bias", (4, 6, 3), {"bias": False}, _fixed((2, 4, 3, 4, 3))),
    ],
    "BatchNorm1d": [_C("momentum, eps", (3,), {"momentum": 0.3, "eps": 1e-3}, _fixed((4, 3)))],
    "BatchNorm2d": [
        _C("momentum, eps", (3,), {"momentum": 0.3, "eps": 1e-3}, _fixed((2, 3, 4, 4)))
    ],
    "BatchNorm3d": [
        _C("momentum, eps", (3,), {"momentum": 0.3, "eps": 1e-3}, _fixed((2, 3, 2, 3, 2)))
    ],
    "SyncBatchNorm": [
        _C("default", (3,), {}, _fixed((2, 3, 4, 4))),
        _C("momentum, eps", (3,), {"momentum": 0.3, "eps": 1e-3}, _fixed((2, 3, 4, 4))),
        _C("not affine", (3, 1e-5, 0.1, False), {}, _fixed((2, 3, 4))),
    ],
    "Dropout": [
        _C("default", (), {}, _fixed((2, 3, 4))),
        _C("p positional", (0.3,), {}, _fixed((2, 3, 4))),
        _C("p keyword", (), {"p": 0.2}, _fixed((2, 3, 4))),
    ],
    "Dropout2d": [
        _C("default", (), {}, _fixed((2, 3, 4, 5))),
        _C("p", (), {"p": 0.3}, _fixed((2, 3, 4, 5))),
    ],
    "Dropout3d": [
        _C("default", (), {}, _fixed((2, 3, 2, 4, 5))),
        _C("p", (), {"p": 0.3}, _fixed((2, 3, 2, 4, 5))),
    ],
    "Flatten": [
        _C("default", (), {}, _fixed((2, 3, 4, 5))),
        _C("dims positional", (0, 2), {}, _fixed((2, 3, 4, 5))),
        _C("dims keyword", (), {"start_dim": 2, "end_dim": -1}, _fixed((2, 3, 4, 5))),
    ],
    "Unflatten": [
        _C("positional", (1, (2, 3)), {}, _fixed((2, 6, 4))),
        _C("keyword", (), {"dim": -1, "unflattened_size": (2, 2)}, _fixed((3, 4))),
        _C("with -1", (1, (3, -1)), {}, _fixed((2, 6, 4))),
    ],
    "Identity": [
        _C("default", (), {}, _fixed((2, 3))),
        _C("ignored arguments", (5,), {"unused": 1}, _fixed((2, 3, 4))),
        _C("3d", (), {}, _fixed((2, 3, 4))),
    ],
    "Hardsigmoid": [_C("default", (), {}, _fixed((2, 3, 4))), _C("2d", (), {}, _fixed((5, 4)))],
    "RReLU": [
        _C("default", (), {}, _fixed((2, 3, 4))),
        _C("bounds positional", (0.1, 0.3), {}, _fixed((2, 3, 4))),
        _C("bounds keyword", (), {"lower": 0.2, "upper": 0.25}, _fixed((4, 5))),
    ],
    "PixelShuffle": [
        _C("factor 2", (2,), {}, _fixed((1, 8, 3, 3))),
        _C("factor 3 keyword", (), {"upscale_factor": 3}, _fixed((2, 9, 2, 3))),
    ],
    "PixelUnshuffle": [
        _C("factor 2", (2,), {}, _fixed((1, 2, 4, 6))),
        _C("factor 3 keyword", (), {"downscale_factor": 3}, _fixed((2, 1, 6, 3))),
    ],
    "ChannelShuffle": [
        _C("groups 2", (2,), {}, _fixed((1, 4, 2, 3))),
        _C("groups 3 keyword", (), {"groups": 3}, _fixed((2, 6, 2, 2))),
    ],
    "Upsample": [
        _C("nearest x2", (), {"scale_factor": 2, "mode": "nearest"}, _fixed((1, 2, 3, 3))),
        _C("bilinear size", (), {"size": (5, 4), "mode": "bilinear", "align_corners": False},
           _fixed((1, 2, 3, 3))),
        _C("bilinear aligned", (), {"scale_factor": 2.0, "mode": "bilinear",
                                    "align_corners": True}, _fixed((2, 1, 3, 4))),
        _C("size positional", ((6, 6),), {}, _fixed((1, 2, 3, 3))),
    ],
    "Unfold": [
        _C("kernel 2", (2,), {}, _fixed((1, 2, 4, 4))),
        _C("stride, padding", (), {"kernel_size": (2, 3), "stride": 2, "padding": 1},
           _fixed((2, 3, 5, 5))),
        _C("dilation", (), {"kernel_size": 2, "dilation": 2}, _fixed((1, 2, 5, 5))),
    ],
    "Fold": [
        _C("kernel 2", ((4, 5), 2), {}, _fixed((1, 8, 12))),
        _C("stride", (), {"output_size": (4, 4), "kernel_size": 2, "stride": 2},
           _fixed((2, 4, 4))),
        _C("padding", (), {"output_size": 3, "kernel_size": 2, "padding": 1},
           _fixed((1, 8, 16))),
    ],
    "MaxUnpool1d": [_C("kernel 2", (2,), {}, _unpool(1))],
    "MaxUnpool2d": [_C("kernel 2", (2,), {}, _unpool(2)),
                    _C("kernel 2 keyword", (), {"kernel_size": 2, "stride": 2}, _unpool(2))],
    "MaxUnpool3d": [_C("kernel 2", (2,), {}, _unpool(3))],
    "TripletMarginLoss": [
        _C("default", (), {}, _fixed((4, 5), (4, 5), (4, 5))),
        _C("margin, p", (), {"margin": 0.5, "p": 1.0}, _fixed((4, 5), (4, 5), (4, 5))),
        _C("swap, sum", (), {"swap": True, "reduction": "sum"}, _fixed((3, 6), (3, 6), (3, 6))),
    ],
    "CosineSimilarity": [
        _C("default", (), {}, _fixed((4, 5), (4, 5))),
        _C("dim 0, eps", (0, 1e-6), {}, _fixed((4, 5), (4, 5))),
        _C("dim keyword", (), {"dim": -1, "eps": 1e-4}, _fixed((2, 3, 4), (2, 3, 4))),
    ],
    "Dropout1d": [
        _C("default", (), {}, _fixed((2, 3, 4))),
        _C("p", (), {"p": 0.3}, _fixed((2, 3, 4))),
    ],
    "TripletMarginWithDistanceLoss": [
        _C("default", (), {}, _fixed((4, 5), (4, 5), (4, 5))),
        _C("margin, swap", (), {"margin": 0.5, "swap": True}, _fixed((4, 5), (4, 5), (4, 5))),
    ],
    "UpsamplingNearest2d": [
        _C("scale 2", (), {"scale_factor": 2}, _fixed((1, 2, 3, 3))),
        _C("size", (), {"size": (5, 4)}, _fixed((1, 2, 3, 3))),
    ],
    "UpsamplingBilinear2d": [
        _C("scale 2", (), {"scale_factor": 2}, _fixed((1, 2, 3, 3))),
        _C("size", (), {"size": (5, 4)}, _fixed((1, 2, 3, 3))),
    ],
    "Linear": [_C("positional, no bias", (6, 4, False), {}, _fixed((3, 6)))],
    "RNN": [
        _C("one layer", (3, 4), {}, _SEQ),
        _C("two layers, batch first", (), {"input_size": 3, "hidden_size": 4, "num_layers": 2,
                                           "batch_first": True}, _fixed((2, 5, 3))),
        _C("bidirectional, relu", (), {"input_size": 3, "hidden_size": 4, "bidirectional": True,
                                       "nonlinearity": "relu"}, _SEQ),
    ],
    "LSTM": [
        _C("one layer", (3, 4), {}, _SEQ),
        _C("two layers, batch first", (), {"input_size": 3, "hidden_size": 4, "num_layers": 2,
                                           "batch_first": True}, _fixed((2, 5, 3))),
        _C("bidirectional, no bias", (), {"input_size": 3, "hidden_size": 4,
                                          "bidirectional": True, "bias": False}, _SEQ),
    ],
    "GRU": [
        _C("one layer", (3, 4), {}, _SEQ),
        _C("two layers, batch first", (), {"input_size": 3, "hidden_size": 4, "num_layers": 2,
                                           "batch_first": True}, _fixed((2, 5, 3))),
        _C("bidirectional, no bias", (), {"input_size": 3, "hidden_size": 4,
                                          "bidirectional": True, "bias": False}, _SEQ),
    ],
    "RNNCell": [
        _C("tanh", (3, 4), {}, _fixed((2, 3), (2, 4))),
        _C("relu, no bias", (3, 4), {"bias": False, "nonlinearity": "relu"},
           _fixed((2, 3), (2, 4))),
        _C("no state", (), {"input_size": 3, "hidden_size": 4}, _fixed((5, 3))),
    ],
    "GRUCell": [
        _C("default", (3, 4), {}, _fixed((2, 3), (2, 4))),
        _C("no bias", (3, 4), {"bias": False}, _fixed((2, 3), (2, 4))),
        _C("no state", (), {"input_size": 3, "hidden_size": 4}, _fixed((5, 3))),
    ],
    "LSTMCell": [
        _C("default", (3, 4), {}, lambda: ((_randn(2, 3), (_randn(2, 4), _randn(2, 4))), {})),
        _C("no bias", (3, 4), {"bias": False},
           lambda: ((_randn(2, 3), (_randn(2, 4), _randn(2, 4))), {})),
        _C("no state", (), {"input_size": 3, "hidden_size": 4}, _fixed((5, 3))),
    ],
    "MultiheadAttention": [
        _C("self attention", (4, 2), {}, _fixed((3, 2, 4), (3, 2, 4), (3, 2, 4))),
        _C("batch first, no bias", (), {"embed_dim": 4, "num_heads": 2, "batch_first": True,
                                        "bias": False}, _fixed((2, 3, 4), (2, 5, 4), (2, 5, 4))),
        _C("kdim, vdim", (), {"embed_dim": 4, "num_heads": 1, "kdim": 3, "vdim": 5},
           _fixed((3, 2, 4), (6, 2, 3), (6, 2, 5))),
    ],
    "TransformerEncoder": [
        _C("two layers", (_transformer_layer("Encoder"), 2), {}, _fixed((3, 2, 4))),
        _C("batch first", (), {"encoder_layer": _transformer_layer("Encoder", batch_first=True),
                               "num_layers": 1}, _fixed((2, 3, 4))),
    ],
    "TransformerDecoder": [
        _C("two layers", (_transformer_layer("Decoder"), 2), {}, _fixed((3, 2, 4), (5, 2, 4))),
        _C("batch first", (), {"decoder_layer": _transformer_layer("Decoder", batch_first=True),
                               "num_layers": 1}, _fixed((2, 3, 4), (2, 5, 4))),
    ],
    "Transformer": [
        _C("small", (), {"d_model": 4, "nhead": 2, "num_encoder_layers": 1,
                         "num_decoder_layers": 1, "dim_feedforward": 8, "dropout": 0.0},
           _fixed((5, 2, 4), (3, 2, 4))),
        _C("batch first", (), {"d_model": 4, "nhead": 2, "num_encoder_layers": 2,
                               "num_decoder_layers": 1, "dim_feedforward": 8, "dropout": 0.0,
                               "batch_first": True}, _fixed((2, 5, 4), (2, 3, 4))),
    ],
}  # fmt: skip

# Classes whose module-database samples are all unbatched: only our own cases are used.
_OWN_ONLY = frozenset({
    "RNN", "LSTM", "GRU", "RNNCell", "GRUCell", "LSTMCell", "MultiheadAttention",
    "TransformerEncoder", "Transformer",
})  # fmt: skip
_SKIP_DESC = ("no_batch_dim", "scalar", "zero_batch", "empty", "discontiguous")


@cache
def _module_infos() -> dict[str, list[Any]]:
    from torch.testing._internal.common_modules import module_db

    found: dict[str, list[Any]] = {}
    for info in module_db:
        found.setdefault(info.module_cls.__name__, []).append(info)
    return found


def _db_cases(name: str) -> Iterator[LayerCase]:
    import torch

    if name in _OWN_ONLY:
        return
    for info in _module_infos().get(name, []):
        try:
            torch.manual_seed(0)
            samples = info.module_inputs_func(
                info, device="cpu", dtype=torch.float32, requires_grad=False, training=False
            )
        except Exception:  # a sample generator torch itself cannot run here
            continue
        for sample in samples:
            desc = getattr(sample, "desc", "") or ""
            if any(part in desc for part in _SKIP_DESC):
                continue
            ctor, fwd = sample.constructor_input, sample.forward_input
            if fwd is None or _has_empty(fwd.args) or _has_empty(tuple(fwd.kwargs.values())):
                continue
            forward = (tuple(fwd.args), dict(fwd.kwargs))
            yield LayerCase(
                desc or "module_db", tuple(ctor.args), dict(ctor.kwargs), lambda f=forward: f
            )


def _has_empty(values: tuple[Any, ...]) -> bool:
    import torch

    for value in values:
        if isinstance(value, torch.Tensor) and (value.numel() == 0 or value.dim() == 0):
            return True
        if isinstance(value, tuple | list) and _has_empty(tuple(value)):
            return True
    return False


def _signature_key(case: LayerCase) -> str:
    """Cases with the same constructor call shape are alike: vary these first."""
    keys = ",".join(sorted(case.kwargs))
    values = ",".join(repr(v) for v in case.kwargs.values() if isinstance(v, int | float | str))
    return f"{len(case.args)}|{keys}|{values}"


def keyword_form(case: LayerCase, torch_cls: Any) -> LayerCase | None:
    """The same case with every positional constructor argument passed by keyword."""
    if not case.args:
        return None
    try:
        params = list(inspect.signature(torch_cls.__init__).parameters.values())[1:]
    except (TypeError, ValueError):
        return None
    names = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
    if len(case.args) > len(names):
        return None
    kwargs = dict(zip(names, case.args, strict=False)) | case.kwargs
    return LayerCase(f"{case.label} (by keyword)", (), kwargs, case.inputs)


def layer_cases(name: str, torch_cls: Any, limit: int) -> list[LayerCase]:
    """Up to `limit` varied cases: module-database samples with distinct constructor calls
    first, one keyword form, our own cases interleaved."""
    seen: set[str] = set()
    distinct: list[LayerCase] = []
    rest: list[LayerCase] = []
    for case in _db_cases(name):
        key = _signature_key(case)
        (rest if key in seen else distinct).append(case)
        seen.add(key)
    db = distinct + rest
    own = list(EXTRA.get(name, []))
    ordered: list[LayerCase] = []
    if db:
        ordered.append(db[0])
        positional = next((c for c in db if c.args and not _holds_layers(c)), None)
        keyword = keyword_form(positional, torch_cls) if positional else None
        if keyword is not None:
            ordered.append(keyword)
        db = db[1:]
    while db or own:
        if own:
            ordered.append(own.pop(0))
        if db:
            ordered.append(db.pop(0))
    if ordered and len(ordered) < 3:
        ordered.extend(_other_shapes(ordered[0]))
    return ordered[: 4 * max(limit, 1)]  # spares for cases torch or the quick fix rejects


def _other_shapes(case: LayerCase) -> list[LayerCase]:
    """For a layer with one sample of one tensor input: the same layer on inputs of other
    shapes (elementwise activations accept any; torch rejects the rest, which are skipped)."""
    args, kwargs = case.inputs()
    if len(args) != 1 or kwargs:
        return []
    dims = args[0].dim()
    shapes = [(2, 3, 4, 5)[:dims] + (3,) * max(0, dims - 4), (5,) + tuple(args[0].shape[1:])]
    return [
        LayerCase(f"{case.label} on {list(shape)}", case.args, case.kwargs, _fixed(shape))
        for shape in shapes
        if shape != tuple(args[0].shape)
    ]


def _holds_layers(case: LayerCase) -> bool:
    return any(isinstance(v, Build) for v in (*case.args, *case.kwargs.values()))
