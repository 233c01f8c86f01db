"""Write a verified workaround formula in place of a torch call, with the call's arguments.

The formula's data (server.advice.formula_fix) names torch's parameters; each is replaced by the
source text of the argument the call passes for it (its default when not passed). A call the
formula does not stand for is refused with the reason: a keyword the signature lacks, a value
outside `covers`, *args, or an argument that is not a plain name but would be evaluated more
than once.
"""

from __future__ import annotations

import ast
import io
import tokenize

from server.advice.formula_fix import LAST_AXES, FormulaForm, same_value
from server.analysis.edits import FixRefused
from server.convert.call_rewrite import Rewrite


def rewrite_with_formula(
    call_source: str, form: FormulaForm, mindspore_alias: str = "mindspore"
) -> Rewrite:
    """The formula for the call expression `call_source` (exactly the call, as in the file)."""
    try:
        call = ast.parse(call_source.strip(), mode="eval").body
    except SyntaxError as exc:
        raise FixRefused(f"the call does not parse on its own: {exc.msg}") from exc
    if not isinstance(call, ast.Call):
        raise FixRefused("the range does not hold a call")
    source = call_source.strip()
    arguments = _bind(call, form, source)
    values = _values(form, arguments)
    text = fill(form.fix, values, mindspore_alias, form)
    for name, term in form.terms:
        passed = arguments.get(name)
        if passed is None or passed == "None":
            continue
        if not _is_simple(ast.parse(passed, mode="eval").body):
            raise FixRefused(f"`{name}` must be a plain name here: assign `{passed}` first")
        text = fill(term, {**values, "_": text}, mindspore_alias, form)
    return Rewrite(_atom(text), ())


def fill(template: str, values: dict[str, str], mindspore_alias: str, form: FormulaForm) -> str:
    """`template` with each name in `values` replaced by its text, `ops` and `ms` by the
    mindspore package as the module names it."""
    tree = ast.parse(template, mode="eval")
    # names passed as a call's argument or a tuple's element need no parentheses
    bare = {
        id(child)
        for node in ast.walk(tree)
        for child in (
            [*node.args, *(k.value for k in node.keywords)]
            if isinstance(node, ast.Call)
            else node.elts
            if isinstance(node, ast.Tuple | ast.List)
            else []
        )
    }
    # a left operand binding at least as tightly as its operator needs none either
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and isinstance(node.left, ast.Name):
            text = values.get(node.left.id)
            if text is not None and _binds(text) >= _PRECEDENCE.get(type(node.op), 9) < 3:
                bare.add(id(node.left))
    spans: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Name):
            continue
        if node.id in values:
            text = values[node.id]
            new = text if id(node) in bare and not _walrus(text) else _atom(text)
            spans.append((node.col_offset, node.end_col_offset or 0, new))
        elif node.id == "ops":
            spans.append((node.col_offset, node.end_col_offset or 0, f"{mindspore_alias}.ops"))
        elif node.id == "ms":
            spans.append((node.col_offset, node.end_col_offset or 0, mindspore_alias))
        elif node.id not in _BUILTINS:
            raise FixRefused(f"the formula of {form.torch_api} names `{node.id}`, no parameter")
    text = template
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return text


_PRECEDENCE: dict[type, int] = {
    ast.Add: 1,
    ast.Sub: 1,
    ast.Mult: 2,
    ast.Div: 2,
    ast.FloorDiv: 2,
    ast.Mod: 2,
    ast.MatMult: 2,
    ast.Pow: 3,
}


def _binds(text: str) -> int:
    """How tightly `text` binds as an operand: its operator's precedence, 9 for an atom."""
    if _enclosed(text):
        return 9
    node = ast.parse(text, mode="eval").body
    if isinstance(node, ast.BinOp):
        return _PRECEDENCE.get(type(node.op), 0)
    return 9 if _atom(text) == text else 0


def _walrus(text: str) -> bool:
    return isinstance(ast.parse(text, mode="eval").body, ast.NamedExpr)


_BUILTINS = frozenset({"float", "int", "tuple", "range", "len", "True", "False", "None"})


def _bind(call: ast.Call, form: FormulaForm, source: str) -> dict[str, str]:
    """torch parameter name -> the source text the call passes for it."""
    names = form.names
    found: dict[str, str] = {}
    for index, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            raise FixRefused("*args hide which arguments are passed: port this call by hand")
        if index >= len(names):
            raise FixRefused(f"more positional arguments than {form.torch_api} takes")
        found[names[index]] = _segment(source, arg)
    for keyword in call.keywords:
        if keyword.arg is None:
            raise FixRefused("**kwargs hide which arguments are passed: port this call by hand")
        if keyword.arg not in names:
            raise FixRefused(f"the verified formula has no `{keyword.arg}`: port this call by hand")
        found[keyword.arg] = _segment(source, keyword.value)
    return found


def _segment(source: str, node: ast.expr) -> str:
    text = ast.get_source_segment(source, node) or ast.unparse(node)
    return f"({text})" if "\n" in text else text


def _values(form: FormulaForm, arguments: dict[str, str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, default in form.signature:
        text = arguments.get(name, default)
        if text is None:
            raise FixRefused(f"{form.torch_api} needs `{name}`")
        allowed = form.covers.get(name)
        if allowed is not None and not any(same_value(text, value) for value in allowed):
            raise FixRefused(
                f"the verified formula stands for {name}={' or '.join(allowed)} only"
                f" (the call has {name}={text}): port this call by hand"
            )
        values[name] = text
    for name, (kind, param) in form.derived.items():
        if kind != LAST_AXES:
            raise FixRefused(f"unknown derived value {kind!r} in the formula data")
        values[name] = _last_axes(values[param])
    uses = _uses(form)
    for name, _ in form.signature:
        text = values[name]
        if uses.get(name, 0) > 1 and not _is_simple(ast.parse(text, mode="eval").body):
            raise FixRefused(
                f"the formula uses `{name}` {uses[name]} times: assign `{text}` to a name first"
            )
    return values


def _uses(form: FormulaForm) -> dict[str, int]:
    counts: dict[str, int] = {}
    for template in (form.fix, *(term for _, term in form.terms)):
        for node in ast.walk(ast.parse(template, mode="eval")):
            if isinstance(node, ast.Name):
                counts[node.id] = counts.get(node.id, 0) + 1
    for _, param in form.derived.values():  # a derived value repeats its argument
        counts[param] = counts.get(param, 0) + sum(
            counts.get(name, 0) for name, (_, p) in form.derived.items() if p == param
        )
    return counts


def _last_axes(shape: str) -> str:
    """The axes a normalized shape covers: its last len(shape) axes."""
    node = ast.parse(shape, mode="eval").body
    if isinstance(node, ast.Constant) and isinstance(node.value, int):
        return "-1"
    if isinstance(node, ast.Tuple | ast.List):
        count = len(node.elts)
        if count == 0 or any(isinstance(e, ast.Starred) for e in node.elts):
            raise FixRefused(f"cannot tell how many axes `{shape}` covers")
        if count == 1:
            return "-1"
        return "(" + ", ".join(str(-i) for i in range(count, 0, -1)) + ")"
    if not _is_simple(node):
        raise FixRefused(f"assign the normalized shape `{shape}` to a name first")
    return f"tuple(range(-len({shape}), 0))"


def _is_simple(node: ast.expr) -> bool:
    """A name, attribute, literal or subscript of those: cheap and the same each time."""
    if isinstance(node, ast.Name | ast.Constant):
        return True
    if isinstance(node, ast.Attribute):
        return _is_simple(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return isinstance(node.operand, ast.Constant)
    if isinstance(node, ast.Tuple | ast.List):
        return all(_is_simple(e) for e in node.elts)
    if isinstance(node, ast.Subscript):
        return _is_simple(node.value) and _is_simple_index(node.slice)
    return False


def _is_simple_index(node: ast.expr) -> bool:
    if isinstance(node, ast.Slice):
        return all(part is None or _is_simple(part) for part in (node.lower, node.upper, node.step))
    if isinstance(node, ast.Tuple):
        return all(_is_simple_index(e) for e in node.elts)
    return _is_simple(node)


def _atom(text: str) -> str:
    """`text` as an operand: parenthesized unless it is a name, call, attribute, subscript or
    literal, or in parentheses already."""
    if _enclosed(text):
        return text
    node = ast.parse(text, mode="eval").body
    atomic = ast.Name | ast.Call | ast.Attribute | ast.Subscript | ast.List | ast.Dict
    if isinstance(node, atomic):
        return text
    if isinstance(node, ast.Constant) and not (
        isinstance(node.value, int | float) and text.lstrip().startswith("-")
    ):
        return text
    return f"({text})"


def _enclosed(text: str) -> bool:
    """The whole text is one parenthesized expression: `(a + b)`, not `(a) + (b)`."""
    text = text.strip()
    if not (text.startswith("(") and text.endswith(")")):
        return False
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return False
    depth = 0
    ops = [t for t in tokens if t.type == tokenize.OP and t.string in "()[]{}"]
    for index, token in enumerate(ops):
        depth += 1 if token.string in "([{" else -1
        if depth == 0:
            return index == len(ops) - 1
    return False
