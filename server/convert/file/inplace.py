"""In-place tensor methods the quick-fix engine cannot write (on an expression receiver) or
whose MindSpore method has no CPU kernel (`fill_`, `zero_`), written with the out-of-place
method where that is exact (the engine writes `x.sqrt_()` on a name itself, as
`x.assign_value(x.sqrt().astype(x.dtype))`):

- on a fresh tensor nobody else holds (`torch.empty(n, n).fill_(v).triu_(1)`, the result of
  an arithmetic method): the out-of-place method gives the same tensor;
- as a statement of its own on a name or attribute (`label.fill_(v)`, `self.buf.zero_()`):
  `x.copy_(<out of place>)`, which writes into the same storage, so every other reference to
  the tensor sees the update as in torch. Where the call's value is used (`y = x.fill_(v)`)
  torch returns the tensor itself and MindSpore's `copy_` may not: left with a marker.

`fill_(v)` is `full_like(x, v)` and `zero_()` is `zeros_like(x)` (same shape and dtype)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from server.analysis.findings import TorchReference
from server.convert.call_rewrite import FixRefused, rewrite_call
from server.convert.file.legacy import LEGACY_CONSTRUCTORS
from server.convert.file.text import code, expr

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer

# torch functions that return a new tensor
_FACTORIES = frozenset(
    f"torch.{name}"
    for name in (
        "empty", "zeros", "ones", "full", "rand", "randn", "randint", "arange", "linspace",
        "tensor", "empty_like", "zeros_like", "ones_like", "full_like", "rand_like",
        "randn_like", "eye", "cat", "stack", *LEGACY_CONSTRUCTORS,
    )
)  # fmt: skip
# tensor methods that allocate their result (never a view of the receiver)
_ALLOCATING = frozenset(
    (
        "clone", "add", "sub", "mul", "div", "addcmul", "addcdiv", "pow", "sqrt", "rsqrt",
        "exp", "log", "abs", "neg", "sigmoid", "tanh", "relu", "matmul", "mm", "bmm",
        "triu", "tril", "masked_fill", "clamp", "sign", "square", "reciprocal",
    )
)  # fmt: skip
# tensor methods that return their receiver or a new tensor (a cast to another dtype)
_CASTS = frozenset(("type_as", "float", "double", "half", "long", "int", "bool", "contiguous"))
_FILLS = {"fill_": "mindspore.ops.full_like({x}, {args})", "zero_": "mindspore.ops.zeros_like({x})"}


def _method_ref(refs: list[TorchReference]) -> TorchReference | None:
    return next((r for r in refs if r.context == "tensor-method"), None)


def _is_fresh(conv: FileTransformer, node: cst.BaseExpression) -> bool:
    """Does this (original) expression make a tensor nobody else holds?"""
    if not isinstance(node, cst.Call):
        return False
    refs = conv.call_refs(node)
    call = next((r for r in refs if r.context == "call"), None)
    if call is not None:  # a factory, or a function that allocates its result
        name = call.qualified_name
        return name in _FACTORIES or name.removeprefix("torch.") in _ALLOCATING
    method = _method_ref(refs)
    if method is None or not isinstance(node.func, cst.Attribute):
        return False
    name = method.qualified_name.rsplit(".", 1)[-1]
    if name in _ALLOCATING:
        return True
    # an in-place method returns its receiver, a cast its receiver or a copy of it: fresh if
    # the receiver is
    in_place = name.endswith("_") and not name.endswith("__")
    return (in_place or name in _CASTS) and _is_fresh(conv, node.func.value)


def _is_stable(node: cst.BaseExpression) -> bool:
    """A receiver that names the same tensor each time it is evaluated."""
    while isinstance(node, cst.Attribute):
        node = node.value
    return isinstance(node, cst.Name)


def _is_indexed(node: cst.BaseExpression) -> bool:
    """`hidden[0]`: a whole-number index into a stable name. Enough for `detach_`, which
    writes back the values it read (torch refuses `detach_` on a view of a tensor)."""
    if not isinstance(node, cst.Subscript) or len(node.slice) != 1:
        return False
    index = node.slice[0].slice
    if not isinstance(index, cst.Index) or not isinstance(index.value, cst.Integer):
        return False
    return _is_stable(node.value)


def convert_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    written = _out_call(conv, original, updated, refs)
    if written is not None:
        return written
    ref = _method_ref(refs)
    if ref is None or not isinstance(updated.func, cst.Attribute):
        return None
    method = ref.qualified_name.rsplit(".", 1)[-1]
    if method == "requires_grad_":
        return _requires_grad(conv, original, updated)
    if not method.endswith("_") or method.endswith("__"):
        return None
    assessment = conv.ctx.assess(ref)
    if assessment is None:
        return None
    assert isinstance(original.func, cst.Attribute)
    fresh = _is_fresh(conv, original.func.value)
    if not fresh:
        if assessment.target is not None and assessment.fix_blocker is None:
            return None  # the engine writes the in-place update itself
        stable = _is_stable(original.func.value) or (
            method == "detach_" and _is_indexed(original.func.value)
        )
        if not (stable and conv.end(original) in conv.statement_calls):
            return None
    receiver = code(updated.func.value)
    out_of_place = _out_of_place(conv, ref, method, updated, receiver)
    if out_of_place is None:
        return None
    conv.ctx.consume_patterns(refs)
    return expr(out_of_place if fresh else f"{receiver}.copy_({out_of_place})")


def _out_of_place(
    conv: FileTransformer, ref: TorchReference, method: str, updated: cst.Call, receiver: str
) -> str | None:
    if method in _FILLS:
        if updated.args and (
            len(updated.args) != 1 or updated.args[0].keyword is not None or updated.args[0].star
        ):
            return None
        if method == "fill_" and not updated.args:
            return None
        args = code(updated.args[0].value) if updated.args else ""
        return _FILLS[method].format(x=receiver, args=args)
    if method == "random_":
        return _random(updated, receiver)
    plain = replace(ref, qualified_name=ref.qualified_name[:-1])
    assessment = conv.ctx.assess(plain)
    func = updated.func
    assert isinstance(func, cst.Attribute)
    if assessment is None or assessment.target is None or assessment.fix_blocker is not None:
        return _function_form(conv, ref, method[:-1], updated, receiver)
    source = code(updated.with_changes(func=func.with_changes(attr=cst.Name(method[:-1]))))
    if "\n" in source:
        source = f"({source})"
    try:
        return rewrite_call(source, assessment.target, tensor_method=True).text
    except FixRefused:
        return _function_form(conv, ref, method[:-1], updated, receiver)


def _random(updated: cst.Call, receiver: str) -> str | None:
    """`x.random_(to)` / `x.random_(from, to)`: integers drawn uniformly from [from, to) in x's
    shape and dtype (`randint_like` draws integer dtypes only: drawn as int64, then cast). Not
    `random_()` (the whole range of x's dtype) or a generator."""
    if any(a.star for a in updated.args):
        return None
    positional = [code(a.value) for a in updated.args if a.keyword is None]
    keywords = {a.keyword.value: code(a.value) for a in updated.args if a.keyword is not None}
    if set(keywords) - {"to"} or len(positional) + len(keywords) not in (1, 2):
        return None
    bounds = ["0", *positional] if len(positional) == 1 and not keywords else positional
    if "to" in keywords:
        bounds = [*(positional or ["0"]), keywords["to"]]
    low, high = bounds
    return (
        f"mindspore.ops.randint_like({receiver}, {low}, {high}, dtype=mindspore.int64)"
        f".astype({receiver}.dtype)"
    )


def _function_form(
    conv: FileTransformer, ref: TorchReference, name: str, updated: cst.Call, receiver: str
) -> str | None:
    """`x.m(args)` as torch's function `torch.m(x, args)` (the same computation: torch's methods
    are its functions with the receiver first), where the method's MindSpore target does not run
    on the device and the function's does (`addcdiv`: `Tensor.addcdiv` has no CPU kernel,
    `ops.addcdiv` has)."""
    function = replace(ref, qualified_name=f"torch.{name}", context="call")
    assessment = conv.ctx.assess(function)
    if assessment is None or assessment.target is None or assessment.fix_blocker is not None:
        return None
    if any(a.star for a in updated.args):
        return None
    args = "".join(f", {code(a).strip().rstrip(',')}" for a in updated.args)
    source = f"torch.{name}({_atom(receiver)}{args})"
    if "\n" in source:
        source = f"({source})"
    try:
        return rewrite_call(source, assessment.target).text
    except FixRefused:
        return None


def _atom(text: str) -> str:
    """`text` as an argument of its own: an operation in parentheses."""
    simple = (cst.Name, cst.Attribute, cst.Call, cst.Subscript)
    return text if isinstance(expr(text), simple) else f"({text})"


def _out_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    """`torch.f(..., out=t)` as a statement of its own, `t` a name or attribute:
    `t.copy_(<f(...) as the engine writes it>)`, the result written into t's storage (torch
    resizes `out` to the result's shape; `copy_` needs them to match, or raises)."""
    ref = next((r for r in refs if r.context == "call"), None)
    out = next(
        (a for a in updated.args if a.keyword is not None and a.keyword.value == "out"), None
    )
    if ref is None or out is None or conv.end(original) not in conv.statement_calls:
        return None
    original_out = next(a for a in original.args if a.keyword and a.keyword.value == "out")
    if not _is_stable(original_out.value) or any(a.star for a in updated.args):
        return None
    assessment = conv.ctx.assess(ref)
    if assessment is None or assessment.target is None or assessment.fix_blocker is not None:
        return None
    kept = [a for a in updated.args if a is not out]
    kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    source = code(updated.with_changes(args=kept))
    if "\n" in source:
        source = f"({source})"
    try:
        result = rewrite_call(source, assessment.target).text
    except FixRefused:
        return None
    return expr(f"{code(out.value)}.copy_({result})")


def _requires_grad(
    conv: FileTransformer, original: cst.Call, updated: cst.Call
) -> cst.BaseExpression | None:
    """`<fresh tensor>.requires_grad_()` (a new leaf tensor to optimise) is a MindSpore
    Parameter: what `value_and_grad` and the optimizers differentiate."""
    assert isinstance(original.func, cst.Attribute) and isinstance(updated.func, cst.Attribute)
    if not _is_fresh(conv, original.func.value):
        return None
    if updated.args:
        arg = updated.args[0]
        if len(updated.args) != 1 or arg.star or code(arg.value) != "True":
            return None
        if arg.keyword is not None and arg.keyword.value != "requires_grad":
            return None
    return expr(f"mindspore.Parameter({code(updated.func.value)}, requires_grad=True)")


# ---- a chain of in-place methods as a statement: one statement per method ----
#
# `square_avg.mul_(alpha).addcmul_(grad, grad, value=v)`: each in-place method returns its
# receiver, so the chain is `square_avg.mul_(alpha)` then `square_avg.addcmul_(...)`, each
# written on its own (the engine writes an in-place method only on a name or attribute).


def _chain(conv: FileTransformer, call: cst.BaseExpression) -> list[cst.Call] | None:
    """The in-place calls of `root.m1_(...).m2_(...)` (original nodes, innermost first), when
    the root is a name or attribute and there are at least two."""
    links: list[cst.Call] = []
    node = call
    while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
        method = _method_ref(conv.call_refs(node))
        name = node.func.attr.value
        if method is None or not name.endswith("_") or name.endswith("__"):
            return None
        links.append(node)
        node = node.func.value
    if len(links) < 2 or not _is_stable(node):
        return None
    return links[::-1]


def record_chain(conv: FileTransformer, statement: cst.SimpleStatementLine) -> None:
    """At visit time: a statement that is such a chain; its calls wait for the statement."""
    if len(statement.body) != 1 or not isinstance(statement.body[0], cst.Expr):
        return
    links = _chain(conv, statement.body[0].value)
    if links is not None:
        conv.chain_calls.update(conv.end(link) for link in links)
        conv.chain_statements.add(id(statement))


def deferred_link(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    """A call of a recorded chain stays as it is until its statement is split."""
    return updated if conv.end(original) in conv.chain_calls else None


def split_chain(
    conv: FileTransformer, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
) -> cst.FlattenSentinel | cst.SimpleStatementLine | None:
    from server.convert.file.transformer import code as node_code

    if id(original) not in conv.chain_statements:
        return None
    expression = original.body[0]
    assert isinstance(expression, cst.Expr)
    links = _chain(conv, expression.value)
    assert links is not None
    root = node_code(links[0].func.value)  # type: ignore[attr-defined]
    written: list[str | None] = []
    names: list[str] = []
    for link in links:
        assert isinstance(link.func, cst.Attribute)
        ref = _method_ref(conv.call_refs(link))
        assert ref is not None
        args = "".join(node_code(a).rstrip(", ") + ", " for a in link.args).rstrip(", ")
        names.append(link.func.attr.value)
        written.append(_standalone(conv, ref, f"{root}.{link.func.attr.value}({args})"))
    if any(w is None for w in written):
        failed = ", ".join(f"{n}()" for n, w in zip(names, written, strict=True) if w is None)
        reason = f"{failed} in this chain of in-place updates has no form here"
        for _ in links:  # every in-place call of the chain stays: each is a site left
            conv.mark(original, reason, "tensor-method")
        return None
    statements = [cst.SimpleStatementLine(body=[cst.Expr(expr(t))]) for t in written if t]
    statements[0] = statements[0].with_changes(leading_lines=updated.leading_lines)
    statements[-1] = statements[-1].with_changes(trailing_whitespace=updated.trailing_whitespace)
    return cst.FlattenSentinel(statements)


def _standalone(conv: FileTransformer, ref: TorchReference, single: str) -> str | None:
    """`root.m_(args)` as a statement of its own: the engine's in-place form, or
    `root.copy_(<out of place>)`."""
    assessment = conv.ctx.assess(ref)
    if assessment is None:
        return None
    if assessment.target is not None and assessment.fix_blocker is None:
        try:
            return rewrite_call(single, assessment.target, tensor_method=True).text
        except FixRefused:
            return None
    call = expr(single)
    assert isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
    method = call.func.attr.value
    receiver = code(call.func.value)
    out_of_place = _out_of_place(conv, ref, method, call, receiver)
    return None if out_of_place is None else f"{receiver}.copy_({out_of_place})"
