"""A quick fix whose target agreed on some verified cases and not on others says which, in its
title, through the language server: "verified on CPU: equal except 0-d input (fails)"."""

from __future__ import annotations

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from mapping_db.store import load_database
from mapping_db.verification import TargetResult
from server.advice.advice_text import case_caveat
from tests.lsp_helpers import SERVER


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("neovim@v0.11.0"),
            initialization_options={"device": "CPU", "doctorAtStart": False, "jedi": False},
        )
    )
    yield
    await lsp_client.shutdown_session()


def _partial_functions() -> list[tuple[str, TargetResult]]:
    """torch functions whose target picked on CPU agreed on some cases, from the real results
    file, with the words the title must carry."""
    db = load_database()
    found: list[tuple[str, TargetResult]] = []
    results = db.verification("CPU")
    assert results is not None
    for api in sorted(results.results):
        entry = db.get(api)
        if entry is None or entry.kind != "function" or api.count(".") != 1:
            continue
        target = db.pick_target(entry, "CPU")
        verdict = db.verified(entry, target, "CPU") if target is not None else None
        if verdict is not None and case_caveat(verdict, "CPU"):
            found.append((api, verdict))
    return found


async def test_the_fix_title_names_the_differing_case(client: LanguageClient) -> None:
    candidates = _partial_functions()
    assert candidates, "no partially agreeing torch function in the CPU results"
    titled = []
    for index, (api, verdict) in enumerate(candidates[:12]):
        uri = f"file:///tmp/mindport_titles/case_{index}.py"
        line = f"    return {api}(x)"
        text = f"import torch\n\n\ndef f(x: torch.Tensor):\n{line}\n"
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text=text
                )
            )
        )
        await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        where = types.Position(4, line.index(api))
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=types.Range(where, where),
                context=types.CodeActionContext(diagnostics=[]),
            )
        )
        fixes = [
            a.title
            for a in actions or []
            if isinstance(a, types.CodeAction) and a.title.startswith("mindport: convert")
        ]
        if fixes:
            assert case_caveat(verdict, "CPU") in fixes[0], fixes[0]
            assert "verified on CPU: equal except " in fixes[0]
            titled.append(api)
    assert titled, "no partially agreeing function got a fix to check the title of"
