"""The fix a diagnostic carries in its `data` (docs/architecture.md, decision 8): typed here,
sent as JSON, read back by the code action without re-analysing the file."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.advice.assess import Assessment
from server.analysis.findings import Span


@dataclass(frozen=True, slots=True)
class FixPayload:
    api: str  # the torch reference's qualified name
    target: str | None  # the MindSpore API the fix writes
    context: str  # call, name, tensor-method, pattern, ...
    span: Span  # the reference (code points)
    call: Span | None  # the whole call, when it is one
    version: int | None  # the document version the analysis was made for
    blocker: str | None  # why no fix is offered
    rule: str | None  # compliance / graph-mode rule id

    @classmethod
    def of(cls, assessment: Assessment, version: int | None) -> FixPayload:
        ref = assessment.reference
        return cls(
            api=ref.qualified_name,
            target=assessment.target.api if assessment.target is not None else None,
            context=ref.context,
            span=ref.span,
            call=ref.call.span if ref.call is not None else None,
            version=version,
            blocker=assessment.fix_blocker,
            rule=assessment.rule,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "api": self.api,
            "target": self.target,
            "context": self.context,
            "span": _span_list(self.span),
            "call": _span_list(self.call) if self.call is not None else None,
            "version": self.version,
            "blocker": self.blocker,
            "rule": self.rule,
        }

    @classmethod
    def from_json(cls, data: Any) -> FixPayload | None:
        """None for anything that is not a payload this server wrote (a client may send
        back data of another version, or none)."""
        if not isinstance(data, dict):
            return None
        try:
            span = _span(data["span"])
            call = _span(data["call"]) if data.get("call") is not None else None
            version = data.get("version")
            if version is not None and not isinstance(version, int):
                return None
            return cls(
                api=str(data["api"]),
                target=_optional_str(data.get("target")),
                context=str(data.get("context", "")),
                span=span,
                call=call,
                version=version,
                blocker=_optional_str(data.get("blocker")),
                rule=_optional_str(data.get("rule")),
            )
        except (KeyError, TypeError, ValueError):
            return None


def _span_list(span: Span) -> list[int]:
    return [span.line, span.col, span.end_line, span.end_col]


def _span(value: Any) -> Span:
    if not isinstance(value, list) or len(value) != 4 or not all(isinstance(v, int) for v in value):
        raise ValueError(f"not a span: {value!r}")
    return Span(*value)


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)
