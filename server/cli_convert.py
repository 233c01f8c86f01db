"""`mindport convert`: port a file or a folder tree from torch to MindSpore."""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import time
from pathlib import Path

from server.cli_args import device_arg


def add_convert_parser(sub: argparse._SubParsersAction) -> None:
    convert = sub.add_parser(
        "convert",
        help="port a PyTorch file or folder to MindSpore",
        description="Rewrite a PyTorch file (or every file of a folder) for MindSpore. What "
        "cannot be converted stays as it was with a `# mindport: <reason>` comment. SRC is "
        "never overwritten. Exit status: 0 everything converted, 1 something was left for a "
        "person, 2 bad usage or a file that does not parse.",
    )
    convert.add_argument("src", type=Path, metavar="SRC", help="a .py file or a folder")
    convert.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="OUT",
        help="where the port goes (a file for a file, a folder for a folder); "
        "without it a file's port is printed",
    )
    convert.add_argument("--diff", action="store_true", help="print a unified diff instead")
    convert.add_argument(
        "--device", type=device_arg, help="CPU, GPU or Ascend (default: settings, then CPU)"
    )
    convert.add_argument("--json", action="store_true", help="print the summary as JSON")
    convert.set_defaults(handler=run_convert)


def _device(args: argparse.Namespace) -> str:
    if args.device:
        return args.device
    from server.settings import load_settings

    settings, _ = load_settings(Path.cwd())
    return settings.device


def run_convert(args: argparse.Namespace) -> int:
    from mapping_db.store import load_database
    from server.convert.file import ConvertError, convert_file, convert_tree

    src: Path = args.src
    out: Path | None = args.output
    if not src.exists():
        print(f"mindport convert: error: no such file or directory: {src}", file=sys.stderr)
        return 2
    if out is not None and _same_place(src, out):
        print(
            "mindport convert: error: OUT is SRC; the source is never overwritten",
            file=sys.stderr,
        )
        return 2
    if src.is_dir() and out is None and not args.diff:
        print("mindport convert: error: a folder needs -o OUT (or --diff)", file=sys.stderr)
        return 2
    if src.is_dir() and out is not None and out.resolve().is_relative_to(src.resolve()):
        print("mindport convert: error: OUT is inside SRC", file=sys.stderr)
        return 2
    device = _device(args)
    db = load_database()
    started = time.perf_counter()
    if src.is_file():
        try:
            conversion = convert_file(src, db, device)
        except ConvertError as exc:
            print(f"mindport convert: error: {exc}", file=sys.stderr)
            return 2
        conversions = [conversion]
        _emit_file(args, src, out, conversion)
        errors: list[str] = []
    else:
        if out is None:
            import tempfile

            out = Path(tempfile.mkdtemp(prefix="mindport-convert-"))
        tree = convert_tree(src, out, db, device)
        conversions, errors = tree.files, tree.errors
        if args.diff:
            for conversion in conversions:
                _print_diff(conversion.source_path, conversion.code)
        for error in errors:
            print(f"mindport convert: error: {error}", file=sys.stderr)
    seconds = time.perf_counter() - started
    _summary(args, conversions, seconds, device, out)
    if errors:
        return 2
    return 1 if any(c.markers for c in conversions) else 0


def _same_place(src: Path, out: Path) -> bool:
    try:
        return out.exists() and out.resolve() == src.resolve()
    except OSError:
        return False


def _emit_file(args, src: Path, out: Path | None, conversion) -> None:
    if args.diff:
        _print_diff(src, conversion.code)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(conversion.code, encoding="utf-8")
    elif not args.diff:
        sys.stdout.write(conversion.code)


def _print_diff(path: Path | None, code: str) -> None:
    original = path.read_text(encoding="utf-8") if path is not None else ""
    name = str(path)
    sys.stdout.writelines(
        difflib.unified_diff(
            original.splitlines(keepends=True),
            code.splitlines(keepends=True),
            fromfile=name,
            tofile=f"{name} (MindSpore)",
        )
    )


def summary_data(conversions, seconds: float, device: str) -> dict:
    from server.convert.file.context import Counts

    total = Counts()
    for c in conversions:
        total.add(c.counts)
    lines = sum(c.lines for c in conversions)
    return {
        "device": device,
        "files": len(conversions),
        "lines": lines,
        "found": total.total_found,
        "converted": total.converted,
        "marked": total.total_marked,
        "rate": round(total.rate, 4),
        "seconds": round(seconds, 3),
        "by_category": {
            name: {"found": n, "marked": total.marked.get(name, 0)}
            for name, n in sorted(total.found.items())
        },
        "markers": [
            {"path": str(c.source_path), "line": m.line, "reason": m.reason, "category": m.category}
            for c in conversions
            for m in c.markers
        ],
    }


def _summary(args, conversions, seconds: float, device: str, out: Path | None) -> None:
    data = summary_data(conversions, seconds, device)
    if args.json:
        # stdout holds the port when it is printed
        printed = out is None and not args.diff and args.src.is_file()
        target = sys.stderr if printed else sys.stdout
        target.write(json.dumps(data, indent=2) + "\n")
        return
    err = sys.stderr
    for marker in data["markers"]:
        err.write(f"{marker['path']}:{marker['line']}: {marker['reason']}\n")
    categories = ", ".join(
        f"{name} {v['found'] - v['marked']}/{v['found']}" for name, v in data["by_category"].items()
    )
    err.write(
        f"converted {data['converted']} of {data['found']} torch sites ({data['rate']:.1%}) in "
        f"{data['files']} file(s), {data['lines']} lines, {seconds:.2f} s on {device}; "
        f"{data['marked']} left with a `# mindport:` marker\n"
    )
    if categories:
        err.write(f"by category (converted/found): {categories}\n")
    if out is not None:
        err.write(f"wrote {out}\n")
