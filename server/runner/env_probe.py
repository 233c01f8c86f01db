"""Probe one part of an interpreter's environment; print ONE JSON object on stdout.

    <python> /abs/path/server/runner/env_probe.py --part interpreter|torch|mindspore --device CPU

`server.doctor` runs each part in its own process, so a framework that hangs or segfaults on
import cannot take the other's result with it.

Why it is run by file path and not with `-m server.runner.env_probe`: `-m` puts the current
folder first on sys.path, so a user's own `server/` package would shadow ours, and the user's
interpreter may not have mindport installed at all. `-I` would fix the first but also drop
PYTHONPATH and user site-packages, which is where some people's torch or mindspore lives.
Run by path, the script needs nothing but the standard library, and it removes its own folder
from sys.path so no sibling file can shadow `torch`, `mindspore` or `numpy`.

It must run on whatever Python the user points us at, so it keeps to syntax that Python 3.7
accepts and imports only the standard library at module level.

Progress goes to stderr as `mindport-probe-step: <step>` lines: when a probe hangs or crashes,
the doctor reads the last one to say where.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys

STEP_MARK = "mindport-probe-step:"
DEVICES = ("CPU", "GPU", "Ascend")


def _drop_own_folder_from_path() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]


def step(name: str) -> None:
    print(STEP_MARK + " " + name, file=sys.stderr, flush=True)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:500]
    return ""


def error_info(exc: BaseException) -> dict:
    """Type and first line of an exception, plus the first lines of what it was raised from.

    NumPy's "compiled using NumPy 1.x" banner is the context of mindspore's ImportError, so
    the chain is where the useful words are.
    """
    chain = []
    seen = {id(exc)}
    inner = exc.__cause__ or exc.__context__
    while inner is not None and id(inner) not in seen and len(chain) < 4:
        seen.add(id(inner))
        chain.append(type(inner).__name__ + ": " + _first_line(str(inner)))
        inner = inner.__cause__ or inner.__context__
    return {"type": type(exc).__name__, "message": _first_line(str(exc)), "chain": chain}


def dist_version(name: str) -> str | None:
    try:
        from importlib import metadata
    except ImportError:  # Python 3.7: no importlib.metadata
        return None
    try:
        return metadata.version(name)
    except Exception:
        return None


def _run_op(op, expected: list) -> dict:
    """Run a tiny op; it counts as working only if it also gives the right numbers."""
    try:
        value = [float(v) for v in op()]
    except BaseException as exc:
        return {"ok": False, "error": error_info(exc)}
    if value != expected:
        message = f"expected {expected!r}, got {value!r}"
        return {"ok": False, "error": {"type": "WrongResult", "message": message, "chain": []}}
    return {"ok": True, "error": None}


def probe_interpreter(device: str) -> dict:
    names = ("torch", "mindspore", "numpy", "torch-npu")
    return {
        "python_version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "prefix": sys.prefix,
        "platform": platform.platform(),
        "installed": {name: dist_version(name) for name in names},
    }


def probe_torch(device: str) -> dict:
    result: dict = {"installed_version": dist_version("torch")}
    step("import torch")
    try:
        import torch
    except BaseException as exc:
        result["import_error"] = error_info(exc)
        return result
    result["version"] = str(torch.__version__)
    result["cuda_build"] = getattr(torch.version, "cuda", None)
    step("torch op on cpu")
    result["cpu_op"] = _run_op(lambda: (torch.ones(2) + 1).tolist(), [2.0, 2.0])
    # The runner exchanges tensors as .npz, so torch must convert to NumPy.
    step("torch tensor to numpy")
    result["numpy_bridge"] = _run_op(lambda: torch.ones(2).numpy().tolist(), [1.0, 1.0])
    try:
        result["device_op"] = _torch_device_op(torch, device, result)
    except BaseException as exc:  # e.g. a broken CUDA driver raising from is_available()
        result["device_op"] = {"ok": False, "error": error_info(exc)}
    return result


def _torch_device_op(torch, device: str, result: dict) -> dict:
    if device == "CPU":
        return result["cpu_op"]
    if device == "GPU":
        step("torch.cuda.is_available")
        available = bool(torch.cuda.is_available())
        result["cuda_available"] = available
        if not available:
            build = result.get("cuda_build") or "none (a CPU-only build)"
            message = f"torch.cuda.is_available() is False; torch's CUDA version: {build}"
            return {"ok": False, "error": {"type": "NoDevice", "message": message, "chain": []}}
        step("torch op on cuda")
        return _run_op(lambda: (torch.ones(2, device="cuda") + 1).cpu().tolist(), [2.0, 2.0])
    step("import torch_npu")
    try:
        import torch_npu  # noqa: F401  (registers the "npu" device with torch)
    except BaseException as exc:
        result["torch_npu_error"] = error_info(exc)
        return {"ok": False, "error": error_info(exc)}
    available = bool(torch.npu.is_available())
    if not available:
        message = "torch.npu.is_available() is False"
        return {"ok": False, "error": {"type": "NoDevice", "message": message, "chain": []}}
    step("torch op on npu")
    return _run_op(lambda: (torch.ones(2, device="npu") + 1).cpu().tolist(), [2.0, 2.0])


def probe_mindspore(device: str) -> dict:
    result: dict = {"installed_version": dist_version("mindspore")}
    step("import numpy")
    try:
        import numpy as np

        result["numpy_version"] = str(np.__version__)
    except BaseException as exc:
        np = None
        result["numpy_error"] = error_info(exc)
    step("import mindspore")
    try:
        import mindspore
        from mindspore import Tensor, ops
    except BaseException as exc:
        result["import_error"] = error_info(exc)
        return result
    result["version"] = str(mindspore.__version__)
    # 2.10 wants set_device; set_context(device_target=...) is the older spelling.
    api = "set_device" if hasattr(mindspore, "set_device") else "set_context"
    result["device_api"] = api
    step(f"mindspore.{api}({device!r})")
    try:
        if api == "set_device":
            mindspore.set_device(device)
        else:
            mindspore.set_context(device_target=device)
        result["set_device"] = {"ok": True, "error": None}
    except BaseException as exc:
        result["set_device"] = {"ok": False, "error": error_info(exc)}
    if np is None:
        return result
    # When set_device failed the ops still run on MindSpore's default (CPU): they then tell
    # whether NumPy works with mindspore at all, not whether the device does.
    ones = lambda: Tensor(np.ones(2, np.float32))  # noqa: E731
    step("mindspore ops.add")
    result["op"] = _run_op(lambda: ops.add(ones(), ones()).asnumpy().tolist(), [2.0, 2.0])
    # A NumPy scalar operand goes through mindspore's compiled NumPy C-API path, which is what
    # breaks under NumPy 2 (two Tensors alone still work there).
    step("mindspore ops.add with a numpy scalar")
    result["numpy_op"] = _run_op(
        lambda: ops.add(ones(), np.float32(1)).asnumpy().tolist(), [2.0, 2.0]
    )
    return result


PROBES = {"interpreter": probe_interpreter, "torch": probe_torch, "mindspore": probe_mindspore}


def main(argv: list | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", required=True, choices=sorted(PROBES))
    parser.add_argument("--device", default="CPU", choices=DEVICES)
    args = parser.parse_args(argv)
    _drop_own_folder_from_path()
    # Libraries print to stdout (Python and C level alike); point fd 1 at stderr for the whole
    # run so our JSON stays the only thing on the real stdout.
    sys.stdout.flush()
    json_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        result = PROBES[args.part](args.device)
    except BaseException as exc:
        result = {"probe_error": error_info(exc)}
    result["part"] = args.part
    data = (json.dumps(result, default=str) + "\n").encode("ascii")
    while data:  # a pipe may take a large write in pieces
        data = data[os.write(json_fd, data) :]
    sys.stderr.flush()
    # Skip interpreter teardown: framework atexit hooks and threads sometimes hang or crash
    # there, and the answer is already out.
    os._exit(0)


if __name__ == "__main__":
    main()
