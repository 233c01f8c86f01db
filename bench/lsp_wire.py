"""A minimal synchronous LSP client over stdio: benchmarks time the server, not a framework."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any


class WireClient:
    def __init__(
        self,
        command: list[str] | None = None,
        log_file: Path | None = None,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        """`log_file`: run the server at debug level with its log there (for timings the
        server itself records); otherwise its log is discarded."""
        self.command = command or [sys.executable, "-m", "server.cli", "serve"]
        if log_file is not None:
            self.command = [*self.command, "--log-level", "debug", "--log-file", str(log_file)]
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=cwd,
            env=None if env is None else {**os.environ, **env},
        )
        self._next_id = 0
        self._lock = threading.Lock()
        self._responses: dict[int, queue.Queue] = {}
        self.notifications: queue.Queue = queue.Queue()
        self.history: list[dict] = []  # every notification, also those a wait skipped
        self.answered: list = []  # the id of every response, in order
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            body = stream.read(length)
            arrived = time.perf_counter()  # before parsing: that is the editor's cost, not ours
            message = json.loads(body)
            if "id" in message and "method" not in message:
                self.answered.append(message["id"])
                with self._lock:
                    box = self._responses.setdefault(message["id"], queue.Queue())
                box.put((arrived, message))
            elif "id" in message:  # a request from the server: answer it empty
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            else:
                self.history.append(message)
                self.notifications.put((arrived, message))

    def send_raw(self, body: bytes) -> None:
        assert self.proc.stdin is not None
        with self._lock:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def _send(self, payload: dict[str, Any]) -> None:
        self.send_raw(json.dumps(payload).encode())

    def request_timed(self, method: str, params: Any, timeout: float = 30) -> tuple[float, Any]:
        """(arrival time of the answer, result)."""
        with self._lock:
            self._next_id += 1
            rid = self._next_id
            box = self._responses.setdefault(rid, queue.Queue())
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        arrived, message = box.get(timeout=timeout)
        with self._lock:
            del self._responses[rid]
        if "error" in message:
            raise RuntimeError(message["error"])
        return arrived, message.get("result")

    def request(self, method: str, params: Any, timeout: float = 30) -> Any:
        return self.request_timed(method, params, timeout)[1]

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_notification(self, method: str, timeout: float = 30) -> tuple[float, dict]:
        deadline = time.perf_counter() + timeout
        while True:
            at, message = self.notifications.get(timeout=max(0.01, deadline - time.perf_counter()))
            if message.get("method") == method:
                return at, message

    def drain(self) -> None:
        while True:
            try:
                self.notifications.get_nowait()
            except queue.Empty:
                return

    def initialize(self, root_uri: str | None = None, options: dict | None = None) -> Any:
        result = self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": root_uri,
                "capabilities": {},
                "initializationOptions": options or {},
            },
        )
        self.notify("initialized", {})
        return result

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=5)
            self.notify("exit", None)
            self.proc.wait(timeout=5)
        except Exception:
            self.proc.kill()
            self.proc.wait()
