"""Pieces of pytorch/examples that used to keep a marker, checked by running the fixture
`examples_extra/in.py` under torch and its port `out.py` under MindSpore: DistributedSampler
kept in a variable (DistributedSamplerTorchArgs) and a DataLoader reading through it,
DataParallel / data_parallel, `new_tensor`, `div_`/`mul_` whose value is used, `detach_` on
`hidden[0]`, `view_as_complex`, `pad_sequence` and `random_`."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mapping_db.store import load_database
from server.convert.file import convert_source
from tests.convert_helpers import REPO, load_module

FIXTURE = REPO / "tests" / "fixtures" / "convert" / "examples_extra"


@pytest.fixture(scope="module")
def pair(mindspore_on_cpu):  # type: ignore[no-untyped-def]
    return load_module(FIXTURE / "in.py", "extra_torch"), load_module(
        FIXTURE / "out.py", "extra_ms"
    )


def _indices(ms, sampler) -> list[int]:
    """The indices a GeneratorDataset reads through `sampler`, as the port's loader would."""
    rows = [(np.array(i, np.int64),) for i in range(len(sampler.dataset))]
    loader = ms.dataset.GeneratorDataset(rows, column_names=["x"], sampler=sampler)
    return [int(row[0]) for row in loader.create_tuple_iterator(output_numpy=True)]


def test_the_fixture_converts_without_markers() -> None:
    source = (FIXTURE / "in.py").read_text(encoding="utf-8")
    result = convert_source(source, load_database(), "CPU", FIXTURE / "in.py")
    assert result.markers == []
    assert "# mindport note: DataParallel" in result.code  # said where the user sees it
    assert "# mindport note: DistributedSamplerTorchArgs shuffles" in result.code


@pytest.mark.parametrize("size", [1, 3, 10, 11, 16])
@pytest.mark.parametrize("replicas", [1, 2, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_unshuffled_sampler_gives_torch_indices(pair, mindspore_on_cpu, size, replicas, drop_last):
    th, port = pair
    dataset = list(range(size))
    for rank in range(replicas):
        expected = list(th.sampler(dataset, replicas, rank, False, 0, drop_last))
        ours = port.sampler(dataset, replicas, rank, False, 0, drop_last)
        assert list(ours) == expected
        assert len(ours) == len(expected)
        if expected:
            assert _indices(mindspore_on_cpu, ours) == expected
        else:  # MindSpore 2.10 refuses a sampler with no index (torch reads nothing): loudly
            with pytest.raises(RuntimeError, match="should return index of type integer"):
                _indices(mindspore_on_cpu, ours)


def test_shuffled_sampler_splits_one_permutation_per_epoch(pair, mindspore_on_cpu) -> None:
    th, port = pair
    dataset = list(range(10))
    for drop_last in (False, True):
        for epoch in (0, 1):
            shares, torch_shares = [], []
            for rank in range(3):
                ours = port.sampler(dataset, 3, rank, True, 7, drop_last)
                ours.set_epoch(epoch)
                theirs = th.sampler(dataset, 3, rank, True, 7, drop_last)
                theirs.set_epoch(epoch)
                shares.append(_indices(mindspore_on_cpu, ours))
                torch_shares.append(list(theirs))
            assert [len(s) for s in shares] == [len(s) for s in torch_shares]
            flat = sum(shares, [])
            if drop_last:  # 9 distinct indices, one left out, as in torch
                assert len(set(flat)) == len(flat) == 9
            else:  # 10 distinct indices and 2 repeated from the permutation's start
                assert set(flat) == set(range(10)) and len(flat) == 12
    first = port.sampler(dataset, 2, 0, True, 7, False)
    again = port.sampler(dataset, 2, 0, True, 7, False)
    assert list(first) == list(again)  # seed + epoch decide the order
    orders = set()
    for epoch in range(4):
        first.set_epoch(epoch)
        orders.add(tuple(first))
    assert len(orders) > 1  # set_epoch reshuffles


def test_sampler_refuses_a_rank_out_of_range(pair) -> None:
    th, port = pair
    with pytest.raises(ValueError):
        th.sampler(list(range(4)), 2, 2, False, 0, False)
    with pytest.raises(ValueError):
        port.sampler(list(range(4)), 2, 2, False, 0, False)


def test_loader_reads_through_the_sampler_variable(pair) -> None:
    th, port = pair
    images = np.arange(22, dtype=np.float32).reshape(11, 2)
    targets = np.arange(11, dtype=np.int64)
    torch_rows = list(zip(torch.from_numpy(images), torch.from_numpy(targets), strict=True))
    rows = list(zip(images, targets, strict=True))
    for rank in range(3):
        got = port.epochs(rows, 3, rank, 2, 2, distributed=True)
        expected = th.epochs(torch_rows, 3, rank, 2, 2, distributed=True)
        assert [len(b) for b in got] == [len(b) for b in expected]  # batches per epoch, sizes
        order = []
        for epoch in range(2):  # the loader follows the sampler, set_epoch included
            sampler = port.DistributedSamplerTorchArgs(rows, num_replicas=3, rank=rank)
            sampler.set_epoch(epoch)
            order += list(sampler)
        assert sum(got, []) == order
        assert sum(got[:2], []) != sum(got[2:], [])  # another order in the second epoch
    # no sampler: shuffle=(train_sampler is None) reads every row once, shuffled
    got = port.epochs(rows, 1, 0, 4, 1, distributed=False)
    assert sorted(sum(got, [])) == list(range(11)) and [len(b) for b in got] == [4, 4, 3]
    with pytest.raises(ValueError):  # torch's check: a sampler and shuffle=True
        port.DataLoaderTorchArgs(rows, shuffle=True, sampler=[0, 1])


def test_data_parallel_runs_the_module(pair, mindspore_on_cpu) -> None:
    from server.runner.align.copy_weights import copy_torch_weights

    th, port = pair
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    model_t = th.parallel(th.build())
    model_m = port.parallel(port.build())
    copy_torch_weights(model_t.module, model_m.module)
    expected = model_t(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(model_m(mindspore_on_cpu.Tensor(x)).asnumpy(), expected, rtol=1e-5)
    names = [name for name, _ in model_m.parameters_and_names()]
    assert names and all(name.startswith("module.") for name in names)  # torch's state_dict keys
    assert all(key.startswith("module.") for key in model_t.state_dict())

    gen_t, gen_m = th.Generator(2), port.Generator(2)
    copy_torch_weights(gen_t.main, gen_m.main)
    # torch's data_parallel needs a GPU (this machine has none): on one, it runs the module
    expected = gen_t.main(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(gen_m(mindspore_on_cpu.Tensor(x)).asnumpy(), expected, rtol=1e-5)
    two = (mindspore_on_cpu.Tensor(x), mindspore_on_cpu.Tensor(x))  # a tuple is unpacked
    added = port.data_parallel_torch_args(lambda a, b: a + b, two, [0, 1])
    np.testing.assert_allclose(added.asnumpy(), 2 * x)


def test_tensor_methods_compute_what_torch_computes(pair, mindspore_on_cpu) -> None:
    th, port = pair
    ms = mindspore_on_cpu
    rng = np.random.default_rng(1)
    image = (rng.random((2, 3, 4, 4)) * 255).astype(np.float32)
    np.testing.assert_allclose(
        port.normalize_batch(ms.Tensor(image)).asnumpy(),
        th.normalize_batch(torch.from_numpy(image.copy())).numpy(),
        rtol=1e-5,
        atol=1e-6,
    )
    correct = rng.random((3, 8)) > 0.5
    ours = port.accuracy(ms.Tensor(correct), 8)[0].asnumpy()
    np.testing.assert_allclose(ours, th.accuracy(torch.from_numpy(correct), 8)[0].numpy())

    xq = rng.standard_normal((2, 3, 8)).astype(np.float32)
    expected = th.rotary(torch.from_numpy(xq)).numpy()
    got = port.rotary(ms.Tensor(xq)).asnumpy()
    assert got.dtype == expected.dtype == np.complex64
    np.testing.assert_allclose(got, expected)
    with pytest.raises(ValueError):
        port.view_as_complex_torch_args(ms.Tensor(xq[..., :3]))
    with pytest.raises(RuntimeError):
        torch.view_as_complex(torch.from_numpy(xq[..., :3]).contiguous())


@pytest.mark.parametrize("dtype", [np.int64, np.float32])
def test_pad_sequence_matches_torch(pair, mindspore_on_cpu, dtype) -> None:
    th, port = pair
    rng = np.random.default_rng(2)
    arrays = [(rng.random((n, 3)) * 10).astype(dtype) for n in (4, 1, 6)]
    expected = th.pad([torch.from_numpy(a) for a in arrays], 7)
    got = port.pad([mindspore_on_cpu.Tensor(a) for a in arrays], 7)
    for e, g in zip(expected, got, strict=True):
        assert g.shape == tuple(e.shape) and g.asnumpy().dtype == e.numpy().dtype
        np.testing.assert_array_equal(g.asnumpy(), e.numpy())
    left = torch.nn.utils.rnn.pad_sequence(
        [torch.from_numpy(a) for a in arrays], batch_first=True, padding_side="left"
    )
    ours = port.pad_sequence_torch_args(
        [mindspore_on_cpu.Tensor(a) for a in arrays], batch_first=True, padding_side="left"
    )
    np.testing.assert_array_equal(ours.asnumpy(), left.numpy())


def test_detach_in_place_stops_the_gradient(pair, mindspore_on_cpu) -> None:
    th, port = pair
    ms = mindspore_on_cpu
    weight = torch.ones(3, requires_grad=True)
    th.truncated(weight).backward()
    grad = ms.grad(port.truncated)(ms.Tensor(np.ones(3, np.float32)))
    np.testing.assert_allclose(grad.asnumpy(), weight.grad.numpy())  # only hidden[1]'s 3
    np.testing.assert_allclose(port.truncated(ms.Tensor(np.ones(3, np.float32))).asnumpy(), 39)


def test_random_draws_in_range_with_the_receiver_dtype(pair, mindspore_on_cpu) -> None:
    th, port = pair
    for ours, theirs in zip(port.random_indices(500, 7), th.random_indices(500, 7), strict=True):
        values = ours.asnumpy()
        assert values.shape == tuple(theirs.shape) and values.dtype == theirs.numpy().dtype
        assert values.min() >= 0 and values.max() < 7
        assert len(set(values.tolist())) == 7  # every value is drawn among 500
    floats = mindspore_on_cpu.ops.zeros((300,), mindspore_on_cpu.float32)
    drawn = mindspore_on_cpu.ops.randint_like(floats, 2, 5, dtype=mindspore_on_cpu.int64)
    assert set(drawn.astype(floats.dtype).asnumpy().tolist()) == {2.0, 3.0, 4.0}


def test_fill_on_a_cast_of_a_fresh_tensor(pair, mindspore_on_cpu) -> None:
    th, port = pair
    ys = np.array([[1], [4]], np.int64)
    src = np.array([[3], [5]], np.int64)
    expected = th.next_token(torch.from_numpy(ys), torch.from_numpy(src), 9)
    got = port.next_token(mindspore_on_cpu.Tensor(ys), mindspore_on_cpu.Tensor(src), 9)
    assert got.asnumpy().dtype == expected.numpy().dtype
    np.testing.assert_array_equal(got.asnumpy(), expected.numpy())
