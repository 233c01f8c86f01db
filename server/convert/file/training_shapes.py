"""Two more shapes of the training step (server.convert.file.training converts the block):

- several `backward()` before one `step()` (a GAN's discriminator: a loss on real data, one
  on generated data, each backward() adding into `.grad`): one backward() of their sum gives
  the same gradients, so the block is rewritten to `summed = a + b; summed.backward()` and
  converted as a single step (the losses and what lies between come back as auxiliary values);
- a manual parameter update instead of an optimizer (`model.zero_grad(); loss.backward();
  [clip_grad_norm_]; for p in model.parameters(): p.data.add_(p.grad, alpha=-lr)`), also as
  the `else` of an `if` whose other branch steps an optimizer: the gradient is taken over
  `model.trainable_params()` and the loop updates each parameter with its gradient."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from server.convert.file.text import code, statement_call, statement_method

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer

SUMMED = "summed_loss"


def fresh_name(conv: FileTransformer, body: list[cst.CSTNode], base: str) -> str:
    """`base`, or `base_2`, ...: a name neither the file nor the block uses."""
    ported = re.sub(r"#.*", "", "\n".join(code(s) for s in body))  # not in markers' words
    taken = conv.ctx.source + ported
    return next(
        n
        for n in (base, *(f"{base}_{i}" for i in range(2, 1000)))
        if not re.search(rf"(?<![.\w]){n}\b", taken)
    )


def method_call(stmt: cst.CSTNode) -> tuple[str, str] | None:
    """`a.b.method(...)` as a whole statement -> ("a.b", "method")."""
    found = statement_method(stmt)
    return found[:2] if found is not None else None


# ---- several backward() before one step() ----


def combine_backwards(
    conv: FileTransformer, body: list[cst.CSTNode], backs: list[int]
) -> list[cst.CSTNode] | str:
    """The block with the backward() calls at `backs` (all before the step) replaced by one
    backward() of the losses' sum, at the last one's place; a reason when that would not
    compute torch's gradients."""
    from server.convert.file.training import _NAMED_LOSS, assigns

    losses: list[str] = []
    for index in backs:
        call = statement_call(body[index])
        assert call is not None and isinstance(call.func, cst.Attribute)
        loss = code(call.func.value)
        if not _NAMED_LOSS.fullmatch(loss) or "." in loss:
            return (
                f"several backward() before one step(): `{loss}` is not a plain name;"
                " assign each loss to a name first"
            )
        if any(a.keyword is None or a.keyword.value != "retain_graph" for a in call.args):
            return (
                "several backward() before one step(), one with a gradient argument: port by hand"
            )
        losses.append(loss)
    first, last = backs[0], backs[-1]
    between: dict[int, cst.CSTNode] = {}
    for index in range(first + 1, last):
        stmt = body[index]
        if ".grad" in code(stmt):
            return "gradients are read between two backward() before one step(): port by hand"
        rebound = _rebound(stmt, body[:index])
        if rebound is None:
            reason = _inplace_refusal(stmt, _source_line(conv, stmt))
            if reason is not None:
                return reason
        between[index] = rebound or stmt
    out: list[cst.CSTNode] = []
    terms: list[str] = []
    for index, stmt in enumerate(body):
        if index not in backs:
            out.append(between.get(index, stmt))
            continue
        position = backs.index(index)
        loss = losses[position]
        if index == last:
            terms.append(loss)
            summed = fresh_name(conv, body, SUMMED)
            total = cst.parse_statement(f"{summed} = {' + '.join(terms)}").with_changes(
                leading_lines=stmt.leading_lines
            )
            again = cst.parse_statement(f"{summed}.backward()").with_changes(
                trailing_whitespace=stmt.trailing_whitespace
            )
            conv.stmt_lines[id(again)] = conv.stmt_lines.get(id(stmt), 0)
            out += [total, again]
        elif any(assigns(s, loss) for s in body[index + 1 : last]):
            # reassigned before the sum (`loss = ...; loss.backward()` twice): keep this value
            part = fresh_name(conv, [*body, *out], f"{loss}_part")
            terms.append(part)
            out.append(cst.parse_statement(f"{part} = {loss}"))
        else:
            terms.append(loss)
            if stmt.leading_lines or _has_comment(stmt):
                out.append(
                    cst.parse_statement("pass").with_changes(leading_lines=stmt.leading_lines)
                )
    return _drop_pass(out)


def _has_comment(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine) and stmt.trailing_whitespace.comment is not None
    )


def _is_pass(stmt: cst.CSTNode) -> bool:
    return (
        isinstance(stmt, cst.SimpleStatementLine)
        and len(stmt.body) == 1
        and isinstance(stmt.body[0], cst.Pass)
    )


def _drop_pass(out: list[cst.CSTNode]) -> list[cst.CSTNode]:
    """A dropped backward()'s blank lines and comments go to the next statement."""
    result: list[cst.CSTNode] = []
    carried: list[cst.EmptyLine] = []
    for stmt in out:
        if _is_pass(stmt):
            carried += list(stmt.leading_lines)
            continue
        if carried:
            stmt = stmt.with_changes(leading_lines=[*carried, *stmt.leading_lines])
            carried = []
        result.append(stmt)
    return result


_COPY = re.compile(r"(\w+)\.(?:copy_|assign_value)\((.*)\)", re.DOTALL)


def _inplace_refusal(stmt: cst.CSTNode, source: str | None) -> str | None:
    """An in-place update between two backward(): MindSpore takes every gradient after the
    whole forward, and refuses (at run time) a tensor saved for one that was changed since."""
    found: list[str] = []

    class InPlace(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            func = node.func
            if isinstance(func, cst.Attribute):
                name = func.attr.value
                if name.endswith("_") and not name.startswith("_") and name != "copy_":
                    found.append(code(func))

        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            return False

    stmt.visit(InPlace())
    for method in ("copy_", "assign_value"):
        if f".{method}(" in code(stmt):
            found.append(method)
    if found:
        what = f"`{source}`" if source and len(source) <= 60 else f"`{found[0]}(...)`"
        return (
            f"{what} updates a tensor in place between two backward(): MindSpore"
            " takes all the gradients after the forward and refuses a tensor changed since"
            " it was used; port by hand"
        )
    return None


def _rebound(stmt: cst.CSTNode, earlier: list[cst.CSTNode]) -> cst.CSTNode | None:
    """`label.copy_(<new value>)` (the port of `label.fill_(v)`) on a tensor this block made
    and nothing else holds -> `label = <new value>`: the later uses read the new value, and
    the tensor an earlier loss saved for its gradient is left as it was."""
    call = statement_call(stmt)
    copy = _COPY.fullmatch(code(call)) if call is not None else None
    if copy is None:
        return None
    name = copy.group(1)
    from server.convert.file.training import assigns

    made = next((s for s in reversed(earlier) if assigns(s, name)), None)
    fresh = (  # `label = torch.full(...)`: a new tensor
        isinstance(made, cst.SimpleStatementLine)
        and len(made.body) == 1
        and isinstance(made.body[0], cst.Assign)
        and len(made.body[0].targets) == 1
        and isinstance(made.body[0].targets[0].target, cst.Name)
        and isinstance(made.body[0].value, cst.Call)
    )
    aliased = any(re.search(rf"=\s*{name}\s*(#.*)?$", code(s).strip()) for s in earlier)
    if not fresh or aliased:
        return None  # another name may hold the tensor: refused by the caller
    new = cst.parse_statement(f"{name} = {copy.group(2)}")
    return new.with_changes(
        leading_lines=stmt.leading_lines, trailing_whitespace=stmt.trailing_whitespace
    )


# ---- a manual parameter update ----


@dataclass
class ManualStep:
    index: int  # the loop (or the `if` holding it) in the block
    module: str  # `model` of `model.parameters()`
    weights: str  # what value_and_grad differentiates for
    statement: cst.CSTNode  # the loop (or `if`) as the port runs it
    optimizer: str | None  # the optimizer of the other branch
    lines: set[int]  # the update's lines in the source (their markers go when it converts)


_UPDATE = re.compile(r"(?P<p>\w+)\.data\.(?P<op>add_|sub_)\((?P<args>.*)\)\s*(#.*)?", re.DOTALL)


def _source_line(conv: FileTransformer, stmt: cst.CSTNode) -> str | None:
    line = conv.stmt_lines.get(id(stmt))
    lines = conv.ctx.source.splitlines()
    if line is None or not 0 < line <= len(lines):
        return None
    return lines[line - 1].strip()


class _Refused(Exception):
    pass


def _update_statement(conv: FileTransformer, loop: cst.For, grad: str) -> str:
    """The port of the loop's one statement (read from the source: the port of `p.data`
    and `p.grad` is not what this rule writes), with the gradient `grad`; _Refused says why
    not."""
    inner = loop.body.body if isinstance(loop.body, cst.IndentedBlock) else []
    if len(inner) != 1 or not isinstance(loop.target, cst.Name):
        raise _Refused("the parameter loop does more than one update: port by hand")
    param = loop.target.value
    text = _source_line(conv, inner[0])
    match = _UPDATE.fullmatch(text or "")
    if match is None or match.group("p") != param:
        raise _Refused(
            "the parameter update is not `p.data.add_(...)`/`p.data.sub_(...)` of the"
            " loop's parameter: port by hand"
        )
    try:
        call = cst.parse_expression(f"f({match.group('args')})")
    except cst.ParserSyntaxError:
        raise _Refused("the parameter update spans several lines: port by hand") from None
    assert isinstance(call, cst.Call)
    args = list(call.args)
    alpha = next((a for a in args if a.keyword and a.keyword.value == "alpha"), None)
    plain = [a for a in args if a.keyword is None]
    if len(plain) != 1 or len(args) != len(plain) + (alpha is not None):
        raise _Refused("the parameter update has arguments this tool does not read: port by hand")
    value = code(plain[0].value)
    if f"{param}.grad" not in value:
        raise _Refused("the parameter update does not use the parameter's gradient: port by hand")
    value = re.sub(rf"\b{param}\.grad\b", grad, value)
    value = re.sub(rf"\b{param}\.data\b", param, value)
    if re.search(rf"\b{param}\b", value) or ".grad" in value:
        raise _Refused("the parameter update reads other parameters or gradients: port by hand")
    if alpha is not None:  # torch: p + alpha * grad
        value = f"{_wrapped(code(alpha.value))} * {_wrapped(value)}"
    else:
        value = _wrapped(value)
    sign = "+" if match.group("op") == "add_" else "-"
    return f"{param}.set_data({param} {sign} {value})"


def _wrapped(text: str) -> str:
    return text if re.fullmatch(r"[\w.]+", text) else f"({text})"


def _parameter_loop(conv: FileTransformer, stmt: cst.CSTNode, grad: str, grads: str):
    """(module, the loop as the port runs it) for `for p in <module>.parameters(): <update>`
    (the iterable already ported to `trainable_params()`); a reason string; None when the
    statement is no such loop."""
    if not isinstance(stmt, cst.For) or not isinstance(stmt.body, cst.IndentedBlock):
        return None
    params = re.fullmatch(r"(\w+(?:\.\w+)*)\.trainable_params\(\)", code(stmt.iter))
    if params is None or ".grad" not in code(stmt.body):
        return None
    try:
        update = _update_statement(conv, stmt, grad)
    except _Refused as exc:
        return str(exc)
    assert isinstance(stmt.target, cst.Name)
    header = f"for {stmt.target.value}, {grad} in zip({code(stmt.iter)}, {grads}):\n"
    loop = cst.parse_statement(header + f"    {update}\n")
    lines = {conv.stmt_lines.get(id(s), -1) for s in stmt.body.body}
    return params.group(1), loop.with_changes(leading_lines=stmt.leading_lines), lines


def unmark(conv: FileTransformer, lines: set[int]) -> None:
    """Markers on these lines were put by the rules that saw `p.data`/`p.grad` alone; the
    loop they were in is now converted whole."""
    kept = []
    for marker in conv.ctx.markers:
        if marker.line in lines:
            conv.ctx.counts.marked[marker.category] -= 1
        else:
            kept.append(marker)
    conv.ctx.markers[:] = kept


def manual_step(
    conv: FileTransformer, body: list[cst.CSTNode], backward: int, grads: str = "grads"
) -> ManualStep | str | None:
    """The manual update after the backward() at `backward`, before any other backward():
    a loop, or an `if` with `optimizer.step()` in one branch and the loop in the other."""
    grad = fresh_name(conv, body, "grad")
    for index in range(backward + 1, len(body)):
        stmt = body[index]
        method = method_call(stmt)
        if method is not None and method[1] == "backward":
            return None
        found = _parameter_loop(conv, stmt, grad, grads)
        if isinstance(found, str):
            return found
        if found is not None:
            module, loop, lines = found
            return ManualStep(index, module, f"{module}.trainable_params()", loop, None, lines)
        branched = _branched_step(conv, stmt, grad, grads)
        if branched is not None:
            if isinstance(branched, ManualStep):
                branched.index = index
            return branched
    return None


def _branched_step(conv: FileTransformer, stmt: cst.CSTNode, grad: str, grads: str):
    """`if cond: optimizer.step() else: <parameter loop>` (word_language_model)."""
    if not isinstance(stmt, cst.If) or not isinstance(stmt.orelse, cst.Else):
        return None
    then, orelse = stmt.body, stmt.orelse.body
    if not isinstance(then, cst.IndentedBlock) or not isinstance(orelse, cst.IndentedBlock):
        return None
    if len(then.body) != 1 or len(orelse.body) != 1:
        return None
    method = method_call(then.body[0])
    if method is None or method[1] != "step" or statement_call(then.body[0]).args:  # type: ignore[union-attr]
        return None
    found = _parameter_loop(conv, orelse.body[0], grad, grads)
    if found is None or isinstance(found, str):
        return found
    module, loop, lines = found
    optimizer = method[0]
    built = re.search(
        rf"^\s*{re.escape(optimizer)}\s*=\s*[\w.]+\(\s*{re.escape(module)}\.parameters\(\)\s*[,)]",
        conv.ctx.source,
        re.MULTILINE,
    )
    if built is None:
        return (
            f"`{optimizer}` is not built here from `{module}.parameters()`: the gradient of"
            " one value_and_grad cannot serve both branches; port by hand"
        )
    apply = cst.parse_statement(f"{optimizer}({grads})").with_changes(
        leading_lines=then.body[0].leading_lines,
        trailing_whitespace=then.body[0].trailing_whitespace,
    )
    new = stmt.with_changes(
        body=then.with_changes(body=[apply]),
        orelse=stmt.orelse.with_changes(body=orelse.with_changes(body=[loop])),
    )
    return ManualStep(0, module, f"{module}.trainable_params()", new, optimizer, lines)


def zero_grad_branches(stmt: cst.CSTNode) -> list[cst.CSTNode] | None:
    """The statements of `if c: optimizer.zero_grad() else: model.zero_grad()` (every branch
    one zero_grad() call), or None."""
    if not isinstance(stmt, cst.If) or stmt.orelse is None:
        return None
    found: list[cst.CSTNode] = []
    node: cst.If | cst.Else | None = stmt
    while node is not None:  # the `if`, each `elif`, the `else`
        block = node.body
        if not isinstance(block, cst.IndentedBlock) or len(block.body) != 1:
            return None
        method = method_call(block.body[0])
        if method is None or method[1] != "zero_grad":
            return None
        found.append(block.body[0])
        node = node.orelse if isinstance(node, cst.If) else None
    return found


def mark_branches(stmt: cst.CSTNode, mark) -> cst.CSTNode:
    """The zero_grad-only `if` with `mark(statement)` applied to each branch's statement."""
    if isinstance(stmt, cst.If | cst.Else) and isinstance(stmt.body, cst.IndentedBlock):
        block = stmt.body.with_changes(body=[mark(s) for s in stmt.body.body])
        orelse = getattr(stmt, "orelse", None)
        changes = {"body": block}
        if orelse is not None:
            changes["orelse"] = mark_branches(orelse, mark)
        return stmt.with_changes(**changes)
    return stmt


def zero_grad_bodies(body: list[cst.CSTNode]) -> set[int]:
    """Blocks of a zero_grad-only `if` in a block with a backward() after it: the block's
    training step drops them (or marks them), not their own block."""
    found: set[int] = set()
    methods = [method_call(s) for s in body]
    backs = [i for i, m in enumerate(methods) if m and m[1] == "backward"]
    if not backs:
        return found
    for stmt in body[: backs[-1]]:
        if zero_grad_branches(stmt) is None:
            continue
        node: cst.CSTNode | None = stmt
        while isinstance(node, cst.If | cst.Else):
            found.add(id(node.body))
            node = node.orelse if isinstance(node, cst.If) else None
    return found
