"""Answer the first quick fixes of the first document before pygls is loaded.

An editor asks for code actions as soon as diagnostics arrive. For the first opened
document those come from a forked child while the server still imports pygls
(server.lsp.first_document); without this, the quick fix waited for the import. Now the
server's reading thread looks at the queued messages (server.lsp.read_ahead): a codeAction
request for that document, queued behind its didOpen (which pygls has not read yet) with
nothing between them that changes it, goes to the child, which answers from its analysis
with the builder the server uses (server.lsp.quick_fix_items); the request is then dropped
from the queue, so pygls never answers it again.

Anything unusual (another document, source actions asked for, a change or close of the
document queued before it, a cancelled request, a range outside the document, diagnostics
that are not plain LSP ones) is left to pygls. No pygls or lsprotocol import here.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from server.lsp.quick_fix_items import quick_fix_items

if TYPE_CHECKING:
    from mapping_db.store import MappingDB
    from server.lsp.diagnostic_items import Units
    from server.lsp.documents import DocumentState

log = logging.getLogger(__name__)

CODE_ACTION = "textDocument/codeAction"
# Messages before the didOpen that change nothing (as server.lsp.first_document allows).
_BEFORE_OPEN = frozenset({"initialize", "initialized", "$/setTrace", "$/cancelRequest"})
# Messages between the didOpen and a request that change no document.
_READ_ONLY = frozenset({"textDocument/hover", "$/setTrace", "$/cancelRequest", CODE_ACTION})
_PEEK_LIMIT = 1 << 20  # a bigger message (a whole text) is not looked into: stop there
# What lsprotocol keeps of a Diagnostic: a diagnostic with anything else is not echoed early.
_DIAGNOSTIC_KEYS = frozenset(
    {"range", "severity", "code", "codeDescription", "source", "message", "tags",
     "relatedInformation", "data"}
)  # fmt: skip
STOP = "stop"


def early_requests(
    bodies: Sequence[bytes], open_body: bytes, uri: str
) -> list[tuple[Any, int, bytes]] | None:
    """The queued codeAction requests for the first document that its first analysis may
    answer: (id, index in the queue, body), oldest first. None once pygls has read that
    didOpen (it is no longer queued) or something unexpected comes before it."""
    found: list[tuple[Any, int, bytes]] = []
    cancelled: set[Any] = set()
    opened = False
    for index, body in enumerate(bodies):
        if body is open_body:
            opened = True
            continue
        message = _parse(body)
        if message is None:
            if not opened:
                return None
            break
        method = message.get("method")
        if not opened:
            if method in _BEFORE_OPEN:
                continue
            return None
        if method not in _READ_ONLY:
            break  # later requests may see another text: pygls answers them
        if method == "$/cancelRequest":
            cancelled.add(_id(message["params"].get("id")))
        elif method == CODE_ACTION and "id" in message and _for(message["params"], uri):
            found.append((message["id"], index, body))
    if not opened:
        return None
    return [f for f in found if _id(f[0]) not in cancelled]


def next_request(
    bodies: Sequence[bytes], open_body: bytes, uri: str, forwarded: set
) -> tuple[Any, bytes] | str | None:
    """For ReadAhead.look: the first early request not forwarded yet, STOP once there will
    be none, None while there is none yet."""
    requests = early_requests(bodies, open_body, uri)
    if requests is None:
        return STOP
    for request_id, _, body in requests:
        if _id(request_id) not in forwarded:
            return request_id, body
    return None


def queued_index(bodies: Sequence[bytes], open_body: bytes, uri: str, request_id: Any):
    """For ReadAhead.remove: where the request is, if it may still be answered early."""
    for found_id, index, _ in early_requests(bodies, open_body, uri) or ():
        if _id(found_id) == _id(request_id):
            return index
    return None


def answer(
    body: bytes, uri: str, state: DocumentState, db: MappingDB, device: str, units: Units
) -> bytes | None:
    """The framed response to a queued codeAction request, as the server would send it;
    None when it is left to the server."""
    try:
        message = json.loads(body)
        params = message["params"]
        if state.stale or not _usual(params, state.lines):
            return None
        items = quick_fix_items(uri, state, db, device, units, params)
    except Exception:
        log.exception("no early answer to a codeAction request")
        return None
    data = json.dumps({"id": message["id"], "jsonrpc": "2.0", "result": items or None}).encode()
    return b"Content-Length: %d\r\n\r\n" % len(data) + data


def _id(value: Any) -> tuple[str, Any]:
    return (type(value).__name__, value)


def _parse(body: bytes) -> dict | None:
    if len(body) > _PEEK_LIMIT:
        return None
    try:
        message = json.loads(body)
    except ValueError:
        return None
    if not isinstance(message, dict) or not isinstance(message.get("params"), dict):
        return None
    return message


def _for(params: dict, uri: str) -> bool:
    """A request for this document's quick fixes only (source actions are the server's)."""
    document = params.get("textDocument")
    if not isinstance(document, dict) or document.get("uri") != uri:
        return False
    context = params.get("context")
    if not isinstance(context, dict):
        return False
    only = context.get("only")
    if only is None or only == []:
        return True
    return isinstance(only, list) and all(k == "quickfix" for k in only)


def _position_in(position: Any, lines: Sequence[str]) -> bool:
    return (
        isinstance(position, dict)
        and set(position) == {"line", "character"}
        and all(type(position[k]) is int for k in position)
        and 0 <= position["line"] < len(lines)
        and position["character"] >= 0
    )


def _usual(params: dict, lines: Sequence[str]) -> bool:
    """A range inside the document, and diagnostics echoed back as lsprotocol keeps them."""
    span = params.get("range")
    if not isinstance(span, dict) or set(span) != {"start", "end"}:
        return False
    if not (_position_in(span["start"], lines) and _position_in(span["end"], lines)):
        return False
    diagnostics = params["context"].get("diagnostics")
    if not isinstance(diagnostics, list):
        return False
    for diagnostic in diagnostics:
        if not isinstance(diagnostic, dict) or not set(diagnostic) <= _DIAGNOSTIC_KEYS:
            return False
        if any(value is None for value in diagnostic.values()):
            return False
        if not isinstance(diagnostic.get("message"), str):
            return False
        inner = diagnostic.get("range")
        if not isinstance(inner, dict) or set(inner) != {"start", "end"}:
            return False
        if not all(
            isinstance(inner[k], dict) and set(inner[k]) == {"line", "character"} for k in inner
        ):
            return False
    return True
