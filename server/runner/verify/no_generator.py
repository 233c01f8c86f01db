"""Why an entry that no case generator handles stays untested: one line for hovers and
`mindport db show`, naming what is missing (a generator, a package, files, processes).

Only the reason is chosen here; whether a package imports is checked where the worker runs
(it has torch loaded), so the line says what this machine lacks, not what a list assumes.
"""

from __future__ import annotations

import importlib
from functools import cache

# Namespace prefix -> what running these needs and no generator here provides.
_NEEDS: tuple[tuple[str, str], ...] = (
    ("torch.distributed.", "collectives need a process group of several processes on both "
     "sides (torch.distributed and mindspore.communication): no case generator runs them"),
    ("torch.distributions.", "no case generator for distributions yet (building the same "
     "distribution on both sides and comparing log_prob, mean, entropy)"),
    ("torch.nn.Module.", "no case generator for module methods yet (the same model built on "
     "both sides, the method's effect compared)"),
    ("torch.utils.checkpoint.", "activation checkpointing changes memory, not values: no "
     "case generator compares it"),
    ("torch.nn.utils.", "no case generator for torch.nn.utils yet (they act on a model's "
     "parameters and gradients)"),
)  # fmt: skip

# Names whose objects have no value to compare on CPU.
_NOTHING_TO_COMPARE = {
    "torch.Event": "device events: nothing to compare on CPU",
    "torch.Stream": "device streams: nothing to compare on CPU",
    "torch.Generator": "a random generator object: its draws are not comparable across libraries",
    "torch.__version__": "a version string: the two libraries' versions are not comparable",
    "torch.UntypedStorage": "raw storage: no value to compare",
    "torch.Node": "an autograd graph node: no value to compare",
    "torch.TensorType": "a type object: no value to compare",
    "torch.Type": "a type object: no value to compare",
    "torch.dtype": "the dtype class itself: each dtype (torch.float32...) is verified alone",
}

# Third-party torch packages the mapping covers, and why they may not import beside torch.
_PACKAGES = ("torchvision", "torchaudio", "torchtext")


@cache
def _import_problem(package: str) -> str | None:
    """None when `package` imports here, else the first line of why not."""
    try:
        importlib.import_module(package)
    except Exception as exc:  # ImportError, or RuntimeError from a wheel built for CUDA
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return f"{type(exc).__name__}: {first}"[:120]
    return None


def no_generator_reason(torch_api: str) -> str:
    """The reason recorded for an entry no verifier handles."""
    if torch_api in _NOTHING_TO_COMPARE:
        return _NOTHING_TO_COMPARE[torch_api]
    package = torch_api.split(".", 1)[0]
    if package in _PACKAGES:
        problem = _import_problem(package)
        if problem is not None:
            return f"{package} does not import beside this torch ({problem}): nothing to run"
        if ".datasets." in torch_api:
            return "a dataset reader: it needs the dataset's files on disk; none are here"
        return f"no case generator for {package} yet"
    for prefix, need in _NEEDS:
        if torch_api.startswith(prefix):
            return need
    namespace = torch_api.rsplit(".", 1)[0]
    return f"no case generator for {namespace} yet"
