"""Find every torch reference in a Python source, resolved to its qualified name.

One pass of the standard library `ast` with our own import/alias table (docs/architecture.md,
decision 1): libcst's metadata providers are two orders of magnitude slower on real files.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections import deque
from dataclasses import dataclass, field, replace

from mapping_db.tensor_methods import TENSOR_ATTRIBUTES, TENSOR_METHODS, TENSOR_ONLY_METHODS
from server.analysis.findings import (
    AnalysisResult,
    CallShape,
    Context,
    Span,
    SyntaxProblem,
    TorchReference,
)
from server.analysis.rules import (
    PATTERN_PREFIX,
    assignment_rule,
    class_base_rule,
    method_call_rule,
)
from server.analysis.rules.graph_mode import graph_mode_issues, is_network_class
from server.analysis.scopes import ClassFacts, Scope, names_bound_in
from server.analysis.tensor_evidence import kind_from_parameter_name
from server.analysis.value_evidence import ValueEvidence

_FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_REGISTERS_TENSOR = ("register_buffer", "register_parameter")
METHOD_DEFINED = "method:"  # value-kind key prefix: a method name defined by a class here
# The line breaks Python's tokenizer and LSP agree on (str.splitlines also splits on \f etc.).
LINE_BREAK = re.compile(r"\r\n|\r|\n")


Ops = list[tuple[str, str, str | None]]
# A class's facts (ClassFacts) frozen at one moment: modules, tensors, tensor_methods.
FactsSnapshot = tuple[frozenset[str], frozenset[str], frozenset[str]]


def snapshot(facts: ClassFacts) -> FactsSnapshot:
    return frozenset(facts.modules), frozenset(facts.tensors), frozenset(facts.tensor_methods)


@dataclass(slots=True)
class ClassRecord:
    """What the analysis of a top-level class kept, so that one of its methods can later be
    analysed again alone (server.analysis.incremental): per class-body statement ("member")
    its lines, its references, the class-scope changes it made, and the class's facts
    (`self.<name>` kinds) before and after it ran; a method's analysis depends on nothing
    else in the class.

    References are kept by the phase that found them, in the order a full analysis finds
    them: the class's decorators and bases, each member's part visited with the class body
    (a method's decorators, defaults, annotations), the graph-mode pass over the class, then
    each member's deferred bodies (a method's body, then the functions nested in it).
    Line numbers are `shift` lines off (shifted lazily when an edit above moves the class).
    """

    name: str
    member_spans: list[tuple[int, int]] = field(default_factory=list)  # first, last line
    member_defs: list[str | None] = field(default_factory=list)  # "def f" / "async def f"
    indent: str | None = None  # the body's indentation; None: a member shares a line
    head_refs: list[TorchReference] = field(default_factory=list)
    visit_refs: list[list[TorchReference]] = field(default_factory=list)
    graph_refs: list[TorchReference] = field(default_factory=list)
    body_refs: list[list[TorchReference]] = field(default_factory=list)
    class_ops: list[Ops] = field(default_factory=list)  # the class scope's changes per member
    module_ops_at: list[int] = field(default_factory=list)  # module ops logged before member
    graph_ops_at: int = 0  # module ops logged before the graph-mode pass
    network: bool = False  # a network class: the graph-mode pass ran over it
    header_facts: list[tuple[FactsSnapshot, FactsSnapshot] | None] = field(default_factory=list)
    body_facts: list[tuple[FactsSnapshot, FactsSnapshot] | None] = field(default_factory=list)
    final_facts: FactsSnapshot | None = None
    late_changes: bool = False  # a function nested in a method changed the class's facts
    shift: int = 0
    facts: ClassFacts | None = None  # the live facts, while the analysis runs

    def shifted(self, delta: int) -> ClassRecord:
        return self if delta == 0 else replace(self, shift=self.shift + delta)

    def materialized(self) -> ClassRecord:
        """The record with its lines where they are now (`shift` applied)."""
        delta = self.shift
        if delta == 0:
            return self
        return replace(
            self,
            member_spans=[(a + delta, b + delta) for a, b in self.member_spans],
            head_refs=shift_refs(self.head_refs, delta),
            visit_refs=[shift_refs(refs, delta) for refs in self.visit_refs],
            graph_refs=shift_refs(self.graph_refs, delta),
            body_refs=[shift_refs(refs, delta) for refs in self.body_refs],
            shift=0,
        )

    def flat_refs(self) -> list[TorchReference]:
        """Every reference of the class, in the order a full analysis finds them."""
        refs = list(self.head_refs)
        for part in self.visit_refs:
            refs.extend(part)
        refs.extend(self.graph_refs)
        for part in self.body_refs:
            refs.extend(part)
        return refs


def _shift_span(span: Span, delta: int) -> Span:
    return Span(span.line + delta, span.col, span.end_line + delta, span.end_col)


def shift_refs(refs: list[TorchReference], delta: int) -> list[TorchReference]:
    """The references moved `delta` lines down (new objects; the same list when 0)."""
    if delta == 0:
        return refs
    shifted = []
    for ref in refs:
        call = ref.call
        if call is not None:
            call = CallShape(
                _shift_span(call.span, delta), call.n_positional, call.keywords, call.has_star_args
            )
        shifted.append(
            TorchReference(
                ref.qualified_name,
                _shift_span(ref.span, delta),
                ref.context,
                ref.confidence,
                call,
                ref.tensor_receiver,
            )
        )
    return shifted


@dataclass(slots=True)
class MemberOutcome:
    """One method of a class analysed again alone (StatementAnalyzer.run_member)."""

    visit_refs: list[TorchReference]
    body_refs: list[TorchReference]


def find_torch_references(source: str) -> AnalysisResult:
    """Analyse `source`; a syntax error gives a result with `syntax_error` set and no references."""
    from server.analysis.incremental import analyse_module

    return analyse_module(source).result


def parse_source(source: str) -> ast.Module | SyntaxProblem:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "invalid escape sequence": not our business
            return ast.parse(source)
    except SyntaxError as exc:
        line = max((exc.lineno or 1) - 1, 0)
        col = max((exc.offset or 1) - 1, 0)
        return SyntaxProblem(exc.msg, line, col)
    except (ValueError, RecursionError, MemoryError) as exc:  # e.g. NUL bytes, absurd nesting
        return SyntaxProblem(str(exc), 0, 0)


def _def_key(node: _FunctionNode) -> str:
    return ("async def " if isinstance(node, ast.AsyncFunctionDef) else "def ") + node.name


def _set_facts(facts: ClassFacts, value: FactsSnapshot) -> None:
    facts.modules, facts.tensors, facts.tensor_methods = (set(part) for part in value)


class StatementAnalyzer(ValueEvidence):
    """Analyses a module's top-level statements, keeping what each one contributes.

    `line_offset` places a chunk of a file (parsed on its own) at its line in the file.
    """

    def __init__(self, lines: list[str], line_offset: int = 0) -> None:
        self.lines = lines
        self.offset = line_offset
        self.refs_by_stmt: list[list[TorchReference]] = []
        self.ops_by_stmt: list[list[tuple[str, str, str | None]]] = []
        self.import_end_by_stmt: list[int] = []  # line after the statement's last import, or 0
        self.mindspore_by_stmt: list[bool] = []
        self.classes: dict[int, ClassRecord] = {}  # by top-level statement index
        self._stmt = 0
        self._top: ast.stmt | None = None  # the top-level statement being visited
        self._member: int | None = None  # the member of a top-level class being analysed
        self._bucket: list[TorchReference] = []  # where references found now go
        self._deferred: deque[tuple[_FunctionNode, Scope, int, int | None]] = deque()

    # ---- positions: ast columns are UTF-8 byte offsets, ours are code points ----

    def _col(self, lineno: int, byte_col: int) -> int:
        if lineno - 1 >= len(self.lines):
            return byte_col
        text = self.lines[lineno - 1]
        if text.isascii():
            return byte_col
        return len(text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))

    def _span(self, node: ast.AST) -> Span:
        return Span(
            node.lineno - 1 + self.offset,
            self._col(node.lineno, node.col_offset),
            node.end_lineno - 1 + self.offset,
            self._col(node.end_lineno, node.end_col_offset),
        )

    def _attr_span(self, func: ast.Attribute) -> Span:
        """The span of the attribute's name alone (`view` in `x.view`)."""
        end_line = func.end_lineno
        end_col = self._col(end_line, func.end_col_offset)
        line = end_line - 1 + self.offset
        return Span(line, end_col - len(func.attr), line, end_col)

    def _add(self, qualified: str, span: Span, context: Context, **kw: object) -> None:
        self._bucket.append(TorchReference(qualified, span, context, **kw))

    # ---- driver ----

    def run(self, tree: ast.Module, module: Scope, before_bodies=None) -> None:
        """Visit the top-level statements, then (after `before_bodies()`) function bodies."""
        count = len(tree.body)
        self.refs_by_stmt = [[] for _ in range(count)]
        self.ops_by_stmt = [[] for _ in range(count)]
        self.import_end_by_stmt = [0] * count
        self.mindspore_by_stmt = [False] * count
        self.classes = {}
        for index, stmt in enumerate(tree.body):
            self._stmt = index
            self._top = stmt
            self._bucket = self.refs_by_stmt[index]
            module.ops = self.ops_by_stmt[index]
            self._visit_stmt(stmt, module)
        module.ops = None
        self._top = None
        if before_bodies is not None:
            before_bodies()
        first_level = len(self._deferred)  # bodies deferred later are nested in these
        done = 0
        while self._deferred:
            func, scope, self._stmt, self._member = self._deferred.popleft()
            late, done = done >= first_level, done + 1
            record = self.classes.get(self._stmt) if self._member is not None else None
            if record is None:
                self._bucket = self.refs_by_stmt[self._stmt]
                self._run_body(func, scope)
                continue
            assert self._member is not None and record.facts is not None
            self._bucket = record.body_refs[self._member]
            tracked = late or record.member_defs[self._member] is not None
            before = snapshot(record.facts) if tracked else None
            self._run_body(func, scope)
            if not tracked:
                continue
            after = snapshot(record.facts)
            if late:
                record.late_changes = record.late_changes or after != before
            elif before is not None:
                record.body_facts[self._member] = (before, after)
        self._member = None
        for index, record in self.classes.items():
            assert record.facts is not None
            record.final_facts = snapshot(record.facts)
            record.facts = None
            self.refs_by_stmt[index] = record.flat_refs()

    def _run_body(self, func: _FunctionNode, scope: Scope) -> None:
        self._visit_body(func.body, scope)
        facts = scope.parent.class_facts if scope.parent is not None else None
        if scope.returns_tensor and facts is not None:
            facts.tensor_methods.add(func.name)  # later methods' `self.f(x)` is a tensor

    def run_member(
        self,
        record: ClassRecord,
        index: int,
        node: ast.stmt,
        header_module: Scope,
        final_module: Scope,
    ) -> MemberOutcome | None:
        """Analyse member `index` of a top-level class again, alone, as the full analysis
        would have (`node` is its new text's statement). None when what it changes for the
        rest of the class (the class scope, the class's facts) differs from before: then
        other members' findings may change too."""
        header = record.header_facts[index]
        body = record.body_facts[index]
        final = record.final_facts
        if header is None or body is None or final is None or record.late_changes:
            return None
        facts = ClassFacts(*(set(part) for part in header[0]))
        cls = Scope("class", parent=header_module, class_facts=facts)
        for ops in record.class_ops[:index]:
            cls.replay(ops)
        cls.ops = ops = []
        outcome = MemberOutcome([], [])
        self._bucket = outcome.visit_refs
        self._member = index
        self._deferred.clear()
        self._visit_stmt(node, cls)
        cls.ops = None
        if ops != record.class_ops[index] or snapshot(facts) != header[1]:
            return None
        if len(self._deferred) != 1:
            return None
        cls.parent = final_module  # bodies run once the module has bound every name
        _set_facts(facts, body[0])
        self._bucket = outcome.body_refs
        func, scope, _, _ = self._deferred.popleft()
        self._run_body(func, scope)
        if snapshot(facts) != body[1]:
            return None
        _set_facts(facts, final)  # functions nested in it run after every method
        while self._deferred:
            func, scope, _, _ = self._deferred.popleft()
            self._run_body(func, scope)
        if snapshot(facts) != final:
            return None
        self._member = None
        return outcome

    def graph_refs(self, node: ast.ClassDef, scope: Scope) -> list[TorchReference]:
        """The graph-mode findings of a (network) class, as `_class_def` finds them."""
        self._bucket = found = []
        self._graph_mode(node, scope)
        return found

    def statement_lines(self, tree: ast.Module | ast.ClassDef) -> list[tuple[int, int]]:
        spans = []
        for stmt in tree.body:
            start = stmt.lineno
            for deco in getattr(stmt, "decorator_list", ()):
                start = min(start, deco.lineno)
            spans.append((start - 1 + self.offset, stmt.end_lineno - 1 + self.offset))
        return spans

    def _has_walrus(self, node: ast.stmt) -> bool:
        return any(":=" in line for line in self.lines[node.lineno - 1 : node.end_lineno])

    def _visit_body(self, body: list[ast.stmt], scope: Scope) -> None:
        for stmt in body:
            self._visit_stmt(stmt, scope)

    # ---- statements ----

    def _visit_stmt(self, node: ast.stmt, scope: Scope) -> None:
        match node:
            case ast.Import():
                self._import(node, scope)
            case ast.ImportFrom():
                self._import_from(node, scope)
            case ast.Assign():
                self._expr(node.value, scope)
                for target in node.targets:
                    self._assign_target(target, node.value, scope)
                if len(node.targets) == 1 and (rule := assignment_rule(node.targets[0])):
                    statement = CallShape(self._span(node), 0, ())
                    target = node.targets[0]
                    assert isinstance(target, ast.Attribute)
                    span = self._attr_span(target)
                    self._add(PATTERN_PREFIX + rule, span, "pattern", call=statement)
            case ast.AnnAssign():
                self._expr(node.annotation, scope, "annotation")
                if node.value is not None:
                    self._expr(node.value, scope)
                self._assign_target(node.target, node.value, scope)
                if self._annotation_is_tensor(node.annotation, scope) and isinstance(
                    node.target, ast.Name
                ):
                    scope.mark_tensor(node.target.id)
            case ast.AugAssign():
                self._expr(node.value, scope)
                self._expr(node.target, scope)
                if isinstance(node.target, ast.Name) and self._is_tensor(node.value, scope):
                    scope.mark_tensor(node.target.id)
            case ast.FunctionDef() | ast.AsyncFunctionDef():
                self._function_def(node, scope)
            case ast.ClassDef():
                self._class_def(node, scope)
            case ast.For() | ast.AsyncFor():
                self._expr(node.iter, scope)
                self._assign_target(node.target, None, scope)
                self._bind_iteration(node.target, node.iter, scope)
                self._visit_body(node.body, scope)
                self._visit_body(node.orelse, scope)
            case ast.With() | ast.AsyncWith():
                for item in node.items:
                    self._expr(item.context_expr, scope)
                    if item.optional_vars is not None:
                        self._assign_target(item.optional_vars, None, scope)
                self._visit_body(node.body, scope)
            case ast.Delete():
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        scope.bind(target.id, None)
                    else:
                        self._expr(target, scope)
            case ast.Global() | ast.Nonlocal():
                pass
            case ast.Return():
                if node.value is not None:
                    self._expr(node.value, scope)
                    if scope.kind == "function" and self._is_tensor(node.value, scope):
                        scope.returns_tensor = True
            case _:
                self._generic(node, scope)

    def _generic(self, node: ast.AST, scope: Scope) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt):
                self._visit_stmt(child, scope)
            elif isinstance(child, ast.expr):
                self._expr(child, scope)
            elif isinstance(child, ast.ExceptHandler):
                if child.type is not None:
                    self._expr(child.type, scope)
                if child.name:
                    scope.bind(child.name, None)
                self._visit_body(child.body, scope)
            elif isinstance(child, ast.match_case):
                self._generic(child, scope)
            elif isinstance(child, ast.pattern):
                self._pattern(child, scope)

    def _pattern(self, node: ast.pattern, scope: Scope) -> None:
        for child in ast.walk(node):
            name = getattr(child, "name", None)
            if isinstance(child, ast.MatchAs | ast.MatchStar) and name:
                scope.bind(name, None)
            elif isinstance(child, ast.MatchValue | ast.MatchClass):
                self._expr(child.value if isinstance(child, ast.MatchValue) else child.cls, scope)

    def _import(self, node: ast.Import, scope: Scope) -> None:
        for alias in node.names:
            top = alias.name.split(".")[0]
            if top == "torch":
                if alias.asname:
                    scope.bind(alias.asname, alias.name)
                else:
                    scope.bind("torch", "torch")
            else:
                scope.bind(alias.asname or top, None)
                scope.set_kind(alias.asname or top, "import")
            if scope.kind == "module" and top == "mindspore" and alias.asname is None:
                self.mindspore_by_stmt[self._stmt] = True
        self._note_import_position(node, scope)

    def _import_from(self, node: ast.ImportFrom, scope: Scope) -> None:
        module = node.module or ""
        is_torch = node.level == 0 and (module == "torch" or module.startswith("torch."))
        for alias in node.names:
            if alias.name == "*":
                continue
            local = alias.asname or alias.name
            scope.bind(local, f"{module}.{alias.name}" if is_torch else None)
            if not is_torch:
                scope.set_kind(local, "import")  # a class, function or module: not a tensor
        self._note_import_position(node, scope)

    def _note_import_position(self, node: ast.stmt, scope: Scope) -> None:
        if scope.kind == "module":
            end = node.end_lineno + self.offset
            self.import_end_by_stmt[self._stmt] = max(self.import_end_by_stmt[self._stmt], end)

    def _assign_target(self, target: ast.expr, value: ast.expr | None, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            alias = self._resolve_chain(value, scope) if value is not None else None
            # judge the value before binding: `x = x.to(d)` reads the old x
            kind = self._value_kind(value, scope) if value is not None else None
            scope.bind(target.id, alias)
            if kind is not None:
                scope.set_kind(target.id, kind)
        elif isinstance(target, ast.Tuple | ast.List):
            if isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts):
                for sub_target, sub_value in zip(target.elts, value.elts, strict=True):
                    self._assign_target(sub_target, sub_value, scope)
                return
            # `values, indices = torch.max(x, 1)`, `q, k, v = qkv.unbind(0)`: tensor parts
            kind = self._value_kind(value, scope) if value is not None else None
            # a layer's output unpacked may be (tensor, dict): only torch ops' parts are known
            module_output = isinstance(value, ast.Call) and self._is_module_value(value.func, scope)
            tensor_parts = kind == "tensor_list" or (kind == "tensor" and not module_output)
            for elt in target.elts:
                inner = elt.value if isinstance(elt, ast.Starred) else elt
                self._assign_target(inner, None, scope)
                if tensor_parts and isinstance(inner, ast.Name):
                    scope.mark_tensor(inner.id)
        elif isinstance(target, ast.Attribute):
            self._expr(target.value, scope)
            self._self_attribute(target, value, scope)
        else:
            self._expr(target, scope)

    def _self_attribute(self, target: ast.Attribute, value: ast.expr | None, scope: Scope) -> None:
        if not (isinstance(target.value, ast.Name) and target.value.id == "self" and value):
            return
        facts = scope.enclosing_class_facts()
        if facts is None:
            return
        kind = self._value_kind(value, scope)
        if kind == "module" or self._is_module_container(value, scope):
            facts.modules.add(target.attr)
        elif kind == "tensor":
            facts.tensors.add(target.attr)

    def _function_def(self, node: _FunctionNode, scope: Scope) -> None:
        for deco in node.decorator_list:
            self._expr(deco, scope)
        args = node.args
        for default in (*args.defaults, *(d for d in args.kw_defaults if d is not None)):
            self._expr(default, scope)
        all_args = [*args.posonlyargs, *args.args, *args.kwonlyargs]
        for extra in (args.vararg, args.kwarg):
            if extra is not None:
                all_args.append(extra)
        for arg in all_args:
            if arg.annotation is not None:
                self._expr(arg.annotation, scope, "annotation")
        if node.returns is not None:
            self._expr(node.returns, scope, "annotation")
        scope.bind(node.name, None)
        if node.returns is not None and self._annotation_is_tensor(node.returns, scope):
            if scope.kind == "class" and scope.class_facts is not None:
                scope.class_facts.tensor_methods.add(node.name)
            else:
                scope.set_kind(node.name, "tensor_fn")

        inner = Scope("function", parent=scope)
        inner.local_names, inner.global_names = names_bound_in(
            node.body, args, self._has_walrus(node)
        )
        inner.is_forward = node.name in ("forward", "construct") and scope.kind == "class"
        positional = [*args.posonlyargs, *args.args]
        for index, arg in enumerate(all_args):
            inner.bind(arg.arg, None)
            is_self = scope.kind == "class" and index == 0 and arg in positional
            if arg.annotation is not None:
                kind = self._annotation_kind(arg.annotation, scope)
                if kind is not None:
                    inner.set_kind(arg.arg, kind)
            elif arg.annotation is None and (kind := kind_from_parameter_name(arg.arg)):
                inner.set_kind(arg.arg, kind)
            elif inner.is_forward and not is_self and arg is not args.kwarg and not arg.annotation:
                # forward's inputs are tensors in the overwhelming majority of model code
                inner.mark_tensor(arg.arg)
        self._deferred.append((node, inner, self._stmt, self._member))

    def _class_def(self, node: ast.ClassDef, scope: Scope) -> None:
        record = None
        if node is self._top and scope.ops is not None:
            record = self.classes[self._stmt] = ClassRecord(node.name)
            self._bucket = record.head_refs
        for deco in node.decorator_list:
            self._expr(deco, scope)
        for base in node.bases:
            if rule := class_base_rule(self._resolve_chain(base, scope)):
                whole_class = CallShape(self._span(node), 0, ())
                span = self._span(base)
                self._add(PATTERN_PREFIX + rule, span, "pattern", call=whole_class)
            else:
                self._expr(base, scope, "base-class")
        for kw in node.keywords:
            self._expr(kw.value, scope)
        if scope.kind in ("module", "class"):
            # methods of this file's classes: a call of one of them proves nothing about tensors
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    self._module_scope(scope).set_kind(METHOD_DEFINED + item.name, "defined")
        body_scope = Scope("class", parent=scope, class_facts=ClassFacts())
        if record is None:
            self._visit_body(node.body, body_scope)
        else:
            self._visit_members(node, body_scope, scope, record)
        if is_network_class(node, lambda base: self._is_module_class(base, scope)):
            if record is not None:
                record.network = True
                record.graph_ops_at = len(scope.ops or ())
                self._bucket = record.graph_refs
            self._graph_mode(node, scope)
        scope.bind(node.name, None)
        if any(self._is_module_class(base, scope) for base in node.bases):
            scope.set_kind(node.name, "module_class")

    def _visit_members(
        self, node: ast.ClassDef, body_scope: Scope, module: Scope, record: ClassRecord
    ) -> None:
        """The class body of a top-level class, keeping what each member does."""
        facts = body_scope.class_facts
        assert facts is not None and module.ops is not None
        record.facts = facts
        count = len(node.body)
        record.visit_refs = [[] for _ in range(count)]
        record.body_refs = [[] for _ in range(count)]
        record.class_ops = [[] for _ in range(count)]
        record.header_facts = [None] * count
        record.body_facts = [None] * count
        record.member_spans = self.statement_lines(node)
        first = node.body[0]
        first_line = record.member_spans[0][0] - self.offset
        text = self.lines[first_line] if first_line < len(self.lines) else ""
        indent = text[: len(text) - len(text.lstrip())]
        col = min(n.col_offset for n in (first, *getattr(first, "decorator_list", ())))
        spans = record.member_spans
        apart = all(spans[i][1] < spans[i + 1][0] for i in range(len(spans) - 1))
        if indent and len(indent) == col and apart:
            record.indent = indent  # each member starts a line of its own
        for index, member in enumerate(node.body):
            is_def = isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef)
            record.member_defs.append(_def_key(member) if is_def else None)
            record.module_ops_at.append(len(module.ops))
            self._member = index
            self._bucket = record.visit_refs[index]
            body_scope.ops = record.class_ops[index]
            before = snapshot(facts) if is_def else None
            self._visit_stmt(member, body_scope)
            if before is not None:
                record.header_facts[index] = (before, snapshot(facts))
        body_scope.ops = None
        self._member = None
        self._bucket = record.head_refs  # nothing else is found in the class's own statement

    def _graph_mode(self, node: ast.ClassDef, scope: Scope) -> None:
        """Findings for Python that graph mode rejects (reported only when mode = graph)."""
        for issue in graph_mode_issues(node, lambda e: self._makes_torch_module(e, scope)):
            span = self._span(issue.node)
            if issue.keyword_width is not None:
                span = Span(span.line, span.col, span.line, span.col + issue.keyword_width)
            whole = CallShape(self._span(issue.node), 0, ())
            self._add(PATTERN_PREFIX + issue.rule, span, "pattern", call=whole)

    # ---- expressions ----

    def _resolve_chain(self, node: ast.expr | None, scope: Scope) -> str | None:
        """`nn.functional.relu` -> "torch.nn.functional.relu" when the base name is torch's."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        base = scope.lookup(node.id)
        if base is None:
            return None
        return ".".join([base, *reversed(parts)])

    def _expr(self, node: ast.expr, scope: Scope, context: Context = "reference") -> None:
        match node:
            case ast.Name() | ast.Attribute():
                qualified = self._resolve_chain(node, scope)
                if qualified is not None:
                    self._add(qualified, self._span(node), context)
                elif isinstance(node, ast.Attribute):
                    if node.attr in TENSOR_ATTRIBUTES and self._is_tensor(node.value, scope):
                        # x.grad, x.shape, x.device read on a tensor: the hover says what to
                        # write in MindSpore (mapping_db.tensor_methods.TENSOR_ATTRIBUTES); no
                        # call, so tensor_receiver (about calls) stays False
                        self._add(
                            f"torch.Tensor.{node.attr}",
                            self._attr_span(node),
                            "tensor-method",
                            confidence="likely",
                        )
                    self._expr(node.value, scope)
            case ast.Call():
                self._call(node, scope)
            case ast.Lambda():
                inner = Scope("function", parent=scope)
                inner.local_names, _ = names_bound_in([], node.args, has_walrus=False)
                for name in inner.local_names:
                    inner.bind(name, None)
                self._expr(node.body, inner)
            case ast.ListComp() | ast.SetComp() | ast.GeneratorExp() | ast.DictComp():
                self._comprehension(node, scope)
            case ast.NamedExpr():
                self._expr(node.value, scope)
                self._assign_target(node.target, node.value, scope)
            case ast.Constant():
                pass
            case _:
                for child in ast.iter_child_nodes(node):
                    if isinstance(child, ast.expr):
                        self._expr(
                            child, scope, context if context == "annotation" else "reference"
                        )

    def _name_says_tensor(self, func: ast.Attribute, scope: Scope) -> bool:
        """Only tensors have this method, and the receiver is not something we know better:
        `self`, an imported module (np.bincount), or a class of this file defining it."""
        if func.attr not in TENSOR_ONLY_METHODS:
            return False
        if self._is_size(func.value, scope):
            return False
        if scope.kind_of(METHOD_DEFINED + func.attr) == "defined":
            return False
        receiver = func.value
        while isinstance(receiver, ast.Attribute):
            receiver = receiver.value
        if isinstance(receiver, ast.Name):
            return receiver.id not in ("self", "cls") and scope.kind_of(receiver.id) != "import"
        return True

    def _undecided_receiver(self, func: ast.Attribute, scope: Scope) -> bool:
        if func.attr not in TENSOR_METHODS or self._is_size(func.value, scope):
            return False
        receiver = func.value
        while isinstance(receiver, ast.Attribute | ast.Subscript | ast.Call):
            receiver = receiver.func if isinstance(receiver, ast.Call) else receiver.value
        if isinstance(receiver, ast.Name):
            if receiver.id in ("self", "cls") and func.value is receiver:
                return False
            kind = scope.kind_of(receiver.id)
            return kind not in ("import", "module", "module_class") or func.value is not receiver
        return isinstance(receiver, ast.Constant) is False

    def _registered_tensor(self, node: ast.Call, func: ast.Attribute, scope: Scope) -> None:
        """`self.register_buffer("mean", t)`: later `self.mean` is a tensor."""
        first = node.args[0] if node.args else None
        if not (isinstance(func.value, ast.Name) and func.value.id == "self"):
            return
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            facts = scope.enclosing_class_facts()
            if facts is not None:
                facts.tensors.add(first.value)

    @staticmethod
    def _module_scope(scope: Scope) -> Scope:
        while scope.parent is not None:
            scope = scope.parent
        return scope

    def _comprehension(self, node: ast.expr, scope: Scope) -> None:
        inner = Scope("comprehension", parent=scope)
        for gen in node.generators:  # type: ignore[attr-defined]
            # the first iterable is evaluated in the enclosing scope; later ones inside
            self._expr(gen.iter, inner if gen is not node.generators[0] else scope)  # type: ignore[attr-defined]
            for name_node in ast.walk(gen.target):
                if isinstance(name_node, ast.Name):
                    inner.local_names.add(name_node.id)
                    inner.bind(name_node.id, None)
            self._bind_iteration(gen.target, gen.iter, inner)
            for cond in gen.ifs:
                self._expr(cond, inner)
        if isinstance(node, ast.DictComp):
            self._expr(node.key, inner)
            self._expr(node.value, inner)
        else:
            self._expr(node.elt, inner)  # type: ignore[attr-defined]

    def _call(self, node: ast.Call, scope: Scope) -> None:
        func = node.func
        shape = CallShape(
            span=self._span(node),
            n_positional=sum(1 for a in node.args if not isinstance(a, ast.Starred)),
            keywords=tuple(k.arg for k in node.keywords if k.arg is not None),
            has_star_args=any(isinstance(a, ast.Starred) for a in node.args)
            or any(k.arg is None for k in node.keywords),
        )
        if isinstance(func, ast.Attribute) and func.attr in _REGISTERS_TENSOR:
            self._registered_tensor(node, func, scope)
        qualified = self._resolve_chain(func, scope)
        match = None
        if qualified is None and isinstance(func, ast.Attribute):
            match = method_call_rule(node, func)
        if qualified is not None:
            self._add(qualified, self._span(func), "call", call=shape)
        elif match is not None:
            self._expr(func.value, scope)
            rule, on_tensor = match
            on_tensor = on_tensor or self._is_tensor(func.value, scope)
            span = self._attr_span(func)
            self._add(PATTERN_PREFIX + rule, span, "pattern", call=shape, tensor_receiver=on_tensor)
        elif isinstance(func, ast.Attribute) and self._is_tensor(func.value, scope):
            self._expr(func.value, scope)
            self._add(
                f"torch.Tensor.{func.attr}",
                self._attr_span(func),
                "tensor-method",
                confidence="likely",
                call=shape,
                tensor_receiver=True,
            )
        elif isinstance(func, ast.Attribute) and self._name_says_tensor(func, scope):
            # Only the method name says "tensor" (nothing else in Python has `unsqueeze`):
            # a possible finding, a hint at most; the receiver counts as a tensor from now on.
            self._expr(func.value, scope)
            self._add(
                f"torch.Tensor.{func.attr}",
                self._attr_span(func),
                "tensor-method",
                confidence="possible",
                call=shape,
                tensor_receiver=True,
            )
            if isinstance(func.value, ast.Name) and scope.kind_of(func.value.id) is None:
                if func.value.id in scope.bindings or scope.kind != "module":
                    scope.mark_tensor(func.value.id)
        elif isinstance(func, ast.Attribute) and self._undecided_receiver(func, scope):
            # A tensor method name on a receiver local evidence cannot judge: recorded for the
            # jedi fallback, which confirms or drops it in the background.
            self._expr(func.value, scope)
            span = self._attr_span(func)
            qualified = f"torch.Tensor.{func.attr}"
            self._add(qualified, span, "tensor-method", confidence="unresolved", call=shape)
        else:
            self._expr(func, scope)
        for arg in node.args:
            self._expr(arg, scope)
        for kw in node.keywords:
            self._expr(kw.value, scope)
