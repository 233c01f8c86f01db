"""Helpers for the conversion tests: convert a file or tree, import a port, compare outputs."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np

from mapping_db.store import load_database
from server.convert.file import convert_source, convert_tree

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"


def convert_to(src: Path, out: Path, device: str = "CPU"):
    """Convert a file (to the file `out`) or a folder (into the folder `out`)."""
    db = load_database()
    if src.is_dir():
        return convert_tree(src, out, db, device)
    conversion = convert_source(src.read_text(encoding="utf-8"), db, device, src)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(conversion.code, encoding="utf-8")
    return conversion


def load_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_package(folder: Path, name: str) -> ModuleType:
    """Import a folder as the package `name` (its relative imports resolve inside it)."""
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def ruff_f(paths: list[Path]) -> str:
    """`ruff check --select F` on the ports: the empty string when clean."""
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "F", "--no-cache", "--isolated",
         *map(str, paths)],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    return "" if proc.returncode == 0 else proc.stdout + proc.stderr


def relative_error(expected: np.ndarray, actual: np.ndarray) -> float:
    """max |a - b| / max |a|: the error relative to the output's scale."""
    expected = np.asarray(expected, dtype=np.float64)
    actual = np.asarray(actual, dtype=np.float64)
    assert expected.shape == actual.shape, (expected.shape, actual.shape)
    scale = max(float(np.abs(expected).max()), 1e-12)
    return float(np.abs(expected - actual).max()) / scale


def _ruff_f_findings(path: Path) -> list[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "F", "--no-cache", "--isolated",
         "--output-format", "json", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    # "redefinition of unused x from line 9": the line moves when imports change
    return sorted(
        re.sub(r"line \d+", "line N", f"{f['code']} {f['message']}")
        for f in json.loads(proc.stdout or "[]")
    )


def ruff_f_new(source: Path, port: Path) -> list[str]:
    """`ruff check --select F` findings of the port that the source does not have already."""
    before = _ruff_f_findings(source)
    new = []
    for finding in _ruff_f_findings(port):
        if finding in before:
            before.remove(finding)
        else:
            new.append(finding)
    return new
