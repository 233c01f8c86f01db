"""Quick fixes and scaffolds for compliance patterns: dispatched by rule id to the fixer that
the rule's module defines (server.analysis.rules)."""

from __future__ import annotations

from server.analysis.rules import plan_rule_fix as plan_pattern_fix

__all__ = ["plan_pattern_fix"]
