"""The finding policy: how loud each finding is, shared by the editor and `mindport scan`.

A finding's level comes from the settings (`severity.<kind>`); findings that rest on evidence
rather than proof (a receiver that is likely or possibly a tensor) are capped: never louder than
information, and a name-only guess ("possible") is a hint. `tensor_methods = false` drops them.
Severity follows what blocks a port: a construct the port simply deletes (`with
torch.no_grad():`, marked `drop = true` in the mapping data) is never louder than a warning,
whatever its kind.
"""

from __future__ import annotations

from server.advice.assess import Assessment
from server.settings import Settings

LEVELS: tuple[str, ...] = ("error", "warning", "information", "hint")  # loudest first
DROP_CAP = "warning"  # the loudest level of a finding whose whole port is deleting it
_CAP = {"certain": "error", "inferred": "information", "likely": "information", "possible": "hint"}


def finding_level(assessment: Assessment, settings: Settings) -> str | None:
    """'error', 'warning', 'information' or 'hint'; None when the finding is not reported."""
    confidence = assessment.reference.confidence
    if confidence != "certain" and not settings.tensor_methods:
        return None
    level = settings.severity[assessment.kind]
    if level == "off":
        return None
    cap = _CAP.get(confidence, "information")
    if assessment.drop_only:
        cap = max(cap, DROP_CAP, key=LEVELS.index)
    return max(level, cap, key=LEVELS.index)


def syntax_level(settings: Settings) -> str | None:
    level = settings.severity["syntax"]
    return None if level == "off" else level
