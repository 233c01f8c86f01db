"""Parse the signatures written on the official difference pages.

They look like Python (`class torch.nn.Conv2d(in_channels, ..., bias=True)(input) -> Tensor`)
but are documentation: annotations, `*`, odd defaults. We want the parameter order and the
defaults as source text, and give up quietly on what does not parse.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field


@dataclass(slots=True)
class Signature:
    positional: list[str] = field(default_factory=list)  # names that can be passed by position
    defaults: dict[str, str] = field(default_factory=dict)  # name -> default as source text
    names: set[str] = field(default_factory=set)  # every parameter name


def _first_parenthesised(text: str) -> str | None:
    start = text.find("(")
    if start < 0:
        return None
    depth = 0
    for index in range(start, len(text)):
        char = text[index]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return text[start + 1 : index]
    return None


def parse_signature(text: str) -> Signature:
    inner = _first_parenthesised(text)
    if inner is None:
        return Signature()
    # Doc-only spellings that are not Python: `*,` is fine, `...` defaults and `[, x]` are not.
    cleaned = re.sub(r"\[\s*,[^\]]*\]", "", inner)
    try:
        tree = ast.parse(f"def f({cleaned}):\n    pass\n")
    except SyntaxError:
        return Signature()
    func = tree.body[0]
    assert isinstance(func, ast.FunctionDef)
    args = func.args
    signature = Signature()
    positional = [*args.posonlyargs, *args.args]
    signature.positional = [a.arg for a in positional]
    signature.names = {a.arg for a in (*positional, *args.kwonlyargs)}
    with_defaults = positional[len(positional) - len(args.defaults) :]
    for arg, default in zip(with_defaults, args.defaults, strict=True):
        signature.defaults[arg.arg] = ast.unparse(default)
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if default is not None:
            signature.defaults[arg.arg] = ast.unparse(default)
    return signature
