"""`mindport serve | scan | db | doctor`: the command line."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from server import __version__


def _serve(args: argparse.Namespace) -> int:
    # stdout is the protocol: every log line goes to stderr or a file.
    handler: logging.Handler = (
        logging.FileHandler(args.log_file) if args.log_file else logging.StreamHandler(sys.stderr)
    )
    logging.basicConfig(
        level=getattr(logging, args.log_level.upper()),
        handlers=[handler],
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    from server.lsp.server import create_server

    # Background work (jedi warming up, analysis off the loop) holds the GIL for up to the
    # switch interval (5 ms by default) each time the request loop wants it back; a hover
    # needs it several times. A shorter interval keeps hovers under a millisecond meanwhile.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    server = create_server()
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        if not port.isdigit():
            print(f"mindport serve: --tcp wants HOST:PORT, got {args.tcp!r}", file=sys.stderr)
            return 2
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    if server.jedi is not None:
        server.jedi.shutdown()
    return 0


def _scan(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from mapping_db.store import load_database
    from server.scan.output import count_errors, render_json, render_sarif, render_table
    from server.scan.walk import python_files, scan_paths
    from server.settings import load_settings

    settings, problems = load_settings(Path.cwd())
    if args.device:
        settings, more = settings.merged({"device": args.device}, "--device")
        problems += more
    if args.mode:
        settings, more = settings.merged({"mode": args.mode}, "--mode")
        problems += more
    err = Console(stderr=True)
    for problem in problems:
        err.print(f"[yellow]warning:[/] {problem}")
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        err.print(f"[red]error:[/] no such file or directory: {', '.join(map(str, missing))}")
        return 2
    db = load_database()
    total = sum(1 for _ in python_files(args.paths))
    with Progress(
        TextColumn("scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=err,
        transient=True,
        disable=args.quiet,
    ) as progress:
        task = progress.add_task("", total=total)

        def advance(report) -> None:
            progress.update(task, advance=1, description=str(report.path))

        reports = scan_paths(args.paths, db, settings.device, on_file=advance, mode=settings.mode)
    if args.format == "json":
        sys.stdout.write(render_json(reports, settings) + "\n")
    elif args.format == "sarif":
        sys.stdout.write(render_sarif(reports, settings) + "\n")
    else:
        console = Console()
        width = args.width or (None if console.is_terminal else 160)
        render_table(reports, settings, Console(width=width) if width else console)
    errors = count_errors(reports, settings)
    if errors and args.format == "table":
        err.print(
            f"[red]{errors} error(s)[/]: findings at error severity "
            "(no MindSpore equivalent, graph mode, syntax)"
        )
    return 1 if errors else 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mindport", description="Move PyTorch code to MindSpore: language server and CLI."
    )
    parser.add_argument("--version", action="version", version=f"mindport {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the language server (stdio by default)")
    serve.add_argument("--tcp", metavar="HOST:PORT", help="listen on TCP instead of stdio")
    serve.add_argument(
        "--log-level", default="warning", choices=["debug", "info", "warning", "error"]
    )
    serve.add_argument("--log-file", type=Path, help="write the log here instead of stderr")
    serve.set_defaults(handler=_serve)

    scan = sub.add_parser("scan", help="list the torch APIs in files or folders and their ports")
    scan.add_argument("paths", nargs="+", type=Path)
    scan.add_argument("--format", choices=["table", "json", "sarif"], default="table")
    scan.add_argument("--device", help="CPU, GPU or Ascend (default: settings, then CPU)")
    scan.add_argument(
        "--mode",
        choices=["pynative", "graph"],
        help="execution mode of the port; graph also reports Python that mindspore.jit rejects",
    )
    scan.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    scan.add_argument("--width", type=int, help="table width (default: the terminal's)")
    scan.set_defaults(handler=_scan)

    from server.cli_db import add_db_parser, run_db

    add_db_parser(sub)
    sub.choices["db"].set_defaults(handler=run_db)

    from server.cli_doctor import add_doctor_parser, run_doctor_command

    add_doctor_parser(sub)
    sub.choices["doctor"].set_defaults(handler=run_doctor_command)

    return parser


SWITCH_INTERVAL_S = 0.0005


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
