"""Print mindport's performance figures (targets: docs/architecture.md, "Performance targets").

Run with `make bench`. Figures only: nothing here asserts a time. The first part runs on
real, public files (`bench/data/`, `bench/real_files.py`); the second on a generated
5,000-line file, kept for comparison with earlier figures.
"""

from __future__ import annotations

import itertools
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import real_files  # noqa: E402
from bench.lsp_wire import WireClient  # noqa: E402
from server.analysis.references import find_torch_references  # noqa: E402

EXAMPLE = ROOT / "examples" / "resnet50" / "model.py"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def generated_source(lines: int = 5000) -> str:
    """A realistic-looking model file of about `lines` lines."""
    head = (
        "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"
        "from torch import Tensor\n\n"
    )
    block = '''
class Block{n}(nn.Module):
    """Block {n}."""

    def __init__(self, channels: int = 64) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(channels)
        self.fc = nn.Linear(channels, channels)

    def forward(self, x: Tensor) -> Tensor:
        y = F.relu(self.bn(self.conv(x)))
        y = torch.flatten(y, 1)
        y = y.view(y.size(0), -1)
        return self.fc(y) + torch.sigmoid(y)
'''
    parts = [head]
    n = 0
    while sum(p.count("\n") for p in parts) < lines:
        parts.append(block.format(n=n))
        n += 1
    return "".join(parts)


def bench_start(runs: int = 5) -> None:
    times = []
    for _ in range(runs):
        client = WireClient()
        client.initialize()
        times.append((time.perf_counter() - client.started) * 1000)
        client.close()
    print(
        f"server start -> initialize answered: median {statistics.median(times):.0f} ms "
        f"(min {min(times):.0f}, {runs} runs)"
    )


def hover_positions(source: str) -> list[tuple[int, int]]:
    result = find_torch_references(source)
    return [(r.span.line, r.span.col + 1) for r in result.references]


def bench_hover(client: WireClient, uri: str, source: str, label: str, rounds: int = 2000) -> None:
    positions = hover_positions(source)
    times = []
    for i in range(rounds):
        line, col = positions[i % len(positions)]
        started = time.perf_counter()
        client.request(
            "textDocument/hover",
            {"textDocument": {"uri": uri}, "position": {"line": line, "character": col}},
        )
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"hover round trip, {label}: p50 {percentile(times, 50):.2f} ms, "
        f"p99 {percentile(times, 99):.2f} ms ({rounds} hovers over stdio)"
    )


def bench_in_process_hover(source: str, label: str, rounds: int = 20000) -> None:
    from mapping_db.store import load_database
    from server.advice.hover_text import hover_markdown

    db = load_database()
    result = find_torch_references(source)
    positions = hover_positions(source)
    times = []
    for i in range(rounds):
        line, col = positions[i % len(positions)]
        started = time.perf_counter()
        ref = result.reference_at(line, col)
        if ref is not None:
            hover_markdown(db, ref.qualified_name, "CPU")
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"hover work in process, {label}: p50 {percentile(times, 50) * 1000:.1f} us, "
        f"p99 {percentile(times, 99) * 1000:.1f} us"
    )


def open_doc(client: WireClient, uri: str, text: str) -> None:
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": text}},
    )
    client.wait_notification("textDocument/publishDiagnostics")


_VERSIONS = itertools.count(2)


def bench_diagnostics_after_edit(
    client: WireClient, uri: str, source: str, edits: int = 20, line: int = 0
) -> None:
    """Insert a comment line at `line`; line 0 is the worst case (every finding moves)."""
    times = []
    for _ in range(edits):
        version = next(_VERSIONS)
        started = time.perf_counter()
        client.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [
                    {
                        "range": {
                            "start": {"line": line, "character": 0},
                            "end": {"line": line, "character": 0},
                        },
                        "text": f"# edit {version}\n",
                    }
                ],
            },
        )
        at, _ = client.wait_notification("textDocument/publishDiagnostics")
        times.append((at - started) * 1000)
    lines = source.count("\n")
    print(
        f"diagnostics after an edit at line {line:,}, {lines:,}-line file: "
        f"median {statistics.median(times):.1f} ms, max {max(times):.1f} ms ({edits} edits)"
    )


def bench_full_analysis(source: str, rounds: int = 5) -> None:
    from server.analysis.incremental import analyse_module

    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        analyse_module(source)
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"full analysis (parse + resolve), {source.count(chr(10)):,}-line file: "
        f"median {statistics.median(times):.1f} ms"
    )


def bench_quick_fix(client: WireClient, uri: str, rounds: int = 50) -> None:
    # a no-op edit makes the server publish the current diagnostics, with their fix data
    client.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 1000},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": 0, "character": 0},
                        "end": {"line": 0, "character": 0},
                    },
                    "text": "",
                }
            ],
        },
    )
    _, message = client.wait_notification("textDocument/publishDiagnostics")
    diags = [d for d in message["params"]["diagnostics"] if d.get("data")]
    times = []
    for i in range(rounds):
        diag = diags[i % len(diags)]
        started = time.perf_counter()
        client.request(
            "textDocument/codeAction",
            {
                "textDocument": {"uri": uri},
                "range": diag["range"],
                "context": {"diagnostics": [diag]},
            },
        )
        times.append((time.perf_counter() - started) * 1000)
    print(
        f"quick fix (code action round trip): p50 {percentile(times, 50):.2f} ms, "
        f"p99 {percentile(times, 99):.2f} ms ({rounds} requests)"
    )


def bench_db_load() -> None:
    import subprocess

    code = (
        "import time; t=time.perf_counter(); from mapping_db.store import load_database; "
        "db=load_database(); print((time.perf_counter()-t)*1000, len(db))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    ms, count = out.stdout.split()
    print(f"mapping database load (fresh process): {float(ms):.1f} ms for {int(count):,} entries")


def main() -> None:
    print(f"mindport benchmarks, Python {sys.version.split()[0]}")
    print("-- real files (bench/data/) --")
    real_files.main([])
    print("-- generated file --")
    bench_db_load()
    bench_start()
    client = WireClient()
    client.initialize()
    example_uri = EXAMPLE.as_uri()
    example = EXAMPLE.read_text()
    open_doc(client, example_uri, example)
    bench_hover(client, example_uri, example, "examples/resnet50/model.py")
    big = generated_source(5000)
    big_uri = "file:///tmp/mindport_bench/generated.py"
    open_doc(client, big_uri, big)
    bench_hover(client, big_uri, big, "generated 5,000-line file")
    bench_in_process_hover(big, "generated 5,000-line file")
    bench_full_analysis(big)
    bench_diagnostics_after_edit(client, big_uri, big, line=0)
    bench_diagnostics_after_edit(client, big_uri, big, line=2500)
    bench_quick_fix(client, big_uri)
    client.close()
    from bench.align_overhead import main as bench_align_overhead

    bench_align_overhead()
    from bench.convert_rate import main as bench_convert_rate

    bench_convert_rate([])


if __name__ == "__main__":
    main()
