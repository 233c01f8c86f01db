"""Figures on real, public files (`bench/data/`): what a user sees on code nobody here wrote.

Each figure is measured over the wire (`bench/lsp_wire.py`), against a fresh server, the way
an editor drives it. Where the machine is shared and noisy, compare ratios: the server's
analysis time against the same analysis in a fresh process.

    python bench/real_files.py [--quick]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.lsp_wire import WireClient  # noqa: E402

DATA = ROOT / "bench" / "data"
# The 5,000-line real file of the targets, and one whose code sits inside one large class.
LONG_FILE = DATA / "torch" / "common_modules.py"
CLASS_FILE = DATA / "torch" / "module.py"
CORPUS = Path("/work/shared/corpus")
_ANALYSED = re.compile(r"analysed \S+ v(\S+) \((\w+)\): \d+ references in ([\d.]+) ms")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def real_files() -> list[Path]:
    return sorted(DATA.glob("*/*.py"))


def _label(path: Path) -> str:
    return f"{path.relative_to(DATA)} ({len(path.read_text().splitlines()):,} lines)"


def _open(client: WireClient, uri: str, text: str) -> float:
    """didOpen; returns ms until its diagnostics arrived."""
    return _open_diagnostics(client, uri, text)[0]


def _open_diagnostics(client: WireClient, uri: str, text: str) -> tuple[float, list[dict]]:
    started = time.perf_counter()
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
    )
    at, message = _diagnostics(client, uri)
    return (at - started) * 1000, message["params"]["diagnostics"]


def _diagnostics(client: WireClient, uri: str, timeout: float = 60) -> tuple[float, dict]:
    while True:
        at, message = client.wait_notification("textDocument/publishDiagnostics", timeout)
        if message["params"]["uri"] == uri:
            return at, message


def _change(client: WireClient, uri: str, version: int, line: int, col: int, text: str) -> None:
    position = {"line": line, "character": col}
    client.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": position, "end": position}, "text": text}],
        },
    )


def fresh_process_analysis_ms(path: Path, rounds: int = 5) -> float:
    code = (
        "import statistics, sys, time\n"
        "from server.analysis.incremental import analyse_module\n"
        "source = open(sys.argv[1]).read()\n"
        "times = []\n"
        f"for _ in range({rounds}):\n"
        "    t = time.perf_counter(); analyse_module(source)\n"
        "    times.append((time.perf_counter() - t) * 1000)\n"
        "print(statistics.median(times))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, cwd=ROOT
    )
    return float(out.stdout.strip())


def server_analysis_ms(path: Path, rounds: int = 5, settle_s: float = 0.0) -> list[float]:
    """Full analyses inside a server (its own log's timings): the document closed and opened
    again `rounds` times, starting right after the first open (the start-up work is running
    then) or after `settle_s`."""
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        client = WireClient(log_file=log)
        client.initialize()
        uri = path.as_uri()
        text = path.read_text()
        _open(client, uri, text)
        time.sleep(settle_s)
        for _ in range(rounds):
            client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
            _open(client, uri, text)
        client.close()
        times = [float(m.group(3)) for m in _ANALYSED.finditer(log.read_text())]
    return times[1:]  # the first open is the one before the rounds


def bench_analysis_ratio(path: Path) -> None:
    fresh = fresh_process_analysis_ms(path)
    early = server_analysis_ms(path)
    settled = server_analysis_ms(path, settle_s=8.0)
    print(
        f"full analysis, {_label(path)}: fresh process median {fresh:.0f} ms; in the server "
        f"right after open median {statistics.median(early):.0f} ms "
        f"({statistics.median(early) / fresh:.2f}x), after 8 s median "
        f"{statistics.median(settled):.0f} ms ({statistics.median(settled) / fresh:.2f}x)"
    )


def bench_first_answers(path: Path, runs: int = 3) -> None:
    """Start a server, open the file at once: first diagnostics, then the first quick fix
    (asked on those diagnostics; also timed from the didOpen)."""
    opens, fixes, starts, open_to_fix = [], [], [], []
    for _ in range(runs):
        client = WireClient()
        client.initialize()
        starts.append((time.perf_counter() - client.started) * 1000)
        uri = path.as_uri()
        opened = time.perf_counter()
        took, diagnostics = _open_diagnostics(client, uri, path.read_text())
        opens.append(took)
        # at once, on the diagnostics just published: the first that offers a fix (its data
        # names a target and no blocker), so that the answer holds an edit
        fixable = [
            d
            for d in diagnostics
            if (d.get("data") or {}).get("target") and not d["data"].get("blocker")
        ]
        started = time.perf_counter()
        if fixable:
            d = fixable[0]
            params = {"range": d["range"], "context": {"diagnostics": [d]}}
            actions = client.request(
                "textDocument/codeAction", {"textDocument": {"uri": uri}, **params}
            )
            fixes.append((time.perf_counter() - started) * 1000)
            open_to_fix.append((time.perf_counter() - opened) * 1000)
            if not any((a or {}).get("edit") for a in actions or ()):
                print(f"  (no edit came back for {d['message'][:80]!r})")
        client.close()
    nan = float("nan")
    print(
        f"fresh server, {_label(path)}: initialize answered median {statistics.median(starts):.0f}"
        f" ms; didOpen -> first diagnostics median {statistics.median(opens):.0f} ms "
        f"(max {max(opens):.0f}); first quick fix median "
        f"{statistics.median(fixes) if fixes else nan:.0f} ms after them, "
        f"{statistics.median(open_to_fix) if open_to_fix else nan:.0f} ms after the didOpen "
        f"({runs} runs)"
    )


def _typing_line(lines: list[str]) -> int:
    """A statement line inside a method in the middle of the file (8-space indent)."""
    middle = len(lines) // 2
    for index in sorted(range(len(lines)), key=lambda i: abs(i - middle)):
        line = lines[index]
        nxt = lines[index + 1] if index + 1 < len(lines) else ""
        if (
            re.match(r"        [a-z_]\w* = ", line)
            and line.rstrip().endswith(")")
            and nxt.startswith("        ")
            and not nxt.startswith("         ")
        ):
            return index
    raise ValueError("no statement line inside a method")


def bench_keystrokes(path: Path, statement: str = "y = torch.flatten(x, 1)") -> None:
    """Type a new statement, one key at a time (10 keys/s), on a new line inside a method in
    the middle of the file; time each ranged didChange until its diagnostics arrive.
    Half-typed states (`y = torch.fl`) do not parse, as in real typing."""
    text = path.read_text()
    lines = text.split("\n")
    at = _typing_line(lines)
    client = WireClient()
    client.initialize()
    uri = path.as_uri()
    _open(client, uri, text)
    time.sleep(3)  # past the start-up work, as when a user has had the file open a while
    client.drain()
    version = 2
    end = len(lines[at])
    keys = ["\n        ", *statement]
    times = []
    for key in keys:
        tick = time.perf_counter()
        _change(client, uri, version, at, end, key)
        arrived, _ = _diagnostics(client, uri)
        times.append((arrived - tick) * 1000)
        if key.startswith("\n"):
            at, end = at + 1, 8
        else:
            end += len(key)
        version += 1
        time.sleep(max(0.0, 0.1 - (time.perf_counter() - tick)))
    client.close()
    print(
        f"diagnostics after each keystroke, {_label(path)}, typing at line {at:,}: p50 "
        f"{percentile(times, 50):.0f} ms, max {max(times):.0f} ms ({len(times)} keys)"
    )


def bench_hover_while_editing(path: Path, seconds: float = 5.0) -> None:
    """Hovers on torch names while another thread edits the file 20 times a second."""
    from server.analysis.references import find_torch_references

    text = path.read_text()
    lines = text.split("\n")
    at = _typing_line(lines)
    refs = [r for r in find_torch_references(text).references if r.span.line < at]
    client = WireClient()
    client.initialize()
    uri = path.as_uri()
    _open(client, uri, text)
    time.sleep(3)
    stop = threading.Event()

    def edit() -> None:
        version = 2
        while not stop.is_set():
            tick = time.perf_counter()
            text = "# x" if version % 2 == 0 else ""
            if version % 2 == 0:
                _change(client, uri, version, at, len(lines[at]), "  # x")
            else:
                client.notify(
                    "textDocument/didChange",
                    {
                        "textDocument": {"uri": uri, "version": version},
                        "contentChanges": [
                            {
                                "range": {
                                    "start": {"line": at, "character": len(lines[at])},
                                    "end": {"line": at, "character": len(lines[at]) + 5},
                                },
                                "text": text,
                            }
                        ],
                    },
                )
            version += 1
            stop.wait(max(0.0, 0.05 - (time.perf_counter() - tick)))

    editor = threading.Thread(target=edit, daemon=True)
    editor.start()
    times = []
    deadline = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < deadline:
        ref = refs[i % len(refs)]
        i += 1
        started = time.perf_counter()
        arrived, _ = client.request_timed(
            "textDocument/hover",
            {
                "textDocument": {"uri": uri},
                "position": {"line": ref.span.line, "character": ref.span.col + 1},
            },
        )
        times.append((arrived - started) * 1000)
    stop.set()
    editor.join()
    client.close()
    print(
        f"hover while editing at 20 edits/s, {_label(path)}: p50 {percentile(times, 50):.2f} ms,"
        f" p99 {percentile(times, 99):.2f} ms, max {max(times):.1f} ms ({len(times)} hovers)"
    )


def scan_tree() -> Path:
    """At least 100,000 lines of real PyTorch code: the shared corpus when present, else
    torch's own sources."""
    if (CORPUS / "torchtitan").is_dir():
        return CORPUS / "torchtitan"
    import torch

    return Path(torch.__file__).parent / "nn"


def _cpu_seconds() -> float:
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench_scan(jobs_list: tuple[int, ...] = (1, 0), rounds: int = 3) -> None:
    """The scan (walk, analysis, assessment) of a 100,000-line tree, in one process and on
    every core (`jobs=0`), interleaved `rounds` times (the machine is shared: the best round
    is the least disturbed one); the results are compared."""
    from mapping_db.store import load_database
    from server.scan.walk import scan_paths, worker_count

    tree = scan_tree()
    db = load_database()
    results: dict[int, list] = {}
    walls: dict[int, list[float]] = {jobs: [] for jobs in jobs_list}
    cpus: dict[int, list[float]] = {jobs: [] for jobs in jobs_list}
    lines = files = 0
    for _ in range(rounds):
        for jobs in jobs_list:
            cpu, started = _cpu_seconds(), time.perf_counter()
            reports = scan_paths([tree], db, "CPU", jobs=jobs)
            walls[jobs].append(time.perf_counter() - started)
            cpus[jobs].append(_cpu_seconds() - cpu)
            lines, files = sum(r.lines for r in reports), len(reports)
            results[jobs] = [
                (r.path, r.lines, r.syntax_error, r.skipped,
                 [(a.reference, a.kind, a.message) for a in r.assessments])
                for r in reports
            ]  # fmt: skip
    for jobs in jobs_list:
        workers = worker_count(jobs, [Path(p) for p, *_ in results[jobs]])
        best = min(walls[jobs])
        print(
            f"scan {tree.name} ({files} files, {lines:,} lines), {workers} process(es): best "
            f"{best:.2f} s ({lines / best:,.0f} lines/s), median "
            f"{statistics.median(walls[jobs]):.2f} s; CPU {statistics.median(cpus[jobs]):.2f} s"
            f" ({rounds} rounds)"
        )
    if len(results) > 1:
        same = len({repr(r) for r in results.values()}) == 1
        print(f"scan results identical across process counts: {same}")


def bench_initialize(runs: int = 5) -> None:
    times = []
    for _ in range(runs):
        client = WireClient()
        client.initialize()
        times.append((time.perf_counter() - client.started) * 1000)
        client.close()
    code = (
        "import time; t = time.perf_counter(); import server.lsp.server; "
        "print((time.perf_counter() - t) * 1000)"
    )
    run = [sys.executable, "-c", code]
    imports = [
        float(subprocess.run(run, capture_output=True, text=True, cwd=ROOT).stdout)
        for _ in range(3)
    ]
    print(
        f"server start -> initialize answered: median {statistics.median(times):.0f} ms "
        f"(min {min(times):.0f}, {runs} runs); import of server.lsp.server alone: median "
        f"{statistics.median(imports):.0f} ms"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", help="run only the benchmarks whose name contains this")
    args = parser.parse_args(argv)
    benches = {
        "initialize": lambda: bench_initialize(),
        "first": lambda: bench_first_answers(LONG_FILE),
        "ratio": lambda: [bench_analysis_ratio(p) for p in (LONG_FILE, CLASS_FILE)],
        "keys": lambda: [bench_keystrokes(p) for p in (LONG_FILE, CLASS_FILE)],
        "hover": lambda: bench_hover_while_editing(CLASS_FILE),
        "scan": lambda: bench_scan(),
    }
    for name, run in benches.items():
        if args.only is None or args.only in name:
            run()


if __name__ == "__main__":
    main()
