"""Rewrite one torch call (or name) to its MindSpore target with libcst.

Only the expression being fixed is parsed, so a quick fix costs a few milliseconds whatever
the size of the file, and comments inside the call survive.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

import libcst as cst

from mapping_db.model import ALWAYS_DROPPED, DROPPED_AT_DEFAULT, PLACEMENT_ONLY, Target
from server.analysis.edits import FixRefused

_KEYWORD_MODE = "\0keyword-mode"


@dataclass(frozen=True, slots=True)
class Rewrite:
    text: str
    changes: tuple[str, ...]  # what was done, for the code action's title and tests


def target_expression(target: Target, mindspore_alias: str = "mindspore") -> str:
    """`mindspore.nn.Conv2d` written with the module's own name for the mindspore package."""
    if not target.api.startswith("mindspore."):
        raise FixRefused(f"{target.api} is not a mindspore API")
    return mindspore_alias + target.api[len("mindspore") :]


def rewrite_name(target: Target, mindspore_alias: str = "mindspore") -> Rewrite:
    """A non-call reference (`nn.Module` as a base class, `Tensor` in an annotation)."""
    if target.api.startswith("mindspore.Tensor."):
        raise FixRefused("a Tensor method needs its receiver; rewrite it at the call")
    text = target_expression(target, mindspore_alias)
    return Rewrite(text, (f"use {target.api}",))


def rewrite_call(
    call_source: str,
    target: Target,
    *,
    tensor_method: bool = False,
    mindspore_alias: str = "mindspore",
) -> Rewrite:
    """Rewrite the call expression `call_source` (exactly the call, as in the file)."""
    try:
        call = cst.parse_expression(call_source)
    except cst.ParserSyntaxError as exc:
        raise FixRefused(f"the call does not parse on its own: {exc.message}") from exc
    if not isinstance(call, cst.Call):
        raise FixRefused("the range does not hold a call")
    changes: list[str] = []
    call = _leading_default_written(call, target, changes)
    if target.value_transforms.get("*") == ALL_ARGUMENTS:
        _check_all_arguments(call, target)
    if tensor_method and target.api in ATTRIBUTE_TARGETS:
        return _method_to_attribute(call, target)
    if tensor_method and target.value_transforms.get(RECEIVER) == RECEIVER_FIRST:
        return _method_to_function(call, target, mindspore_alias, changes)
    if tensor_method:
        if not target.api.startswith("mindspore.Tensor."):
            raise FixRefused(f"{target.api} is not a Tensor method")
        if not isinstance(call.func, cst.Attribute):
            raise FixRefused("the call is not a method call")
        method = target.api.rsplit(".", 1)[1]
        if method != call.func.attr.value:
            changes.append(f"method {call.func.attr.value} → {method}")
        func: cst.BaseExpression = call.func.with_changes(attr=cst.Name(method))
    else:
        func = cst.parse_expression(target_expression(target, mindspore_alias))
        changes.append(f"use {target.api}")
    args = _translate_arguments(_packed(list(call.args), target, changes), target, changes)
    args = [_dtype_translated(arg, mindspore_alias, changes) for arg in args]
    new_call: cst.BaseExpression = call.with_changes(func=func, args=args)
    result = target.value_transforms.get(RESULT)
    if result is not None:
        receiver = _receiver_code(call, tensor_method) if "{self}" in result else ""
        new_call = cst.parse_expression(result.format(_code(new_call), self=receiver))
        changes.append("result converted")
    return Rewrite(cst.Module(body=[]).code_for_node(new_call), tuple(changes))


def _receiver_code(call: cst.Call, tensor_method: bool) -> str:
    """The tensor an in-place call changes, for a result template that names it ("{self}":
    x.clamp_(...) written as x.assign_value(x.clamp(...)), torch.relu_(x) as
    x.assign_value(mindspore.ops.relu(x))): a method's receiver, a function's first argument
    (or input=); only a plain name or attribute, since the template evaluates it twice."""
    if tensor_method:
        changed = call.func.value if isinstance(call.func, cst.Attribute) else None
    else:
        positional = [a for a in call.args if a.keyword is None]
        keyword = [a for a in call.args if a.keyword is not None and a.keyword.value == "input"]
        first = positional[:1] or keyword
        changed = first[0].value if first and not first[0].star else None
    if isinstance(changed, cst.Name | cst.Attribute):
        return _code(changed)
    raise FixRefused("the tensor changed in place is an expression: assign the result by hand")


# A value transform on the pseudo-parameter "return": a template for the whole rewritten call,
# e.g. "{}.astype(mindspore.int64)" where MindSpore returns int32 indices and torch int64.
RESULT = "return"


def _dtype_translated(arg: cst.Arg, mindspore_alias: str, changes: list[str]) -> cst.Arg:
    """`dtype=torch.long` (or a torch dtype passed positionally) becomes `mindspore.int64`:
    the dtype entries of the database say which MindSpore dtype each torch dtype is."""
    value = arg.value
    if not (
        isinstance(value, cst.Attribute)
        and isinstance(value.value, cst.Name)
        and value.value.value == "torch"
    ):
        return arg
    name = torch_dtype_target(value.attr.value)
    if name is None:
        return arg
    changes.append(f"torch.{value.attr.value} → {name}")
    return arg.with_changes(value=cst.parse_expression(mindspore_alias + name[len("mindspore") :]))


def torch_dtype_target(name: str) -> str | None:
    """The MindSpore dtype that torch.<name> is, from the database's dtype entries."""
    from mapping_db.store import load_database

    entry = load_database().get(f"torch.{name}")
    if entry is None or entry.kind != "attribute" or len(entry.targets) != 1:
        return None
    api = entry.targets[0].api
    return api if api.startswith("mindspore.") and api.count(".") == 1 else None


# A value transform on the pseudo-parameter "self": the method's receiver becomes the first
# argument of a function target (x.detach() -> mindspore.ops.stop_gradient(x)).
RECEIVER = "self"
RECEIVER_FIRST = "receiver-first"


def _method_to_function(
    call: cst.Call, target: Target, mindspore_alias: str, changes: list[str]
) -> Rewrite:
    if not isinstance(call.func, cst.Attribute):
        raise FixRefused("the call is not a method call")
    if any(a.keyword is None for a in call.args) and target.mindspore_params:
        raise FixRefused("positional arguments of a method moved into a function: port by hand")
    func = cst.parse_expression(target_expression(target, mindspore_alias))
    changes.append(f"use {target.api}")
    args = _translate_arguments(list(call.args), target, changes)
    receiver = cst.Arg(value=call.func.value)
    new_call = call.with_changes(func=func, args=_fix_commas([receiver, *args]))
    result = target.value_transforms.get(RESULT)
    if result is not None:  # x.zero_() -> x.assign_value(mindspore.ops.zeros_like(x))
        code = result.format(_code(new_call), self=_receiver_code(call, True))
        changes.append("result converted")
        return Rewrite(_code(cst.parse_expression(code)), tuple(changes))
    return Rewrite(_code(new_call), tuple(changes))


# Tensor methods whose MindSpore counterpart is an attribute: x.size() -> x.shape.
ATTRIBUTE_TARGETS = frozenset(
    {"mindspore.Tensor.shape", "mindspore.Tensor.dtype", "mindspore.Tensor.itemsize"}
)


# A value transform on the pseudo-parameter "*": the map covers only calls that pass every
# parameter of torch_params; torch.where(c) (one argument) is another overload than
# where(c, x, y), and the target's note says what to write for it.
ALL_ARGUMENTS = "all-arguments"


def _leading_default_written(call: cst.Call, target: Target, changes: list[str]) -> cst.Call:
    """torch's overloads that leave out a leading parameter (`randint(high, size)` for
    `randint(low=0, high, size)`): the data lists a first parameter with a default before
    parameters without one, which no Python signature can hold. A call that passes exactly
    the parameters without a default, and not the first, gets the first's default written
    in front, so the positions bind as torch binds them."""
    facts = {f.torch: f for f in target.params if f.torch}
    names = target.torch_params
    first = facts.get(names[0]) if names else None
    if first is None or first.torch_default is None or any(a.star for a in call.args):
        return call
    required: list[str] = []
    for name in names[1:]:
        fact = facts.get(name)
        if fact is None or fact.torch_default is not None:
            break
        required.append(name)
    keywords = {a.keyword.value for a in call.args if a.keyword is not None}
    if not required or names[0] in keywords:
        return call
    positional = sum(1 for a in call.args if a.keyword is None)
    passed = positional + len(keywords & set(required[positional:]))
    if positional > len(required) or passed != len(required):
        return call
    changes.append(f"{names[0]}={first.torch_default} written (torch's default in this form)")
    return call.with_changes(args=[cst.Arg(cst.parse_expression(first.torch_default)), *call.args])


def _check_all_arguments(call: cst.Call, target: Target) -> None:
    if any(a.star for a in call.args):
        raise FixRefused("*args hide which form of the call this is: port it by hand")
    positional = sum(1 for a in call.args if a.keyword is None)
    keywords = {a.keyword.value for a in call.args if a.keyword is not None}
    passed = positional + len(keywords & set(target.torch_params[positional:]))
    if passed < len(target.torch_params):
        covered = ", ".join(target.torch_params)
        raise FixRefused(
            f"the call passes {passed} of the arguments the map covers ({covered}): another"
            " form of the call, which has no counterpart in this target; port it by hand"
        )


def _method_to_attribute(call: cst.Call, target: Target) -> Rewrite:
    if not isinstance(call.func, cst.Attribute):
        raise FixRefused("the call is not a method call")
    attribute = target.api.rsplit(".", 1)[1]
    new: cst.BaseExpression = call.func.with_changes(attr=cst.Name(attribute))
    if len(call.args) == 1 and call.args[0].keyword is None and not call.args[0].star:
        new = cst.Subscript(
            value=new, slice=[cst.SubscriptElement(slice=cst.Index(value=call.args[0].value))]
        )
    elif call.args:
        raise FixRefused(f"{call.func.attr.value}() with these arguments needs a manual port")
    return Rewrite(_code(new), (f"{call.func.attr.value}() → .{attribute}",))


# A value transform on the pseudo-parameter "*": torch's `x.expand(2, 3)` spreads a shape over
# its positional arguments where MindSpore's `x.broadcast_to((2, 3))` takes one tuple.
PACK = "pack-into-tuple"


# Like PACK, for targets that also take one int (mint.zeros(4)): a single size is left as it is.
PACK_SEVERAL = "pack-several-into-tuple"


def _packed(args: list[cst.Arg], target: Target, changes: list[str]) -> list[cst.Arg]:
    mode = target.value_transforms.get("*")
    if mode not in (PACK, PACK_SEVERAL):
        return args
    positional = [a for a in args if a.keyword is None and not a.star]
    if not positional:
        return args
    if mode == PACK_SEVERAL and len(positional) == 1 and not positional[0].star:
        return args  # one size or one shape: the target takes either
    if any(a.star for a in args):
        raise FixRefused("*args hide how many sizes are passed")
    if len(positional) == 1:
        value = positional[0].value
        if isinstance(value, cst.Tuple | cst.List):
            return args  # already one shape: x.expand((2, 3))
        if not _is_int_literal(value):
            raise FixRefused(
                f"cannot tell whether `{_code(value)}` is one size or a whole shape: write"
                " the shape as a tuple"
            )
    sizes = ", ".join(_code(a.value) for a in positional)
    packed = cst.Arg(
        value=cst.parse_expression(f"({sizes},)" if len(positional) == 1 else f"({sizes})")
    )
    changes.append("sizes packed into one tuple")
    rest = [a for a in args if a.keyword is not None]
    return _fix_commas([packed, *rest])


def _is_int_literal(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.UnaryOperation) and isinstance(value.operator, cst.Minus):
        value = value.expression
    return isinstance(value, cst.Integer)


def _translate_arguments(args: list[cst.Arg], target: Target, changes: list[str]) -> list[cst.Arg]:
    torch_defaults = {f.torch: f.torch_default for f in target.params if f.torch}
    given: set[str] = set()
    values = _torch_argument_sources(args, target)
    out: list[cst.Arg] = []
    for index, arg in enumerate(args):
        if arg.star:
            if target.rename or target.set_args or target.defaults:
                raise FixRefused("*args/**kwargs hide which parameters are passed")
            out.append(arg)
            continue
        if arg.keyword is None:
            positional = _positional(index, arg, target, torch_defaults, given, changes)
            if positional is not None:
                out.append(positional)
            continue
        out_arg = _keyword(arg, target, torch_defaults, given, changes)
        if out_arg is not None:
            out.append(out_arg)
    for torch_name, value in target.defaults.items():
        ms_name = target.rename.get(torch_name, torch_name)
        if torch_name not in given and ms_name not in given:
            value = _fill_references(value, values, torch_name)
            if torch_name in target.value_transforms:
                template = target.value_transforms[torch_name]
                value = _code(_transformed(cst.parse_expression(value), template))
            out.append(_make_keyword(ms_name, value))
            given.add(ms_name)
            changes.append(f"write out {ms_name}={value}")
    for name, value in target.set_args.items():
        if name not in given:
            out.append(_make_keyword(name, value))
            changes.append(f"set {name}={value}")
    scale = values.get("scale_factor")
    if (
        target.value_transforms.get("scale_factor") == INTEGRAL_SCALE
        and scale is not None
        and _is_integral(cst.parse_expression(scale))
        and "recompute_scale_factor" not in given
    ):
        out.append(_make_keyword("recompute_scale_factor", "True"))
        changes.append("set recompute_scale_factor=True (a whole scale factor)")
    return _fix_commas(out)


def _positional(
    index: int,
    arg: cst.Arg,
    target: Target,
    torch_defaults: dict[str, str | None],
    given: set[str],
    changes: list[str],
) -> cst.Arg | None:
    torch_name = target.torch_params[index] if index < len(target.torch_params) else None
    if torch_name is not None and _has_no_counterpart(torch_name, target):
        # torch.diag(x, 2): dropped like the keyword form when it holds the default, else
        # refused; every later positional argument must then be written as a keyword.
        as_keyword = arg.with_changes(
            keyword=cst.Name(torch_name),
            equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""),
                whitespace_after=cst.SimpleWhitespace(""),
            ),
        )
        kept = _keyword(as_keyword, target, torch_defaults, given, changes)
        given.add(_KEYWORD_MODE)
        return kept
    if torch_name in target.value_transforms:
        arg = arg.with_changes(value=_transformed(arg.value, target.value_transforms[torch_name]))
    if index >= len(target.torch_params):
        if not target.torch_params and target.defaults:
            # unknown signature: the positional argument may be the one a default is written for
            raise FixRefused("positional arguments cannot be matched to torch's parameters")
        if target.torch_params and target.torch_params[-1:] != ("*args",):
            raise FixRefused(f"more positional arguments than torch's signature has ({index + 1})")
        return arg
    torch_name = target.torch_params[index]
    given.add(torch_name)
    ms_name = target.rename.get(torch_name, torch_name)
    # Once one positional argument became a keyword, every later one must be a keyword too.
    keyword_mode = _KEYWORD_MODE in given
    same_slot = index < len(target.mindspore_params) and target.mindspore_params[index] == ms_name
    if not keyword_mode and (same_slot or not target.mindspore_params):
        return arg
    given.add(_KEYWORD_MODE)
    _check_unsupported(torch_name, arg.value, target)
    changes.append(
        f"{torch_name} by keyword" if ms_name == torch_name else f"{torch_name} as {ms_name}="
    )
    given.add(ms_name)
    return _make_keyword(ms_name, cst.Module(body=[]).code_for_node(arg.value))


def _keyword(
    arg: cst.Arg,
    target: Target,
    torch_defaults: dict[str, str | None],
    given: set[str],
    changes: list[str],
) -> cst.Arg | None:
    assert arg.keyword is not None
    name = arg.keyword.value
    given.add(name)
    if name in ALWAYS_DROPPED and name not in target.mindspore_params:
        changes.append(f"drop {name} (MindSpore has no in-place variant)")
        return None
    foreign = name not in target.mindspore_params and name not in target.rename
    if name in PLACEMENT_ONLY and foreign and name not in target.set_args:
        changes.append(f"drop {name} (placement or implementation only)")
        return None
    if name in DROPPED_AT_DEFAULT and foreign and name not in target.value_transforms:
        code = _code(arg.value)
        if code in (DROPPED_AT_DEFAULT[name], "None"):
            changes.append(f"drop {name}={code}")
            return None
        raise FixRefused(
            f"MindSpore's {target.api} has no `{name}`; {name}={code} needs a manual port"
        )
    _check_unsupported(name, arg.value, target)
    if name in target.drop:
        changes.append(f"drop {name}")
        return None
    if name in target.value_transforms:
        arg = arg.with_changes(value=_transformed(arg.value, target.value_transforms[name]))
        changes.append(f"{name} value converted")
    if name in target.drop_if_default:
        code = cst.Module(body=[]).code_for_node(arg.value)
        default = torch_defaults.get(name)
        if code == "None" or (default is not None and code == default):
            changes.append(f"drop {name}={code}")
            return None
        raise FixRefused(f"MindSpore has no `{name}`; {name}={code} needs a manual port")
    if name in _torch_only(target):
        raise FixRefused(f"MindSpore's {target.api} has no `{name}`: port this call by hand")
    if name in target.rename:
        new = target.rename[name]
        given.add(new)
        changes.append(f"{name} → {new}")
        return arg.with_changes(keyword=cst.Name(new))
    return arg


def _has_no_counterpart(name: str, target: Target) -> bool:
    if name in target.mindspore_params or name in target.rename:
        return False
    return name in target.drop or name in target.drop_if_default or name in _torch_only(target)


def _torch_only(target: Target) -> set[str]:
    return {f.torch for f in target.params if f.kind == "torch-only" and f.torch}


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _transformed(value: cst.BaseExpression, template: str) -> cst.BaseExpression:
    """Apply a value template such as "1 - {}" (BatchNorm momentum) to the torch value."""
    code = _code(value)
    if code == "None":  # e.g. BatchNorm momentum=None (a cumulative average): no formula fits
        raise FixRefused(f"None cannot be converted with `{template.format('x')}`")
    named = _NAMED_TRANSFORMS.get(template)
    if named is not None:
        return named(value)
    simple = isinstance(
        value, cst.Name | cst.Integer | cst.Float | cst.Attribute | cst.SimpleString
    )
    result = template.format(code if simple else f"({code})")
    return cst.parse_expression(_folded_literal(result))


def _folded_literal(code: str) -> str:
    """A literal result is written as its value: `'none' == 'tanh'` -> `False`, `float(0)`
    -> `0.0`, `int(True)` -> `1`."""
    try:
        node = ast.parse(code, mode="eval").body
    except SyntaxError:
        return code
    if isinstance(node, ast.Compare) and all(
        isinstance(part, ast.Constant) for part in (node.left, *node.comparators)
    ):
        return repr(eval(compile(ast.Expression(node), "<value>", "eval"), {"__builtins__": {}}))
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("float", "int")
        and len(node.args) == 1
        and not node.keywords
        and isinstance(node.args[0], ast.Constant)
        and type(node.args[0].value) in (bool, int, float)
    ):
        convert = float if node.func.id == "float" else int
        return repr(convert(node.args[0].value))
    return code


# A value transform for padding: torch's per-dimension (h, w) becomes MindSpore's per-side
# (top, bottom, left, right); a single number stays as it is.
PAIRS_TO_SIDES = "pairs-to-sides"


# A value transform for a normalized shape (LayerNorm): MindSpore wants a tuple and normalizes
# the last axis by default, so only a one-axis shape converts as it is.
ONE_AXIS_SHAPE = "one-axis-shape"


def _one_axis_shape(value: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(value, cst.Integer):
        return cst.parse_expression(f"({_code(value)},)")
    if isinstance(value, cst.Tuple | cst.List) and len(value.elements) == 1:
        return cst.parse_expression(f"({_code(value.elements[0].value)},)")
    raise FixRefused(
        f"cannot tell whether `{_code(value)}` is one axis: MindSpore needs a tuple and, for"
        " several axes, begin_norm_axis and begin_params_axis set to minus their count"
    )


def _pairs_to_sides(value: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(value, cst.Tuple | cst.List):
        parts = [_code(element.value) for element in value.elements]
        sides = ", ".join(part for part in parts for _ in (0, 1))
        return cst.parse_expression(f"({sides})")
    if isinstance(value, cst.Integer):
        return value
    raise FixRefused(f"cannot tell whether `{_code(value)}` is one number or one per dimension")


def _torch_argument_sources(args: list[cst.Arg], target: Target) -> dict[str, str]:
    """torch parameter name -> source text of the argument passed for it."""
    found: dict[str, str] = {}
    for index, arg in enumerate(args):
        if arg.star:
            continue
        if arg.keyword is not None:
            found[arg.keyword.value] = _code(arg.value)
        elif index < len(target.torch_params):
            found[target.torch_params[index]] = _code(arg.value)
    return found


def _fill_references(value: str, arguments: dict[str, str], for_name: str) -> str:
    """A default like "{kernel_size}" (MaxPool2d stride) takes another argument's text."""
    if "{" not in value:
        return value
    try:
        return value.format(**arguments)
    except (KeyError, IndexError) as exc:
        raise FixRefused(f"cannot write out {for_name}: {exc} is not passed") from exc


def _check_unsupported(name: str, value: cst.BaseExpression, target: Target) -> None:
    bad = target.unsupported.get(name)
    if not bad:
        return
    code = cst.Module(body=[]).code_for_node(value)
    normalized = code.replace('"', "'")
    if normalized in {v.replace('"', "'") for v in bad}:
        raise FixRefused(f"{name}={code} has no MindSpore counterpart in {target.api}")


def _make_keyword(name: str, value_code: str) -> cst.Arg:
    return cst.Arg(
        keyword=cst.Name(name),
        value=cst.parse_expression(value_code),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )


# A value transform for a dtype written out from a fill value (torch.full((2, 2), 3.0) is
# float32, MindSpore's ops.full would give int64): the dtype torch infers from a literal.
DTYPE_OF_LITERAL = "dtype-of-literal"


def _dtype_of_literal(value: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(value, cst.Attribute):  # an explicit dtype: translated like any other
        return value
    inner = value.expression if isinstance(value, cst.UnaryOperation) else value
    if isinstance(inner, cst.Name) and inner.value in ("True", "False"):
        return cst.parse_expression("mindspore.bool_")
    if isinstance(inner, cst.Float) or (
        isinstance(inner, cst.Name) and inner.value in ("inf", "nan")
    ):
        return cst.parse_expression("mindspore.float32")
    if isinstance(inner, cst.Call) and _code(inner.func) == "float":
        return cst.parse_expression("mindspore.float32")
    if isinstance(inner, cst.Integer):
        return cst.parse_expression("mindspore.int64")
    raise FixRefused(
        f"cannot tell which dtype torch infers from `{_code(value)}`: pass dtype= explicitly"
    )


# A value transform for interpolate's scale_factor: MindSpore wants a float, and on 4-D input
# its nearest mode takes a scale factor only with recompute_scale_factor=True. For a whole
# number (2, 2.0, (2, 2)) the recomputed scale is the same one, so the fix sets it there;
# a fractional one is left to MindSpore's own rules (verification names that case).
INTEGRAL_SCALE = "float-scale-recompute-if-whole"


def _is_integral(value: cst.BaseExpression) -> bool:
    if isinstance(value, cst.Tuple | cst.List):
        return bool(value.elements) and all(_is_integral(e.value) for e in value.elements)
    if isinstance(value, cst.Integer):
        return True
    if isinstance(value, cst.Float):
        return float(value.value).is_integer()
    return False


def _float_scale(value: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(value, cst.Tuple | cst.List):
        parts = ", ".join(_code(_float_scale(e.value)) for e in value.elements)
        return cst.parse_expression(f"({parts},)" if len(value.elements) == 1 else f"({parts})")
    if isinstance(value, cst.Integer):
        return cst.parse_expression(repr(float(int(value.value, 0))))
    if isinstance(value, cst.Float):
        return value
    return cst.parse_expression(f"float({_code(value)})")


# Value transforms for arguments torch takes as an int or a tuple and MindSpore as one form
# only: fft2's dim=0 becomes dim=(0,); avg_pool1d's kernel_size=(3,) becomes 3. A value the
# fix cannot read (a variable) is left as written: MindSpore then raises, it never differs.
INT_TO_TUPLE = "int-to-one-tuple"
ONE_TUPLE_TO_INT = "one-tuple-to-int"
# A float MindSpore wants as an int (triplet_margin_loss's p): a whole number is written as
# an int; a fractional or unreadable one is refused, since truncating it changes the result.
WHOLE_FLOAT_TO_INT = "whole-float-to-int"


def _int_to_one_tuple(value: cst.BaseExpression) -> cst.BaseExpression:
    if _is_int_literal(value):
        return cst.parse_expression(f"({_code(value)},)")
    return value


def _one_tuple_to_int(value: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(value, cst.Tuple | cst.List) and len(value.elements) == 1:
        return value.elements[0].value
    return value


def _whole_float_to_int(value: cst.BaseExpression) -> cst.BaseExpression:
    if _is_int_literal(value):
        return value
    inner = value.expression if isinstance(value, cst.UnaryOperation) else value
    if isinstance(inner, cst.Float) and float(inner.value).is_integer():
        sign = "-" if inner is not value else ""
        return cst.parse_expression(f"{sign}{int(float(inner.value))}")
    raise FixRefused(f"MindSpore takes an integer here; `{_code(value)}` needs a manual port")


# Value transforms that are code, not a "{}" template, by the name the data uses.
_NAMED_TRANSFORMS = {
    INTEGRAL_SCALE: _float_scale,
    PAIRS_TO_SIDES: _pairs_to_sides,
    ONE_AXIS_SHAPE: _one_axis_shape,
    DTYPE_OF_LITERAL: _dtype_of_literal,
    INT_TO_TUPLE: _int_to_one_tuple,
    ONE_TUPLE_TO_INT: _one_tuple_to_int,
    WHOLE_FLOAT_TO_INT: _whole_float_to_int,
}


def _fix_commas(args: list[cst.Arg]) -> list[cst.Arg]:
    """Every argument but the last needs a comma; keep the original comma's whitespace."""
    fixed: list[cst.Arg] = []
    for i, arg in enumerate(args):
        last = i == len(args) - 1
        if not last and arg.comma is cst.MaybeSentinel.DEFAULT:
            arg = arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        elif (
            last
            and isinstance(arg.comma, cst.Comma)
            and isinstance(arg.comma.whitespace_after, cst.SimpleWhitespace)
        ):
            # the argument after it was dropped: `f(x, )` would be left; a trailing comma
            # before a line break (a multi-line call) stays
            arg = arg.with_changes(comma=cst.MaybeSentinel.DEFAULT)
        fixed.append(arg)
    return fixed
