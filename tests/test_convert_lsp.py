"""Whole-file conversion over stdio with a real LSP client (pytest-lsp): the source actions
and the `mindport.convertFile` command (CreateFile WorkspaceEdit, a question before replacing
an existing port, window/showDocument)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Union

import pytest_lsp
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from mapping_db.store import load_database
from server.convert.file import convert_source
from tests.lsp_helpers import SERVER, SOURCE, apply_edits, diagnostics_after, open_document


def _read_code_actions_with_commands(client: LanguageClient) -> None:
    """lsprotocol 2025's client-side hook reads any code action that has a `command` as a
    bare Command (dropping its kind): read it as a CodeAction when its command is an object."""
    converter = client.protocol._converter

    def structure(value: dict, _: type) -> types.Command | types.CodeAction:
        if isinstance(value.get("command"), str):
            return converter.structure(value, types.Command)
        return converter.structure(value, types.CodeAction)

    union = Union[types.Command, types.CodeAction]  # noqa: UP007 (the key lsprotocol uses)
    converter.register_structure_hook(union, structure)


class Recorder:
    """What the server asked the client for, and the answers the test wants given."""

    def __init__(self) -> None:
        self.questions: list[str] = []
        self.answer = "Replace"


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient):
    recorder = Recorder()
    lsp_client.recorder = recorder  # type: ignore[attr-defined]
    _read_code_actions_with_commands(lsp_client)

    @lsp_client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        # the editor's part: create the file, then insert the text
        for change in params.edit.document_changes or []:
            if isinstance(change, types.CreateFile):
                path = Path(change.uri.removeprefix("file://"))
                if path.exists() and not (change.options and change.options.overwrite):
                    return types.ApplyWorkspaceEditResult(applied=False)
                path.write_text("")
            elif isinstance(change, types.TextDocumentEdit):
                path = Path(change.text_document.uri.removeprefix("file://"))
                path.write_text(apply_edits(path.read_text(), list(change.edits)))
        return types.ApplyWorkspaceEditResult(applied=True)

    @lsp_client.feature(types.WINDOW_SHOW_MESSAGE_REQUEST)
    def ask(params: types.ShowMessageRequestParams) -> types.MessageActionItem | None:
        recorder.questions.append(params.message)
        return types.MessageActionItem(title=recorder.answer)

    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("neovim@v0.7.0"),
            initialization_options={"device": "CPU", "doctorAtStart": False, "jedi": False},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def _actions(client: LanguageClient, uri: str, only: list[str] | None):
    return await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[], only=list(only) if only else None),
        )
    )


async def test_source_actions_are_listed_when_asked(client: LanguageClient, tmp_path) -> None:
    path = tmp_path / "model.py"
    path.write_text(SOURCE)
    uri = from_fs_path(str(path))
    await open_document(client, SOURCE, uri=uri)
    await diagnostics_after(client, uri=uri)
    actions = await _actions(client, uri, ["source"])
    kinds = {a.kind for a in actions or []}
    assert kinds == {"source.convert.mindport", "source.fixAll.mindport"}
    plain = await _actions(client, uri, None)  # a lightbulb request: quick fixes only
    assert not any(str(a.kind).startswith("source") for a in plain or [])


async def test_fix_all_applies_every_safe_fix(client: LanguageClient, tmp_path) -> None:
    path = tmp_path / "model.py"
    uri = from_fs_path(str(path))
    await open_document(client, SOURCE, uri=uri)
    await diagnostics_after(client, uri=uri)
    actions = await _actions(client, uri, ["source.fixAll"])
    assert actions is not None and len(actions) == 1
    fixed = apply_edits(SOURCE, actions[0].edit.changes[uri])
    assert "mindspore.nn.Conv2d(3, 8, 3, has_bias=False, pad_mode='pad')  # keep this comment" in (
        fixed
    )
    assert "mindspore.ops.flatten(y, start_dim=1)" in fixed
    assert "def forward" in fixed  # nothing structural: that is the conversion's job


async def test_convert_file_creates_opens_and_asks_before_replacing(
    client: LanguageClient, tmp_path
) -> None:
    recorder: Recorder = client.recorder  # type: ignore[attr-defined]
    path = tmp_path / "model.py"
    path.write_text(SOURCE)
    uri = from_fs_path(str(path))
    await open_document(client, SOURCE, uri=uri)
    await diagnostics_after(client, uri=uri)
    port = tmp_path / "model_ms.py"
    expected = convert_source(SOURCE, load_database(), "CPU", path).code

    result = await asyncio.wait_for(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="mindport.convertFile", arguments=[uri])
        ),
        120,
    )
    assert result["created"] is True
    assert port.read_text() == expected
    assert "class Block(mindspore.nn.Cell)" in expected
    assert [d.uri for d in client.shown_documents] == [from_fs_path(str(port))]
    assert recorder.questions == []

    port.write_text("# my edits\n")
    recorder.answer = "Keep the existing file"
    kept = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="mindport.convertFile", arguments=[uri])
    )
    assert kept["created"] is False
    assert port.read_text() == "# my edits\n"
    assert len(recorder.questions) == 1 and "model_ms.py exists" in recorder.questions[0]

    recorder.answer = "Replace"
    replaced = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="mindport.convertFile", arguments=[uri])
    )
    assert replaced["created"] is True
    assert port.read_text() == expected


async def test_convert_file_reports_a_bad_document(client: LanguageClient, tmp_path) -> None:
    path = tmp_path / "broken.py"
    text = "import torch\ndef f(:\n"
    path.write_text(text)
    uri = from_fs_path(str(path))
    await open_document(client, text, uri=uri)
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="mindport.convertFile", arguments=[uri])
    )
    assert result["created"] is False and "broken.py:2:" in result["error"]
    assert not (tmp_path / "broken_ms.py").exists()
