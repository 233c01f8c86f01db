"""Convert a whole file (or a tree of files) from torch to MindSpore.

One libcst pass (server.convert.file.transformer) rewrites every torch site the analysis
finds, each call through the quick-fix engine; imports are tidied; then the port is analysed
again and any torch reference still in it gets a `# mindport:` marker, so nothing is left
behind silently.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from mapping_db.store import MappingDB
from server.analysis.references import find_torch_references
from server.convert.file.context import (
    MARKER_PREFIX,
    ConversionContext,
    Counts,
    Marker,
    category_of,
)
from server.convert.file.imports import tidy_imports, used_names
from server.convert.file.markers import with_marker
from server.convert.file.prescan import prescan
from server.convert.file.transformer import FileTransformer


class ConvertError(Exception):
    """The file cannot be converted (it does not parse); the message names file and line."""


@dataclass
class FileConversion:
    source_path: Path | None
    code: str
    counts: Counts
    markers: list[Marker]
    seconds: float
    lines: int
    changed: bool = True


@dataclass
class TreeConversion:
    files: list[FileConversion] = field(default_factory=list)
    copied: list[Path] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def counts(self) -> Counts:
        total = Counts()
        for f in self.files:
            total.add(f.counts)
        return total


def convert_source(
    source: str,
    db: MappingDB,
    device: str = "CPU",
    path: Path | None = None,
    fixes_only: bool = False,
) -> FileConversion:
    """Raises ConvertError when the source does not parse. `fixes_only`: every quick fix of
    the file at once (the editor's "fix all"), nothing structural and no markers."""
    started = time.perf_counter()
    where = str(path) if path is not None else "<source>"
    analysis = find_torch_references(source)
    if analysis.syntax_error is not None:
        problem = analysis.syntax_error
        raise ConvertError(
            f"{where}:{problem.line + 1}:{problem.col + 1}: does not parse: {problem.message}"
        )
    try:
        # The parser accepts what the compiler refuses (`yield` or `return` outside a
        # function, `nonlocal` at module level): such a file cannot run, so it is not ported.
        compile(source, where, "exec", dont_inherit=True)
    except SyntaxError as exc:
        problem = f"{where}:{exc.lineno}:{exc.offset}: does not compile: {exc.msg}"
        raise ConvertError(problem) from exc
    except ValueError as exc:  # NUL bytes
        raise ConvertError(f"{where}: does not compile: {exc}") from exc
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        raise ConvertError(f"{where}:{exc.raw_line}:{exc.raw_column + 1}: {exc.message}") from exc
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)  # parsed here, used once
    ctx = ConversionContext.build(db, device, analysis)
    ctx.source = source
    prescan(wrapper, ctx)
    converted = wrapper.visit(FileTransformer(ctx, fixes_only))
    converted = _with_helpers(converted, ctx)
    converted = tidy_imports(converted, used_names(module))
    code = converted.code if fixes_only else _mark_residue(converted.code, ctx)
    return FileConversion(
        path,
        code,
        ctx.counts,
        sorted(ctx.markers, key=lambda m: m.line),
        time.perf_counter() - started,
        source.count("\n") + 1,
        changed=code != source,
    )


def _with_helpers(module: cst.Module, ctx: ConversionContext) -> cst.Module:
    """Helper definitions go after the last top-level import (mindspore is imported there)."""
    if not ctx.helpers:
        return module
    body = list(module.body)
    at = 0
    for index, stmt in enumerate(body):
        if isinstance(stmt, cst.SimpleStatementLine) and isinstance(
            stmt.body[0], cst.Import | cst.ImportFrom
        ):
            at = index + 1
    helpers = [cst.parse_statement(code.strip() + "\n") for code in sorted(ctx.helpers)]
    blank = [cst.EmptyLine(), cst.EmptyLine()]
    helpers = [h.with_changes(leading_lines=blank) for h in helpers]
    return module.with_changes(body=[*body[:at], *helpers, *body[at:]])


def _mark_residue(code: str, ctx: ConversionContext) -> str:
    """Torch references still in the port, on lines with no marker yet, get one."""
    analysis = find_torch_references(code)
    if analysis.syntax_error is not None:  # our own output must parse: a bug if not
        raise ConvertError(f"internal error: the port does not parse: {analysis.syntax_error}")
    lines = code.splitlines()
    residue: dict[int, list[str]] = {}
    for ref in analysis.references:
        if ref.confidence != "certain" or ref.context == "pattern":
            continue
        if ref.qualified_name.startswith("mindspore"):
            continue
        line = ref.span.line
        if MARKER_PREFIX in lines[line]:
            continue
        residue.setdefault(line + 1, []).append(ref.qualified_name)
    if not residue:
        return code
    wrapper = MetadataWrapper(cst.parse_module(code), unsafe_skip_copy=True)
    marked = wrapper.visit(_ResidueMarker(residue, ctx))
    return marked.code


class _ResidueMarker(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, residue: dict[int, list[str]], ctx: ConversionContext) -> None:
        super().__init__()
        self.residue = residue
        self.ctx = ctx

    def _take(self, first: int, last: int, marked: bool) -> list[str]:
        """The residue on these lines; counted unless the statement already has a marker
        (the site was counted when it was marked)."""
        names: list[str] = []
        for line in range(first, last + 1):
            for name in self.residue.pop(line, []):
                if not marked:
                    self.ctx.mark(line, f"{name} left as is", category_of(name))
                names.append(name)
        return [] if marked else names

    def _reasons(self, names: list[str]) -> list[str]:
        unique = list(dict.fromkeys(names))
        return [f"{', '.join(unique)} left as is: port by hand"]

    def leave_SimpleStatementLine(self, original, updated):
        pos = self.get_metadata(PositionProvider, original)
        names = self._take(pos.start.line, pos.end.line, _has_marker(updated))
        return with_marker(updated, self._reasons(names)) if names else updated

    def on_leave(self, original_node, updated_node):
        result = super().on_leave(original_node, updated_node)
        body = getattr(original_node, "body", None)
        if isinstance(body, cst.IndentedBlock) and isinstance(result, cst.CSTNode):
            start = self.get_metadata(PositionProvider, original_node).start.line
            header_end = self.get_metadata(PositionProvider, body).start.line
            names = self._take(start, header_end, _has_marker(result))
            if names:
                result = with_marker(result, self._reasons(names))
        return result


def _has_marker(node: cst.CSTNode) -> bool:
    if isinstance(node, cst.SimpleStatementLine):
        ws = node.trailing_whitespace
    else:
        body = getattr(node, "body", None)
        ws = getattr(body, "header", None) or getattr(body, "trailing_whitespace", None)
    comment = getattr(ws, "comment", None)
    return comment is not None and MARKER_PREFIX in comment.value


def convert_file(path: Path, db: MappingDB, device: str = "CPU") -> FileConversion:
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConvertError(f"{path}: cannot read: {exc}") from exc
    return convert_source(source, db, device, path)


_SKIPPED_DIRS = {".git", "__pycache__", ".venv", "venv", "build", ".mypy_cache", ".ruff_cache"}


def _tree_files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part in _SKIPPED_DIRS for part in rel.parts):
            continue
        if path.is_file():
            yield path


def convert_tree(
    src: Path,
    out: Path,
    db: MappingDB,
    device: str = "CPU",
    on_file: Callable[[Path], None] | None = None,
) -> TreeConversion:
    """Convert every Python file of `src` into the same place under `out`; copy the rest."""
    result = TreeConversion()
    for path in _tree_files(src):
        target = out / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        if on_file is not None:
            on_file(path)
        if path.suffix != ".py":
            shutil.copy2(path, target)
            result.copied.append(path)
            continue
        try:
            conversion = convert_file(path, db, device)
        except ConvertError as exc:
            result.errors.append(str(exc))
            shutil.copy2(path, target)
            continue
        target.write_text(conversion.code, encoding="utf-8")
        result.files.append(conversion)
    return result
