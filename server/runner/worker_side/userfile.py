"""The user's model file: load it, call its factory and helpers, and find the line that defines
each layer (the `self.conv2 = ...` assignment)."""

import ast
import importlib.util
import inspect
import os
import sys

from .protocol import UserError

HELPERS = (
    "example_inputs",
    "example_targets",
    "loss_fn",
    "make_optimizer",
    "make_scheduler",
    "make_dataset",
)


def load_module(path, extra_paths=()):
    path = os.path.abspath(path)
    if not os.path.isfile(path):
        raise UserError(f"no such file: {path}")
    # the user's own imports (siblings, their packages): the file's folder first
    for folder in [os.path.dirname(path), *extra_paths][::-1]:
        if folder in sys.path:
            sys.path.remove(folder)
        sys.path.insert(0, folder)
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UserError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def call_factory(module, name, path):
    factory = getattr(module, name, None)
    if factory is None:
        raise UserError(f"{path} has no {name!r}")
    if not callable(factory):
        raise UserError(f"{path}::{name} is not a function or class")
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):
        signature = None
    if signature is not None:
        required = [
            p.name
            for p in signature.parameters.values()
            if p.default is p.empty
            and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            and not (inspect.isclass(factory) and p.name == "self")
        ]
        if required:
            raise UserError(
                f"{path}::{name} needs arguments ({', '.join(required)}); "
                "give a function or class that needs none"
            )
    return factory()


def helpers(module):
    return {name: callable(getattr(module, name, None)) for name in HELPERS}


def definition_line(obj):
    """(file, line) where a function or class is defined; (None, None) when unknown."""
    try:
        return inspect.getsourcefile(obj), inspect.getsourcelines(obj)[1]
    except (OSError, TypeError):
        return None, None


class Definitions:
    """Module path -> (file, line, col) of the statement that defines the layer, in user code.

    A layer is defined where its parent's class assigns `self.<name> = ...`; a layer with no
    such line (a Sequential's numbered child) takes its parent's."""

    def __init__(self, *user_roots):
        self.roots = tuple(os.path.abspath(r) + os.sep for r in user_roots if r)
        self._trees = {}
        self._assignments = {}

    def _user_file(self, path):
        return path is not None and os.path.abspath(path).startswith(self.roots)

    def _class_assignments(self, cls):
        if cls in self._assignments:
            return self._assignments[cls]
        found = {}
        file, line = definition_line(cls)
        if self._user_file(file):
            tree = self._trees.get(file)
            if tree is None:
                try:
                    with open(file, encoding="utf-8") as handle:
                        tree = ast.parse(handle.read())
                except (OSError, SyntaxError, ValueError):
                    tree = ast.Module(body=[], type_ignores=[])
                self._trees[file] = tree
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name == cls.__name__:
                    if line is not None and node.lineno != line and not node.decorator_list:
                        continue
                    for target in sorted(_self_targets(node), key=lambda t: t.lineno):
                        found.setdefault(target.attr, (file, target.lineno, target.col_offset))
        self._assignments[cls] = found
        return found

    def lines(self, named, root_site):
        """`named`: [(path, module)] parents first; `root_site`: (file, line) of the factory."""
        modules = dict(named)
        sites = {}
        for path, module in named:
            if path == "":
                file, line = definition_line(type(module))
                sites[path] = (file, line, 0) if self._user_file(file) else (*root_site, 0)
                continue
            parent_path, _, attr = path.rpartition(".")
            parent = modules.get(parent_path)
            site = None
            if parent is not None:
                for cls in type(parent).__mro__:
                    site = self._class_assignments(cls).get(attr)
                    if site is not None:
                        break
            sites[path] = site or sites.get(parent_path) or (*root_site, 0)
        return sites


def _self_targets(class_node):
    for node in ast.walk(class_node):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        for target in targets:
            for item in target.elts if isinstance(target, ast.Tuple) else [target]:
                if (
                    isinstance(item, ast.Attribute)
                    and isinstance(item.value, ast.Name)
                    and item.value.id == "self"
                ):
                    yield item
