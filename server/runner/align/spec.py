"""What a run is asked to do: the two models (`FILE::FACTORY`), inputs, device, tolerances,
stages, launcher. Parsing here raises SpecError (the command line's exit 2)."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from server.runner.workers import Launcher

DEVICES = ("CPU", "GPU", "Ascend")
STAGES = ("dataset", "forward", "backward", "training", "profile")
DTYPES = (
    "float16",
    "float32",
    "float64",
    "bfloat16",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "bool",
)
_INPUT = re.compile(r"\s*([a-z0-9]+)\s*\[([\d,\s]*)\]\s*")


class SpecError(ValueError):
    """Bad arguments; the message says which and how to write them."""


@dataclass(frozen=True, slots=True)
class ModelRef:
    file: Path
    factory: str

    def __str__(self) -> str:
        return f"{self.file}::{self.factory}"


def parse_model_ref(text: str, default_factory: str | None = None) -> ModelRef:
    path, sep, factory = text.rpartition("::")
    if not sep:
        path, factory = text, default_factory or ""
    if not factory:
        raise SpecError(f"{text!r}: write FILE::FACTORY (a function or class in FILE)")
    if not factory.isidentifier():
        raise SpecError(f"{text!r}: {factory!r} is not a Python name")
    file = Path(path).expanduser()
    if not file.is_file():
        raise SpecError(f"{text!r}: no such file: {file}")
    return ModelRef(file.resolve(), factory)


def parse_inputs(text: str) -> list[dict[str, object]]:
    """`float32[2,3,32,32]` or several separated by `;` (or spaces)."""
    items: list[dict[str, object]] = []
    rest = text.strip()
    while rest:
        match = _INPUT.match(rest)
        if match is None:
            raise SpecError(f"--inputs {text!r}: write DTYPE[D0,D1,...], e.g. float32[2,3,32,32]")
        dtype, dims = match.group(1), match.group(2)
        if dtype not in DTYPES:
            raise SpecError(f"--inputs: unknown dtype {dtype!r} ({', '.join(DTYPES)})")
        shape = [int(d) for d in dims.replace(" ", "").split(",") if d]
        items.append({"dtype": "float32" if dtype == "bfloat16" else dtype, "shape": shape})
        rest = rest[match.end() :].lstrip(";, ")
    if not items:
        raise SpecError("--inputs is empty")
    return items


@dataclass
class RunSpec:
    torch: ModelRef
    ms: ModelRef | None = None  # None: the in-memory conversion of the torch file
    device: str = "CPU"
    steps: int = 5
    rtol: float = 1e-4
    atol: float = 1e-4
    inputs: list[dict[str, object]] | None = None
    stages: tuple[str, ...] = ("forward", "backward", "training")
    python: str = field(default_factory=lambda: sys.executable)
    timeout: float = 300.0  # seconds per stage and side
    seed: int = 0
    threads: int = 1  # intra-op threads per framework (two workers run side by side)
    launcher: Launcher = field(default_factory=Launcher)
    repeat: int = 5  # profiling: measured runs after warm-up

    def check(self) -> None:
        if self.device not in DEVICES:
            raise SpecError(f"--device {self.device!r}: one of {', '.join(DEVICES)}")
        if self.steps < 0:
            raise SpecError("--steps must be 0 or more")
        if self.rtol < 0 or self.atol < 0:
            raise SpecError("--rtol and --atol must be 0 or more")
        if self.timeout <= 0:
            raise SpecError("--timeout must be more than 0")
        if self.repeat < 1:
            raise SpecError("--repeat must be 1 or more")
        unknown = [s for s in self.stages if s not in STAGES]
        if unknown:
            raise SpecError(f"unknown stage {unknown[0]!r} ({', '.join(STAGES)})")
        if self.launcher.kind != "local":
            raise SpecError(
                f"launcher {self.launcher.kind!r}: multi-process runs are designed "
                "(docs/alignment.md) but only the single-process launcher is built"
            )

    @property
    def user_root(self) -> Path:
        return self.torch.file.parent
