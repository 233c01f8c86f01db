"""The alignment report opened in a real browser (Debian's chromium, headless): the rendered DOM
holds the per-layer table and the plots, and names from the model stay text."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from server.runner.report import report_folder, write_report

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "align"
MINDPORT = Path(sys.executable).with_name("mindport")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def rendered_dom(page: Path) -> str:
    """The DOM after chromium has parsed and laid out the page (`make tools` installs it)."""
    done = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class Dom(HTMLParser):
    """Elements by tag, table rows by table id, and the text of each row."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, int] = {}
        self.rows: dict[str, list[tuple[str, list[str]]]] = {}
        self.figures: list[str] = []
        self._table: list[str] = []
        self._row: list[str] | None = None
        self._row_class = ""
        self._cell: list[str] | None = None
        self._svg_in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] = self.tags.get(tag, 0) + 1
        attr = dict(attrs)
        if tag == "table":
            self._table.append(attr.get("id") or "")
        elif tag == "tr" and self._table:
            self._row, self._row_class = [], attr.get("class") or ""
        elif tag == "td" and self._row is not None:
            self._cell = []
        elif tag == "figure":
            self.figures.append(attr.get("id") or "")
        elif tag == "svg" and self.figures:
            self._svg_in.append(self.figures[-1])

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self._row:
                self.rows.setdefault(self._table[-1], []).append((self._row_class, self._row))
            self._row = None
        elif tag == "table" and self._table:
            self._table.pop()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def parse(dom: str) -> Dom:
    parser = Dom()
    parser.feed(dom)
    return parser


@pytest.fixture(scope="module")
def fault_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    done = subprocess.run(
        [
            str(MINDPORT),
            "align",
            f"{DATA / 'tiny_torch.py'}::make_net",
            "--ms",
            str(DATA / "tiny_ms_act.py"),
            "--report",
            str(folder),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"report: {folder / 'index.html'}" in done.stdout
    return folder


def test_the_browser_shows_the_layer_table_and_the_plots(fault_report: Path) -> None:
    dom = parse(rendered_dom(fault_report / "index.html"))
    layers = dom.rows["layers"]
    assert len(layers) == 11  # one row per layer call of the tiny model
    first = [cells for css, cells in layers if css == "first"]
    assert len(first) == 1 and first[0][1] == "blocks.1.act"
    assert first[0][2:4] == ["torch.nn.ReLU", "mindspore.nn.Sigmoid"]
    assert first[0][-1] == "tiny_ms_act.py:11"
    assert set(dom.figures) >= {"plot-forward", "plot-backward", "plot-loss"}
    assert set(dom._svg_in) >= {"plot-forward", "plot-backward", "plot-loss"}
    assert len(dom.rows["losses"]) == 5
    assert dom.tags.get("script", 0) == 0
    # result.json holds the same result
    result = json.loads((fault_report / "result.json").read_text())
    assert result["first_divergence"]["path"] == "blocks.1.act"


def hostile_result() -> dict:
    evil = '<script>document.title="owned"</script><img src=x onerror=alert(1)>'
    row = {
        "path": f"blocks.{evil}",
        "call": 0,
        "type_torch": "torch.nn.ReLU",
        "type_ms": f"user.{evil}",
        "agree": False,
        "max_abs": 1.0,
        "max_rel": 1.0,
        "cosine": 0.5,
        "within": 0.0,
        "status": "diverges",
        "inputs_agree": True,
        "port": {"file": f"/w/{evil}.py", "line": 3, "col": 0},
    }
    return {
        "torch": {"file": f"/w/{evil}.py", "factory": evil, "version": "2.13.0"},
        "mindspore": {"file": "/w/port.py", "factory": evil, "version": "2.10.0"},
        "device": "CPU",
        "rtol": 1e-4,
        "atol": 1e-4,
        "seed": 0,
        "status": "error",
        "notes": [evil],
        "stages": {"forward": {"status": "diverges", "rows": [row], "first": row}},
        "first_divergence": dict(row, stage="forward", note=evil),
        "error": {
            "kind": "model",
            "message": evil,
            "traceback": evil,
            "frame": {"file": evil, "line": 1},
        },
    }


def test_names_and_error_text_from_the_model_are_escaped(tmp_path: Path) -> None:
    folder = write_report(hostile_result(), report_folder(tmp_path, "<evil>/../name"))
    assert folder.parent == tmp_path / ".mindport" / "reports"
    assert "<" not in folder.name and "/" not in folder.name
    page = folder / "index.html"
    text = page.read_text()
    assert "<script>" not in text and "<img" not in text
    dom_text = rendered_dom(page)
    dom = parse(dom_text)
    assert dom.tags.get("script", 0) == 0 and dom.tags.get("img", 0) == 0
    assert "<title>mindport report: " in dom_text  # the script did not rename the page
    cells = dom.rows["layers"][0][1]
    assert cells[1].startswith("blocks.<script>")  # shown as text
