"""What `mindport scan` reports: the findings the policy keeps, filtered by kind, and counts.

Shared by every output format, so the terminal lines, the per-API table, the statistics, JSON
and SARIF count the same things. Levels come from the one finding policy
(server.advice.policy), the same as the editor's diagnostics.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from server.advice.assess import Assessment
from server.advice.compliance import PATTERN_PREFIX, rule_for_name
from server.advice.policy import LEVELS, finding_level, syntax_level
from server.scan.walk import FileReport
from server.settings import DEFAULT_SEVERITY, Settings

# Every kind a finding can have, in the order a reader cares about (blocking first).
KINDS: tuple[str, ...] = (
    "syntax",
    "graph_mode",
    "no_equivalent",
    "compliance",
    "differences",
    "unknown",
    "consistent",
)
KIND_LABELS = {
    "syntax": "syntax error",
    "graph_mode": "graph mode",
    "no_equivalent": "no equivalent",
    "compliance": "redesign",
    "differences": "differences",
    "unknown": "not in database",
    "consistent": "consistent",
}
assert set(KINDS) == set(DEFAULT_SEVERITY)


class BadKind(ValueError):
    """A --select/--ignore value that names no kind."""


def parse_kinds(text: str | None) -> frozenset[str] | None:
    """`no-equivalent,differences` -> kinds; hyphens (the diagnostic codes) or underscores."""
    if text is None:
        return None
    kinds: set[str] = set()
    for word in filter(None, (w.strip() for w in text.split(","))):
        kind = word.lower().replace("-", "_")
        if kind not in KINDS:
            close = difflib.get_close_matches(kind, KINDS, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise BadKind(f"unknown kind {word!r}{hint} (kinds: {', '.join(KINDS)})")
        kinds.add(kind)
    return frozenset(kinds)


@dataclass(frozen=True, slots=True)
class Finding:
    path: Path
    line: int  # 1-based, as editors and linters print them
    column: int  # 1-based
    end_line: int
    end_column: int
    kind: str
    level: str  # error, warning, information, hint
    message: str
    api: str | None = None  # the torch API (None for syntax errors)
    display: str | None = None  # how to name it: the API, or a pattern rule's title
    target: str | None = None
    assessment: Assessment | None = None


@dataclass
class ScanResult:
    """The findings to report and what the counts are made of."""

    findings: list[Finding] = field(default_factory=list)  # sorted by path, line, column
    scanned: list[FileReport] = field(default_factory=list)
    skipped: list[FileReport] = field(default_factory=list)
    # Every assessment of the selected kinds, reported or not (the per-API table lists all).
    inventory: list[tuple[FileReport, Assessment]] = field(default_factory=list)

    @property
    def lines(self) -> int:
        return sum(r.lines for r in self.scanned)

    def count_levels(self) -> Counter[str]:
        return Counter(f.level for f in self.findings)

    @property
    def errors(self) -> int:
        return self.count_levels()["error"]


def display_name(api: str) -> str:
    """A pattern finding is named by its rule (`try statement`), an API by its name."""
    rule = rule_for_name(api) if api.startswith(PATTERN_PREFIX) else None
    return rule.title if rule is not None else api


def collect(
    reports: list[FileReport],
    settings: Settings,
    select: frozenset[str] | None = None,
    ignore: frozenset[str] | None = None,
) -> ScanResult:
    """Findings at the level the policy gives them. A kind named in `select` that the settings
    turn off is reported as a hint: asking for it is asking to see it."""
    chosen = set(select if select is not None else KINDS) - set(ignore or ())
    severity = dict(settings.severity)
    for kind in select or ():
        if severity[kind] == "off":
            severity[kind] = "hint"
    settings = replace(settings, severity=severity)
    result = ScanResult()
    for report in reports:
        (result.skipped if report.skipped else result.scanned).append(report)
        error = report.syntax_error
        level = syntax_level(settings)
        if error is not None and level is not None and "syntax" in chosen:
            result.findings.append(
                Finding(
                    report.path,
                    error.line + 1,
                    1,
                    error.line + 1,
                    1,
                    "syntax",
                    level,
                    f"syntax error: {error.message}",
                )  # fmt: skip
            )
        for a in report.assessments:
            if a.kind not in chosen:
                continue
            result.inventory.append((report, a))
            level = finding_level(a, settings)
            if level is None:
                continue
            span = a.reference.span
            api = a.reference.qualified_name
            result.findings.append(
                Finding(
                    report.path,
                    span.line + 1,
                    span.col + 1,
                    span.end_line + 1,
                    span.end_col + 1,
                    a.kind,
                    level,
                    a.message,
                    api,
                    display_name(api),
                    a.target.api if a.target is not None else None,
                    a,
                )  # fmt: skip
            )
    result.findings.sort(key=lambda f: (str(f.path), f.line, f.column))
    return result


def summary_line(result: ScanResult) -> str:
    """Counts that say what they count: findings by level, APIs and uses apart, files."""
    levels = result.count_levels()
    n = len(result.findings)
    parts = [f"{levels[lv]} {_level_noun(lv, levels[lv])}" for lv in LEVELS if levels[lv]]
    found = f"{n} finding{'s' * (n != 1)}" + (f" ({', '.join(parts)})" if parts else "")
    apis = {f.api for f in result.findings if f.api is not None}
    uses = sum(1 for f in result.findings if f.api is not None)
    files = len(result.scanned)
    text = (
        f"{found}: {len(apis)} distinct torch API{'s' * (len(apis) != 1)} or constructs"
        f" in {uses} place{'s' * (uses != 1)}; {files} file{'s' * (files != 1)} scanned"
        f" ({result.lines:,} lines)"
    )
    if result.skipped:
        text += f", {len(result.skipped)} skipped"
    return text + "."


def _level_noun(level: str, n: int) -> str:
    return {"error": "error", "warning": "warning", "hint": "hint"}.get(level, level) + (
        "s" if n != 1 and level != "information" else ""
    )
