"""What a rule is: one construct that does not port by renaming an API.

A rule module (one per family, next to this file) defines its rules as `Rule` objects with
their detection, text, link and, when one exists, the fix. `server.analysis.rules` collects
them into the registry that the analysis, the advice and the quick fixes dispatch on by id.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from server.analysis.edits import FixPlan
from server.analysis.findings import AnalysisResult, Span

# Qualified-name prefix of the findings the analysis reports for a rule: "pattern:<rule id>".
PATTERN_PREFIX = "pattern:"
DOCS = "https://www.mindspore.cn/docs/en/master"

# The severity setting that governs a rule's findings (server.settings).
RuleKind = Literal["compliance", "graph_mode"]


# ---- how a rule is detected (the analysis in server.analysis.references asks the registry) ----


@dataclass(frozen=True, slots=True)
class TorchNames:
    """Torch references whose name alone says the construct: (prefix, exact?) pairs.

    A non-exact prefix also matches its members (`torch.cuda` matches `torch.cuda.synchronize`);
    the longest matching prefix over all rules wins.
    """

    prefixes: tuple[tuple[str, bool], ...]


@dataclass(frozen=True, slots=True)
class MethodCall:
    """A method call on a receiver that does not resolve to torch, judged from the call alone.

    `tensor_receiver`: the receiver is a tensor whatever it looks like (`.data.mul_()`).
    """

    matches: Callable[[ast.Call, ast.Attribute], bool]
    tensor_receiver: bool = False


@dataclass(frozen=True, slots=True)
class Assignment:
    """The single target of an assignment statement (`p.data = v`)."""

    matches: Callable[[ast.expr], bool]


@dataclass(frozen=True, slots=True)
class ClassBase:
    """A class whose base resolves to this torch name."""

    qualified_name: str


@dataclass(frozen=True, slots=True)
class GraphScan:
    """Found by the graph-mode pass over a network's compiled methods (rules.graph_mode).

    `nodes`: ast node types that are the construct wherever they appear; empty when the pass
    finds it with its own logic. `keyword_width`: the finding covers only the statement's
    leading keyword (`try`), not the whole statement.
    """

    nodes: tuple[type[ast.AST], ...] = ()
    keyword_width: int | None = None


Detector = TorchNames | MethodCall | Assignment | ClassBase | GraphScan

# A fixer gets the finding's code (the text of its recorded range), that range and the file's
# analysis; it returns the edits or raises server.analysis.edits.FixRefused with the reason.
Fixer = Callable[[str, Span, AnalysisResult], FixPlan]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    family: str  # the module that defines it: "hooks", "device", "graph_mode", ...
    title: str
    note: str  # what to do instead, in our words
    link: str  # the MindSpore page that shows the way
    detect: Detector
    fix: Fixer | None = None
    kind: RuleKind = "compliance"

    @property
    def fixable(self) -> bool:
        return self.fix is not None
