"""Jedi as the fallback judge of receivers that local evidence leaves undecided.

Cold, jedi needs seconds to load torch's sources; warm, a query takes milliseconds
(docs/architecture.md, decision 3). So one worker warms it at start and answers batches of
questions with a time budget per batch; nothing waits for it: callers get a future, and the
server publishes what it confirmed when the answer arrives.

The worker is a separate process, not a thread: jedi is pure Python, and a thread running it
holds the GIL the request loop needs, which turned sub-millisecond hovers into 10-20 ms ones
for the seconds jedi takes to warm up. Its standard output goes to standard error: the
server's standard output is the protocol.
"""

from __future__ import annotations

import logging
import os
import pickle
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from server.analysis.findings import Span

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor

log = logging.getLogger(__name__)

# Where jedi says a method is defined when its receiver is a torch.Tensor.
_TENSOR_CLASSES = ("torch._tensor.Tensor.", "torch._C.TensorBase.", "torch.Tensor.")
_WARM_SOURCE = "import torch\ntorch.ones(1).view(1)\n"


class JediFallback:
    def __init__(self, python: str | None = None, budget_s: float = 2.0) -> None:
        self.python = python
        self.budget_s = budget_s
        self._pool = self._new_pool()
        self.ready = False

    def _new_pool(self) -> ProcessPoolExecutor:
        # imported here: multiprocessing costs ~60 ms, not needed for the server's first answer
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_worker_start,
            initargs=(self.python, os.getpid()),
        )

    def _submit(self, fn: Any, *args: Any) -> Future:
        """Submit to the worker; a worker that died (jedi crashed, killed for memory) is
        replaced once, and the question goes to the new one."""
        from concurrent.futures.process import BrokenProcessPool

        try:
            return self._pool.submit(fn, *args)
        except BrokenProcessPool:
            log.warning("the jedi worker died: starting a new one")
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            self.ready = False
            return self._pool.submit(fn, *args)

    def warm(self) -> Future:
        """Load jedi and torch's stubs in the background (seconds, once)."""
        started = time.perf_counter()
        future = self._submit(_warm)

        def done(f: Future) -> None:
            if f.cancelled() or f.exception() is not None or not f.result():
                log.warning("jedi could not start: %s", _reason(f))
                return
            self.ready = True
            log.info("jedi warm after %.1f s", time.perf_counter() - started)

        future.add_done_callback(done)
        return future

    def confirm(self, source: str, path: str | None, spans: Sequence[Span]) -> Future:
        """Future of the spans (method names) whose receiver jedi infers to be a tensor. The
        time budget starts when the worker takes the batch, not while it waits behind the
        warm-up or an earlier batch."""
        return self._submit(_confirm_within, source, path, list(spans), self.budget_s)

    def shutdown(self) -> None:
        """Stop the worker now, even mid-query: the server is exiting."""
        processes = list(getattr(self._pool, "_processes", {}).values())
        self._pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()


def _reason(future: Future) -> str:
    if future.cancelled():
        return "cancelled"
    exc = future.exception()
    return str(exc) if exc is not None else "the warm-up query failed"


# ---- in the worker process ----

_python: str | None = None
_environment: Any = None
_PARENT_POLL_S = 1.0


# The worker yields the CPU to the server (and the editor): jedi's seconds of warm-up on a
# 2-core machine otherwise slow the request loop's analyses.
WORKER_NICENESS = 10


def _worker_start(python: str | None, server_pid: int) -> None:
    global _python
    _python = python
    lower_priority(WORKER_NICENESS)
    _make_parso_cache_writes_atomic()
    os.dup2(2, 1)  # anything printed lands in the log, never in the protocol stream
    sys.stdout = sys.stderr
    # A pool worker holds both ends of its task queue, so it would never see the server go
    # if the server is killed rather than shut down: watch the parent instead.
    # (the server's pid comes as an argument: it may have exited before this worker started)
    threading.Thread(target=_exit_with_parent, args=(server_pid,), daemon=True).start()


def lower_priority(niceness: int) -> None:
    """Lower the calling thread's CPU priority (on Linux, per thread; the processes it
    starts inherit it). Best effort: not every platform allows it."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)
    except (AttributeError, OSError) as exc:
        log.debug("cannot lower the priority: %s", exc)


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_PARENT_POLL_S)
    os._exit(0)


def _make_parso_cache_writes_atomic() -> None:
    """parso pickles parsed modules straight into its cache file: a worker stopped mid-write
    (the server exiting) leaves a truncated file that breaks every later inference through
    that module. Write to a temporary file and rename it into place instead."""
    try:
        import parso.cache as cache
    except ImportError:
        return
    hashed_path = getattr(cache, "_get_hashed_path", None)
    if hashed_path is None or not hasattr(cache, "_save_to_file_system"):
        return

    def save(hashed_grammar: Any, path: Any, item: Any, cache_path: Any = None) -> None:
        final = hashed_path(hashed_grammar, path, cache_path=cache_path)
        temporary = f"{final}.{os.getpid()}.tmp"
        with open(temporary, "wb") as f:
            pickle.dump(item, f, pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, final)

    cache._save_to_file_system = save


def _drop_broken_cache_files() -> int:
    """Delete parse-cache files that do not unpickle (left by an earlier crash)."""
    import jedi

    dropped = 0
    for path in Path(jedi.settings.cache_directory).glob("*/*.pkl"):
        try:
            with open(path, "rb") as f:
                pickle.load(f)
        except Exception:
            path.unlink(missing_ok=True)
            dropped += 1
    return dropped


def _confirm_within(source: str, path: str | None, spans: list[Span], budget_s: float) -> set[Span]:
    return _confirm(source, path, spans, time.monotonic() + budget_s)


def _env() -> Any:
    global _environment
    import jedi

    if _environment is None:
        if _python and Path(_python).resolve() != Path(sys.executable).resolve():
            _environment = jedi.create_environment(_python, safe=False)
        else:
            _environment = jedi.InterpreterEnvironment()
    return _environment


def _warm() -> bool:
    try:
        _confirm(_WARM_SOURCE, None, [Span(1, 14, 1, 18)], deadline=None)
    except Exception as exc:  # jedi must never take the server down
        logging.getLogger(__name__).warning("jedi could not start: %s", exc)
        return False
    return True


def _confirm(source: str, path: str | None, spans: list[Span], deadline: float | None) -> set[Span]:
    import jedi

    if not spans:
        return set()
    script = jedi.Script(source, path=path, environment=_env())
    confirmed: set[Span] = set()
    for index, span in enumerate(spans):
        if deadline is not None and time.monotonic() > deadline:
            log.info("jedi budget spent: %d of %d receivers left", len(spans) - index, len(spans))
            break
        try:
            names = script.infer(span.line + 1, span.col)
        except (EOFError, pickle.UnpicklingError) as exc:
            # a truncated parse cache: drop the broken files and ask again, once
            log.warning("jedi's parse cache is damaged (%s): %d file(s) dropped", exc,
                        _drop_broken_cache_files())  # fmt: skip
            try:
                script = jedi.Script(source, path=path, environment=_env())
                names = script.infer(span.line + 1, span.col)
            except Exception as again:
                log.debug("jedi failed at %s: %s", span, again)
                continue
        except Exception as exc:  # a jedi bug on odd code: skip that one
            log.debug("jedi failed at %s: %s", span, exc)
            continue
        if any((n.full_name or "").startswith(_TENSOR_CLASSES) for n in names):
            confirmed.add(span)
    return confirmed
