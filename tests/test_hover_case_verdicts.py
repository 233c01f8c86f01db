"""Hovers, diagnostics and fix titles say which verified cases differ, in a few words
("verified on CPU: equal except 0-d input (fails)"), from the per-case verdicts that the
results files record (`case_verdicts`)."""

from __future__ import annotations

from mapping_db.store import load_database
from mapping_db.verification import TargetResult
from server.advice.advice_text import case_caveat, target_evidence
from server.advice.case_words import describe_case, equal_except
from server.advice.hover_text import hover_markdown


def test_case_lines_are_described_by_their_distinguishing_input() -> None:
    # lines in the format the results files record (mapping_db.verification)
    assert describe_case(
        "error: case 5 (float32[]): RuntimeError: Launch kernel failed", "CPU"
    ) == ("0-d input (fails)")
    assert describe_case(
        "error: case 1 (repeats=int64[4], dim=0, output_size=6): RuntimeError: The kernel"
        " RepeatInterleaveTensor unregistered.",
        "CPU",
    ) == ("int64 repeats (fails: no CPU kernel)")
    assert describe_case(
        "mismatch: case 3 (dim=()): output: shape (), torch gives (1, 1, 1, 1)", "CPU"
    ) == ("dim=() (differs: shape)")
    assert describe_case("error: case 2 (float32[0,3]): ValueError: empty", "CPU") == (
        "empty input (fails)"
    )
    assert describe_case("mismatch: case 4 (float32[5,1]): output: max abs error 3", "CPU") == (
        "input float32[5,1] (differs: values)"
    )


def test_equal_except_needs_an_agreeing_case_and_names_each_difference_once() -> None:
    two_zero_d = TargetResult(
        "error",
        4,
        2,
        case_verdicts=(
            "equal",
            "error: case 2 (float32[]): ValueError: rank",
            "equal",
            "error: case 4 (float32[]): ValueError: rank",
        ),
    )
    assert equal_except(two_zero_d, "CPU") == "equal except 0-d input (fails)"
    none_agree = TargetResult(
        "error", 1, 0, case_verdicts=("error: case 1 (float32[]): ValueError: rank",)
    )
    assert equal_except(none_agree, "CPU") is None
    assert equal_except(TargetResult("error", 5, 3, reason="case 4: x"), "CPU") is None


def _real_partial_entry() -> tuple[str, TargetResult]:
    """A mapped entry whose target picked on CPU agreed on some verified cases and not on
    others, read from the real results file."""
    db = load_database()
    results = db.verification("CPU")
    assert results is not None, "no CPU results file in mapping_db/data/verified/"
    for api in sorted(results.results):
        entry = db.get(api)
        target = db.pick_target(entry, "CPU") if entry is not None else None
        if entry is None or target is None or entry.status == "no-equivalent":
            continue
        verdict = db.verified(entry, target, "CPU")
        if verdict is not None and verdict.partial and equal_except(verdict, "CPU"):
            return api, verdict
    raise AssertionError("no partially agreeing target with per-case verdicts on CPU")


def test_the_hover_of_a_real_results_entry_says_equal_except_the_case() -> None:
    api, verdict = _real_partial_entry()
    words = equal_except(verdict, "CPU")
    assert words is not None and words.startswith("equal except ")
    text = hover_markdown(load_database(), api, "CPU")
    assert "**Verified on CPU with MindSpore" in text and f": {words}**" in text, text
    assert f"({verdict.passed}/{verdict.cases} cases agree)" in text
    first = describe_case(verdict.differing_cases()[0], "CPU")
    assert first in words


def test_the_diagnostic_and_fix_title_say_it_in_the_same_words() -> None:
    api, verdict = _real_partial_entry()
    db = load_database()
    entry = db.get(api)
    assert entry is not None
    target = db.pick_target(entry, "CPU")
    assert target is not None
    phrase = case_caveat(verdict, "CPU")
    assert phrase.startswith("verified on CPU: equal except ")
    assert target_evidence(db, entry, target, "CPU") == phrase
