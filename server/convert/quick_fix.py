"""Plan the edits of a one-call quick fix: the rewritten call (or the verified workaround
formula written with the call's arguments) and the import it needs."""

from __future__ import annotations

from collections.abc import Sequence

from mapping_db.model import Target
from mapping_db.store import MappingDB
from server.advice.assess import lookup_entry
from server.advice.formula_fix import usable_formula
from server.analysis.edits import FixPlan, FixRefused, TextEditPlan, text_in_span
from server.analysis.findings import AnalysisResult, Span, TorchReference
from server.convert.call_rewrite import rewrite_call, rewrite_name
from server.convert.formula_call import rewrite_with_formula


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


def plan_formula_fix(
    lines: Sequence[str], analysis: AnalysisResult, ref: TorchReference, db: MappingDB, device: str
) -> FixPlan:
    """The call written as its entry's workaround formula, where no target runs on `device`
    and the formula was verified equal there (server.advice.formula_fix). Raises FixRefused
    with the reason when there is no such formula or the call is not a form it covers."""
    entry = lookup_entry(db, ref.qualified_name)
    usable = usable_formula(db, entry, device) if entry is not None else None
    if usable is None:
        raise FixRefused(f"{ref.qualified_name} has no formula verified on {device} to write")
    if ref.call is None or ref.context != "call":
        raise FixRefused("the workaround formula replaces a call; this reference is not one")
    span = ref.call.span
    rewrite = rewrite_with_formula(text_in_span(lines, span), usable.form)
    edits = [TextEditPlan(span, rewrite.text)]
    if not analysis.imports_mindspore:
        at = analysis.import_insert_line
        edits.append(TextEditPlan(Span(at, 0, at, 0), "import mindspore\n"))
    title = (
        f"mindport: convert to the workaround formula verified on {device} "
        f"({usable.verdict.passed}/{usable.verdict.cases} cases; {usable.why})"
    )
    if rewrite.changes:
        title += "; " + "; ".join(rewrite.changes)
    return FixPlan(title, tuple(edits))


__all__ = [
    "FixPlan",
    "FixRefused",
    "TextEditPlan",
    "plan_fix",
    "plan_formula_fix",
    "text_in_span",
]
