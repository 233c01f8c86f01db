"""`mindport doctor` against real interpreters: the test venv, a bare venv, NumPy 2, broken paths.

Nothing about the probe is mocked: every test runs server/runner/env_probe.py in a real
interpreter. `sys.executable` is the project venv (torch 2.13 CPU, mindspore 2.10, numpy<2).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mapping_db.verification import Verification
from server.cli_doctor import add_doctor_parser, run_doctor_command
from server.doctor import (
    DoctorReport,
    Finding,
    blocking_problems,
    format_report_text,
    run_doctor,
    status_line,
)
from server.doctor.checks import check_verification
from tests.process_helpers import alive

REPO = Path(__file__).resolve().parent.parent


def by_check(report: DoctorReport) -> dict[str, Finding]:
    return {f.check: f for f in report.findings}


@pytest.fixture(scope="module")
def venv_report() -> DoctorReport:
    return run_doctor(sys.executable, "CPU")


@pytest.fixture(scope="session")
def bare_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A fresh venv with nothing installed (no pip either: only the interpreter matters)."""
    where = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(where)], check=True, timeout=120
    )
    return str(where / "bin" / "python")


@pytest.fixture(scope="session")
def numpy2_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """NumPy 2 installed on its own; on PYTHONPATH it wins over the venv's NumPy 1.x."""
    target = tmp_path_factory.mktemp("numpy2")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--target", str(target), "numpy>=2,<3"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.fail(f"could not install numpy>=2,<3 with pip:\n{done.stdout}\n{done.stderr}")
    return target


def fake_package(root: Path, name: str, body: str) -> Path:
    (root / name).mkdir(parents=True)
    (root / name / "__init__.py").write_text(textwrap.dedent(body), encoding="utf-8")
    return root


def test_the_project_venv_is_healthy_on_cpu(venv_report: DoctorReport) -> None:
    found = by_check(venv_report)
    assert blocking_problems(venv_report) == [], format_report_text(venv_report)
    for check in ("python", "torch", "torch/CPU", "mindspore", "numpy", "mindspore/CPU"):
        assert found[check].level == "ok", format_report_text(venv_report)
    assert venv_report.torch_version.startswith("2.13.0")
    assert venv_report.mindspore_version.startswith("2.10")
    assert venv_report.numpy_version.startswith("1.")
    assert venv_report.python_version == ".".join(map(str, sys.version_info[:3]))
    assert "set_device('CPU')" in found["mindspore/CPU"].message
    line = status_line(venv_report)
    assert line.startswith(f"mindport doctor: Python {venv_report.python_version}, torch 2.13.0")
    assert line.endswith("(CPU ok)")


def test_the_committed_verification_results_match_the_venv(venv_report: DoctorReport) -> None:
    found = by_check(venv_report)["verification"]
    assert (found.level, found.blocks_runs) == ("ok", False)
    assert "cpu-mindspore2.10.0-torch2.13.0.json" in found.message


def test_no_verification_results_yet_is_an_info_finding(tmp_path: Path) -> None:
    found = check_verification(tmp_path / "verified", "CPU", "2.13.0", "2.10.0")
    assert [(f.level, f.blocks_runs) for f in found] == [("info", False)]
    assert "no verification results yet" in found[0].message
    assert found[0].fix == "mindport db verify"


def test_the_server_process_never_imports_the_frameworks() -> None:
    code = (
        "import sys; from server.doctor import run_doctor; "
        "r = run_doctor(sys.executable, 'CPU'); "
        "print(r.mindspore_version, 'torch' in sys.modules, 'mindspore' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split() == ["2.10.0", "False", "False"]


def test_an_interpreter_without_the_frameworks(bare_python: str) -> None:
    report = run_doctor(bare_python, "CPU")
    found = by_check(report)
    assert found["python"].level == "ok"
    ms, torch = found["mindspore"], found["torch"]
    assert (ms.level, ms.blocks_runs, ms.message) == ("error", True, "mindspore is not installed")
    assert ms.fix == f"{bare_python} -m pip install mindspore 'numpy<2'"
    assert (torch.level, torch.blocks_runs, torch.message) == (
        "error", True, "torch is not installed",
    )  # fmt: skip
    assert torch.fix == f"{bare_python} -m pip install torch==2.13.0"
    assert found["numpy"].message == "NumPy is not installed"
    assert report.torch_version is None and report.mindspore_version is None
    assert "missing" in status_line(report) and "block runs" in status_line(report)


def test_numpy_2_is_caught_by_running_a_mindspore_op(numpy2_dir: Path) -> None:
    path = os.pathsep.join(filter(None, [str(numpy2_dir), os.environ.get("PYTHONPATH")]))
    report = run_doctor(sys.executable, "CPU", env={"PYTHONPATH": path})
    found = by_check(report)
    assert report.numpy_version.startswith("2."), format_report_text(report)
    numpy = found["numpy"]
    assert (numpy.level, numpy.blocks_runs) == ("error", True), format_report_text(report)
    assert "breaks mindspore 2.10" in numpy.message
    assert numpy.fix == f"{sys.executable} -m pip install 'numpy<2'"
    # the evidence is what mindspore and NumPy said, not a version comparison
    assert "compiled using NumPy 1.x" in numpy.detail
    # mindspore itself still imports, and torch is untouched
    assert found["mindspore"].level == "ok"
    assert found["torch"].level == "ok"
    assert [f.check for f in blocking_problems(report)] == ["numpy"]


def test_a_path_that_does_not_exist(tmp_path: Path) -> None:
    missing = str(tmp_path / "nowhere" / "python")
    report = run_doctor(missing, "CPU")
    assert [(f.check, f.level, f.blocks_runs) for f in report.findings] == [
        ("python", "error", True)
    ]
    assert f"{missing} does not exist" in report.findings[0].message


def test_a_program_that_is_not_python(tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'this is not python'\n", encoding="utf-8")
    fake.chmod(0o755)
    report = run_doctor(str(fake), "CPU")
    assert [(f.check, f.level) for f in report.findings] == [("python", "error")]
    assert "is not a Python 3.7+ interpreter" in report.findings[0].message


def test_a_mindspore_that_hangs_on_import_is_stopped(bare_python: str, tmp_path: Path) -> None:
    fake_package(tmp_path, "mindspore", "import time\ntime.sleep(600)\n")
    report = run_doctor(bare_python, "CPU", timeout=8, env={"PYTHONPATH": str(tmp_path)})
    found = by_check(report)
    assert "hung during `import mindspore`" in found["mindspore"].message
    assert found["mindspore"].blocks_runs
    assert found["torch"].message == "torch is not installed"  # its own process still answered


def test_a_hung_probe_leaves_no_process_behind(bare_python: str, tmp_path: Path) -> None:
    """The hang spawns a child that leaves the probe's session; the timeout stops both."""
    pids = tmp_path / "pids"
    fake_package(
        tmp_path,
        "mindspore",
        "import os, subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'],"
        " start_new_session=True)\n"
        f"open({str(pids)!r}, 'w').write(f'{{os.getpid()}} {{child.pid}}')\n"
        "time.sleep(600)\n",
    )
    report = run_doctor(bare_python, "CPU", timeout=8, env={"PYTHONPATH": str(tmp_path)})
    assert "hung during `import mindspore`" in by_check(report)["mindspore"].message
    for pid in map(int, pids.read_text().split()):
        assert not alive(pid), f"process {pid} of the hung probe is still running"


def test_a_mindspore_that_segfaults_loses_only_its_own_result(tmp_path: Path) -> None:
    fake_package(tmp_path, "mindspore", "import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n")
    report = run_doctor(sys.executable, "CPU", env={"PYTHONPATH": str(tmp_path)})
    found = by_check(report)
    assert "crashed (SIGSEGV) during `import mindspore`" in found["mindspore"].message
    assert found["torch"].level == "ok" and found["torch/CPU"].level == "ok"


def _results_file(folder: Path, name: str, device: str, mindspore: str, torch: str) -> None:
    text = Verification(device=device, mindspore=mindspore, torch=torch).to_json()
    (folder / name).write_text(text)


def test_verification_results_made_with_other_versions_are_stale(tmp_path: Path) -> None:
    _results_file(tmp_path, "cpu-old.json", "CPU", "2.9.0", "2.13.0")
    _results_file(tmp_path, "cpu-now.json", "CPU", "2.10", "2.13.0")
    _results_file(tmp_path, "gpu.json", "GPU", "2.9.0", "2.13.0")
    (tmp_path / "broken.json").write_text("{not json")
    found = check_verification(tmp_path, "CPU", "2.13.0+cpu", "2.10.0")
    levels: dict[str, list] = {}
    for finding in found:
        levels.setdefault(finding.level, []).append(finding.message)
    assert set(levels) == {"warning", "ok"}
    stale = [m for m in levels["warning"] if "cpu-old.json" in m]
    assert len(stale) == 1 and "mindspore 2.9.0 (installed: 2.10.0)" in stale[0]
    assert "torch" not in stale[0]  # 2.13.0 == 2.13.0+cpu
    assert any("cannot read verification results broken.json" in m for m in levels["warning"])
    assert "cpu-now.json" in levels["ok"][0]
    assert not any(f.blocks_runs for f in found)
    (tmp_path / "broken.json").unlink()
    gpu = check_verification(tmp_path, "Ascend", "2.13.0", "2.10.0")
    assert [f.level for f in gpu] == ["info"]
    assert "no verification results for Ascend" in gpu[-1].message


def test_the_cli_prints_json_and_exits_by_blocking_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser(prog="mindport")
    add_doctor_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["doctor", "--python", sys.executable, "--device", "CPU", "--json"])
    assert args.command == "doctor"
    assert run_doctor_command(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["python"] == sys.executable and data["device"] == "CPU"
    assert data["blocking"] == 0
    assert data["mindspore_version"].startswith("2.10")
    assert {"check", "level", "message", "blocks_runs", "fix", "detail"} == set(data["findings"][0])
    assert {f["level"] for f in data["findings"]} <= {"ok", "n/a", "info", "warning", "error"}
    assert set(data["probes"]) == {"interpreter", "torch", "mindspore"}

    missing = str(tmp_path / "python")
    args = parser.parse_args(["doctor", "--python", missing, "--json"])
    assert run_doctor_command(args) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["blocking"] == 1 and data["findings"][0]["check"] == "python"


def test_verification_is_not_applicable_without_the_frameworks(bare_python: str) -> None:
    report = run_doctor(bare_python, "CPU")
    found = by_check(report)["verification"]
    assert (found.level, found.blocks_runs) == ("n/a", False)
    assert found.message.startswith("not applicable: torch and mindspore")
    assert all(f.fix for f in blocking_problems(report)), format_report_text(report)


@pytest.fixture(scope="module")
def gpu_report() -> DoctorReport:
    """The project venv has CPU-only builds: asking for GPU fails in both frameworks."""
    return run_doctor(sys.executable, "GPU")


def test_every_failure_has_one_line_cause_and_a_fix(gpu_report: DoctorReport) -> None:
    blocking = blocking_problems(gpu_report)
    assert {f.check for f in blocking} == {"torch/GPU", "mindspore/GPU"}
    for finding in blocking:
        assert "\n" not in finding.message
        assert finding.fix and "GPU" in finding.fix and "--device CPU" in finding.fix


@pytest.mark.parametrize("width", [80, 120, 200])
def test_loader_errors_only_with_verbose(gpu_report: DoctorReport, width: int) -> None:
    from rich.console import Console

    from server.doctor import render_report

    detail = by_check(gpu_report)["mindspore/GPU"].detail
    assert detail and "GPU" in detail
    evidence = detail.splitlines()[0][:40]
    short, full = io.StringIO(), io.StringIO()
    render_report(gpu_report, Console(file=short, width=width))
    render_report(gpu_report, Console(file=full, width=width), verbose=True)
    flat = " ".join(short.getvalue().split())
    assert " ".join(evidence.split()) not in flat
    assert (
        "mindport doctor --verbose" in flat and "fix: install the mindspore build for GPU" in flat
    )
    assert "".join(evidence.split()) in "".join(full.getvalue().split())
    assert "…" not in full.getvalue() and "…" not in short.getvalue()  # wrapped, never cut
    assert all(len(line.rstrip()) <= width for line in short.getvalue().splitlines())
