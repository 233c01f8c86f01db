"""Cases in the forms real code calls these APIs, verified next to OpInfo's samples.

OpInfo's samples exercise edge cases (3-D inputs to interpolate, a size tuple to zeros, empty
batches); real projects call `F.interpolate` on 4-D images, `torch.zeros(2, 3)` with sizes as
separate arguments, `topk` on float matrices and `one_hot`/`embedding` on int64 indices. A
target is "verified" only when these forms ran too. The forms were read from the calls that
../shared/corpus/ makes most (tests/test_fix_real_calls.py runs the same forms end to end).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mapping_db.model import Entry
from server.runner.verify.functions_cases import TorchCall


def _real_forms() -> dict[str, list[Callable[[], TorchCall]]]:
    import numpy as np
    import torch

    def t(*shape: int) -> Any:
        return torch.randn(*shape)

    def ints(high: int, *shape: int) -> Any:
        return torch.randint(0, high, shape, dtype=torch.int64)

    def call(*args: Any, origin: str = "real code", **kwargs: Any) -> Callable[[], TorchCall]:
        return lambda: TorchCall(args, kwargs, None, origin)

    def method(receiver: Callable[[], Any], *args: Any, **kwargs: Any) -> Callable[[], TorchCall]:
        return lambda: TorchCall(args, kwargs, receiver(), "real code")

    image = lambda: t(2, 3, 8, 8)  # noqa: E731 - a batch of images, NCHW
    matrix = lambda: t(4, 5)  # noqa: E731
    return {
        "torch.zeros": [call(2, 3), call(4), call((2, 3))],
        "torch.randint": [call(10, (3,)), call(0, 10, (2, 3))],
        "torch.from_numpy": [lambda: TorchCall((np.ones((3, 2), np.float32),), {}, None, "real")],
        "torch.ones": [call(2, 3), call(3)],
        "torch.full": [call((2, 2), 3.0), call((3,), 7)],
        "torch.linspace": [call(0, 1, 5), call(-1.0, 1.0, 9)],
        "torch.arange": [call(5), call(0, 6, dtype=torch.long), call(0, 1, 0.25)],
        "torch.diag": [
            lambda: TorchCall((t(4, 4),), {}, None, "real code"),
            lambda: TorchCall((t(6),), {}, None, "real code"),
        ],  # fmt: skip
        "torch.topk": [lambda: TorchCall((matrix(), 2), {"dim": 1}, None, "real code")],
        "torch.sort": [lambda: TorchCall((matrix(),), {"dim": 1}, None, "real code")],
        "torch.argsort": [lambda: TorchCall((matrix(),), {"dim": 1}, None, "real code")],
        "torch.einsum": [lambda: TorchCall(("ij,jk->ik", t(4, 4), t(4, 4)), {}, None, "real")],
        "torch.equal": [
            lambda: TorchCall((matrix(), matrix()), {}, None, "real code"),
            lambda: (lambda m: TorchCall((m, m.clone()), {}, None, "real code"))(matrix()),
            # shapes differ, values broadcast equal: torch says False
            lambda: TorchCall((torch.ones(5, 1), torch.ones(5)), {}, None, "real code"),
        ],
        "torch.gather": [lambda: TorchCall((matrix(), 1, ints(5, 4, 5)), {}, None, "real code")],
        "torch.nn.functional.interpolate": [
            lambda: TorchCall((image(),), {"scale_factor": 2, "mode": "nearest"}, None, "real"),
            lambda: TorchCall(
                (image(),),
                {"size": (4, 4), "mode": "bilinear", "align_corners": False},
                None,
                "real code",
            ),
        ],
        "torch.nn.functional.layer_norm": [lambda: TorchCall((matrix(), (5,)), {}, None, "real")],
        "torch.nn.functional.unfold": [
            lambda: TorchCall((image(),), {"kernel_size": 2}, None, "real code")
        ],
        "torch.nn.functional.one_hot": [
            lambda: TorchCall((ints(5, 4),), {"num_classes": 5}, None, "real code")
        ],
        "torch.nn.functional.embedding": [
            lambda: TorchCall((ints(5, 4), t(5, 3)), {}, None, "real code")
        ],
        "torch.nn.functional.normalize": [lambda: TorchCall((matrix(),), {"dim": 1}, None, "r")],
        "torch.nn.functional.cross_entropy": [
            lambda: TorchCall((matrix(), ints(5, 4)), {}, None, "real code"),
            lambda: TorchCall((matrix(), ints(5, 4)), {"ignore_index": -1}, None, "real code"),
        ],
        "torch.Tensor.equal": [method(lambda: torch.ones(5, 1), torch.ones(5))],
        "torch.Tensor.view": [method(matrix, 5, 4), method(matrix, -1)],
        "torch.Tensor.reshape": [method(matrix, 5, 4), method(matrix, -1)],
        "torch.Tensor.repeat": [method(matrix, 2, 1)],
        "torch.Tensor.size": [method(matrix), method(matrix, 1), method(matrix, -1)],
        "torch.Tensor.std": [method(matrix, dim=0)],
        "torch.Tensor.var": [method(matrix, dim=1, unbiased=False)],
        "torch.Tensor.type": [method(matrix, torch.float64)],
        "torch.Tensor.to": [method(matrix, torch.float64)],
        "torch.Tensor.topk": [method(matrix, 2, dim=1)],
        "torch.Tensor.sort": [method(matrix, dim=1)],
        "torch.Tensor.argsort": [method(matrix, dim=1)],
        "torch.Tensor.masked_fill": [
            lambda: TorchCall((torch.rand(4, 5) > 0.5, float("-inf")), {}, matrix(), "real code")
        ],
        "torch.Tensor.expand": [method(matrix, 2, 4, 5)],
        "torch.Tensor.permute": [method(image, 0, 2, 3, 1)],
        "torch.Tensor.transpose": [method(matrix, 0, 1)],
    }


_FORMS: dict[str, list[Callable[[], TorchCall]]] | None = None


def real_calls(entry: Entry) -> list[TorchCall]:
    """The real-code forms for `entry` (none for most APIs), built fresh for each run."""
    global _FORMS
    if _FORMS is None:
        _FORMS = _real_forms()
    import torch

    torch.manual_seed(0)
    return [make() for make in _FORMS.get(entry.torch_api, ())]
