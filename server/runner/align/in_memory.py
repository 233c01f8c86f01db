"""The port a run uses when none is given: the torch file converted in memory, together with
the modules of the user's own folder that it imports (a `build()` in a small wrapper file that
imports `model.py` gets a converted `model.py` too).

The converted files are written into the run's folder under their own names and relative
paths, which the MindSpore worker puts first on `sys.path`; the user's files are never touched.
"""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path
from typing import Any

from server.runner.align.sides import RunFailure
from server.runner.align.spec import ModelRef, RunSpec


def _imported_roots(source: str) -> set[str]:
    """Top-level names of the absolute imports in a file."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def _local_files(folder: Path, root: str) -> list[Path]:
    """The files of `folder` that `import root` would load: a module or a whole package."""
    module = folder / f"{root}.py"
    if module.is_file():
        return [module]
    package = folder / root
    if (package / "__init__.py").is_file():
        return sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)
    return []


def local_sources(entry: Path) -> list[Path]:
    """`entry` and every file of its folder it imports, directly or through another."""
    folder = entry.parent
    found: list[Path] = [entry]
    seen = {entry.resolve()}
    queue = deque([entry])
    while queue:
        path = queue.popleft()
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for root in sorted(_imported_roots(text)):
            for file in _local_files(folder, root):
                if file.resolve() not in seen:
                    seen.add(file.resolve())
                    found.append(file)
                    queue.append(file)
    return found


def in_memory_port(spec: RunSpec, workdir: Path) -> tuple[ModelRef, dict[str, Any]]:
    """Convert the torch file and its local imports into `workdir/port/`."""
    from mapping_db.store import load_database
    from server.convert.file.driver import ConvertError, convert_source

    entry = spec.torch.file
    folder = workdir / "port"
    folder.mkdir()
    database = load_database()
    markers: list[dict[str, Any]] = []
    converted: list[str] = []
    for path in local_sources(entry):
        relative = path.relative_to(entry.parent)
        try:
            source = path.read_text(encoding="utf-8")
            conversion = convert_source(source, database, spec.device, path)
        except (OSError, UnicodeDecodeError, ConvertError) as exc:
            raise RunFailure(
                f"cannot convert {path}: {exc}", kind="usage", stage="building"
            ) from exc
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(conversion.code, encoding="utf-8")
        converted.append(str(relative))
        markers += [
            {"file": str(path), "line": m.line, "reason": m.reason} for m in conversion.markers
        ]
        if path == entry:
            code = conversion.code
    info = {
        "converted_in_memory": True,
        "converted_files": converted,
        "markers": markers,
        "code": code,
    }
    return ModelRef(folder / entry.name, spec.torch.factory), info
