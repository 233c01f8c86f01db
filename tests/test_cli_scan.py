"""`mindport scan` end to end: linter lines, the per-API table, statistics, terminal widths,
piped output, JSON/SARIF, exit codes, bad input."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from mapping_db.store import load_database
from server.scan.findings import ScanResult, collect, summary_line
from server.scan.terminal import render_lines, render_statistics, render_table
from server.scan.walk import scan_paths
from server.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
LINE = re.compile(r"^(?P<path>[^:\s]+\.py):(?P<line>\d+):(?P<col>\d+): "
                  r"(?P<level>error|warning|information|hint) (?P<message>.+)$")  # fmt: skip


def scan(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "scan", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def example_result() -> ScanResult:
    reports = scan_paths([Path("examples")], load_database(), "CPU")
    return collect(reports, Settings())


def squeeze(text: str) -> str:
    """Text with all whitespace removed: wrapping must not lose or cut a character."""
    return re.sub(r"\s+", "", text)


# -- the default: one finding per line, like a linter ----------------------------------------


def test_piped_output_is_one_finding_per_line_sorted_and_grouped_by_file() -> None:
    out = scan("examples", "-q", env={"COLUMNS": "40"})
    assert out.returncode == 1  # torch.nn.init.* and TensorDataset have no equivalent
    body, _, summary = out.stdout.rstrip("\n").rpartition("\n\n")
    findings = [LINE.match(line) for line in body.splitlines() if line]
    assert findings and all(findings), body
    keys = [(m["path"], int(m["line"]), int(m["col"])) for m in findings]
    assert keys == sorted(keys)
    # a blank line between files, none inside one; COLUMNS does not wrap piped output
    assert body.count("\n\n") == len({k[0] for k in keys}) - 1
    assert max(len(line) for line in body.splitlines()) > 40
    conv = next(m for m in findings if "torch.nn.Conv2d" in m["message"])
    assert conv["level"] == "warning"
    assert conv["message"].startswith("torch.nn.Conv2d → mindspore.nn.Conv2d: ")
    source = (ROOT / conv["path"]).read_text().splitlines()[int(conv["line"]) - 1]
    assert source[int(conv["col"]) - 1 :].startswith("nn.Conv2d")
    files = len(list(EXAMPLES.rglob("*.py")))
    assert "findings" in summary and f"{files} files scanned" in summary


def test_counts_say_what_they_count(example_result: ScanResult) -> None:
    text = summary_line(example_result)
    findings = example_result.findings
    apis = {f.api for f in findings}
    levels = example_result.count_levels()
    assert text.startswith(f"{len(findings)} findings (")
    assert f"{levels['error']} errors" in text and f"{levels['warning']} warnings" in text
    assert f"{len(apis)} distinct torch APIs or constructs in {len(findings)} places" in text
    assert sum(levels.values()) == len(findings)


def test_no_grad_is_dropped_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text(
        "import torch\nwith torch.no_grad():\n    y = 1\n", encoding="utf-8"
    )
    out = scan(str(tmp_path), "-q")
    assert out.returncode == 0, out.stdout
    (line,) = [m for m in map(LINE.match, out.stdout.splitlines()) if m]
    assert line["level"] == "warning" and "Drop the block" in line["message"]


@pytest.mark.parametrize("width", [80, 120, 200])
def test_terminal_lines_wrap_to_the_width_and_cut_nothing(
    example_result: ScanResult, width: int
) -> None:
    buffer = io.StringIO()
    render_lines(example_result, Console(file=buffer, width=width), plain=False)
    text = buffer.getvalue()
    assert all(len(line.rstrip()) <= width for line in text.splitlines())
    assert "…" not in text
    flat = squeeze(text)
    for f in example_result.findings:
        assert squeeze(f"{f.path}:{f.line}:{f.column}:") in flat
        assert squeeze(f.message) in flat or all(
            squeeze(part) in flat for part in f.message.split(": ", 1)
        ), f.message


@pytest.mark.parametrize("width", [80, 120, 200])
def test_the_table_names_each_api_once_with_advice_files_and_lines(
    example_result: ScanResult, width: int
) -> None:
    buffer = io.StringIO()
    render_table(example_result, Console(file=buffer, width=width), plain=False, device="CPU")
    text = buffer.getvalue()
    assert all(len(line.rstrip()) <= width for line in text.splitlines())
    assert "…" not in text
    flat = squeeze(text)
    conv = [f for f in example_result.findings if f.api == "torch.nn.Conv2d"]
    for path in {f.path for f in conv}:
        lines = ", ".join(str(n) for n in sorted({f.line for f in conv if f.path == path}))
        assert squeeze(f"{path}:{lines}") in flat
    assert squeeze("torch.nn.Conv2d → mindspore.nn.Conv2d") in flat
    for _, a in example_result.inventory:  # consistent APIs too: it is the inventory
        for part in a.advice.parts if a.advice else (a.message.split(": ", 1)[-1],):
            assert squeeze(part.rstrip(". ")) in flat, part
    assert "torch.nn.functional.relu" in text  # consistent, listed


def test_table_piped_is_plain_lines(example_result: ScanResult) -> None:
    out = scan("examples", "-q", "--format", "table")
    assert out.returncode == 1
    assert "torch.nn.Conv2d → mindspore.nn.Conv2d: differences, " in out.stdout
    assert "\n    examples/resnet50/model.py:" in out.stdout
    assert "┃" not in out.stdout and "…" not in out.stdout


@pytest.mark.parametrize("width", [80, 120, 200])
def test_statistics_count_places_and_apis_apart(example_result: ScanResult, width: int) -> None:
    buffer = io.StringIO()
    render_statistics(example_result, Console(file=buffer, width=width), plain=False)
    rows = [line.split() for line in buffer.getvalue().splitlines()[1:] if line.strip()]
    assert sum(int(r[0]) for r in rows) == len(example_result.findings)
    assert all(int(r[1]) <= int(r[0]) for r in rows)
    out = scan("examples", "-q", "--statistics")
    plain = [line.split("\t") for line in out.stdout.splitlines() if "\t" in line][1:]
    assert sum(int(r[0]) for r in plain) == len(example_result.findings)


# -- selecting kinds --------------------------------------------------------------------------


def test_select_and_ignore_by_kind() -> None:
    out = scan("examples", "-q", "--format", "json", "--select", "no-equivalent")
    kinds = {f["kind"] for f in json.loads(out.stdout)["findings"]}
    assert kinds == {"no_equivalent"}
    out = scan("examples", "-q", "--ignore", "no_equivalent,compliance")
    assert out.returncode == 0  # nothing at error level is left
    assert "has no MindSpore equivalent" not in out.stdout
    out = scan("examples", "-q", "--select", "consistent")
    levels = {m["level"] for m in map(LINE.match, out.stdout.splitlines()) if m}
    assert levels == {"hint"}  # off in the settings, asked for: shown as hints


def test_a_bad_kind_is_one_line_with_a_suggestion() -> None:
    out = scan("examples", "--select", "no_equivalnt")
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1
    assert "unknown kind 'no_equivalnt'; did you mean no_equivalent?" in out.stderr


# -- the same bad input, the same answer -----------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["scan", "examples", "--device", "TPU"],
        ["db", "show", "torch.flatten", "--device", "TPU"],
        ["doctor", "--device", "TPU"],
    ],
)
def test_a_bad_device_is_exit_2_and_one_line_everywhere(argv: list[str]) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "server.cli", *argv], capture_output=True, text=True, cwd=ROOT,
        timeout=60,
    )  # fmt: skip
    assert out.returncode == 2 and out.stdout == ""
    assert out.stderr.count("\n") == 1, out.stderr
    assert "argument --device: expected one of CPU, GPU, Ascend, got 'TPU'" in out.stderr


def test_a_folder_without_python_files_says_so(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("torch\n")
    out = scan(str(tmp_path))
    assert out.returncode == 2 and out.stdout == ""
    assert f"no Python files in {tmp_path}; nothing was scanned" in out.stderr


def test_skipped_files_are_listed_apart_and_not_counted(tmp_path: Path) -> None:
    (tmp_path / "blob.py").write_bytes(b"\x00\x01torch\x02")
    out = scan(str(tmp_path), "-q")
    assert out.returncode == 2 and "every file was skipped" in out.stderr
    assert f"{tmp_path / 'blob.py'}: skipped (binary file)" in out.stdout
    (tmp_path / "ok.py").write_text("import torch\nx = torch.flatten(torch.ones(2, 2))\n")
    out = scan(str(tmp_path), "-q")
    assert out.returncode == 0
    assert "1 file scanned (2 lines), 1 skipped." in out.stdout
    data = json.loads(scan(str(tmp_path), "-q", "--format", "json").stdout)
    assert data["files"] == 1 and [s["why"] for s in data["skipped"]] == ["binary file"]


def test_missing_path_and_a_bad_setting_warned_once(tmp_path: Path) -> None:
    out = scan(str(tmp_path / "nope"))
    assert out.returncode == 2 and "no such file or directory" in out.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.mindport]\ndevice = "TPU"\n')
    (tmp_path / "m.py").write_text("import torch\n")
    out = scan("m.py", "-q", cwd=tmp_path)
    assert out.stderr.count("device: expected one of CPU, GPU, Ascend") == 1, out.stderr


def test_help_describes_every_argument_and_the_exit_codes() -> None:
    out = scan("--help")
    text = " ".join(out.stdout.split())
    expected = ["PATH Python files or folders", "--format", "lines: one finding per line",
                "--statistics", "--select KINDS", "--ignore KINDS", "--device",
                "--width"]  # fmt: skip
    for words in expected:
        assert words in text, words
    assert "exit status: 0 no finding at error level, 1 at least one" in text
    assert "2 bad usage or nothing scanned" in text
    top = subprocess.run(
        [sys.executable, "-m", "server.cli", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert "exit status: 0" in " ".join(top.stdout.split())


# -- machine formats -------------------------------------------------------------------------


def test_json_findings_have_positions_kinds_targets_and_counts() -> None:
    out = scan(str(EXAMPLES / "resnet50" / "model.py"), "--format", "json", "-q")
    data = json.loads(out.stdout)
    assert data["files"] == 1 and data["device"] == "CPU"
    conv = [f for f in data["findings"] if f["api"] == "torch.nn.Conv2d"]
    assert conv and conv[0]["kind"] == "differences" and conv[0]["severity"] == "warning"
    assert conv[0]["target"] == "mindspore.nn.Conv2d"
    source = (EXAMPLES / "resnet50" / "model.py").read_text().split("\n")
    line = source[conv[0]["line"] - 1]
    assert line[conv[0]["column"] - 1 :].startswith("nn.Conv2d")
    reported = [f for f in data["findings"] if f["severity"] != "off"]
    assert data["counts"]["places"] == len(reported)
    assert data["counts"]["apis"] == len({f["api"] for f in reported})


def test_sarif_is_valid_shape() -> None:
    out = scan(str(EXAMPLES), "--format", "sarif", "-q")
    sarif = json.loads(out.stdout)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert {r["level"] for r in results} <= {"error", "warning", "note"}
    assert any(r["ruleId"] == "no_equivalent" and r["level"] == "error" for r in results)
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1 and region["startColumn"] >= 1


def test_clean_tree_exits_0_and_device_changes_targets(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text("import torch.nn as nn\nlayer = nn.Conv2d(1, 2, 3)\n")
    out = scan(str(tmp_path), "--format", "json", "--device", "ascend")
    assert out.returncode == 0
    (finding,) = json.loads(out.stdout)["findings"]
    assert finding["target"] == "mindspore.mint.nn.Conv2d"


def test_bad_files_are_reported_not_fatal(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import torch\nx = torch.ones(\n")
    (tmp_path / "blob.py").write_bytes(b"\x00\x01torch\x02")
    (tmp_path / "latin.py").write_bytes("import torch\ns = 'caf\xe9'\n".encode("latin-1"))
    out = scan(str(tmp_path), "--format", "json")
    data = json.loads(out.stdout)
    assert out.returncode == 1  # the syntax error
    assert [e["path"].endswith("broken.py") for e in data["syntax_errors"]] == [True]
    assert [s["why"] for s in data["skipped"]] == ["binary file"]
    lines = scan(str(tmp_path), "-q").stdout
    assert re.search(r"broken\.py:2:1: error syntax error: ", lines), lines
