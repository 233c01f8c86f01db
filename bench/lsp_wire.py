"""A minimal synchronous LSP client over stdio: benchmarks time the server, not a framework."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from typing import Any


class WireClient:
    def __init__(self, command: list[str] | None = None) -> None:
        self.command = command or [sys.executable, "-m", "server.cli", "serve"]
        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            self.command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self._next_id = 0
        self._responses: dict[int, queue.Queue] = {}
        self.notifications: queue.Queue = queue.Queue()
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
                self._responses.setdefault(message["id"], queue.Queue()).put(message)
            elif "id" in message:  # a request from the server: answer it empty
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": None})
            else:
                self.notifications.put((arrived, message))

    def _send(self, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, method: str, params: Any, timeout: float = 30) -> Any:
        self._next_id += 1
        rid = self._next_id
        box = self._responses.setdefault(rid, queue.Queue())
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        message = box.get(timeout=timeout)
        del self._responses[rid]
        if "error" in message:
            raise RuntimeError(message["error"])
        return message.get("result")

    def notify(self, method: str, params: Any) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait_notification(self, method: str, timeout: float = 30) -> tuple[float, dict]:
        deadline = time.perf_counter() + timeout
        while True:
            at, message = self.notifications.get(timeout=max(0.01, deadline - time.perf_counter()))
            if message.get("method") == method:
                return at, message

    def initialize(self, root_uri: str | None = None) -> Any:
        result = self.request(
            "initialize",
            {
                "processId": None,
                "rootUri": root_uri,
                "capabilities": {},
                "initializationOptions": {},
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
