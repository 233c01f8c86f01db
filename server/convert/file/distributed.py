"""Distributed training setup, the device of a process and compilation.

- `init_process_group()` (its backend, `device_id`, `timeout`, `init_method="env://"`) ->
  `mindspore.communication.init()`: MindSpore picks the collective library by device (hccl,
  nccl, mccl) and reads the cluster from its launcher, msrun, which sets `RANK_ID`,
  `RANK_SIZE` and `DEVICE_ID` where torchrun sets `RANK`, `WORLD_SIZE` and `LOCAL_RANK` (a
  note on the line says so). With a rank, a world size, a store or another `init_method` it
  keeps its marker: `init()` takes none of them.
- `destroy_process_group()` -> `mindspore.communication.release()`.
- `DistributedDataParallel(module, ...)` -> `DistributedDataParallelTorchArgs`, written into
  the port: parameters from rank 0, every gradient averaged over the processes by an
  all-reduce in a hook on each trainable parameter (so `mindspore.value_and_grad` returns the
  averaged gradients, as torch's backward leaves them), buffers from rank 0 before each forward.
- `all_reduce(t[, op])` as a statement (torch reduces in place) -> `t.copy_(AllReduce(op)(t))`;
  `ReduceOp.SUM`/`MAX`/`MIN`/`PRODUCT` -> `mindspore.ops.ReduceOp.*` (the strings MindSpore's
  collectives take).
- `torch.cuda.set_device(d)` / `torch.accelerator.set_device_index(d)` ->
  `mindspore.set_device(<the device target>, <index>)` (a helper reads "cuda:1"-style
  strings); `torch.cuda.current_device()` -> `mindspore.get_current_device().device_id`.
- `get_default_backend_for_device(d)` -> the library MindSpore uses on the process's device;
  `is_nccl_available()` -> whether the process runs on GPU (MindSpore's NCCL backend).
- `torch.compile(m)` -> `m` (MindSpore runs the cell as it is; a note on the line says so).
- `DistributedSampler(ds)` inside a DataLoader call -> `mindspore.dataset.DistributedSampler`;
  kept in a variable (its `set_epoch` is called) or with drop_last/seed ->
  `DistributedSamplerTorchArgs`, written into the port: torch's indices per rank, shuffled by
  Python's `random.Random(seed + epoch)` (a note says the order is not torch's).
- `nn.DataParallel(m)` / `nn.parallel.data_parallel(m, x, ids)` -> `DataParallelTorchArgs` /
  `data_parallel_torch_args`: the module on the process's device (MindSpore runs one device per
  process); a note says torch's BatchNorm differs on several GPUs.

Left with a precise marker: `torch.multiprocessing.spawn` (MindSpore starts its processes with
msrun), `autocast` (no context manager in MindSpore 2.10), `torch.cuda.is_bf16_supported`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from server.analysis.findings import TorchReference
from server.convert.file.context import MARKER_PREFIX
from server.convert.file.text import code, expr

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer

NOTE_PREFIX = "# mindport note: "
_TARGET = 'mindspore.get_context("device_target")'
_INIT = "torch.distributed.init_process_group"
_DESTROY = "torch.distributed.destroy_process_group"
_DDP = "torch.nn.parallel.DistributedDataParallel"
_SET_DEVICE = ("torch.cuda.set_device", "torch.accelerator.set_device_index")
_ALL_REDUCE = "torch.distributed.all_reduce"
_REDUCE_OPS = {"SUM": "SUM", "MAX": "MAX", "MIN": "MIN", "PRODUCT": "PROD"}
_COMPILE = "torch.compile"
_AUTOCAST = (
    "torch.amp.autocast",
    "torch.autocast",
    "torch.cuda.amp.autocast",
    "torch.cpu.amp.autocast",
)
_BACKENDS = '{"Ascend": "hccl", "GPU": "nccl", "CPU": "mccl"}'

# init_process_group's keywords init() does without: the backend (chosen by device), the
# device the group binds to (the process's device), the timeout; init_method only as env://
_INIT_DROPPED = {"backend", "device_id", "timeout", "pg_options", "group_name"}
_DDP_KEYWORDS = {
    "module", "device_ids", "output_device", "broadcast_buffers", "init_sync", "bucket_cap_mb",
    "find_unused_parameters", "check_reduction", "gradient_as_bucket_view", "static_graph",
    "forward_sync_buffers",
}  # fmt: skip
# torch.compile's keywords: how to compile, never what is computed
_COMPILE_KEYWORDS = {"fullgraph", "dynamic", "backend", "mode", "options", "disable", "name"}

_LAUNCH_NOTE = (
    "launch with msrun (it sets RANK_ID, RANK_SIZE, DEVICE_ID where torchrun sets RANK, "
    "WORLD_SIZE, LOCAL_RANK); MindSpore picks the collective library by device"
)
_COMPILE_NOTE = (
    "torch.compile dropped: the cell runs as written (PyNative), computing what eager torch "
    "computes; mindspore.jit compiles a function for speed where its syntax allows"
)
_UNENTERED_NOTE = (
    "torch.accelerator.device_index(...) outside a `with` statement selects no device in torch"
)
_SPAWN_REASON = (
    "torch.multiprocessing.spawn: MindSpore starts one process per device with msrun "
    "(msrun --worker_num=N --local_worker_num=N script.py), each running the whole script; "
    "call the worker once per process with rank = mindspore.communication.get_rank()"
)
_AUTOCAST_REASON = (
    "autocast: MindSpore 2.10 has no autocast context; "
    "mindspore.amp.auto_mixed_precision(net, 'auto', dtype) casts a network once, with its own "
    "lists of low-precision ops (not torch's): apply it to the model, or run in float32"
)
# torch.cuda.is_bf16_supported(): False off CUDA (torch's answer there too); on a GPU, whether
# MindSpore computes in bfloat16 there. torch, too, answers by trying a bfloat16 tensor on the
# device (emulation included), so the question the code asks, "may I train in bfloat16 here",
# gets the port's framework's answer.
_BF16_NOTE = (
    "is_bf16_supported: answered by computing in bfloat16 on the GPU with MindSpore, whose "
    "bfloat16 kernels may differ from torch's on the same card"
)
BF16_HELPER = """
# torch.cuda.is_bf16_supported, written by mindport: does bfloat16 compute on the GPU?
def is_bf16_supported_torch_args():
    if mindspore.get_context("device_target") != "GPU":
        return False
    try:
        probe = mindspore.ops.ones((2,), mindspore.bfloat16) * 2
        return bool((probe.astype(mindspore.float32) == 2).all())
    except (RuntimeError, TypeError, ValueError):
        return False
"""
_INIT_REASON = (
    "init_process_group with {args}: mindspore.communication.init() takes the rank, world "
    "size and rendezvous from its launcher (msrun), not from arguments"
)

SET_DEVICE_HELPER = '''

def set_device_torch_args(device):
    """torch.cuda.set_device(device): an index or a device string ("cuda:1") as the device id
    of this process, on the device target MindSpore runs on (under msrun the id is the local
    rank already, and mindspore.set_device refuses another)."""
    index = device if isinstance(device, int) else int(str(device).partition(":")[2] or 0)
    mindspore.set_device(mindspore.get_context("device_target"), index)
'''

DDP_HELPER = '''

class DistributedDataParallelTorchArgs(mindspore.nn.Cell):
    """torch's DistributedDataParallel over mindspore.communication (after init(), launched
    with msrun): the parameters start as rank 0's, every gradient is averaged over the
    processes by an all-reduce in a hook on each trainable parameter (mindspore.value_and_grad
    returns the averaged gradients, as torch's backward leaves them), and the buffers
    (non-trainable parameters such as BatchNorm statistics) are rank 0's before each forward.
    Gradients are averaged in every backward, also where torch waits (no_sync(),
    require_backward_grad_sync = False): the sum is the same. Parameter names keep no
    "module." prefix."""

    def __init__(
        self,
        module,
        device_ids=None,
        output_device=None,
        broadcast_buffers=None,
        init_sync=True,
        bucket_cap_mb=None,
        find_unused_parameters=False,
        check_reduction=False,
        gradient_as_bucket_view=False,
        static_graph=False,
        forward_sync_buffers=None,
    ):
        super().__init__(auto_prefix=False)
        self.module = module
        self.require_backward_grad_sync = True
        if forward_sync_buffers is None:
            forward_sync_buffers = broadcast_buffers is not False
        self.forward_sync_buffers = forward_sync_buffers
        self.world_size = mindspore.communication.get_group_size()
        self.all_reduce = mindspore.ops.AllReduce()
        if init_sync:
            every = broadcast_buffers is not False  # torch leaves buffers out only then
            self.from_rank0(list(module.get_parameters()) if every else module.trainable_params())
        for param in module.trainable_params():
            param.register_hook(self.average)

    def average(self, grad):
        return self.all_reduce(grad) / self.world_size

    def from_rank0(self, params):
        first = mindspore.communication.get_rank() == 0
        for param in params:
            value = param.value() if first else mindspore.ops.zeros_like(param)
            param.set_data(self.all_reduce(value))

    def no_sync(self):  # `with model.no_sync():` averages anyway: the sum is the same
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def construct(self, *args, **kwargs):
        if self.forward_sync_buffers:
            self.from_rank0([p for p in self.module.get_parameters() if not p.requires_grad])
        return self.module(*args, **kwargs)
'''


def _qualified(refs: list[TorchReference]) -> str | None:
    return next((r.qualified_name for r in refs if r.context == "call"), None)


def _keywords(call: cst.Call) -> set[str]:
    return {a.keyword.value for a in call.args if a.keyword is not None}


def _positional(call: cst.Call) -> list[cst.Arg]:
    return [a for a in call.args if a.keyword is None]


def _arguments(call: cst.Call) -> str:
    """The call's arguments on one line, `name=value` for keywords."""
    return ", ".join(
        f"{a.keyword.value}={code(a.value)}" if a.keyword is not None else code(a.value)
        for a in call.args
    )


def _starred(call: cst.Call) -> bool:
    return any(a.star for a in call.args)


def note(conv: FileTransformer, node: cst.CSTNode, text: str) -> None:
    """A `# mindport note:` comment on the statement of `node`: converted, and how the port
    differs where the user might look for torch's meaning."""
    conv.ctx.notes.setdefault(conv.line(node), []).append(text)


def with_notes(conv: FileTransformer, original: cst.SimpleStatementLine, result: object) -> object:
    """The converted statement with the notes its calls left."""
    pos = conv.get_metadata(cst.metadata.PositionProvider, original)
    texts: list[str] = []
    for line in range(pos.start.line, pos.end.line + 1):
        texts.extend(conv.ctx.notes.pop(line, []))
    if texts and result is cst.RemovalSentinel.REMOVE:
        # `m = torch.compile(m)` became `m = m`, which goes: the note stays, on a `pass`
        result = cst.SimpleStatementLine(
            body=[cst.Pass()],
            leading_lines=original.leading_lines,
            trailing_whitespace=original.trailing_whitespace,
        )
    if texts and isinstance(result, cst.FlattenSentinel) and result.nodes:
        last = result.nodes[-1]  # several statements: the note on the last, where markers go
        if isinstance(last, cst.SimpleStatementLine):
            noted = _noted(last, texts)
            return cst.FlattenSentinel([*result.nodes[:-1], noted])
    if not texts or not isinstance(result, cst.SimpleStatementLine):
        return result
    body = result.body
    if len(body) == 1 and isinstance(body[0], cst.Expr) and isinstance(body[0].value, cst.Ellipsis):
        result = result.with_changes(body=[cst.Pass()])  # a call that did nothing in torch
    return _noted(result, texts)


def _noted(result: cst.SimpleStatementLine, texts: list[str]) -> cst.SimpleStatementLine:
    ws = result.trailing_whitespace
    text = NOTE_PREFIX + "; ".join(dict.fromkeys(texts))
    if ws.comment is not None:
        # after the file's own comment, before a marker (markers end the line)
        existing = ws.comment.value
        at = existing.find(MARKER_PREFIX)
        if at >= 0:
            head = existing[:at].rstrip()
            text = f"{head}  {text}  {existing[at:]}" if head else f"{text}  {existing[at:]}"
        else:
            text = f"{existing}  {text}"
        return result.with_changes(trailing_whitespace=ws.with_changes(comment=cst.Comment(text)))
    spacing = cst.SimpleWhitespace("  ")
    trailing = ws.with_changes(whitespace=spacing, comment=cst.Comment(text))
    return result.with_changes(trailing_whitespace=trailing)


def convert_name(
    conv: FileTransformer, original: cst.BaseExpression, ref: TorchReference
) -> cst.BaseExpression | None:
    """`dist.ReduceOp.SUM` -> `mindspore.ops.ReduceOp.SUM` (the string "sum")."""
    prefix = "torch.distributed.ReduceOp."
    if ref.qualified_name.startswith(prefix) and ref.context != "annotation":
        member = _REDUCE_OPS.get(ref.qualified_name.removeprefix(prefix))
        if member is not None:
            return expr(f"mindspore.ops.ReduceOp.{member}")
    return None


def convert_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    from server.convert.file.transformer import Unconvertible

    qualified = _qualified(refs)
    if qualified is None:
        return None
    if qualified == "torch.multiprocessing.spawn":
        raise Unconvertible(_SPAWN_REASON)
    if qualified in _AUTOCAST:
        raise Unconvertible(_AUTOCAST_REASON)
    result = _convert(conv, original, updated, qualified, Unconvertible)
    if result is not None:
        conv.ctx.consume_patterns(refs)
    return result


def _convert(conv, original, updated, qualified, Unconvertible):  # noqa: N803
    if qualified == _INIT:
        return _init(conv, original, updated, Unconvertible)
    if qualified == _DESTROY:
        group = [a for a in updated.args if code(a.value) != "None"]
        if group or _starred(updated):
            raise Unconvertible("destroy_process_group(group): release() ends every group")
        return expr("mindspore.communication.release()")
    if qualified == _DDP:
        return _ddp(conv, updated, Unconvertible)
    if qualified in _SET_DEVICE:
        return _set_device(conv, updated, Unconvertible)
    if qualified == "torch.cuda.is_bf16_supported" and not updated.args:
        note(conv, original, _BF16_NOTE)
        conv.ctx.helpers.add(BF16_HELPER)
        return expr("is_bf16_supported_torch_args()")
    if qualified == "torch.cuda.current_device" and not updated.args:
        return expr("mindspore.get_current_device().device_id")
    if qualified == "torch.distributed.get_default_backend_for_device":
        if len(updated.args) != 1 or updated.args[0].star:
            return None
        note(conv, original, "the collective library MindSpore uses on this process's device")
        return expr(f"{_BACKENDS}[{_TARGET}]")
    if qualified == "torch.distributed.is_nccl_available" and not updated.args:
        note(conv, original, "MindSpore uses NCCL where it runs on GPU")
        return expr(f'({_TARGET} == "GPU")')
    if qualified == _ALL_REDUCE:
        return _all_reduce(conv, original, updated)
    if qualified == _COMPILE:
        return _compile(conv, original, updated, Unconvertible)
    if qualified in _SAMPLERS:
        return _sampler(conv, original, updated, Unconvertible)
    if qualified in _DATA_PARALLEL:
        return _data_parallel(conv, original, updated, qualified, Unconvertible)
    if qualified == "torch.accelerator.device_index" and conv.end(original) in conv.statement_calls:
        # a context manager never entered: torch selects no device (a `pass` in the port)
        note(conv, original, _UNENTERED_NOTE)
        return cst.Ellipsis()
    return None


_SAMPLERS = (
    "torch.utils.data.distributed.DistributedSampler",
    "torch.utils.data.DistributedSampler",
)
_SAMPLER_ARGS = ("dataset", "num_replicas", "rank", "shuffle", "seed", "drop_last")


def _sampler(conv, original, updated, Unconvertible):  # noqa: N803
    """`DataLoader(..., sampler=DistributedSampler(ds))`: MindSpore's sampler gives each rank
    the indices torch's does (rank, rank + R, ..., padded from the start to a multiple of R);
    shuffled, both split one permutation, MindSpore's own. Kept in a variable (torch code calls
    its `set_epoch`), or with drop_last or seed: `DistributedSamplerTorchArgs`, written into
    the port, torch's sampler over Python's random permutation."""
    if _starred(updated):
        raise Unconvertible("DistributedSampler(*args) hides its arguments")
    given = {}
    for index, arg in enumerate(updated.args):
        if arg.keyword is None and index >= len(_SAMPLER_ARGS):
            raise Unconvertible("DistributedSampler takes at most six arguments")
        name = arg.keyword.value if arg.keyword is not None else _SAMPLER_ARGS[index]
        given[name] = code(arg.value)
    shuffle = given.get("shuffle", "True")
    kept = conv.end(original) in conv.ctx.assigned_at
    if kept or given.get("drop_last", "False") != "False" or "seed" in given:
        if shuffle != "False":
            note(conv, original, SAMPLER_SHUFFLE_NOTE)
        conv.ctx.helpers.add(SAMPLER_HELPER)
        args = _arguments(updated)
        return expr(f"DistributedSamplerTorchArgs({args})")
    shards = given.get("num_replicas", "mindspore.communication.get_group_size()")
    shard = given.get("rank", "mindspore.communication.get_rank()")
    if shuffle != "False":
        note(conv, original, "DistributedSampler shuffles with MindSpore's own permutation")
    return expr(f"mindspore.dataset.DistributedSampler({shards}, {shard}, shuffle={shuffle})")


SAMPLER_SHUFFLE_NOTE = (
    "DistributedSamplerTorchArgs shuffles with Python's random.Random(seed + epoch), not "
    "torch's generator: each rank gets its share of one permutation per epoch, another order"
)
SAMPLER_HELPER = '''

class DistributedSamplerTorchArgs:
    """torch.utils.data.DistributedSampler, written by mindport, as a sampler for
    mindspore.dataset.GeneratorDataset (which iterates it once per epoch): rank r of R gets
    indices r, r + R, ... of the dataset's, padded from the start to a multiple of R (or, with
    drop_last, cut to one), torch's indices exactly when unshuffled. Shuffled, the permutation
    is Python's random.Random(seed + epoch), not torch's; set_epoch(e) changes it as in torch."""

    def __init__(
        self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False
    ):
        if num_replicas is None:
            num_replicas = mindspore.communication.get_group_size()
        if rank is None:
            rank = mindspore.communication.get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        size = len(dataset)
        if drop_last and size % num_replicas != 0:
            self.num_samples = -(-(size - num_replicas) // num_replicas)
        else:
            self.num_samples = -(-size // num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        indices = list(range(len(self.dataset)))
        if self.shuffle:
            import random

            random.Random(self.seed + self.epoch).shuffle(indices)
        if not self.drop_last:
            padding = self.total_size - len(indices)
            repeats = -(-padding // len(indices)) if indices else 0
            indices += (indices * repeats)[:padding]
        else:
            indices = indices[: self.total_size]
        return iter(indices[self.rank : self.total_size : self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        self.epoch = epoch
'''


_DP_PARAMS = ("module", "device_ids", "output_device", "dim")
_DATA_PARALLEL = {
    "torch.nn.DataParallel": ("DataParallelTorchArgs", _DP_PARAMS),
    "torch.nn.parallel.DataParallel": ("DataParallelTorchArgs", _DP_PARAMS),
    "torch.nn.parallel.data_parallel": (
        "data_parallel_torch_args",
        ("module", "inputs", "device_ids", "output_device", "dim", "module_kwargs"),
    ),
}  # fmt: skip
DATA_PARALLEL_NOTE = (
    "DataParallel: the module runs whole on this device (MindSpore: one device per process), "
    "as torch runs it on one GPU or none; on several GPUs torch's BatchNorm normalises each "
    "GPU's share of the batch"
)
DATA_PARALLEL_HELPERS = {
    "DataParallelTorchArgs": '''

class DataParallelTorchArgs(mindspore.nn.Cell):
    """torch.nn.DataParallel, written by mindport: MindSpore runs one device per process, so
    the module runs whole on this process's device, as torch runs it on one GPU or none (on
    several, torch splits the batch and BatchNorm normalises each share by its own statistics).
    The module stays at `.module`, its parameter names start with "module." as in torch."""

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module

    def construct(self, *args, **kwargs):
        return self.module(*args, **kwargs)
''',
    "data_parallel_torch_args": '''

def data_parallel_torch_args(
    module, inputs, device_ids=None, output_device=None, dim=0, module_kwargs=None
):
    """torch.nn.parallel.data_parallel, written by mindport: the module on this process's
    device, as torch runs it on one GPU or none (a tuple of inputs is unpacked, as there)."""
    inputs = inputs if isinstance(inputs, tuple) else (inputs,)
    return module(*inputs, **(module_kwargs or {}))
''',
}


def _data_parallel(conv, original, updated, qualified, Unconvertible):  # noqa: N803
    """`nn.DataParallel(m)` / `data_parallel(m, x, ids)`: single-process replication over the
    GPUs -> the module itself on the process's device, with a note where BatchNorm differs."""
    name, params = _DATA_PARALLEL[qualified]
    if _starred(updated) or len(_positional(updated)) > len(params):
        raise Unconvertible(f"{qualified.rsplit('.', 1)[-1]} with these arguments: port by hand")
    unknown = sorted(_keywords(updated) - set(params))
    if unknown:
        raise Unconvertible(f"{qualified.rsplit('.', 1)[-1]} has no argument {unknown[0]}")
    note(conv, original, DATA_PARALLEL_NOTE)
    conv.ctx.helpers.add(DATA_PARALLEL_HELPERS[name])
    args = _arguments(updated)
    return expr(f"{name}({args})")


def _init(conv, original, updated, Unconvertible):  # noqa: N803
    positional = _positional(updated)
    others = []
    for arg in updated.args:
        name = arg.keyword.value if arg.keyword is not None else None
        if arg.star or (name is None and arg is not positional[0]):
            others.append(code(arg.value) if not arg.star else "*args")
        elif name == "init_method" and code(arg.value) in ('"env://"', "'env://'"):
            continue
        elif name is not None and name not in _INIT_DROPPED:
            others.append(name)
    if others:
        raise Unconvertible(_INIT_REASON.format(args=", ".join(others)))
    note(conv, original, _LAUNCH_NOTE)
    return expr("mindspore.communication.init()")


def _ddp(conv, updated, Unconvertible):  # noqa: N803
    keywords = _keywords(updated)
    if _starred(updated) or len(_positional(updated)) > 2 or not keywords <= _DDP_KEYWORDS:
        unknown = sorted(keywords - _DDP_KEYWORDS) or ["these arguments"]
        raise Unconvertible(
            f"DistributedDataParallel with {', '.join(unknown)}: "
            "DistributedDataParallelTorchArgs averages over the world group only"
        )
    conv.ctx.helpers.add(DDP_HELPER)
    args = ", ".join(code(a).rstrip(", ") for a in updated.args)
    return expr(f"DistributedDataParallelTorchArgs({args})")


def _set_device(conv, updated, Unconvertible):  # noqa: N803
    if len(updated.args) != 1 or updated.args[0].star or updated.args[0].keyword is not None:
        raise Unconvertible("set_device with these arguments needs a manual port")
    value = updated.args[0].value
    if isinstance(value, cst.Integer) or (
        isinstance(value, cst.Call) and code(value.func) == "int"
    ):
        return expr(f"mindspore.set_device({_TARGET}, {code(value)})")
    conv.ctx.helpers.add(SET_DEVICE_HELPER)
    return expr(f"set_device_torch_args({code(value)})")


def _all_reduce(conv, original, updated):
    """`dist.all_reduce(t[, op])` as a statement: torch reduces `t` in place."""
    if conv.end(original) not in conv.statement_calls or _starred(updated):
        return None
    positional = _positional(updated)
    keywords = {a.keyword.value: a.value for a in updated.args if a.keyword is not None}
    if not positional or len(positional) > 2 or set(keywords) - {"op", "group", "async_op"}:
        return None
    if code(keywords.get("group", cst.Name("None"))) != "None":
        return None
    if code(keywords.get("async_op", cst.Name("False"))) != "False":
        return None
    op = positional[1].value if len(positional) == 2 else keywords.get("op")
    tensor = code(positional[0].value)
    if not isinstance(positional[0].value, cst.Name | cst.Attribute):
        return None
    op_text = code(op) if op is not None else "mindspore.ops.ReduceOp.SUM"
    if not op_text.startswith("mindspore.ops.ReduceOp."):
        return None
    return expr(f"{tensor}.copy_(mindspore.ops.AllReduce({op_text})({tensor}))")


def _compile(conv, original, updated, Unconvertible):  # noqa: N803
    positional = _positional(updated)
    if _starred(updated) or len(positional) != 1 or not _keywords(updated) <= _COMPILE_KEYWORDS:
        raise Unconvertible("torch.compile with these arguments needs a manual port")
    note(conv, original, _COMPILE_NOTE)
    value = positional[0].value
    return value.with_changes(lpar=updated.lpar, rpar=updated.rpar) if updated.lpar else value
