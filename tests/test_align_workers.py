"""The worker-process primitive (server/runner/workers.py): JSON lines, timeout, cancel from
another thread, death, and no process left behind (the whole tree is killed)."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import pytest

from server.runner.workers import (
    Launcher,
    WorkerCancelled,
    WorkerDied,
    WorkerProcess,
    WorkerTimeout,
)
from tests.process_helpers import alive

ECHO = """
import json, sys
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    message = json.loads(line)
    if message.get("op") == "sleep":
        import time; time.sleep(message["seconds"])
    if message.get("op") == "exit":
        sys.exit(message["code"])
    print(json.dumps({"progress": "working"}), flush=True)
    print(json.dumps({"echo": message}), flush=True)
"""

# The worker starts a grandchild that would outlive a plain kill of the worker.
SPAWNER = """
import json, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print(json.dumps({"grandchild": child.pid}), flush=True)
time.sleep(600)
"""


def worker(code: str, tmp_path: Path) -> WorkerProcess:
    return WorkerProcess([sys.executable, "-c", code], log_path=tmp_path / "log", name="test")


def test_request_and_answer_with_progress_lines(tmp_path: Path) -> None:
    with worker(ECHO, tmp_path) as w:
        assert w.receive(30) == {"ready": True}
        seen: list[dict] = []
        answer = w.request(
            {"op": "hi", "n": 1}, 30, on_message=lambda m: "progress" in m and not seen.append(m)
        )
        assert answer == {"echo": {"op": "hi", "n": 1}}
        assert seen == [{"progress": "working"}]
    assert not alive(w.pid)


def test_timeout_kills_the_worker(tmp_path: Path) -> None:
    w = worker(ECHO, tmp_path)
    w.receive(30)
    started = time.monotonic()
    with pytest.raises(WorkerTimeout, match="within 1 s"):
        w.request({"op": "sleep", "seconds": 60}, 1)
    assert time.monotonic() - started < 20
    assert not alive(w.pid)
    w.close()


def test_a_worker_that_exits_is_reported_with_its_code(tmp_path: Path) -> None:
    w = worker(ECHO, tmp_path)
    w.receive(30)
    with pytest.raises(WorkerDied, match="exited with code 7") as info:
        w.request({"op": "exit", "code": 7}, 30)
    assert info.value.returncode == 7
    w.close()


def test_cancel_from_another_thread_kills_the_whole_tree(tmp_path: Path) -> None:
    w = worker(SPAWNER, tmp_path)
    grandchild = w.receive(30)["grandchild"]
    assert alive(grandchild)
    threading.Timer(0.5, w.cancel).start()
    with pytest.raises(WorkerCancelled):
        w.receive(60)
    assert not alive(w.pid)
    deadline = time.monotonic() + 10
    while alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(grandchild)
    w.close()


def test_a_missing_interpreter_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(WorkerDied, match="could not start"):
        WorkerProcess([str(tmp_path / "no-python"), "-c", "pass"], log_path=tmp_path / "log")


def test_own_temporary_log_is_removed(tmp_path: Path) -> None:
    w = WorkerProcess([sys.executable, "-c", "import sys; print('noise', file=sys.stderr)"])
    assert w.log_path is not None
    with pytest.raises(WorkerDied) as info:
        w.receive(30)
    assert "noise" in str(info.value)
    w.close()
    assert not w.log_path.exists()


def test_launchers_make_command_lines() -> None:
    assert Launcher().argv("py", "w.py", ["--a"]) == ["py", "w.py", "--a"]
    torchrun = Launcher("torchrun", 4).argv("py", "w.py")
    assert torchrun[:3] == ["py", "-m", "torch.distributed.run"]
    assert "--nproc-per-node=4" in torchrun
    msrun = Launcher("msrun", 8).argv("py", "w.py")
    assert "--worker_num=8" in msrun and msrun[-1] == "w.py"
    with pytest.raises(ValueError):
        Launcher("mpirun").argv("py", "w.py")


def test_nothing_of_ours_left_running(tmp_path: Path) -> None:
    """A worker closed normally leaves no process (the close waits, then kills)."""
    w = worker(ECHO, tmp_path)
    w.receive(30)
    pid = w.pid
    w.close()
    assert not alive(pid)
