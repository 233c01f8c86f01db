"""The training step with gradient accumulation (nanoGPT's): `backward()` once per
micro-batch inside a loop, one optimizer step after it, optionally through a GradScaler and
with clipping:

    for micro_step in range(k):         for micro_step in range(k):
        <forward: loss = ...>               def forward_fn(...): <forward>; return ...
        scaler.scale(loss).backward()  ->   (...), grads = value_and_grad(forward_fn, ...)(...)
    scaler.unscale_(optimizer)              accumulated_grads = <grads, summed>
    clip_grad_norm_(params, max_norm)   grads = accumulated_grads
    scaler.step(optimizer)              grads = scaler.unscale(grads)
    scaler.update()                     grads = mindspore.ops.clip_by_global_norm(grads, max_norm)
    optimizer.zero_grad()               scaler.step(optimizer, grads); scaler.update()

torch adds each micro-batch's gradients into `.grad`; the port sums them the same way. The
loop's body and the blocks between the loop and the step (`if grad_clip: ...`) are left to the
outer block (`deferred_bodies`), which converts them all or marks them all."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import libcst as cst

from server.convert.file import amp
from server.convert.file.markers import with_marker
from server.convert.file.text import code, statement_method

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer

ACCUMULATED = "accumulated_grads"
SCALED = "scaled_loss"


class _Refused(Exception):
    pass


def _has_backward(body: Sequence[cst.CSTNode]) -> bool:
    calls = [statement_method(s) for s in body]
    methods = {c[1] for c in calls if c}
    return "backward" in methods and not methods & {"step", "zero_grad"}


def _step_index(conv: FileTransformer, body: Sequence[cst.CSTNode], after: int) -> int | None:
    from server.convert.file.training import _is_optimizer

    scalers = amp.scaler_names(conv)
    for index in range(after + 1, len(body)):
        call = statement_method(body[index])
        if call is None or call[1] != "step":
            continue
        receiver, _, node = call
        if receiver in scalers or _is_optimizer(conv, receiver):
            return index
        if receiver.rsplit(".", 1)[-1].lower() == "scaler" and len(node.args) == 1:
            return index
    return None


def _nested_bodies(stmt: cst.CSTNode) -> list[cst.IndentedBlock]:
    found = []
    while isinstance(stmt, cst.If):
        if isinstance(stmt.body, cst.IndentedBlock):
            found.append(stmt.body)
        stmt = stmt.orelse.body if isinstance(stmt.orelse, cst.Else) else stmt.orelse
        if isinstance(stmt, cst.IndentedBlock):
            found.append(stmt)
    return found


def _accumulation_loops(
    conv: FileTransformer, body: Sequence[cst.CSTNode]
) -> Iterator[tuple[int, cst.For, int]]:
    """(index, loop, index of the optimizer step) of each `for` loop of the block that calls
    backward() inside and is followed by the step."""
    for index, stmt in enumerate(body):
        if not isinstance(stmt, cst.For) or not isinstance(stmt.body, cst.IndentedBlock):
            continue
        if not _has_backward(stmt.body.body):
            continue
        step = _step_index(conv, body, index)
        if step is not None:
            yield index, stmt, step


def deferred_bodies(
    conv: FileTransformer, body: Sequence[cst.CSTNode], steps: list[cst.Call]
) -> set[int]:
    """Original blocks the outer block's accumulation step converts: the loop's body and the
    `if` blocks between the loop and the step. The step calls are added to `steps`."""
    from server.convert.file.training_shapes import zero_grad_bodies

    found: set[int] = zero_grad_bodies(list(body))  # the block's training step decides
    calls = [statement_method(s) for s in body]
    scalers = amp.scaler_names(conv)
    for index, call in enumerate(calls):  # `scaler.scale(loss).backward()` ... `scaler.step(o)`
        match = call and call[1] == "backward" and re.fullmatch(r"(\w+)\.scale\(\w+\)", call[0])
        if not match or match.group(1) not in scalers:
            continue
        later = (c for c in calls[index + 1 :] if c and c[1] in ("step", "backward"))
        step = next(later, None)
        if step is not None and step[1] == "step" and step[0] == match.group(1):
            steps.append(step[2])  # the training step converts it (training.convert_block)
    for index, stmt, step in _accumulation_loops(conv, body):
        found.add(id(stmt.body))
        step_call = statement_method(body[step])
        assert step_call is not None
        steps.append(step_call[2])
        for between in body[index + 1 : step]:
            found.update(id(b) for b in _nested_bodies(between))
    return found


def convert(conv: FileTransformer, body: list[cst.CSTNode]) -> list[cst.CSTNode] | None:
    """The block with its accumulation step converted (or marked); None when it has none."""
    for index, _, step in _accumulation_loops(conv, body):
        try:
            return _rewrite(conv, body, index, step)
        except _Refused as exc:
            return _mark(conv, body, index, step, str(exc))
    return None


def _loss_of(conv: FileTransformer, receiver: str) -> tuple[str, str | None]:
    """`loss` -> ("loss", None); `scaler.scale(loss)` -> ("loss", "scaler")."""
    if receiver.isidentifier():
        return receiver, None
    match = re.fullmatch(r"(\w+)\.scale\((\w+)\)", receiver)
    if match and match.group(1) in amp.scaler_names(conv):
        return match.group(2), match.group(1)
    raise _Refused("backward() on an expression: assign the loss to a name first")


def _rewrite(conv: FileTransformer, body: list[cst.CSTNode], at: int, step: int):
    from server.convert.file.training import (
        FORWARD_FN,
        _assigned_names,
        _clip,
        _jumps,
        _read_before_assigned,
        computed_outside,
        forward_returns,
        stop_gradients,
    )

    loop = body[at]
    assert isinstance(loop, cst.For) and isinstance(loop.body, cst.IndentedBlock)
    inner = list(loop.body.body)
    calls = [statement_method(s) for s in inner]
    backward = next(i for i, c in enumerate(calls) if c and c[1] == "backward")
    loss, scaler = _loss_of(conv, calls[backward][0])
    forward, after_inner = inner[:backward], inner[backward + 1 :]
    if any(c and c[1] == "backward" for c in calls[backward + 1 :]):
        raise _Refused("several backward() in one micro-step: port by hand")
    if any(".grad" in code(s) for s in after_inner):
        raise _Refused("gradients are read inside the accumulation loop: port by hand")
    if not any(loss in _assigned_names(s) for s in forward):
        raise _Refused(f"`{loss}` is not computed in the same block as backward()")
    if any(_jumps(s) for s in forward):
        raise _Refused("a break, continue or return before backward(): port the step by hand")
    stopped = stop_gradients(conv, forward)
    if stopped is None:
        raise _Refused("a torch.no_grad() block nested in the forward: port the step by hand")
    forward = stopped
    outside = computed_outside(conv, list(body[:at]), forward)
    if outside is not None:
        raise _Refused(
            f"`{outside}` is computed by a network before the accumulation loop: compute it"
            " inside the loop so the forward function holds it"
        )
    step_call = statement_method(body[step])
    assert step_call is not None
    receiver, _, step_node = step_call
    stepped_by_scaler = receiver in amp.scaler_names(conv) or len(step_node.args) == 1
    if stepped_by_scaler and (scaler is None or receiver != scaler):
        raise _Refused("the optimizer is stepped by a scaler that did not scale this loss")
    optimizer = code(step_node.args[0].value) if stepped_by_scaler else receiver
    first, aux = forward_returns(forward, [*after_inner, *body[at + 1 :]], loss, scaler)
    inputs = _read_before_assigned(forward)
    leading = forward[0].leading_lines if forward else inner[backward].leading_lines
    forward = [forward[0].with_changes(leading_lines=[]), *forward[1:]] if forward else []
    returned = ", ".join([first, *aux])
    fn = cst.FunctionDef(
        name=cst.Name(FORWARD_FN),
        params=cst.Parameters(params=[cst.Param(cst.Name(n)) for n in inputs]),
        body=cst.IndentedBlock(body=[*forward, cst.parse_statement(f"return {returned}")]),
        leading_lines=leading,
    )
    values = ", ".join([SCALED if scaler else loss, *aux])
    values = f"({values})" if aux else values
    has_aux = ", has_aux=True" if aux else ""
    grad_line = cst.parse_statement(
        f"{values}, grads = mindspore.value_and_grad({FORWARD_FN}, None,"
        f" {optimizer}.parameters{has_aux})({', '.join(inputs)})"
    )
    accumulate = cst.parse_statement(
        f"{ACCUMULATED} = grads if {ACCUMULATED} is None else"
        f" tuple(a + g for a, g in zip({ACCUMULATED}, grads))"
    )
    new_loop = loop.with_changes(
        body=loop.body.with_changes(body=[fn, grad_line, accumulate, *after_inner]),
        leading_lines=[],
    )
    init = cst.parse_statement(f"{ACCUMULATED} = None").with_changes(
        leading_lines=loop.leading_lines
    )
    collected = cst.parse_statement(f"grads = {ACCUMULATED}")
    between = [_between(s, scaler, optimizer, _clip) for s in body[at + 1 : step]]
    if scaler is not None:
        apply = cst.parse_statement(f"{scaler}.step({optimizer}, grads)")
    else:
        apply = cst.parse_statement(f"{optimizer}(grads)")
    apply = apply.with_changes(
        leading_lines=body[step].leading_lines, trailing_whitespace=body[step].trailing_whitespace
    )

    def zeroes(stmt: cst.CSTNode) -> bool:
        call = statement_method(stmt)
        return call is not None and call[1] == "zero_grad" and call[0] == optimizer

    before = [s for s in body[:at] if not zeroes(s)]
    after = [s for s in body[step + 1 :] if not zeroes(s)]
    conv.ctx.count_found("training-step")
    return [*before, init, new_loop, collected, *between, apply, *after]


def _between(stmt: cst.CSTNode, scaler: str | None, optimizer: str, clip) -> cst.CSTNode:
    """`scaler.unscale_(optimizer)` -> `grads = scaler.unscale(grads)`, clipping ->
    `grads = clip_by_global_norm(grads, ...)`, also inside `if` blocks; gradients read any
    other way are refused."""
    if isinstance(stmt, cst.If):
        body = stmt.body
        assert isinstance(body, cst.IndentedBlock)
        new = [_between(s, scaler, optimizer, clip) for s in body.body]
        orelse = stmt.orelse
        if orelse is not None:
            orelse = _between(orelse, scaler, optimizer, clip)  # type: ignore[assignment]
        return stmt.with_changes(body=body.with_changes(body=new), orelse=orelse)
    if isinstance(stmt, cst.Else):
        body = stmt.body
        assert isinstance(body, cst.IndentedBlock)
        new = [_between(s, scaler, optimizer, clip) for s in body.body]
        return stmt.with_changes(body=body.with_changes(body=new))
    call = statement_method(stmt)
    if call is not None and call[1] == "unscale_" and scaler is not None and call[0] == scaler:
        new_stmt = cst.parse_statement(f"grads = {scaler}.unscale(grads)")
        return new_stmt.with_changes(
            leading_lines=stmt.leading_lines, trailing_whitespace=stmt.trailing_whitespace
        )
    if call is not None and call[1] == "clip_grad_norm_":
        clipped = clip(stmt)
        if clipped is stmt:
            raise _Refused("clip_grad_norm_() without a max_norm this tool can read")
        return clipped.with_changes(
            leading_lines=stmt.leading_lines, trailing_whitespace=stmt.trailing_whitespace
        )
    text = code(stmt)
    if ".grad" in text or "backward" in text or "zero_grad" in text:
        raise _Refused("gradients are used between the accumulation loop and step(): port by hand")
    return stmt


def _mark(conv: FileTransformer, body: list[cst.CSTNode], at: int, step: int, reason: str):
    """Refused: the loop's backward, and the clipping and unscaling before the step, get the
    reason (they were left unconverted for this block to decide)."""
    from server.convert.file.training import _mark_leftovers

    def marked(block: cst.IndentedBlock) -> cst.IndentedBlock:
        statements = list(block.body)
        calls = [statement_method(s) for s in statements]
        return block.with_changes(
            body=_mark_leftovers(conv, statements, [c[:2] if c else None for c in calls], reason)
        )

    loop = body[at]
    assert isinstance(loop, cst.For) and isinstance(loop.body, cst.IndentedBlock)
    out = list(body)
    out[at] = loop.with_changes(body=marked(loop.body))
    step_line = conv.stmt_lines.get(id(body[step]), 0)
    conv.ctx.mark(step_line, reason, "training-step")
    conv.ctx.count_found("training-step")
    out[step] = with_marker(body[step], [reason])
    for index in range(at + 1, step):
        stmt = out[index]
        if isinstance(stmt, cst.If) and isinstance(stmt.body, cst.IndentedBlock):
            out[index] = stmt.with_changes(body=marked(stmt.body))
    return out
