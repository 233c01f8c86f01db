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
    if args.tcp:
        host, _, port = args.tcp.rpartition(":")
        if not port.isdigit():
            print(f"mindport serve: --tcp wants HOST:PORT, got {args.tcp!r}", file=sys.stderr)
            return 2
    early = output = reader = None
    if not args.tcp:
        # stdio: read the client's messages ahead (server.lsp.read_ahead), and answer
        # `initialize` before pygls is imported when its answer is known
        # (server.lsp.early_initialize). Both modules use the standard library only.
        from server.lsp.early_initialize import ResponseFilter, answer_early
        from server.lsp.read_ahead import ReadAhead

        reader = ReadAhead(sys.stdin.buffer).start()
        early = answer_early(reader.first_body(), sys.stdout.buffer)
        output = ResponseFilter(sys.stdout.buffer, early)
        # the first opened document's diagnostics, before pygls is imported
        from server.lsp.first_document import publish_first_document

        if publish_first_document(reader, early, output) is not None:
            from server.lsp.first_document import import_yielding

            import_yielding("server.lsp.server")
    from server.lsp.first_document import SWITCH_INTERVAL_S
    from server.lsp.server import create_server

    # Background work (jedi warming up, analysis off the loop) holds the GIL for up to the
    # switch interval (5 ms by default) each time the request loop wants it back; a hover
    # needs it several times. A shorter interval keeps hovers under a millisecond meanwhile.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    server = create_server()
    if args.tcp:
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        from server.lsp.stdio_reader import serve_stdio

        server.read_ahead = reader
        serve_stdio(server, reader, output)  # type: ignore[arg-type]
    server.stop_workers()
    # LSP: exit status 0 only when a shutdown request came before the end
    return 0 if server.shutdown_requested else 1


def _scan(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from mapping_db.store import load_database
    from server.scan.findings import collect
    from server.scan.output import render_json, render_sarif
    from server.scan.terminal import render_lines, render_statistics, render_summary, render_table
    from server.scan.walk import python_files, scan_paths
    from server.settings import load_settings

    logging.getLogger("server.settings").addHandler(logging.NullHandler())  # printed below
    settings, problems = load_settings(Path.cwd())
    if args.device:
        settings, more = settings.merged({"device": args.device}, "--device")
        problems += more
    if args.mode:
        settings, more = settings.merged({"mode": args.mode}, "--mode")
        problems += more
    err = Console(stderr=True)
    for problem in problems:
        err.print(f"[yellow]warning:[/] {problem}", markup=True, highlight=False)
    missing = [p for p in args.paths if not p.exists()]
    if missing:
        print(f"mindport scan: error: no such file or directory: {', '.join(map(str, missing))}",
              file=sys.stderr)  # fmt: skip
        return 2
    total = sum(1 for _ in python_files(args.paths))
    if total == 0:
        where = ", ".join(map(str, args.paths))
        print(f"mindport scan: error: no Python files in {where}; nothing was scanned",
              file=sys.stderr)  # fmt: skip
        return 2
    db = load_database()
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
    result = collect(reports, settings, select=args.select, ignore=args.ignore)
    if args.format == "json":
        sys.stdout.write(render_json(result, settings) + "\n")
    elif args.format == "sarif":
        sys.stdout.write(render_sarif(result) + "\n")
    else:
        console = Console(width=args.width) if args.width else Console()
        # Piped: one finding per line, never wrapped (grep, problem matchers); a terminal (or
        # --width): wrapped to the width, long advice under its line.
        plain = not console.is_terminal and not args.width
        if args.format == "table":
            render_table(result, console, plain, settings.device)
        elif not args.statistics:
            render_lines(result, console, plain)
        if args.statistics:
            render_statistics(result, console, plain)
        if result.findings or result.skipped or args.statistics:
            console.print()
        render_summary(result, console, plain)
    if not result.scanned:
        print("mindport scan: error: every file was skipped; nothing was scanned", file=sys.stderr)
        return 2
    return 1 if result.errors else 0


def _kinds_arg(text: str) -> frozenset[str] | None:
    from server.scan.findings import BadKind, parse_kinds

    try:
        return parse_kinds(text)
    except BadKind as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


SCAN_HELP = """\
Find the torch APIs and constructs in Python files and say what each becomes in MindSpore.

By default one finding per line, like a linter: `path:line:col: level torch-api → target:
advice`, grouped by file and sorted. The level of each finding is the same as in the editor
(settings `severity.<kind>`); kinds: syntax, graph_mode, no_equivalent, compliance,
differences, unknown, consistent.
"""

SCAN_EPILOG = """\
exit status: 0 no finding at error level, 1 at least one (a torch API with no MindSpore
equivalent, graph-mode Python, a syntax error), 2 bad usage or nothing scanned (no such path,
no Python file, every file skipped).
"""


def add_scan_parser(sub: argparse._SubParsersAction) -> None:
    from server.cli_args import device_arg

    scan = sub.add_parser(
        "scan",
        help="list what the torch code in files or folders needs to run on MindSpore",
        description=SCAN_HELP,
        epilog=SCAN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    scan.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="Python files or folders (folders are walked, skipping .git, virtual environments,"
        " build/)",
    )
    scan.add_argument(
        "--format",
        choices=["lines", "table", "json", "sarif"],
        default="lines",
        help="lines: one finding per line (default); table: each torch API once, with its"
        " target, advice, and the files and lines that use it; json: every finding with its"
        " range; sarif: SARIF 2.1.0 for code-scanning dashboards",
    )
    scan.add_argument(
        "--statistics",
        action="store_true",
        help="count findings per kind and level (places and distinct APIs) instead of listing them",
    )
    scan.add_argument(
        "--select",
        type=_kinds_arg,
        metavar="KINDS",
        help="report only these kinds, comma-separated (e.g. no_equivalent,compliance); a kind"
        " the settings turn off is reported as a hint",
    )
    scan.add_argument(
        "--ignore", type=_kinds_arg, metavar="KINDS", help="do not report these kinds"
    )
    scan.add_argument(
        "--device",
        type=device_arg,
        help="CPU, GPU or Ascend: picks the targets (default: the `device` setting, CPU)",
    )
    scan.add_argument(
        "--mode",
        choices=["pynative", "graph"],
        help="execution mode of the port; graph also reports Python that mindspore.jit rejects",
    )
    scan.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    scan.add_argument(
        "--width",
        type=int,
        metavar="COLUMNS",
        help="wrap to this width (default: the terminal's; piped output is never wrapped)",
    )
    scan.set_defaults(handler=_scan)


def build_parser() -> argparse.ArgumentParser:
    from server.cli_args import EXIT_CODES, Parser

    parser = Parser(
        prog="mindport",
        description="Move PyTorch code to MindSpore: a language server for your editor and a"
        " command line that finds what needs care, explains it, and checks the environment.",
        epilog=f"{EXIT_CODES}. `mindport VERB --help` describes each verb.",
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

    add_scan_parser(sub)

    from server.cli_db import add_db_parser, run_db

    add_db_parser(sub)
    sub.choices["db"].set_defaults(handler=run_db)

    from server.cli_doctor import add_doctor_parser, run_doctor_command

    add_doctor_parser(sub)
    sub.choices["doctor"].set_defaults(handler=run_doctor_command)

    from server.cli_convert import add_convert_parser

    add_convert_parser(sub)

    from server.cli_align import add_align_parser

    add_align_parser(sub)  # align, profile, weights

    return parser


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
