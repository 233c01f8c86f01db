"""Where a torch file makes models: each `nn.Module` subclass and each function that returns one,
that can be called with no arguments (what `FILE::FACTORY` can name). Pure: reads source text,
runs nothing."""

from __future__ import annotations

import ast
from dataclasses import dataclass

MODULE_BASE = "torch.nn.Module"


@dataclass(frozen=True, slots=True)
class Factory:
    name: str
    kind: str  # "class" | "function"
    line: int  # 0-based line of the `class`/`def` keyword (after decorators)
    col: int
    callable_without_arguments: bool


def _aliases(tree: ast.Module) -> dict[str, str]:
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.expr, aliases: dict[str, str]) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    head = aliases.get(node.id, node.id)
    return ".".join([head, *reversed(parts)])


def _is_torch_layer(dotted: str | None) -> bool:
    """torch.nn.Module or a torch.nn class (Sequential, Conv2d, ...)."""
    if not dotted or not dotted.startswith("torch.nn."):
        return False
    last = dotted.rsplit(".", 1)[-1]
    return dotted == MODULE_BASE or (last[:1].isupper() and ".functional." not in dotted)


def _no_required(args: ast.arguments, skip_first: bool) -> bool:
    positional = args.posonlyargs + args.args
    if skip_first:
        positional = positional[1:]
    required_positional = len(positional) - len(args.defaults)
    required_keywords = sum(1 for d in args.kw_defaults if d is None)
    return required_positional <= 0 and required_keywords == 0


def _init_takes_no_arguments(node: ast.ClassDef) -> bool:
    for item in node.body:
        if isinstance(item, ast.FunctionDef) and item.name == "__init__":
            return _no_required(item.args, skip_first=True)
    return True


def module_factories(source: str) -> list[Factory]:
    """Module classes and functions returning one, in source order; [] when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    aliases = _aliases(tree)
    classes: dict[str, ast.ClassDef] = {}
    changed = True
    while changed:  # a class deriving from a module class of this file is one too
        changed = False
        for node in tree.body:
            if not isinstance(node, ast.ClassDef) or node.name in classes:
                continue
            for base in node.bases:
                dotted = _dotted(base, aliases)
                if _is_torch_layer(dotted) or (isinstance(base, ast.Name) and base.id in classes):
                    classes[node.name] = node
                    changed = True
                    break

    def makes_module(expr: ast.expr | None) -> bool:
        if expr is None:
            return False
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return expr.value in classes
        if isinstance(expr, ast.Name) and expr.id in classes:
            return True
        return _is_torch_layer(_dotted(expr, aliases))

    found: list[Factory] = []
    for node in tree.body:
        if node.name in classes if isinstance(node, ast.ClassDef) else False:
            found.append(
                Factory(
                    node.name,
                    "class",
                    node.lineno - 1,
                    node.col_offset,
                    _init_takes_no_arguments(node),
                )
            )
        elif isinstance(node, ast.FunctionDef):
            returns = makes_module(node.returns)
            if not returns:
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Return) and isinstance(inner.value, ast.Call):
                        if makes_module(inner.value.func):
                            returns = True
                            break
            if returns:
                found.append(
                    Factory(
                        node.name,
                        "function",
                        node.lineno - 1,
                        node.col_offset,
                        _no_required(node.args, skip_first=False),
                    )
                )
    return found
