"""Settings over LSP, the TCP transport, and very large documents."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import time

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.lsp_helpers import SERVER, SOURCE, URI, diagnostics_after, open_document


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def configured(lsp_client: LanguageClient):
    """A client whose workspace/configuration makes consistent APIs hints, on Ascend."""
    lsp_client.set_configuration(
        {"device": "Ascend", "severity": {"consistent": "hint"}}, section="mindport"
    )
    capabilities = client_capabilities("neovim@v0.7.0")
    capabilities.workspace.configuration = True
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            initialization_options={
                "device": "TPU",
                "severity": {"differences": "loud"},
                "doctorAtStart": False,
                "jedi": False,
            },
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_configuration_request_and_bad_values(configured: LanguageClient) -> None:
    # wait for the server to pull workspace/configuration after `initialized`
    for _ in range(100):
        if configured.messages:
            break
        await asyncio.sleep(0.05)
    warnings = " ".join(m.message for m in configured.messages)
    assert "device: expected one of CPU, GPU, Ascend, got 'TPU'" in warnings
    assert "differences = 'loud'" in warnings
    await asyncio.sleep(0.3)
    await open_document(configured, SOURCE)
    diagnostics = await diagnostics_after(configured)
    hints = [d for d in diagnostics if d.severity == types.DiagnosticSeverity.Hint]
    assert any("torch.nn.functional.relu" in d.message for d in hints)
    conv = next(d for d in diagnostics if "torch.nn.Conv2d" in d.message)
    assert conv.data["target"] == "mindspore.mint.nn.Conv2d"  # Ascend: the mint target


async def test_very_large_document(configured: LanguageClient) -> None:
    # torch.flatten's start_dim default differs: a finding whatever the settings say
    big = "import torch\n" + "x = torch.flatten(torch.zeros(3))\n" * 50_000
    await open_document(configured, big, uri="file:///tmp/mindport_test/big.py")
    diagnostics = await diagnostics_after(configured, uri="file:///tmp/mindport_test/big.py")
    assert len(diagnostics) >= 50_000
    hover = await configured.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri="file:///tmp/mindport_test/big.py"),
            position=types.Position(49_999, 5),
        )
    )
    assert hover is not None and "torch.flatten" in hover.contents.value


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _send(sock: socket.socket, payload: dict) -> None:
    body = json.dumps(payload).encode()
    sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)


def _receive(sock: socket.socket, buffer: bytearray) -> dict:
    while True:
        head, sep, rest = bytes(buffer).partition(b"\r\n\r\n")
        if sep:
            fields = dict(line.split(b":", 1) for line in head.split(b"\r\n"))
            length = int(fields[b"Content-Length"])
            if len(rest) >= length:
                del buffer[: len(head) + 4 + length]
                return json.loads(rest[:length])
        chunk = sock.recv(65536)
        assert chunk, "server closed the connection"
        buffer.extend(chunk)


def test_tcp_transport_serves_hover() -> None:
    port = _free_port()
    proc = subprocess.Popen([*SERVER, "--tcp", f"127.0.0.1:{port}"], stderr=subprocess.PIPE)
    try:
        for _ in range(100):
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=10)
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise AssertionError("server did not listen")
        buffer = bytearray()
        with sock:
            initialize = {"processId": None, "rootUri": None, "capabilities": {}}
            _send(sock, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": initialize})
            assert _receive(sock, buffer)["result"]["capabilities"]["hoverProvider"]
            _send(sock, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
            document = {"uri": URI, "languageId": "python", "version": 1, "text": SOURCE}
            opened = {"textDocument": document}
            _send(sock, {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": opened})
            where = {"textDocument": {"uri": URI}, "position": {"line": 9, "character": 24}}
            _send(
                sock, {"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": where}
            )
            while True:
                message = _receive(sock, buffer)
                if message.get("id") == 2:
                    break
            assert "mindspore.nn.Conv2d" in message["result"]["contents"]["value"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
