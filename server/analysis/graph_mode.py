"""Python inside a network's `forward`/`construct` that MindSpore's graph compiler rejects.

Under `mindspore.jit` (or GRAPH_MODE) the body of `construct`, and every method of the
class it calls, is parsed into a static graph. Each rule below is a construct that made
MindSpore 2.10 fail to compile or run on CPU, measured with `tests/data/graph_mode/probe.py`
(the README there lists the error each one gives); a test re-runs those probes against the
installed mindspore. Pure functions on ast nodes: the analysis turns each issue into a
`pattern:graph-<rule>` reference and server.advice.compliance explains it.

Constructs that compile but behave differently from PyNative (writes to globals, `random`
calls frozen at compile time) are not flagged here: they are listed in that README.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Iterator
from dataclasses import dataclass

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

# rule id -> how many characters of the statement's first line the finding covers
_KEYWORD_WIDTH = {
    "graph-try": 3,
    "graph-with": 4,
    "graph-del": 3,
    "graph-match": 5,
    "graph-class": 5,
    "graph-nonlocal": 8,
}


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
    """
    methods: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {
        item.name: item
        for item in cls.body
        if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    issues: list[GraphIssue] = list(_cell_containers(methods.values(), makes_cell))
    entries = [name for name in ENTRY_METHODS if name in methods]
    if not entries:
        return issues
    tainted_params = _tensor_parameters(methods, entries)
    for name in tainted_params:
        method = methods[name]
        if isinstance(method, ast.AsyncFunctionDef):
            issues.append(GraphIssue("graph-async", method, 5))
        tensors = _tensor_names(method, tainted_params[name])
        issues.extend(_body_issues(method, tensors, _container_attributes(methods.values())))
        if _recurses_on_tensor(method, tensors):
            issues.extend(
                GraphIssue("graph-recursion", call) for call in _self_calls(method, {name})
            )
    return issues


# ---- which methods compile, and which of their names hold tensors ----


def _self_calls(method: ast.AST, names: set[str] | dict) -> Iterator[ast.Call]:
    for node in ast.walk(method):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "self"
            and node.func.attr in names
        ):
            yield node


def _parameters(method: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    args = method.args
    return [a.arg for a in (*args.posonlyargs, *args.args)][1:]  # without self


def _tensor_parameters(methods: dict, entries: list[str]) -> dict[str, set[str]]:
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
            tensors = _tensor_names(methods[name], tainted[name])
            for call in _self_calls(methods[name], methods):
                callee = call.func.attr  # type: ignore[union-attr]
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


def _tensor_names(method: ast.AST, seeds: set[str]) -> set[str]:
    """Names in `method` that may hold tensors: seeds and what is computed from them."""
    names = set(seeds)
    for _ in range(3):  # flow-insensitive: a few passes settle loops and reassignments
        before = len(names)
        for node in ast.walk(method):
            match node:
                case ast.Assign(targets=targets, value=value) if _is_tensor(value, names):
                    for target in targets:
                        names |= _bound(target)
                case ast.AugAssign(target=ast.Name(id=name), value=value) if _is_tensor(
                    value, names
                ):
                    names.add(name)
                case (
                    ast.For(target=target, iter=iterable)
                    | ast.comprehension(target=target, iter=iterable)
                ) if _is_tensor(iterable, names):
                    names |= _bound(target)
        if len(names) == before:
            break
    return names


def _bound(target: ast.expr) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def _is_tensor(node: ast.AST, tensors: set[str]) -> bool:
    """Whether the expression's value depends on a tensor's values (not just its shape)."""
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


# ---- the rules ----


def _body_issues(method: ast.AST, tensors: set[str], containers: set[str]) -> Iterator[GraphIssue]:
    stack: list[ast.AST] = list(ast.iter_child_nodes(method))
    while stack:
        node = stack.pop()
        rule = _statement_rule(node) or _expression_rule(node, tensors, containers)
        if rule is not None:
            yield GraphIssue(rule, node, _KEYWORD_WIDTH.get(rule))
        if isinstance(node, ast.ClassDef):
            continue  # reported as a whole; its methods are not part of the graph
        if isinstance(node, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
            yield from _comprehension_issues(node, tensors)
        stack.extend(ast.iter_child_nodes(node))


def _statement_rule(node: ast.AST) -> str | None:
    match node:
        case ast.Try() | ast.TryStar():
            return "graph-try"
        case ast.With() | ast.AsyncWith():
            return "graph-with"
        case ast.Delete():
            return "graph-del"
        case ast.Nonlocal():
            return "graph-nonlocal"
        case ast.Import() | ast.ImportFrom():
            return "graph-import"
        case ast.ClassDef():
            return "graph-class"
        case ast.Match():
            return "graph-match"
        case ast.Raise(exc=exc) if exc is not None and not _builtin_exception(exc):
            return "graph-raise"
    return None


def _expression_rule(node: ast.AST, tensors: set[str], containers: set[str]) -> str | None:
    match node:
        case ast.Yield() | ast.YieldFrom():
            return "graph-yield"
        case ast.NamedExpr():
            return "graph-walrus"
        case ast.Set() | ast.SetComp():
            return "graph-set"
        case ast.Call(func=func) if _last_name(func) == "Parameter":
            return "graph-parameter"
        case ast.Call(
            func=ast.Name(id="reversed"),
            args=[ast.Attribute(value=ast.Name(id="self"), attr=attr)],
        ) if attr in containers:
            return "graph-reversed"
    return None


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


def _recurses_on_tensor(method: ast.FunctionDef | ast.AsyncFunctionDef, tensors: set[str]) -> bool:
    """A method calling itself where the stopping condition depends on tensor values."""
    if not any(True for _ in _self_calls(method, {method.name})):
        return False
    tests = (n.test for n in ast.walk(method) if isinstance(n, ast.If | ast.While | ast.IfExp))
    return any(_is_tensor(test, tensors) for test in tests)


def _cell_containers(methods, makes_cell: Callable[[ast.expr], bool]) -> Iterator[GraphIssue]:
    """`self.x = [nn.Linear(...), nn.Linear(...)]`: a plain list, tuple or dict of layers."""
    for method in methods:
        for node in ast.walk(method):
            if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            on_self = any(
                isinstance(t, ast.Attribute) and getattr(t.value, "id", None) == "self"
                for t in targets
            )
            if on_self and _clashing_layers(node.value, makes_cell):
                yield GraphIssue("graph-cell-container", node.value)


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


def _container_attributes(methods) -> set[str]:
    """`self.<name>` attributes assigned a layer container (ModuleList, CellList...)."""
    found = set()
    for method in methods:
        for node in ast.walk(method):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
                if _last_name(node.value.func) in _CELL_CONTAINERS:
                    for target in node.targets:
                        if isinstance(target, ast.Attribute):
                            found.add(target.attr)
    return found


def _last_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return getattr(func, "id", "")
