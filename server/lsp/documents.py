"""Per-document analysis state: one analysis per version, the last good one kept.

A file that stops parsing mid-typing keeps its last good references (so hover and fixes go
on working) and adds the syntax problem.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace

from mapping_db.store import MappingDB
from server.advice.assess import Assessment, assess
from server.advice.compliance import reported_in
from server.analysis.findings import AnalysisResult, SyntaxProblem, TorchReference
from server.analysis.incremental import (
    ModuleAnalysis,
    analyse_module,
    carried_over,
    changed_lines,
    update_lines,
)
from server.analysis.references import LINE_BREAK

log = logging.getLogger(__name__)

# Beyond this the file is not analysed: no model source is this big, and a generated or
# binary blob must not stall the server.
MAX_SOURCE_CHARS = 20_000_000


@dataclass(slots=True)
class DocumentState:
    uri: str
    version: int | None
    result: AnalysisResult
    syntax_error: SyntaxProblem | None = None
    stale: bool = False  # references come from an earlier version (the current one does not parse)
    skipped: str | None = None  # why the file was not analysed at all
    result_version: int | None = None  # the version `result` was computed from
    module: ModuleAnalysis | None = None  # per-statement analysis of this version
    # The last text that parsed and its analysis: the next edit is re-analysed from there.
    base: tuple[ModuleAnalysis, list[str]] | None = None
    # The current text's lines, split the way LSP counts lines (pygls' TextDocument.lines
    # re-splits the whole text on every access, and also splits on \f and friends).
    lines: list[str] = field(default_factory=list)
    took_ms: float = 0.0  # how long the analysis of this version took
    # Spans of unresolved tensor-method candidates that jedi confirmed (for this version).
    jedi_confirmed: set = field(default_factory=set)
    _assessments: dict[tuple[str, str], list[Assessment]] = field(default_factory=dict)

    def unresolved(self) -> list[TorchReference]:
        return [r for r in self.result.references if r.confidence == "unresolved"]

    def confirm(self, spans: set) -> None:
        self.jedi_confirmed = spans
        self._assessments = {}

    def judged(self, ref: TorchReference) -> TorchReference | None:
        """The reference as findings see it: unresolved ones only once jedi confirmed them."""
        if ref.confidence != "unresolved":
            return ref
        if ref.span in self.jedi_confirmed:
            return replace(ref, confidence="inferred", tensor_receiver=True)
        return None

    def assessments(self, db: MappingDB, device: str, mode: str = "pynative") -> list[Assessment]:
        cached = self._assessments.get((device, mode))
        if cached is None:
            cached = [
                a
                for ref in self.result.references
                if reported_in(ref.qualified_name, mode)
                and (judged := self.judged(ref)) is not None
                and (a := assess(judged, db, device)) is not None
            ]
            self._assessments = {(device, mode): cached}
        return cached


class DocumentStore:
    def __init__(self) -> None:
        self._states: dict[str, DocumentState] = {}
        self.last_analysis_at = float("-inf")  # time.monotonic() when the last one ended

    def get(self, uri: str) -> DocumentState | None:
        return self._states.get(uri)

    def close(self, uri: str) -> None:
        self._states.pop(uri, None)

    def uris(self) -> list[str]:
        return list(self._states)

    def update(self, uri: str, version: int | None, source: str) -> DocumentState:
        return self.install(self.compute(uri, version, source))

    def install(self, state: DocumentState) -> DocumentState:
        self._states[state.uri] = state
        self.last_analysis_at = time.monotonic()
        return state

    def compute(self, uri: str, version: int | None, source: str) -> DocumentState:
        """Analyse the new text: incrementally from the last text that parsed (the lines that
        differ from it are re-analysed), in full when that cannot be trusted. Pure: it reads
        the installed state and may run on another thread; `install` makes it current."""
        started = time.perf_counter()
        previous = self._states.get(uri)
        lines = LINE_BREAK.split(source)
        how = "skipped"
        if len(source) > MAX_SOURCE_CHARS:
            why = f"file too large to analyse ({len(source):,} characters)"
            state = DocumentState(uri, version, AnalysisResult().finalize(), skipped=why)
        elif "\0" in source:
            state = DocumentState(uri, version, AnalysisResult().finalize(), skipped="binary file")
        else:
            base = previous.base if previous is not None and previous.skipped is None else None
            outcome: ModuleAnalysis | SyntaxProblem | None = None
            if base is not None:
                change = changed_lines(base[1], lines)
                first, old_end, new_end = change
                if first == old_end == new_end == len(lines):
                    outcome = base[0]  # back to the last text that parsed
                else:
                    outcome = update_lines(base[0], source, lines, *change)
            how = "incremental" if outcome is not None else "full"
            if outcome is None:
                module = analyse_module(source)
                outcome = module.result.syntax_error or module
            if isinstance(outcome, ModuleAnalysis):
                state = DocumentState(
                    uri,
                    version,
                    outcome.result,
                    result_version=version,
                    module=outcome,
                    base=(outcome, lines),
                )
            elif base is not None and previous is not None:
                first, old_end, new_end = changed_lines(base[1], lines)
                state = DocumentState(
                    uri,
                    version,
                    carried_over(base[0], first, old_end, new_end - old_end),
                    outcome,
                    stale=True,
                    result_version=previous.result_version,
                    base=base,
                )
            else:
                state = DocumentState(
                    uri, version, AnalysisResult(syntax_error=outcome).finalize(), outcome
                )
        state.lines = lines
        state.took_ms = (time.perf_counter() - started) * 1000
        log.debug(
            "analysed %s v%s (%s): %d references in %.1f ms",
            uri,
            version,
            how,
            len(state.result.references),
            state.took_ms,
        )
        return state
