"""The committed verification results cover the database: every mapped target of every
entry was run (or says why it could not be), on CPU, with the pinned torch and mindspore."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from mapping_db import load_database
from mapping_db.verification import (
    OUTCOMES,
    VERIFIED_DIR,
    WORKAROUND,
    results_file_name,
    results_for,
)


@pytest.fixture(scope="module")
def results():
    found = results_for("CPU")
    assert found is not None, f"no CPU results in {VERIFIED_DIR}: run `make verify`"
    return found


def test_results_were_made_with_the_installed_versions(results) -> None:
    assert results.mindspore == version("mindspore")
    assert results.torch.split("+")[0] == version("torch").split("+")[0]
    name = results_file_name("CPU", results.mindspore, results.torch)
    assert (VERIFIED_DIR / name).is_file()


def test_every_mapped_target_has_a_result_with_a_reason_unless_equal(results) -> None:
    db = load_database()
    missing, unexplained = [], []
    for entry in db:
        if entry.status == "no-equivalent":
            continue
        for target in entry.targets:
            verdict = results.get(entry.torch_api, target.api)
            if verdict is None:
                missing.append(f"{entry.torch_api} -> {target.api}")
            elif verdict.status not in OUTCOMES:
                unexplained.append(f"{entry.torch_api}: unknown status {verdict.status}")
            elif verdict.status != "equal" and not verdict.reason:
                unexplained.append(f"{entry.torch_api} -> {target.api}: {verdict.status}")
    assert not missing, f"{len(missing)} targets never verified, e.g. {missing[:5]}"
    assert not unexplained, unexplained[:5]


def test_equal_means_every_case_passed(results) -> None:
    for api, targets in results.results.items():
        for target, verdict in targets.items():
            if verdict.status == "equal":
                assert verdict.cases >= 1 and verdict.passed == verdict.cases, (api, target)


def test_every_workaround_formula_was_run(results) -> None:
    from server.runner.verify.workarounds import has_recipe

    db = load_database()
    recipes = [e for e in db if e.status == "no-equivalent" and has_recipe(e)]
    assert recipes
    missing = [e.torch_api for e in recipes if results.get(e.torch_api, WORKAROUND) is None]
    assert not missing, missing[:5]
