"""Automatic mixed precision: autocast and GradScaler become mindspore.amp."""

from __future__ import annotations

from server.analysis.rules.base import DOCS, Rule, TorchNames

RULES = (
    Rule(
        "amp",
        "amp",
        "automatic mixed precision",
        "Use mindspore.amp: auto_mixed_precision(network, amp_level='O1'|'O2') for autocast, "
        "and DynamicLossScaler / StaticLossScaler with all_finite for GradScaler.",
        f"{DOCS}/api_python/mindspore.amp.html",
        TorchNames(
            (
                ("torch.cuda.amp", False),
                ("torch.cpu.amp", False),
                ("torch.amp", False),
                ("torch.autocast", True),
            )
        ),
    ),
)
