"""The training step: `optimizer.zero_grad(); <forward and loss>; loss.backward();
optimizer.step()` -> a forward function, `mindspore.value_and_grad` over the optimizer's
parameters, and `optimizer(grads)`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import libcst as cst

from server.analysis.findings import TorchReference
from server.convert.file import amp
from server.convert.file import training_shapes as shapes
from server.convert.file.text import expr, statement_method

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer

FORWARD_FN = "forward_fn"
SCALED = "scaled_loss"
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


_call_statement = shapes.method_call  # `a.b.method(...)` as a statement -> ("a.b", "method")


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
    from server.convert.file import accumulation

    body = accumulation.convert(conv, body) or body
    calls = [_call_statement(s) for s in body]
    backward = next((i for i, c in enumerate(calls) if c and c[1] == "backward"), None)
    if backward is None:
        return _mark_leftovers(conv, body, calls)
    last_backward = max(i for i, c in enumerate(calls) if c and c[1] == "backward")
    for i, stmt in enumerate(body[:last_backward]):  # `if a: opt.zero_grad() else: ...`
        if shapes.zero_grad_branches(stmt) is not None:
            receivers = {_call_statement(s)[0] for s in shapes.zero_grad_branches(stmt)}
            calls[i] = (" | ".join(sorted(receivers)), "zero_grad")
    loss = calls[backward][0]
    scaler = None  # `scaler.scale(loss).backward()`: a GradScaler (server.convert.file.amp)
    scaled = re.fullmatch(r"(\w+)\.scale\((\w+)\)", loss)
    if scaled and scaled.group(1) in amp.scaler_names(conv):
        scaler, loss = scaled.groups()
    zeroed = {c[0] for c in calls if c and c[1] == "zero_grad"}
    step = next(
        (
            i
            for i in range(backward + 1, len(body))
            if calls[i]
            and calls[i][1] == "step"
            and (
                calls[i][0] in zeroed
                or _is_optimizer(conv, calls[i][0])
                or (scaler is not None and calls[i][0] == scaler)
            )
        ),
        None,
    )
    manual = None
    if step is None:  # `for p in model.parameters(): p.data.add_(p.grad, alpha=-lr)`
        manual = shapes.manual_step(conv, body, backward)
        if isinstance(manual, str):
            return _mark_leftovers(conv, body, calls, manual)
        if manual is not None:
            step = manual.index
    if step is not None and scaler is None and not _NAMED_LOSS.fullmatch(loss):
        named = _name_the_loss(conv, body, backward)
        if named is not None:  # `f(out, y).backward()`: `loss = f(out, y)`, then as usual
            return convert_block(conv, named)
    backs = [i for i in range(backward, step or 0) if calls[i] and calls[i][1] == "backward"]
    if manual is None and len(backs) > 1 and step is not None:
        if scaler is not None:
            reason = "several backward() through a GradScaler before one step(): port by hand"
            return _mark_leftovers(conv, body, calls, reason)
        for index in backs:  # `f(out, y).backward()`: named first
            if not _NAMED_LOSS.fullmatch(calls[index][0]):
                named = _name_the_loss(conv, body, index)
                if named is not None:
                    return convert_block(conv, named)
        combined = shapes.combine_backwards(conv, body, backs)
        if isinstance(combined, str):
            return _mark_leftovers(conv, body, calls, combined)
        return convert_block(conv, combined)
    if manual is not None:
        reason = _manual_refusal(body, calls, backward, manual, scaler)
        if reason is not None:
            return _mark_leftovers(conv, body, calls, reason)
    reason = _refuse(body, calls, backward, step, loss)
    if reason is None and step is not None and scaler is not None:
        reason = _scaler_step_refusal(body[step], calls[step][0], scaler)
    if reason is not None:
        return _mark_leftovers(conv, body, calls, reason)
    assert step is not None
    if manual is not None:
        optimizer = manual.optimizer or manual.module
        weights = manual.weights
    else:
        optimizer = calls[step][0]
        if scaler is not None:  # scaler.step(optimizer)
            optimizer = _code(body[step].body[0].value.args[0].value)
        weights = f"{optimizer}.parameters"
    zero = [i for i, c in enumerate(calls) if c and c[1] == "zero_grad" and i < step]
    start = max([i for i in zero if i < backward], default=-1) + 1
    forward = body[start:backward]
    if not any(assigns(s, loss) for s in forward):
        # computed before zero_grad() (`loss = f(model(x)); opt.zero_grad(); loss.backward()`,
        # the same in torch): the forward starts where the loss is computed, without zero_grad
        start = max(i for i in range(start) if assigns(body[i], loss))
        forward = [s for i, s in enumerate(body[start:backward], start) if i not in zero]
    # A network output the forward reads, computed before zero_grad() (`out = model(x);
    # opt.zero_grad(); loss = crit(out, y)`): torch differentiates through it, so the forward
    # function starts where it is computed (zero_grad() in between changes nothing in torch).
    while (outside := computed_outside(conv, body[:start], forward)) is not None:
        origin = max(i for i in range(start) if assigns(body[i], outside))
        if any(_steps(s) for i, s in enumerate(body[origin:start], origin) if i not in zero):
            reason = (
                f"`{outside}` is computed by a network before another training step: the"
                " forward function cannot hold it; port the step by hand"
            )
            if "value_and_grad(" in _code(body[origin]):
                reason = (
                    f"`{outside}` is computed by a network in an earlier training step's forward"
                    " function; torch differentiates this step through that network too,"
                    f" value_and_grad only through what this step computes: compute `{outside}`"
                    " again in this step, or port it by hand"
                )
            return _mark_leftovers(conv, body, calls, reason)
        start = origin
        forward = [s for i, s in enumerate(body[start:backward], start) if i not in zero]
    # What follows the loss's last assignment (logging, an early-stopping check) does not
    # feed the loss: it runs after the gradient is computed, in the same order, before the step.
    last = max((i for i, s in enumerate(forward) if assigns(s, loss)), default=len(forward) - 1)
    forward, tail = forward[: last + 1], forward[last + 1 :]
    if any(_steps(s) for s in forward):
        reason = "another training step lies inside this one's forward: port the step by hand"
        return _mark_leftovers(conv, body, calls, reason)
    if any(_jumps(s) for s in forward):
        reason = (
            "the forward (from where the loss is computed to backward()) holds a break,"
            " continue or return: port the step by hand"
        )
        return _mark_leftovers(conv, body, calls, reason)
    stopped = stop_gradients(conv, forward)
    if stopped is None:
        reason = "a torch.no_grad() block nested in the forward: port the step by hand"
        return _mark_leftovers(conv, body, calls, reason)
    forward = stopped
    first, aux = forward_returns(forward, [*tail, *body[backward + 1 :]], loss, scaler)
    inputs = _read_before_assigned(forward)
    returned = ", ".join([first, *aux])
    leading = forward[0].leading_lines if forward else body[backward].leading_lines
    if start - 1 in zero and body[start - 1].leading_lines:  # the dropped zero_grad()'s comments
        leading = [*body[start - 1].leading_lines, *leading]
    forward = [forward[0].with_changes(leading_lines=[]), *forward[1:]] if forward else []
    fn = cst.FunctionDef(
        name=cst.Name(FORWARD_FN),
        params=cst.Parameters(params=[cst.Param(cst.Name(n)) for n in inputs]),
        body=cst.IndentedBlock(body=[*forward, cst.parse_statement(f"return {returned}")]),
        leading_lines=leading,
    )
    has_aux = ", has_aux=True" if aux else ""
    values = f"({', '.join([SCALED if scaler else loss, *aux])})" if aux else loss
    grad_line = cst.parse_statement(
        f"{values}, grads = mindspore.value_and_grad({FORWARD_FN}, None,"
        f" {weights}{has_aux})({', '.join(inputs)})"
    )
    middle: list[cst.CSTNode] = []
    for stmt, call in zip(body[backward + 1 : step], calls[backward + 1 : step], strict=True):
        if call and call[1] == "unscale_" and call[0] == scaler:
            stmt = cst.parse_statement(f"grads = {scaler}.unscale(grads)").with_changes(
                leading_lines=stmt.leading_lines, trailing_whitespace=stmt.trailing_whitespace
            )
        middle.append(_clip(stmt) if call and call[1] == _CLIP else stmt)
    if manual is not None:
        apply = manual.statement
        shapes.unmark(conv, manual.lines)
    else:
        applied = f"{scaler}.step({optimizer}, grads)" if scaler else f"{optimizer}(grads)"
        apply = cst.parse_statement(applied).with_changes(
            trailing_whitespace=body[step].trailing_whitespace
        )
    # zero_grad() of this step's optimizer (or of the module zeroed before it) goes; another
    # optimizer's belongs to a later step
    cleared = {optimizer, *(r for i in zero for r in calls[i][0].split(" | "))}
    after = [
        s
        for i, s in enumerate(body[step + 1 :], step + 1)
        if not (calls[i] and calls[i][1] == "zero_grad" and calls[i][0] in cleared)
    ]
    before = [s for i, s in enumerate(body[:start]) if i not in zero]
    conv.ctx.count_found("training-step")
    result = [*before, fn, grad_line, *tail, *middle, apply, *after]
    return (
        convert_block(conv, result)
        if any(c and c[1] == "backward" for c in map(_call_statement, after))
        else result
    )


def _manual_refusal(body, calls, backward: int, manual, scaler: str | None) -> str | None:
    if scaler is not None:
        return "a GradScaler's loss with a manual parameter update: port by hand"
    zeroed = {r for c in calls[:backward] if c and c[1] == "zero_grad" for r in c[0].split(" | ")}
    clipped = [
        body[i] for i in range(backward + 1, manual.index) if calls[i] and calls[i][1] == _CLIP
    ]
    if any(not _clips(stmt, manual.module) for stmt in clipped):
        return (
            f"clip_grad_norm_() of other parameters than `{manual.module}`'s, whose gradients"
            " the update takes: port by hand"
        )
    if manual.module not in zeroed:
        return (
            f"`{manual.module}.zero_grad()` is not called before backward() in this block (torch"
            " adds the gradients to those of earlier steps): port the update by hand"
        )
    return None


def _clips(stmt: cst.CSTNode, module: str) -> bool:
    """Is the clipping statement's first argument `module`'s parameters?"""
    args = stmt.body[0].value.args  # type: ignore[attr-defined]
    return bool(args) and _code(args[0].value) == f"{module}.trainable_params()"


def _scaler_step_refusal(stmt: cst.CSTNode, receiver: str, scaler: str) -> str | None:
    if receiver != scaler:
        return "the loss is scaled by a GradScaler but the optimizer steps on its own"
    call = stmt.body[0].value  # type: ignore[attr-defined]
    if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
        return "scaler.step() with these arguments needs a manual port"
    return None


def forward_returns(
    forward: list[cst.CSTNode], after: list[cst.CSTNode], loss: str, scaler: str | None
) -> tuple[str, list[str]]:
    """What the forward function returns: the value differentiated (the loss, scaled when a
    GradScaler scales it) and the auxiliary outputs: what the forward statements assign at
    their own level, and what their inner blocks assign that the statements `after` the step
    read (a loop's variable may be unbound)."""
    later: set[str] = set().union(*(_loads(s) for s in after))
    outputs = dict.fromkeys(
        n
        for s in forward
        for n in _assigned_names(s)
        if isinstance(s, cst.SimpleStatementLine) or n in later or n in definite(s)
    )
    # a name read before the forward assigns it is passed in; assigned again (maybe in one
    # branch only: `hidden = model(x, hidden)`), its new value must come back out
    outputs.update(dict.fromkeys(_read_before_assigned(forward)))
    aux = [n for n in outputs if n != loss]
    if scaler is not None:
        return f"{scaler}.scale({loss})", [loss, *aux]
    return loss, aux


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


# names of variables that usually hold a network (a call of one computes with its parameters)
_NETWORK_WORDS = (
    "model", "net", "encoder", "decoder", "generator", "discriminator", "critic", "actor",
    "policy", "backbone", "module", "layer", "head", "classifier",
)  # fmt: skip


def _holds_network(conv: FileTransformer, func: cst.BaseExpression) -> bool:
    """Is `func(...)` (probably) a call of a network: a module of this file or torch.nn, or a
    name that says so? (Its result depends on parameters.)"""
    from server.convert.file.prescan import LOCAL

    if _constructs_network(conv, func):
        return False  # `Net()`, `Net().to(d)`: builds a network, computes nothing with one
    if isinstance(func, cst.Attribute):
        if isinstance(func.value, cst.Name) and func.value.value == "self" and conv.class_stack:
            kind = conv.ctx.layer_attributes.get(conv.class_stack[-1], {}).get(func.attr.value)
            if kind is not None:
                return not kind.endswith("Loss")
        # `self.actor.action_log_prob(...)`, `model.encoder(...)`: any part that says so
        parts = _code(func).split(".")
        return any(any(w in part.lower() for w in _NETWORK_WORDS) for part in parts)
    if isinstance(func, cst.Name):
        kind = conv.ctx.assigned_from.get(func.value, "")
        if kind.startswith(LOCAL):
            return kind[len(LOCAL) :] in conv.ctx.module_classes
        if kind.startswith("torch.nn.") and kind[len("torch.nn.") :][:1].isupper():
            return not kind.endswith("Loss")
        name = func.value
    else:
        return False
    return any(word in name.lower() for word in _NETWORK_WORDS)


def _constructs_network(conv: FileTransformer, func: cst.BaseExpression) -> bool:
    """`func` is a network class of this file, or a method (`.to`, `.cuda`, ...) of an
    instance built right there: its call builds a network (whose name may say "model")."""
    while isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
        func = func.value.func
    return isinstance(func, cst.Name) and func.value in conv.ctx.module_classes


def computed_outside(
    conv: FileTransformer, earlier: list[cst.CSTNode], forward: list[cst.CSTNode]
) -> str | None:
    """A name the forward statements read that an earlier statement computed with a network:
    torch's backward() reaches that network's parameters through it, MindSpore's
    value_and_grad only differentiates what the forward function computes (the gradient
    would be silently zero). None when there is no such name."""
    read: set[str] = set()  # read before the forward assigns them (`fake = netG(z)` first)
    bound: set[str] = set()
    for stmt in forward:
        read |= _loads(stmt) - bound
        bound |= definite(stmt)
    tainted: dict[str, None] = {}  # names holding a network's output, directly or through others
    simple = [line for stmt in earlier for line in _simple_statements(stmt)]
    for stmt in simple:
        assigned = _assigned_names(stmt)
        if not assigned:
            continue
        collect = _Calls()
        stmt.visit(collect)
        if "value_and_grad(" in _code(stmt):
            continue  # a converted step: its values are those its forward function computed
        if any(_holds_network(conv, c.func) for c in collect.calls) or _loads(stmt) & set(tainted):
            tainted.update(dict.fromkeys(assigned))
        else:  # reassigned from something else: no longer a network's output
            for name in assigned:
                tainted.pop(name, None)
    return next((name for name in reversed(tainted) if name in read), None)


def definite(stmt: cst.CSTNode) -> set[str]:
    """Names the statement assigns on every path through it (both branches of an if/else, a
    `with` body); a loop's body may not run. Returned from a forward function, they are bound."""
    if isinstance(stmt, cst.SimpleStatementLine):
        return set(_assigned_names(stmt))
    if isinstance(stmt, cst.With) and isinstance(stmt.body, cst.IndentedBlock):
        return set().union(*(definite(s) for s in stmt.body.body))
    if isinstance(stmt, cst.If) and isinstance(stmt.body, cst.IndentedBlock):
        then = set().union(*(definite(s) for s in stmt.body.body))
        orelse = stmt.orelse
        if isinstance(orelse, cst.If):
            return then & definite(orelse)
        if isinstance(orelse, cst.Else) and isinstance(orelse.body, cst.IndentedBlock):
            return then & set().union(*(definite(s) for s in orelse.body.body))
    return set()


def _simple_statements(stmt: cst.CSTNode) -> list[cst.CSTNode]:
    """The one-line statements of a statement, in order, through its blocks (not into
    functions or classes); a loop's or `with`'s header counts as a statement of its own."""
    if isinstance(stmt, cst.SimpleStatementLine):
        return [stmt]
    if isinstance(stmt, cst.FunctionDef) and stmt.name.value == FORWARD_FN:
        # a converted step's forward function: what it computes, the step returns
        return [line for inner in stmt.body.body for line in _simple_statements(inner)]
    if isinstance(stmt, cst.FunctionDef | cst.ClassDef):
        return []
    found: list[cst.CSTNode] = []
    if isinstance(stmt, cst.For | cst.With):
        found.append(stmt.with_changes(body=cst.IndentedBlock(body=[])))  # its targets
    for name in ("body", "orelse", "handlers", "finalbody"):
        part = getattr(stmt, name, None)
        for child in part if isinstance(part, tuple | list) else [part]:
            if child is None:
                continue
            if isinstance(child, cst.If):
                found.extend(_simple_statements(child))
            elif isinstance(child, cst.BaseSuite | cst.Else | cst.ExceptHandler | cst.Finally):
                inner = child.body if not isinstance(child, cst.BaseSuite) else child
                statements = inner.body if isinstance(inner, cst.BaseSuite) else []
                for line in statements:
                    found.extend(_simple_statements(line))
    return found


class _Calls(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)


def _clip(stmt: cst.SimpleStatementLine) -> cst.CSTNode:
    call = stmt.body[0].value
    args = [a for a in call.args if a.keyword is None]
    max_norm = next((a for a in call.args if a.keyword and a.keyword.value == "max_norm"), None)
    value = _code(args[1].value) if len(args) > 1 else _code(max_norm.value) if max_norm else None
    norm_type = args[2].value if len(args) > 2 else None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == "norm_type":
            norm_type = arg.value
        elif arg.keyword is not None and arg.keyword.value not in ("max_norm", "foreach"):
            return stmt  # error_if_nonfinite: clip_by_global_norm has no such check
    if value is None or len(args) > 3 or (norm_type and _code(norm_type) not in ("2", "2.0")):
        return stmt  # clip_by_global_norm is the 2-norm only
    return cst.parse_statement(f"grads = mindspore.ops.clip_by_global_norm(grads, {value})")


_NAMED_LOSS = re.compile(r"\w+(\.\w+)*")  # `loss`, `self.loss`


def _name_the_loss(
    conv: FileTransformer, body: list[cst.CSTNode], backward: int
) -> list[cst.CSTNode] | None:
    """The block with `EXPR.backward(...)` split into `NAME = EXPR` and `NAME.backward(...)`,
    NAME a name the file does not use (the same computation, the loss now has a name the
    step function can return); None when the statement has another shape."""
    stmt = body[backward]
    found = statement_method(stmt)
    if found is None or found[1] != "backward":
        return None
    receiver, _, call = found
    name = shapes.fresh_name(conv, body, "loss")
    assign = cst.parse_statement(f"{name} = {receiver}").with_changes(
        leading_lines=stmt.leading_lines
    )
    renamed = call.with_changes(func=call.func.with_changes(value=cst.Name(name)))
    again = stmt.with_changes(leading_lines=[], body=[stmt.body[0].with_changes(value=renamed)])
    return [*body[:backward], assign, again, *body[backward + 1 :]]


def _refuse(body, calls, backward: int, step: int | None, loss: str) -> str | None:
    if step is None:
        return "loss.backward() without an optimizer step in the same block: port the step by hand"
    if not _NAMED_LOSS.fullmatch(loss):
        return "backward() on an expression: assign the loss to a name first"
    if any(c and c[1] == "backward" for c in calls[backward + 1 : step]):
        return "several backward() before one step() accumulate gradients: port by hand"
    for stmt in body[backward + 1 : step]:
        if ".grad" in _code(stmt) and _CLIP not in _code(stmt):
            return "gradients are read between backward() and step(): port by hand"
    if not any(assigns(s, loss) for s in body[:backward]):
        return f"`{loss}` is not computed in the same block as backward()"
    return None


def stop_gradients(conv: FileTransformer, forward: list[cst.CSTNode]) -> list[cst.CSTNode] | None:
    """The forward statements with `x = mindspore.ops.stop_gradient(x)` after each statement
    that a dropped `with torch.no_grad():` held, for the names it assigns (torch computes no
    gradient through them; value_and_grad would). None when such a statement is nested deeper
    in the forward (not handled)."""
    held = conv.no_grad_statements
    out: list[cst.CSTNode] = []
    for stmt in forward:
        out.append(stmt)
        if id(stmt) in held:
            for name in _assigned_names(stmt):
                out.append(cst.parse_statement(f"{name} = mindspore.ops.stop_gradient({name})"))
            continue
        nested = False

        class Nested(cst.CSTVisitor):
            def on_visit(self, node: cst.CSTNode) -> bool:
                nonlocal nested
                nested = nested or id(node) in held
                return not nested

        stmt.visit(Nested())
        if nested:
            return None
    return out


def _steps(stmt: cst.CSTNode) -> bool:
    """Does the statement hold (part of) a training step: a backward, an optimizer step, a
    converted step's value_and_grad?"""
    text = _code(stmt)
    return any(word in text for word in ("backward(", ".step(", "value_and_grad", "zero_grad("))


def _jumps(stmt: cst.CSTNode) -> bool:
    """Does the statement leave its block (`break`/`continue` of an enclosing loop, `return`,
    `yield`)? Inside a forward function it could not."""
    found = False

    class Jumps(cst.CSTVisitor):
        loops = 0

        def visit_For(self, node: cst.For) -> None:
            self.loops += 1

        def leave_For(self, node: cst.For) -> None:
            self.loops -= 1

        def visit_While(self, node: cst.While) -> None:
            self.loops += 1

        def leave_While(self, node: cst.While) -> None:
            self.loops -= 1

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

        def visit_Break(self, node: cst.Break) -> None:
            nonlocal found
            found = found or self.loops == 0

        def visit_Continue(self, node: cst.Continue) -> None:
            nonlocal found
            found = found or self.loops == 0

        def visit_Return(self, node: cst.Return) -> None:
            nonlocal found
            found = True

        def visit_Yield(self, node: cst.Yield) -> None:
            nonlocal found
            found = True

    stmt.visit(Jumps())
    return found


def assigns(stmt: cst.CSTNode, target: str) -> bool:
    """Does this statement assign `target` (a name, or an attribute such as `self.loss`) at
    its own level or in its blocks?"""
    if "." not in target:
        return target in _assigned_names(stmt)
    found = False

    class Targets(cst.CSTVisitor):
        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            nonlocal found
            elements = [node.target]
            while elements:
                element = elements.pop()
                if isinstance(element, cst.Tuple | cst.List):
                    elements.extend(e.value for e in element.elements)
                elif _code(element) == target:
                    found = True

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

    stmt.visit(Targets())
    return found


def _mark_leftovers(conv, body, calls, reason: str | None = None):
    out = []
    for stmt, call in zip(body, calls, strict=True):
        if call and isinstance(stmt, cst.If):  # `if a: opt.zero_grad() else: model.zero_grad()`
            out.append(
                shapes.mark_branches(
                    stmt, lambda s: _mark_leftovers(conv, [s], [_call_statement(s)], reason)[0]
                )
            )
            continue
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
