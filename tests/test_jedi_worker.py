"""The jedi worker process never outlives the server, however the server ends."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _send(proc: subprocess.Popen[bytes], payload: dict) -> None:
    body = json.dumps(payload).encode()
    assert proc.stdin is not None
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()


def _read(proc: subprocess.Popen[bytes]) -> dict:
    assert proc.stdout is not None
    length = 0
    while (line := proc.stdout.readline().strip()) != b"":
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(proc.stdout.read(length))


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_worker_exits_when_the_server_is_killed() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--log-level", "warning"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        init = {"processId": None, "rootUri": None, "capabilities": {},
                "initializationOptions": {"doctorAtStart": False, "jedi": True}}  # fmt: skip
        _send(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": init})
        while _read(proc).get("id") != 1:
            pass
        _send(proc, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
        deadline = time.monotonic() + 30
        workers: list[int] = []
        while not workers and time.monotonic() < deadline:
            time.sleep(0.2)
            workers = [
                p for p in _children(proc.pid)
                if "spawn_main" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")
            ]  # fmt: skip
        assert workers, "the server started no jedi worker"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 30
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(_alive(p) for p in workers), "the jedi worker outlived the server"


def test_a_truncated_parse_cache_file_is_dropped(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pickle

    import jedi

    from server.analysis import jedi_fallback

    monkeypatch.setattr(jedi.settings, "cache_directory", str(tmp_path))
    (tmp_path / "CPython-311-33").mkdir()
    good = tmp_path / "CPython-311-33" / "good.pkl"
    good.write_bytes(pickle.dumps({"module": "parsed"}))
    broken = tmp_path / "CPython-311-33" / "broken.pkl"
    broken.write_bytes(pickle.dumps({"module": "parsed" * 1000})[:100])  # cut mid-write
    assert jedi_fallback._drop_broken_cache_files() == 1
    assert good.exists() and not broken.exists()


def test_parse_cache_writes_go_through_a_rename(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pickle

    import parso.cache

    from server.analysis import jedi_fallback

    monkeypatch.setattr(parso.cache, "_save_to_file_system", parso.cache._save_to_file_system)
    jedi_fallback._make_parso_cache_writes_atomic()
    parso.cache._save_to_file_system("grammar", tmp_path / "mod.py", {"x": 1}, cache_path=tmp_path)
    written = list(tmp_path.rglob("*.pkl"))
    assert len(written) == 1 and not list(tmp_path.rglob("*.tmp"))
    assert pickle.loads(written[0].read_bytes()) == {"x": 1}


def test_a_dead_worker_is_replaced_and_the_question_answered() -> None:
    from server.analysis.findings import Span
    from server.analysis.jedi_fallback import JediFallback

    source = "import torch\n\n\ndef f():\n    y = torch.ones(2)\n    return y.view(1)\n"
    view = Span(5, 13, 5, 17)
    jedi = JediFallback(budget_s=60.0)
    try:
        assert jedi.warm().result(timeout=120)
        (worker,) = jedi._pool._processes.values()  # type: ignore[attr-defined]
        os.kill(worker.pid, signal.SIGKILL)
        worker.join(10)
        deadline = time.monotonic() + 120
        answer = None
        while answer is None and time.monotonic() < deadline:
            try:  # the pool notices the death on its own thread: ask until it has
                answer = jedi.confirm(source, None, [view]).result(timeout=120)
            except Exception:
                time.sleep(0.2)
        assert answer == {view}
    finally:
        jedi.shutdown()
