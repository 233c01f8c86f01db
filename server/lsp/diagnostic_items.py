"""Diagnostics as LSP JSON objects, built without the protocol library.

No pygls or lsprotocol here: the first opened document's diagnostics are published before
those are imported (server.lsp.first_document), and the server publishes the same objects
afterwards (server.lsp.diagnostics). Plain dicts also because, on a file with thousands of
torch references, making lsprotocol objects and unstructuring them with cattrs took longer
than the analysis itself.

Each diagnostic carries its fix in `data` (server.lsp.fix_payload; docs/architecture.md,
decision 8), so a code action needs no analysis of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from server.advice.assess import Assessment
from server.advice.compliance import RULES
from server.advice.policy import finding_level
from server.analysis.findings import Span
from server.lsp.fix_payload import FixPayload

if TYPE_CHECKING:
    from mapping_db.store import MappingDB
    from server.lsp.documents import DocumentState
    from server.settings import Settings

SOURCE = "mindport"
# LSP's DiagnosticSeverity values (tests/test_first_document.py checks them against lsprotocol).
SEVERITY = {"error": 1, "warning": 2, "information": 3, "hint": 4}
# The client's length of a text, in the units of the negotiated position encoding.
Units = Callable[[str], int]


def units_for(encoding: str) -> Units | None:
    """Lengths in the units of an LSP position encoding ("utf-16" unless negotiated)."""
    # surrogatepass: a lone surrogate counts as pygls counts it (one UTF-16 unit, 3 bytes)
    if encoding == "utf-16":
        return lambda text: len(text.encode("utf-16-le", "surrogatepass")) // 2
    if encoding == "utf-8":
        return lambda text: len(text.encode("utf-8", "surrogatepass"))
    if encoding == "utf-32":
        return len
    return None


def line_text(lines: Sequence[str], index: int) -> str:
    if 0 <= index < len(lines):
        return lines[index].rstrip("\r\n")
    return ""


def client_column(units: Units, line: str, col: int) -> int:
    """A code-point column as the client counts it (the same on ASCII lines)."""
    if line.isascii():
        return col
    return units(line[:col])


def range_dict(units: Units, lines: Sequence[str], span: Span) -> dict:
    start_line = line_text(lines, span.line)
    end_line = start_line if span.end_line == span.line else line_text(lines, span.end_line)
    return {
        "start": {"line": span.line, "character": client_column(units, start_line, span.col)},
        "end": {"line": span.end_line, "character": client_column(units, end_line, span.end_col)},
    }


def diagnostic_items(
    state: DocumentState,
    settings: Settings,
    db: MappingDB,
    units: Units,
    extra: Iterable[dict] = (),
) -> list[dict]:
    """The document's diagnostics: its syntax error, why it was skipped, one per finding
    the settings report, then `extra` (the last alignment run's findings in this file)."""
    lines = state.lines
    out: list[dict] = []
    if state.syntax_error is not None and settings.severity["syntax"] != "off":
        err = state.syntax_error
        note = " (showing findings from the last version that parsed)" if state.stale else ""
        out.append(
            {
                "range": {
                    "start": {"line": err.line, "character": 0},
                    "end": {"line": err.line + 1, "character": 0},
                },
                "message": f"syntax error: {err.message}{note}",
                "severity": SEVERITY[settings.severity["syntax"]],
                "source": SOURCE,
                "code": "syntax",
            }
        )
    if state.skipped:
        out.append(
            {
                "range": {
                    "start": {"line": 0, "character": 0},
                    "end": {"line": 0, "character": 0},
                },
                "message": f"mindport did not analyse this file: {state.skipped}",
                "severity": SEVERITY["information"],
                "source": SOURCE,
                "code": "skipped",
            }
        )
    for assessment in state.assessments(db, settings.device, settings.mode):
        level = finding_level(assessment, settings)
        if level is None:
            continue
        diagnostic = {
            "range": range_dict(units, lines, assessment.reference.span),
            "message": assessment.message,
            "severity": SEVERITY[level],
            "source": SOURCE,
            "code": assessment.kind.replace("_", "-"),
            "data": FixPayload.of(assessment, state.result_version).to_json(),
        }
        link = _link(assessment)
        if link:
            diagnostic["codeDescription"] = {"href": link}
        out.append(diagnostic)
    out.extend(extra)
    return out


def _link(assessment: Assessment) -> str | None:
    if assessment.rule is not None:
        return RULES[assessment.rule].link
    target = assessment.target
    return (target.diff_url or target.url) if target is not None else None


def publish_message(uri: str, version: int | None, items: list[dict]) -> dict:
    """The textDocument/publishDiagnostics notification."""
    params: dict = {"uri": uri, "diagnostics": items}
    if version is not None:
        params["version"] = version
    return {"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": params}
