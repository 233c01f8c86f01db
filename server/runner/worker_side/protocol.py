"""The worker's end of the JSON lines protocol: a private stdout, answers, and errors that name
the user's own frame."""

import json
import os
import sys
import traceback

_OUT = None  # the real stdout, once claimed
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class UserError(Exception):
    """Something about the user's files or arguments (exit 2 in the CLI), not a crash."""


def claim_stdout():
    """Keep fd 1 for our JSON lines; everything else printed (Python or C level) goes to
    stderr."""
    global _OUT
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    _OUT = saved


def send(message):
    data = (json.dumps(message, default=_jsonable) + "\n").encode("utf-8")
    while data:
        data = data[os.write(_OUT, data) :]


def _jsonable(value):
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def progress(text):
    send({"progress": text})


def _first_line(text):
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()[:500]
    return ""


def _is_framework(path):
    parts = os.path.normpath(path).split(os.sep)
    return "site-packages" in parts or "dist-packages" in parts or path.startswith("<")


def user_frame(exc, user_root):
    """The innermost frame of the user's code: in `user_root`, else outside our package and the
    installed libraries."""
    frames = traceback.extract_tb(exc.__traceback__)
    root = os.path.abspath(user_root) + os.sep if user_root else None
    best = None
    for frame in frames:
        path = os.path.abspath(frame.filename)
        if path.startswith(_PACKAGE_DIR):
            continue
        if root and path.startswith(root):
            best = frame
        elif best is None and not _is_framework(path):
            best = frame
    if best is None:
        return None
    return {
        "file": best.filename,
        "line": best.lineno,
        "function": best.name,
        "code": (best.line or "").strip(),
    }


def error_info(exc, user_root=None, stage=""):
    kind = "user" if isinstance(exc, UserError) else "error"
    text = str(exc).lower()
    if isinstance(exc, MemoryError) or "out of memory" in text or "can't allocate memory" in text:
        kind = "memory"
    message = _first_line(exc) or type(exc).__name__
    if kind == "memory" and not message.lower().startswith("out of memory"):
        message = "out of memory" + (f": {message}" if message != "MemoryError" else "")
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return {
        "kind": kind,
        "type": type(exc).__name__,
        "message": message,
        "frame": None if kind == "user" else user_frame(exc, user_root),
        "stage": stage,
        "traceback": text[-6000:],
    }
