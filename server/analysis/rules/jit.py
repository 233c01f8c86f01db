"""TorchScript and torch.compile: compile with mindspore.jit instead."""

from __future__ import annotations

from server.analysis.rules.base import DOCS, Rule, TorchNames

RULES = (
    Rule(
        "jit",
        "jit",
        "TorchScript / torch.compile",
        "Compile with mindspore.jit (a decorator on construct or a function) or run the whole "
        "network in graph mode; TorchScript's script/trace have no counterpart.",
        f"{DOCS}/api_python/mindspore/mindspore.jit.html",
        TorchNames((("torch.jit", False), ("torch.compile", True))),
    ),
)
