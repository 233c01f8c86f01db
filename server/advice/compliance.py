"""Function compliance: constructs that do not port by renaming an API.

Two kinds of findings lead here: torch references whose name alone says the construct
(`torch.jit.script`, `torch.cuda.amp.GradScaler`, `torch.distributed.init_process_group`),
and code patterns the analysis reports as `pattern:<rule>` references (`p.data = ...`,
`m.register_forward_hook(...)`, `x.cuda()`, a `torch.autograd.Function` subclass).
Notes are ours; each links the MindSpore page that shows the way to do it there.
"""

from __future__ import annotations

from dataclasses import dataclass

DOCS = "https://www.mindspore.cn/docs/en/master"


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    title: str
    note: str
    link: str
    fixable: bool = False  # a quick fix exists (see server.convert.pattern_fix)
    kind: str = "compliance"  # the severity setting that governs it


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(
            "custom-autograd-function",
            "custom torch.autograd.Function",
            "Port it as a mindspore.nn.Cell: forward becomes construct, backward becomes a "
            "`bprop(self, *inputs, out, dout)` method returning one gradient per input; for a "
            "hand-written kernel use mindspore.ops.Custom.",
            f"{DOCS}/api_python/nn/mindspore.nn.Cell.html",
            fixable=True,
        ),
        Rule(
            "module-hook",
            "module hook",
            "mindspore.nn.Cell has register_forward_pre_hook, register_forward_hook and "
            "register_backward_hook; they run in PyNative mode only, not under mindspore.jit.",
            f"{DOCS}/api_python/nn/mindspore.nn.Cell.html",
        ),
        Rule(
            "tensor-hook",
            "tensor hook",
            "mindspore.Tensor.register_hook exists for gradients in PyNative mode only; in graph "
            "mode use mindspore.ops.HookBackward or restructure with a Cell's bprop.",
            f"{DOCS}/api_python/mindspore/Tensor/mindspore.Tensor.register_hook.html",
        ),
        Rule(
            "param-data-assign",
            "assignment to .data",
            "MindSpore Parameters are updated with param.set_data(value) (or ops.assign inside "
            "a graph); `.data` is not a writable alias of the storage.",
            f"{DOCS}/api_python/mindspore/mindspore.Parameter.html",
            fixable=True,
        ),
        Rule(
            "param-data-inplace",
            "in-place update through .data",
            "In-place updates of a parameter's storage become param.set_data(new_value), or "
            "mindspore.ops.assign / assign_add inside a graph.",
            f"{DOCS}/api_python/mindspore/mindspore.Parameter.html",
            fixable=True,
        ),
        Rule(
            "device-move",
            "moving a model or tensor between devices",
            "MindSpore has no per-tensor device moves: the process runs on the device chosen "
            "with mindspore.set_device('CPU' | 'GPU' | 'Ascend'). Drop .cuda(), .cpu() and "
            ".to(device).",
            f"{DOCS}/api_python/mindspore/mindspore.set_device.html",
            fixable=True,
        ),
        Rule(
            "jit",
            "TorchScript / torch.compile",
            "Compile with mindspore.jit (a decorator on construct or a function) or run the whole "
            "network in graph mode; TorchScript's script/trace have no counterpart.",
            f"{DOCS}/api_python/mindspore/mindspore.jit.html",
        ),
        Rule(
            "cuda",
            "torch.cuda API",
            "CUDA queries and settings have no counterpart: choose the device with "
            "mindspore.set_device, and memory stats with mindspore.runtime (2.3+).",
            f"{DOCS}/api_python/mindspore/mindspore.set_device.html",
        ),
        Rule(
            "backends",
            "torch.backends setting",
            "cuDNN/MKL switches have no counterpart; for reproducible runs use "
            "mindspore.set_deterministic(True) and mindspore.set_seed.",
            f"{DOCS}/api_python/mindspore/mindspore.set_deterministic.html",
        ),
        Rule(
            "amp",
            "automatic mixed precision",
            "Use mindspore.amp: auto_mixed_precision(network, amp_level='O1'|'O2') for autocast, "
            "and DynamicLossScaler / StaticLossScaler with all_finite for GradScaler.",
            f"{DOCS}/api_python/mindspore.amp.html",
        ),
        Rule(
            "distributed",
            "data-parallel training setup",
            "Initialise with mindspore.communication.init() and "
            "mindspore.set_auto_parallel_context(parallel_mode=ParallelMode.DATA_PARALLEL, "
            "gradients_mean=True); launch one process per device with msrun.",
            f"{DOCS}/api_python/mindspore.communication.html",
        ),
        Rule(
            "seed",
            "random seed",
            "mindspore.set_seed(seed) seeds MindSpore's operators and the dataset pipeline; seed "
            "numpy and random yourself as before.",
            f"{DOCS}/api_python/mindspore/mindspore.set_seed.html",
        ),
    )
}

# Name prefixes, most specific first: (prefix, exact?, rule id).
_NAME_RULES: tuple[tuple[str, bool, str], ...] = (
    ("torch.cuda.amp", False, "amp"),
    ("torch.cpu.amp", False, "amp"),
    ("torch.amp", False, "amp"),
    ("torch.autocast", True, "amp"),
    ("torch.cuda.manual_seed", True, "seed"),
    ("torch.cuda.manual_seed_all", True, "seed"),
    ("torch.manual_seed", True, "seed"),
    ("torch.random.manual_seed", True, "seed"),
    ("torch.cuda", False, "cuda"),
    ("torch.backends", False, "backends"),
    ("torch.jit", False, "jit"),
    ("torch.compile", True, "jit"),
    ("torch.nn.DataParallel", True, "distributed"),
    ("torch.nn.parallel", False, "distributed"),
    ("torch.distributed.init_process_group", True, "distributed"),
    ("torch.distributed.destroy_process_group", True, "distributed"),
    ("torch.multiprocessing.spawn", True, "distributed"),
)

PATTERN_PREFIX = "pattern:"


def rule_for_name(qualified_name: str) -> Rule | None:
    if qualified_name.startswith(PATTERN_PREFIX):
        return RULES.get(qualified_name[len(PATTERN_PREFIX) :])
    for prefix, exact, rule_id in _NAME_RULES:
        if qualified_name == prefix or (not exact and qualified_name.startswith(prefix + ".")):
            return RULES[rule_id]
    return None


def rule_markdown(rule: Rule) -> str:
    return f"**{rule.title}** · needs a different construct in MindSpore\n\n{rule.note}\n\n" + (
        f"[MindSpore documentation]({rule.link})"
    )
