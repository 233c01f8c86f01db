"""Workaround formulas for torch APIs MindSpore lacks, read from data/workarounds.toml.

The file is the one source of truth: the loader attaches each formula to its entry (shown in
hovers and `scan`), and `mindport db verify` runs it against the torch call it stands for.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

WORKAROUNDS_FILE = Path(__file__).resolve().parent / "data" / "workarounds.toml"


@dataclass(frozen=True, slots=True)
class Workaround:
    mindspore: str  # expression over `ops`, `ms` and the inputs
    torch: str  # the torch call it stands for, over the same inputs
    inputs: tuple[tuple[str, str, tuple[int, ...]], ...]  # (name, kind, shape)


def parse_workarounds(text: str) -> dict[str, Workaround]:
    table = tomllib.loads(text)
    return {
        api: Workaround(
            row["mindspore"],
            row["torch"],
            tuple((name, kind, tuple(shape)) for name, kind, shape in row.get("inputs", ())),
        )
        for api, row in table.items()
    }


@cache
def load_workarounds(path: Path = WORKAROUNDS_FILE) -> dict[str, Workaround]:
    return parse_workarounds(path.read_text(encoding="utf-8"))
