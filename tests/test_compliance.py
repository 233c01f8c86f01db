"""Compliance and graph-mode rules against their fixture files (tests/fixtures/rules/<rule>/).

Every rule has a file it must flag and one it must not; every fixable rule has a fixer and a
`fix.in.py` whose whole file after the fixes equals `fix.out.py`. The graph-mode files are also
compiled with the installed mindspore by tests/test_graph_mode.py.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mapping_db.store import load_database
from server.advice.assess import assess
from server.analysis.edits import FixRefused
from server.analysis.references import find_torch_references
from server.analysis.rules import PATTERN_PREFIX, RULES
from server.convert.pattern_fix import plan_pattern_fix
from tests.rule_fixtures import (
    apply_edits,
    clean_files,
    fix_pairs,
    flag_files,
    refuse_files,
    rule_dirs,
)

FOLDERS = rule_dirs()
FIXABLE = sorted(rule_id for rule_id, rule in RULES.items() if rule.fixable)


def rules_in(source: str) -> list[str]:
    db = load_database()
    found = []
    for ref in find_torch_references(source).references:
        assessment = assess(ref, db, "CPU")
        if assessment is not None and assessment.rule is not None:
            found.append(assessment.rule)
    return found


def test_every_rule_has_a_fixture_folder_and_every_folder_a_rule() -> None:
    assert set(FOLDERS) == set(RULES)
    for rule_id, folder in FOLDERS.items():
        assert flag_files(folder), f"{rule_id}: no flag*.py"
        assert clean_files(folder), f"{rule_id}: no clean*.py"


def test_every_fixable_rule_has_a_fixer_and_a_fix_fixture() -> None:
    assert FIXABLE  # the registry is not empty of fixes
    for rule_id in FIXABLE:
        assert callable(RULES[rule_id].fix)
        pairs = fix_pairs(FOLDERS[rule_id])
        assert pairs, f"{rule_id} is fixable but has no fix.in.py"
    for rule_id, folder in FOLDERS.items():
        if fix_pairs(folder) or refuse_files(folder):
            assert rule_id in FIXABLE, f"{rule_id} has fix fixtures but no fixer"


def _cases(kind) -> list:
    return [
        pytest.param(rule_id, path, id=f"{rule_id}/{path.name}")
        for rule_id, folder in FOLDERS.items()
        for path in kind(folder)
    ]


@pytest.mark.parametrize(("rule_id", "path"), _cases(flag_files))
def test_flag_fixture_is_flagged(rule_id: str, path: Path) -> None:
    assert rule_id in rules_in(path.read_text())


@pytest.mark.parametrize(("rule_id", "path"), _cases(clean_files))
def test_clean_fixture_is_not_flagged(rule_id: str, path: Path) -> None:
    found = rules_in(path.read_text())
    assert rule_id not in found
    if RULES[rule_id].kind == "graph_mode":  # the clean rewrite compiles: nothing to report
        assert [r for r in found if RULES[r].kind == "graph_mode"] == []


def _findings(source: str, rule_id: str):
    analysis = find_torch_references(source)
    refs = [r for r in analysis.references if r.qualified_name == PATTERN_PREFIX + rule_id]
    assert refs, f"no {rule_id} finding to fix"
    return analysis, refs


def fixed(source: str, rule_id: str) -> str:
    """The whole source after the fix of every finding of the rule."""
    analysis, refs = _findings(source, rule_id)
    lines = source.split("\n")
    edits = [edit for ref in refs for edit in plan_pattern_fix(lines, analysis, ref).edits]
    return apply_edits(source, edits)


@pytest.mark.parametrize(
    ("rule_id", "pair"),
    [
        pytest.param(rule_id, pair, id=f"{rule_id}/{pair[0].name}")
        for rule_id in FIXABLE
        for pair in fix_pairs(FOLDERS[rule_id])
    ],
)
def test_fix_gives_the_expected_file(rule_id: str, pair: tuple[Path, Path]) -> None:
    source, expected = pair
    out = fixed(source.read_text(), rule_id)
    ast.parse(out)
    assert out == expected.read_text()


@pytest.mark.parametrize(("rule_id", "path"), _cases(refuse_files))
def test_fix_refuses(rule_id: str, path: Path) -> None:
    source = path.read_text()
    analysis, refs = _findings(source, rule_id)
    for ref in refs:
        with pytest.raises(FixRefused):
            plan_pattern_fix(source.split("\n"), analysis, ref)


def test_a_rule_without_a_fixer_is_refused() -> None:
    source = (FOLDERS["module-hook"] / "flag.py").read_text()
    analysis, refs = _findings(source, "module-hook")
    with pytest.raises(FixRefused, match="no automatic fix for module-hook"):
        plan_pattern_fix(source.split("\n"), analysis, refs[0])
