"""Plan the edits of a one-call quick fix: the rewritten call and the import it needs."""

from __future__ import annotations

from collections.abc import Sequence

from mapping_db.model import Target
from server.analysis.edits import FixPlan, FixRefused, TextEditPlan, text_in_span
from server.analysis.findings import AnalysisResult, Span, TorchReference
from server.convert.call_rewrite import rewrite_call, rewrite_name


def plan_fix(
    lines: Sequence[str],
    analysis: AnalysisResult,
    ref: TorchReference,
    target: Target,
    caveat: str = "",
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
    # a method rewrite may name mindspore too (a dtype argument, an int64 cast of the result)
    needs_import = ref.context != "tensor-method" or "mindspore." in rewrite.text
    if needs_import and not analysis.imports_mindspore:
        at = analysis.import_insert_line
        edits.append(TextEditPlan(Span(at, 0, at, 0), "import mindspore\n"))
    what = target.api if ref.context != "tensor-method" else target.api.rsplit(".", 1)[1]
    title = f"mindport: convert to {what}"
    extra = [c for c in rewrite.changes if not c.startswith("use ")]
    if extra:
        title += f" ({', '.join(extra)})"
    if caveat:  # what verification found different: the title says it before it is applied
        title += f"; {caveat}"
    return FixPlan(title, tuple(edits))


__all__ = ["FixPlan", "FixRefused", "TextEditPlan", "plan_fix", "text_in_span"]
