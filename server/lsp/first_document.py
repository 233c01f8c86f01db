"""Publish the first opened document's diagnostics while pygls is still being imported.

An editor opens a file right after `initialize`: its didOpen arrives while the server still
imports pygls and lsprotocol (0.4-0.8 s, most of the start-up; server.lsp.early_initialize
answers `initialize` before that). Our analysis needs neither. So when `initialize` was
answered early, the first didOpen of a Python document (queued behind `initialized`) is
analysed at once in a forked child process, on the other core, with the settings pygls'
`initialize` handler will load (initialization options and the workspace's files, trust
included); the child hands the diagnostics to a thread of the server, which publishes
them, while the server imports pygls as before. (A thread would not do: the import and the
analysis both hold the GIL, so each would wait for the other.)

The child also hands over its analysis and the settings it used: when the server handles
the same didOpen, it installs that analysis (the text and version are the same) instead of
analysing again, and publishes only if its settings differ (a client that sends settings
through `workspace/configuration` gets the diagnostics again once those are read). The
early message is dropped if the server has published diagnostics already.

The codeAction requests an editor sends for the diagnostics are answered from the same
analysis before pygls is loaded too (server.lsp.early_code_actions): a process forked by
the child answers those that the server's reading thread finds queued behind the didOpen,
and the request is dropped from the queue once its answer is written.

Not done (pygls handles everything as before) where fork is not available, when the client
pulls diagnostics, when its position encoding is not one we know, or when no didOpen comes
within FIRST_OPEN_WAIT_S. No pygls or lsprotocol import here, directly or not.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib
import json
import logging
import os
import pickle
import signal
import struct
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import unquote, urlparse

if TYPE_CHECKING:
    from server.lsp.diagnostic_items import Units
    from server.lsp.documents import DocumentState
    from server.lsp.early_initialize import EarlyAnswer, ResponseFilter
    from server.lsp.read_ahead import ReadAhead
    from server.settings import Settings

log = logging.getLogger(__name__)

SECTION = "mindport"
# How long to wait for the first didOpen after `initialize` was answered (an editor sends it
# at once); without one, pygls is imported right after.
FIRST_OPEN_WAIT_S = 0.1
# The child process gives up after this long (the server goes on without its message).
CHILD_LIMIT_S = 30
# How long the server's own didOpen handling waits for the child's analysis before doing it.
HANDOVER_WAIT_S = 1.0
# The GIL switch interval while the server runs (set here for the threads above, and by
# server.cli for the server): threads waiting in the kernel get the GIL back this soon.
SWITCH_INTERVAL_S = 0.0005
# How long the early quick-fix process waits for a request after the diagnostics before it
# imports the fix machinery (an editor asks at once; the import cannot be interrupted).
FIRST_REQUEST_WAIT_S = 0.05
_LENGTH = struct.Struct("<Q")  # the message's length, before the message and the analysis


@dataclass(slots=True)
class _Handover:
    """The analysis a child process makes for the server (by document URI)."""

    version: int | None
    digest: bytes  # of the text
    done: threading.Event = field(default_factory=threading.Event)
    # the pickled (state, settings), unpickled by the server when it takes it: not on the
    # relay thread, which must stay free for the first code actions' answers
    payload: bytes | None = None
    published: bool = False  # the diagnostics went out with those settings


_handovers: dict[str, _Handover] = {}


def _digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def take_analysis(
    uri: str, version: int | None, text: str
) -> tuple[DocumentState, Settings | None] | None:
    """The child's analysis of this document, if one was made for this text and version
    (waiting for it a little if it is still running), and the settings of the diagnostics
    published from it (None if they were not); once."""
    handover = _handovers.pop(uri, None)
    if handover is None or not handover.done.wait(HANDOVER_WAIT_S):
        return None
    if handover.version != version or handover.digest != _digest(text):
        return None
    if handover.payload is None:
        return None
    state, settings = pickle.loads(handover.payload)
    return state, settings if handover.published else None


# Messages that may come before the first didOpen without stopping the look for it.
_BEFORE_OPEN = frozenset({"initialize", "initialized", "$/setTrace", "$/cancelRequest"})


# languageIds clients use for Python; a client without filetype detection sends "" or
# "plaintext" for a .py file, which is analysed for its name.
PYTHON_LANGUAGE_IDS = frozenset({"python", "python3", "py", "pyi"})
PYTHON_SUFFIXES = (".py", ".pyi", ".pyw")


def is_python(uri: str, language_id: str | None = None) -> bool:
    """A Python document: by its languageId (notebook cells, untitled buffers) or its name."""
    if (language_id or "").strip().lower() in PYTHON_LANGUAGE_IDS:
        return True
    path = uri.split("#", 1)[0].split("?", 1)[0]
    return path.lower().endswith(PYTHON_SUFFIXES)


def as_dict(value: Any) -> dict | None:
    """Settings as sent: the settings themselves or {"mindport": {...}}."""
    if value is None:
        return None
    if isinstance(value, dict):
        inner = value.get(SECTION)
        return inner if isinstance(inner, dict) else value
    return {"<invalid>": value}


def trust_and_options(raw: Any) -> tuple[bool, dict | None]:
    """The workspace trust flag (beside the settings or inside their `mindport` object) and
    the settings without it."""
    from server.settings import take_trust

    if not isinstance(raw, dict):
        return False, as_dict(raw)
    outer_trusted, outer = take_trust(raw)
    inner_trusted, options = take_trust(as_dict(outer))
    return outer_trusted or inner_trusted, options


def workspace_folder(params: dict) -> Path | None:
    """The workspace folder pygls takes from `initialize` (rootUri, else rootPath)."""
    root_uri = params.get("rootUri")
    if isinstance(root_uri, str) and root_uri:
        parsed = urlparse(root_uri)
        return Path(unquote(parsed.path)) if parsed.scheme == "file" else None
    root_path = params.get("rootPath")
    return Path(root_path) if isinstance(root_path, str) and root_path else None


def _first_open(body: bytes) -> str:
    """The verdict for `ReadAhead.wait_for`: take a didOpen, look past what may precede it."""
    try:
        message = json.loads(body)
        method = message.get("method")
    except (ValueError, AttributeError):
        return "stop"
    if method == "textDocument/didOpen" and "id" not in message:
        return "take"
    return "skip" if method in _BEFORE_OPEN else "stop"


def publish_first_document(
    reader: ReadAhead, early: EarlyAnswer | None, out: ResponseFilter
) -> int | None:
    """Start the analysis and publication of the first opened document, if it comes now;
    the child's process id, or None."""
    if early is None or not early.sent or not isinstance(early.params, dict):
        return None
    if not hasattr(os, "fork"):
        return None
    params = early.params
    capabilities = params.get("capabilities")
    text_caps = capabilities.get("textDocument") if isinstance(capabilities, dict) else None
    if isinstance(text_caps, dict) and text_caps.get("diagnostic") is not None:
        return None  # the client pulls diagnostics
    server_caps = early.result.get("capabilities") if isinstance(early.result, dict) else None
    encoding = server_caps.get("positionEncoding") if isinstance(server_caps, dict) else None
    # what the child needs, loaded once here, before forking (the server needs it too)
    from mapping_db.store import load_database
    from server.lsp import diagnostic_items, documents  # noqa: F401
    from server.settings import load_settings  # noqa: F401

    load_database()
    body = reader.wait_for(_first_open, FIRST_OPEN_WAIT_S)
    document = _document(body) if body is not None else None
    if document is None:
        return None
    uri, version, text, language = document
    if not is_python(uri, language):
        return None
    read_end, write_end = os.pipe()
    requests_in, requests_out = os.pipe()  # codeAction requests for the child to answer
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: analyse, hand the message and the analysis over, answer
        try:
            os.close(read_end)
            os.close(requests_out)
            signal.alarm(CHILD_LIMIT_S)
            asked = os.fdopen(requests_in, "rb", buffering=0)
            with os.fdopen(write_end, "wb") as pipe, asked:
                _child(params, encoding or "utf-16", uri, version, text, pipe, asked)
        except BaseException:
            log.exception("the first document's early diagnostics failed")
        finally:
            os._exit(0)
    os.close(write_end)
    os.close(requests_in)
    atexit.register(_stop, pid)
    handover = _handovers[uri] = _Handover(version, _digest(text))
    relay = threading.Thread(
        target=_relay,
        args=(read_end, pid, out, handover, started, reader, body, uri),
        name="mindport-first",
        daemon=True,
    )
    relay.start()
    forward = threading.Thread(
        target=_forward,
        args=(reader, body, uri, requests_out),
        name="mindport-first-requests",
        daemon=True,
    )
    forward.start()
    # These threads wait in the kernel, then want the GIL back from the import of pygls:
    # switch often (as the server does once started, server.cli) so they do not wait long.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    return pid


def _document(body: bytes) -> tuple[str, int | None, str, str | None] | None:
    """(uri, version, text, languageId) of a didOpen message."""
    try:
        document = json.loads(body)["params"]["textDocument"]
        uri, text = document["uri"], document["text"]
        version, language = document.get("version"), document.get("languageId")
    except (ValueError, KeyError, TypeError):
        return None  # pygls answers what is wrong with it
    if not (isinstance(uri, str) and isinstance(text, str)):
        return None
    if not isinstance(version, int) or isinstance(version, bool):
        version = None
    return uri, version, text, language if isinstance(language, str) else None


# Linux sets the priority of one thread (setpriority on its thread id); elsewhere that
# would lower the whole server, so the import runs at the usual priority.
CAN_YIELD = sys.platform == "linux" and hasattr(os, "setpriority")
YIELD_NICENESS = 10


def import_yielding(module: str) -> None:
    """Import `module` on a thread of lower CPU priority, while the first document's child
    and its fixer (full priority) use the cores: the first diagnostics and the fix machinery
    before the protocol library. The thread ends with the import, so the server itself
    keeps its priority (a process may not raise its priority back)."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            if CAN_YIELD:
                me = threading.get_native_id()
                try:
                    now = os.getpriority(os.PRIO_PROCESS, me)
                    os.setpriority(os.PRIO_PROCESS, me, min(19, now + YIELD_NICENESS))
                except OSError as exc:
                    log.debug("import at the usual priority: %s", exc)
            importlib.import_module(module)
        except BaseException as exc:  # raised again on the calling thread
            failed.append(exc)

    worker = threading.Thread(target=run, name="mindport-import")
    worker.start()
    worker.join()
    if failed:
        raise failed[0]


def _stop(pid: int) -> None:
    """At exit: no child left behind (it lives well under a second unless stopped)."""
    try:
        if os.waitpid(pid, os.WNOHANG) == (0, 0):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    except (ChildProcessError, ProcessLookupError):
        pass  # reaped already


def _forward(reader: ReadAhead, open_body: bytes, uri: str, requests_out: int) -> None:
    """Send the child the codeAction requests it may answer (server.lsp.early_code_actions)
    until pygls reads the didOpen; then let the child finish."""
    from server.lsp.early_code_actions import STOP, next_request

    forwarded: set = set()
    deadline = time.monotonic() + CHILD_LIMIT_S
    try:
        with os.fdopen(requests_out, "wb") as pipe:
            while time.monotonic() < deadline:
                found = reader.look(
                    lambda bodies: next_request(bodies, open_body, uri, forwarded), 0.05
                )
                if found == STOP:
                    break
                if found is not None:
                    request_id, body = found
                    forwarded.add((type(request_id).__name__, request_id))
                    pipe.write(_LENGTH.pack(len(body)) + body)
                    pipe.flush()
    except OSError as exc:  # the child is gone: pygls answers
        log.debug("no more early requests: %s", exc)


def _record(pipe: BinaryIO) -> tuple[bytes, bytes] | None:
    """One record from the child: (kind, payload), None at the end."""
    head = pipe.read(1 + _LENGTH.size)
    if len(head) < 1 + _LENGTH.size:
        return None
    (length,) = _LENGTH.unpack(head[1:])
    payload = pipe.read(length)
    return (head[:1], payload) if len(payload) == length else None


def _write_record(pipe: BinaryIO, kind: bytes, payload: bytes) -> None:
    pipe.write(kind + _LENGTH.pack(len(payload)) + payload)
    pipe.flush()


def _relay(
    read_end: int,
    pid: int,
    out: ResponseFilter,
    handover: _Handover,
    started: float,
    reader: ReadAhead,
    open_body: bytes,
    uri: str,
) -> None:
    """Wait (in the kernel) for the child's records: publish the diagnostics, keep the
    analysis for the server, send the answers to requests pygls has not read."""
    from server.lsp.early_code_actions import queued_index

    published = False
    try:
        with os.fdopen(read_end, "rb") as pipe:
            while (record := _record(pipe)) is not None:
                kind, payload = record
                if kind == _DIAGNOSTICS:
                    published = out.write_early_diagnostics(payload)
                    if published:
                        log.info(
                            "first diagnostics published before the protocol was loaded, "
                            "%.0f ms after the didOpen was read",
                            (time.perf_counter() - started) * 1000,
                        )
                elif kind == _ANALYSIS:
                    handover.payload = payload
                    handover.published = published
                    handover.done.set()
                elif kind == _ANSWER:
                    raw_id, _, message = payload.partition(b"\n")
                    request_id = json.loads(raw_id)
                    # under the reader's lock: pygls cannot read it meanwhile
                    if reader.remove(
                        lambda bodies, rid=request_id: queued_index(bodies, open_body, uri, rid)
                    ):
                        out.write_early_answer(message)
                        log.info(
                            "codeAction %s answered before the protocol was loaded, %.0f ms "
                            "after the didOpen was read",
                            request_id,
                            (time.perf_counter() - started) * 1000,
                        )
    except Exception:
        log.exception("the first document's early analysis was not handed over")
    finally:
        handover.done.set()
        os.waitpid(pid, 0)


_DIAGNOSTICS, _ANALYSIS, _ANSWER = b"D", b"H", b"A"
_GO = b"G"  # to the fixer: the analysis record is written, answers may follow


def _read_exactly(stream: BinaryIO, size: int) -> bytes:
    """`size` bytes from an unbuffered stream (fewer at its end)."""
    data = b""
    while len(data) < size:
        chunk = stream.read(size - len(data))
        if not chunk:
            break
        data += chunk
    return data


def _child(
    params: dict,
    encoding: str,
    uri: str,
    version: int | None,
    text: str,
    pipe: BinaryIO,
    asked: BinaryIO,
) -> None:
    """In the child: write the framed publishDiagnostics message, then the analysis and
    settings, for the server and for a process of its own that answers the codeAction
    requests the server sends it (server.lsp.early_code_actions) until it reads the didOpen.
    Where a third core is free, that process imports the fix machinery (libcst, ~130 ms)
    meanwhile; on two cores (one analyses, one imports pygls) it would slow the diagnostics,
    so it waits, answers the requests that came with the diagnostics (importing libcst only
    if one needs a fix written), then imports it."""
    from mapping_db.store import load_database
    from server.lsp.diagnostic_items import diagnostic_items, publish_message, units_for
    from server.lsp.documents import DocumentStore
    from server.settings import load_settings

    units = units_for(encoding)
    if units is None:
        return
    state_in, state_out = os.pipe()
    fixer = os.fork()
    if fixer == 0:
        try:
            os.close(state_out)
            signal.alarm(CHILD_LIMIT_S)
            with os.fdopen(state_in, "rb") as analysis:
                _answer_requests(uri, units, analysis, pipe, asked)
        except BaseException:
            log.exception("the first document's early quick fixes failed")
        finally:
            os._exit(0)
    os.close(state_in)
    asked.close()
    try:
        with os.fdopen(state_out, "wb") as fixer_pipe:
            trusted, options = trust_and_options(params.get("initializationOptions"))
            settings, _ = load_settings(workspace_folder(params), options, None, trusted=trusted)
            state = DocumentStore().compute(uri, version, text)
            items = diagnostic_items(state, settings, load_database(), units)
            data = json.dumps(publish_message(uri, version, items)).encode()
            _write_record(pipe, _DIAGNOSTICS, b"Content-Length: %d\r\n\r\n" % len(data) + data)
            # published now; the analysis follows. The assessments hold the database's
            # records: the server makes its own.
            handed = replace(state, _assessments={})
            analysis = pickle.dumps((handed, settings), pickle.HIGHEST_PROTOCOL)
            # the fixer first (a process of its own reads it at once, while the server's
            # relay thread waits its turn for the GIL), then the server
            fixer_pipe.write(_LENGTH.pack(len(analysis)) + analysis)
            fixer_pipe.flush()
            _write_record(pipe, _ANALYSIS, analysis)
            pipe.close()
            fixer_pipe.write(_GO)  # the fixer's answers come after this record, never inside
    finally:
        os.waitpid(fixer, 0)


def _answer_requests(
    uri: str, units: Units, analysis: BinaryIO, pipe: BinaryIO, asked: BinaryIO
) -> None:
    """In the child's own child: answer the codeAction requests from the analysis."""
    import select

    from mapping_db.store import load_database
    from server.lsp.early_code_actions import answer
    from server.lsp.quick_fix_items import warm_up

    # A core for the import: a third one, or the one the server's import of pygls yields
    # (it runs at a lower priority meanwhile, import_yielding)
    spare_core = CAN_YIELD or (
        hasattr(os, "sched_getaffinity") and len(os.sched_getaffinity(0)) > 2
    )
    if spare_core:
        warm_up()  # the fix machinery, while the analysis runs
    head = _read_exactly(analysis, _LENGTH.size)
    if len(head) < _LENGTH.size:
        return
    loaded = _read_exactly(analysis, _LENGTH.unpack(head)[0])
    state, settings = pickle.loads(loaded)
    db = load_database()
    warmed = spare_core
    may_write = False  # until the analysis record is wholly in the shared pipe
    while True:
        if not warmed and not select.select([asked], [], [], FIRST_REQUEST_WAIT_S)[0]:
            begun = time.perf_counter()
            warm_up()  # no request came with the diagnostics: ready for the next
            warmed = True
            log.debug(
                "early fix machinery imported in %.0f ms", (time.perf_counter() - begun) * 1000
            )
            continue
        head = _read_exactly(asked, _LENGTH.size)
        if len(head) < _LENGTH.size:
            return
        body = _read_exactly(asked, _LENGTH.unpack(head)[0])
        request_id = json.loads(body).get("id")
        begun = time.perf_counter()
        message = answer(body, uri, state, db, settings.device, units)
        log.debug("early codeAction %s: %.0f ms", request_id, (time.perf_counter() - begun) * 1000)
        if message is not None:
            if not may_write:
                if _read_exactly(analysis, len(_GO)) != _GO:
                    return  # the child stopped before handing the analysis over
                may_write = True
            _write_record(pipe, _ANSWER, json.dumps(request_id).encode() + b"\n" + message)
