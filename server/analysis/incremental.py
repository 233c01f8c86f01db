"""Whole-module analysis that can be updated after an edit without re-parsing the file.

Parsing dominates: `ast.parse` of a 5,000-line file takes ~55 ms on our machine, over the
50 ms budget for diagnostics after an edit. So each top-level statement keeps its own
findings and the module-level bindings it made. After an edit (found by comparing the lines
with those of the last text that parsed, so any number of changes, and typing through states
that do not parse, stay incremental), only the top-level statements it touches (plus the
blank lines around them) are re-parsed, on their own; the other statements' findings are
reused, shifted by the edit's line delta.

The update falls back to a full analysis whenever the shortcut could be wrong:
- the chunk does not parse on its own and may join the text around it (an opened
  triple-quoted string, a decorator or backslash at its end, new indentation or `else:` at
  its start when the statement before it is already in the chunk);
- the chunk changes the module-level bindings that later code sees (an import, `F = ...`);
- two top-level statements share a line, or `from __future__` appears mid-file.
If the chunk parses on its own, the whole file parses as before with the chunk's statements
in place, because top-level statements are independent in Python's grammar. If it does not,
and cannot join its neighbours, the file does not parse either: the chunk's syntax error is
the file's, found without parsing the file.

Real files keep most of their code inside a few large classes, so a change inside one method
of a top-level class goes a step further (`_update_member`): only that method is parsed and
analysed again, with what the full analysis recorded for it (`references.ClassRecord`);
when what it changes could change what the class's other methods see, the whole class (the
top-level statement) is analysed again as above.
"""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass, field

from server.analysis.findings import AnalysisResult, SyntaxProblem, TorchReference
from server.analysis.references import (
    LINE_BREAK,
    ClassRecord,
    StatementAnalyzer,
    parse_source,
    shift_refs,
)
from server.analysis.scopes import Scope

Ops = list[tuple[str, str, str | None]]


@dataclass(slots=True)
class ModuleAnalysis:
    result: AnalysisResult
    line_count: int = 0
    stmt_lines: list[tuple[int, int]] = field(default_factory=list)  # first, last line (0-based)
    refs_by_stmt: list[list[TorchReference]] = field(default_factory=list)
    ops_by_stmt: list[Ops] = field(default_factory=list)
    import_end_by_stmt: list[int] = field(default_factory=list)
    mindspore_by_stmt: list[bool] = field(default_factory=list)
    # Top-level classes, by statement index: what re-analysing one of their methods needs.
    classes: dict[int, ClassRecord] = field(default_factory=dict)
    incremental_ok: bool = False
    reused_statements: int = 0  # for logs and tests: how much an update did not redo
    method_level: bool = False  # for logs and tests: the update re-analysed one method
    # The module's bindings once every top-level statement ran (what bodies see), when known.
    final_state: tuple[dict, dict] | None = None

    def final_module(self) -> Scope:
        """A module scope in the state function bodies see (a fresh copy)."""
        if self.final_state is None:
            final = Scope("module")
            final.replay([op for ops in self.ops_by_stmt for op in ops])
            self.final_state = final.state()
        scope = Scope("module")
        scope.bindings, scope.value_kinds = dict(self.final_state[0]), dict(self.final_state[1])
        return scope


def _assemble(module: ModuleAnalysis) -> ModuleAnalysis:
    result = AnalysisResult()
    for refs in module.refs_by_stmt:
        result.references.extend(refs)
    result.import_insert_line = max(module.import_end_by_stmt, default=0)
    result.imports_mindspore = any(module.mindspore_by_stmt)
    module.result = result.finalize()
    lines = module.stmt_lines
    module.incremental_ok = all(lines[i][1] < lines[i + 1][0] for i in range(len(lines) - 1))
    return module


def analyse_module(source: str) -> ModuleAnalysis:
    lines = LINE_BREAK.split(source)
    tree = parse_source(source)
    if not isinstance(tree, ast.Module):
        return ModuleAnalysis(AnalysisResult(syntax_error=tree).finalize(), len(lines))
    analyzer = StatementAnalyzer(lines)
    try:
        analyzer.run(tree, Scope("module"))
    except RecursionError:
        problem = parse_source("(" * 10_000)  # the same message a too-deep parse gives
        assert not isinstance(problem, ast.Module)
        return ModuleAnalysis(AnalysisResult(syntax_error=problem).finalize(), len(lines))
    return _assemble(
        ModuleAnalysis(
            AnalysisResult(),
            len(lines),
            analyzer.statement_lines(tree),
            analyzer.refs_by_stmt,
            analyzer.ops_by_stmt,
            analyzer.import_end_by_stmt,
            analyzer.mindspore_by_stmt,
            analyzer.classes,
        )
    )


def update_module(
    previous: ModuleAnalysis,
    source: str,
    start_line: int,
    end_line: int,
    inserted: str,
) -> ModuleAnalysis | None:
    """Analysis of `source` after replacing old lines start..end (a range's lines) with
    `inserted`; None when only a full analysis can be trusted (or the file does not parse)."""
    lines = LINE_BREAK.split(source)
    delta = len(LINE_BREAK.split(inserted)) - 1 - (end_line - start_line)
    updated = update_lines(previous, source, lines, start_line, end_line + 1, end_line + 1 + delta)
    return updated if isinstance(updated, ModuleAnalysis) else None


def changed_lines(old: list[str], new: list[str]) -> tuple[int, int, int]:
    """(first, old_end, new_end): old[first:old_end] became new[first:new_end]; the lines
    before and after are the same in both."""
    limit = min(len(old), len(new))
    first = 0
    while first < limit and old[first] == new[first]:
        first += 1
    tail = 0
    while tail < limit - first and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return first, len(old) - tail, len(new) - tail


_FUTURE_IMPORT = re.compile(r"^\s*from\s+__future__\s+import", re.MULTILINE)
# What a chunk that does not parse alone may still be, joined to the text around it.
_JOINS_PREVIOUS = ("else", "elif", "except", "finally")


def update_lines(
    previous: ModuleAnalysis,
    source: str,
    lines: list[str],
    first: int,
    old_end: int,
    new_end: int,
) -> ModuleAnalysis | SyntaxProblem | None:
    """Analysis of `source` (split into `lines`) whose lines first..new_end replaced the
    previous text's first..old_end (end exclusive). A SyntaxProblem when the file surely does
    not parse (found from the changed statements alone); None when only a full analysis can
    tell."""
    if not previous.incremental_ok or previous.result.syntax_error is not None:
        return None
    spans = previous.stmt_lines
    count = len(spans)
    delta = new_end - old_end
    if previous.classes:
        member = _update_member(previous, lines, first, old_end, delta)
        if member is not None:
            return member
    ends = [last for _, last in spans]
    starts = [first_line for first_line, _ in spans]
    first_hit = bisect.bisect_left(ends, first)  # first statement ending at/after the edit
    last_hit = bisect.bisect_right(starts, old_end - 1) - 1  # last one starting before its end
    if first_hit > last_hit and first_hit > 0 and first == spans[first_hit - 1][1] + 1:
        first_hit -= 1  # new lines right after a statement may continue it (a method's end)
    for _ in range(2):
        lo = spans[first_hit - 1][1] + 1 if first_hit > 0 else 0
        hi_old = spans[last_hit + 1][0] - 1 if last_hit + 1 < count else previous.line_count - 1
        hi = hi_old + delta
        if hi < lo - 1 or hi >= len(lines):
            return None
        chunk_lines = lines[lo : hi + 1]
        chunk = "\n".join(chunk_lines)
        if lo > 0 and "__future__" in chunk and _FUTURE_IMPORT.search(chunk):
            return None
        tree = parse_source(chunk)
        if isinstance(tree, ast.Module):
            break
        verdict = _chunk_verdict(chunk_lines, tree)
        if verdict == "surely":
            return SyntaxProblem(tree.message, tree.line + lo, tree.col)
        if verdict == "joins-previous" and first_hit > 0:
            first_hit -= 1
            continue
        return None
    else:
        return None
    return _splice(previous, lines, tree, chunk_lines, lo, first_hit, last_hit, delta)


# A method is parsed alone below this line: any indentation then opens its block (a class,
# not an `if`, so that no `else:` can join it).
_MEMBER_PREFIX = "class _:"


def _update_member(
    previous: ModuleAnalysis, lines: list[str], first: int, old_end: int, delta: int
) -> ModuleAnalysis | SyntaxProblem | None:
    """The update when the changed lines lie inside one method of a top-level class (with
    the blank lines after it): only that method is parsed and analysed again. None when
    that cannot be trusted (the caller then re-analyses the whole top-level statement).

    The method's lines, with the class body's indentation, lie between two complete
    statements of that body; parsed alone inside `class _:` they meet the same indentation
    stack as in the file, so if they parse as one method of the same name, the file parses
    with it in place. The method is analysed with what the full analysis gave it (the
    class scope before it, the class's facts when it ran, the module's final bindings);
    if what it changes for the rest of the class differs, the shortcut is not taken.
    """
    spans = previous.stmt_lines
    stmt = bisect.bisect_right([a for a, _ in spans], first) - 1
    record = previous.classes.get(stmt)
    if record is None or record.indent is None:
        return None
    stmt_hi = spans[stmt + 1][0] - 1 if stmt + 1 < len(spans) else previous.line_count - 1
    if old_end - 1 > stmt_hi:
        return None
    record = record.materialized()
    members = record.member_spans
    index = bisect.bisect_right([a for a, _ in members], first) - 1
    if index < 0 or record.member_defs[index] is None:
        return None
    last = index == len(members) - 1
    hi = stmt_hi if last else members[index + 1][0] - 1  # the blank lines after it too
    lo = members[index][0]
    if old_end - 1 > hi or hi + delta < lo:
        return None
    chunk_lines = [_MEMBER_PREFIX, *lines[lo : hi + delta + 1]]
    tree = parse_source("\n".join(chunk_lines))
    indent = record.indent
    if not isinstance(tree, ast.Module):
        if _member_verdict(chunk_lines[1:], tree, indent):
            return SyntaxProblem(tree.message, max(lo, tree.line - 1 + lo), tree.col)
        return None
    block = tree.body[0] if len(tree.body) == 1 else None
    if not isinstance(block, ast.ClassDef) or len(block.body) != 1:
        return None
    node = block.body[0]
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    kind = "async def " if isinstance(node, ast.AsyncFunctionDef) else "def "
    if kind + node.name != record.member_defs[index]:
        return None
    start = min(n.lineno for n in (node, *node.decorator_list))
    head = chunk_lines[start - 1]
    if not head.startswith(indent) or head[len(indent) : len(indent) + 1].isspace():
        return None
    offset = lo - 1  # chunk line 2 is file line lo (0-based: lo)
    new_span = (start - 1 + offset, node.end_lineno - 1 + offset)

    ops = previous.ops_by_stmt
    header_module = Scope("module")
    header_module.replay([op for part in ops[:stmt] for op in part])
    header_module.replay(ops[stmt][: record.module_ops_at[index]])
    analyzer = StatementAnalyzer(chunk_lines, line_offset=offset)
    try:
        outcome = analyzer.run_member(record, index, node, header_module, previous.final_module())
    except RecursionError:
        return None
    if outcome is None:
        return None
    graph_refs = record.graph_refs
    class_end = new_span[1] if last else members[-1][1] + delta
    if record.network:  # the graph-mode pass looks at the whole class
        class_lo = spans[stmt][0]
        class_lines = lines[class_lo : class_end + 1]
        class_tree = parse_source("\n".join(class_lines))
        if not isinstance(class_tree, ast.Module) or len(class_tree.body) != 1:
            return None
        class_node = class_tree.body[0]
        if not isinstance(class_node, ast.ClassDef):
            return None
        graph_module = Scope("module")
        graph_module.replay([op for part in ops[:stmt] for op in part])
        graph_module.replay(ops[stmt][: record.graph_ops_at])
        graph_refs = StatementAnalyzer(class_lines, class_lo).graph_refs(class_node, graph_module)

    after = slice(index + 1, len(members))
    new_record = ClassRecord(
        record.name,
        members[:index] + [new_span] + [(a + delta, b + delta) for a, b in members[after]],
        record.member_defs,
        indent,
        record.head_refs,
        record.visit_refs[:index]
        + [outcome.visit_refs]
        + [shift_refs(refs, delta) for refs in record.visit_refs[after]],
        graph_refs,
        record.body_refs[:index]
        + [outcome.body_refs]
        + [shift_refs(refs, delta) for refs in record.body_refs[after]],
        record.class_ops,
        record.module_ops_at,
        record.graph_ops_at,
        record.network,
        record.header_facts,
        record.body_facts,
        record.final_facts,
        record.late_changes,
    )
    tail = slice(stmt + 1, len(spans))
    classes = {i: c for i, c in previous.classes.items() if i < stmt}
    classes[stmt] = new_record
    classes.update((i, c.shifted(delta)) for i, c in previous.classes.items() if i > stmt)
    updated = ModuleAnalysis(
        AnalysisResult(),
        len(lines),
        spans[:stmt]
        + [(spans[stmt][0], class_end)]
        + [(a + delta, b + delta) for a, b in spans[tail]],
        previous.refs_by_stmt[:stmt]
        + [new_record.flat_refs()]
        + [shift_refs(refs, delta) for refs in previous.refs_by_stmt[tail]],
        previous.ops_by_stmt,
        previous.import_end_by_stmt[: stmt + 1]
        + [end + delta if end else 0 for end in previous.import_end_by_stmt[tail]],
        previous.mindspore_by_stmt,
        classes,
    )
    updated.final_state = previous.final_state
    updated.reused_statements = len(spans) - 1
    updated.method_level = True
    return _assemble(updated)


def _member_verdict(chunk_lines: list[str], problem: SyntaxProblem, indent: str) -> bool:
    """Whether a method's lines that do not parse alone make the whole file fail: as
    `_chunk_verdict`, with every line of code indented at least as the class body (a line
    less indented ends the class: what follows may join the text after it)."""
    code = [line for line in chunk_lines if line.strip() and not line.lstrip().startswith("#")]
    if not code or any(not line.startswith(indent) for line in code):
        return False
    head = code[0]
    if head[len(indent) : len(indent) + 1].isspace():
        return False
    if head.split(None, 1)[0].rstrip(":") in _JOINS_PREVIOUS:
        return False
    tail = code[-1].rstrip()
    if tail.lstrip().startswith("@") or tail.endswith("\\") or "triple-quoted" in problem.message:
        return False
    return True


def _chunk_verdict(chunk_lines: list[str], problem: SyntaxProblem) -> str:
    """Whether a chunk that does not parse alone makes the whole file fail ("surely"), may
    join the statement before it ("joins-previous"), or may join the one after ("unsure").

    The chunk lies between two complete top-level statements, so the tokenizer meets it at
    column 0 with no bracket open, and the statement after it starts at column 0: the chunk
    fails in the file too unless its first line continues the statement before (indented,
    `else:`...) or its end continues into the next (a decorator, a backslash, a triple-quoted
    string, which may close in the text after it).
    """
    code = [line for line in chunk_lines if line.strip() and not line.lstrip().startswith("#")]
    if not code:
        return "unsure"
    head = code[0]
    if head[:1].isspace() or head.split(None, 1)[0].rstrip(":") in _JOINS_PREVIOUS:
        return "joins-previous"
    tail = code[-1].rstrip()
    if tail.lstrip().startswith("@") or tail.endswith("\\") or "triple-quoted" in problem.message:
        return "unsure"
    return "surely"


def _splice(
    previous: ModuleAnalysis,
    lines: list[str],
    tree: ast.Module,
    chunk_lines: list[str],
    lo: int,
    first_hit: int,
    last_hit: int,
    delta: int,
) -> ModuleAnalysis | None:
    """The previous analysis with statements first_hit..last_hit replaced by the chunk's."""
    spans = previous.stmt_lines
    count = len(spans)
    before = Scope("module")
    for ops in previous.ops_by_stmt[:first_hit]:
        before.replay(ops)
    expected = Scope("module")
    expected.replay([op for ops in previous.ops_by_stmt[: last_hit + 1] for op in ops])
    final = Scope("module")
    final.replay([op for ops in previous.ops_by_stmt for op in ops])

    analyzer = StatementAnalyzer(chunk_lines, line_offset=lo)
    changed_bindings = False

    def check_and_finish_module_state() -> None:
        nonlocal changed_bindings
        if before.state() != expected.state():
            changed_bindings = True
            return
        # function bodies see the module's final bindings, which the chunk did not change
        before.bindings = final.bindings
        before.value_kinds = final.value_kinds

    try:
        analyzer.run(tree, before, before_bodies=check_and_finish_module_state)
    except RecursionError:
        return None
    if changed_bindings:
        return None

    tail = slice(last_hit + 1, count)
    moved = len(tree.body) - max(0, last_hit - first_hit + 1)
    classes = {i: c for i, c in previous.classes.items() if i < first_hit}
    classes.update((first_hit + i, c) for i, c in analyzer.classes.items())
    classes.update(
        (i + moved, c.shifted(delta)) for i, c in previous.classes.items() if i > last_hit
    )
    updated = ModuleAnalysis(
        AnalysisResult(),
        len(lines),
        spans[:first_hit]
        + analyzer.statement_lines(tree)
        + [(a + delta, b + delta) for a, b in spans[tail]],
        previous.refs_by_stmt[:first_hit]
        + analyzer.refs_by_stmt
        + [shift_refs(refs, delta) for refs in previous.refs_by_stmt[tail]],
        previous.ops_by_stmt[:first_hit] + analyzer.ops_by_stmt + previous.ops_by_stmt[tail],
        previous.import_end_by_stmt[:first_hit]
        + analyzer.import_end_by_stmt
        + [end + delta if end else 0 for end in previous.import_end_by_stmt[tail]],
        previous.mindspore_by_stmt[:first_hit]
        + analyzer.mindspore_by_stmt
        + previous.mindspore_by_stmt[tail],
        classes,
    )
    updated.final_state = previous.final_state  # the chunk left the module's bindings as they were
    updated.reused_statements = count - max(0, last_hit - first_hit + 1)
    return _assemble(updated)


def carried_over(previous: ModuleAnalysis, first: int, old_end: int, delta: int) -> AnalysisResult:
    """The previous findings outside the changed lines, moved with the text: what a file
    that stopped parsing keeps showing."""
    result = AnalysisResult()
    for refs in previous.refs_by_stmt:
        for ref in refs:
            if ref.span.end_line < first:
                result.references.append(ref)
            elif ref.span.line >= old_end:
                result.references.extend(shift_refs([ref], delta))
    insert = previous.result.import_insert_line
    result.import_insert_line = insert + delta if insert >= old_end else insert
    result.imports_mindspore = previous.result.imports_mindspore
    return result.finalize()
