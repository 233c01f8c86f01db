"""Distributed training setup (server/convert/file/distributed.py), checked by running it: the
fixture `distributed_setup/in.py` trains under torch's DistributedDataParallel in two
processes (torchrun, gloo) and its port under DistributedDataParallelTorchArgs in two
processes (msrun, MindSpore's CPU collectives), each process from its own weights and data;
losses, weights, BatchNorm statistics and an all-reduce agree rank by rank."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from mapping_db.store import load_database
from server.convert.file import convert_source
from tests.convert_helpers import CORPUS, REPO, ruff_f_new

FIXTURE = REPO / "tests" / "fixtures" / "convert" / "distributed_setup"
RANKS = 2

# Each process: weights from torch.manual_seed(rank) (different per rank: DDP must start all of
# them from rank 0's), its own data, three SGD steps, then an all-reduce of rank + 1.
_RUNNER = """
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, {repo!r})
from tests.convert_helpers import load_module

framework, out = sys.argv[1], Path(sys.argv[2])
source = load_module(Path({fixture!r}) / "in.py", "ddp_torch")
if framework == "mindspore":
    import mindspore

    from server.runner.align.copy_weights import copy_torch_weights

    mindspore.set_device("CPU")
    port = load_module(Path({fixture!r}) / "out.py", "ddp_ms")
    rank, world_size = port.setup()
    torch.manual_seed(rank)
    model = port.build()
    copy_torch_weights(source.build(), model)
    as_tensor = mindspore.Tensor
    setup = port
else:
    rank, world_size = source.setup()
    torch.manual_seed(rank)
    model = source.build()
    as_tensor = torch.from_numpy
    setup = source
rng = np.random.default_rng(10 + rank)
x = rng.standard_normal((6, 4)).astype(np.float32)
y = rng.standard_normal((6, 1)).astype(np.float32)
module, losses = setup.train(model, as_tensor(x), as_tensor(y), 3)
total = setup.total_over_ranks(float(rank + 1))
if framework == "mindspore":
    weights = [p.asnumpy() for p in module.trainable_params()]
    stats = [module[1].moving_mean.asnumpy(), module[1].moving_variance.asnumpy()]
else:
    weights = [p.detach().numpy() for p in module.parameters()]
    stats = [module[1].running_mean.numpy(), module[1].running_var.numpy()]
np.savez(
    out / f"{{framework}}_{{rank}}.npz",
    losses=np.array(losses),
    total=np.array(total),
    world_size=np.array(world_size),
    *weights,
    *stats,
)
setup.teardown()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _launch(command: list[str], cwd: Path, logs: Path) -> None:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=400, check=False
    )
    if proc.returncode != 0:
        found = "".join(p.read_text(errors="replace")[-3000:] for p in sorted(logs.glob("*.log")))
        pytest.fail(f"{command[:3]} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}\n{found}")


def _results(folder: Path, framework: str) -> list[dict[str, np.ndarray]]:
    return [dict(np.load(folder / f"{framework}_{rank}.npz")) for rank in range(RANKS)]


def test_ddp_port_trains_like_torch_ddp(tmp_path: Path) -> None:
    runner = tmp_path / "runner.py"
    runner.write_text(textwrap.dedent(_RUNNER.format(repo=str(REPO), fixture=str(FIXTURE))))
    logs = tmp_path / "logs"
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--nnodes=1"]
    torchrun += [f"--nproc_per_node={RANKS}", f"--master_port={_free_port()}"]
    _launch([*torchrun, str(runner), "torch", str(tmp_path)], tmp_path, logs)
    msrun = [str(Path(sys.executable).parent / "msrun"), f"--worker_num={RANKS}"]
    msrun += [f"--local_worker_num={RANKS}", f"--master_port={_free_port()}"]
    msrun += [f"--log_dir={logs}", "--join=True"]
    _launch([*msrun, str(runner), "mindspore", str(tmp_path)], tmp_path, logs)

    torch_runs, ms_runs = _results(tmp_path, "torch"), _results(tmp_path, "mindspore")
    for rank, (expected, actual) in enumerate(zip(torch_runs, ms_runs, strict=True)):
        assert int(actual["world_size"]) == RANKS
        assert float(actual["total"]) == float(expected["total"]) == 3.0  # 1 + 2, in place
        np.testing.assert_allclose(actual["losses"], expected["losses"], rtol=1e-4, err_msg=rank)
        arrays = sorted(k for k in expected if k.startswith("arr_"))
        assert len(arrays) == 8  # six trainable tensors, two BatchNorm statistics
        for key in arrays:
            np.testing.assert_allclose(actual[key], expected[key], rtol=1e-4, atol=1e-6)
    # the processes trained from different data: their weights agree (averaged gradients),
    # their losses and their BatchNorm statistics (updated after the last sync) do not
    first, second = ms_runs
    np.testing.assert_allclose(first["arr_0"], second["arr_0"], rtol=1e-6)
    assert not np.allclose(first["losses"], second["losses"])
    assert not np.allclose(first["arr_6"], second["arr_6"])


def _convert(source: str):
    return convert_source(textwrap.dedent(source), load_database(), "CPU")


def test_arguments_init_cannot_take_keep_a_precise_marker() -> None:
    result = _convert(
        """
        import torch.distributed as dist
        from torch.nn.parallel import DistributedDataParallel as DDP

        def setup(rank, world_size, model, group):
            dist.init_process_group("nccl", init_method="tcp://10.0.0.1:23456", rank=rank)
            dist.init_process_group(backend="gloo", init_method="env://")
            model = DDP(model, process_group=group)
            dist.destroy_process_group(group)
            return model
        """
    )
    reasons = {m.line: m.reason for m in result.markers}
    assert reasons[6].startswith("init_process_group with init_method, rank:")
    assert reasons[8].startswith("DistributedDataParallel with process_group:")
    assert reasons[9].startswith("destroy_process_group(group)")
    assert 7 not in reasons  # env:// is what init() reads: converted, with the launch note
    converted = [line for line in result.code.splitlines() if "    mindspore.comm" in line]
    assert converted == [
        "    mindspore.communication.init()  # mindport note: launch with msrun (it sets RANK_ID, "
        "RANK_SIZE, DEVICE_ID where torchrun sets RANK, WORLD_SIZE, LOCAL_RANK); MindSpore picks "
        "the collective library by device"
    ]


def test_notes_sit_between_a_comment_and_a_marker() -> None:
    result = _convert(
        """
        import torch

        def run(model):
            model = torch.compile(model, mode="max-autotune")  # faster
            fast = torch.compile(model) if torch.cuda.is_bf16_supported() else None  # bf16
            return fast
        """
    )
    lines = result.code.splitlines()
    note = (
        "# mindport note: torch.compile dropped: the cell runs as written (PyNative), computing "
        "what eager torch computes; mindspore.jit compiles a function for speed where its "
        "syntax allows"
    )
    bf16 = (
        "is_bf16_supported: answered by computing in bfloat16 on the GPU with MindSpore, whose "
        "bfloat16 kernels may differ from torch's on the same card"
    )
    at = lines.index("    pass  # faster  " + note)  # `model = model` would go, and the note
    assert lines[at + 1] == (
        f"    fast = model if is_bf16_supported_torch_args() else None  # bf16  {note}; {bf16}"
    )
    assert result.markers == []


def test_bf16_query_answers_as_torch_off_cuda(mindspore_on_cpu) -> None:
    """Off CUDA torch answers False; so does the port's helper off GPU (here: CPU)."""
    import torch

    from server.convert.file import distributed

    namespace: dict[str, object] = {"mindspore": mindspore_on_cpu}
    exec(distributed.BF16_HELPER, namespace)  # the code the port holds
    assert namespace["is_bf16_supported_torch_args"]() is torch.cuda.is_bf16_supported() is False


def test_all_reduce_whose_result_is_used_is_left_to_the_engine() -> None:
    result = _convert(
        """
        import torch.distributed as dist

        def total(t):
            dist.all_reduce(t)
            return dist.all_reduce(t, async_op=True)
        """
    )
    lines = result.code.splitlines()
    assert lines[4] == "    t.copy_(mindspore.ops.AllReduce(mindspore.ops.ReduceOp.SUM)(t))"
    assert "copy_" not in lines[5]


def test_set_device_helper_reads_torch_device_forms(mindspore_on_cpu) -> None:
    ms = mindspore_on_cpu
    namespace: dict[str, object] = {"mindspore": ms}
    exec(_helper("set_device_torch_args"), namespace)  # the code the port holds
    set_device = namespace["set_device_torch_args"]
    for device in (0, "cuda:0", "cuda"):
        set_device(device)  # the process's device already: accepted again
        assert ms.get_current_device() == ("CPU", 0)
    with pytest.raises(RuntimeError, match="can not be modified"):
        set_device("cuda:1")  # another device id: MindSpore refuses, as the helper says


def _helper(name: str) -> str:
    from server.convert.file import distributed

    text = distributed.SET_DEVICE_HELPER if "set_device" in name else distributed.DDP_HELPER
    assert name in text
    return text


def test_nanogpt_train_keeps_markers_only_where_mindspore_has_no_counterpart(
    tmp_path: Path,
) -> None:
    src = CORPUS / "nanoGPT" / "train.py"
    result = convert_source(src.read_text(encoding="utf-8"), load_database(), "CPU", src)
    assert [m.line for m in result.markers] == [112]  # autocast
    port = result.code
    assert "mindspore.communication.init()  # mindport note: launch with msrun" in port
    assert "model = DistributedDataParallelTorchArgs(model, device_ids=[ddp_local_rank])" in port
    assert "    mindspore.communication.release()\n" in port
    assert "    set_device_torch_args(device)\n" in port
    assert "pass # requires PyTorch 2.0  # mindport note: torch.compile dropped" in port
    out = tmp_path / "train.py"
    out.write_text(port, encoding="utf-8")
    assert ruff_f_new(src, out) == []


def test_distributed_sampler_gives_each_rank_torch_indices(mindspore_on_cpu) -> None:
    from torch.utils.data.distributed import DistributedSampler

    ms = mindspore_on_cpu
    result = _convert(
        """
        from torch.utils.data.distributed import DistributedSampler

        def make(data, replicas, rank, shuffle, take):
            return take(DistributedSampler(data, num_replicas=replicas, rank=rank, shuffle=shuffle))
        """
    )
    assert not result.markers
    namespace: dict[str, object] = {}
    exec(result.code, namespace)  # the port, as written
    make = namespace["make"]
    rows = [(np.array(i, np.int64),) for i in range(10)]

    def indices(sampler) -> list[int]:
        loader = ms.dataset.GeneratorDataset(rows, column_names=["x"], sampler=sampler)
        return [int(row[0]) for row in loader.create_tuple_iterator(output_numpy=True)]

    for replicas in (2, 3, 4):
        shuffled = []
        for rank in range(replicas):
            expected = list(DistributedSampler(range(10), replicas, rank, shuffle=False))
            assert indices(make(None, replicas, rank, False, lambda s: s)) == expected
            shuffled += indices(make(None, replicas, rank, True, lambda s: s))
        # shuffled: one permutation split over the ranks, padded as torch pads
        torch_split = sum(
            (
                list(DistributedSampler(range(10), replicas, r, shuffle=True))
                for r in range(replicas)
            ),
            [],
        )
        assert len(shuffled) == len(torch_split) and set(shuffled) == set(range(10))
