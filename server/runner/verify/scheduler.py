"""Run verification work items on worker processes and merge the results into the results file.

One work item is one (mapped entry, target) pair. Items go to `jobs` worker subprocesses
(server.runner.verify.worker), one at a time each. A worker that does not answer within the
per-item timeout is killed and replaced (the item is recorded as `timeout`); a worker that
dies records `crash` for its item and is replaced. Results are merged into the results file
for the same (device, MindSpore, torch) versions: pairs not re-run keep their old result. The
file is written atomically every few items, at the end, and on Ctrl-C.

The parent never imports torch or mindspore: the versions come from the workers' ready line.
"""

from __future__ import annotations

import os
import selectors
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from mapping_db.store import MappingDB
from mapping_db.verification import (
    OUTCOMES,
    VERIFIED_DIR,
    TargetResult,
    Verification,
    read,
    results_file_name,
    write,
)
from server.runner.workers import WorkerDied, WorkerProcess

SAVE_EVERY = 25
STARTUP_TIMEOUT = 300.0  # importing torch and mindspore on a busy machine
MAX_FAILED_STARTS = 3


@dataclass(frozen=True, slots=True)
class WorkItem:
    torch_api: str
    target: str


def namespace(torch_api: str) -> str:
    """The module part of a name: "torch.nn" for torch.nn.Conv2d and torch.nn.Module.apply,
    "torch.nn.functional" for its functions; torch.Tensor counts as a namespace."""
    parts = torch_api.split(".")[:-1]
    for index, part in enumerate(parts):
        if part[:1].isupper() and parts[: index + 1] != ["torch", "Tensor"]:
            return ".".join(parts[:index])
    return ".".join(parts)


def select_items(
    db: MappingDB, only: Iterable[str] = (), sample: int | None = None
) -> list[WorkItem]:
    """Every target of every mapped entry, filtered by fnmatch patterns on the torch name;
    with `sample`, N entries taken round-robin over namespaces (sorted, entries sorted)."""
    patterns = [p.strip() for p in only if p.strip()]
    entries = sorted(
        (e for e in db if e.status != "no-equivalent" and e.targets),
        key=lambda e: e.torch_api,
    )
    if patterns:
        entries = [e for e in entries if any(fnmatchcase(e.torch_api, p) for p in patterns)]
    if sample is not None:
        groups: dict[str, deque[Any]] = {}
        for entry in entries:
            groups.setdefault(namespace(entry.torch_api), deque()).append(entry)
        picked = []
        queues = [groups[name] for name in sorted(groups)]
        while len(picked) < sample and any(queues):
            for queue in queues:
                if queue and len(picked) < sample:
                    picked.append(queue.popleft())
        entries = sorted(picked, key=lambda e: e.torch_api)
    items = [WorkItem(e.torch_api, t.api) for e in entries for t in e.targets]
    # Workaround formulas run too (pseudo-target "workaround"): those of "no equivalent"
    # entries, and of mapped entries whose targets have no kernel on some device.
    from server.runner.verify.workarounds import WORKAROUND, has_recipe

    recipes = sorted((e for e in db if has_recipe(e)), key=lambda e: e.torch_api)
    if patterns:
        recipes = [e for e in recipes if any(fnmatchcase(e.torch_api, p) for p in patterns)]
    if sample is not None:
        recipes = recipes[: max(1, sample // 20)]
    return items + [WorkItem(e.torch_api, WORKAROUND) for e in recipes]


@dataclass
class Settings:
    device: str = "CPU"
    jobs: int = 2
    cases: int = 5
    timeout: float = 60.0
    output_dir: Path = VERIFIED_DIR
    log_path: Path | None = None  # workers' stderr; a temporary file when None


@dataclass
class _Slot:
    process: WorkerProcess  # server.runner.workers: JSON lines, kill of the whole tree
    state: str = "starting"  # starting | idle | busy
    item: WorkItem | None = None
    deadline: float = 0.0


@dataclass
class RunOutcome:
    results: dict[WorkItem, TargetResult] = field(default_factory=dict)
    path: Path | None = None
    versions: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    interrupted: bool = False

    def counts(self) -> Counter[str]:
        return Counter(r.status for r in self.results.values())


class WorkerStartError(RuntimeError):
    pass


class Runner:
    def __init__(self, settings: Settings, on_result: Callable[[WorkItem, TargetResult], None]):
        self.settings = settings
        self.on_result = on_result
        self.selector = selectors.DefaultSelector()
        self.slots: list[_Slot] = []
        self.failed_starts = 0
        self.versions: dict[str, str] = {}
        log = (
            settings.log_path or Path(tempfile.gettempdir()) / f"mindport-verify-{os.getpid()}.log"
        )
        self.log_path = log
        self.log = log.open("ab")

    def _spawn(self) -> _Slot:
        command = [
            sys.executable,
            "-m",
            "server.runner.verify.worker",
            "--device",
            self.settings.device,
        ]
        # A session of its own: Ctrl-C reaches the runner only; it stops the workers.
        process = WorkerProcess(command, log_path=self.log_path, name="verification worker")
        slot = _Slot(process, deadline=time.monotonic() + STARTUP_TIMEOUT)
        self.selector.register(process.stdout, selectors.EVENT_READ, slot)
        return slot

    def _retire(self, slot: _Slot) -> None:
        self.selector.unregister(slot.process.stdout)
        slot.process.kill()

    def _replace(self, slot: _Slot) -> None:
        self._retire(slot)
        index = self.slots.index(slot)
        self.slots[index] = self._spawn()

    def _finish(self, slot: _Slot, result: TargetResult) -> None:
        assert slot.item is not None
        item, slot.item = slot.item, None
        slot.state = "idle"
        self.on_result(item, result)

    def _failed_start(self, slot: _Slot, why: str) -> None:
        self.failed_starts += 1
        if self.failed_starts >= MAX_FAILED_STARTS:
            raise WorkerStartError(f"verification worker {why}; see {self.log_path}")
        self._replace(slot)

    def run(self, items: list[WorkItem]) -> None:
        pending = deque(items)
        try:
            for _ in range(min(self.settings.jobs, len(items))):
                self.slots.append(self._spawn())
            while True:
                for slot in self.slots:
                    if slot.state == "idle" and pending:
                        self._send(slot, pending.popleft())
                if not any(slot.state != "idle" for slot in self.slots):
                    return
                wait = min(s.deadline for s in self.slots if s.state != "idle") - time.monotonic()
                for key, _ in self.selector.select(timeout=max(0.0, wait)):
                    self._read(key.data)
                now = time.monotonic()
                for slot in list(self.slots):
                    if slot.state != "idle" and now >= slot.deadline:
                        self._expire(slot)
        finally:
            for slot in self.slots:
                self._retire(slot)
            self.slots.clear()
            self.log.close()

    def _send(self, slot: _Slot, item: WorkItem) -> None:
        slot.item = item
        slot.state = "busy"
        slot.deadline = time.monotonic() + self.settings.timeout
        message = {"torch_api": item.torch_api, "target": item.target,
                   "max_cases": self.settings.cases}  # fmt: skip
        slot.process.send(message)  # a dead worker's end of stdout reports it

    def _read(self, slot: _Slot) -> None:
        try:
            messages = slot.process.feed()
        except WorkerDied:
            self._died(slot)
            return
        for message in messages:
            self._answer(slot, message)

    def _answer(self, slot: _Slot, message: dict[str, Any]) -> None:
        if message.get("ready"):
            self.versions = self.versions or {
                k: str(message[k]) for k in ("mindspore", "torch", "python")
            }
            slot.state = "idle"
            return
        fields = {k: message[k] for k in ("status", "cases", "passed", "max_abs_error", "reason")}
        verdicts = tuple(str(v) for v in message.get("case_verdicts") or ())
        dtype_only = int(message.get("dtype_only") or 0)
        self._finish(slot, TargetResult(**fields, dtype_only=dtype_only, case_verdicts=verdicts))

    def _died(self, slot: _Slot) -> None:
        code = slot.process.process.wait()
        if slot.state == "starting":
            self._failed_start(slot, f"exited at start (code {code})")
            return
        if slot.item is None:  # died between items: nothing to record
            self._replace(slot)
            return
        why = f"worker died (exit code {code})"
        if code < 0:
            why = f"worker killed by signal {-code}"
        self._finish(slot, TargetResult("crash", reason=why))
        self._replace(slot)

    def _expire(self, slot: _Slot) -> None:
        if slot.state == "starting":
            self._failed_start(slot, f"did not start within {STARTUP_TIMEOUT:.0f} s")
            return
        self._finish(
            slot, TargetResult("timeout", reason=f"no answer in {self.settings.timeout:g} s")
        )
        self._replace(slot)


class ResultsFile:
    """The merged results: existing results for the same versions, updated as items finish."""

    def __init__(self, directory: Path, device: str) -> None:
        self.directory = directory
        self.device = device
        self.verification: Verification | None = None

    def bind(self, versions: dict[str, str]) -> None:
        if self.verification is not None:
            return
        name = results_file_name(self.device, versions["mindspore"], versions["torch"])
        path = self.directory / name
        existing: Verification | None = None
        if path.is_file():
            try:
                existing = read(path)
            except (OSError, ValueError, KeyError, TypeError):
                existing = None
        self.verification = Verification(
            device=self.device,
            mindspore=versions["mindspore"],
            torch=versions["torch"],
            python=versions.get("python", ""),
            results=existing.results if existing is not None else {},
        )

    def record(self, item: WorkItem, result: TargetResult) -> None:
        assert self.verification is not None
        self.verification.results.setdefault(item.torch_api, {})[item.target] = result

    def save(self) -> Path | None:
        if self.verification is None:
            return None
        self.verification.created = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return write(self.verification, self.directory)


def run_verification(
    items: list[WorkItem],
    settings: Settings,
    progress: Callable[[WorkItem, TargetResult, Counter[str]], None] | None = None,
) -> RunOutcome:
    """Verify `items`; merge and save the results. Ctrl-C stops early, saving what ran."""
    outcome = RunOutcome()
    results_file = ResultsFile(settings.output_dir, settings.device)
    counts: Counter[str] = Counter()
    started = time.monotonic()
    runner: Runner

    def on_result(item: WorkItem, result: TargetResult) -> None:
        results_file.bind(runner.versions)
        results_file.record(item, result)
        outcome.results[item] = result
        counts[result.status] += 1
        if progress is not None:
            progress(item, result, counts)
        if len(outcome.results) % SAVE_EVERY == 0:
            results_file.save()

    runner = Runner(settings, on_result)
    try:
        runner.run(items)
    except KeyboardInterrupt:
        outcome.interrupted = True
    finally:
        if runner.versions:
            results_file.bind(runner.versions)
        outcome.path = results_file.save()
        outcome.versions = runner.versions
        outcome.seconds = time.monotonic() - started
    return outcome


def summary_lines(outcome: RunOutcome) -> list[str]:
    counts = outcome.counts()
    lines = [f"{status:9} {counts[status]:6,}" for status in OUTCOMES if counts[status]]
    total = sum(counts.values())
    lines.append(f"{'total':9} {total:6,}  in {outcome.seconds:.1f} s")
    return lines
