"""The two workers of a run, torch and MindSpore, in the user's interpreter next to the user's
folder; requests with timeouts; failures turned into RunFailure with the user's frame."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from server.runner.align.spec import RunSpec
from server.runner.workers import (
    WorkerCancelled,
    WorkerDied,
    WorkerError,
    WorkerProcess,
    WorkerTimeout,
)

BOOT = Path(__file__).resolve().parents[1] / "worker_boot.py"
SIDES = ("torch", "mindspore")
STARTUP_TIMEOUT = 300.0  # importing torch or mindspore on a busy machine
LABEL = {"torch": "torch", "mindspore": "MindSpore"}

Progress = Callable[[str, str], None]


class RunFailure(Exception):
    """The run could not go on. kind: usage (exit 2), model, environment, timeout, memory,
    crash (exit 3), cancelled."""

    def __init__(
        self,
        message: str,
        *,
        kind: str = "model",
        stage: str = "",
        side: str = "",
        frame: dict[str, Any] | None = None,
        traceback: str = "",
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.stage = stage
        self.side = side
        self.frame = frame
        self.traceback = traceback

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "message": str(self),
            "stage": self.stage,
            "side": self.side,
            "frame": self.frame,
            "traceback": self.traceback,
        }


class RunHandle:
    """Lets another thread cancel a run: the workers are killed, the run raises cancelled."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._workers: list[WorkerProcess] = []
        self.cancelled = threading.Event()

    def attach(self, worker: WorkerProcess) -> None:
        with self._lock:
            self._workers.append(worker)
            if self.cancelled.is_set():
                worker.cancel()

    def cancel(self) -> None:
        with self._lock:
            self.cancelled.set()
            for worker in self._workers:
                worker.cancel()

    def check(self) -> None:
        if self.cancelled.is_set():
            raise RunFailure("cancelled", kind="cancelled")


class Sides:
    def __init__(
        self,
        spec: RunSpec,
        workdir: Path,
        handle: RunHandle | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.spec = spec
        self.workdir = workdir
        self.handle = handle or RunHandle()
        self.progress = progress
        self.workers: dict[str, WorkerProcess] = {}
        self.versions: dict[str, str] = {}
        self.stage = "building"

    def start(self) -> None:
        env = dict(os.environ)
        env["MINDPORT_THREADS"] = str(self.spec.threads)
        env.setdefault("GLOG_v", "3")  # mindspore: errors only on stderr
        env.setdefault("PYTHONUNBUFFERED", "1")
        for side in SIDES:
            self.handle.check()
            args = [
                "--side",
                side,
                "--device",
                self.spec.device,
                "--workdir",
                str(self.workdir),
                "--seed",
                str(self.spec.seed),
                "--root",
                str(self.spec.user_root),
                "--parent",
                str(os.getpid()),
            ]
            argv = self.spec.launcher.argv(self.spec.python, BOOT, args)
            log = self.workdir / f"{side}.log"
            try:
                worker = WorkerProcess(
                    argv,
                    cwd=self.spec.user_root,
                    env=env,
                    log_path=log,
                    name=f"the {LABEL[side]} worker",
                )
            except WorkerDied as exc:
                raise RunFailure(str(exc), kind="usage", stage="building", side=side) from exc
            self.workers[side] = worker
            self.handle.attach(worker)
        for side in SIDES:
            ready = self._receive(side, STARTUP_TIMEOUT, "building")
            if not ready.get("ready"):
                error = dict(ready.get("error") or {})
                if error.get("type") in ("ModuleNotFoundError", "ImportError"):
                    python = self.spec.python
                    error["message"] = (
                        f"{python} cannot import what the {LABEL[side]} side needs "
                        f"({error.get('type')}: {error.get('message')}); "
                        f"`mindport doctor --python {python}` says what to install"
                    )
                    error["type"], error["frame"] = "environment", None
                    error["kind"] = "environment"
                self._raise(side, error, "building")
            self.versions[side] = str(ready.get("version", ""))
            self.versions["python"] = str(ready.get("python", ""))

    def _receive(self, side: str, timeout: float, stage: str) -> dict[str, Any]:
        worker = self.workers[side]

        def on_message(message: dict[str, Any]) -> bool:
            if "progress" in message:
                if self.progress is not None:
                    self.progress(stage, f"{LABEL[side]}: {message['progress']}")
                return True
            return False

        try:
            return worker.receive(timeout, on_message=on_message)
        except WorkerCancelled as exc:
            raise RunFailure("cancelled", kind="cancelled", stage=stage, side=side) from exc
        except WorkerTimeout as exc:
            message = f"{LABEL[side]} side: {stage} took longer than {timeout:g} s (timeout)"
            raise RunFailure(message, kind="timeout", stage=stage, side=side) from exc
        except WorkerDied as exc:
            kind = "memory" if exc.returncode == -9 else "crash"
            raise RunFailure(
                f"{LABEL[side]} side, {stage}: {exc}", kind=kind, stage=stage, side=side
            ) from exc
        except WorkerError as exc:
            raise RunFailure(str(exc), kind="crash", stage=stage, side=side) from exc

    def _raise(self, side: str, error: dict[str, Any], stage: str) -> None:
        kind = {"user": "usage", "memory": "memory", "environment": "environment"}.get(
            error.get("kind", ""), "model"
        )
        message = error.get("message") or "failed"
        if kind == "model":
            message = f"{error.get('type', 'Error')}: {message}"
        raise RunFailure(
            f"{LABEL[side]} side, {stage}: {message}",
            kind=kind,
            stage=stage,
            side=side,
            frame=error.get("frame"),
            traceback=error.get("traceback", ""),
        )

    def send(self, side: str, op: str, **payload: Any) -> None:
        self.handle.check()
        self.workers[side].send({"op": op, **payload})

    def answer(self, side: str, stage: str) -> dict[str, Any]:
        reply = self._receive(side, self.spec.timeout, stage)
        if not reply.get("ok"):
            self._raise(side, reply.get("error") or {}, stage)
        return reply

    def call(self, side: str, op: str, stage: str, **payload: Any) -> dict[str, Any]:
        self.send(side, op, **payload)
        return self.answer(side, stage)

    def both(
        self, stage: str, torch: dict[str, Any], ms: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Send one request to each side, then wait for both (they run side by side)."""
        self.send("torch", **torch)
        self.send("mindspore", **ms)
        return self.answer("torch", stage), self.answer("mindspore", stage)

    def close(self) -> None:
        for worker in self.workers.values():
            worker.close(grace=1.0)
