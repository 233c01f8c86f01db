"""Jedi as the fallback judge of receivers that local evidence leaves undecided.

Cold, jedi needs seconds to load torch's sources; warm, a query takes milliseconds (DESIGN
decision 3). So one worker thread warms it at start and answers batches of questions with a
time budget per batch; nothing waits for it: callers get a future, and the server publishes
what it confirmed when the answer arrives.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from server.analysis.findings import Span

log = logging.getLogger(__name__)

# Where jedi says a method is defined when its receiver is a torch.Tensor.
_TENSOR_CLASSES = ("torch._tensor.Tensor.", "torch._C.TensorBase.", "torch.Tensor.")
_WARM_SOURCE = "import torch\ntorch.ones(1).view(1)\n"


class JediFallback:
    def __init__(self, python: str | None = None, budget_s: float = 2.0) -> None:
        self.python = python
        self.budget_s = budget_s
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jedi")
        self._environment = None
        self.ready = False

    def _env(self):
        import jedi

        if self._environment is None:
            if self.python and Path(self.python).resolve() != Path(sys.executable).resolve():
                self._environment = jedi.create_environment(self.python, safe=False)
            else:
                self._environment = jedi.InterpreterEnvironment()
        return self._environment

    def warm(self) -> Future:
        """Load jedi and torch's stubs in the background (seconds, once)."""
        return self._pool.submit(self._warm)

    def _warm(self) -> bool:
        started = time.perf_counter()
        try:
            self._confirm(_WARM_SOURCE, None, [Span(1, 14, 1, 18)], deadline=None)
        except Exception as exc:  # jedi must never take the server down
            log.warning("jedi could not start: %s", exc)
            return False
        self.ready = True
        log.info("jedi warm after %.1f s", time.perf_counter() - started)
        return True

    def confirm(self, source: str, path: str | None, spans: Sequence[Span]) -> Future:
        """Future of the spans (method names) whose receiver jedi infers to be a tensor."""
        deadline = time.monotonic() + self.budget_s
        return self._pool.submit(self._confirm, source, path, list(spans), deadline)

    def _confirm(
        self, source: str, path: str | None, spans: list[Span], deadline: float | None
    ) -> set[Span]:
        import jedi

        if not spans:
            return set()
        script = jedi.Script(source, path=path, environment=self._env())
        confirmed: set[Span] = set()
        for index, span in enumerate(spans):
            if deadline is not None and time.monotonic() > deadline:
                log.info(
                    "jedi budget spent: %d of %d receivers left", len(spans) - index, len(spans)
                )
                break
            try:
                names = script.infer(span.line + 1, span.col)
            except Exception as exc:  # a jedi bug on odd code: skip that one
                log.debug("jedi failed at %s: %s", span, exc)
                continue
            if any((n.full_name or "").startswith(_TENSOR_CLASSES) for n in names):
                confirmed.add(span)
        return confirmed

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
