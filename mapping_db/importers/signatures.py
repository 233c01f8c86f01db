"""Parse the signatures written on the official difference pages.

They look like Python (`class torch.nn.Conv2d(in_channels, ..., bias=True)(input) -> Tensor`)
but are documentation: annotations, `*size, *,`, `<built-in method ...>` defaults, a missing
comma at a line end, a required parameter after one with a default. We want the parameter
order and the defaults as source text, and give up quietly on what does not parse.
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


def _split_top_level(text: str) -> list[str]:
    parts: list[str] = []
    depth, start = 0, 0
    for index, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _clean(inner: str) -> tuple[str, dict[str, str]]:
    """Make the documentation spelling parseable; placeholders stand for `<repr>` defaults."""
    cleaned = re.sub(r"\[\s*,[^\]]*\]", "", inner)  # optional-argument brackets: `[, x]`
    # A value line that ends without its comma (`group=None\n    async_op=False`).
    cleaned = re.sub(r"([\w'\")\]])[ \t]*\n(\s*)(\w+\s*[:=])", r"\1,\n\2\3", cleaned)
    # `*size, *, out=None`: Python allows one star; the vararg already makes the rest keywords.
    cleaned = re.sub(r"(\*\w+\s*,\s*)\*\s*,", r"\1", cleaned)
    reprs: dict[str, str] = {}

    def placeholder(match: re.Match[str]) -> str:
        name = f"_doc_value_{len(reprs)}"
        reprs[name] = match.group(0)
        return name

    return re.sub(r"<[^<>]*>", placeholder, cleaned), reprs


def _restore(code: str, reprs: dict[str, str]) -> str:
    for name, text in reprs.items():
        code = code.replace(name, text)
    return code


def _from_ast(cleaned: str, reprs: dict[str, str]) -> Signature | None:
    try:
        tree = ast.parse(f"def f({cleaned}):\n    pass\n")
    except SyntaxError:
        return None
    func = tree.body[0]
    assert isinstance(func, ast.FunctionDef)
    args = func.args
    signature = Signature()
    positional = [*args.posonlyargs, *args.args]
    signature.positional = [a.arg for a in positional]
    signature.names = {a.arg for a in (*positional, *args.kwonlyargs)}
    with_defaults = positional[len(positional) - len(args.defaults) :]
    for arg, default in zip(with_defaults, args.defaults, strict=True):
        signature.defaults[arg.arg] = _restore(ast.unparse(default), reprs)
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        if default is not None:
            signature.defaults[arg.arg] = _restore(ast.unparse(default), reprs)
    return signature


def _piecewise(cleaned: str, reprs: dict[str, str]) -> Signature:
    """One parameter at a time, for lists Python rejects as a whole (`low=0, high, size`)."""
    signature = Signature()
    keyword_only = False
    for part in _split_top_level(cleaned):
        if part.startswith("*"):
            keyword_only = True  # a bare star or a vararg: what follows is keyword-only
            continue
        name_part, _, default = part.partition("=")
        name = name_part.split(":", 1)[0].strip()
        if not name.isidentifier():
            return Signature()  # not a parameter list we understand
        signature.names.add(name)
        if not keyword_only:
            signature.positional.append(name)
        if default.strip():
            try:
                text = ast.unparse(ast.parse(default.strip(), mode="eval").body)
            except SyntaxError:
                text = default.strip()
            signature.defaults[name] = _restore(text, reprs)
    return signature


def parse_signature(text: str) -> Signature:
    inner = _first_parenthesised(text)
    if inner is None:
        return Signature()
    cleaned, reprs = _clean(inner)
    parsed = _from_ast(cleaned, reprs)
    return parsed if parsed is not None else _piecewise(cleaned, reprs)
