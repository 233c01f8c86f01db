"""The server against malformed, out-of-order and odd messages: it answers with an error (or
ignores a bad notification), never dies, and its next answer is right."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.lsp_wire import WireClient
from tests.lsp_helpers import SERVER, SOURCE, position_of

QUIET = {"doctorAtStart": False, "jedi": False}
URI = "file:///tmp/mindport_robust/model.py"


@pytest.fixture(scope="module")
def client() -> Iterator[WireClient]:
    wire = WireClient(command=SERVER)
    wire.initialize(None, QUIET)
    yield wire
    wire.close()


def _open(client: WireClient, uri: str, text: str, language: str = "python", version: int = 1):
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}},
    )


def _diagnostics(client: WireClient, uri: str, timeout: float = 30) -> dict:
    while True:
        _, message = client.wait_notification("textDocument/publishDiagnostics", timeout)
        if message["params"]["uri"] == uri:
            return message["params"]


def _hover(client: WireClient, uri: str, line: int, character: int):
    return client.request(
        "textDocument/hover",
        {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}},
    )


def _healthy(client: WireClient, uri: str = URI) -> None:
    """The server still answers, and answers right."""
    assert client.proc.poll() is None, "the server died"
    position = position_of(SOURCE, "flatten")
    hover = _hover(client, uri, position.line, position.character)
    assert hover is not None and "torch.flatten" in hover["contents"]["value"]


def _change(client: WireClient, uri: str, version: int, start, end, text: str) -> None:
    client.notify(
        "textDocument/didChange",
        {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [
                {
                    "range": {
                        "start": {"line": start[0], "character": start[1]},
                        "end": {"line": end[0], "character": end[1]},
                    },
                    "text": text,
                }
            ],
        },
    )


@pytest.fixture(scope="module", autouse=True)
def opened(client: WireClient) -> None:
    _open(client, URI, SOURCE)
    _diagnostics(client, URI)


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"[]",
        b"null",
        b'{"jsonrpc": "2.0"}',
        b'{"jsonrpc": "2.0", "id": 99, "method": 12}',
        b'{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": 3}}',
        b"\xff\xfe\x00garbage",
        json.dumps({"jsonrpc": "2.0", "method": "x" * 100_000}).encode(),
    ],
)
def test_malformed_messages(client: WireClient, body: bytes) -> None:
    client.send_raw(body)
    _healthy(client)


def test_wrong_types_in_params_get_an_error(client: WireClient) -> None:
    bad = [
        {"textDocument": {"uri": URI}, "position": {"line": "one", "character": 0}},
        {"position": {"line": 0, "character": 0}},
        None,
        [1, 2, 3],
    ]
    for params in bad:
        with pytest.raises(RuntimeError, match="-32602"):
            client.request("textDocument/hover", params)
        _healthy(client)
    # a number where the URI belongs is read as text: no such document, no hover
    params = {"textDocument": {"uri": 5}, "position": {"line": 0, "character": 0}}
    assert client.request("textDocument/hover", params) is None


def test_a_notification_sent_as_a_request_is_answered(client: WireClient) -> None:
    with pytest.raises(RuntimeError, match="-32600"):
        client.request("textDocument/didClose", {"textDocument": {"uri": URI}})
    _healthy(client)  # and the document was not closed


def test_unknown_methods(client: WireClient) -> None:
    with pytest.raises(RuntimeError, match="-32601|not found|Method"):
        client.request("mindport/noSuchThing", {})
    client.notify("mindport/noSuchNotification", {"x": 1})
    client.notify("$/noSuchNotification", None)
    _healthy(client)


@pytest.mark.parametrize(
    "line, character",
    [(-1, 0), (0, -1), (10_000_000, 0), (0, 10_000_000), (2**31 - 1, 2**31 - 1), (17, 2**40)],
)
def test_out_of_range_positions(client: WireClient, line: int, character: int) -> None:
    try:
        assert _hover(client, URI, line, character) is None
    except RuntimeError:
        pass  # a position that is no LSP uinteger may be refused outright
    for method in ("textDocument/codeAction",):
        position = {"line": line, "character": character}
        try:
            client.request(
                method,
                {
                    "textDocument": {"uri": URI},
                    "range": {"start": position, "end": position},
                    "context": {"diagnostics": []},
                },
            )
        except RuntimeError:
            pass
    _healthy(client)


def test_out_of_range_edits_then_a_full_text_puts_things_right(client: WireClient) -> None:
    uri = "file:///tmp/mindport_robust/edited.py"
    _open(client, uri, SOURCE)
    _diagnostics(client, uri)
    _change(client, uri, 2, (500, 0), (900, 3), "x = torch.ones(1)\n")
    _change(client, uri, 3, (5, 400), (2, 0), "")  # end before start
    _change(client, uri, 4, (0, 0), (0, 0), "\ud800")  # a lone surrogate cannot even be sent
    assert client.proc.poll() is None
    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 5}, "contentChanges": [{"text": SOURCE}]},
    )
    params = _diagnostics(client, uri)
    while params.get("version") != 5:
        params = _diagnostics(client, uri)
    _healthy(client, uri)


def test_change_for_a_document_never_opened(client: WireClient) -> None:
    uri = "file:///tmp/mindport_robust/never_opened.py"
    _change(client, uri, 7, (0, 0), (0, 0), "import torch\n")
    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 8}, "contentChanges": [{"text": SOURCE}]},
    )
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    _healthy(client)
    assert _hover(client, "file:///tmp/mindport_robust/nowhere.py", 0, 0) is None


def test_versions_going_backwards(client: WireClient) -> None:
    uri = "file:///tmp/mindport_robust/versions.py"
    _open(client, uri, SOURCE, version=10)
    _diagnostics(client, uri)
    changed = SOURCE.replace("torch.flatten(y, 1)", "torch.flatten(y, 2)")
    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": changed}]},
    )
    params = _diagnostics(client, uri)
    # the text the client sent is what is analysed, whatever its version says
    assert params["version"] == 3
    position = position_of(changed, "flatten(y, 2)")
    hover = _hover(client, uri, position.line, position.character)
    assert hover is not None and "torch.flatten" in hover["contents"]["value"]
    # and a code action carries that version in its fix data
    fixable = [d for d in params["diagnostics"] if d.get("data")]
    assert fixable and all(d["data"]["version"] == 3 for d in fixable)


def test_reopening_and_closing_twice(client: WireClient) -> None:
    uri = "file:///tmp/mindport_robust/twice.py"
    _open(client, uri, SOURCE)
    _open(client, uri, "import torch\n", version=2)
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    _healthy(client)


@pytest.mark.parametrize("language", ["", "plaintext", "Python", "python3", "unknown-lang"])
def test_a_py_file_with_an_odd_language_id_is_analysed(client: WireClient, language: str) -> None:
    uri = f"file:///tmp/mindport_robust/odd_{language or 'empty'}.py"
    _open(client, uri, SOURCE, language=language)
    params = _diagnostics(client, uri)
    assert any("Conv2d" in d["message"] for d in params["diagnostics"])
    position = position_of(SOURCE, "flatten")
    assert _hover(client, uri, position.line, position.character) is not None


def test_notebook_cells_and_untitled_buffers_are_analysed(client: WireClient) -> None:
    for uri in (
        "vscode-notebook-cell:/home/user/nb.ipynb#W0sZmlsZQ%3D%3D",
        "untitled:Untitled-1",
    ):
        _open(client, uri, SOURCE)
        params = _diagnostics(client, uri)
        assert any("Conv2d" in d["message"] for d in params["diagnostics"]), uri
        position = position_of(SOURCE, "flatten")
        hover = _hover(client, uri, position.line, position.character)
        assert hover is not None and "torch.flatten" in hover["contents"]["value"]


def test_other_languages_are_left_alone(client: WireClient) -> None:
    uri = "file:///tmp/mindport_robust/notes.md"
    _open(client, uri, "import torch\ntorch.flatten(x)\n", language="markdown")
    assert _hover(client, uri, 1, 7) is None
    _healthy(client)


def test_odd_text(client: WireClient) -> None:
    texts = {
        "nul.py": "import torch\x00\nx = torch.ones(1)\n",
        "long.py": "import torch\nx = " + "+".join(["torch.ones(1)"] * 8_000) + "\n",
        "deep.py": "import torch\nx = " + "(" * 5_000 + "1" + ")" * 5_000 + "\n",
        "mixed.py": "import torch\r\nx = torch.ones(1)\ry = torch.zeros(1)\n\u2028z = 1\n",
        "surrogates.py": "import torch\nx = '\U0001f600' + str(torch.ones(1))\n",
    }
    for name, text in texts.items():
        uri = f"file:///tmp/mindport_robust/{name}"
        _open(client, uri, text)
        _diagnostics(client, uri)
        for line in range(4):
            _hover(client, uri, line, 7)
    _healthy(client)


def test_requests_before_initialize_are_refused_and_the_session_then_works() -> None:
    wire = WireClient(command=SERVER)
    try:
        with pytest.raises(RuntimeError):
            _hover(wire, URI, 0, 0)
        _open(wire, URI, SOURCE)  # a notification before initialize: ignored
        wire.initialize(None, QUIET)
        _open(wire, URI, SOURCE)
        _diagnostics(wire, URI)
        _healthy(wire)
    finally:
        wire.close()
    assert wire.proc.returncode == 0


def test_exit_without_shutdown_and_after_it() -> None:
    wire = WireClient(command=SERVER)
    wire.initialize(None, QUIET)
    wire.notify("exit", None)
    assert wire.proc.wait(timeout=10) == 1  # exit without shutdown: status 1 (LSP)
    wire = WireClient(command=SERVER)
    wire.initialize(None, QUIET)
    wire.request("shutdown", None)
    with pytest.raises(RuntimeError):
        _hover(wire, URI, 0, 0)  # requests after shutdown are refused
    wire.notify("exit", None)
    assert wire.proc.wait(timeout=10) == 0


def test_initialize_answered_early_from_the_remembered_answer(tmp_path: Path) -> None:
    """The second start with the same client answers `initialize` before loading pygls,
    with the answer pygls gave the first time, once; the session then works as usual."""
    env = {"XDG_CACHE_HOME": str(tmp_path)}
    answers = []
    logs = [tmp_path / "first.log", tmp_path / "second.log"]
    for log in logs:
        wire = WireClient(command=SERVER, env=env, log_file=log)
        try:
            answers.append(wire.initialize(None, QUIET))
            _open(wire, URI, SOURCE)
            _diagnostics(wire, URI)
            _healthy(wire)
            assert wire.answered.count(1) == 1  # the initialize request: one answer
        finally:
            wire.close()
    assert answers[0] == answers[1] and answers[0]["capabilities"]["hoverProvider"]
    assert len(list((tmp_path / "mindport" / "initialize").glob("*.json"))) == 1
    early = "initialize answered before loading the protocol"
    assert early not in logs[0].read_text() and early in logs[1].read_text()


def _children(pid: int) -> list[int]:
    """The server's worker processes (jedi's, started by multiprocessing), not the short-lived
    fork that analyses the first document."""
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    found = []
    for child in map(int, out.stdout.split()):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"multiprocessing" in command:
            found.append(child)
    return found


def test_the_server_exits_when_its_parent_dies(tmp_path: Path) -> None:
    """The client's process id from initialize: when it is gone, the server goes too, and
    takes its jedi worker with it."""
    parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    wire = WireClient(command=SERVER)
    try:
        wire.request(
            "initialize",
            {"processId": parent.pid, "rootUri": None, "capabilities": {}},
        )
        wire.notify("initialized", {})
        _open(wire, URI, SOURCE)
        _diagnostics(wire, URI)
        deadline = time.monotonic() + 60
        while not _children(wire.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)  # the jedi worker starts
        workers = _children(wire.proc.pid)
        assert workers
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert wire.proc.wait(timeout=30) is not None
        deadline = time.monotonic() + 30
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(w) for w in workers)
    finally:
        if parent.poll() is None:
            parent.kill()
        if wire.proc.poll() is None:
            wire.proc.kill()


def test_shutdown_and_exit_leave_no_worker_behind() -> None:
    wire = WireClient(command=SERVER)
    try:
        wire.initialize(None, {"doctorAtStart": False})
        _open(wire, URI, SOURCE)
        _diagnostics(wire, URI)
        deadline = time.monotonic() + 60
        while not _children(wire.proc.pid) and time.monotonic() < deadline:
            time.sleep(0.2)  # the jedi worker starts once the first diagnostics are out
        workers = _children(wire.proc.pid)
        assert workers
        wire.request("shutdown", None)
        wire.notify("exit", None)
        assert wire.proc.wait(timeout=30) == 0
        deadline = time.monotonic() + 30
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(w) for w in workers)
    finally:
        if wire.proc.poll() is None:
            wire.proc.kill()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purposes
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split()[2] != "Z"
    except OSError:
        return False
