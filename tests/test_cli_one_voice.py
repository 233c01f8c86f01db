"""The editor and `mindport scan` give the same findings, at the same levels, with the same
words, for the same file: one finding policy, one advice text."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.lsp_helpers import SERVER, diagnostics_after, hover_text, open_document

ROOT = Path(__file__).resolve().parent.parent
TRAIN = ROOT / "examples" / "resnet50" / "train.py"
LEVELS = {"error": 1, "warning": 2, "information": 3, "hint": 4}


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("neovim@v0.7.0"),
            initialization_options={"device": "CPU", "doctorAtStart": False, "jedi": False},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_diagnostics_are_the_scan_findings(client: LanguageClient) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "server.cli", "scan", str(TRAIN), "--format", "json", "-q"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    scanned = {
        (f["line"] - 1, f["column"] - 1, LEVELS[f["severity"]], f["message"])
        for f in json.loads(out.stdout)["findings"]
        if f["severity"] != "off"
    }
    uri = TRAIN.as_uri()
    await open_document(client, TRAIN.read_text(encoding="utf-8"), uri=uri)
    diagnostics = await diagnostics_after(client, uri=uri)
    published = {
        (d.range.start.line, d.range.start.character, d.severity.value, d.message)
        for d in diagnostics
    }
    assert scanned and published == scanned
    # torch.no_grad: dropped by the port, a warning in both
    (no_grad,) = [d for d in diagnostics if d.message.startswith("torch.no_grad ")]
    assert no_grad.severity == types.DiagnosticSeverity.Warning
    # the hover leads with the same action the diagnostic starts with
    hovered = await hover_text(client, no_grad.range.start, uri=uri)
    action = no_grad.message.split(": ", 1)[1].split(". ")[0]
    assert hovered is not None and action in hovered
