"""Verify torch.utils.data samplers and loaders against mindspore.dataset.

Samplers: the torch sampler over a 10-item dataset and the MindSpore sampler (from the quick
fix's translation) driving a NumpySlicesDataset over the same items; the drawn indices are
compared: in order for sequential and unshuffled distributed sampling, as sets for random
permutations ("random: compared the set of indices"), and for weighted sampling only that
every draw is an index of a non-zero weight. DataLoader: batches of a TensorDataset, in order.
"""

from __future__ import annotations

from typing import Any

from mapping_db.model import Entry, Target
from mapping_db.verification import TargetResult
from server.runner.verify.modules_layers import Outcome, resolve, short_error, summarize
from server.runner.verify.modules_translate import Refused, translate_call

N = 10
_WEIGHTS = [0.0, 1.0, 2.0, 0.0, 1.0, 3.0, 0.0, 1.0, 1.0, 0.5]


class _Data:
    """Placeholder for the dataset argument."""


CASES: dict[str, list[tuple[str, tuple[Any, ...], dict[str, Any], str]]] = {
    # (label, args after a dataset marker or instead of it, kwargs, comparison)
    "SequentialSampler": [("dataset", ("DATA",), {}, "order")],
    "RandomSampler": [("dataset", ("DATA",), {}, "set"),
                      ("num_samples", ("DATA",), {"num_samples": N}, "set")],
    "SubsetRandomSampler": [("indices", ([1, 3, 5, 7],), {}, "set")],
    "WeightedRandomSampler": [("weights", (_WEIGHTS, 8), {}, "support"),
                              ("no replacement", (_WEIGHTS, 4), {"replacement": False}, "support")],
    "DistributedSampler": [("two shards, no shuffle", ("DATA",),
                            {"num_replicas": 2, "rank": 0, "shuffle": False}, "order")],
    "DataLoader": [("batches of 4", ("DATA",), {"batch_size": 4}, "batches"),
                   ("batches of 3, no shuffle", ("DATA",),
                    {"batch_size": 3, "shuffle": False}, "batches")],
}  # fmt: skip


def verify_data(entry: Entry, target: Target, max_cases: int) -> TargetResult:
    import importlib

    name = entry.torch_api.rsplit(".", 1)[1]
    module = importlib.import_module(entry.torch_api.rsplit(".", 1)[0])
    torch_cls = getattr(module, name, None)
    if torch_cls is None:
        return TargetResult("untested", reason=f"torch has no {entry.torch_api}")
    ms_cls = resolve(target.api)
    if ms_cls is None:
        return TargetResult("error", reason=f"{target.api} does not exist")
    table = CASES.get(name)
    if not table:
        return TargetResult("untested", reason=f"no case generator for {name}")
    outcomes: list[tuple[str, Outcome]] = []
    skipped: list[str] = []
    for label, args, kwargs, how in table[: max(max_cases, 1)]:
        try:
            outcomes.append((label, _run(name, torch_cls, ms_cls, target, args, kwargs, how)))
        except Refused as exc:
            skipped.append(f"{label}: {exc}")
    result = summarize(outcomes, skipped)
    if any(how in ("set", "support") for *_, how in table) and result.status == "equal":
        return TargetResult(
            "equal", result.cases, result.passed, None, "random: compared the set of indices"
        )
    return result


def _items() -> Any:
    import numpy as np

    return np.arange(N, dtype=np.float32) * 10


def _run(
    name: str,
    torch_cls: Any,
    ms_cls: Any,
    target: Target,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    how: str,
) -> Outcome:
    import mindspore.dataset as ds
    import numpy as np
    import torch

    torch.manual_seed(0)
    dataset = torch.utils.data.TensorDataset(torch.from_numpy(_items()))
    marker = _Data()
    args = tuple(marker if a == "DATA" else a for a in args)
    torch_args = tuple(dataset if a is marker else a for a in args)
    try:
        made = torch_cls(*torch_args, **kwargs)
        if how == "batches":
            expected: Any = [batch[0].numpy() for batch in made]
        else:
            expected = [int(i) for i in made]
    except Exception as exc:
        raise Refused(f"torch rejects it: {short_error(exc)}") from exc
    source = _Source()
    try:
        margs, mkwargs = translate_call(
            target, args, kwargs, lambda v: source if v is marker else v
        )
        ms_obj = ms_cls(*margs, **mkwargs)
        if how == "batches":
            actual: Any = [row[0] for row in ms_obj.create_tuple_iterator(output_numpy=True)]
        else:
            data = ds.NumpySlicesDataset({"i": np.arange(N)}, sampler=ms_obj, shuffle=None)
            actual = [int(row[0]) for row in data.create_tuple_iterator(output_numpy=True)]
    except Refused:
        raise
    except Exception as exc:
        return Outcome(False, None, short_error(exc), "error")
    return _judge(expected, actual, how)


class _Source:
    """A random-access dataset for MindSpore's GeneratorDataset: the same items."""

    def __getitem__(self, index: int) -> Any:
        return (_items()[index],)

    def __len__(self) -> int:
        return N


def _judge(expected: Any, actual: Any, how: str) -> Outcome:
    import numpy as np

    if how == "batches":
        same = len(expected) == len(actual) and all(
            e.shape == np.shape(a) and np.allclose(e, a)
            for e, a in zip(expected, actual, strict=False)
        )
        shapes = [tuple(np.shape(a)) for a in actual]
        reason = (
            "" if same else f"batches of shapes {shapes}, torch gives {[e.shape for e in expected]}"
        )
        return Outcome(same, 0.0 if same else None, reason, "equal" if same else "mismatch")
    if how == "order":
        same = expected == actual
    elif how == "set":
        same = sorted(expected) == sorted(actual)
    else:
        allowed = {i for i, w in enumerate(_WEIGHTS) if w > 0}
        same = len(actual) == len(expected) and set(actual) <= allowed
    reason = "" if same else f"indices {actual[:12]}, torch gives {expected[:12]}"
    return Outcome(same, 0.0 if same else None, reason, "equal" if same else "mismatch")
