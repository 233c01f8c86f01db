"""Fixture pairs tests/fixtures/convert/<rule>/in.py -> out.py, found by glob, compared
exactly (comments, blank lines and untouched formatting included)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mapping_db.store import load_database
from server.convert.file import convert_source
from tests.convert_helpers import ruff_f

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "convert"
CASES = sorted(p.parent.name for p in FIXTURES.glob("*/in.py"))


def test_there_are_fixtures() -> None:
    assert len(CASES) >= 10


@pytest.mark.parametrize("rule", CASES)
def test_fixture(rule: str) -> None:
    folder = FIXTURES / rule
    source = (folder / "in.py").read_text(encoding="utf-8")
    expected = (folder / "out.py").read_text(encoding="utf-8")
    result = convert_source(source, load_database(), "CPU", folder / "in.py")
    assert result.code == expected


def test_fixture_outputs_are_ruff_f_clean() -> None:
    assert ruff_f(sorted(FIXTURES.glob("*/out.py"))) == ""


def test_comments_survive_and_markers_are_counted() -> None:
    source = (FIXTURES / "markers" / "in.py").read_text(encoding="utf-8")
    result = convert_source(source, load_database(), "CPU")
    assert "# remote procedure calls have no MindSpore counterpart" in result.code
    assert result.counts.total_marked == len(result.markers) == 2
    assert {m.line for m in result.markers} == {7, 11}
