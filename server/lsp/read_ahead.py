"""Read the client's messages ahead of the request loop, so that work they make useless is
never started.

pygls reads one message, handles it, then reads the next: while an analysis runs, the edits
typed meanwhile wait unread. Here a thread reads the stream as it arrives (it waits in the
operating system, not holding the GIL) and keeps whole messages queued; pygls reads the same
bytes, in order, through `readline`/`read`. Handlers can then ask whether a message still
queued makes their work useless:

- `superseded(uri)`: a later change or close of the same document is queued, so analysing
  this version would be thrown away (its diagnostics would be replaced at once);
- `cancelled(id)`: a `$/cancelRequest` for this request is queued behind it.

`remove` drops a queued message before pygls reads it: a request answered before pygls was
loaded (server.lsp.early_code_actions) is never answered twice.

The bytes pygls reads are exactly those received: the framing here is only for looking.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import BinaryIO, TypeVar

log = logging.getLogger(__name__)

_CONTENT_LENGTH = re.compile(rb"^Content-Length: (\d+)\r\n$")
_LATER = ("textDocument/didChange", "textDocument/didClose")
_CANCEL = b'"$/cancelRequest"'
# Messages bigger than this are not parsed for a look (a whole-document change is still
# recognised as one by its method name, but not read).
_PEEK_LIMIT = 64 * 1024 * 1024
_CHUNK = 1 << 16
T = TypeVar("T")


class ReadAhead:
    def __init__(self, stream: BinaryIO) -> None:
        # Read the file descriptor itself: a daemon thread blocked inside a BufferedReader
        # holds its lock, and the interpreter aborts when it exits with that lock held.
        self._fd = stream.fileno()
        self._pending = bytearray()  # bytes read from the descriptor, not yet framed
        self._closed = False
        self._frames: deque[bytes] = deque()  # whole messages (headers + body), not yet read
        self._bodies: deque[bytes] = deque()  # their bodies, for a look
        self._current = b""  # the message pygls is reading now
        self._offset = 0
        self._eof = False
        self._lock = threading.Condition()
        self._on_arrival: Callable[[], None] | None = None
        self._thread = threading.Thread(target=self._fill, name="mindport-read", daemon=True)

    def start(self) -> ReadAhead:
        self._thread.start()
        return self

    # ---- the reading thread ----

    def _fill(self) -> None:
        try:
            while True:
                frame, body = self._read_frame()
                if frame is None:
                    break
                with self._lock:
                    self._frames.append(frame)
                    self._bodies.append(body)
                    self._lock.notify_all()
                    on_arrival = self._on_arrival
                if on_arrival is not None:
                    on_arrival()
        except (OSError, ValueError) as exc:
            log.warning("reading the client's messages failed: %s", exc)
        finally:
            with self._lock:
                self._eof = True
                self._lock.notify_all()
                on_arrival = self._on_arrival
            if on_arrival is not None:
                on_arrival()

    def _read_frame(self) -> tuple[bytes | None, bytes]:
        """One message as pygls frames it: header lines up to a blank line that follows a
        Content-Length header, then that many bytes."""
        parts: list[bytes] = []
        length = 0
        while True:
            line = self._read_line()
            if not line:
                return (b"".join(parts) or None), b""
            parts.append(line)
            if not length:
                match = _CONTENT_LENGTH.fullmatch(line)
                if match:
                    length = int(match.group(1))
            if length and not line.strip():
                body = self._read_exactly(length)
                parts.append(body)
                return b"".join(parts), body

    def _more(self) -> bool:
        if self._closed:
            return False
        chunk = os.read(self._fd, _CHUNK)
        if not chunk:
            self._closed = True
            return False
        self._pending += chunk
        return True

    def _read_line(self) -> bytes:
        while True:
            end = self._pending.find(b"\n")
            if end >= 0:
                line = bytes(self._pending[: end + 1])
                del self._pending[: end + 1]
                return line
            if not self._more():
                line = bytes(self._pending)
                self._pending.clear()
                return line

    def _read_exactly(self, size: int) -> bytes:
        while len(self._pending) < size and self._more():
            pass
        data = bytes(self._pending[:size])
        del self._pending[:size]
        return data

    # ---- what pygls calls ----

    def ready(self) -> bool:
        """Whether `readline` and `read` (of at most the current message) return at once."""
        with self._lock:
            return self._offset < len(self._current) or bool(self._frames) or self._eof

    def on_arrival(self, callback: Callable[[], None] | None) -> None:
        """Call `callback()` on the reading thread after each message is queued, and at the
        end of the stream (it must only hand over: e.g. loop.call_soon_threadsafe)."""
        with self._lock:
            self._on_arrival = callback

    def _next(self, block: bool = True) -> bool | None:
        """Make the next queued message current; False at the end of the stream, None when
        none is queued and `block` is false."""
        with self._lock:
            while not self._frames and not self._eof:
                if not block:
                    return None
                self._lock.wait()
            if not self._frames:
                return False
            self._current = self._frames.popleft()
            self._bodies.popleft()
            self._offset = 0
            return True

    def readline(self, block: bool = True) -> bytes | None:
        """The next line; None, having read nothing, when `block` is false and no message is
        queued (a queued one may be dropped by `remove` between a look and this read)."""
        out = bytearray()
        while True:
            if self._offset >= len(self._current):
                moved = self._next(block or bool(out))
                if moved is None:
                    return None
                if not moved:
                    return bytes(out)
            end = self._current.find(b"\n", self._offset)
            stop = len(self._current) if end < 0 else end + 1
            out += self._current[self._offset : stop]
            self._offset = stop
            if end >= 0:
                return bytes(out)

    def read(self, size: int = -1, block: bool = True) -> bytes | None:
        """`size` bytes (all to the end with -1); None as for `readline`."""
        out = bytearray()
        while size < 0 or len(out) < size:
            if self._offset >= len(self._current):
                moved = self._next(block or bool(out))
                if moved is None:
                    return None
                if not moved:
                    break
            want = len(self._current) - self._offset
            if size >= 0:
                want = min(want, size - len(out))
            out += self._current[self._offset : self._offset + want]
            self._offset += want
        return bytes(out)

    # ---- looks at what is queued ----

    def first_body(self) -> bytes | None:
        """The body of the first message not read yet, once it has arrived (None at the end
        of the stream)."""
        with self._lock:
            while not self._bodies and not self._eof:
                self._lock.wait()
            return self._bodies[0] if self._bodies else None

    def wait_for(self, verdict: Callable[[bytes], str], timeout: float) -> bytes | None:
        """The first queued body that `verdict` says to "take", looking at the queued
        messages in order (and those arriving within `timeout` seconds) past those it says
        to "skip"; None at one it says to "stop" at, at the end of the stream, or on time."""
        deadline = time.monotonic() + timeout
        seen = 0
        with self._lock:
            while True:
                while seen < len(self._bodies):
                    answer = verdict(self._bodies[seen])
                    if answer == "take":
                        return self._bodies[seen]
                    if answer == "stop":
                        return None
                    seen += 1
                left = deadline - time.monotonic()
                if self._eof or left <= 0:
                    return None
                self._lock.wait(left)

    def look(self, verdict: Callable[[Sequence[bytes]], T | None], timeout: float) -> T | None:
        """What `verdict` finds in the queued bodies (oldest first), asked now and as
        messages arrive within `timeout` seconds; None at the end of the stream or on time."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = verdict(tuple(self._bodies))
                left = deadline - time.monotonic()
                if found is not None or self._eof or left <= 0:
                    return found
                self._lock.wait(left)

    def remove(self, pick: Callable[[Sequence[bytes]], int | None]) -> bool:
        """Drop the queued message at the index `pick` gives (None: none) before pygls
        reads it, e.g. a request answered already; whether one was dropped."""
        with self._lock:
            index = pick(tuple(self._bodies))
            if index is None or not 0 <= index < len(self._bodies):
                return False
            del self._frames[index]
            del self._bodies[index]
            return True

    def _queued(self, marker: bytes) -> Iterator[dict]:
        """Queued messages whose body holds `marker`, parsed one at a time (oldest first)."""
        with self._lock:
            bodies = [b for b in self._bodies if marker in b and len(b) <= _PEEK_LIMIT]
        for body in bodies:
            try:
                message = json.loads(body)
            except ValueError:
                continue
            if isinstance(message, dict) and isinstance(message.get("params"), dict):
                yield message

    def superseded(self, uri: str) -> bool:
        """A later change (or the close) of this document is queued."""
        for message in self._queued(b'"' + uri.encode() + b'"'):
            document = message["params"].get("textDocument")
            if (
                message.get("method") in _LATER
                and "id" not in message
                and isinstance(document, dict)
                and document.get("uri") == uri
            ):
                return True
        return False

    def cancelled(self, request_id: int | str) -> bool:
        """A `$/cancelRequest` for this request is queued."""
        return any(
            m.get("method") == "$/cancelRequest" and m["params"].get("id") == request_id
            for m in self._queued(_CANCEL)
        )
