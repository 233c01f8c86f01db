"""What the analysis finds in a source file: torch references with their ranges."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Literal

# How the reference is used at its site.
#   call          nn.Conv2d(...), torch.flatten(x, 1)
#   base-class    class Net(nn.Module)
#   annotation    def f(x: Tensor)
#   reference     act = nn.ReLU (any other use)
#   tensor-method x.view(...) where local evidence says x is a tensor
#   pattern       a construct that needs another design in MindSpore (qualified name
#                 "pattern:<rule>", see server.advice.compliance), e.g. `p.data = v`
Context = Literal["call", "base-class", "annotation", "reference", "tensor-method", "pattern"]

# "certain": resolved through imports; "likely": a tensor method on a receiver that local
# data flow says is a tensor; "possible": only the method's name says so (hints only);
# "unresolved": a Tensor method name on a receiver nothing here can judge: not a finding
# until the jedi fallback confirms it (server.analysis.jedi_fallback), then "inferred".
Confidence = Literal["certain", "likely", "inferred", "possible", "unresolved"]


@dataclass(frozen=True, slots=True)
class Span:
    """A range in code points, lines 0-based, end exclusive (as LSP, before UTF-16)."""

    line: int
    col: int
    end_line: int
    end_col: int

    def contains(self, line: int, col: int) -> bool:
        if (line, col) < (self.line, self.col):
            return False
        return (line, col) <= (self.end_line, self.end_col)


@dataclass(frozen=True, slots=True)
class CallShape:
    """The arguments as written at a call site (facts a diagnostic or fix needs)."""

    span: Span  # the whole call expression
    n_positional: int
    keywords: tuple[str, ...]
    has_star_args: bool = False


@dataclass(frozen=True, slots=True)
class TorchReference:
    qualified_name: str  # "torch.nn.Conv2d", "torch.Tensor.view"
    span: Span  # the name as written (nn.Conv2d, or the method name in x.view)
    context: Context
    confidence: Confidence = "certain"
    call: CallShape | None = None
    # The call's receiver is a tensor (tensor methods, and patterns such as x.cuda() on one).
    tensor_receiver: bool = False


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    message: str
    line: int  # 0-based
    col: int  # code points


@dataclass(slots=True)
class AnalysisResult:
    references: list[TorchReference] = field(default_factory=list)
    syntax_error: SyntaxProblem | None = None
    # Line (0-based) after which a new top-level import goes, and whether `import mindspore`
    # is already there: a quick fix needs both without re-parsing the file.
    import_insert_line: int = 0
    imports_mindspore: bool = False
    _starts: list[tuple[int, int]] = field(default_factory=list, repr=False)

    def finalize(self) -> AnalysisResult:
        self.references.sort(key=lambda r: (r.span.line, r.span.col))
        self._starts = [(r.span.line, r.span.col) for r in self.references]
        return self

    def reference_at(self, line: int, col: int) -> TorchReference | None:
        """The reference whose name covers (line, col); the innermost when nested."""
        i = bisect.bisect_right(self._starts, (line, col))
        # References are short and rarely nested; look back a few candidates.
        for ref in reversed(self.references[max(0, i - 8) : i]):
            if ref.span.contains(line, col):
                return ref
        return None

    def references_in(self, start_line: int, end_line: int) -> list[TorchReference]:
        lo = bisect.bisect_left(self._starts, (start_line, 0))
        hi = bisect.bisect_left(self._starts, (end_line + 1, 0))
        return self.references[lo:hi]
