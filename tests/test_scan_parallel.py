"""`mindport scan` on every core gives exactly what the one-process run gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mapping_db.store import load_database
from server.scan.walk import FileReport, scan_paths, worker_count

ROOT = Path(__file__).resolve().parent.parent


def _canonical(reports: list[FileReport]) -> list[tuple]:
    return [
        (
            str(r.path),
            r.lines,
            r.syntax_error,
            r.skipped,
            [
                (a.reference, a.kind, a.target.api if a.target else None, a.message)
                for a in r.assessments
            ],
        )
        for r in reports
    ]


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real files (the bench's public torch files, the examples) and bad ones."""
    root = tmp_path_factory.mktemp("tree")
    shutil.copytree(ROOT / "bench" / "data", root / "data")
    shutil.copytree(ROOT / "examples", root / "examples", ignore=shutil.ignore_patterns("*.pt"))
    (root / "broken.py").write_text("import torch\nx = torch.ones(\n", encoding="utf-8")
    (root / "binary.py").write_bytes(b"import torch\0\n")
    (root / "latin1.py").write_bytes(b"import torch\nx = torch.ones(1)  # caf\xe9\n")
    return root


def test_parallel_output_is_identical(tree: Path) -> None:
    db = load_database()
    one = scan_paths([tree], db, "CPU", jobs=1)
    seen: list[Path] = []
    two = scan_paths([tree], db, "CPU", jobs=2, on_file=lambda r: seen.append(r.path))
    assert _canonical(two) == _canonical(one)
    assert seen == [r.path for r in one]  # progress follows the walk's order
    assert sum(len(r.assessments) for r in one) > 500  # real files: plenty to compare
    assert any(r.syntax_error for r in one) and any(r.skipped for r in one)
    graph_one = scan_paths([tree], db, "Ascend", mode="graph", jobs=1)
    graph_two = scan_paths([tree], db, "Ascend", mode="graph", jobs=2)
    assert _canonical(graph_two) == _canonical(graph_one)


def test_worker_count(tree: Path) -> None:
    files = sorted(tree.rglob("*.py"))
    assert worker_count(1, files) == 1
    assert worker_count(2, files) == 2
    assert worker_count(8, files[:3]) == 3
    assert worker_count(0, files[:1]) == 1
    small = [p for p in files if p.stat().st_size < 10_000][:5]
    assert worker_count(0, small) == 1  # too little to gain from workers
