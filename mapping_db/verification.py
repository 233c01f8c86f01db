"""Verification results: which mapping targets were run and found equal to torch, and where.

`mindport db verify` runs each mapped entry's targets in torch and mindspore on the same inputs
and writes one results file per (device, MindSpore version, torch version) into
`mapping_db/data/verified/`, e.g. `cpu-mindspore2.10.0-torch2.13.0.json`:

    {
      "format": 1,
      "device": "CPU", "mindspore": "2.10.0", "torch": "2.13.0", "python": "3.11.9",
      "created": "2026-11-28T18:00:00Z",
      "results": {
        "torch.flatten": {
          "mindspore.ops.flatten": {"status": "equal", "cases": 5, "passed": 5,
                                    "max_abs_error": 0.0, "reason": ""},
          "mindspore.mint.flatten": {...}
        },
        ...
      }
    }

Statuses (one per target):
    equal      every case ran on both sides and matched (allclose, same shape and dtype kind)
    mismatch   it ran, and some case's output differs (reason: which case and how)
    error      mindspore raised on a case torch accepted (reason: the exception's first line)
    timeout    a case did not finish in time
    crash      the worker process died (segfault, abort)
    untested   no inputs could be built for it (reason says why)

This module only reads and writes those files; the runner is server.runner.verify.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

# The pseudo-target under which a no-equivalent entry's workaround formula is recorded.
WORKAROUND = "workaround"

VERIFIED_DIR = Path(__file__).resolve().parent / "data" / "verified"
FORMAT = 1

Outcome = Literal["equal", "mismatch", "error", "timeout", "crash", "untested"]
OUTCOMES: tuple[str, ...] = ("equal", "mismatch", "error", "timeout", "crash", "untested")


@dataclass(frozen=True, slots=True)
class TargetResult:
    status: Outcome
    cases: int = 0  # cases that ran on both sides
    passed: int = 0
    max_abs_error: float | None = None
    reason: str = ""
    # Cases whose values agreed but whose integer dtype differed in width (int32 for int64).
    dtype_only: int = 0
    # One line per case that ran, in order: "equal", or "<status>: <case>: <how>"; hovers use
    # them to say which inputs differ ("equal except case 5 (float32[])").
    case_verdicts: tuple[str, ...] = ()

    @property
    def works(self) -> bool:
        return self.status == "equal"

    @property
    def blocks_fix(self) -> bool:
        """Never worked (no case passed), or took the process down: a quick fix must not
        write it. A target that passed some cases and raised or differed on others is
        offered with that case named."""
        if self.status in ("equal", "untested"):
            return False
        return self.status in ("crash", "timeout") or self.passed + self.dtype_only == 0

    @property
    def partial(self) -> bool:
        return self.status in ("error", "mismatch") and self.passed + self.dtype_only > 0

    def differing_cases(self) -> list[str]:
        """The verdicts of the cases that were not equal."""
        return [v for v in self.case_verdicts if v != "equal"]

    def summary(self) -> str:
        """One line for hovers: '5/5 cases, max abs error 3e-07' or the failure."""
        if self.status == "equal":
            err = "" if self.max_abs_error is None else f", max abs error {self.max_abs_error:.1g}"
            return f"{self.passed}/{self.cases} cases{err}"
        detail = f": {self.reason}" if self.reason else ""
        return f"{self.status}{detail}"


@dataclass
class Verification:
    device: str
    mindspore: str
    torch: str
    python: str = ""
    created: str = ""
    results: dict[str, dict[str, TargetResult]] = field(default_factory=dict)

    def get(self, torch_api: str, target_api: str) -> TargetResult | None:
        return self.results.get(torch_api, {}).get(target_api)

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "device": self.device,
            "mindspore": self.mindspore,
            "torch": self.torch,
            "python": self.python,
            "created": self.created,
            "results": {
                api: {target: asdict(result) for target, result in sorted(targets.items())}
                for api, targets in sorted(self.results.items())
            },
        }
        return json.dumps(data, indent=1, sort_keys=False) + "\n"


def results_file_name(device: str, mindspore: str, torch: str) -> str:
    torch = torch.split("+")[0]
    return f"{device.lower()}-mindspore{mindspore}-torch{torch}.json"


def parse(text: str) -> Verification:
    data = json.loads(text)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not a verification results file of format {FORMAT}")
    results = {
        api: {target: _result(raw) for target, raw in targets.items()}
        for api, targets in data.get("results", {}).items()
    }
    return Verification(
        device=data["device"],
        mindspore=data["mindspore"],
        torch=data["torch"],
        python=data.get("python", ""),
        created=data.get("created", ""),
        results=results,
    )


_RESULT_FIELDS = {"status", "cases", "passed", "max_abs_error", "reason", "dtype_only"}


def _result(raw: dict) -> TargetResult:
    verdicts = raw.get("case_verdicts") or ()
    fields = {k: v for k, v in raw.items() if k in _RESULT_FIELDS}
    return TargetResult(**fields, case_verdicts=tuple(str(v) for v in verdicts))


def write(verification: Verification, directory: Path = VERIFIED_DIR) -> Path:
    """Write atomically (a killed run never leaves a half-written file)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / results_file_name(
        verification.device, verification.mindspore, verification.torch
    )
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(verification.to_json(), encoding="utf-8")
    tmp.replace(path)
    return path


def read(path: Path) -> Verification:
    return parse(path.read_text(encoding="utf-8"))


def _version_key(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split("+")[0].split("."):
        if not piece.isdigit():
            break
        parts.append(int(piece))
    return tuple(parts)


def same_release(recorded: str, installed: str) -> bool:
    """'2.13.0' and '2.13.0+cpu', '2.10' and '2.10.0' are the same release."""
    a, b = _version_key(recorded), _version_key(installed)
    width = max(len(a), len(b), 3)
    return a + (0,) * (width - len(a)) == b + (0,) * (width - len(b))


def results_for(
    device: str, mindspore: str | None = None, directory: Path = VERIFIED_DIR
) -> Verification | None:
    """The results for `device`: those for the given MindSpore release (e.g. "2.10") when
    there are any, else the newest MindSpore release's."""
    device = device.lower()
    if not directory.is_dir():
        return None
    found: list[Verification] = []
    for path in sorted(directory.glob(f"{device}-mindspore*-torch*.json")):
        try:
            found.append(read(path))
        except (OSError, ValueError, KeyError, TypeError):
            continue
    if not found:
        return None
    wanted = _version_key(mindspore or "")
    matching = [v for v in found if _version_key(v.mindspore)[: len(wanted)] == wanted]
    pool = matching if wanted and matching else found
    return max(pool, key=lambda v: (_version_key(v.mindspore), _version_key(v.torch)))
