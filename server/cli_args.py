"""What every `mindport` verb shares on its command line: the parser, and argument types that
answer a bad value the same way everywhere (one line, exit status 2)."""

from __future__ import annotations

import argparse
import difflib

from server.settings import DEVICES

EXIT_CODES = "exit status: 0 nothing blocks, 1 findings or problems that block, 2 bad usage"


class Parser(argparse.ArgumentParser):
    """argparse, with a bad argument answered by one line (and exit status 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def device_arg(text: str) -> str:
    """CPU, GPU or Ascend, in any case; anything else is a usage error."""
    for device in DEVICES:
        if text.lower() == device.lower():
            return device
    raise argparse.ArgumentTypeError(
        f"expected one of {', '.join(DEVICES)}, got {text!r}" + did_you_mean(text, DEVICES)
    )


def did_you_mean(text: str, names: list[str] | tuple[str, ...], n: int = 1) -> str:
    """`; did you mean X?` when a name is close to `text` (difflib), else ''."""
    lowered = {name.lower(): name for name in names}
    close = difflib.get_close_matches(text.lower(), list(lowered), n=n, cutoff=0.6)
    if not close:
        return ""
    return f"; did you mean {' or '.join(lowered[c] for c in close)}?"
