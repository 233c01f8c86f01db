"""The first opened document's diagnostics, published while pygls is still being imported
(server.lsp.first_document): the same diagnostics the server would publish itself, which it
does not publish again; it uses that analysis instead of making its own."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from bench.lsp_wire import WireClient
from server.lsp.diagnostic_items import SEVERITY, units_for
from server.lsp.early_initialize import ResponseFilter
from server.lsp.first_document import _digest, _Handover, _handovers, take_analysis
from tests.lsp_helpers import SERVER

ROOT = Path(__file__).resolve().parent.parent
QUIET = {"doctorAtStart": False, "jedi": False}
# Non-ASCII before torch names (columns differ in UTF-16), a syntax-free real model.
SOURCE = (
    "# é 😀 — units differ\n"
    + "x = '😀'; import torch.nn as nn  # 😀\n"
    + (ROOT / "examples" / "resnet50" / "model.py").read_text()
)


def test_severities_are_the_protocol_ones() -> None:
    assert SEVERITY == {
        "error": types.DiagnosticSeverity.Error.value,
        "warning": types.DiagnosticSeverity.Warning.value,
        "information": types.DiagnosticSeverity.Information.value,
        "hint": types.DiagnosticSeverity.Hint.value,
    }


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_column_units_are_pygls_ones(encoding: str) -> None:
    codec = PositionCodec(types.PositionEncodingKind(encoding))
    units = units_for(encoding)
    assert units is not None
    for text in ["abc", "é", "😀x", "a\ud800b", "中文 text 😀😀", ""]:
        assert units(text) == codec.client_num_units(text), (encoding, text)
    assert units_for("utf-7") is None


def test_early_diagnostics_are_dropped_once_the_server_published() -> None:
    out = io.BytesIO()
    stream = ResponseFilter(out, None)
    early = b"Content-Length: 2\r\n\r\n{}"
    body = json.dumps({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics"})
    assert stream.write_early_diagnostics(early)
    stream.write(f"Content-Length: {len(body)}\r\n\r\n{body}".encode())
    assert not stream.write_early_diagnostics(early)
    assert out.getvalue().count(b"Content-Length") == 2


def test_a_handed_over_analysis_is_used_for_its_text_and_version_only() -> None:
    for version, text, expected in [(1, "x = 1", True), (2, "x = 1", False), (1, "y", False)]:
        handover = _handovers["file:///t.py"] = _Handover(1, _digest("x = 1"))
        handover.state = object()  # type: ignore[assignment]
        handover.done.set()
        assert (take_analysis("file:///t.py", version, text) is not None) == expected
        assert take_analysis("file:///t.py", 1, "x = 1") is None  # once
    assert take_analysis("file:///other.py", 1, "x") is None


def _open(wire: WireClient, uri: str) -> None:
    document = {"uri": uri, "languageId": "python", "version": 1, "text": SOURCE}
    wire.notify("textDocument/didOpen", {"textDocument": document})


def _publishes(wire: WireClient, uri: str, count: int) -> list[dict]:
    found = []
    while len(found) < count:
        _, message = wire.wait_notification("textDocument/publishDiagnostics", timeout=60)
        if message["params"]["uri"] == uri:
            found.append(message["params"])
    return found


def test_the_first_document_is_published_before_pygls_once(tmp_path: Path) -> None:
    """Second start (initialize answered early): the first didOpen's diagnostics come from
    the forked child, the same as the server publishes on the first start; the server uses
    the child's analysis (one analysis in the log) and does not publish them again; hovers
    and a change then work as usual."""
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    uri = (tmp_path / "model.py").as_uri()
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    published = []
    for log in logs:
        wire = WireClient(command=SERVER, env=env, log_file=log)
        try:
            wire.initialize(None, QUIET)
            _open(wire, uri)
            published.append(_publishes(wire, uri, 1)[0])
            line = SOURCE.split("\n").index("class Bottleneck(nn.Module):")
            hover = wire.request(
                "textDocument/hover",
                {"textDocument": {"uri": uri}, "position": {"line": line, "character": 18}},
            )
            assert hover is not None and "nn.Module" in hover["contents"]["value"]
            start = {"line": 0, "character": 0}
            wire.notify(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": 2},
                    "contentChanges": [{"range": {"start": start, "end": start}, "text": "#\n"}],
                },
            )
            after_change = _publishes(wire, uri, 1)[0]
            assert after_change["version"] == 2  # no second publish of version 1 before it
        finally:
            wire.close()
    first, second = logs[0].read_text(), logs[1].read_text()
    marker = "first diagnostics published before the protocol was loaded"
    assert marker not in first and marker in second
    assert second.count(" v1 (") == 1  # version 1 analysed once: by the child, handed over
    usual = published[0]
    assert usual["diagnostics"] and any(d.get("data") for d in usual["diagnostics"])
    assert published[1] == usual


def test_a_client_that_pulls_diagnostics_gets_none_early(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    uri = (tmp_path / "model.py").as_uri()
    capabilities = {"textDocument": {"diagnostic": {"dynamicRegistration": False}}}
    for name in ("first.log", "second.log"):
        wire = WireClient(command=SERVER, env=env, log_file=tmp_path / name)
        try:
            wire.request(
                "initialize",
                {"processId": None, "rootUri": None, "capabilities": capabilities,
                 "initializationOptions": QUIET},
            )  # fmt: skip
            wire.notify("initialized", {})
            _open(wire, uri)
            report = wire.request("textDocument/diagnostic", {"textDocument": {"uri": uri}})
            assert report["kind"] == "full" and report["items"]
        finally:
            wire.close()
    assert "published before the protocol" not in (tmp_path / "second.log").read_text()
    assert not [m for m in wire.history if m.get("method") == "textDocument/publishDiagnostics"]
