"""Probe the interpreter that runs models and turn what it says into findings.

Decision 4: torch and mindspore are never imported here. Every fact comes from
`server/runner/env_probe.py` run by the configured interpreter, one process per part
(interpreter, torch, mindspore), so a framework that hangs or segfaults loses only its own part.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from server.doctor.report import DoctorReport, Finding
from server.doctor.results_check import check_verification, default_verified_dir
from server.runner.workers import run_once

PROBE_SCRIPT = Path(__file__).resolve().parent.parent / "runner" / "env_probe.py"
STEP_MARK = "mindport-probe-step:"
DEVICES = ("CPU", "GPU", "Ascend")
# The versions the project is built and tested with (Makefile); what a fix installs.
TORCH_PIN = "2.13.0"
# Requires-Python of the wheels a fix installs: mindspore 2.10 ">=3.9,<3.13", torch 2.13 ">=3.10".
PYTHON_RANGE = {"mindspore": ("2.10", (3, 9), (3, 12)), "torch": (TORCH_PIN, (3, 10), (3, 99))}
# Printed by NumPy 2 when a module compiled against NumPy 1.x touches its C API; mindspore 2.10
# then raises an unrelated-looking TypeError, so this banner on stderr is the real evidence.
NUMPY_ABI_BANNER = "A module that was compiled using NumPy 1.x cannot be run in"
# mindspore's log prefix, "[ERROR] ME(pid:tid,MainProcess):time [file:line] ": noise in a report.
_GLOG_PREFIX = re.compile(r"^\[(\w+)\] ME\([^)]*\):\S+ \[[^\]]*\] ")


@dataclass
class ProbeRun:
    part: str
    data: dict[str, Any] | None  # the probe's JSON, None when it gave none
    returncode: int | None = None
    timed_out: bool = False
    stderr: str = ""
    launch_error: OSError | None = None

    @property
    def last_step(self) -> str | None:
        steps = [ln for ln in self.stderr.splitlines() if ln.startswith(STEP_MARK)]
        return steps[-1][len(STEP_MARK) :].strip() if steps else None

    def stderr_tail(self, lines: int = 6) -> str:
        kept = [ln for ln in self.stderr.splitlines() if ln.strip() and STEP_MARK not in ln]
        return "\n".join(_GLOG_PREFIX.sub(r"[\1] ", ln)[:300] for ln in kept[-lines:])


def run_probe(python: str, part: str, device: str, timeout: float, env: dict[str, str]) -> ProbeRun:
    command = [python, str(PROBE_SCRIPT), "--part", part, "--device", device]
    # A scratch cwd: frameworks drop files there (kernel caches, rank_0/), not in the user's tree.
    # The probe runs in a session of its own, so a timeout also stops workers the framework
    # spawned.
    with tempfile.TemporaryDirectory(prefix="mindport-doctor-", ignore_cleanup_errors=True) as cwd:
        try:
            done = run_once(command, cwd=cwd, env=env, timeout=timeout)
        except OSError as exc:
            return ProbeRun(part, None, launch_error=exc)
    text = done.stderr.decode("utf-8", "replace")
    return ProbeRun(part, _parse_answer(done.stdout), done.returncode, done.timed_out, text)


def _parse_answer(stdout: bytes) -> dict[str, Any] | None:
    for line in reversed(stdout.decode("utf-8", "replace").splitlines()):
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and "part" in data:
            return data
    return None


def pip_fix(python: str, *requirements: str, reinstall: bool = False) -> str:
    """The exact command, quoted for a POSIX shell (`numpy<2` would otherwise be a redirect)."""
    flags = ["--force-reinstall"] if reinstall else []
    words = [python, "-m", "pip", "install", *flags, *requirements]
    return " ".join(shlex.quote(w) for w in words)


def _err(error: dict[str, Any] | None) -> str:
    if not error:
        return "unknown error"
    text = f"{error.get('type')}: {error.get('message')}"
    return "; ".join([text, *error.get("chain", [])])


def _failed_run(name: str, run: ProbeRun, timeout: float) -> str:
    where = f" during `{run.last_step}`" if run.last_step else ""
    if run.timed_out:
        return f"the {name} probe hung{where} and was stopped after {timeout:g} s"
    if run.returncode is not None and run.returncode < 0:
        try:
            how = signal.Signals(-run.returncode).name
        except ValueError:
            how = f"signal {-run.returncode}"
        return f"the {name} probe crashed ({how}){where}"
    return f"the {name} probe exited with status {run.returncode}{where} without an answer"


# How to point mindport at another interpreter: the fix of every "no usable python" finding.
SET_PYTHON = (
    "mindport doctor --python /path/to/python, then set `python` in [tool.mindport] (or the"
    " editor's settings) to it"
)


def _resolve_python(python: str) -> tuple[str | None, Finding | None]:
    def bad(why: str) -> tuple[None, Finding]:
        return None, Finding("python", "error", f"{python} {why}", True, SET_PYTHON)

    if os.sep in python or (os.altsep and os.altsep in python):
        path = Path(python).expanduser()
        if not path.exists():
            return bad("does not exist")
        if path.is_dir():
            return bad("is a folder")
        if not os.access(path, os.X_OK):
            return bad("is not executable")
        return str(path.absolute()), None  # probes run in a scratch cwd
    found = shutil.which(python)
    if found is None:
        return bad("is not on PATH")
    return str(Path(found).absolute()), None


def python_findings(python: str, run: ProbeRun, timeout: float) -> list[Finding]:
    not_python = f"{python} is not a Python 3.7+ interpreter that mindport can use"
    if run.launch_error is not None:
        message = f"{not_python}: {run.launch_error}"
        return [Finding("python", "error", message, True, SET_PYTHON)]
    if run.data is None:
        why = _failed_run("interpreter", run, timeout)
        message = f"{not_python}: {why}"
        return [Finding("python", "error", message, True, SET_PYTHON, run.stderr_tail())]
    d = run.data
    message = f"Python {d['python_version']} ({d['implementation']}), {d['executable']}"
    have = tuple(int(p) for p in d["python_version"].split(".")[:2] if p.isdigit())
    # Only worth saying while something is still to be installed: pip would find no wheel.
    no_wheel = [
        f"{name} {pin} needs Python {low[0]}.{low[1]}"
        + (f"-{high[0]}.{high[1]}" if high[1] < 99 else "+")
        for name, (pin, low, high) in PYTHON_RANGE.items()
        if d.get("installed", {}).get(name) is None and not low <= have <= high
    ]
    if no_wheel:
        return [Finding("python", "warning", f"{message}; {', '.join(no_wheel)}")]
    return [Finding("python", "ok", message)]


def torch_findings(python: str, device: str, run: ProbeRun, timeout: float) -> list[Finding]:
    d, dev = run.data, f"torch/{device}"
    reinstall = pip_fix(python, f"torch=={TORCH_PIN}", reinstall=True)
    if d is None:
        message = _failed_run("torch", run, timeout)
        return [Finding("torch", "error", message, True, reinstall, run.stderr_tail())]
    if "import_error" in d:
        installed = d.get("installed_version")
        if installed is None:
            message = "torch is not installed"
            return [
                Finding("torch", "error", message, True, pip_fix(python, f"torch=={TORCH_PIN}"))
            ]
        message = f"torch {installed} is installed but does not import: {_err(d['import_error'])}"
        return [Finding("torch", "error", message, True, reinstall, run.stderr_tail())]
    findings = []
    if not d["cpu_op"]["ok"]:
        message = f"torch {d['version']} imports but `torch.ones(2)+1` fails"
        detail = _err(d["cpu_op"]["error"])
        findings.append(Finding("torch", "error", message, True, reinstall, detail))
    elif not d["numpy_bridge"]["ok"]:
        # Runs exchange tensors as .npz, so a torch that cannot reach NumPy cannot run them.
        message = f"torch {d['version']} cannot convert tensors to NumPy"
        fix = pip_fix(python, "numpy<2")
        detail = _err(d["numpy_bridge"]["error"])
        findings.append(Finding("torch", "error", message, True, fix, detail))
    else:
        findings.append(Finding("torch", "ok", f"torch {d['version']} imports and runs on CPU"))
    op = d.get("device_op") or {"ok": False, "error": None}
    if op["ok"]:
        findings.append(Finding(dev, "ok", f"torch runs a small op on {device}"))
    else:
        fix = device_fix("torch", device)
        if device == "Ascend" and "torch_npu_error" in d:
            fix = pip_fix(python, f"torch-npu~={d['version'].split('+')[0]}")
        message = f"torch cannot run on {device}: {_err(op['error'])}"
        findings.append(Finding(dev, "error", message, True, fix))
    return findings


_INSTALL_PAGES = {
    "torch": "https://pytorch.org/get-started/locally/",
    "mindspore": "https://www.mindspore.cn/install/en",
}


def device_fix(framework: str, device: str) -> str:
    """What fixes a framework that cannot use the device: its build for that device."""
    if device == "CPU":
        return f"reinstall {framework} (its CPU kernels do not run)"
    return (
        f"install the {framework} build for {device} ({_INSTALL_PAGES[framework]}), or check"
        " with --device CPU"
    )


def _major(version: str | None) -> int:
    head = (version or "").split(".")[0]
    return int(head) if head.isdigit() else 0


def _numpy_banner(stderr: str) -> str | None:
    """NumPy's own sentence about the ABI mismatch, when it printed one."""
    lines = stderr.splitlines()
    for at, line in enumerate(lines):
        if NUMPY_ABI_BANNER in line:
            text = " ".join(ln.strip() for ln in lines[at : at + 2])
            return text.split(" crash.")[0] + " crash." if " crash." in text else text
    return None


def mindspore_findings(
    python: str, device: str, run: ProbeRun, installed_numpy: str | None, timeout: float
) -> list[Finding]:
    """Findings for mindspore itself, NumPy (judged by running ops, not by version), the device."""
    d, numpy_fix = run.data, pip_fix(python, "numpy<2")
    if d is None:
        message = _failed_run("mindspore", run, timeout)
        reinstall = pip_fix(python, "mindspore", "numpy<2", reinstall=True)
        found = [Finding("mindspore", "error", message, True, reinstall, run.stderr_tail())]
        if _major(installed_numpy) >= 2:
            message = f"NumPy {installed_numpy} is installed; mindspore is built against NumPy 1.x"
            found.append(Finding("numpy", "error", f"{message} (a likely cause)", True, numpy_fix))
        return found
    banner = _numpy_banner(run.stderr)
    failures = [_err(d[k]["error"]) for k in ("op", "numpy_op") if k in d and not d[k]["ok"]]
    if "import_error" in d:
        failures.insert(0, _err(d["import_error"]))
    # NumPy 2 is the cause when NumPy says so, an error names it, or only the NumPy-operand op
    # failed; a version comparison alone would miss a mindspore that supports NumPy 2.
    numpy_two_breaks = (
        _major(d.get("numpy_version")) >= 2
        and bool(failures)
        and (
            banner is not None
            or any("numpy" in f.lower() for f in failures)
            or (d.get("op", {}).get("ok") and not d["numpy_op"]["ok"])
        )
    )
    return [
        _mindspore_finding(python, d, numpy_two_breaks),
        _numpy_finding(d, installed_numpy, numpy_two_breaks, failures, banner, numpy_fix),
        *_mindspore_device_findings(device, d, run, numpy_two_breaks),
    ]


def _mindspore_finding(python: str, d: dict[str, Any], numpy_two_breaks: bool) -> Finding:
    if "import_error" not in d:
        return Finding("mindspore", "ok", f"mindspore {d['version']} imports")
    if d.get("installed_version") is None:
        fix = pip_fix(python, "mindspore", "numpy<2")
        return Finding("mindspore", "error", "mindspore is not installed", True, fix)
    message = f"mindspore {d['installed_version']} is installed but does not import"
    detail = _err(d["import_error"])
    if numpy_two_breaks:  # the numpy finding carries the fix
        return Finding("mindspore", "error", f"{message} (NumPy 2: see numpy)", True, None, detail)
    fix = pip_fix(python, "mindspore", "numpy<2", reinstall=True)
    return Finding("mindspore", "error", message, True, fix, detail)


def _numpy_finding(
    d: dict[str, Any],
    installed_numpy: str | None,
    numpy_two_breaks: bool,
    failures: list[str],
    banner: str | None,
    fix: str,
) -> Finding:
    version = d.get("numpy_version")
    if "numpy_error" in d:
        if installed_numpy is None and d["numpy_error"]["type"] == "ModuleNotFoundError":
            return Finding("numpy", "error", "NumPy is not installed", True, fix)
        message = f"NumPy does not import: {_err(d['numpy_error'])}"
        return Finding("numpy", "error", message, True, fix)
    if numpy_two_breaks:
        ms = d.get("version") or d.get("installed_version")
        message = (
            f"NumPy {version} breaks mindspore {ms}, which is built against NumPy 1.x:"
            " a mindspore op with a NumPy operand fails"
        )
        detail = "\n".join([*failures, *([f"NumPy says: {banner}"] if banner else [])])
        return Finding("numpy", "error", message, True, fix, detail)
    if "version" not in d:
        return Finding("numpy", "info", f"NumPy {version}")
    if not d.get("numpy_op", {}).get("ok"):
        message = f"a mindspore op with a NumPy {version} operand fails"
        return Finding("numpy", "error", message, True, fix, _err(d["numpy_op"]["error"]))
    return Finding(
        "numpy", "ok", f"NumPy {version} works with mindspore (ops with NumPy operands ran)"
    )


def _mindspore_device_findings(
    device: str, d: dict[str, Any], run: ProbeRun, numpy_two_breaks: bool
) -> list[Finding]:
    if "version" not in d:
        return []
    check, call = f"mindspore/{device}", f"mindspore.{d.get('device_api')}({device!r})"
    set_device, op = d.get("set_device", {}), d.get("op", {})
    if not set_device.get("ok"):
        message = f"mindspore cannot use {device}: {call} fails"
        detail = "\n".join([_err(set_device.get("error")), run.stderr_tail(3)])
        return [Finding(check, "error", message, True, device_fix("mindspore", device), detail)]
    if not op.get("ok"):
        if numpy_two_breaks:  # already reported, with its fix, as the numpy finding
            return []
        message = f"mindspore cannot run `ops.add` on {device}: {_err(op.get('error'))}"
        return [Finding(check, "error", message, True, device_fix("mindspore", device))]
    return [Finding(check, "ok", f"{call} and `ops.add` run")]


# -- the whole run -------------------------------------------------------------------------


def run_doctor(
    python: str,
    device: str,
    timeout: float = 120,
    env: dict[str, str] | None = None,
    verified_dir: Path | None = None,
) -> DoctorReport:
    """Check the interpreter that runs models; `timeout` applies to each probe process.

    `env` entries are added to (and override) this process's environment for the probes.
    """
    started = time.monotonic()
    device = next((d for d in DEVICES if d.lower() == device.lower()), device)
    if device not in DEVICES:
        raise ValueError(f"device must be one of {', '.join(DEVICES)}, got {device!r}")
    report = DoctorReport(python=python, device=device)
    resolved, problem = _resolve_python(python)
    if problem is not None:
        report.findings.append(problem)
        report.elapsed_s = round(time.monotonic() - started, 2)
        return report
    assert resolved is not None
    probe_env = {**os.environ, **(env or {})}
    interp = run_probe(resolved, "interpreter", device, timeout, probe_env)
    report.probes["interpreter"] = interp.data
    report.findings += python_findings(python, interp, timeout)
    if interp.data is None:  # the framework probes would fail the same way
        report.elapsed_s = round(time.monotonic() - started, 2)
        return report
    report.executable = interp.data.get("executable")
    report.python_version = interp.data.get("python_version")
    installed = interp.data.get("installed", {})
    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = {p: pool.submit(run_probe, resolved, p, device, timeout, probe_env)
                for p in ("torch", "mindspore")}  # fmt: skip
        torch_run, ms_run = jobs["torch"].result(), jobs["mindspore"].result()
    for run in (torch_run, ms_run):
        report.probes[run.part] = run.data
    torch_data, ms_data = torch_run.data or {}, ms_run.data or {}
    report.torch_version = torch_data.get("version") or installed.get("torch")
    report.mindspore_version = ms_data.get("version") or installed.get("mindspore")
    report.numpy_version = ms_data.get("numpy_version") or installed.get("numpy")
    report.findings += torch_findings(python, device, torch_run, timeout)
    report.findings += mindspore_findings(python, device, ms_run, installed.get("numpy"), timeout)
    verified = verified_dir if verified_dir is not None else default_verified_dir()
    report.findings += check_verification(
        verified, device, torch_data.get("version"), ms_data.get("version")
    )
    report.elapsed_s = round(time.monotonic() - started, 2)
    return report
