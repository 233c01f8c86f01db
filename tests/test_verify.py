"""`mindport db verify` against the installed torch and mindspore (no mocks).

The CLI runs spawn real worker processes; the translation checks run real calls in-process.
"""

from __future__ import annotations

import importlib.metadata
import json
from collections import Counter
from pathlib import Path

import pytest

from mapping_db.model import Entry, Target
from mapping_db.store import load_database
from mapping_db.verification import read, results_file_name
from server.cli import main
from server.runner.verify.scheduler import WorkItem, select_items
from server.runner.verify.worker import FAULTS_VARIABLE

# Measured on CPU with MindSpore 2.10 / torch 2.13: 11 of 71 sampled pairs equal with the
# function verifier alone, 18 of 70 with the module verifier too. The floor is well below.
EQUAL_FLOOR = 6


def _versions() -> tuple[str, str]:
    mindspore = importlib.metadata.version("mindspore")
    torch = importlib.metadata.version("torch").split("+")[0]
    return mindspore, torch


def _results_path(directory: Path) -> Path:
    return directory / results_file_name("CPU", *_versions())


def test_sample_run_writes_one_result_per_pair(tmp_path: Path) -> None:
    code = main(["db", "verify", "--sample", "60", "--jobs", "2", "--quiet",
                 "--output-dir", str(tmp_path)])  # fmt: skip
    assert code == 0
    verification = read(_results_path(tmp_path))
    assert (verification.device, verification.mindspore) == ("CPU", _versions()[0])
    assert verification.torch == _versions()[1]
    expected = set(select_items(load_database(), (), 60))
    got = {WorkItem(api, target) for api, targets in verification.results.items()
           for target in targets}  # fmt: skip
    assert got == expected
    results = [r for targets in verification.results.values() for r in targets.values()]
    assert all(r.reason for r in results if r.status != "equal")
    counts = Counter(r.status for r in results)
    assert counts["equal"] >= EQUAL_FLOOR, counts


def test_sample_is_spread_and_deterministic() -> None:
    db = load_database()
    first = select_items(db, (), 30)
    assert first == select_items(db, (), 30)
    namespaces = {item.torch_api.rsplit(".", 1)[0] for item in first}
    assert len(namespaces) >= 10


def test_hang_and_crash_are_recorded_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(FAULTS_VARIABLE, "torch.abs=hang,torch.neg=crash")
    previous = {"format": 1, "device": "CPU", "mindspore": _versions()[0],
                "torch": _versions()[1], "results": {"torch.kept": {"mindspore.kept": {
                    "status": "equal", "cases": 1, "passed": 1, "max_abs_error": 0.0,
                    "reason": ""}}}}  # fmt: skip
    _results_path(tmp_path).write_text(json.dumps(previous))
    code = main(["db", "verify", "--only", "torch.abs,torch.neg,torch.sin", "--jobs", "2",
                 "--timeout", "8", "--quiet", "--output-dir", str(tmp_path)])  # fmt: skip
    assert code == 0
    results = read(_results_path(tmp_path)).results
    assert {r.status for r in results["torch.abs"].values()} == {"timeout"}
    assert {r.status for r in results["torch.neg"].values()} == {"crash"}
    assert {r.status for r in results["torch.sin"].values()} == {"equal"}
    assert results["torch.kept"]["mindspore.kept"].status == "equal"  # merged, not replaced
    assert "8 s" in results["torch.abs"]["mindspore.ops.abs"].reason


# --- translation through real calls -------------------------------------------------------------


def _target(api: str, **fields: object) -> Target:
    return Target(api=api, sources=("curated",), category="test", **fields)  # type: ignore[arg-type]


def _entry(name: str, target: Target) -> Entry:
    kind = "method" if name.startswith("torch.Tensor.") else "function"
    return Entry(torch_api=name, kind=kind, status="mapped", targets=(target,))


@pytest.fixture(scope="module")
def verify_api(mindspore_on_cpu):  # type: ignore[no-untyped-def]
    from server.runner.verify import functions

    return functions


def _x():
    import torch

    torch.manual_seed(0)
    return torch.randn(3, 4)


def _same(verify_api, torch_value, ms_call) -> bool:
    from server.runner.verify.compare import compare

    return compare(torch_value, ms_call()).ok


def test_rename_by_keyword_and_positional_slot(verify_api) -> None:
    import torch

    target = _target("mindspore.ops.cumsum", rename={"input": "x", "dim": "axis"},
                     torch_params=("input", "dim"), mindspore_params=("x", "axis"))  # fmt: skip
    entry = _entry("torch.cumsum", target)
    x = _x()
    by_keyword = verify_api.translate(entry, target, verify_api.TorchCall((x,), {"dim": 1}))
    assert by_keyword.text == "mindspore.ops.cumsum(_v0, axis=1)"
    assert _same(verify_api, torch.cumsum(x, dim=1), by_keyword)
    by_position = verify_api.translate(entry, target, verify_api.TorchCall((x, 0), {}))
    assert by_position.text == "mindspore.ops.cumsum(_v0, 0)"
    assert _same(verify_api, torch.cumsum(x, 0), by_position)


def test_set_args_are_written_and_matter(verify_api) -> None:
    import torch

    rename = {"dim": "axis", "keepdim": "keepdims"}
    fixed = _target("mindspore.ops.std", rename=rename, set_args={"ddof": "1"})
    call = verify_api.TorchCall((_x(),), {"dim": 1, "keepdim": True})
    ms_call = verify_api.translate(_entry("torch.std", fixed), fixed, call)
    assert ms_call.text == "mindspore.ops.std(_v0, axis=1, keepdims=True, ddof=1)"
    assert _same(verify_api, torch.std(*call.args, **call.kwargs), ms_call)
    # Without ddof=1, MindSpore's population std differs: the comparison must see it.
    plain = _target("mindspore.ops.std", rename=rename)
    ms_call = verify_api.translate(_entry("torch.std", plain), plain, call)
    assert ms_call.text == "mindspore.ops.std(_v0, axis=1, keepdims=True)"
    assert not _same(verify_api, torch.std(*call.args, **call.kwargs), ms_call)


def test_default_written_out(verify_api) -> None:
    import torch

    target = _target("mindspore.ops.flatten", defaults={"start_dim": "0"},
                     torch_params=("input", "start_dim", "end_dim"),
                     mindspore_params=("input", "order"))  # fmt: skip
    entry = _entry("torch.flatten", target)
    x = _x()
    written = verify_api.translate(entry, target, verify_api.TorchCall((x,), {}))
    assert written.text == "mindspore.ops.flatten(_v0, start_dim=0)"
    assert _same(verify_api, torch.flatten(x), written)
    moved = verify_api.translate(entry, target, verify_api.TorchCall((x, 1), {}))
    assert moved.text == "mindspore.ops.flatten(_v0, start_dim=1)"
    assert verify_api.verify(entry, target, 5).status == "equal"


def test_tensor_method_targets(verify_api) -> None:
    x = _x()
    view = _target("mindspore.Tensor.view")
    entry = _entry("torch.Tensor.view", view)
    ms_call = verify_api.translate(entry, view, verify_api.TorchCall((2, 6), {}, receiver=x))
    assert ms_call.text == "_self.view(2, 6)"
    assert _same(verify_api, x.view(2, 6), ms_call)
    cumsum = _target("mindspore.Tensor.cumsum", rename={"dim": "axis"})
    entry = _entry("torch.Tensor.cumsum", cumsum)
    ms_call = verify_api.translate(entry, cumsum, verify_api.TorchCall((), {"dim": 1}, x))
    assert ms_call.text == "_self.cumsum(axis=1)"
    assert _same(verify_api, x.cumsum(dim=1), ms_call)
    assert verify_api.verify(entry, cumsum, 5).status == "equal"


def test_wrong_target_is_a_mismatch_and_refusals_are_untested(verify_api) -> None:
    wrong = _target("mindspore.ops.sin")
    result = verify_api.verify(_entry("torch.exp", wrong), wrong, 3)
    assert result.status == "mismatch" and "max abs error" in result.reason
    assert result.reason.startswith("case 1 (")
    function = _target("mindspore.ops.cumsum")
    result = verify_api.verify(_entry("torch.Tensor.cumsum", function), function, 3)
    assert result.status == "untested" and "not a Tensor method" in result.reason


def test_workarounds_are_run_and_a_wrong_one_is_caught(verify_api) -> None:
    from server.runner.verify.workarounds import WORKAROUND, verify_workaround

    db = load_database()
    corrcoef = db.get("torch.corrcoef")
    assert corrcoef is not None and corrcoef.status == "no-equivalent"
    right = verify_workaround(corrcoef)
    assert right.status == "equal" and right.cases == 3, right
    wrong = Entry(
        torch_api=corrcoef.torch_api,
        kind=corrcoef.kind,
        status="no-equivalent",
        workaround="ops.cov(a)",  # the covariance, not the correlation
    )
    assert verify_workaround(wrong).status == "mismatch"
    items = select_items(db, ["torch.corrcoef"])
    assert items == [WorkItem("torch.corrcoef", WORKAROUND)]


def test_a_call_on_defaults_catches_a_default_the_fix_does_not_write(verify_api) -> None:
    # torch.linalg.diagonal takes the last two dimensions by default, ops.diagonal the first
    # two; OpInfo's samples all pass them, so only the defaults-only case can tell.
    entry = load_database().get("torch.linalg.diagonal")
    assert entry is not None
    curated = next(t for t in entry.targets if t.api == "mindspore.ops.diagonal")
    calls = verify_api.candidate_calls(entry, curated)
    defaults = [c for c in calls[:2] if c.origin.endswith("(defaults)")]
    assert defaults and not defaults[0].kwargs and len(defaults[0].args) == 1
    assert verify_api.verify(entry, curated, 5).status == "equal"
    bare = _target(
        "mindspore.ops.diagonal", rename={"A": "input"}, torch_params=("A",),
        mindspore_params=("input",),
    )  # fmt: skip
    result = verify_api.verify(entry, bare, 5)
    assert result.status == "mismatch" and result.reason.startswith("case 2 ("), result
