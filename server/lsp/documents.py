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
from server.analysis.incremental import ModuleAnalysis, analyse_module, update_module
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
    module: ModuleAnalysis | None = None  # per-statement analysis, for incremental updates
    # The current text's lines, split the way LSP counts lines (pygls' TextDocument.lines
    # re-splits the whole text on every access, and also splits on \f and friends).
    lines: list[str] = field(default_factory=list)
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

    def get(self, uri: str) -> DocumentState | None:
        return self._states.get(uri)

    def close(self, uri: str) -> None:
        self._states.pop(uri, None)

    def update(
        self,
        uri: str,
        version: int | None,
        source: str,
        edit: tuple[int, int, str] | None = None,
    ) -> DocumentState:
        """Analyse the new text. `edit` (first line, last line, inserted text) describes the
        one change since the previous version, when there was exactly one."""
        started = time.perf_counter()
        previous = self._states.get(uri)
        how = "skipped"
        if len(source) > MAX_SOURCE_CHARS:
            why = f"file too large to analyse ({len(source):,} characters)"
            state = DocumentState(uri, version, AnalysisResult().finalize(), skipped=why)
        elif "\0" in source:
            state = DocumentState(uri, version, AnalysisResult().finalize(), skipped="binary file")
        else:
            module = None
            if edit is not None and previous is not None and previous.module is not None:
                if not previous.stale and previous.skipped is None:
                    module = update_module(previous.module, source, *edit)
            how = "incremental" if module is not None else "full"
            if module is None:
                module = analyse_module(source)
            result = module.result
            if result.syntax_error is not None and previous is not None:
                state = DocumentState(
                    uri,
                    version,
                    previous.result,
                    result.syntax_error,
                    stale=True,
                    result_version=previous.result_version,
                )
            else:
                state = DocumentState(
                    uri, version, result, result.syntax_error, result_version=version, module=module
                )
        state.lines = LINE_BREAK.split(source)
        self._states[uri] = state
        log.debug(
            "analysed %s v%s (%s): %d references in %.1f ms",
            uri,
            version,
            how,
            len(state.result.references),
            (time.perf_counter() - started) * 1000,
        )
        return state
