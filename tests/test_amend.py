"""The amend importer: amend_*.toml are what it writes, and a few of their facts.

Generation reads the CPU verification results file (which extra targets to keep, and which
entries need one); these tests use the committed results file, as the committed amend files
were generated from it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from mapping_db.importers import amend
from mapping_db.importers.derived_candidates import resolve
from mapping_db.store import DATA_DIR, data_files, load_database
from mapping_db.verification import read
from server.convert.call_rewrite import rewrite_call

# the files this importer writes (amend_inplace.toml, also loaded as an amendment, is written
# by mapping_db.importers.inplace and checked in tests/test_verify_depth.py)
AMEND_FILES = sorted(p for p in DATA_DIR.glob("amend_*.toml") if p.name in amend.FILES.values())


def _target(torch_api: str, api: str):
    entry = load_database().get(torch_api)
    assert entry is not None
    return next(t for t in entry.targets if t.api == api)


def test_files_regenerate_identically(tmp_path: Path) -> None:
    results = read(amend.RESULTS)  # the committed CPU results
    amend.write_files(amend.build(DATA_DIR, results), tmp_path)
    generated = sorted(p.name for p in tmp_path.glob("amend_*.toml"))
    assert generated == [p.name for p in AMEND_FILES]
    for path in AMEND_FILES:
        assert (tmp_path / path.name).read_text() == path.read_text(), path.name


def test_amend_files_load_after_official_and_before_curated() -> None:
    names = [p.name for p in data_files(DATA_DIR)]
    amend_at = [i for i, n in enumerate(names) if n.startswith("amend_")]
    official_at = [i for i, n in enumerate(names) if n.startswith("official_")]
    assert amend_at and min(amend_at) > max(official_at)
    assert names[-1] == "curated.toml"
    assert not any(n.startswith("amend_") for n in names if n.startswith("derived_"))


def test_amended_targets_exist_in_mindspore() -> None:
    for path in AMEND_FILES:
        for torch_api, entry in tomllib.loads(path.read_text()).items():
            for target in entry["targets"]:
                assert resolve(target["api"]) is not None, (torch_api, target["api"])
                assert "derived by introspection" in target["note"]


def test_extra_targets_are_verified_equal_in_the_committed_results() -> None:
    results = read(amend.RESULTS)
    extras = 0
    for path in AMEND_FILES:
        for torch_api, entry in tomllib.loads(path.read_text()).items():
            for target in entry["targets"]:
                if "sources" not in target:
                    continue
                extras += 1
                assert target["sources"] == ["derived"]
                verdict = results.get(torch_api, target["api"])
                assert verdict is not None and verdict.status == "equal", target["api"]
    assert extras > 0


def test_tensor_amax_gets_dim_and_keepdim_renames() -> None:
    target = _target("torch.Tensor.amax", "mindspore.Tensor.amax")
    assert target.rename == {"dim": "axis", "keepdim": "keepdims"}
    assert target.torch_params == ("dim", "keepdim")
    assert target.mindspore_params == ("axis", "keepdims")
    call = rewrite_call("x.amax(dim=1, keepdim=True)", target, tensor_method=True)
    assert call.text == "x.amax(axis=1, keepdims=True)"


def test_tensor_all_uses_the_dim_keepdim_overload() -> None:
    # mindspore.Tensor.all also accepts all(dim=None, keepdim=False) (a `.. method::` block
    # of its docstring): the official keepdim -> keep_dims rename is cleared.
    target = _target("torch.Tensor.all", "mindspore.Tensor.all")
    assert target.rename == {}
    assert target.torch_params == ("dim", "keepdim")
    assert target.mindspore_params == ("dim", "keepdim")


def test_torch_overloads_are_merged_when_one_holds_the_others() -> None:
    import torch

    sig = amend.torch_sig(torch.sum, "sum", is_method=False)
    assert sig is not None and sig.overloads == 1
    assert sig.positional == ["input", "dim", "keepdim"]
    # max(input, dim, ...) and max(input, other, ...) part ways: not one signature
    sig = amend.torch_sig(torch.max, "max", is_method=False)
    assert sig is not None and sig.overloads > 1


def test_curated_targets_are_never_amended() -> None:
    base = amend.base_entries()
    amended = 0
    for path in AMEND_FILES:
        for torch_api, entry in tomllib.loads(path.read_text()).items():
            for target in entry["targets"]:
                if "sources" in target:
                    continue  # an extra target
                amended += 1
                found = next(t for t in base[torch_api].targets if t.api == target["api"])
                assert "curated" not in found.sources, (torch_api, target["api"])
    assert amended > 0
