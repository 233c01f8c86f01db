"""The first opened document's diagnostics, published while pygls is still being imported
(server.lsp.first_document): the same diagnostics the server would publish itself, which it
does not publish again; it uses that analysis instead of making its own."""

from __future__ import annotations

import io
import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from bench.lsp_wire import WireClient
from server.lsp.diagnostic_items import SEVERITY, units_for
from server.lsp.early_code_actions import _usual, early_requests, queued_index
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
        handover.payload = pickle.dumps(("state", "settings"))
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


def _fix_requests(wire: WireClient, uri: str, tmp_path: Path) -> dict[str, object]:
    """Open the document, ask at once for the quick fixes of its first fixable diagnostic
    (and for another document's), again once pygls answers a hover, and after a change."""
    _open(wire, uri)
    diagnostic = next(d for d in _publishes(wire, uri, 1)[0]["diagnostics"] if d.get("data"))
    ask = {"range": diagnostic["range"], "context": {"diagnostics": [diagnostic]}}
    other = (tmp_path / "other.py").as_uri()
    answers: dict[str, object] = {}
    answers["first"] = wire.request(
        "textDocument/codeAction", {"textDocument": {"uri": uri}, **ask}
    )
    answers["other"] = wire.request(
        "textDocument/codeAction", {"textDocument": {"uri": other}, **ask}
    )
    wire.request(
        "textDocument/hover",
        {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}},
    )
    answers["again"] = wire.request(
        "textDocument/codeAction", {"textDocument": {"uri": uri}, **ask}
    )
    end = {"line": len(SOURCE.split("\n")) - 1, "character": 0}
    wire.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": end, "end": end}, "text": "\n# more\n"}],
        },
    )  # fmt: skip
    assert _publishes(wire, uri, 1)[0]["version"] == 2
    answers["changed"] = wire.request(
        "textDocument/codeAction", {"textDocument": {"uri": uri}, **ask}
    )
    return answers


def test_the_first_quick_fix_is_answered_before_pygls_once(tmp_path: Path) -> None:
    """Second start: the codeAction asked on the early diagnostics is answered from the
    child's analysis, exactly as pygls answers it on the first start and once loaded; pygls
    never answers it again; another document's request and one after a change are pygls'."""
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    uri = (tmp_path / "model.py").as_uri()
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    runs = []
    for log in logs:
        wire = WireClient(command=SERVER, env=env, log_file=log)
        try:
            wire.initialize(None, QUIET)
            runs.append(_fix_requests(wire, uri, tmp_path))
            wire.request("shutdown", None)
        finally:
            wire.close()
        assert len(wire.answered) == len(set(wire.answered))  # no id answered twice
    usual, early = runs
    marker = "answered before the protocol was loaded"
    assert marker not in logs[0].read_text()
    assert logs[1].read_text().count(marker) == 1  # the first request only
    first = early["first"]
    assert isinstance(first, list) and first[0]["kind"] == "quickfix" and first[0]["edit"]
    assert early == usual
    assert early["first"] == early["again"]
    assert early["other"] is None and early["changed"] != early["first"]


def test_only_plain_quick_fix_requests_behind_the_unread_didopen_go_early() -> None:
    uri, other = "file:///m.py", "file:///o.py"
    opened = json.dumps({"method": "textDocument/didOpen", "params": {}}).encode()

    def body(method: str, params: dict, request_id: int | None = None) -> bytes:
        message = {"jsonrpc": "2.0", "method": method, "params": params}
        if request_id is not None:
            message["id"] = request_id
        return json.dumps(message).encode()

    def ask(request_id: int, where: str = uri, only: list | None = None) -> bytes:
        context: dict = {"diagnostics": []}
        if only is not None:
            context["only"] = only
        params = {"textDocument": {"uri": where}, "range": {}, "context": context}
        return body("textDocument/codeAction", params, request_id)

    initialized = body("initialized", {})
    change = body("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}})
    cancel = body("$/cancelRequest", {"id": 3})

    def ids(*bodies: bytes) -> list | None:
        found = early_requests(list(bodies), opened, uri)
        return None if found is None else [request_id for request_id, _, _ in found]

    assert ids(initialized, opened, ask(1), ask(2, other), ask(3, only=["quickfix"])) == [1, 3]
    assert ids(opened, ask(1, only=["source"]), ask(2, only=["quickfix", "source"])) == []
    assert ids(opened, ask(1), change, ask(2)) == [1]  # after a change: pygls answers
    assert ids(opened, ask(3), cancel) == []
    assert ids(ask(1)) is None  # pygls has read the didOpen
    assert ids(change, opened, ask(1)) is None  # something unexpected before it
    assert queued_index([initialized, opened, ask(1), ask(7)], opened, uri, 7) == 3
    assert queued_index([opened, change, ask(7)], opened, uri, 7) is None


def test_unusual_requests_are_left_to_pygls() -> None:
    lines = ["import torch\n", "x = torch.zeros(2)\n"]
    good_range = {"start": {"line": 1, "character": 4}, "end": {"line": 1, "character": 9}}
    diagnostic = {"range": good_range, "message": "m", "source": "mindport"}
    assert _usual({"range": good_range, "context": {"diagnostics": [diagnostic]}}, lines)
    outside = {"start": {"line": 5, "character": 0}, "end": {"line": 5, "character": 1}}
    assert not _usual({"range": outside, "context": {"diagnostics": []}}, lines)
    for odd in ({**diagnostic, "extra": 1}, {**diagnostic, "severity": None}, "x"):
        assert not _usual({"range": good_range, "context": {"diagnostics": [odd]}}, lines)


def test_the_early_quick_fixes_load_no_protocol_library() -> None:
    code = (
        "import sys, server.lsp.early_code_actions, server.lsp.first_document;"
        "from server.lsp.quick_fix_items import warm_up; warm_up();"
        "print([m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol')])"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_protocol_import_yields_the_cores_and_the_server_keeps_its_priority(
    tmp_path: Path, monkeypatch
) -> None:
    """import_yielding: the import runs on a thread of lower priority (Linux), the calling
    thread's priority is unchanged after it, and an import error reaches the caller."""
    import os
    import sys
    import threading

    from server.lsp.first_document import CAN_YIELD, YIELD_NICENESS, import_yielding

    (tmp_path / "probe_priority.py").write_text(
        "import os, threading\n"
        "NICE = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())\n"
        "THREAD = threading.current_thread().name\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    me = threading.get_native_id()
    before = os.getpriority(os.PRIO_PROCESS, me)
    import_yielding("probe_priority")
    probe = sys.modules["probe_priority"]
    assert probe.THREAD == "mindport-import"
    expected = min(19, before + YIELD_NICENESS) if CAN_YIELD else before
    assert probe.NICE == expected
    assert os.getpriority(os.PRIO_PROCESS, me) == before
    with pytest.raises(ModuleNotFoundError):
        import_yielding("no_such_module_for_mindport")
