"""Every public torch API of the covered namespaces has an entry; derived data is reproducible
and its workarounds compute what torch computes."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from mapping_db.importers.derived import HEADER, build_entries, write_files
from mapping_db.importers.torch_inventory import NAMESPACES, all_names, public_apis
from mapping_db.store import DATA_DIR, load_database
from mapping_db.workarounds import Workaround, load_workarounds
from server.runner.verify.workarounds import workaround_inputs


@pytest.fixture(scope="module")
def db():
    return load_database()


def test_inventory_size_and_rules() -> None:
    apis = public_apis()
    counts = {namespace: len(names) for namespace, names in apis.items()}
    print(counts, "total", len(all_names()))
    assert list(apis) == list(NAMESPACES)
    assert len(all_names()) >= 1900
    assert "torch.abs" in apis["torch"] and "torch.unique" in apis["torch"]
    assert "torch.eig" not in apis["torch"]  # removed, kept outside __all__
    assert "torch.float32" not in apis["torch"] and "torch.nn" not in apis["torch"]
    assert "torch.Tensor.add_" in apis["torch.Tensor"]
    assert "torch.Tensor.shape" not in apis["torch.Tensor"]  # a descriptor, not a call
    assert "torch.nn.Conv2d" in apis["torch.nn"]
    assert "torch.nn.functional.handle_torch_function" not in apis["torch.nn.functional"]
    assert "torch.fft.hfft2" in apis["torch.fft"]
    assert "torch.nn.init.xavier_uniform_" in apis["torch.nn.init"]
    assert "torch.nn.init.xavier_uniform" not in apis["torch.nn.init"]  # deprecated spelling
    assert "torch.optim.lr_scheduler" not in apis["torch.optim"]


def test_every_inventory_name_has_an_entry(db) -> None:
    missing = [name for name in all_names() if db.get(name) is None]
    assert missing == []


def test_derived_files_regenerate_identically(tmp_path: Path) -> None:
    write_files(build_entries(), tmp_path)
    generated = sorted(p.name for p in tmp_path.glob("derived_*.toml"))
    committed = sorted(p.name for p in DATA_DIR.glob("derived_*.toml"))
    assert generated == committed
    for name in generated:
        assert (tmp_path / name).read_text() == (DATA_DIR / name).read_text(), name


def _derived_raw() -> dict[str, dict[str, Any]]:
    raw: dict[str, dict[str, Any]] = {}
    for path in sorted(DATA_DIR.glob("derived_*.toml")):
        assert path.read_text().startswith(HEADER)
        raw.update(tomllib.loads(path.read_text()))
    return raw


def test_derived_entries_say_they_are_derived(db) -> None:
    raw = _derived_raw()
    assert len(raw) > 900
    for api, entry in raw.items():
        assert entry["sources"] == ["derived"], api
        for target in entry.get("targets", []):
            assert target["sources"] == ["derived"], api
        if entry["status"] != "no-equivalent":
            assert entry["note"].startswith("derived:"), api
            assert entry["targets"], api
        merged = db.get(api)  # not shadowed: derived entries are only for uncovered names
        assert merged is not None and "derived" in merged.sources, api


def test_derived_fix_fields_follow_the_facts() -> None:
    for api, entry in _derived_raw().items():
        for target in entry.get("targets", []):
            kinds = {p["kind"] for p in target.get("params", [])}
            if target.get("rename") or target.get("torch_params"):
                assert not kinds & {"rename-differs", "differs"}, api
            for torch_name, ms_name in target.get("rename", {}).items():
                assert {"torch": torch_name, "mindspore": ms_name} | {"kind": "rename"} == next(
                    {k: p[k] for k in ("torch", "mindspore", "kind")}
                    for p in target["params"]
                    if p.get("torch") == torch_name
                ), api


def test_known_derived_facts(db) -> None:
    # torch.conv2d: mint's signature is torch's; ops.conv2d inserts pad_mode at position 5
    conv = {t.api: t for t in db.get("torch.conv2d").targets}
    assert conv["mindspore.mint.conv2d"].category == "consistent"
    assert conv["mindspore.ops.conv2d"].category == "param-count"
    assert conv["mindspore.ops.conv2d"].mindspore_params[4] == "pad_mode"
    channel_shuffle = db.get("torch.nn.functional.channel_shuffle")
    assert channel_shuffle.sources == ("derived",)
    assert channel_shuffle.targets[0].api == "mindspore.ops.channel_shuffle"
    init = db.get("torch.nn.init.xavier_uniform_")
    assert init.targets[0].api == "mindspore.common.initializer.XavierUniform"
    assert init.targets[0].category == "other"
    legacy = db.get("torch.FloatTensor")
    assert legacy.status == "no-equivalent" and "Legacy" in legacy.note


def _inputs(workaround: Workaround) -> dict[str, np.ndarray]:
    return workaround_inputs(workaround, seed=0)


def _numpy(value: Any) -> np.ndarray:
    if hasattr(value, "asnumpy"):
        return value.asnumpy()
    if hasattr(value, "detach"):
        return value.detach().numpy()
    return np.asarray(value)


@pytest.mark.parametrize("api", sorted(load_workarounds()))
def test_workaround_matches_torch(api: str, db, mindspore_on_cpu) -> None:  # type: ignore[no-untyped-def]
    ms = mindspore_on_cpu
    import torch
    from mindspore import ops

    workaround = load_workarounds()[api]
    entry = db.get(api)
    assert entry is not None, api
    # a formula stands for an API with no counterpart, or none that runs on CPU
    no_cpu_target = all("CPU" in t.not_on for t in entry.targets)
    assert entry.status == "no-equivalent" or no_cpu_target, api
    assert entry.workaround == workaround.mindspore
    arrays = _inputs(workaround)
    expected = eval(  # noqa: S307 - our own table's expressions
        workaround.torch, {"torch": torch}, {k: torch.from_numpy(v) for k, v in arrays.items()}
    )
    got = eval(  # noqa: S307
        workaround.mindspore, {"ops": ops, "ms": ms}, {k: ms.Tensor(v) for k, v in arrays.items()}
    )
    np.testing.assert_allclose(_numpy(got), _numpy(expected), rtol=1e-3, atol=1e-4)
