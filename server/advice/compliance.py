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

# Python that MindSpore's graph compiler rejects inside construct (and the methods it calls);
# the analysis finds them (server.analysis.graph_mode) and reports them only in graph mode.
# Each was confirmed failing with MindSpore 2.10 on CPU (tests/data/graph_mode/README.md).
GRAPH_DOCS = "https://www.mindspore.cn/tutorials/en/master/compile"
_GRAPH_RULES: tuple[tuple[str, str, str, str], ...] = (
    (
        "graph-try",
        "try statement",
        "statements",
        "Graph mode has no try/except/finally (\"Unsupported statement 'Try'\"). Check shapes or "
        "values before the operation instead of catching the error.",
    ),
    (
        "graph-with",
        "with statement",
        "statements",
        "Graph mode accepts `with` only on a mindspore.jit_class object. `with torch.no_grad()` "
        "becomes mindspore.ops.stop_gradient on the values that must not get gradients; drop other "
        "context managers from construct.",
    ),
    (
        "graph-del",
        "del statement",
        "statements",
        "Graph mode has no `del` (\"Unsupported statement 'Delete'\"); drop it, the graph frees "
        "intermediate values itself.",
    ),
    (
        "graph-nonlocal",
        "nonlocal statement",
        "statements",
        "Graph mode has no `nonlocal`; let the nested function return the new value.",
    ),
    (
        "graph-import",
        "import inside construct",
        "statements",
        "Graph mode cannot compile an import statement; import at module level.",
    ),
    (
        "graph-class",
        "class defined inside construct",
        "statements",
        "Graph mode cannot compile a class statement; define the class at module level.",
    ),
    (
        "graph-match",
        "match statement",
        "statements",
        "Graph mode has no match/case (\"Unsupported statement 'Match'\"); use if/elif.",
    ),
    (
        "graph-raise",
        "raising a user-defined exception",
        "statements",
        "Graph mode raises only Python's built-in exception types (ValueError, TypeError, "
        "RuntimeError...); raise one of those with the same message.",
    ),
    (
        "graph-async",
        "async construct",
        "static_graph",
        "construct cannot be a coroutine in graph mode; make it a plain `def`.",
    ),
    (
        "graph-yield",
        "generator (yield) in the compiled code",
        "static_graph",
        "Graph mode cannot compile `yield` or `yield from`, also in helper methods construct "
        "calls; return a list or tuple instead.",
    ),
    (
        "graph-walrus",
        "assignment expression (:=)",
        "static_graph",
        "Graph mode cannot compile `:=` (\"Unsupported expression 'NamedExpr'\"); assign first, "
        "then test.",
    ),
    (
        "graph-set",
        "set literal or set comprehension",
        "static_graph",
        "Graph mode has no set type; use a tuple (for membership tests too).",
    ),
    (
        "graph-parameter",
        "Parameter created in construct",
        "static_graph",
        "A mindspore.Parameter cannot be created inside construct; create it in __init__ and "
        "update it with ops.assign.",
    ),
    (
        "graph-reversed",
        "reversed() over a layer list",
        "static_graph",
        "reversed() on a CellList fails to compile; iterate over the slice `self.layers[::-1]`.",
    ),
    (
        "graph-cell-container",
        "plain list, tuple or dict of layers",
        "static_graph",
        "Layers kept in a plain list/tuple/dict are not registered as sub-cells, and in graph "
        "mode their parameters clash by name (\"its name 'weight' already exists\"). Use "
        "nn.CellList / nn.CellDict (torch: nn.ModuleList / nn.ModuleDict).",
    ),
    (
        "graph-recursion",
        "recursion on a tensor condition",
        "static_graph",
        "Graph mode unrolls recursion at compile time, so a stopping condition that depends on "
        "tensor values never ends (call depth limit 1000). Use a while loop on the condition.",
    ),
    (
        "graph-lambda-default",
        "lambda default bound to a loop variable",
        "static_graph",
        "A lambda whose default captures a comprehension variable (`lambda t, k=k: ...`) fails to "
        "compile; call a method that takes the value as an argument.",
    ),
    (
        "graph-tensor-filter",
        "comprehension filtered on tensor values",
        "static_graph",
        "A comprehension's `if` that depends on tensor values fails to compile (the list length "
        "would depend on data). Compute all elements and mask or select with ops instead.",
    ),
)
for _id, _title, _page, _note in _GRAPH_RULES:
    RULES[_id] = Rule(_id, _title, _note, f"{GRAPH_DOCS}/{_page}.html", kind="graph_mode")

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


def reported_in(qualified_name: str, mode: str) -> bool:
    """Graph-mode findings count only when the configured execution mode is graph."""
    return mode == "graph" or not qualified_name.startswith(PATTERN_PREFIX + "graph-")


def rule_for_name(qualified_name: str) -> Rule | None:
    if qualified_name.startswith(PATTERN_PREFIX):
        return RULES.get(qualified_name[len(PATTERN_PREFIX) :])
    for prefix, exact, rule_id in _NAME_RULES:
        if qualified_name == prefix or (not exact and qualified_name.startswith(prefix + ".")):
            return RULES[rule_id]
    return None


def rule_markdown(rule: Rule) -> str:
    why = "needs a different construct in MindSpore"
    if rule.kind == "graph_mode":
        why = "graph mode (mindspore.jit) does not compile this"
    return f"**{rule.title}** · {why}\n\n{rule.note}\n\n[MindSpore documentation]({rule.link})"
