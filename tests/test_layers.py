"""Imports run one way: a module imports only from its own layer package or the layers below.

mapping_db (data, model, queries; build-time importers) is at the bottom and never imports
`server`; on top of it: analysis -> advice -> convert -> runner (everything that runs torch or
mindspore in worker processes) -> doctor, scan -> lsp and the command line. docs/architecture.md
explains the layers.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# (package prefix, rank): the longest matching prefix decides a module's layer.
LAYERS: tuple[tuple[str, int], ...] = (
    ("mapping_db", 0),
    ("server.settings", 1),
    ("server", 1),  # server/__init__.py: the version
    ("server.analysis", 2),
    ("server.advice", 3),
    ("server.convert", 4),
    ("server.runner", 5),
    ("server.doctor", 6),
    ("server.scan", 6),
    ("server.lsp", 7),
    ("server.cli", 8),  # the command line, including `mindport serve`
    ("server.cli_db", 8),
    ("server.cli_doctor", 8),
    ("server.cli_convert", 8),
    ("server.cli_args", 8),  # what every verb shares: the parser, argument types
    ("server.cli_align", 8),
)
# Ranks whose packages may import each other: the base (settings, version) and the entry points.
OPEN_RANKS = frozenset({1, 8})


def layer_of(module: str) -> tuple[str, int]:
    best = ("", -1)
    for prefix, rank in LAYERS:
        if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best[0]):
            best = (prefix, rank)
    return best


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name.split(".")[0] in ("server", "mapping_db")]


def _sources(root: Path = ROOT) -> list[Path]:
    files = sorted((root / "server").rglob("*.py")) + sorted((root / "mapping_db").rglob("*.py"))
    return [p for p in files if "node_modules" not in p.parts]


def violations(root: Path = ROOT) -> list[str]:
    wrong: list[str] = []
    for path in _sources(root):
        module = _module_name(path, root)
        own_package, own_rank = layer_of(module)
        for line, imported in _imports(path):
            package, rank = layer_of(imported)
            sideways = rank == own_rank and package != own_package and rank not in OPEN_RANKS
            if rank > own_rank or sideways:
                wrong.append(f"{path.relative_to(root)}:{line}: {module} imports {imported}")
    return wrong


def test_every_module_has_a_layer() -> None:
    missing = [_module_name(p) for p in _sources() if layer_of(_module_name(p))[1] < 0]
    assert missing == []


def test_imports_run_one_way() -> None:
    assert violations() == []


def test_the_check_catches_upward_and_sideways_imports(tmp_path: Path) -> None:
    files = {
        "mapping_db/store.py": "from server.convert.call_rewrite import rewrite_call\n",
        "server/analysis/refs.py": "def f():\n    import server.lsp.server\n",
        "server/scan/walk.py": "from server.doctor import run_doctor\n",
        "server/convert/ok.py": "from server.analysis.refs import f\nimport mapping_db.store\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert sorted(violations(tmp_path)) == [
        "mapping_db/store.py:1: mapping_db.store imports server.convert.call_rewrite",
        "server/analysis/refs.py:2: server.analysis.refs imports server.lsp.server",
        "server/scan/walk.py:1: server.scan.walk imports server.doctor",
    ]
