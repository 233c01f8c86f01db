"""The one libcst pass of a file conversion: every node is visited once, bottom-up, and each
concern (calls, structure, attributes, init, data, checkpoints, device, training step) rewrites
what it knows. Positions come from the original tree, so they match the analysis's spans."""

from __future__ import annotations

import logging

import libcst as cst
from libcst.metadata import PositionProvider

from server.analysis.findings import TorchReference
from server.convert.file import (
    accumulation,
    amp,
    attributes,
    calls,
    checkpoints,
    cleanup,
    data,
    device,
    distributed,
    einsum,
    evidence,
    init_weights,
    inplace,
    kernels,
    legacy,
    patterns,
    settings,
    structure,
    training,
)
from server.convert.file.context import MARKER_PREFIX, ConversionContext, Position, category_of
from server.convert.file.markers import with_marker

log = logging.getLogger(__name__)

_Compound = (
    cst.If,
    cst.For,
    cst.While,
    cst.With,
    cst.FunctionDef,
    cst.ClassDef,
    cst.Try,
)


def code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


class Unconvertible(Exception):
    """A site stays as it was; the message is the marker's reason."""


class FileTransformer(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, ctx: ConversionContext, fixes_only: bool = False) -> None:
        super().__init__()
        self.ctx = ctx
        # "fix all": every quick fix at once (calls and names through the engine), nothing
        # structural, no markers
        self.fixes_only = fixes_only
        self._reasons: list[list[str]] = []  # per open statement: markers to attach
        self.class_stack: list[str] = []
        self.function_stack: list[str] = []
        self.narrowed: list[dict[str, set[str]]] = []  # isinstance() narrowing, innermost last
        self.stmt_lines: dict[int, int] = {}  # id(rewritten statement) -> its line in the source
        self._ints: list[set[str]] = []  # names known to hold an int, per open function
        self._type_checks = 0  # inside isinstance()/issubclass(): classes stay classes
        self._settings: set[Position] = set()  # names a settings statement converts
        self.statement_calls: set[Position] = set()  # calls that are a whole statement
        # statements a dropped `with torch.no_grad():` held (ids of the rewritten nodes)
        self.no_grad_statements: set[int] = set()
        # chains of in-place methods as statements (`x.mul_(a).add_(b)`), split by inplace.py
        self.chain_calls: set[Position] = set()
        self.chain_statements: set[int] = set()
        # blocks an outer block's gradient-accumulation step converts, and those steps' calls
        self.deferred: set[int] = set()
        self.accumulation_steps: set[Position] = set()
        self.scaler_steps: dict[str, set[Position]] = {}  # `scaler.step(...)` calls by scaler
        self.scaler_misuse: set[str] = set()  # scalers used other than through their methods

    @property
    def in_type_check(self) -> bool:
        return self._type_checks > 0

    def visit_Call(self, node: cst.Call) -> bool:
        if isinstance(node.func, cst.Name) and node.func.value in ("isinstance", "issubclass"):
            self._type_checks += 1
        return True

    # a tuple of classes is for isinstance() (`whitelist = (nn.Linear,)`): classes stay classes
    def visit_Tuple(self, node: cst.Tuple) -> bool:
        self._type_checks += 1
        return True

    def leave_Tuple(self, original: cst.Tuple, updated: cst.Tuple) -> cst.BaseExpression:
        self._type_checks -= 1
        return updated

    def int_names(self) -> set[str]:
        return set().union(self.ctx.int_expressions, *self._ints)

    def visit_Module(self, node: cst.Module) -> bool:
        self._ints.append(evidence.module_int_constants(node))
        if not self.fixes_only:
            self._find_accumulation_steps(node)
        return True

    def _find_accumulation_steps(self, module: cst.Module) -> None:
        conv = self
        steps: list[cst.Call] = []
        scalers = amp.scaler_names(self)

        names: dict[str, int] = {}  # uses of each scaler's name
        fine: dict[str, int] = {}  # ... as an assignment target or `scaler.<its method>`

        class Blocks(cst.CSTVisitor):
            def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
                conv.deferred |= accumulation.deferred_bodies(conv, node.body, steps)

            def visit_Name(self, node: cst.Name) -> None:
                if node.value in scalers:
                    names[node.value] = names.get(node.value, 0) + 1

            def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
                if isinstance(node.target, cst.Name) and node.target.value in scalers:
                    fine[node.target.value] = fine.get(node.target.value, 0) + 1

            def visit_Attribute(self, node: cst.Attribute) -> None:
                value = node.value
                if isinstance(value, cst.Name) and value.value in scalers:
                    if node.attr.value in amp.SCALER_METHODS:
                        fine[value.value] = fine.get(value.value, 0) + 1

            def visit_Call(self, node: cst.Call) -> None:
                func = node.func
                if not (isinstance(func, cst.Attribute) and func.attr.value == "step"):
                    return
                if isinstance(func.value, cst.Name) and func.value.value in scalers:
                    conv.scaler_steps.setdefault(func.value.value, set()).add(conv.end(node))

        self.deferred |= accumulation.deferred_bodies(self, module.body, steps)
        module.visit(Blocks())
        self.accumulation_steps = {self.end(call) for call in steps}
        self.scaler_misuse = {name for name in scalers if names.get(name) != fine.get(name)}

    # ---- positions and markers ----

    def end(self, node: cst.CSTNode) -> Position:
        pos = self.get_metadata(PositionProvider, node).end
        return (pos.line, pos.column)

    def line(self, node: cst.CSTNode) -> int:
        return self.get_metadata(PositionProvider, node).start.line

    def call_refs(self, node: cst.Call) -> list[TorchReference]:
        return self.ctx.calls.get(self.end(node), [])

    def name_ref(self, node: cst.CSTNode) -> TorchReference | None:
        """The reference whose span is exactly this node (`nn.Module`, not its `Module`)."""
        ref = self.ctx.names.get(self.end(node))
        if ref is None:
            return None
        start = self.get_metadata(PositionProvider, node).start
        return ref if (start.line, start.column) == (ref.span.line + 1, ref.span.col) else None

    def mark(self, node: cst.CSTNode, reason: str, category: str) -> None:
        self.ctx.mark(self.line(node), reason, category)
        if self._reasons and not self.fixes_only:
            self._reasons[-1].append(reason)

    def _open(self) -> None:
        self._reasons.append([])

    def _close(self, node: cst.CSTNode) -> cst.CSTNode:
        reasons = self._reasons.pop()
        return with_marker(node, reasons) if reasons else node

    # ---- statements: where markers go ----

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        self._open()
        if len(node.body) == 1 and isinstance(node.body[0], cst.Expr):
            if isinstance(node.body[0].value, cst.Call):
                self.statement_calls.add(self.end(node.body[0].value))
        if not self.fixes_only:
            inplace.record_chain(self, node)
        if not self.fixes_only and settings.setting_target(self, node) is not None:
            self._settings.add(self.end(settings.resolved_part(self, node)))
        return True

    def _mark_patterns(self, original: cst.CSTNode) -> None:
        pos = self.get_metadata(PositionProvider, original)
        for ref in self.ctx.leftover_patterns(pos.start.line, pos.end.line):
            assessment = self.ctx.assess(ref)
            title = assessment.message.split(":", 1)[0] if assessment else ref.qualified_name
            self.mark(original, f"{title}: needs another design in MindSpore", "compliance")

    def leave_SimpleStatementLine(self, original, updated):
        replaced = None
        if not self.fixes_only:
            updated = patterns.fix_statement(self, original, updated) or updated
            replaced = settings.convert_statement(self, original, updated)
            replaced = replaced or inplace.split_chain(self, original, updated)
        self._mark_patterns(original)
        if replaced is None and not self.fixes_only:
            replaced = statement_handlers(self, original, updated)
        if replaced is not None:
            self._reasons.pop()
            result = replaced
        else:
            result = self._close(updated)
        if not self.fixes_only:
            result = distributed.with_notes(self, original, result)
        if isinstance(result, cst.CSTNode):
            self.stmt_lines[id(result)] = self.line(original)
        return result

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, _Compound):
            self._open()
        if isinstance(node, cst.ClassDef):
            self.class_stack.append(node.name.value)
        if isinstance(node, cst.FunctionDef):
            self.function_stack.append(node.name.value)
            self._ints.append(evidence.int_parameters(node))
            self.narrowed.append(attributes.annotated_layers(self, node))
        if isinstance(node, cst.If):
            self.narrowed.append(attributes.narrowing(self, node.test))
        return super().on_visit(node)

    def on_leave(self, original_node, updated_node):
        result = super().on_leave(original_node, updated_node)
        if isinstance(original_node, cst.If):
            self.narrowed.pop()
        if isinstance(original_node, cst.ClassDef):
            self.class_stack.pop()
        if isinstance(original_node, cst.FunctionDef):
            self.function_stack.pop()
            self._ints.pop()
            self.narrowed.pop()
        if isinstance(original_node, _Compound):
            self._mark_patterns(original_node)
            reasons = self._reasons.pop()
            if reasons and isinstance(result, cst.CSTNode):
                result = with_marker(result, reasons)
            elif reasons and isinstance(result, cst.FlattenSentinel) and result.nodes:
                first, *rest = result.nodes
                result = cst.FlattenSentinel([with_marker(first, reasons), *rest])
        return result

    # ---- blocks: the training step ----

    def leave_IndentedBlock(self, original, updated):
        if self.fixes_only or id(original) in self.deferred:
            return updated
        body = training.convert_block(self, list(updated.body))
        return updated.with_changes(body=body)

    def leave_Module(self, original, updated):
        if self.fixes_only:
            return updated
        return updated.with_changes(body=training.convert_block(self, list(updated.body)))

    # ---- with / decorators ----

    def leave_With(self, original, updated):
        if self.fixes_only:
            return updated
        return device.convert_with(self, original, updated)

    def leave_FunctionDef(self, original, updated):
        if self.fixes_only:
            return updated
        updated = device.drop_grad_decorators(self, original, updated)
        updated = structure.convert_function(self, original, updated)
        return cleanup.drop_dead_stores(original, updated)

    # ---- expressions ----

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if isinstance(original.func, cst.Name) and original.func.value in (
            "isinstance",
            "issubclass",
        ):
            self._type_checks -= 1
        refs = self.call_refs(original)
        for handler in _FIX_HANDLERS if self.fixes_only else _CALL_HANDLERS:
            try:
                result = handler(self, original, updated, refs)
            except Unconvertible as exc:
                category = category_of(refs[0].qualified_name) if refs else "structure"
                self.mark(original, str(exc), category)
                return updated
            except Exception as exc:  # a bug here must cost one call, never the file
                log.exception("rewriting a call failed")
                category = category_of(refs[0].qualified_name) if refs else "structure"
                self.mark(original, f"mindport could not rewrite this call ({exc})", category)
                return updated
            if result is not None:
                return result
        return updated

    def leave_Attribute(self, original, updated):
        ref = self.name_ref(original)
        if ref is not None and self.end(original) in self._settings:
            return updated
        if ref is not None:
            special = None if self.fixes_only else distributed.convert_name(self, original, ref)
            return special or calls.convert_name(self, original, updated, ref)
        if self.fixes_only:
            return updated
        whole = kernels.tensor_attribute(self, original, updated)  # `x.is_cuda`
        if whole is not None:
            return whole
        return attributes.rename_attribute(self, original, updated)

    def leave_Name(self, original, updated):
        ref = self.name_ref(original)
        if ref is not None and self.end(original) in self._settings:
            return updated
        if ref is not None:
            return calls.convert_name(self, original, updated, ref)
        return updated


_CALL_HANDLERS = (
    inplace.deferred_link,
    training.defer_call,
    training.scheduler_call,
    init_weights.convert_data_init,
    patterns.fix_call,
    distributed.convert_call,
    device.convert_call,
    settings.convert_call,
    amp.convert_call,
    legacy.convert_call,
    checkpoints.convert_call,
    data.convert_call,
    init_weights.convert_call,
    kernels.convert_call,
    inplace.convert_call,
    kernels.attention_call,
    kernels.layer_norm_call,
    kernels.instance_norm_call,
    kernels.unfold_call,
    einsum.convert_call,
    structure.convert_call,
    calls.convert_call,
)


_FIX_HANDLERS = (calls.convert_call,)


def statement_handlers(conv: FileTransformer, original, updated):
    """Statement-level rewrites (`x.add_(y)` -> `x = x.add(y)`); None when none applies."""
    result = device.convert_statement(conv, original, updated)
    if result is None and _self_assignment(updated) and not _self_assignment(original):
        return cst.RemovalSentinel.REMOVE  # `x, y = x.to(d), y.to(d)` became `x, y = x, y`
    return result


def _self_assignment(statement: cst.SimpleStatementLine) -> bool:
    if len(statement.body) != 1 or not isinstance(statement.body[0], cst.Assign):
        return False
    assign = statement.body[0]
    return len(assign.targets) == 1 and code(assign.targets[0].target) == code(assign.value)


__all__ = ["MARKER_PREFIX", "FileTransformer", "Unconvertible", "code"]
