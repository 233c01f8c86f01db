"""The language server over stdio with a real LSP client (pytest-lsp)."""

from __future__ import annotations

import ast
import asyncio

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.lsp_helpers import (
    SERVER,
    SOURCE,
    URI,
    apply_edits,
    change_document,
    diagnostics_after,
    hover_text,
    open_document,
    position_of,
    utf16_column,
)


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient):
    """A push-diagnostics client (Neovim 0.7 has no textDocument/diagnostic)."""
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("neovim@v0.7.0"),
            initialization_options={"device": "CPU", "doctorAtStart": False, "jedi": False},
        )
    )
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def pull_client(lsp_client: LanguageClient):
    """A pull-diagnostics client (Neovim 0.11)."""
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("neovim@v0.11.0"),
            initialization_options={"doctorAtStart": False, "jedi": False},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_hover_on_torch_references(client: LanguageClient) -> None:
    await open_document(client, SOURCE)
    await diagnostics_after(client)
    conv = await hover_text(client, position_of(SOURCE, "nn.Conv2d", 4))
    assert conv is not None
    assert "**torch.nn.Conv2d** → **mindspore.nn.Conv2d**" in conv
    assert "`has_bias`" in conv
    assert "pytorch_diff/Conv2d.html" in conv
    relu = await hover_text(client, position_of(SOURCE, "F.relu", 2))
    assert relu is not None and "torch.nn.functional.relu" in relu
    sgd = await hover_text(client, position_of(SOURCE, "torch.optim.SGD", 12))
    assert sgd is not None and "**torch.optim.SGD**" in sgd
    base = await hover_text(client, position_of(SOURCE, "nn.Module", 3))
    assert base is not None and "mindspore.nn.Cell" in base
    annotation = await hover_text(client, position_of(SOURCE, "x: Tensor", 4))
    assert annotation is not None and "mindspore.Tensor" in annotation
    assert await hover_text(client, position_of(SOURCE, "super()")) is None


async def test_hover_out_of_range_positions_do_not_break(client: LanguageClient) -> None:
    await open_document(client, SOURCE)
    await diagnostics_after(client)
    assert await hover_text(client, types.Position(500, 3)) is None
    assert await hover_text(client, types.Position(0, 500)) is None
    unknown = "file:///tmp/mindport_test/not_open.py"
    assert await hover_text(client, types.Position(0, 0), uri=unknown) is None
    assert await hover_text(client, position_of(SOURCE, "nn.Conv2d", 4)) is not None


async def test_push_diagnostics_name_the_differences(client: LanguageClient) -> None:
    await open_document(client, SOURCE, version=7)
    diagnostics = await diagnostics_after(client)
    conv = [d for d in diagnostics if "torch.nn.Conv2d" in d.message]
    assert len(conv) == 1
    assert conv[0].severity == types.DiagnosticSeverity.Warning
    assert "has_bias" in conv[0].message
    assert conv[0].range.start == position_of(SOURCE, "nn.Conv2d")
    assert conv[0].data["target"] == "mindspore.nn.Conv2d"
    assert conv[0].data["version"] == 7


async def test_quick_fix_rewrites_the_call_and_adds_the_import(client: LanguageClient) -> None:
    await open_document(client, SOURCE)
    diagnostics = await diagnostics_after(client)
    conv = next(d for d in diagnostics if "torch.nn.Conv2d" in d.message)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            range=conv.range,
            context=types.CodeActionContext(diagnostics=[conv]),
        )
    )
    assert actions
    fix = actions[0]
    assert isinstance(fix, types.CodeAction) and fix.edit is not None
    new_text = apply_edits(SOURCE, list(fix.edit.changes[URI]))
    ast.parse(new_text)
    assert (
        "self.conv = mindspore.nn.Conv2d(3, 8, 3, has_bias=False, pad_mode='pad')"
        "  # keep this comment" in new_text
    )
    assert "from torch import Tensor\nimport mindspore\n" in new_text
    # everything else is untouched
    assert new_text.replace("import mindspore\n", "", 1).count("\n") == SOURCE.count("\n")


async def test_code_action_on_cursor_without_diagnostic(client: LanguageClient) -> None:
    await open_document(client, SOURCE)
    await diagnostics_after(client)
    where = position_of(SOURCE, "torch.flatten", 7)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            range=types.Range(where, where),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert actions
    new_text = apply_edits(SOURCE, list(actions[0].edit.changes[URI]))
    # ops.flatten's second positional parameter is `order`: the fix passes start_dim by name
    assert "return mindspore.ops.flatten(y, start_dim=1)" in new_text


async def test_close_clears_diagnostics(client: LanguageClient) -> None:
    await open_document(client, SOURCE)
    assert await diagnostics_after(client)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=URI))
    )
    assert await diagnostics_after(client) == []


async def test_non_ascii_columns_are_utf16(client: LanguageClient) -> None:
    text = 'import torch.nn as nn\nlabel = "naïve 😀"; layer = nn.Conv2d(1, 2, 3, bias=True)\n'
    await open_document(client, text)
    diagnostics = await diagnostics_after(client)
    (conv,) = [d for d in diagnostics if "Conv2d" in d.message]
    line = text.split("\n")[1]
    col = line.index("nn.Conv2d")
    assert conv.range.start.character == utf16_column(line, col) == col + 1
    hovered = await hover_text(client, types.Position(1, utf16_column(line, col) + 3))
    assert hovered is not None and "torch.nn.Conv2d" in hovered
    # the emoji's second UTF-16 unit must not shift the hover range
    assert await hover_text(client, types.Position(1, utf16_column(line, col) - 2)) is None


async def test_syntax_error_mid_typing_keeps_last_good_findings(client: LanguageClient) -> None:
    await open_document(client, SOURCE)
    good = await diagnostics_after(client)
    broken = SOURCE.replace("opt = torch.optim.SGD([], lr=0.1)", "opt = torch.optim.SGD([], lr=")
    await change_document(client, broken, version=2)
    diagnostics = await diagnostics_after(client)
    syntax = [d for d in diagnostics if d.code == "syntax"]
    assert len(syntax) == 1 and syntax[0].severity == types.DiagnosticSeverity.Error
    kept = [d for d in diagnostics if d.code != "syntax"]
    assert [d.message for d in kept] == [d.message for d in good]
    assert await hover_text(client, position_of(SOURCE, "nn.Conv2d", 4)) is not None
    await change_document(client, SOURCE, version=3)
    assert not [d for d in await diagnostics_after(client) if d.code == "syntax"]


async def test_empty_and_binary_like_documents(client: LanguageClient) -> None:
    await open_document(client, "")
    assert await diagnostics_after(client) == []
    await change_document(client, "x = 1\0\0", version=2)
    diagnostics = await diagnostics_after(client)
    assert diagnostics and "binary" in diagnostics[0].message
    assert await hover_text(client, types.Position(0, 0)) is None


async def test_pull_diagnostics(pull_client: LanguageClient) -> None:
    await open_document(pull_client, SOURCE)
    report = await pull_client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=URI))
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    assert any("torch.nn.Conv2d" in d.message for d in report.items)
    again = await pull_client.text_document_diagnostic_async(
        types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=URI), previous_result_id=report.result_id
        )
    )
    assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport)
    # a pull client gets no pushed diagnostics
    assert URI not in pull_client.diagnostics


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def doctor_client(lsp_client: LanguageClient):
    """The default settings: the environment is checked when the server starts."""
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=client_capabilities("neovim@v0.7.0"))
    )
    yield
    await lsp_client.shutdown_session()


async def test_doctor_status_at_start_and_command(doctor_client: LanguageClient) -> None:
    for _ in range(600):
        if any(m.message.startswith("mindport doctor:") for m in doctor_client.log_messages):
            break
        await asyncio.sleep(0.05)
    status = [
        m.message for m in doctor_client.log_messages if m.message.startswith("mindport doctor:")
    ]
    assert status and "mindspore 2.10" in status[0] and "(CPU ok)" in status[0]
    assert doctor_client.messages == []  # nothing blocks runs in the project's venv
    report = await doctor_client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="mindport.doctor")
    )
    checks = {f["check"]: f["level"] for f in report["findings"]}
    assert checks["mindspore"] == "ok" and checks["torch"] == "ok" and checks["numpy"] == "ok"


async def test_compliance_diagnostic_hover_and_fix(client: LanguageClient) -> None:
    text = "import torch\nw = torch.ones(2)\nw.data = torch.zeros(2)\n"
    await open_document(client, text)
    diagnostics = await diagnostics_after(client)
    (data,) = [d for d in diagnostics if d.code == "compliance"]
    assert data.severity == types.DiagnosticSeverity.Warning
    assert "set_data" in data.message
    hovered = await hover_text(client, position_of(text, "w.data", 3))
    assert hovered is not None and "assignment to .data" in hovered
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=URI),
            range=data.range,
            context=types.CodeActionContext(diagnostics=[data]),
        )
    )
    new_text = apply_edits(text, list(actions[0].edit.changes[URI]))
    assert new_text.endswith("w.set_data(torch.zeros(2))\n")


async def test_form_feed_line_does_not_shift_columns(client: LanguageClient) -> None:
    # str.splitlines() also breaks at \f: LSP does not, and columns must follow LSP's lines
    text = 'import torch.nn as nn\n\x0c\ns = "é😀"; c = nn.Conv2d(1, 2, 3, bias=True)\n'
    await open_document(client, text)
    diagnostics = await diagnostics_after(client)
    (conv,) = [d for d in diagnostics if "Conv2d" in d.message]
    line = text.split("\n")[2]
    assert conv.range.start == types.Position(2, utf16_column(line, line.index("nn.Conv2d")))


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def jedi_client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("neovim@v0.7.0"),
            initialization_options={"doctorAtStart": False},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_jedi_confirms_receivers_local_evidence_cannot(jedi_client: LanguageClient) -> None:
    text = (
        "import torch\n\n\ndef make():\n    return torch.ones(2)\n\n\n"
        "def use():\n    y = make()\n    return y.size(0)\n"
    )
    await open_document(jedi_client, text)
    first = await diagnostics_after(jedi_client)
    assert not [d for d in first if "torch.Tensor.size" in d.message]  # local evidence: none
    # jedi warms up in its worker process (seconds) and answers in the background; the
    # server publishes again when it confirms the receiver.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 120.0
    found: list[types.Diagnostic] = []
    while not found and loop.time() < deadline:
        diagnostics = await diagnostics_after(jedi_client, timeout=deadline - loop.time())
        found = [d for d in diagnostics if "torch.Tensor.size" in d.message]
    assert found and found[0].severity == types.DiagnosticSeverity.Information
    hovered = await hover_text(jedi_client, position_of(text, "y.size", 3))
    assert hovered is not None and "inferred a tensor by jedi" in hovered
