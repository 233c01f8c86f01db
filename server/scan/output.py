"""Render scan results as a table, JSON or SARIF 2.1.0."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.markup import escape as esc
from rich.table import Table

from server import __version__
from server.advice.compliance import PATTERN_PREFIX, rule_for_name
from server.scan.walk import FileReport
from server.settings import Settings

_ORDER = {
    "graph_mode": 0,
    "no_equivalent": 1,
    "compliance": 2,
    "differences": 3,
    "unknown": 4,
    "consistent": 5,
}
_STYLE = {
    "graph_mode": "red",
    "no_equivalent": "red",
    "compliance": "magenta",
    "differences": "yellow",
    "unknown": "dim",
    "consistent": "green",
}
_LABEL = {
    "graph_mode": "graph mode",
    "no_equivalent": "no equivalent",
    "compliance": "redesign",
    "differences": "differences",
    "unknown": "not in database",
    "consistent": "consistent",
}
_SARIF_LEVEL = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}


def count_errors(reports: list[FileReport], settings: Settings) -> int:
    errors = 0
    for report in reports:
        if report.syntax_error is not None and settings.severity["syntax"] == "error":
            errors += 1
        errors += sum(1 for a in report.assessments if settings.severity[a.kind] == "error")
    return errors


def render_table(reports: list[FileReport], settings: Settings, console: Console) -> None:
    by_api: dict[str, list] = defaultdict(list)
    for report in reports:
        for a in report.assessments:
            by_api[a.reference.qualified_name].append(a)
    table = Table(title=f"torch APIs and their MindSpore equivalents ({settings.device})")
    table.add_column("torch API", style="bold", no_wrap=True)
    table.add_column("uses", justify="right")
    table.add_column("MindSpore", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("what needs care", ratio=1)
    rows = sorted(by_api.items(), key=lambda kv: (_ORDER[kv[1][0].kind], kv[0]))
    for api, items in rows:
        first = items[0]
        target = first.target.api if first.target is not None else "—"
        care = _care_summary(api, items)
        kind = first.kind
        table.add_row(
            _display_name(api),
            str(len(items)),
            target,
            f"[{_STYLE[kind]}]{_LABEL[kind]}[/]",
            esc(care),
        )
    console.print(table)
    for report in reports:
        if report.syntax_error is not None:
            err = report.syntax_error
            console.print(
                f"[red]{esc(str(report.path))}:{err.line + 1}: syntax error: {esc(err.message)}[/]"
            )
        if report.skipped:
            console.print(f"[dim]{esc(str(report.path))}: skipped ({esc(report.skipped)})[/]")
    counts: dict[str, int] = defaultdict(int)
    for items in by_api.values():
        for a in items:
            counts[a.kind] += 1
    lines = sum(r.lines for r in reports)
    summary = ", ".join(f"{counts[k]} {_LABEL[k]}" for k in _ORDER if counts[k])
    console.print(
        f"{len(reports)} files, {lines:,} lines, {len(by_api)} distinct torch APIs"
        + (f": {summary}" if summary else "")
    )


def _display_name(api: str) -> str:
    """A pattern finding is named by its rule (`try statement`), an API by its name."""
    rule = rule_for_name(api) if api.startswith(PATTERN_PREFIX) else None
    return rule.title if rule is not None else api


def _care_summary(api: str, items: list) -> str:
    """The two most relevant differences over all uses; the rest is one `db show` away."""
    details: list[str] = []
    for assessment in items:
        for detail in assessment.details:
            if detail not in details:
                details.append(detail)
    if not details:
        return ""
    shown = "; ".join(details[:2])
    if len(details) > 2:
        shown += f"; +{len(details) - 2} more (mindport db show {api})"
    return shown


def _finding_dicts(reports: list[FileReport], settings: Settings) -> list[dict]:
    out: list[dict] = []
    for report in reports:
        for a in report.assessments:
            span = a.reference.span
            out.append(
                {
                    "path": str(report.path),
                    "line": span.line + 1,
                    "column": span.col + 1,
                    "end_line": span.end_line + 1,
                    "end_column": span.end_col + 1,
                    "api": a.reference.qualified_name,
                    "context": a.reference.context,
                    "confidence": a.reference.confidence,
                    "kind": a.kind,
                    "severity": settings.severity[a.kind],
                    "target": a.target.api if a.target is not None else None,
                    "message": a.message,
                }
            )
    return out


def render_json(reports: list[FileReport], settings: Settings) -> str:
    return json.dumps(
        {
            "device": settings.device,
            "files": len(reports),
            "lines": sum(r.lines for r in reports),
            "findings": _finding_dicts(reports, settings),
            "syntax_errors": [
                {
                    "path": str(r.path),
                    "line": r.syntax_error.line + 1,
                    "message": r.syntax_error.message,
                }
                for r in reports
                if r.syntax_error is not None
            ],
            "skipped": [{"path": str(r.path), "why": r.skipped} for r in reports if r.skipped],
        },
        indent=2,
    )


def render_sarif(reports: list[FileReport], settings: Settings) -> str:
    rules = [{"id": kind, "shortDescription": {"text": _LABEL[kind]}} for kind in _ORDER]
    rules.append({"id": "syntax", "shortDescription": {"text": "syntax error"}})
    results = []
    for f in _finding_dicts(reports, settings):
        if f["severity"] == "off":
            continue
        results.append(
            {
                "ruleId": f["kind"],
                "level": _SARIF_LEVEL[f["severity"]],
                "message": {"text": f["message"]},
                "locations": [
                    _location(f["path"], f["line"], f["column"], f["end_line"], f["end_column"])
                ],
            }
        )
    for r in reports:
        if r.syntax_error is not None:
            line = r.syntax_error.line + 1
            results.append(
                {
                    "ruleId": "syntax",
                    "level": "error",
                    "message": {"text": r.syntax_error.message},
                    "locations": [_location(str(r.path), line, 1, line, 1)],
                }
            )
    sarif = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mindport",
                        "version": __version__,
                        "informationUri": "https://www.mindspore.cn/docs/en/master/note/api_mapping/pytorch_api_mapping.html",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(sarif, indent=2)


def _location(path: str, line: int, col: int, end_line: int, end_col: int) -> dict:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": Path(path).as_posix()},
            "region": {
                "startLine": line,
                "startColumn": col,
                "endLine": end_line,
                "endColumn": end_col,
            },
        }
    }
