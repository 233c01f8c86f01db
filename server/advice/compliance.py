"""Function compliance: constructs that do not port by renaming an API.

Two kinds of findings lead here: torch references whose name alone says the construct
(`torch.jit.script`, `torch.cuda.amp.GradScaler`, `torch.distributed.init_process_group`),
and code patterns the analysis reports as `pattern:<rule>` references (`p.data = ...`,
`m.register_forward_hook(...)`, `x.cuda()`, a `torch.autograd.Function` subclass).
The rules themselves (detection, text, link, fix) live in server.analysis.rules, one module
per family; this module is the advice's view of them.
"""

from __future__ import annotations

from server.analysis.rules import PATTERN_PREFIX, RULES, Rule, rule_for_name

_GRAPH_PREFIX = PATTERN_PREFIX + "graph-"


def reported_in(qualified_name: str, mode: str) -> bool:
    """Graph-mode findings count only when the configured execution mode is graph."""
    return mode == "graph" or not qualified_name.startswith(_GRAPH_PREFIX)


def rule_markdown(rule: Rule) -> str:
    why = "needs a different construct in MindSpore"
    if rule.kind == "graph_mode":
        why = "graph mode (mindspore.jit) does not compile this"
    return f"**{rule.title}** · {why}\n\n{rule.note}\n\n[MindSpore documentation]({rule.link})"


__all__ = ["PATTERN_PREFIX", "RULES", "Rule", "reported_in", "rule_for_name", "rule_markdown"]
