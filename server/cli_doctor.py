"""`mindport doctor`: can the interpreter that runs models run torch and mindspore here?"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from server.cli_args import device_arg


def add_doctor_parser(sub: argparse._SubParsersAction) -> None:
    doctor = sub.add_parser(
        "doctor",
        help="check the interpreter that runs models: versions, NumPy, the device",
        description="Probe the interpreter that runs models (torch and mindspore are imported "
        "there, never here) and say what blocks runs: each problem on one line with what fixes "
        "it. Exit status: 0 nothing blocks runs, 1 something does, 2 bad usage.",
    )
    doctor.add_argument(
        "--python", metavar="PATH", help="interpreter to check (default: the `python` setting)"
    )
    doctor.add_argument(
        "--device",
        type=device_arg,
        help="CPU, GPU or Ascend: the device to check (default: the `device` setting, CPU)",
    )
    doctor.add_argument("--json", action="store_true", help="print the report as JSON")
    doctor.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="also print the evidence behind each problem (loader errors, the probes' stderr)",
    )
    doctor.add_argument(
        "--timeout", type=float, default=120, help="seconds each probe may take (default: 120)"
    )
    doctor.set_defaults(handler=run_doctor_command)


def run_doctor_command(args: argparse.Namespace) -> int:
    from rich.console import Console

    from server.doctor import blocking_problems, render_report, run_doctor
    from server.settings import load_settings

    python, device = getattr(args, "python", None), getattr(args, "device", None)
    logging.getLogger("server.settings").addHandler(logging.NullHandler())  # printed below
    err = Console(stderr=True)
    if python is None or device is None:
        # an explicit command typed in this folder: its pyproject.toml may name the interpreter
        settings, problems = load_settings(Path.cwd(), trusted=True)
        for problem in problems:
            err.print(f"[yellow]warning:[/] {problem}")
        python, device = python or settings.python, device or settings.device
    timeout = getattr(args, "timeout", None) or 120
    if getattr(args, "json", False):
        report = run_doctor(python, device, timeout=timeout)
        sys.stdout.write(report.to_json() + "\n")
    else:
        with err.status(f"probing {python} ({device})"):
            report = run_doctor(python, device, timeout=timeout)
        render_report(report, Console(), verbose=getattr(args, "verbose", False))
    return 1 if blocking_problems(report) else 0
