"""Graph-mode rules: each flagged pattern fails to compile with the installed mindspore, its
clean counterpart compiles, and the analysis flags exactly the failing ones."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from server.analysis.references import find_torch_references
from server.analysis.rules import PATTERN_PREFIX, RULES
from tests.lsp_helpers import SERVER, diagnostics_after, hover_text, open_document
from tests.rule_fixtures import GRAPH_DATA, graph_cases, works_cases

# case -> the rule the analysis must report, the flag and clean files, mindspore 2.10's error
CASES = graph_cases()
WORKS = works_cases()


def graph_rules(source: str) -> list[str]:
    refs = find_torch_references(source).references
    prefix = PATTERN_PREFIX + "graph-"
    return [
        r.qualified_name[len(PATTERN_PREFIX) :] for r in refs if r.qualified_name.startswith(prefix)
    ]


def test_every_failing_case_has_an_expectation() -> None:
    assert all(case.error for case in CASES.values()), "a flag file lacks its error line"
    assert all(case.good.is_file() for case in CASES.values()), "a flag file lacks its clean"
    assert {case.rule for case in CASES.values()} == {
        rule_id for rule_id, rule in RULES.items() if rule.kind == "graph_mode"
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_analysis_flags_the_failing_variant_only(case: str) -> None:
    expected = CASES[case]
    assert expected.rule in graph_rules(expected.bad.read_text())
    assert graph_rules(expected.good.read_text()) == []


@pytest.mark.parametrize("case", sorted(WORKS))
def test_analysis_leaves_supported_python_alone(case: str) -> None:
    assert graph_rules(WORKS[case].read_text()) == []


def _probe_batch(variant: str, tmp: Path) -> dict[str, str]:
    """probe.py runs every case's variant in one child; mindspore writes its IR dumps to cwd."""
    cmd = [sys.executable, str(GRAPH_DATA / "probe.py"), "all", variant, "--batch"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp)
    results = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            results[row["case"]] = row[variant]
    assert results, f"probe produced nothing: {proc.stderr[-2000:]}"
    return results


def test_installed_mindspore_rejects_each_flagged_pattern(tmp_path: Path) -> None:
    """Compile every case's files with mindspore.jit on CPU: flag fails as expected, clean runs."""
    (tmp_path / "bad").mkdir()
    (tmp_path / "good").mkdir()
    with ThreadPoolExecutor(2) as pool:
        bad_run = pool.submit(_probe_batch, "bad", tmp_path / "bad")
        good_run = pool.submit(_probe_batch, "good", tmp_path / "good")
        bad, good = bad_run.result(), good_run.result()
    assert set(bad) == set(good) == set(CASES)
    for case, expected in CASES.items():
        assert expected.error in bad[case], (case, bad[case])
        assert good[case] == "ok", (case, good[case])


TORCH_MODEL = """\
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.heads = [nn.Linear(4, 4), nn.Linear(4, 4)]
        self.layers = nn.ModuleList([nn.Linear(4, 4), nn.ReLU()])
        try:
            self.extra = nn.Identity()
        except ImportError:
            pass

    def steps(self, x):
        for layer in self.layers:
            yield layer(x)

    def forward(self, x):
        with torch.no_grad():
            y = x * 2
        out = sum(self.steps(y))
        for layer in reversed(self.layers):
            out = layer(out)
        scale = nn.Parameter(torch.ones(4))
        return out * scale

    def export(self, path):
        try:
            torch.save(self.state_dict(), path)
        except OSError:
            pass


class Helper:
    def forward(self, x):
        try:
            return x
        finally:
            pass
"""


def test_torch_module_findings() -> None:
    found = graph_rules(TORCH_MODEL)
    # __init__'s try, export's try (not called from forward) and the non-Module class are left
    assert sorted(found) == sorted(
        [
            "graph-cell-container",
            "graph-yield",
            "graph-with",
            "graph-reversed",
            "graph-parameter",
        ]
    )


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def graph_client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("neovim@v0.7.0"),
            initialization_options={
                "executionMode": "graph",
                "doctorAtStart": False,
                "jedi": False,
            },
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_graph_mode_diagnostics_and_hover(graph_client: LanguageClient) -> None:
    uri = "file:///tmp/mindport_test/graph.py"
    await open_document(graph_client, TORCH_MODEL, uri=uri)
    diagnostics = await diagnostics_after(graph_client, uri=uri)
    graph = [d for d in diagnostics if d.code == "graph-mode"]
    assert len(graph) == 5
    assert all(d.severity == types.DiagnosticSeverity.Error for d in graph)
    with_line = TORCH_MODEL.splitlines().index("        with torch.no_grad():")
    with_diag = next(d for d in graph if d.range.start.line == with_line)
    assert (with_diag.range.start.character, with_diag.range.end.character) == (8, 12)
    assert "stop_gradient" in with_diag.message
    text = await hover_text(graph_client, types.Position(with_line, 9), uri=uri)
    assert "graph mode (mindspore.jit) does not compile this" in text

    # back to PyNative: the graph-mode findings go away
    graph_client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"mindport": {"mode": "pynative"}})
    )
    diagnostics = await diagnostics_after(graph_client, uri=uri)
    assert [d for d in diagnostics if d.code == "graph-mode"] == []
    assert any("torch.nn.Linear" in d.message for d in diagnostics)
