"""One worker process: spawn it in a given interpreter, talk JSON lines, time out, cancel, kill.

Every run of torch or mindspore (alignment, profiling, `db verify`) happens in a worker made
here. The worker prints one JSON object per line on its stdout (everything else it or its
libraries print must go to stderr, which is written to a log file); the parent sends requests
as JSON lines on its stdin.

A worker starts in a session of its own (`start_new_session`), so a kill reaches the whole
process tree it made (a DataLoader's workers, a compiler it spawned), and Ctrl-C in a terminal
reaches only the parent, which then stops its workers. `kill()` may be called from any thread;
a thread blocked in `receive()` then raises `WorkerCancelled` (after `cancel()`) or
`WorkerDied`.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import signal
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

POLL_S = 0.2  # how often a blocked receive() looks at its cancel event


class WorkerError(RuntimeError):
    """A worker did not give an answer; the message says why in the user's words."""


class WorkerTimeout(WorkerError):
    pass


class WorkerDied(WorkerError):
    def __init__(self, message: str, returncode: int | None) -> None:
        super().__init__(message)
        self.returncode = returncode


class WorkerCancelled(WorkerError):
    pass


@dataclass(frozen=True, slots=True)
class Launcher:
    """How a worker's command line is made: the launcher is a parameter of a run.

    `local` runs the script in the interpreter directly (one process, the path built and
    tested today). `torchrun` and `msrun` are the frameworks' own multi-process launchers; a
    multi-device run starts its side under them, every rank dumping its own files
    (docs/alignment.md describes the design).
    """

    kind: str = "local"  # local | torchrun | msrun
    nprocs: int = 1

    def argv(self, python: str, script: str | Path, args: Sequence[str] = ()) -> list[str]:
        script = str(script)
        if self.kind == "local":
            return [python, script, *args]
        if self.kind == "torchrun":
            return [
                python,
                "-m",
                "torch.distributed.run",
                "--standalone",
                f"--nproc-per-node={self.nprocs}",
                script,
                *args,
            ]
        if self.kind == "msrun":
            return [
                python,
                "-m",
                "mindspore.parallel.cluster.run",
                f"--worker_num={self.nprocs}",
                f"--local_worker_num={self.nprocs}",
                "--join=True",
                script,
                *args,
            ]
        raise ValueError(f"unknown launcher {self.kind!r} (local, torchrun or msrun)")


def _descendants(pid: int) -> list[int]:
    """Every process below `pid` (Linux /proc); empty where /proc is not there."""
    children: dict[int, list[int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 1:
            children.setdefault(int(fields[1]), []).append(int(entry))
    found: list[int] = []
    queue = deque([pid])
    while queue:
        for child in children.get(queue.popleft(), []):
            found.append(child)
            queue.append(child)
    return found


def kill_tree(process: subprocess.Popen[bytes]) -> None:
    """Kill a process started in a session of its own and everything it started."""
    if process.poll() is not None:
        return
    stray = _descendants(process.pid)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # its session: pgid == pid
    for pid in stray:  # children that left the session
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


@dataclass(frozen=True, slots=True)
class OneShotRun:
    """What a process run to its end by `run_once` left."""

    returncode: int | None
    stdout: bytes
    stderr: bytes
    timed_out: bool


def run_once(
    argv: Sequence[str], *, cwd: str | Path, env: dict[str, str] | None, timeout: float
) -> OneShotRun:
    """Run a command with no input to its end, or kill its whole tree at `timeout`.

    For probes that answer once (the environment doctor); raises OSError when it cannot start.
    """
    process = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=env,
        start_new_session=True,
    )
    timed_out = False
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        kill_tree(process)
        out, err = process.communicate()
    return OneShotRun(process.returncode, out, err, timed_out)


@dataclass
class WorkerProcess:
    """A running worker. Use as a context manager, or call kill() when done."""

    argv: list[str]
    cwd: str | Path | None = None
    env: dict[str, str] | None = None
    log_path: Path | None = None  # the worker's stderr; a temporary file when None
    name: str = "worker"
    process: subprocess.Popen[bytes] = field(init=False)
    _buffer: bytes = field(default=b"", init=False)
    _messages: deque[dict[str, Any]] = field(default_factory=deque, init=False)
    _cancelled: threading.Event = field(default_factory=threading.Event, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)
    _log: IO[bytes] = field(init=False)
    _own_log: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        if self.log_path is None:
            handle, name = tempfile.mkstemp(prefix=f"mindport-{self.name}-", suffix=".log")
            os.close(handle)
            self.log_path = Path(name)
            self._own_log = True
        self._log = self.log_path.open("ab")
        try:
            self.process = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._log,
                cwd=self.cwd,
                env=self.env,
                bufsize=0,
                start_new_session=True,
            )
        except OSError as exc:
            self._log.close()
            self._remove_log()
            raise WorkerDied(
                f"could not start {self.argv[0]}: {exc.strerror or exc}", None
            ) from exc

    # -- talking ---------------------------------------------------------------------------

    @property
    def stdout(self) -> IO[bytes]:
        assert self.process.stdout is not None
        return self.process.stdout

    def send(self, message: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        try:
            self.process.stdin.write((json.dumps(message) + "\n").encode())
        except (BrokenPipeError, ValueError):
            pass  # the worker is gone; reading its stdout says how

    def feed(self) -> list[dict[str, Any]]:
        """Read what is available now (call when the selector says stdout is readable).

        Returns the complete messages; raises WorkerDied at end of file."""
        try:
            chunk = os.read(self.stdout.fileno(), 1 << 16)
        except (OSError, ValueError):
            chunk = b""
        if not chunk:
            raise self._death()
        self._buffer += chunk
        found = []
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            if line.strip():
                try:
                    found.append(json.loads(line))
                except json.JSONDecodeError:
                    text = line[:200].decode(errors="replace")
                    why = f"{self.name} wrote a line that is not JSON: {text}"
                    raise WorkerDied(why, None) from None
        return found

    def receive(
        self,
        timeout: float,
        *,
        on_message: Callable[[dict[str, Any]], bool] | None = None,
        what: str = "an answer",
    ) -> dict[str, Any]:
        """The next message. `on_message` sees each one first and returns True to consume it
        (progress lines); raises WorkerTimeout, WorkerCancelled or WorkerDied."""
        deadline = time.monotonic() + timeout
        try:
            return self._receive(deadline, timeout, on_message, what)
        except (OSError, ValueError) as exc:  # the pipes were closed by a kill from elsewhere
            if self._cancelled.is_set():
                raise WorkerCancelled(f"{self.name}: cancelled") from None
            raise self._death() from exc

    def _receive(
        self,
        deadline: float,
        timeout: float,
        on_message: Callable[[dict[str, Any]], bool] | None,
        what: str,
    ) -> dict[str, Any]:
        with selectors.DefaultSelector() as selector:
            selector.register(self.stdout, selectors.EVENT_READ)
            while True:
                while self._messages:
                    message = self._messages.popleft()
                    if on_message is None or not on_message(message):
                        return message
                if self._cancelled.is_set():
                    self.kill()
                    raise WorkerCancelled(f"{self.name}: cancelled")
                left = deadline - time.monotonic()
                if left <= 0:
                    self.kill()
                    raise WorkerTimeout(f"{self.name}: no {what} within {timeout:g} s")
                if selector.select(timeout=min(left, POLL_S)):
                    try:
                        self._messages.extend(self.feed())
                    except WorkerDied:
                        if self._cancelled.is_set():
                            raise WorkerCancelled(f"{self.name}: cancelled") from None
                        raise

    def request(self, message: dict[str, Any], timeout: float, **kwargs: Any) -> dict[str, Any]:
        self.send(message)
        return self.receive(timeout, **kwargs)

    # -- ending ----------------------------------------------------------------------------

    def cancel(self) -> None:
        """Stop the worker from any thread; a receive() in progress raises WorkerCancelled."""
        self._cancelled.set()
        self.kill()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def kill(self) -> None:
        """Kill the worker and every process it started; idempotent, any thread."""
        with self._lock:
            process = self.process
            kill_tree(process)
            process.wait()
            for stream in (process.stdin, process.stdout):
                if stream is not None:
                    with contextlib.suppress(OSError):
                        stream.close()
            if not self._log.closed:
                self._log.close()

    def close(self, grace: float = 2.0) -> None:
        """Ask the worker to exit (stdin closed) and kill it if it does not; removes an
        own temporary log."""
        if self.process.poll() is None and self.process.stdin is not None:
            with contextlib.suppress(OSError):
                self.process.stdin.close()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=grace)
        self.kill()
        self._remove_log()

    def _remove_log(self) -> None:
        if self._own_log and self.log_path is not None:
            with contextlib.suppress(OSError):
                self.log_path.unlink()

    def __enter__(self) -> WorkerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- diagnosis -------------------------------------------------------------------------

    @property
    def pid(self) -> int:
        return self.process.pid

    def stderr_tail(self, lines: int = 8) -> str:
        if self.log_path is None:
            return ""
        with contextlib.suppress(OSError):
            self._log.flush()
        try:
            with self.log_path.open("rb") as handle:
                handle.seek(0, os.SEEK_END)
                size = handle.tell()
                handle.seek(max(0, size - 16384))
                text = handle.read().decode(errors="replace")
        except OSError:
            return ""
        kept = [line for line in text.splitlines() if line.strip()]
        return "\n".join(line[:300] for line in kept[-lines:])

    def _death(self) -> WorkerDied:
        code = self.process.wait()
        if code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else str(-code)
            why = f"{self.name} was killed by {name}"
            if -code == signal.SIGKILL:
                why += " (out of memory? the system kills the largest process when memory runs out)"
        else:
            why = f"{self.name} exited with code {code}"
        tail = self.stderr_tail(4)
        return WorkerDied(why + (f"; its last output:\n{tail}" if tail else ""), code)
