"""Graph-mode rules: each flagged pattern fails to compile with the installed mindspore, its
clean counterpart compiles, and the analysis flags exactly the failing ones."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from server.advice.compliance import RULES
from server.analysis.references import find_torch_references
from tests.test_lsp_server import SERVER, diagnostics_after, hover_text, open_document

HERE = Path(__file__).parent / "data" / "graph_mode"
_spec = importlib.util.spec_from_file_location("graph_mode_cases", HERE / "cases.py")
cases = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cases)

# case -> (the rule the analysis must report, a fragment of mindspore 2.10's error)
EXPECTED: dict[str, tuple[str, str]] = {
    "try_except": ("graph-try", "Unsupported statement 'Try'"),
    "try_finally": ("graph-try", "Unsupported statement 'Try'"),
    "yield_in_helper": ("graph-yield", "Unsupported expression 'Yield'"),
    "yield_from": ("graph-yield", "Unsupported expression 'YieldFrom'"),
    "with_statement": ("graph-with", "Only support jit_class instance"),
    "del_local": ("graph-del", "Unsupported statement 'Delete'"),
    "nonlocal": ("graph-nonlocal", "Unsupported statement 'Nonlocal'"),
    "async_def": ("graph-async", "Parse Lambda Function Fail"),
    "import_in_construct": ("graph-import", "Unsupported statement 'Import'"),
    "class_in_construct": ("graph-class", "Unsupported statement 'ClassDef'"),
    "walrus": ("graph-walrus", "Unsupported expression 'NamedExpr'"),
    "match_statement": ("graph-match", "Unsupported statement 'Match'"),
    "set_literal": ("graph-set", "Unsupported expression 'Set'"),
    "set_comprehension": ("graph-set", "Unsupported expression 'SetComp'"),
    "custom_exception": ("graph-raise", "Unsupported exception type: ShapeError"),
    "recursion_tensor": ("graph-recursion", "Exceed function call depth limit"),
    "list_of_cells": ("graph-cell-container", "already exists"),
    "tuple_of_cells": ("graph-cell-container", "already exists"),
    "dict_of_cells": ("graph-cell-container", "already exists"),
    "celllist_reversed": ("graph-reversed", "Unsupported element type"),
    "parameter_in_construct": ("graph-parameter", "creating class"),
    "lambda_default_loop_var": ("graph-lambda-default", "Illegal AnfNode"),
    "comprehension_tensor_filter": ("graph-tensor-filter", "is not subscriptable"),
}


def graph_rules(source: str) -> list[str]:
    refs = find_torch_references(source).references
    prefix = "pattern:graph-"
    return [
        r.qualified_name[len("pattern:") :] for r in refs if r.qualified_name.startswith(prefix)
    ]


def test_every_failing_case_has_an_expectation() -> None:
    assert set(EXPECTED) == set(cases.CASES)
    assert {rule for rule, _ in EXPECTED.values()} <= set(RULES)
    assert all(RULES[rule].kind == "graph_mode" for rule, _ in EXPECTED.values())


@pytest.mark.parametrize("case", sorted(cases.CASES))
def test_analysis_flags_the_failing_variant_only(case: str) -> None:
    bad, good = cases.CASES[case]
    rule = EXPECTED[case][0]
    assert rule in graph_rules(bad)
    assert graph_rules(good) == []


@pytest.mark.parametrize("case", sorted(cases.WORKS))
def test_analysis_leaves_supported_python_alone(case: str) -> None:
    assert graph_rules(cases.WORKS[case]) == []


def _probe_batch(variant: str, tmp: Path) -> dict[str, str]:
    """probe.py runs every case's variant in one child; mindspore writes its IR dumps to cwd."""
    cmd = [sys.executable, str(HERE / "probe.py"), "all", variant, "--batch"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp)
    results = {}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            row = json.loads(line)
            results[row["case"]] = row[variant]
    assert results, f"probe produced nothing: {proc.stderr[-2000:]}"
    return results


def test_installed_mindspore_rejects_each_flagged_pattern(tmp_path: Path) -> None:
    """Compile every CASES module with mindspore.jit on CPU: bad fails as expected, good runs."""
    (tmp_path / "bad").mkdir()
    (tmp_path / "good").mkdir()
    with ThreadPoolExecutor(2) as pool:
        bad_run = pool.submit(_probe_batch, "bad", tmp_path / "bad")
        good_run = pool.submit(_probe_batch, "good", tmp_path / "good")
        bad, good = bad_run.result(), good_run.result()
    assert set(bad) == set(good) == set(cases.CASES)
    for case, (_, fragment) in EXPECTED.items():
        assert fragment in bad[case], (case, bad[case])
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
