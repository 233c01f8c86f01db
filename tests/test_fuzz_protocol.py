"""Fuzzing the wire: generated JSON-RPC messages (real methods with wrong params, unknown
methods, odd ids, raw bytes) to a live server. Every request is answered, nothing takes the
server down, and the next real question gets the right answer."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.lsp_wire import WireClient
from tests.lsp_helpers import SERVER, SOURCE, position_of

URI = "file:///tmp/mindport_fuzz/model.py"
METHODS = [
    "textDocument/hover", "textDocument/codeAction", "textDocument/diagnostic",
    "textDocument/didOpen", "textDocument/didChange", "textDocument/didClose",
    "textDocument/didSave", "workspace/didChangeConfiguration", "workspace/executeCommand",
    "$/cancelRequest", "$/setTrace", "mindport/unknown", "", "textDocument/completion",
]  # fmt: skip

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                  max_size=4),
    max_leaves=12,
)  # fmt: skip
positions = st.fixed_dictionaries(
    {"line": st.integers(-5, 2**31), "character": st.integers(-5, 2**31)}
)
documents = st.fixed_dictionaries(
    {"uri": st.sampled_from([URI, "file:///tmp/mindport_fuzz/other.py", "", "untitled:x"])}
)
params = st.one_of(
    json_values,
    st.fixed_dictionaries({"textDocument": documents, "position": positions}),
    st.fixed_dictionaries(
        {
            "textDocument": documents,
            "range": st.fixed_dictionaries({"start": positions, "end": positions}),
            "context": st.fixed_dictionaries({"diagnostics": st.lists(json_values, max_size=2)}),
        }
    ),
    st.fixed_dictionaries(
        {
            "textDocument": st.fixed_dictionaries(
                {"uri": st.just(URI), "version": st.integers(-3, 10)}
            ),
            "contentChanges": st.lists(
                st.fixed_dictionaries(
                    {
                        "range": st.fixed_dictionaries({"start": positions, "end": positions}),
                        "text": st.text(max_size=20),
                    }
                ),
                max_size=3,
            ),
        }
    ),
)


@pytest.fixture(scope="module")
def client() -> Iterator[WireClient]:
    wire = WireClient(command=SERVER)
    wire.initialize(None, {"doctorAtStart": False, "jedi": False})
    yield wire
    wire.close()


def _reset(client: WireClient) -> None:
    """The document back to the known text (a fuzzed change may have edited it)."""
    client.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": URI, "languageId": "python", "version": 1, "text": SOURCE}},
    )
    client.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": URI, "version": 100}, "contentChanges": [{"text": SOURCE}]},
    )


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    method=st.sampled_from(METHODS) | st.text(max_size=20),
    body=params,
    msg_id=st.none() | st.integers(1_000, 2**31) | st.text(min_size=1, max_size=8),
    raw=st.none() | st.binary(max_size=60),
)
def test_any_message_gets_an_answer_and_leaves_the_server_right(
    client: WireClient, method: str, body, msg_id, raw: bytes | None
) -> None:
    if raw is not None:
        client.send_raw(raw)
    message = {"jsonrpc": "2.0", "method": method, "params": body}
    if msg_id is None or method in ("$/cancelRequest",):
        client.send_raw(json.dumps(message).encode())
    else:
        message["id"] = msg_id
        box = client._responses.setdefault(msg_id, __import__("queue").Queue())
        client.send_raw(json.dumps(message).encode())
        _, answer = box.get(timeout=10)  # every request is answered, with a result or an error
        del client._responses[msg_id]
        assert ("result" in answer) != ("error" in answer), answer
    assert client.proc.poll() is None, "the server died"
    _reset(client)
    position = position_of(SOURCE, "flatten")
    hover = client.request(
        "textDocument/hover",
        {"textDocument": {"uri": URI}, "position": {"line": position.line,
                                                    "character": position.character}},
    )  # fmt: skip
    assert hover is not None and "torch.flatten" in hover["contents"]["value"]
