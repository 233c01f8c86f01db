"""`mindport profile`: per-layer forward and backward time in both frameworks (real runs)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from server.runner.profile import merge, render_profile

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "align"
MINDPORT = Path(sys.executable).with_name("mindport")
LEAVES = {"stem", "bn", "blocks.0.conv", "blocks.0.act", "blocks.1.conv", "blocks.1.act", "head"}


def profile(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MINDPORT), "profile", *args], capture_output=True, text=True, timeout=600, cwd=ROOT
    )


def test_every_layer_is_timed_in_both_frameworks() -> None:
    done = profile(
        f"{DATA / 'tiny_torch.py'}::make_net",
        "--ms",
        str(DATA / "tiny_ms.py"),
        "--repeat",
        "2",
        "--json",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(done.stdout)
    rows = result["layers"]
    assert {r["path"] for r in rows} == LEAVES
    for row in rows:
        for key in ("forward_ms_torch", "forward_ms_ms", "backward_ms_torch", "backward_ms_ms"):
            assert row[key] is not None and row[key] >= 0, (row["path"], key)
        assert row["ratio"] == row["total_ms_ms"] / row["total_ms_torch"]
    costs = [max(r["total_ms_torch"], r["total_ms_ms"]) for r in rows]
    assert costs == sorted(costs, reverse=True)
    types = {r["path"]: (r["type"], r["type_ms"]) for r in rows}
    assert types["head"] == ("torch.nn.modules.linear.Linear", "mindspore.nn.layer.basic.Dense")
    totals = result["totals"]
    assert totals["step_ms_torch"] > 0 and totals["step_ms_ms"] > 0
    assert totals["step_ratio"] == totals["step_ms_ms"] / totals["step_ms_torch"]
    assert totals["peak_mib_torch"] > 50 and totals["peak_mib_ms"] > 50
    assert not Path(result["workdir"]).exists()


def test_a_model_that_raises_is_reported_with_its_line() -> None:
    done = profile(
        f"{DATA / 'raises_torch.py'}::make_net", "--ms", str(DATA / "raises_ms.py"), "--repeat", "1"
    )
    assert done.returncode == 3
    line = next(
        n
        for n, text in enumerate((DATA / "raises_torch.py").read_text().splitlines(), 1)
        if "y.view(3, 7)" in text
    )
    assert done.stdout.strip().startswith(f"{DATA / 'raises_torch.py'}:{line}: error:")


def test_merge_pairs_layers_by_path_and_sums() -> None:
    torch = {
        "step_ms": 2.0,
        "forward_ms": 1.0,
        "peak_mib": 10.0,
        "peak_kind": "rss",
        "layers": [
            {"path": "a", "type": "A", "calls": 2, "forward_ms": 1.0, "backward_ms": 1.0},
            {"path": "b", "type": "B", "calls": 1, "forward_ms": 0.5, "backward_ms": None},
        ],
    }
    ms = {
        "step_ms": 6.0,
        "forward_ms": 2.0,
        "peak_mib": 20.0,
        "peak_kind": "rss",
        "layers": [
            {"path": "b", "type": "Bm", "calls": 1, "forward_ms": 3.0, "backward_ms": None},
            {"path": "c", "type": "Cm", "calls": 1, "forward_ms": 0.1, "backward_ms": 0.1},
        ],
    }
    merged = merge(torch, ms)
    paths = [r["path"] for r in merged["layers"]]
    assert paths == ["a", "b", "c"]  # by cost: a 4 ms (2 calls), b 3 ms, c 0.2 ms
    a, b, c = merged["layers"]
    assert (a["total_ms_torch"], a["total_ms_ms"], a["ratio"]) == (4.0, None, None)
    assert (b["total_ms_torch"], b["total_ms_ms"], b["ratio"]) == (0.5, 3.0, 6.0)
    assert c["type"] is None and c["type_ms"] == "Cm"
    assert merged["totals"]["step_ratio"] == 3.0
    assert merged["totals"]["layers_ms_torch"] == 4.5
    lines = render_profile(
        {
            "torch": {"file": "m.py", "factory": "f", "version": "2"},
            "mindspore": {"version": "2.10"},
            "device": "CPU",
            "repeat": 3,
            **merged,
        },
        limit=2,
    )
    assert "... 1 more layers" in "\n".join(lines)
    assert lines[-4].startswith("step (forward + backward): torch 2.000 ms, MindSpore 6.000 ms")
