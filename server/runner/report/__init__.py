"""The run report: one self-contained `index.html` (tables, and plots drawn with matplotlib as
inline SVG) and `result.json`, written into a folder.

Everything the page shows that came from the model or the user's files (module paths, type
names, error text, file names) is HTML-escaped; the plots render text as paths, so no name
reaches the page as markup.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from server.runner.report.html import render_html

REPORTS_DIR = Path(".mindport") / "reports"


def report_folder(workspace: Path, name: str) -> Path:
    """`<workspace>/.mindport/reports/<time>-<name>/`, made new."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("._")[:60] or "run"
    base = workspace / REPORTS_DIR
    base.mkdir(parents=True, exist_ok=True)
    folder = base / f"{stamp}-{safe}"
    suffix = 1
    while folder.exists():
        suffix += 1
        folder = base / f"{stamp}-{safe}-{suffix}"
    folder.mkdir()
    return folder


def _write_atomic(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; a report is for reading
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_report(
    result: dict[str, Any], folder: Path, profile: dict[str, Any] | None = None
) -> Path:
    """Write `result.json` and `index.html` into `folder` (made if needed); returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    data = dict(result)
    if profile is not None:
        data["profile"] = profile
    code = data.get("mindspore", {}).get("code")
    if code:  # the port converted in memory: keep it beside the report
        _write_atomic(folder / "port.py", code)
    _write_atomic(folder / "result.json", json.dumps(data, indent=1, default=str) + "\n")
    _write_atomic(folder / "index.html", render_html(data))
    return folder


__all__ = ["REPORTS_DIR", "report_folder", "write_report"]
