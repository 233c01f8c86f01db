"""Per-case verdicts of a verification result in a few words: "equal except 0-d input (fails)".

A results file (mapping_db.verification) records one verdict line per case that ran:
"equal", or "<status>: case <n> (<arguments>): <how>", where the arguments are written as
`float32[3,4]` for a tensor, `name=value` for a keyword. Hovers, diagnostics and fix titles
say which inputs differ from these lines rather than only how many cases agree.
"""

from __future__ import annotations

import re

from mapping_db.verification import TargetResult

_CASE = re.compile(r"^(?P<status>\w+): case (?P<n>\d+) \((?P<args>.*)$")
_TENSOR = re.compile(r"^(?P<dtype>[a-z]+\d*_?)\[(?P<dims>[\d,]*)\]$")
_NO_KERNEL = re.compile(r"kernel\b.*\bunregistered|Kernel select failed|Create kernelmod")
_INTEGER = ("int64", "int32", "int16", "int8", "uint8")
_SHOWN = 3  # distinct differing cases named in one phrase


def equal_except(result: TargetResult, device: str) -> str | None:
    """'equal except 0-d input (fails); dim=() (differs: shape)' for a result that agreed on
    some cases and not on others; None when it has no per-case verdicts or no case agreed."""
    lines = result.case_verdicts
    if not lines or "equal" not in lines:
        return None
    phrases: list[str] = []
    for line in result.differing_cases():
        phrase = describe_case(line, device)
        if phrase not in phrases:
            phrases.append(phrase)
    if not phrases:
        return None
    shown = "; ".join(phrases[:_SHOWN])
    if len(phrases) > _SHOWN:
        shown += f"; and {len(phrases) - _SHOWN} more"
    return f"equal except {shown}"


def verified_phrase(result: TargetResult, device: str) -> str | None:
    """'verified on CPU: equal except int64 repeats (fails: no CPU kernel)', or None."""
    words = equal_except(result, device)
    return f"verified on {device}: {words}" if words else None


def describe_case(line: str, device: str) -> str:
    """One differing case in a few words: what its input is, then what happened."""
    match = _CASE.match(line)
    if match is None:
        return line.split(":", 1)[0] or "a case"
    args, how = _split_close(match.group("args"))
    what = _what(args) or f"case {match.group('n')}"
    return f"{what} ({_how(match.group('status'), how, device)})"


def _split_close(text: str) -> tuple[str, str]:
    """The arguments up to the parenthesis that closes them, and the rest after ': '."""
    depth = 0
    for index, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            if depth == 0:
                return text[:index], text[index + 1 :].removeprefix(": ")
            depth -= 1
    return text, ""


def _arguments(text: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current = ""
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        parts.append(current.strip())
    return [p for p in parts if p and not p.endswith("...")]


def _what(text: str) -> str:
    """The distinguishing input of a case: a 0-d or empty tensor, integer indices, the
    keyword values, a scalar argument, or the input's dtype and shape."""
    tensors: list[tuple[str, str, str]] = []  # (name, dtype, dims)
    keywords: list[str] = []
    scalars: list[str] = []
    for arg in _arguments(text):
        name, sep, value = arg.partition("=")
        if not sep or not name.isidentifier():
            name, value = "", arg
        tensor = _TENSOR.match(value)
        if tensor is not None:
            tensors.append((name, tensor.group("dtype"), tensor.group("dims")))
        elif name:
            keywords.append(f"{name}={value}")
        else:
            scalars.append(value)
    for name, _, dims in tensors:
        if dims == "":
            return f"0-d {name or 'input'}"
    for name, _, dims in tensors:
        if "0" in dims.split(","):
            return f"empty {name or 'input'}"
    for index, (name, dtype, _) in enumerate(tensors):
        if dtype in _INTEGER and (name or index > 0):
            return f"{dtype} {name or 'index tensor'}"
    if keywords:
        return ", ".join(keywords[:2])
    if scalars:
        return "argument " + ", ".join(scalars[:2])
    if tensors:
        name, dtype, dims = tensors[0]
        return f"{name or 'input'} {dtype}[{dims}]"
    return ""


def _how(status: str, how: str, device: str) -> str:
    if status == "error":
        if _NO_KERNEL.search(how):
            return f"fails: no {device} kernel"
        if "unexpected keyword" in how or "Failed calling" in how:
            return "fails: arguments not accepted"
        return "fails"
    if status == "mismatch":
        output = how.removeprefix("output: ")
        for key, word in (
            ("shape", "shape"),
            ("dtype", "dtype"),
            ("inf/nan", "inf/nan"),
            ("max abs error", "values"),
            ("torch gives", "value"),
        ):
            if output.startswith(key) or key in output[:40]:
                return f"differs: {word}"
        return "differs"
    if status == "timeout":
        return "times out"
    if status == "crash":
        return "crashes"
    return status
