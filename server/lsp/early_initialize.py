"""Answer `initialize` before pygls is even imported.

Importing pygls costs most of the start-up (lsprotocol's types alone take about half a
second), and the answer to `initialize` depends on nothing but the server's features and
the client's capabilities. So the answer pygls gives is remembered, keyed by everything that
can change it (mindport's, pygls' and lsprotocol's versions, the LSP modules' files, the
client's capabilities); when the same editor starts the server again, that answer goes out
as soon as the request is read, and pygls, once loaded, handles the same `initialize` (the
settings, the trust flag, the parent's process id) with its own answer dropped. The first
start of a new combination answers the ordinary way and remembers it.

Standard library only: this runs before anything heavy is imported.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import threading
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

log = logging.getLogger(__name__)

_LSP_FOLDER = Path(__file__).resolve().parent
_HEADER_END = b"\r\n\r\n"
MAX_REMEMBERED = 16


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "mindport" / "initialize"


@dataclass(slots=True)
class EarlyAnswer:
    request_id: Any
    cache_file: Path
    sent: bool  # whether the remembered answer went out already
    params: dict | None = None  # the initialize request's params
    result: Any = None  # the answer sent, when it was


def _key(capabilities: Any) -> str:
    parts = [json.dumps(capabilities, sort_keys=True), sys.version]
    for name in ("mindport", "pygls", "lsprotocol"):
        try:
            parts.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{name} ?")
    for path in sorted(_LSP_FOLDER.glob("*.py")):  # a feature added: another answer
        stat = path.stat()
        parts.append(f"{path.name} {stat.st_mtime_ns} {stat.st_size}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def answer_early(first_body: bytes | None, out: BinaryIO) -> EarlyAnswer | None:
    """If the client's first message is `initialize` and its answer is remembered, send it
    now. Returns what the response filter needs to know, or None (not an initialize)."""
    if not first_body:
        return None
    try:
        message = json.loads(first_body)
    except ValueError:
        return None
    if not isinstance(message, dict) or message.get("method") != "initialize":
        return None
    request_id = message.get("id")
    params = message.get("params")
    if not isinstance(params, dict) or not isinstance(request_id, int | str):
        return None
    try:
        cache_file = cache_folder() / f"{_key(params.get('capabilities'))}.json"
        result = json.loads(cache_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return EarlyAnswer(request_id, cache_file, sent=False, params=params)
    body = json.dumps({"id": request_id, "jsonrpc": "2.0", "result": result}).encode()
    out.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    out.flush()
    log.info("initialize answered before loading the protocol (remembered answer)")
    return EarlyAnswer(request_id, cache_file, sent=True, params=params, result=result)


class ResponseFilter:
    """The server's output stream: pygls' answer to the `initialize` that was answered early
    is dropped (and checked against the remembered one); otherwise it is remembered. The
    first document's diagnostics found before pygls was loaded (server.lsp.first_document)
    are written from another thread: one message at a time."""

    def __init__(self, out: BinaryIO, early: EarlyAnswer | None) -> None:
        self._out = out
        self._early = early
        self._lock = threading.Lock()
        self._published = False  # the server published diagnostics itself

    def write(self, data: bytes) -> int:
        early = self._early
        if early is not None and data.startswith(b"Content-Length"):
            head, _, body = data.partition(_HEADER_END)
            answer = _initialize_answer(body, early.request_id)
            if answer is not None:
                self._early = None
                _remember(early.cache_file, answer)
                if early.sent:
                    return len(data)  # the client has it already
        with self._lock:
            if not self._published and _PUBLISH in data[:_PUBLISH_WITHIN]:
                self._published = True
            return self._out.write(data)

    def write_early_diagnostics(self, message: bytes) -> bool:
        """Write a publishDiagnostics message found before pygls was loaded, unless the
        server published diagnostics already (they are newer). Whether it was written."""
        with self._lock:
            if self._published:
                return False
            self._out.write(message)
            self._out.flush()
            return True

    def write_early_answer(self, message: bytes) -> None:
        """Write the answer to a request found before pygls was loaded (pygls never reads
        that request: server.lsp.read_ahead.ReadAhead.remove)."""
        with self._lock:
            self._out.write(message)
            self._out.flush()

    def flush(self) -> None:
        with self._lock:
            self._out.flush()

    def close(self) -> None:
        self._out.close()


_ID = re.compile(rb'"id"\s*:')
_PUBLISH = b'"textDocument/publishDiagnostics"'
_PUBLISH_WITHIN = 300  # the method comes first in the body, after the headers


def _initialize_answer(body: bytes, request_id: Any) -> Any | None:
    if not _ID.search(body) or b'"result"' not in body:
        return None
    try:
        message = json.loads(body)
    except ValueError:
        return None
    if isinstance(message, dict) and message.get("id") == request_id and "result" in message:
        return message["result"]
    return None


def _remember(cache_file: Path, result: Any) -> None:
    """Write the answer atomically (a concurrent server start reads whole files only)."""
    try:
        text = json.dumps(result, sort_keys=True)
        if cache_file.is_file() and cache_file.read_text(encoding="utf-8") == text:
            return
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        temporary = cache_file.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, cache_file)
        remembered = sorted(cache_file.parent.glob("*.json"), key=lambda p: p.stat().st_mtime)
        for old in remembered[:-MAX_REMEMBERED]:  # other editors, earlier versions
            old.unlink(missing_ok=True)
    except OSError as exc:
        log.debug("cannot remember the initialize answer: %s", exc)
