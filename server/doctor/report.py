"""What `mindport doctor` found, and its renderings: plain text, rich, JSON, one status line."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:  # rich is only needed by the CLI rendering
    from rich.console import Console

# "n/a": the check does not apply (verification results, when a framework is missing).
Level = Literal["ok", "n/a", "info", "warning", "error"]
LEVELS: tuple[Level, ...] = ("ok", "n/a", "info", "warning", "error")


@dataclass(frozen=True)
class Finding:
    """One fact about the interpreter that runs models.

    `check` names what was looked at ("python", "torch", "torch/GPU", "mindspore",
    "mindspore/GPU", "numpy", "verification"); `fix` is a shell command that fixes it, when one
    command can; `detail` holds the evidence (an exception's first line, the probe's stderr).
    """

    check: str
    level: Level
    message: str
    blocks_runs: bool = False
    fix: str | None = None
    detail: str | None = None


@dataclass
class DoctorReport:
    python: str  # as configured
    device: str
    executable: str | None = None  # sys.executable as the interpreter itself reports it
    python_version: str | None = None
    torch_version: str | None = None
    mindspore_version: str | None = None
    numpy_version: str | None = None
    findings: list[Finding] = field(default_factory=list)
    elapsed_s: float = 0.0
    # Raw JSON of each probe, for bug reports; None where a probe gave none.
    probes: dict[str, dict[str, Any] | None] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["blocking"] = len(blocking_problems(self))
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)


def blocking_problems(report: DoctorReport) -> list[Finding]:
    return [f for f in report.findings if f.blocks_runs]


def status_line(report: DoctorReport) -> str:
    """One line for the editor's start-up log."""
    parts = [f"Python {report.python_version}" if report.python_version else report.python]
    parts.append(f"torch {report.torch_version or 'missing'}")
    parts.append(f"mindspore {report.mindspore_version or 'missing'}")
    blocking = blocking_problems(report)
    if not blocking:
        state = f"{report.device} ok"
    else:
        noun = "problem blocks" if len(blocking) == 1 else "problems block"
        checks = ", ".join(dict.fromkeys(f.check for f in blocking))
        state = f"{report.device}: {len(blocking)} {noun} runs ({checks}); see `mindport doctor`"
    return f"mindport doctor: {', '.join(parts)} ({state})"


def _summary(report: DoctorReport) -> str:
    blocking = blocking_problems(report)
    if not blocking:
        return f"Nothing blocks runs on {report.device} ({report.elapsed_s:.1f} s)."
    noun = "problem blocks" if len(blocking) == 1 else "problems block"
    return f"{len(blocking)} {noun} runs on {report.device} ({report.elapsed_s:.1f} s)."


def format_report_text(report: DoctorReport) -> str:
    width = max([len(f.check) for f in report.findings] + [6])
    lines = [f"mindport doctor: {report.python} (device {report.device})"]
    for f in report.findings:
        mark = "  [blocks runs]" if f.blocks_runs else ""
        lines.append(f"  {f.level:<7} {f.check:<{width}}  {f.message}{mark}")
        pad = " " * (2 + 8 + width + 2)
        if f.detail:
            lines.extend(f"{pad}{line}" for line in f.detail.splitlines())
        if f.fix:
            lines.append(f"{pad}fix: {f.fix}")
    lines.append(_summary(report))
    return "\n".join(lines)


_STYLE = {"ok": "green", "n/a": "dim", "info": "cyan", "warning": "yellow", "error": "bold red"}


def render_report(report: DoctorReport, console: Console, verbose: bool = False) -> None:
    """The CLI's rendering: one row per finding, its cause on one line, fixes copyable as they
    are; the evidence (loader errors, a probe's stderr) only with `verbose`."""
    from rich.markup import escape
    from rich.table import Table

    table = Table(
        title=f"mindport doctor: {escape(report.python)} (device {report.device})",
        title_justify="left",
        show_header=False,
        box=None,
        pad_edge=False,
    )
    table.add_column("level", no_wrap=True)
    table.add_column("check", no_wrap=True, style="bold")
    table.add_column("finding", overflow="fold")  # long paths wrap, never end in …
    for f in report.findings:
        text = escape(f.message)
        if f.blocks_runs:
            text += " [red](blocks runs)[/]"
        if f.detail and verbose:
            text += f"\n[dim]{escape(f.detail)}[/]"
        if f.fix:
            text += f"\nfix: [bold]{escape(f.fix)}[/]"
        table.add_row(f"[{_STYLE[f.level]}]{f.level}[/]", escape(f.check), text)
    console.print(table)
    style = "green" if not blocking_problems(report) else "red"
    console.print(f"[{style}]{escape(_summary(report))}[/]")
    if not verbose and any(f.detail and f.level != "ok" for f in report.findings):
        console.print("[dim]The evidence behind each problem: mindport doctor --verbose[/]")
