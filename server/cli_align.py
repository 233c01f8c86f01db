"""`mindport align`, `mindport profile` and `mindport weights convert`: run a model in torch and
in MindSpore and prove the port (docs/alignment.md)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from server.cli_args import device_arg

ALIGN_EXIT = (
    "exit status: 0 everything agrees within tolerance, 1 something diverges, "
    "2 bad usage, 3 a model could not run"
)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target",
        metavar="TORCH_FILE::FACTORY",
        help="the torch model: a function or class with no required arguments",
    )
    parser.add_argument(
        "--ms",
        metavar="PORT_FILE::FACTORY",
        help="the MindSpore port (default: the torch file converted in memory)",
    )
    parser.add_argument(
        "--device", type=device_arg, help="CPU, GPU or Ascend (default: the `device` setting, CPU)"
    )
    parser.add_argument(
        "--inputs",
        metavar="SPEC",
        help="inputs as DTYPE[D0,D1,...] (';' between several), instead of the "
        "file's example_inputs()",
    )
    parser.add_argument(
        "--python",
        metavar="PATH",
        help="interpreter that runs the models (default: the `python` setting)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=300.0,
        help="seconds each stage may take on each side (default 300)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--threads", type=int, default=1, help="intra-op threads per framework (default 1)"
    )
    parser.add_argument("--json", action="store_true", help="print the whole result as JSON")


def add_align_parser(sub: argparse._SubParsersAction) -> None:
    align = sub.add_parser(
        "align",
        help="run a model in torch and its port in MindSpore; name the first layer that differs",
        description="Build both models, copy torch's weights into the port, and compare every "
        "layer's output (forward), every gradient (backward) and N training steps. " + ALIGN_EXIT,
    )
    _common(align)
    align.add_argument("--steps", type=int, default=5, help="training steps (default 5; 0: none)")
    align.add_argument("--rtol", type=float, default=1e-4, help="relative tolerance (1e-4)")
    align.add_argument("--atol", type=float, default=1e-4, help="absolute tolerance (1e-4)")
    align.add_argument(
        "--data",
        action="store_true",
        help="compare only the datasets (make_dataset() in both files)",
    )
    align.add_argument(
        "--report", type=Path, metavar="DIR", help="write index.html and result.json into DIR"
    )
    align.add_argument(
        "--layers", type=int, default=10, help="rows of the per-layer summary (default 10)"
    )
    align.set_defaults(handler=run_align)

    profile = sub.add_parser(
        "profile",
        help="time every layer forward and backward in torch and in MindSpore",
        description="Per-layer forward and backward time in both frameworks (median of N runs "
        "after a warm-up), step time and peak memory, sorted by cost with the MindSpore/torch "
        "ratio. Exit status: 0 ok, 2 bad usage, 3 a model could not run.",
    )
    _common(profile)
    profile.add_argument(
        "--repeat", type=int, default=5, help="measured runs after the warm-up (default 5)"
    )
    profile.add_argument("--layers", type=int, default=15, help="rows of the table (default 15)")
    profile.set_defaults(handler=run_profile)

    weights = sub.add_parser("weights", help="convert torch weights to a MindSpore checkpoint")
    verbs = weights.add_subparsers(dest="weights_command", required=True)
    convert = verbs.add_parser(
        "convert",
        help="a torch state dict (.pth/.pt) as a MindSpore checkpoint (.ckpt)",
        description="Rename every tensor with the layer attribute table and write a .ckpt. "
        "With --model (and --ms) the layer types come from the models themselves and every "
        "name is checked against the port; without, they are inferred from the names.",
    )
    convert.add_argument(
        "checkpoint",
        type=Path,
        help="the torch file (torch.save of a state "
        "dict, or of a dict holding one under 'state_dict' or 'model')",
    )
    convert.add_argument("-o", "--output", type=Path, required=True, help="the .ckpt to write")
    convert.add_argument(
        "--model", metavar="TORCH_FILE::FACTORY", help="the torch model the weights belong to"
    )
    convert.add_argument(
        "--ms",
        metavar="PORT_FILE::FACTORY",
        help="the port to check the names against (default: converted in memory)",
    )
    convert.add_argument("--python", metavar="PATH", help="interpreter that runs torch/mindspore")
    convert.add_argument("--timeout", type=float, default=300.0)
    convert.add_argument("--json", action="store_true")
    convert.set_defaults(handler=run_weights)


def _settings(args: argparse.Namespace) -> tuple[str, str]:
    from server.settings import load_settings

    settings, problems = load_settings(Path.cwd())
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    return (
        getattr(args, "python", None) or settings.python,
        getattr(args, "device", None) or settings.device,
    )


def _spec(args: argparse.Namespace, stages: tuple[str, ...]) -> Any:
    from server.runner.align.spec import RunSpec, parse_inputs, parse_model_ref

    python, device = _settings(args)
    torch = parse_model_ref(args.target)
    ms = parse_model_ref(args.ms, torch.factory) if args.ms else None
    spec = RunSpec(
        torch,
        ms,
        device=device,
        inputs=parse_inputs(args.inputs) if args.inputs else None,
        stages=stages,
        python=python,
        timeout=args.timeout,
        seed=args.seed,
        threads=max(1, args.threads),
    )
    for name in ("steps", "rtol", "atol", "repeat"):
        if hasattr(args, name):
            setattr(spec, name, getattr(args, name))
    spec.check()
    return spec


def _progress(enabled: bool):  # type: ignore[no-untyped-def]
    from rich.console import Console

    console = Console(stderr=True)
    status = console.status("starting", spinner="dots") if enabled and console.is_terminal else None

    def update(stage: str, message: str) -> None:
        if status is not None:
            status.update(f"{stage}: {message}")

    return status, update


def _run_with_progress(run, quiet: bool):  # type: ignore[no-untyped-def]
    status, update = _progress(not quiet)
    if status is None:
        return run(update)
    with status:
        return run(update)


def run_align(args: argparse.Namespace) -> int:
    from server.runner.align.run import run_alignment
    from server.runner.align.spec import SpecError
    from server.runner.align.text import render

    stages = ("dataset",) if args.data else ("forward", "backward", "training")
    try:
        spec = _spec(args, stages)
    except SpecError as exc:
        print(f"mindport align: error: {exc}", file=sys.stderr)
        return 2
    result = _run_with_progress(lambda update: run_alignment(spec, update), args.json)
    if args.report is not None and result["status"] != "usage":
        from server.runner.report import write_report

        try:
            result["report"] = str(write_report(result, args.report) / "index.html")
        except OSError as exc:
            print(f"mindport align: cannot write the report: {exc}", file=sys.stderr)
    if args.json:
        sys.stdout.write(json.dumps(result, default=str) + "\n")
    else:
        for line in render(result, args.layers):
            print(line)
    return int(result["exit_code"])


def run_profile(args: argparse.Namespace) -> int:
    from server.runner.align.spec import SpecError
    from server.runner.profile import render_profile, run_profile

    try:
        spec = _spec(args, ("profile",))
    except SpecError as exc:
        print(f"mindport profile: error: {exc}", file=sys.stderr)
        return 2
    result = _run_with_progress(lambda update: run_profile(spec, update), args.json)
    if args.json:
        sys.stdout.write(json.dumps(result, default=str) + "\n")
    else:
        for line in render_profile(result, args.layers):
            print(line)
    return int(result["exit_code"])


def run_weights(args: argparse.Namespace) -> int:
    from server.runner.align.spec import SpecError
    from server.runner.weights_convert import convert_checkpoint, render_conversion

    try:
        python, _ = _settings(args)
        result = convert_checkpoint(
            args.checkpoint,
            args.output,
            model=args.model,
            ms=args.ms,
            python=python,
            timeout=args.timeout,
        )
    except SpecError as exc:
        print(f"mindport weights convert: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        sys.stdout.write(json.dumps(result, default=str) + "\n")
    else:
        for line in render_conversion(result):
            print(line)
    return int(result["exit_code"])
