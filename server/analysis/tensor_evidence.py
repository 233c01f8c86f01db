"""Facts about which torch calls and Tensor methods give back a Tensor.

Kept as data: the analysis asks "is this expression a tensor?" to decide whether `y.view(...)`
is torch.Tensor.view or some other object's `view`.
"""

from __future__ import annotations

import re

# Namespaces whose lowercase callables return tensors (with the exceptions below).
_TENSOR_NAMESPACES = (
    "torch",
    "torch.nn.functional",
    "torch.linalg",
    "torch.fft",
    "torch.special",
)

# Lowercase torch callables that do not return a Tensor.
_NOT_TENSOR_CALLS = frozenset(
    {
        "torch.device",
        "torch.dtype",
        "torch.no_grad",
        "torch.enable_grad",
        "torch.inference_mode",
        "torch.set_grad_enabled",
        "torch.manual_seed",
        "torch.seed",
        "torch.initial_seed",
        "torch.is_tensor",
        "torch.is_floating_point",
        "torch.is_complex",
        "torch.is_grad_enabled",
        "torch.numel",
        "torch.save",
        "torch.load",
        "torch.compile",
        "torch.set_default_dtype",
        "torch.get_default_dtype",
        "torch.set_num_threads",
        "torch.get_num_threads",
        "torch.use_deterministic_algorithms",
        "torch.autocast",
        "torch.typename",
    }
)

# Tensor methods whose result is not a Tensor.
NON_TENSOR_METHODS = frozenset(
    {
        "size",
        "dim",
        "ndimension",
        "numel",
        "nelement",
        "element_size",
        "item",
        "tolist",
        "numpy",
        "is_contiguous",
        "is_floating_point",
        "is_complex",
        "is_cuda",
        "data_ptr",
        "get_device",
        "stride",
        "storage",
        "untyped_storage",
        "storage_offset",
        "backward",
        "register_hook",
        "equal",
        "__len__",
        "dim_order",
        "is_set_to",
        "is_shared",
        "is_pinned",
        "type",
    }
)

# Attributes of a tensor that are tensors themselves (values/indices: torch.max & co. results).
TENSOR_ATTRIBUTES = frozenset(
    {"T", "mT", "H", "mH", "data", "grad", "real", "imag", "values", "indices"}
)

# Attributes of an nn.Module that are tensors (parameters and buffers of the common layers).
MODULE_TENSOR_ATTRIBUTES = frozenset(
    {"weight", "bias", "running_mean", "running_var", "in_proj_weight", "in_proj_bias"}
)

# Tensor methods and torch functions that return a tuple/list of tensors.
_SEQUENCE_METHODS = frozenset({"split", "chunk", "unbind", "tensor_split", "hsplit", "vsplit"})
_SEQUENCE_CALLS = frozenset(
    {
        "torch.split",
        "torch.chunk",
        "torch.unbind",
        "torch.tensor_split",
        "torch.meshgrid",
        "torch.broadcast_tensors",
        "torch.hsplit",
        "torch.vsplit",
        "torch.autograd.grad",
    }
)
_TENSOR_CONSTRUCTORS = frozenset(
    {
        "torch.Tensor",
        "torch.nn.Parameter",
        "torch.nn.parameter.Parameter",
        "torch.nn.utils.clip_grad_norm_",
    }
)


def returns_tensor_from_torch_call(qualified: str) -> bool:
    if qualified in _SEQUENCE_CALLS:
        return False
    namespace, _, name = qualified.rpartition(".")
    if namespace not in _TENSOR_NAMESPACES or not name or not name[0].islower():
        return qualified in _TENSOR_CONSTRUCTORS
    if namespace == "torch" and name in ("cuda", "backends", "jit", "distributed", "utils"):
        return False
    return qualified not in _NOT_TENSOR_CALLS


def returns_tensor_from_method(method: str) -> bool:
    return method not in NON_TENSOR_METHODS and method not in _SEQUENCE_METHODS


def returns_tensors_from_method(method: str) -> bool:
    return method in _SEQUENCE_METHODS


def returns_tensors_from_torch_call(qualified: str) -> bool:
    return qualified in _SEQUENCE_CALLS


# Parameter names whose meaning is a convention in training code: a DataLoader, a loss module.
_LOADER_NAMES = re.compile(r"^(\w+_)?(data)?loader$")
_CRITERION_NAMES = frozenset({"criterion", "crit", "loss_fn", "loss_func", "loss_module"})


def kind_from_parameter_name(name: str) -> str | None:
    """What an unannotated parameter holds when its name is an unambiguous convention."""
    if _LOADER_NAMES.match(name):
        return "loader"
    if name in _CRITERION_NAMES:
        return "module"
    return None
