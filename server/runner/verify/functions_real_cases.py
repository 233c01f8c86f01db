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
        # in-place updates as models and optimizers write them (the receiver is compared too)
        "torch.Tensor.zero_": [method(matrix), method(lambda: torch.ones(3, dtype=torch.int64))],
        "torch.Tensor.fill_": [method(matrix, 0.5), method(lambda: torch.ones(3, 2), 7)],
        "torch.Tensor.add_": [method(matrix, t(4, 5)), method(matrix, t(4, 5), alpha=-0.1)],
        "torch.Tensor.mul_": [method(matrix, 0.9), method(matrix, t(4, 5))],
        "torch.Tensor.clamp_": [method(matrix, min=0.0), method(matrix, -1.0, 1.0)],
        "torch.Tensor.masked_fill_": [
            lambda: TorchCall((torch.rand(4, 5) > 0.5, float("-inf")), {}, matrix(), "real code")
        ],
        "torch.Tensor.addcmul_": [method(matrix, t(4, 5), t(4, 5), value=0.1)],
        "torch.Tensor.div_": [method(matrix, 2.0)],
        # torch-level twins of functionals (OpInfo's functional samples pass keywords these
        # do not take) and functionals with no OpInfo: called as models call them
        "torch.max_pool2d": [call(t(2, 3, 8, 8), 2), call(t(2, 3, 8, 8), 3, 2, 1)],
        "torch.max_pool3d": [call(t(2, 3, 4, 6, 6), 2), call(t(1, 2, 5, 6, 6), 3, 2, 1)],
        "torch.dropout": [call(t(4, 5), 0.5, False), call(t(4, 5), 0.2, True)],
        "torch.batch_norm": [
            call(t(4, 3, 5), t(3), t(3), t(3), torch.rand(3) + 0.5, False, 0.1, 1e-5, False),
            call(t(4, 3, 6, 6), None, None, t(3), torch.rand(3) + 0.5, False, 0.1, 1e-5, False),
        ],
        "torch.vander": [call(t(5)), call(t(4), N=3), call(t(4), 3, True)],
        "torch.is_nonzero": [call(torch.tensor([1.5])), call(torch.tensor([0.0]))],
        "torch.poisson": [call(torch.rand(4, 5) * 5)],
        "torch.nn.functional.fold": [
            call(t(1, 12, 12), (4, 5), 2),
            call(t(2, 8, 9), output_size=(4, 4), kernel_size=2, stride=1),
        ],
        "torch.nn.functional.lp_pool1d": [call(t(2, 3, 8).abs(), 2, 2), call(t(2, 3, 9), 1, 3)],
        "torch.nn.functional.lp_pool2d": [
            call(t(2, 3, 8, 8).abs(), 2, 2),
            call(t(1, 2, 6, 6), 1, 3),
        ],
        "torch.nn.functional.affine_grid": [
            call(t(2, 2, 3), (2, 3, 8, 8), align_corners=False),
            call(t(1, 2, 3), [1, 1, 4, 5], align_corners=True),
        ],
        "torch.nn.functional.upsample": [
            call(image(), scale_factor=2, mode="nearest"),
            call(image(), size=(4, 4), mode="bilinear", align_corners=False),
        ],
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
