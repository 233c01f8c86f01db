"""The public torch APIs the database must cover, listed from the installed torch.

Rules, per namespace (every rule skips names with a leading underscore):

- ``torch``: the callables torch itself declares public in ``torch.__all__`` or in
  ``torch.functional.__all__`` (Python-level ops it re-exports: ``unique``, ``lu``): functions,
  builtins (in-place twins such as ``abs_`` included) and classes (``Generator``, ``Size``,
  TorchScript types, legacy typed tensors and storages). Submodules, dtypes, layouts,
  memory formats and constants are not callables and are left out; so are the deprecated or
  removed names torch keeps outside ``__all__`` (``torch.eig``, ``torch.lstsq``, ...).
- ``torch.Tensor``: callable attributes of ``torch.Tensor`` (methods, in-place methods);
  data descriptors (``shape``, ``grad``, ``T``) are attributes, not callables.
- ``torch.nn``: classes exported by ``torch.nn`` (the Module subclasses, and the Parameter
  and Buffer types).
- ``torch.nn.functional``: its functions and builtins, except typing names and the
  ``__torch_function__`` plumbing it re-exports (``handle_torch_function``, ...).
- ``torch.linalg``, ``torch.fft``, ``torch.special``: their functions and builtins (this
  keeps ``fft.hfft2`` and friends, which ``torch.fft.__all__`` omits, and drops re-exported
  ``Tensor``).
- ``torch.optim``: ``__all__`` without its submodules (``lr_scheduler``, ``swa_utils``).
- ``torch.optim.lr_scheduler``: ``__all__``.
- ``torch.nn.init``: ``__all__`` without the deprecated spellings that lack the trailing
  underscore (``normal`` for ``normal_``): torch warns that they are deprecated.
- ``torch.utils.data``: ``__all__``.

    python -m mapping_db.importers.torch_inventory
"""

from __future__ import annotations

import importlib
import inspect
import sys
import types
from collections.abc import Callable, Iterable
from functools import cache

NAMESPACES = (
    "torch",
    "torch.Tensor",
    "torch.nn",
    "torch.nn.functional",
    "torch.linalg",
    "torch.fft",
    "torch.special",
    "torch.optim",
    "torch.optim.lr_scheduler",
    "torch.nn.init",
    "torch.utils.data",
)

_FUNCTION_TYPES = (types.FunctionType, types.BuiltinFunctionType)
# What torch.nn.functional imports for its own use, not API.
_PLUMBING_MODULES = ("typing", "torch.overrides", "torch._jit_internal")


def _public(names: Iterable[str]) -> list[str]:
    return [n for n in names if not n.startswith("_")]


def _is_function(obj: object) -> bool:
    return isinstance(obj, _FUNCTION_TYPES)


def _select(module: object, names: Iterable[str], keep: Callable[[object], bool]) -> list[str]:
    return [n for n in _public(names) if hasattr(module, n) and keep(getattr(module, n))]


def _top_level(torch: types.ModuleType) -> list[str]:
    def keep(obj: object) -> bool:
        return _is_function(obj) or inspect.isclass(obj)

    return _select(torch, [*torch.__all__, *torch.functional.__all__], keep)


def _tensor(torch: types.ModuleType) -> list[str]:
    return _select(torch.Tensor, dir(torch.Tensor), callable)


def _nn(torch: types.ModuleType) -> list[str]:
    return _select(torch.nn, dir(torch.nn), inspect.isclass)


def _functional(torch: types.ModuleType) -> list[str]:
    functional = torch.nn.functional

    def keep(obj: object) -> bool:
        if not callable(obj) or inspect.isclass(obj) or isinstance(obj, types.ModuleType):
            return False
        module = getattr(obj, "__module__", None) or ""
        return not module.startswith(_PLUMBING_MODULES)

    return _select(functional, dir(functional), keep)


def _functions_of(name: str) -> Callable[[types.ModuleType], list[str]]:
    def rule(torch: types.ModuleType) -> list[str]:
        module = importlib.import_module(name)
        return _select(module, dir(module), _is_function)

    return rule


def _optim(torch: types.ModuleType) -> list[str]:
    optim = torch.optim
    return _select(optim, optim.__all__, lambda obj: not isinstance(obj, types.ModuleType))


def _all_of(name: str) -> Callable[[types.ModuleType], list[str]]:
    def rule(torch: types.ModuleType) -> list[str]:
        module = importlib.import_module(name)
        return _select(module, module.__all__, callable)

    return rule


def _init(torch: types.ModuleType) -> list[str]:
    names = set(torch.nn.init.__all__)
    return [n for n in _all_of("torch.nn.init")(torch) if f"{n}_" not in names]


_RULES: dict[str, Callable[[types.ModuleType], list[str]]] = {
    "torch": _top_level,
    "torch.Tensor": _tensor,
    "torch.nn": _nn,
    "torch.nn.functional": _functional,
    "torch.linalg": _functions_of("torch.linalg"),
    "torch.fft": _functions_of("torch.fft"),
    "torch.special": _functions_of("torch.special"),
    "torch.optim": _optim,
    "torch.optim.lr_scheduler": _all_of("torch.optim.lr_scheduler"),
    "torch.nn.init": _init,
    "torch.utils.data": _all_of("torch.utils.data"),
}


@cache
def public_apis() -> dict[str, list[str]]:
    """Namespace -> sorted fully qualified names of its public APIs, in NAMESPACES order."""
    import torch

    return {
        namespace: sorted({f"{namespace}.{name}" for name in _RULES[namespace](torch)})
        for namespace in NAMESPACES
    }


def all_names() -> list[str]:
    return sorted({name for names in public_apis().values() for name in names})


def main() -> int:
    import torch

    apis = public_apis()
    print(f"torch {torch.__version__}")
    for namespace, names in apis.items():
        print(f"{namespace}: {len(names)}")
    print(f"total: {len(all_names())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
