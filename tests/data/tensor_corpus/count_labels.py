"""Check and count the tensor / other labels of the corpus files next to this script.

Every call ``recv.name(...)`` whose receiver is a value (not a module or namespace name, not
``super()``) must be listed, on the line of ``name``, in a trailing comment of the form
``# tensor: a b | other: c d`` (either side may be omitted when empty), each side in the order
the names appear on the line.  A label naming a method not called there, any other comment on
a line with such a call, and ``;`` are errors.  Only names are checked here, not whether a
receiver really is a tensor.

Usage: python count_labels.py [DIR]   (exit status 1 when a label is missing or wrong)
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from collections import defaultdict
from pathlib import Path

# Receivers that are modules or namespaces: calls on them are out of scope.  Besides this
# fixed set (``Image`` is ``PIL.Image``), the names bound by ``import x`` / ``import x.y as z``
# in a corpus file count as namespaces in that file.
NAMESPACES = frozenset(
    {"torch", "nn", "F", "np", "math", "os", "json", "random", "time", "logging", "Path", "Image"}
)

_NAMES = r"(?:\s+[A-Za-z_]\w*)+"
LABEL_RE = re.compile(
    rf"^#\s*(?:tensor:(?P<tensor>{_NAMES})(?:\s+\|\s*other:(?P<other>{_NAMES}))?"
    rf"|other:(?P<only_other>{_NAMES}))\s*$"
)
LABEL_HINT = re.compile(r"^#\s*(tensor|other)\s*:")


def namespace_names(tree: ast.Module) -> set[str]:
    names = set(NAMESPACES)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names.add(alias.asname or alias.name.split(".")[0])
    return names


def is_namespace(value: ast.expr, names: set[str]) -> bool:
    if isinstance(value, ast.Call):
        return isinstance(value.func, ast.Name) and value.func.id == "super"
    while isinstance(value, ast.Attribute):
        value = value.value
    return isinstance(value, ast.Name) and value.id in names


def calls_by_line(tree: ast.Module) -> dict[int, list[str]]:
    """Method names of in-scope attribute calls, per line of the name, in text order."""
    names = namespace_names(tree)
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        func = node.func
        if is_namespace(func.value, names):
            continue
        found[func.end_lineno].append((func.end_col_offset, func.attr))
    return {line: [name for _, name in sorted(items)] for line, items in found.items()}


def comments_by_line(source: str) -> tuple[dict[int, str], list[int]]:
    comments: dict[int, str] = {}
    semicolons: list[int] = []
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            comments[tok.start[0]] = tok.string
        elif tok.type == tokenize.OP and tok.string == ";":
            semicolons.append(tok.start[0])
    return comments, semicolons


def parse_label(comment: str) -> tuple[list[str], list[str]] | None:
    match = LABEL_RE.match(comment)
    if match is None:
        return None
    other = match["other"] or match["only_other"] or ""
    return (match["tensor"] or "").split(), other.split()


def interleaves(names: list[str], tensor: list[str], other: list[str]) -> bool:
    """True when ``names`` is a merge of ``tensor`` and ``other``, each kept in order."""
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        i, j = stack.pop()
        if i + j == len(names):
            if i == len(tensor) and j == len(other):
                return True
            continue
        if (i, j) in seen:
            continue
        seen.add((i, j))
        name = names[i + j]
        if i < len(tensor) and tensor[i] == name:
            stack.append((i + 1, j))
        if j < len(other) and other[j] == name:
            stack.append((i, j + 1))
    return False


def check_file(path: Path) -> tuple[int, int, list[str]]:
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    calls = calls_by_line(tree)
    comments, semicolons = comments_by_line(source)
    errors = [f"{path.name}:{line}: ';' in a corpus file" for line in semicolons]
    n_tensor = n_other = 0
    for line in sorted(set(calls) | set(comments)):
        names = calls.get(line, [])
        comment = comments.get(line)
        label = parse_label(comment) if comment else None
        where = f"{path.name}:{line}"
        if comment and label is None and (names or LABEL_HINT.match(comment)):
            errors.append(f"{where}: comment is not a label: {comment!r} (calls: {names})")
            continue
        if label is None:
            if names:
                errors.append(f"{where}: unlabelled calls {names}")
            continue
        tensor, other = label
        if not names:
            errors.append(f"{where}: label {comment!r} but no in-scope call")
        elif not interleaves(names, tensor, other):
            errors.append(f"{where}: calls {names} do not match label {comment!r}")
        n_tensor += len(tensor)
        n_other += len(other)
    return n_tensor, n_other, errors


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve()
    folder = Path(argv[1]) if len(argv) > 1 else here.parent
    files = sorted(p for p in folder.glob("*.py") if p.resolve() != here)
    total_tensor = total_other = 0
    all_errors: list[str] = []
    for path in files:
        n_tensor, n_other, errors = check_file(path)
        total_tensor += n_tensor
        total_other += n_other
        all_errors.extend(errors)
        print(f"{path.name:24} tensor {n_tensor:4}  other {n_other:4}")
    print(f"{'total':24} tensor {total_tensor:4}  other {total_other:4}  files {len(files)}")
    for error in all_errors:
        print(error, file=sys.stderr)
    return 1 if all_errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
