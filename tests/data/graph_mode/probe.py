"""Compile and run one graph-mode case; print one JSON line.

    python probe.py CASE [--mode jit|graph|strict]
        -> {"case": CASE, "bad": "ok" | "<ErrType>: <first line>", "good": ...}

Each variant runs in its own child process (``probe.py CASE bad|good``), because a failed
graph compilation can crash the interpreter or leave mindspore in a state that breaks the
next compilation. The cases are files (tests/rule_fixtures.py finds them): a failing case is
a graph-mode rule's ``flag.<case>.py`` (bad) and ``clean.<case>.py`` (good) in
tests/fixtures/rules/graph-*/; a silent case (bad compiles but diverges from PyNative, so its
"bad" is "ok") is ``silent/<case>.bad.py`` and ``.good.py`` here; a ``works/<case>.py`` case
reports only "good" (its one source).

Modes (all compile ``Net.construct`` to a static graph on CPU, none warns about deprecation):
    jit     mindspore.jit(net)(x), the 2.x way; unsupported syntax may fall back to Python (LAX)
    graph   mindspore.set_context(mode=mindspore.GRAPH_MODE); net(x)
    strict  mindspore.jit(net, fullgraph=True)(x): no Python fallback at all
"""

import argparse
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TIMEOUT_S = 120
MODES = ("jit", "graph", "strict")


def _fixtures():
    """tests/rule_fixtures.py, loaded by path: this script runs outside the test package."""
    spec = importlib.util.spec_from_file_location(
        "rule_fixtures", HERE.parents[1] / "rule_fixtures.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules["rule_fixtures"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _load_cases() -> tuple[dict[str, tuple[Path, Path]], dict[str, Path]]:
    """(failing and silent cases merged: name -> (bad, good) files, works: name -> file)."""
    fixtures = _fixtures()
    failing = {name: (case.bad, case.good) for name, case in fixtures.graph_cases().items()}
    return failing | fixtures.silent_cases(), fixtures.works_cases()


def _load_failing() -> set[str]:
    return set(_fixtures().graph_cases())


def _source(case: str, variant: str) -> str:
    cases, works = _load_cases()
    if case in cases:
        return cases[case][0 if variant == "bad" else 1].read_text()
    return works[case].read_text()


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    first = re.sub(r"0x[0-9a-fA-F]+", "0x?", lines[0])[:200] if lines else ""  # addresses vary
    return f"{type(exc).__name__}: {first}".rstrip(": ")


def run_variant(case: str, variant: str, mode: str) -> str:
    """Import the case's module from a real file (the graph parser needs the source) and run it."""
    import mindspore
    import numpy as np

    mindspore.set_device("CPU")
    if mode == "graph":
        mindspore.set_context(mode=mindspore.GRAPH_MODE)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"case_{case}_{variant}.py"
        path.write_text(_source(case, variant))
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[path.stem] = module
        try:
            spec.loader.exec_module(module)
            net = module.Net()
            if mode == "jit":
                net = mindspore.jit(net)
            elif mode == "strict":
                net = mindspore.jit(net, fullgraph=True)
            x = mindspore.Tensor(np.ones((2, 3), np.float32))
            out = net(x)
            for item in out if isinstance(out, tuple | list) else [out]:
                if isinstance(item, mindspore.Tensor):
                    item.asnumpy()  # force execution
        except Exception as exc:  # noqa: BLE001 - the failure is the finding
            return _first_line(exc)
    return "ok"


def run_in_child(case: str, variant: str, mode: str) -> str:
    cmd = [sys.executable, str(Path(__file__).resolve()), case, variant, "--mode", mode]
    # cwd: mindspore writes rank_0/om/analyze_fail.ir into the working directory on failure
    with tempfile.TemporaryDirectory() as tmp:
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S, cwd=tmp)
        except subprocess.TimeoutExpired:
            return f"Timeout: no result after {TIMEOUT_S}s"
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)["result"]
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return f"Crash: exit {proc.returncode}: {tail[:200]}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case")
    parser.add_argument("variant", nargs="?", choices=("bad", "good"))
    parser.add_argument("--mode", choices=MODES, default="jit")
    parser.add_argument(
        "--batch",
        action="store_true",
        help="run CASE's variant for every failing case in this one process (CASE is ignored); "
        "one JSON line per case",
    )
    args = parser.parse_args()
    if args.batch:
        cases, _ = _load_cases()
        for name in sorted(cases):
            if name in _load_failing():
                result = run_variant(name, args.variant or "bad", args.mode)
                print(json.dumps({"case": name, args.variant or "bad": result}), flush=True)
        return
    cases, works = _load_cases()
    if args.case not in cases and args.case not in works:
        sys.exit(f"unknown case {args.case!r}; known: {sorted(cases) + sorted(works)}")
    if args.variant:
        print(json.dumps({"result": run_variant(args.case, args.variant, args.mode)}))
        return
    result = {"case": args.case}
    variants = ("bad", "good") if args.case in cases else ("good",)
    for variant in variants:
        result[variant] = run_in_child(args.case, variant, args.mode)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
