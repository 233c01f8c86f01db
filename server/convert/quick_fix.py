"""Plan the edits of a one-call quick fix: the rewritten call and the import it needs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mapping_db.model import Target
from server.analysis.findings import AnalysisResult, Span, TorchReference
from server.convert.call_rewrite import FixRefused, rewrite_call, rewrite_name


@dataclass(frozen=True, slots=True)
class TextEditPlan:
    span: Span  # code points
    new_text: str


@dataclass(frozen=True, slots=True)
class FixPlan:
    title: str
    edits: tuple[TextEditPlan, ...]


def text_in_span(lines: Sequence[str], span: Span) -> str:
    if span.line == span.end_line:
        return lines[span.line][span.col : span.end_col]
    parts = [lines[span.line][span.col :]]
    parts += lines[span.line + 1 : span.end_line]
    parts.append(lines[span.end_line][: span.end_col])
    return "".join(parts) if parts[0].endswith("\n") else "\n".join(parts)


def plan_fix(
    lines: Sequence[str], analysis: AnalysisResult, ref: TorchReference, target: Target
) -> FixPlan:
    """Raises FixRefused with the reason when the call cannot be rewritten safely."""
    if ref.call is not None and (ref.context in ("call", "tensor-method")):
        span = ref.call.span
        source = text_in_span(lines, span)
        rewrite = rewrite_call(source, target, tensor_method=ref.context == "tensor-method")
    else:
        span = ref.span
        rewrite = rewrite_name(target)
    edits = [TextEditPlan(span, rewrite.text)]
    needs_import = ref.context != "tensor-method"
    if needs_import and not analysis.imports_mindspore:
        at = analysis.import_insert_line
        edits.append(TextEditPlan(Span(at, 0, at, 0), "import mindspore\n"))
    what = target.api if ref.context != "tensor-method" else target.api.rsplit(".", 1)[1]
    title = f"mindport: convert to {what}"
    extra = [c for c in rewrite.changes if not c.startswith("use ")]
    if extra:
        title += f" ({', '.join(extra)})"
    return FixPlan(title, tuple(edits))


__all__ = ["FixPlan", "FixRefused", "TextEditPlan", "plan_fix", "text_in_span"]
