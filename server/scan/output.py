"""Render scan results for machines: JSON and SARIF 2.1.0 (people: server.scan.terminal)."""

from __future__ import annotations

import json
from pathlib import Path

from server import __version__
from server.advice.policy import LEVELS
from server.scan.findings import KIND_LABELS, KINDS, ScanResult
from server.settings import Settings

_SARIF_LEVEL = {"error": "error", "warning": "warning", "information": "note", "hint": "note"}


def _finding_dicts(result: ScanResult) -> list[dict]:
    out: list[dict] = []
    for report, a in result.inventory:
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
                "severity": "off",
                "target": a.target.api if a.target is not None else None,
                "message": a.message,
            }
        )
    # the level the policy gives each reported finding (the rest stay "off")
    levels = {id(f.assessment): f.level for f in result.findings if f.assessment is not None}
    for item, (_, a) in zip(out, result.inventory, strict=True):
        item["severity"] = levels.get(id(a), "off")
    out.sort(key=lambda f: (f["path"], f["line"], f["column"]))
    return out


def render_json(result: ScanResult, settings: Settings) -> str:
    """Every assessment (those the policy does not report have severity "off"), syntax errors,
    skipped files apart from scanned ones, and the counts of the summary line."""
    levels = result.count_levels()
    reported = [f for f in result.findings if f.api is not None]
    return json.dumps(
        {
            "device": settings.device,
            "mode": settings.mode,
            "files": len(result.scanned),
            "lines": result.lines,
            "counts": {
                "findings": len(result.findings),
                **{level: levels[level] for level in LEVELS},
                "apis": len({f.api for f in reported}),
                "places": len(reported),
            },
            "findings": _finding_dicts(result),
            "syntax_errors": [
                {
                    "path": str(r.path),
                    "line": r.syntax_error.line + 1,
                    "message": r.syntax_error.message,
                }
                for r in result.scanned
                if r.syntax_error is not None
            ],
            "skipped": [{"path": str(r.path), "why": r.skipped} for r in result.skipped],
        },
        indent=2,
    )


def render_sarif(result: ScanResult) -> str:
    rules = [{"id": kind, "shortDescription": {"text": KIND_LABELS[kind]}} for kind in KINDS]
    results = [
        {
            "ruleId": f.kind,
            "level": _SARIF_LEVEL[f.level],
            "message": {"text": f.message},
            "locations": [_location(str(f.path), f.line, f.column, f.end_line, f.end_column)],
        }
        for f in result.findings
    ]
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
