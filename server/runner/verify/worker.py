"""A verification worker: `python -m server.runner.verify.worker --device CPU`.

It imports torch and mindspore once, prints one ready line with the versions, then reads work
items as JSON lines on stdin,

    {"torch_api": "torch.flatten", "target": "mindspore.ops.flatten", "max_cases": 5}

and answers each with one JSON line holding TargetResult's fields (plus "torch_api" and
"target"). Only those lines go to stdout: whatever torch or mindspore print (warnings, C++
logs) is sent to stderr, by moving file descriptor 1 to stderr at start and writing results
to a saved copy of the original stdout.

Test hook: the environment variable MINDPORT_VERIFY_FAULTS, e.g.
`torch.abs=hang,torch.neg=crash`, makes the worker sleep forever (hang) or abort (crash) when
it receives an item for that torch API. The runner's timeout and crash handling are tested
with it; it has no other use.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from dataclasses import asdict
from typing import Any, TextIO

from mapping_db.model import Entry, Target
from mapping_db.store import MappingDB, load_database
from mapping_db.verification import TargetResult
from server.runner.verify.names import resolve
from server.runner.verify.no_generator import no_generator_reason
from server.runner.verify.workarounds import WORKAROUND, verify_workaround

FAULTS_VARIABLE = "MINDPORT_VERIFY_FAULTS"


def _claim_stdout() -> TextIO:
    """A private stream on the real stdout; fd 1 (and sys.stdout) now go to stderr."""
    saved = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(saved, "w", buffering=1, encoding="utf-8")


def _faults() -> dict[str, str]:
    spec = os.environ.get(FAULTS_VARIABLE, "")
    pairs = (item.split("=", 1) for item in spec.split(",") if "=" in item)
    return {name.strip(): action.strip() for name, action in pairs}


def _inject_fault(action: str) -> None:
    if action == "hang":
        while True:
            time.sleep(3600)
    if action == "crash":
        os.abort()


def _verifiers() -> list[Any]:
    """Case generators in order: module-like APIs first (if that module exists), functions."""
    from server.runner.verify import dtypes

    found: list[Any] = [dtypes]
    for name in ("modules", "modules_methods", "modules_distributions"):
        try:
            found.append(importlib.import_module(f"server.runner.verify.{name}"))
        except ImportError:
            pass
    from server.runner.verify import functions

    found.append(functions)
    return found


def verify_item(db: MappingDB, item: dict[str, Any], verifiers: list[Any]) -> TargetResult:
    import mindspore

    entry = db.get(item["torch_api"])
    if entry is None:
        return TargetResult("untested", reason="not in the mapping database")
    if item["target"] == WORKAROUND:
        return verify_workaround(entry, int(item.get("max_cases", 5)))
    target = _find_target(entry, item["target"])
    if target is None:
        return TargetResult("untested", reason="no such target in the mapping database")
    if resolve(target.api) is None:
        version = ".".join(mindspore.__version__.split(".")[:2])
        return TargetResult("error", reason=f"not in mindspore {version}")
    max_cases = int(item.get("max_cases", 5))
    for verifier in verifiers:
        if not verifier.handles(entry):
            continue
        try:
            return verifier.verify(entry, target, max_cases)
        except Exception as exc:  # a bug in our case generator: say so, do not blame MindSpore
            first = str(exc).splitlines()[0] if str(exc) else ""
            return TargetResult(
                "untested", reason=f"verifier failed: {type(exc).__name__}: {first}"[:200]
            )
    return TargetResult("untested", reason=no_generator_reason(entry.torch_api))


def _find_target(entry: Entry, api: str) -> Target | None:
    return next((t for t in entry.targets if t.api == api), None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="CPU", choices=["CPU", "GPU", "Ascend"])
    args = parser.parse_args(argv)
    out = _claim_stdout()
    import mindspore
    import torch

    mindspore.set_device(args.device)
    torch.set_num_threads(1)
    db = load_database()
    verifiers = _verifiers()
    for verifier in verifiers:
        if hasattr(verifier, "warm_up"):
            verifier.warm_up()
    faults = _faults()
    ready = {
        "ready": True,
        "mindspore": mindspore.__version__,
        "torch": torch.__version__.split("+")[0],
        "python": sys.version.split()[0],
    }
    out.write(json.dumps(ready) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        item = json.loads(line)
        if item["torch_api"] in faults:
            _inject_fault(faults[item["torch_api"]])
        result = verify_item(db, item, verifiers)
        answer = {"torch_api": item["torch_api"], "target": item["target"], **asdict(result)}
        out.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
