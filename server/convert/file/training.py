"""The training step: `optimizer.zero_grad(); <forward and loss>; loss.backward();
optimizer.step()` -> a forward function, `mindspore.value_and_grad` over the optimizer's
parameters, and `optimizer(grads)`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from server.analysis.findings import TorchReference
from server.convert.file.text import expr

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer

FORWARD_FN = "forward_fn"
_DEFERRED = ("backward", "zero_grad")
_CLIP = "clip_grad_norm_"


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def defer_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    """`loss.backward()`, `optimizer.zero_grad()`, `clip_grad_norm_`: the block decides."""
    if isinstance(updated.func, cst.Attribute) and updated.func.attr.value in (*_DEFERRED, _CLIP):
        return updated
    return None


def scheduler_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    """`scheduler.get_last_lr()`: MindSpore's schedulers return tensors, torch's floats."""
    if not (
        isinstance(updated.func, cst.Attribute)
        and updated.func.attr.value == "get_last_lr"
        and isinstance(updated.func.value, cst.Name)
        and not updated.args
    ):
        return None
    kind = conv.ctx.assigned_from.get(updated.func.value.value, "")
    if not kind.startswith("torch.optim.lr_scheduler."):
        return None
    conv.ctx.extra_site(conv.end(original), "scheduler")
    return expr(f"[lr.item() for lr in {_code(updated)}]")


def _call_statement(stmt: cst.CSTNode) -> tuple[str, str] | None:
    """`a.b.method(...)` as a whole statement -> ("a.b", "method")."""
    if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
        return None
    expr = stmt.body[0]
    if not isinstance(expr, cst.Expr) or not isinstance(expr.value, cst.Call):
        return None
    func = expr.value.func
    if not isinstance(func, cst.Attribute):
        return None
    return _code(func.value), func.attr.value


def _assigned_names(stmt: cst.CSTNode) -> list[str]:
    names: list[str] = []

    class Collect(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            _names_of(node.target, names)

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            _names_of(node.target, names)

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            _names_of(node.target, names)

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

    stmt.visit(Collect())
    return names


def _names_of(target: cst.BaseExpression, out: list[str]) -> None:
    if isinstance(target, cst.Name):
        if target.value not in out:
            out.append(target.value)
    elif isinstance(target, cst.Tuple | cst.List):
        for element in target.elements:
            _names_of(element.value, out)


def _is_optimizer(conv: FileTransformer, receiver: str) -> bool:
    """Assigned a torch.optim optimizer in this file, or named like one (`optimizer`, a
    parameter of a `train(model, optimizer, ...)` function)."""
    kind = conv.ctx.assigned_from.get(receiver, "")
    if kind.startswith("torch.optim.lr_scheduler."):
        return False
    if kind.startswith("torch.optim."):
        return True
    last = receiver.rsplit(".", 1)[-1].lower()
    return "optim" in last or last in ("opt", "solver")


def convert_block(conv: FileTransformer, body: list[cst.CSTNode]) -> list[cst.CSTNode]:
    calls = [_call_statement(s) for s in body]
    backward = next((i for i, c in enumerate(calls) if c and c[1] == "backward"), None)
    if backward is None:
        return _mark_leftovers(conv, body, calls)
    loss = calls[backward][0]
    zeroed = {c[0] for c in calls if c and c[1] == "zero_grad"}
    step = next(
        (
            i
            for i in range(backward + 1, len(body))
            if calls[i]
            and calls[i][1] == "step"
            and (calls[i][0] in zeroed or _is_optimizer(conv, calls[i][0]))
        ),
        None,
    )
    reason = _refuse(body, calls, backward, step, loss)
    if reason is not None:
        return _mark_leftovers(conv, body, calls, reason)
    assert step is not None
    optimizer = calls[step][0]
    zero = [i for i, c in enumerate(calls) if c and c[1] == "zero_grad" and i < step]
    start = max([i for i in zero if i < backward], default=-1) + 1
    forward = body[start:backward]
    # returned: what the forward statements assign at their own level, and what their inner
    # blocks assign that the statements after the step read (a loop's variable may be unbound)
    later = set().union(*(_loads(s) for s in body[step + 1 :])) if step + 1 < len(body) else set()
    outputs = list(
        dict.fromkeys(
            n
            for s in forward
            for n in _assigned_names(s)
            if isinstance(s, cst.SimpleStatementLine) or n in later
        )
    )
    aux = [n for n in outputs if n != loss]
    inputs = _read_before_assigned(forward)
    returned = ", ".join([loss, *aux])
    leading = forward[0].leading_lines if forward else body[backward].leading_lines
    forward = [forward[0].with_changes(leading_lines=[]), *forward[1:]] if forward else []
    fn = cst.FunctionDef(
        name=cst.Name(FORWARD_FN),
        params=cst.Parameters(params=[cst.Param(cst.Name(n)) for n in inputs]),
        body=cst.IndentedBlock(body=[*forward, cst.parse_statement(f"return {returned}")]),
        leading_lines=leading,
    )
    has_aux = ", has_aux=True" if aux else ""
    values = f"({returned})" if aux else loss
    grad_line = cst.parse_statement(
        f"{values}, grads = mindspore.value_and_grad({FORWARD_FN}, None,"
        f" {optimizer}.parameters{has_aux})({', '.join(inputs)})"
    )
    middle: list[cst.CSTNode] = []
    for stmt, call in zip(body[backward + 1 : step], calls[backward + 1 : step], strict=True):
        middle.append(_clip(stmt) if call and call[1] == _CLIP else stmt)
    apply = cst.parse_statement(f"{optimizer}(grads)").with_changes(
        trailing_whitespace=body[step].trailing_whitespace
    )
    after = [
        s
        for i, s in enumerate(body[step + 1 :], step + 1)
        if not (calls[i] and calls[i][1] == "zero_grad")
    ]
    before = [s for i, s in enumerate(body[:start]) if i not in zero]
    conv.ctx.count_found("training-step")
    result = [*before, fn, grad_line, *middle, apply, *after]
    return (
        convert_block(conv, result)
        if any(c and c[1] == "backward" for c in map(_call_statement, after))
        else result
    )


def _read_before_assigned(statements: list[cst.CSTNode]) -> list[str]:
    """Names the forward statements read before assigning them (`total = total + loss`),
    in the order the code runs: inside the forward function they would be unbound locals, so
    they are passed in as arguments."""
    stores = {n for s in statements for n in _assigned_names(s)}
    assigned: set[str] = set()
    found: list[str] = []

    def read(node: cst.CSTNode | None) -> None:
        if node is None:
            return
        for name in sorted(_loads(node)):
            if name in stores and name not in assigned and name not in found:
                found.append(name)

    def scan(body) -> None:
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                read(stmt)
                assigned.update(_assigned_names(stmt))
            elif isinstance(stmt, cst.For):
                read(stmt.iter)
                names: list[str] = []
                _names_of(stmt.target, names)
                assigned.update(names)
                scan(stmt.body.body)
                if stmt.orelse is not None:
                    scan(stmt.orelse.body.body)
            elif isinstance(stmt, cst.If | cst.While):
                read(stmt.test)
                scan(stmt.body.body)
                orelse = stmt.orelse
                if isinstance(orelse, cst.If):
                    scan([orelse])
                elif orelse is not None:
                    scan(orelse.body.body)
            elif isinstance(stmt, cst.With):
                for item in stmt.items:
                    read(item.item)
                scan(stmt.body.body)
            else:  # def, class, try...: read as a whole
                read(stmt)
                assigned.update(_assigned_names(stmt))

    scan(statements)
    return found


def _loads(stmt: cst.CSTNode) -> set[str]:
    names: set[str] = set()

    class Loads(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> bool:
            return not isinstance(node.target, cst.Name | cst.Tuple | cst.List)

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)
            return False

        def visit_Arg(self, node: cst.Arg) -> bool:
            node.value.visit(self)
            return False

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            if isinstance(node.target, cst.Name):
                names.add(node.target.value)  # `x += 1` reads x

        def visit_Name(self, node: cst.Name) -> None:
            names.add(node.value)

    stmt.visit(Loads())
    return names


def _clip(stmt: cst.SimpleStatementLine) -> cst.CSTNode:
    call = stmt.body[0].value
    args = [a for a in call.args if a.keyword is None]
    max_norm = next((a for a in call.args if a.keyword and a.keyword.value == "max_norm"), None)
    value = _code(args[1].value) if len(args) > 1 else _code(max_norm.value) if max_norm else None
    if value is None:
        return stmt
    return cst.parse_statement(f"grads = mindspore.ops.clip_by_global_norm(grads, {value})")


def _refuse(body, calls, backward: int, step: int | None, loss: str) -> str | None:
    if step is None:
        return "loss.backward() without an optimizer step in the same block: port the step by hand"
    if not loss.isidentifier():
        return "backward() on an expression: assign the loss to a name first"
    if any(c and c[1] == "backward" for c in calls[backward + 1 : step]):
        return "several backward() before one step() accumulate gradients: port by hand"
    for stmt in body[backward + 1 : step]:
        if ".grad" in _code(stmt) and _CLIP not in _code(stmt):
            return "gradients are read between backward() and step(): port by hand"
    start = 0
    forward = body[start:backward]
    if not any(loss in _assigned_names(s) for s in forward):
        return f"`{loss}` is not computed in the same block as backward()"
    return None


def _mark_leftovers(conv, body, calls, reason: str | None = None):
    out = []
    for stmt, call in zip(body, calls, strict=True):
        if call and call[1] in (*_DEFERRED, _CLIP):
            why = reason or f"{call[1]}() outside a training step this tool recognises"
            line = conv.stmt_lines.get(id(stmt), 0)
            counted = conv.ctx.counted_method(line, call[1])
            category = counted or "training-step"
            if counted is None:  # not a site the analysis counted already
                conv.ctx.count_found(category)
            conv.ctx.mark(line, why, category)
            from server.convert.file.markers import with_marker

            stmt = with_marker(stmt, [why])
        out.append(stmt)
    return out
