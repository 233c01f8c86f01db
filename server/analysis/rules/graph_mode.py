"""Python inside a network's `forward`/`construct` that MindSpore's graph compiler rejects.

Under `mindspore.jit` (or GRAPH_MODE) the body of `construct`, and every method of the
class it calls, is parsed into a static graph. Each rule below is a construct that made
MindSpore 2.10 fail to compile or run on CPU, measured with `tests/data/graph_mode/probe.py`
(the README there lists the error each one gives); a test re-runs those probes against the
installed mindspore. Pure functions on ast nodes: the analysis turns each issue into a
`pattern:graph-<rule>` reference. The rules (detection, text, link) are defined at the end of
this module; the fixtures are in `tests/fixtures/rules/graph-*/`.

Constructs that compile but behave differently from PyNative (writes to globals, `random`
calls frozen at compile time) are not flagged here: they are listed in that README.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from server.analysis.rules.base import GraphScan, Rule

ENTRY_METHODS = ("forward", "construct")

_BUILTIN_EXCEPTIONS = frozenset(
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)
# Attributes of a tensor that are Python constants in a graph (shape-driven code compiles).
_STATIC_ATTRIBUTES = frozenset({"shape", "ndim", "dtype", "training", "device"})
_STATIC_FUNCTIONS = frozenset({"len", "isinstance", "hasattr", "type"})
_CELL_CONTAINERS = frozenset({"ModuleList", "CellList", "Sequential", "SequentialCell"})
# Layers without parameters: several of them in a plain list do not clash on parameter names.
_PARAMETER_FREE = frozenset(
    """ReLU ReLU6 GELU SiLU Sigmoid Tanh Softmax LogSoftmax Softmin Softplus Softsign Mish ELU
    SELU CELU GLU LeakyReLU PReLU_ Hardswish Hardsigmoid Hardtanh Hardshrink Softshrink
    Tanhshrink LogSigmoid Threshold HSwish HSigmoid Dropout Dropout1d Dropout2d Dropout3d
    AlphaDropout Identity Flatten Unflatten MaxPool1d MaxPool2d MaxPool3d AvgPool1d AvgPool2d
    AvgPool3d AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveMaxPool1d
    AdaptiveMaxPool2d AdaptiveMaxPool3d Upsample UpsamplingNearest2d UpsamplingBilinear2d
    PixelShuffle PixelUnshuffle ZeroPad2d ConstantPad1d ConstantPad2d ConstantPad3d
    ReflectionPad1d ReflectionPad2d ReplicationPad1d ReplicationPad2d""".split()
)


@dataclass(frozen=True, slots=True)
class GraphIssue:
    rule: str
    node: ast.AST
    keyword_width: int | None = None  # mark only the leading keyword of a statement


def is_network_class(node: ast.ClassDef, is_torch_module_base: Callable[[ast.expr], bool]) -> bool:
    """An nn.Module (resolved by the analysis) or a MindSpore Cell (`nn.Cell`, `Cell`)."""
    for base in node.bases:
        if is_torch_module_base(base):
            return True
        last = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
        if last in ("Cell", "SequentialCell"):
            return True
    return False


def graph_mode_issues(
    cls: ast.ClassDef, makes_cell: Callable[[ast.expr], bool]
) -> list[GraphIssue]:
    """Issues in the methods of `cls` that graph mode compiles: the entry and what it calls.

    `makes_cell(expr)` says whether an expression constructs a layer (nn.Linear(...)).
    One pass over each method collects what the rules need; data flow (which names hold
    tensors) is worked out only for the rare methods whose rules depend on it.
    """
    methods: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {
        item.name: item
        for item in cls.body
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    scans = {name: _Scan(method) for name, method in methods.items()}
    issues = [
        GraphIssue("graph-cell-container", node.value)
        for scan in scans.values()
        for node in scan.self_assigns
        if _clashing_layers(node.value, makes_cell)
    ]
    entries = [name for name in ENTRY_METHODS if name in methods]
    if not entries:
        return issues
    containers = {
        target.attr
        for scan in scans.values()
        for node in scan.self_assigns
        if isinstance(node.value, ast.Call) and _last_name(node.value.func) in _CELL_CONTAINERS
        for target in _targets(node)
    }
    reachable = _reachable(scans, entries)
    needs_flow = any(scans[name].filtered or scans[name].recursive(name) for name in reachable)
    tainted = _tensor_parameters(methods, scans, entries) if needs_flow else {}
    for name in reachable:
        method, scan = methods[name], scans[name]
        if isinstance(method, ast.AsyncFunctionDef) and name in entries:
            issues.append(GraphIssue("graph-async", method, _KEYWORD_WIDTH["graph-async"]))
        issues.extend(scan.issues)
        issues.extend(
            GraphIssue("graph-reversed", call) for call, attr in scan.reversed if attr in containers
        )
        tensors = _tensor_names(scan, tainted.get(name, set())) if needs_flow else set()
        for comprehension in scan.comprehensions:
            issues.extend(_comprehension_issues(comprehension, tensors))
        if scan.recursive(name) and any(_is_tensor(test, tensors) for test in scan.tests):
            issues.extend(
                GraphIssue("graph-recursion", call)
                for call in scan.self_calls
                if call.func.attr == name  # type: ignore[union-attr]
            )
    return issues


# ---- one pass over a method ----

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_SKIP_FIELDS = frozenset({"ctx", "type_comment"})


class _Scan:
    """What the rules need from one method, collected in a single walk."""

    __slots__ = (
        "issues", "self_calls", "self_assigns", "reversed", "comprehensions", "filtered",
        "assigns", "loops", "tests",
    )  # fmt: skip

    def __init__(self, method: ast.AST) -> None:
        self.issues: list[GraphIssue] = []
        self.self_calls: list[ast.Call] = []
        self.self_assigns: list[ast.Assign | ast.AnnAssign] = []
        self.reversed: list[tuple[ast.Call, str]] = []
        self.comprehensions: list[ast.expr] = []
        self.filtered = False  # a comprehension with an `if`
        self.assigns: list[ast.Assign | ast.AugAssign] = []
        self.loops: list[ast.For | ast.comprehension] = []
        self.tests: list[ast.expr] = []
        stack = [child for child in _children(method)]
        while stack:
            node = stack.pop()
            kind = type(node)
            rule = _STATEMENT_RULES.get(kind)
            if rule is not None:
                self.issues.append(GraphIssue(rule, node, _KEYWORD_WIDTH.get(rule)))
                if kind is ast.ClassDef:
                    continue  # its methods are not part of the graph
            if kind is ast.Call:
                self._call(node)
            elif kind is ast.Raise:
                if node.exc is not None and not _builtin_exception(node.exc):
                    self.issues.append(GraphIssue("graph-raise", node))
            elif kind is ast.Assign or kind is ast.AnnAssign:
                if any(_on_self(t) for t in _targets(node)) and node.value is not None:
                    self.self_assigns.append(node)
                if kind is ast.Assign:
                    self.assigns.append(node)
            elif kind is ast.AugAssign:
                self.assigns.append(node)
            elif kind is ast.For or kind is ast.AsyncFor or kind is ast.comprehension:
                self.loops.append(node)
            elif kind is ast.If or kind is ast.While or kind is ast.IfExp:
                self.tests.append(node.test)
            if kind in _COMPREHENSIONS:
                self.comprehensions.append(node)
                self.filtered = self.filtered or any(g.ifs for g in node.generators)
            stack.extend(_children(node))

    def _call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            if isinstance(func.value, ast.Name) and func.value.id == "self":
                self.self_calls.append(node)
            if func.attr == "Parameter":
                self.issues.append(GraphIssue("graph-parameter", node))
        elif isinstance(func, ast.Name):
            if func.id == "Parameter":
                self.issues.append(GraphIssue("graph-parameter", node))
            elif func.id == "reversed" and len(node.args) == 1:
                arg = node.args[0]
                if isinstance(arg, ast.Attribute) and _on_self(arg):
                    self.reversed.append((node, arg.attr))

    def recursive(self, name: str) -> bool:
        return any(call.func.attr == name for call in self.self_calls)  # type: ignore[union-attr]


def _children(node: ast.AST) -> list[ast.AST]:
    """ast.iter_child_nodes without the generator overhead (the walk is on every keystroke)."""
    out: list[ast.AST] = []
    for name in node._fields:
        if name in _SKIP_FIELDS:
            continue
        value = getattr(node, name, None)
        if isinstance(value, list):
            out.extend(v for v in value if isinstance(v, ast.AST))
        elif isinstance(value, ast.AST):
            out.append(value)
    return out


def _targets(node: ast.Assign | ast.AnnAssign) -> list[ast.expr]:
    return node.targets if isinstance(node, ast.Assign) else [node.target]


def _on_self(target: ast.expr) -> bool:
    return isinstance(target, ast.Attribute) and getattr(target.value, "id", None) == "self"


# ---- which methods compile, and which of their names hold tensors ----


def _reachable(scans: dict[str, _Scan], entries: list[str]) -> list[str]:
    """The entries and the methods they call through `self.<name>(...)`, transitively."""
    seen = list(entries)
    index = 0
    while index < len(seen):
        for call in scans[seen[index]].self_calls:
            callee = call.func.attr  # type: ignore[union-attr]
            if callee in scans and callee not in seen:
                seen.append(callee)
        index += 1
    return seen


def _parameters(method: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    args = method.args
    return [a.arg for a in (*args.posonlyargs, *args.args)][1:]  # without self


def _tensor_parameters(
    methods: dict, scans: dict[str, _Scan], entries: list[str]
) -> dict[str, set[str]]:
    """Methods reachable from the entries -> their parameters that receive tensors.

    An entry's inputs are tensors; a helper's parameter is one when some call passes a
    tensor-valued argument in its place (iterated to a fixed point, so recursion settles).
    """
    tainted: dict[str, set[str]] = {}
    for name in entries:
        args = methods[name].args
        params = set(_parameters(methods[name])) | {a.arg for a in args.kwonlyargs}
        if args.vararg is not None:
            params.add(args.vararg.arg)
        tainted[name] = params
    changed = True
    for _ in range(20):
        if not changed:
            break
        changed = False
        for name in list(tainted):
            tensors = _tensor_names(scans[name], tainted[name])
            for call in scans[name].self_calls:
                callee = call.func.attr  # type: ignore[union-attr]
                if callee not in methods:
                    continue
                if callee not in tainted:
                    tainted[callee] = set()
                    changed = True
                hits = tainted[callee]
                before = len(hits)
                params = _parameters(methods[callee])
                for index, arg in enumerate(call.args):
                    if index < len(params) and _is_tensor(arg, tensors):
                        hits.add(params[index])
                for kw in call.keywords:
                    if kw.arg in params and _is_tensor(kw.value, tensors):
                        hits.add(kw.arg)
                changed = changed or len(hits) != before
    return tainted


def _tensor_names(scan: _Scan, seeds: set[str]) -> set[str]:
    """Names in the method that may hold tensors: seeds and what is computed from them."""
    names = set(seeds)
    for _ in range(3):  # flow-insensitive: a few passes settle loops and reassignments
        before = len(names)
        for node in scan.assigns:
            if _is_tensor(node.value, names):
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    names |= _bound(target)
        for loop in scan.loops:
            if _is_tensor(loop.iter, names):
                names |= _bound(loop.target)
        if len(names) == before:
            break
    return names


def _bound(target: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _is_tensor(node: ast.AST, tensors: set[str]) -> bool:
    """Whether the expression's value depends on a tensor's values (not just its shape)."""
    if not tensors:
        return False
    match node:
        case ast.Name(id=name):
            return name in tensors
        case ast.Attribute(attr=attr) if attr in _STATIC_ATTRIBUTES:
            return False
        case ast.Call(func=ast.Name(id=name)) if name in _STATIC_FUNCTIONS:
            return False
        case ast.Call(func=ast.Attribute(attr="size")):
            return False
        case ast.Lambda() | ast.Constant():
            return False
    return any(_is_tensor(child, tensors) for child in ast.iter_child_nodes(node))


# ---- the rules that need more than one node ----


def _comprehension_issues(node: ast.AST, tensors: set[str]) -> Iterator[GraphIssue]:
    targets: set[str] = set()
    inner = set(tensors)
    for generator in node.generators:  # type: ignore[attr-defined]
        targets |= _bound(generator.target)
        if _is_tensor(generator.iter, inner):
            inner |= _bound(generator.target)
        for condition in generator.ifs:
            if _is_tensor(condition, inner):
                yield GraphIssue("graph-tensor-filter", condition)
    for child in ast.walk(node):
        if isinstance(child, ast.Lambda):
            defaults = [*child.args.defaults, *(d for d in child.args.kw_defaults if d)]
            if any(_bound(default) & targets for default in defaults):
                yield GraphIssue("graph-lambda-default", child)


def _builtin_exception(exc: ast.expr) -> bool:
    target = exc.func if isinstance(exc, ast.Call) else exc
    return isinstance(target, ast.Name) and target.id in _BUILTIN_EXCEPTIONS


def _clashing_layers(value: ast.expr, makes_cell: Callable[[ast.expr], bool]) -> bool:
    """Two or more layers with parameters in a plain container (same parameter names)."""
    if isinstance(value, ast.ListComp | ast.GeneratorExp):
        return _has_parameters(value.elt, makes_cell)
    if isinstance(value, ast.DictComp):
        return _has_parameters(value.value, makes_cell)
    if isinstance(value, ast.List | ast.Tuple):
        elements = value.elts
    elif isinstance(value, ast.Dict):
        elements = value.values
    else:
        return False
    return sum(1 for e in elements if _has_parameters(e, makes_cell)) >= 2


def _has_parameters(node: ast.expr, makes_cell: Callable[[ast.expr], bool]) -> bool:
    if not isinstance(node, ast.Call) or _last_name(node.func) in _PARAMETER_FREE:
        return False
    return makes_cell(node) or _looks_like_mindspore_layer(node)


def _looks_like_mindspore_layer(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "nn"
        and func.attr[:1].isupper()
    )


def _last_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return getattr(func, "id", "")


# ---- the rules ----

GRAPH_DOCS = "https://www.mindspore.cn/tutorials/en/master/compile"


def _rule(
    rule_id: str,
    title: str,
    page: str,
    note: str,
    nodes: tuple[type[ast.AST], ...] = (),
    keyword_width: int | None = None,
) -> Rule:
    link = f"{GRAPH_DOCS}/{page}.html"
    detect = GraphScan(nodes, keyword_width)
    return Rule(rule_id, "graph_mode", title, note, link, detect, kind="graph_mode")


# Each was confirmed failing with MindSpore 2.10 on CPU (tests/data/graph_mode/README.md).
RULES = (
    _rule(
        "graph-try",
        "try statement",
        "statements",
        "Graph mode has no try/except/finally (\"Unsupported statement 'Try'\"). Check shapes or "
        "values before the operation instead of catching the error.",
        (ast.Try, ast.TryStar),
        3,
    ),
    _rule(
        "graph-with",
        "with statement",
        "statements",
        "Graph mode accepts `with` only on a mindspore.jit_class object. `with torch.no_grad()` "
        "becomes mindspore.ops.stop_gradient on the values that must not get gradients; drop other "
        "context managers from construct.",
        (ast.With, ast.AsyncWith),
        4,
    ),
    _rule(
        "graph-del",
        "del statement",
        "statements",
        "Graph mode has no `del` (\"Unsupported statement 'Delete'\"); drop it, the graph frees "
        "intermediate values itself.",
        (ast.Delete,),
        3,
    ),
    _rule(
        "graph-nonlocal",
        "nonlocal statement",
        "statements",
        "Graph mode has no `nonlocal`; let the nested function return the new value.",
        (ast.Nonlocal,),
        8,
    ),
    _rule(
        "graph-import",
        "import inside construct",
        "statements",
        "Graph mode cannot compile an import statement; import at module level.",
        (ast.Import, ast.ImportFrom),
    ),
    _rule(
        "graph-class",
        "class defined inside construct",
        "statements",
        "Graph mode cannot compile a class statement; define the class at module level.",
        (ast.ClassDef,),
        5,
    ),
    _rule(
        "graph-match",
        "match statement",
        "statements",
        "Graph mode has no match/case (\"Unsupported statement 'Match'\"); use if/elif.",
        (ast.Match,),
        5,
    ),
    _rule(
        "graph-raise",
        "raising a user-defined exception",
        "statements",
        "Graph mode raises only Python's built-in exception types (ValueError, TypeError, "
        "RuntimeError...); raise one of those with the same message.",
    ),
    _rule(
        "graph-async",
        "async construct",
        "static_graph",
        "construct cannot be a coroutine in graph mode; make it a plain `def`.",
        (),
        5,
    ),
    _rule(
        "graph-yield",
        "generator (yield) in the compiled code",
        "static_graph",
        "Graph mode cannot compile `yield` or `yield from`, also in helper methods construct "
        "calls; return a list or tuple instead.",
        (ast.Yield, ast.YieldFrom),
    ),
    _rule(
        "graph-walrus",
        "assignment expression (:=)",
        "static_graph",
        "Graph mode cannot compile `:=` (\"Unsupported expression 'NamedExpr'\"); assign first, "
        "then test.",
        (ast.NamedExpr,),
    ),
    _rule(
        "graph-set",
        "set literal or set comprehension",
        "static_graph",
        "Graph mode has no set type; use a tuple (for membership tests too).",
        (ast.Set, ast.SetComp),
    ),
    _rule(
        "graph-parameter",
        "Parameter created in construct",
        "static_graph",
        "A mindspore.Parameter cannot be created inside construct; create it in __init__ and "
        "update it with ops.assign.",
    ),
    _rule(
        "graph-reversed",
        "reversed() over a layer list",
        "static_graph",
        "reversed() on a CellList fails to compile; iterate over the slice `self.layers[::-1]`.",
    ),
    _rule(
        "graph-cell-container",
        "plain list, tuple or dict of layers",
        "static_graph",
        "Layers kept in a plain list/tuple/dict are not registered as sub-cells, and in graph "
        "mode their parameters clash by name (\"its name 'weight' already exists\"). Use "
        "nn.CellList / nn.CellDict (torch: nn.ModuleList / nn.ModuleDict).",
    ),
    _rule(
        "graph-recursion",
        "recursion on a tensor condition",
        "static_graph",
        "Graph mode unrolls recursion at compile time, so a stopping condition that depends on "
        "tensor values never ends (call depth limit 1000). Use a while loop on the condition.",
    ),
    _rule(
        "graph-lambda-default",
        "lambda default bound to a loop variable",
        "static_graph",
        "A lambda whose default captures a comprehension variable (`lambda t, k=k: ...`) fails to "
        "compile; call a method that takes the value as an argument.",
    ),
    _rule(
        "graph-tensor-filter",
        "comprehension filtered on tensor values",
        "static_graph",
        "A comprehension's `if` that depends on tensor values fails to compile (the list length "
        "would depend on data). Compute all elements and mask or select with ops instead.",
    ),
)

_STATEMENT_RULES: dict[type, str] = {node: rule.id for rule in RULES for node in rule.detect.nodes}
# rule id -> how many characters of the statement's first line the finding covers
_KEYWORD_WIDTH = {
    rule.id: rule.detect.keyword_width for rule in RULES if rule.detect.keyword_width is not None
}
