"""The mapping database against the official tables it was imported from."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from mapping_db.importers.official_tables import DEFAULT_REFERENCE, build_entries, write_files
from mapping_db.store import DATA_DIR, DataError, load_database, parse_data

REFERENCE = DEFAULT_REFERENCE


@pytest.fixture(scope="module")
def db():
    return load_database()


def official_rows() -> list[dict]:
    with (REFERENCE / "mapping.jsonl").open() as handle:
        return [json.loads(line) for line in handle]


def test_every_official_torch_api_is_an_entry(db) -> None:
    rows = official_rows()
    assert len(rows) == 1402
    apis = {r["torch_api"] for r in rows if r["torch_api"]}
    assert len(apis) == 928
    missing = sorted(api for api in apis if db.get(api) is None)
    assert missing == []


def test_both_tables_targets_kept_with_their_source(db) -> None:
    cat = db.get("torch.cat")
    by_api = {t.api: t.sources for t in cat.targets}
    assert by_api["mindspore.mint.cat"] == ("master",)
    assert by_api["mindspore.ops.cat"] == ("r2.4.10",)
    # the same target in both tables is one target with both sources
    abs_targets = {t.api: t.sources for t in db.get("torch.abs").targets}
    assert ("master" in abs_targets.get("mindspore.mint.abs", ())) or len(abs_targets) >= 1


def test_every_official_row_is_a_target_of_its_entry(db) -> None:
    for row in official_rows():
        if not row["torch_api"]:
            continue
        targets = {t.api: t for t in db.get(row["torch_api"]).targets}
        assert row["mindspore_api"] in targets, row["torch_api"]
        assert row["table"] in targets[row["mindspore_api"]].sources


def test_conv2d_parameter_facts(db) -> None:
    conv = db.pick_target(db.get("torch.nn.Conv2d"), "CPU")
    assert conv.api == "mindspore.nn.Conv2d"
    assert conv.rename == {"groups": "group", "bias": "has_bias"}
    assert conv.set_args == {"pad_mode": "'pad'"}
    bias = next(p for p in conv.params if p.torch == "bias")
    assert (bias.torch_default, bias.mindspore_default) == ("True", "False")
    assert conv.torch_params[:5] == (
        "in_channels",
        "out_channels",
        "kernel_size",
        "stride",
        "padding",
    )
    assert conv.diff_url.endswith("/r2.4.10/note/api_mapping/pytorch_diff/Conv2d.html")


def test_category_with_named_default(db) -> None:
    amax = db.get("torch.amax")
    target = next(t for t in amax.targets if "master" in t.sources)
    assert target.category == "param-defaults"
    assert "`dim`" in target.note


def test_pick_target_by_device(db) -> None:
    conv = db.get("torch.nn.Conv2d")
    assert db.pick_target(conv, "CPU").api == "mindspore.nn.Conv2d"
    assert db.pick_target(conv, "Ascend").api == "mindspore.mint.nn.Conv2d"
    flatten = db.get("torch.flatten")
    assert db.pick_target(flatten, "CPU").api == "mindspore.ops.flatten"


def test_curated_entries_and_overrides(db) -> None:
    assert db.pick_target(db.get("torch.nn.Module"), "CPU").api == "mindspore.nn.Cell"
    assert db.get("torch.no_grad").status == "no-equivalent"
    sgd = db.pick_target(db.get("torch.optim.SGD"), "CPU")
    assert sgd.api == "mindspore.experimental.optim.SGD"
    # official facts survive a curated override of the same target
    assert db.pick_target(db.get("torch.nn.Conv2d"), "CPU").category == "diff"


def test_lookup_by_tensor_method_and_search(db) -> None:
    assert db.tensor_method("view").torch_api == "torch.Tensor.view"
    assert db.tensor_method("no_such_method") is None
    names = [e.torch_api for e in db.search("conv2d", limit=5)]
    assert names[0] == "torch.nn.Conv2d" or names[0] == "torch.nn.functional.conv2d"
    assert "torch.nn.Conv2d" in names
    assert db.search("   ") == []
    assert db.has_module("torch.nn") and not db.has_module("torch.nn.Conv2d")


def test_data_files_are_what_the_importer_writes(tmp_path: Path) -> None:
    write_files(build_entries(REFERENCE), tmp_path)
    generated = sorted(p.name for p in tmp_path.glob("official_*.toml"))
    committed = sorted(p.name for p in DATA_DIR.glob("official_*.toml"))
    assert generated == committed
    for name in generated:
        assert (tmp_path / name).read_text() == (DATA_DIR / name).read_text(), name


def test_notes_are_not_copied_prose() -> None:
    pages = [json.loads(line) for line in (REFERENCE / "diff_pages.jsonl").open()]
    sentences = {
        s.strip()
        for page in pages
        for s in (page.get("differences_prose") or "").split(".")
        if len(s.strip()) > 40
    }
    text = "".join(p.read_text() for p in DATA_DIR.glob("*.toml"))
    assert [s for s in sentences if s in text] == []


def test_bad_data_is_reported_with_its_place(tmp_path: Path) -> None:
    (tmp_path / "official_x.toml").write_text('["torch.x"]\nstatus = "maybe"\n')
    with pytest.raises(DataError, match=r"official_x.toml: \[torch.x\] has unknown status"):
        parse_data(tmp_path)
    (tmp_path / "official_x.toml").write_text('["torch.x"\n')
    with pytest.raises(DataError, match="official_x.toml"):
        parse_data(tmp_path)


def test_every_data_file_parses_as_toml() -> None:
    for path in DATA_DIR.glob("*.toml"):
        tomllib.loads(path.read_text())
