"""Torch calls to verify function-like mappings with: torch's OpInfo sample inputs first,
else arguments guessed from torch's signature (or its operator schema) by parameter name.

Samples with empty tensors are used only when an API has no other; samples with 0-d tensors
come last. Calls are ordered so that the first few vary the most: positional and keyword
forms, parameters passed, their values.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from mapping_db.model import Entry, Target
from server.runner.verify.compare import compare

# APIs whose values are random (or uninitialised): compared on shape and dtype only.
RANDOM_NAMES = frozenset({
    "rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like", "normal",
    "bernoulli", "multinomial", "poisson", "dropout", "dropout1d", "dropout2d", "dropout3d",
    "alpha_dropout", "feature_alpha_dropout", "rrelu", "rrelu_", "uniform_", "normal_",
    "exponential_", "geometric_", "cauchy_", "log_normal_", "random_", "bernoulli_",
    "gumbel_softmax", "empty", "empty_like", "empty_strided", "new_empty", "new_empty_strided",
    "fractional_max_pool2d", "fractional_max_pool3d", "binomial", "standard_gamma",
})  # fmt: skip


_MAX_SAMPLES_PER_OPINFO = 24


# Keywords OpInfo adds to factory samples for its own test harness, not found in user code.
_HARNESS_KEYWORDS = frozenset({"device", "requires_grad"})


_MAX_CANDIDATES = 48


def warm_up() -> None:
    """Load torch's OpInfo database now (seconds), so that per-item timeouts do not pay it."""
    _opinfo_index()


def short_name(entry: Entry) -> str:
    """The name as OpInfo spells it: "flatten", "nn.functional.relu", "linalg.norm"."""
    return entry.torch_api.removeprefix("torch.Tensor.").removeprefix("torch.")


def is_attribute(entry: Entry) -> bool:
    """torch.Tensor.T, .H, .shape...: a property in torch, read without a call."""
    import torch

    if not entry.is_tensor_method:
        return False
    return inspect.isdatadescriptor(getattr(torch.Tensor, entry.torch_api.rsplit(".", 1)[1], None))


def is_random(entry: Entry) -> bool:
    return entry.torch_api.rsplit(".", 1)[-1] in RANDOM_NAMES


@dataclass(eq=False)
class TorchCall:
    """One torch call: positional and keyword arguments, and for methods the receiver."""

    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    receiver: Any = None
    origin: str = ""  # "opinfo sum" or "signature"
    features: frozenset[str] = field(default_factory=frozenset)

    def label(self) -> str:
        """Short description for reasons: "args (T[5,5], 1), dim=1"."""
        parts = [_describe(v) for v in self.args]
        parts += [f"{k}={_describe(v)}" for k, v in self.kwargs.items()]
        text = ", ".join(parts)
        return text if len(text) <= 80 else text[:77] + "..."

    def run(self, func: Callable[..., Any]) -> Any:
        return func(*self.args, **self.kwargs)


def _describe(value: Any) -> str:
    import torch

    if isinstance(value, torch.Tensor):
        dtype = str(value.dtype).removeprefix("torch.")
        shape = ",".join(map(str, value.shape))
        return f"{dtype}[{shape}]"
    if isinstance(value, tuple | list) and any(isinstance(v, torch.Tensor) for v in value):
        return "[" + ", ".join(_describe(v) for v in value) + "]"
    text = repr(value)
    return text if len(text) <= 24 else text[:21] + "..."


@cache
def _opinfo_index() -> dict[str, list[Any]]:
    """OpInfo name (and alias) -> OpInfos, the plain variant first."""
    from torch.testing._internal.common_methods_invocations import op_db

    index: dict[str, list[Any]] = {}
    for op in op_db:
        names = [op.name] + [alias.name for alias in getattr(op, "aliases", ())]
        for name in names:
            index.setdefault(name, []).append(op)
    for ops in index.values():
        ops.sort(key=lambda op: op.variant_test_name != "")
    return index


def _pick_dtype(op: Any) -> Any:
    import torch

    supported = op.supported_dtypes("cpu")
    for dtype in (torch.float32, torch.int64, torch.bool, torch.complex64, torch.float64):
        if dtype in supported:
            return dtype
    return None


class _CallCaptured(Exception):
    pass


def _captured_call(op: Any, sample: Any, api: Callable[..., Any]) -> tuple[tuple, dict] | None:
    """How an OpInfo whose `op` wraps the API (torch.where, einsum, embedding...) calls it:
    run the wrapper under a torch function mode and stop at the API's call."""
    from torch.overrides import TorchFunctionMode

    seen: list[tuple[tuple, dict]] = []

    class Capture(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):  # type: ignore[override]
            if func is api:
                seen.append((tuple(args), dict(kwargs or {})))
                raise _CallCaptured
            return func(*args, **(kwargs or {}))

    try:
        with Capture():
            op.op(sample.input, *sample.args, **sample.kwargs)
    except _CallCaptured:
        pass
    except Exception:
        return None
    return seen[0] if seen else None


def _opinfo_calls(entry: Entry, method: bool) -> Iterator[TorchCall]:
    import torch

    api = None if method else resolve_torch(entry)
    name = short_name(entry)
    lookup = name[:-1] if method and name.endswith("_") and not name.endswith("__") else name
    index = _opinfo_index()
    if lookup not in index and "." not in lookup and f"nn.functional.{lookup}" in index:
        # torch.max_pool2d, torch.dropout...: the functional's samples are inputs to try;
        # the call runs on the torch API itself, so whatever torch accepts is a valid case.
        lookup = f"nn.functional.{lookup}"
    for op in index.get(lookup, []):
        dtype = _pick_dtype(op)
        if dtype is None:
            continue
        torch.manual_seed(0)
        try:
            samples = op.sample_inputs("cpu", dtype)
            for count, sample in enumerate(samples):
                if count >= _MAX_SAMPLES_PER_OPINFO:
                    break
                kwargs = {k: v for k, v in sample.kwargs.items() if k not in _HARNESS_KEYWORDS}
                origin = f"opinfo {op.name}" + (
                    f".{op.variant_test_name}" if op.variant_test_name else ""
                )
                if method:
                    if not isinstance(sample.input, torch.Tensor):
                        continue
                    yield TorchCall(tuple(sample.args), kwargs, sample.input, origin)
                elif op.op is api or lookup != op.name or lookup != name:  # API, alias, twin
                    yield TorchCall((sample.input, *sample.args), kwargs, None, origin)
                else:
                    captured = _captured_call(op, sample, api)  # type: ignore[arg-type]
                    if captured is not None:
                        args, kwargs = captured
                        kwargs = {k: v for k, v in kwargs.items() if k not in _HARNESS_KEYWORDS}
                        yield TorchCall(args, kwargs, None, origin + " (wrapped)")
        except Exception:  # an OpInfo's generator failing is torch's business: skip it
            continue


def torch_parameter_names(entry: Entry, target: Target) -> tuple[str, ...]:
    """Names of torch's parameters after the input (or receiver), in order: the longer of
    the signature torch exposes and the data's own order (what the quick fix uses)."""
    found = [_after_input(entry, tuple(_signature_names(entry)))]
    found.append(_after_input(entry, target.torch_params))
    return max(found, key=len)


def _after_input(entry: Entry, names: tuple[str, ...]) -> tuple[str, ...]:
    if entry.is_tensor_method:
        return names[1:] if names[:1] in (("input",), ("self",)) else names
    return names[1:]


def _signature_names(entry: Entry) -> list[str]:
    signature = _torch_signature(entry)
    if signature is None:
        return []
    return [
        p.name
        for p in signature.parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]


def _torch_signature(entry: Entry) -> inspect.Signature | None:
    from torch.overrides import get_testing_overrides

    func = resolve_torch(entry)
    if func is None:
        return None
    try:
        return inspect.signature(func)
    except (TypeError, ValueError):
        pass
    lam = get_testing_overrides().get(func)
    if lam is None:
        return None
    try:
        return inspect.signature(lam)
    except (TypeError, ValueError):
        return None


def _keyword_form(call: TorchCall, entry: Entry, names: tuple[str, ...]) -> TorchCall | None:
    """The same call with every argument after the input passed by keyword."""
    first = 0 if entry.is_tensor_method else 1
    extra = call.args[first:]
    if not extra or len(extra) > len(names):
        return None
    kwargs = dict(call.kwargs)
    for name, value in zip(names, extra, strict=False):
        if name in kwargs or name.startswith("*"):
            return None
        kwargs[name] = value
    return TorchCall(call.args[:first], kwargs, call.receiver, call.origin + " (keywords)")


def _same_in_torch(entry: Entry, call: TorchCall, keyword: TorchCall) -> bool:
    """A keyword form is kept only when torch accepts it and returns the same result: the
    parameter names we guessed then belong to this overload."""
    try:
        first = torch_runner(entry, _copied(call))()
        second = torch_runner(entry, _copied(keyword))()
        return compare(first, second, rtol=0.0, atol=0.0).ok
    except Exception:
        return False


def _copied(call: TorchCall) -> TorchCall:
    """The call on cloned tensors (in-place methods must not change the sample)."""
    import torch

    def clone(value: Any) -> Any:
        if isinstance(value, torch.Tensor):
            return value.clone()
        if type(value) in (tuple, list):
            return type(value)(clone(v) for v in value)
        return value

    return TorchCall(
        clone(call.args), {k: clone(v) for k, v in call.kwargs.items()}, clone(call.receiver)
    )


def _with_features(call: TorchCall, names: tuple[str, ...]) -> TorchCall:
    import torch

    first = 0 if call.receiver is not None else 1
    features = {f"positional={len(call.args) - first}"}
    for index in range(first, len(call.args)):
        slot = index - first
        features.add(f"pos:{names[slot]}" if slot < len(names) else f"pos:{slot}")
    for key, value in call.kwargs.items():
        features.add(f"kw:{key}")
        features.add(f"kw:{key}={_describe(value)}")
    tensors = [v for v in (call.receiver, *call.args) if isinstance(v, torch.Tensor)]
    if tensors:
        features.add(f"ndim={tensors[0].ndim}")
    call.features = frozenset(features)
    return call


def _size(call: TorchCall) -> int:
    import torch

    total = 0
    for value in (call.receiver, *call.args, *call.kwargs.values()):
        if isinstance(value, torch.Tensor):
            total += value.numel()
    return total


def order_for_variety(calls: list[TorchCall]) -> list[TorchCall]:
    """Greedy: each next call adds the most features not seen yet (keyword forms, positional
    counts, parameter values); ties go to the smaller input."""
    remaining = list(calls)
    seen: set[str] = set()
    ordered: list[TorchCall] = []
    while remaining:
        position = max(
            range(len(remaining)),
            key=lambda i: (
                not _has_scalar_tensor(remaining[i]),
                len(remaining[i].features - seen),
                -_size(remaining[i]),
            ),
        )
        best = remaining.pop(position)
        ordered.append(best)
        seen |= best.features
    return ordered


# Heuristic values by parameter name, for APIs no OpInfo covers.
_SHAPE = (4, 4)


def _heuristic_value(name: str, type_text: str = "") -> Any:
    import torch

    lowered = name.lower()
    if type_text in ("List[int]", "Optional[List[int]]") and lowered not in ("dim", "dims"):
        return (3, 4)
    if type_text == "int" and lowered not in ("dim", "axis", "start_dim", "end_dim"):
        return 4
    if type_text in ("float", "number", "Scalar"):
        return 0.5 if lowered not in ("end",) else 3.0
    if type_text == "bool":
        return True
    if lowered in ("dim", "axis", "start_dim"):
        return 1
    if lowered == "end_dim":
        return -1
    if lowered in ("dims", "axes"):
        return (0, 1)
    if lowered in ("keepdim", "keepdims"):
        return True
    if lowered in ("shape", "size", "sizes"):
        return (2, 8)
    if lowered in ("dtype",):
        return torch.float64
    if lowered in ("p", "exponent"):
        return 2.0
    if lowered in ("alpha", "beta", "value", "scalar", "min", "max", "lambd", "negative_slope"):
        return 0.5
    if lowered in ("index", "indices"):
        return torch.zeros(_SHAPE, dtype=torch.int64)
    if lowered == "mask":
        return torch.rand(_SHAPE) > 0.5
    if lowered in ("n", "k", "num_samples", "diagonal", "offset", "repeats", "chunks", "sections"):
        return 2
    if lowered in ("seed",):
        return 0
    return torch.randn(_SHAPE)  # input, other, tensor, x, y, mat, weight, ...


def _signature_calls(entry: Entry) -> Iterator[TorchCall]:
    """Calls guessed from torch's signature: required parameters filled by name, then each
    optional dim/keepdim-like parameter added once."""
    import torch

    torch.manual_seed(0)
    if is_attribute(entry):
        yield TorchCall((), {}, torch.randn(_SHAPE), "attribute")
        return
    signature = _torch_signature(entry) or _schema_signature(entry)
    if signature is None:
        return
    params = list(signature.parameters.values())
    receiver = None
    if entry.is_tensor_method:
        if not params:
            return
        params = params[1:]
        receiver = torch.randn(_SHAPE)
    required = [
        p
        for p in params
        if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    args = tuple(_heuristic_value(p.name, _annotation(p)) for p in required)
    yield TorchCall(args, {}, receiver, "signature")
    optional = [p for p in params if p.default is not p.empty and p.kind != p.VAR_KEYWORD]
    for p in optional:
        if p.name in ("out", "dtype", "layout", "device", "pin_memory", "requires_grad",
                      "memory_format", "generator", "names"):  # fmt: skip
            continue
        value = _heuristic_value(p.name, _annotation(p))
        if isinstance(value, torch.Tensor):
            continue
        yield TorchCall(args, {p.name: value}, receiver, "signature")


def _annotation(parameter: inspect.Parameter) -> str:
    annotation = parameter.annotation
    return annotation if isinstance(annotation, str) else ""


def _schema_signature(entry: Entry) -> inspect.Signature | None:
    """A signature from torch's operator schema (builtins such as torch.hann_window that
    neither inspect nor torch.overrides describe); types kept as annotation strings."""
    import torch

    name = entry.torch_api.rsplit(".", 1)[1]
    for namespace in ("fft", "linalg", "special"):  # torch.fft.fftfreq is aten::fft_fftfreq
        if entry.torch_api.startswith(f"torch.{namespace}."):
            name = f"{namespace}_{name}"
    try:
        schemas = torch._C._jit_get_schemas_for_operator(f"aten::{name}")
    except RuntimeError:
        return None
    for schema in schemas:
        if schema.overload_name.endswith("out") or schema.overload_name == "generator":
            continue
        params = []
        for argument in schema.arguments:
            kind = (
                inspect.Parameter.KEYWORD_ONLY
                if argument.kwarg_only
                else inspect.Parameter.POSITIONAL_OR_KEYWORD
            )
            default = None if argument.has_default_value() else inspect.Parameter.empty
            params.append(
                inspect.Parameter(
                    argument.name, kind, default=default, annotation=str(argument.type)
                )
            )
        try:
            return inspect.Signature(params)
        except ValueError:
            continue
    return None


def candidate_calls(entry: Entry, target: Target) -> list[TorchCall]:
    """Torch calls to try, most varied first (float32 inputs where the op takes them)."""
    names = torch_parameter_names(entry, target)
    random = is_random(entry)
    calls: list[TorchCall] = []
    for call in _opinfo_calls(entry, entry.is_tensor_method):
        calls.append(call)
        keyword = _keyword_form(call, entry, names)
        if keyword is not None and not random and _same_in_torch(entry, call, keyword):
            calls.append(keyword)
        if len(calls) >= _MAX_CANDIDATES:
            break
    if not calls:
        calls = list(_signature_calls(entry))
    # Empty tensors are an edge case: used only when no sample has data.
    with_data = [c for c in calls if not _has_empty_tensor(c)]
    ordered = order_for_variety([_with_features(c, names) for c in with_data or calls])
    if random:
        return ordered
    return _with_defaults_case(entry, ordered)


def _with_defaults_case(entry: Entry, calls: list[TorchCall]) -> list[TorchCall]:
    """Put a call that leaves every optional argument to its default second in line.

    OpInfo samples mostly pass optional arguments explicitly, so a default that differs
    between torch and MindSpore (avg_pool2d's stride: kernel_size vs 1) would go unseen;
    the quick fix must write such defaults out, and this case checks that it does."""
    for call in calls[:8]:
        minimal = _minimal_form(entry, call)
        if minimal is not None:
            rest = [c for c in calls if c is not call]
            return [*rest[:1], minimal, *rest[1:]] if rest else [minimal]
    return calls


def _minimal_form(entry: Entry, call: TorchCall) -> TorchCall | None:
    """`call` with its keywords dropped and then its trailing positional arguments, as long
    as torch still accepts it; None when nothing could be dropped."""
    first = 0 if entry.is_tensor_method else 1
    if not call.kwargs and len(call.args) <= first:
        return None
    best: TorchCall | None = None
    for keep in range(len(call.args), first - 1, -1):
        candidate = TorchCall(call.args[:keep], {}, call.receiver, call.origin + " (defaults)")
        if keep == len(call.args) and not call.kwargs:
            continue  # nothing dropped yet
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # softmax(x) without dim: deprecated, not a form
                torch_runner(entry, _copied(candidate))()
        except Exception:
            break  # a required argument went: the previous form is the shortest torch takes
        best = candidate
    if best is None:
        return None
    best.features = frozenset({"form:defaults"})
    return best


def _has_scalar_tensor(call: TorchCall) -> bool:
    """0-d tensors are a corner case where MindSpore often differs: tried last."""
    import torch

    values = (call.receiver, *call.args, *call.kwargs.values())
    return any(isinstance(v, torch.Tensor) and v.ndim == 0 for v in values)


def _has_empty_tensor(call: TorchCall) -> bool:
    import torch

    def empty(value: Any) -> bool:
        if isinstance(value, torch.Tensor):
            return value.numel() == 0
        if isinstance(value, tuple | list):
            return any(empty(v) for v in value)
        return False

    return any(empty(v) for v in (call.receiver, *call.args, *call.kwargs.values()))


def resolve_torch(entry: Entry) -> Callable[..., Any] | None:
    import importlib

    import torch

    if entry.is_tensor_method:
        return getattr(torch.Tensor, entry.torch_api.rsplit(".", 1)[1], None)
    module_name, _, attribute = entry.torch_api.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, attribute, None)


def torch_runner(entry: Entry, call: TorchCall) -> Callable[[], Any]:
    if entry.is_tensor_method:
        name = entry.torch_api.rsplit(".", 1)[1]
        if is_attribute(entry):
            return lambda: getattr(call.receiver, name)
        method = getattr(call.receiver, name)
        return lambda: call.run(method)
    func = resolve_torch(entry)
    assert func is not None
    return lambda: call.run(func)
