"""The mapping database against the official tables it comes from, and its query API.

Everything here runs on the real data: the reference tables in shared/reference and the
reviewed files in mapping_db/data.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from mapping_db import Entry, MappingDB, Target, load_database
from mapping_db.importers.official_tables import DEFAULT_REFERENCE, build_entries, write_files
from mapping_db.store import DATA_DIR, parse_data

REPO = Path(__file__).resolve().parents[1]
REFERENCE = DEFAULT_REFERENCE
DIFF_URL = re.compile(
    r"https://www\.mindspore\.cn/docs/en/(master|r2\.4\.10)/note/api_mapping/pytorch_diff/"
    r"([\w.-]+)\.html"
)


def read_jsonl(name: str) -> list[dict]:
    with (REFERENCE / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    return read_jsonl("mapping.jsonl")


@pytest.fixture(scope="module")
def db() -> MappingDB:
    return load_database()


@pytest.fixture(scope="module")
def official(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Entry]:
    """The official files alone, without curated.toml merged over them."""
    folder = tmp_path_factory.mktemp("official")
    for path in DATA_DIR.glob("official_*.toml"):
        shutil.copy(path, folder / path.name)
    return parse_data(folder)


def target(entry: Entry, api: str) -> Target:
    found = [t for t in entry.targets if t.api == api]
    assert len(found) == 1, (entry.torch_api, api, [t.api for t in entry.targets])
    return found[0]


# ---- coverage of the official tables ----


def test_every_distinct_torch_api_of_the_tables_is_an_entry(rows, db) -> None:
    assert len(rows) == 1402
    apis = {r["torch_api"] for r in rows if r["torch_api"]}
    assert len(apis) == 928
    assert sorted(api for api in apis if db.get(api) is None) == []
    # rows without a torch API (MindSpore-only features) are not entries
    assert all(db.get(r["mindspore_api"]) is None for r in rows if not r["torch_api"])


def test_every_table_row_is_a_target_carrying_its_table(rows, official) -> None:
    for row in rows:
        if not row["torch_api"]:
            continue
        entry = official[row["torch_api"]]
        assert row["table"] in entry.sources, row["torch_api"]
        assert row["table"] in target(entry, row["mindspore_api"]).sources


def test_tables_that_disagree_keep_both_targets(db) -> None:
    cat = db.get("torch.cat")
    assert target(cat, "mindspore.mint.cat").sources == ("master",)
    assert target(cat, "mindspore.ops.cat").sources == ("r2.4.10",)
    assert cat.sources == ("master", "r2.4.10")


def test_a_target_both_tables_give_is_one_target_with_both_sources(rows, official) -> None:
    tables: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        if row["torch_api"]:
            tables[(row["torch_api"], row["mindspore_api"])].add(row["table"])
    shared = [key for key, seen in tables.items() if len(seen) == 2]
    assert len(shared) > 100  # e.g. torch.Tensor.all -> mindspore.Tensor.all
    for api, ms_api in shared:
        assert target(official[api], ms_api).sources == ("master", "r2.4.10")


def test_kind_and_status_follow_the_rules(official) -> None:
    for api, entry in official.items():
        last = api.rsplit(".", 1)[-1]
        if api.startswith("torch.Tensor."):
            assert entry.kind == "method", api
        elif last[:1].isupper():
            assert entry.kind == "class", api
        every_consistent = all(t.category == "consistent" for t in entry.targets)
        expected = "mapped" if every_consistent else "mapped-with-differences"
        assert entry.status == expected, api
        assert entry.targets, api  # every table row names a MindSpore API


# ---- parameter facts ----


def test_conv2d_facts_from_the_difference_page(official) -> None:
    conv = target(official["torch.nn.Conv2d"], "mindspore.nn.Conv2d")
    assert conv.category == "diff"
    assert conv.rename["groups"] == "group"
    bias = next(p for p in conv.params if p.torch == "bias")
    assert bias.mindspore == "has_bias"
    assert (bias.torch_default, bias.mindspore_default) == ("True", "False")
    assert conv.torch_params[:5] == ("in_channels", "out_channels", "kernel_size", "stride",
                                     "padding")  # fmt: skip
    assert conv.mindspore_params[4] == "pad_mode"  # where the two orders part ways
    assert {p.mindspore for p in conv.params if p.kind == "mindspore-only"} >= {"weight_init"}
    assert conv.diff_url == (
        "https://www.mindspore.cn/docs/en/r2.4.10/note/api_mapping/pytorch_diff/Conv2d.html"
    )
    assert conv.url and conv.url.endswith("mindspore.nn.Conv2d.html")


def test_conv2d_with_curated_facts_merged(db) -> None:
    conv = target(db.get("torch.nn.Conv2d"), "mindspore.nn.Conv2d")
    assert conv.rename == {"groups": "group", "bias": "has_bias"}
    assert conv.set_args == {"pad_mode": "'pad'"}
    assert conv.defaults == {"bias": "True"}
    assert set(conv.unsupported["padding_mode"]) == {"'reflect'", "'circular'", "'replicate'"}
    # the official facts survive the override
    assert conv.category == "diff" and conv.sources == ("r2.4.10",)
    assert conv.diff_url and conv.diff_url.endswith(
        "/r2.4.10/note/api_mapping/pytorch_diff/Conv2d.html"
    )


def test_default_differences_named_by_the_category_text(rows, db) -> None:
    named = [
        (r["torch_api"], r["mindspore_api"], m.group(1))
        for r in rows
        if (m := re.search(r"default value of (\w+) is different", r["category"] or ""))
    ]
    assert len(named) == 11
    for api, ms_api, param in named:
        found = target(db.get(api), ms_api)
        assert found.category == "param-defaults", api
        assert f"`{param}`" in found.note, api


def test_defaults_parsed_from_the_signatures(db) -> None:
    flatten = target(db.get("torch.flatten"), "mindspore.ops.flatten")
    start = next(p for p in flatten.params if p.torch == "start_dim")
    assert (start.kind, start.torch_default, start.mindspore_default) == ("default", "0", "1")
    assert flatten.defaults == {"start_dim": "0"}


def test_renames_are_name_only_differences(official) -> None:
    for entry in official.values():
        for t in entry.targets:
            kinds = {p.torch: p.kind for p in t.params if p.torch}
            for torch_name, ms_name in t.rename.items():
                assert torch_name != ms_name
                # a rename comes from the page's table or from the category text
                assert kinds.get(torch_name, "rename") == "rename", (entry.torch_api, torch_name)


def test_droppable_parameters_are_the_general_ones(official) -> None:
    general = {g["parameter"] for g in read_jsonl("general_difference_params.jsonl")}
    dropped = 0
    for entry in official.values():
        for t in entry.targets:
            torch_only = {p.torch for p in t.params if p.kind == "torch-only"}
            assert set(t.drop_if_default) <= general & torch_only, entry.torch_api
            dropped += len(t.drop_if_default)
    assert dropped > 20
    cross_entropy = target(official["torch.nn.CrossEntropyLoss"], "mindspore.nn.CrossEntropyLoss")
    assert set(cross_entropy.drop_if_default) == {"size_average", "reduce"}


def test_difference_links_point_at_pages_of_the_reference(official) -> None:
    pages = {(p["table"], Path(p["diff_page"]).stem) for p in read_jsonl("diff_pages.jsonl")}
    linked = 0
    for entry in official.values():
        for t in entry.targets:
            if t.diff_url is None:
                continue
            match = DIFF_URL.fullmatch(t.diff_url)
            assert match, t.diff_url
            assert (match.group(1), match.group(2)) in pages, t.diff_url
            linked += 1
    assert linked > 200


def test_data_holds_no_copied_prose() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in DATA_DIR.glob("*.toml"))
    copied: list[str] = []
    for page in read_jsonl("diff_pages.jsonl"):
        for sentence in re.split(r"(?<=[.!?])\s+", page.get("differences_prose") or ""):
            if len(sentence) > 40 and sentence in text:
                copied.append(sentence)
        for row in page.get("diff_table") or []:
            cell = (row.get("difference") or "").strip()
            if len(cell) > 30 and cell in text:
                copied.append(cell)
    assert copied == []


def test_data_files_are_what_the_importer_writes(tmp_path: Path) -> None:
    write_files(build_entries(REFERENCE), tmp_path)
    committed = sorted(p.name for p in DATA_DIR.glob("official_*.toml"))
    assert sorted(p.name for p in tmp_path.glob("official_*.toml")) == committed
    for name in committed:
        assert (tmp_path / name).read_text() == (DATA_DIR / name).read_text(), name


def test_importer_runs_as_a_module_and_is_deterministic(tmp_path: Path) -> None:
    for out in (tmp_path / "a", tmp_path / "b"):
        done = subprocess.run(
            [sys.executable, "-m", "mapping_db.importers.official_tables",
             "--reference", str(REFERENCE), "--out", str(out)],
            cwd=REPO, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "928" in done.stdout
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()


# ---- curated entries ----


def test_curated_entries_exist_with_their_facts(db) -> None:
    assert target(db.get("torch.nn.Module"), "mindspore.nn.Cell").sources == ("curated",)
    assert "construct" in db.get("torch.nn.Module").note
    assert target(db.get("torch.Tensor"), "mindspore.Tensor")
    assert target(db.get("torch.nn.Parameter"), "mindspore.Parameter")
    no_grad = db.get("torch.no_grad")
    assert no_grad.status == "no-equivalent" and "stop_gradient" in no_grad.note
    for name in ("torch.device", "torch.cuda.is_available"):
        assert db.get(name).status == "no-equivalent" and db.get(name).note
    batch_norm = target(db.get("torch.nn.BatchNorm2d"), "mindspore.nn.BatchNorm2d")
    assert batch_norm.value_transforms == {"momentum": "1 - {}"}
    dense = target(db.get("torch.nn.Linear"), "mindspore.nn.Dense")
    assert dense.rename == {"in_features": "in_channels", "out_features": "out_channels",
                            "bias": "has_bias"}  # fmt: skip
    assert target(db.get("torch.nn.Sequential"), "mindspore.nn.SequentialCell")
    assert "shape" in db.get("torch.Tensor.size").note
    for name in ("torch.optim.SGD", "torch.nn.CrossEntropyLoss", "torch.flatten", "torch.nn.ReLU",
                 "torch.nn.MaxPool2d", "torch.nn.AdaptiveAvgPool2d", "torch.randn",
                 "torch.manual_seed", "torch.utils.data.DataLoader", "torch.utils.data.Dataset",
                 "torch.utils.data.TensorDataset", "torch.nn.init.kaiming_normal_",
                 "torch.nn.init.constant_", "torch.nn.Identity", "torch.nn.Dropout"):  # fmt: skip
        assert db.get(name) is not None, name


def test_curated_targets_merge_into_official_ones(db, official) -> None:
    # a curated target with an official `api` keeps the official fields it does not set
    relu = target(db.get("torch.nn.ReLU"), "mindspore.nn.ReLU")
    assert relu.drop == ("inplace",)
    assert relu.category == target(official["torch.nn.ReLU"], "mindspore.nn.ReLU").category
    # a new target is added after the official ones, listed as curated
    pool = db.get("torch.nn.MaxPool2d")
    assert [t.api for t in pool.targets][0] == "mindspore.nn.MaxPool2d"
    assert target(pool, "mindspore.mint.nn.MaxPool2d").sources == ("curated",)
    # the entry keeps its official sources and links
    assert pool.sources == official["torch.nn.MaxPool2d"].sources
    assert pool.torch_url == official["torch.nn.MaxPool2d"].torch_url


# ops kernels MindSpore 2.10 lacks on CPU too (LayerNormExt, Einsum), seen by running them
OPS_WITHOUT_CPU_KERNEL = frozenset({"mindspore.ops.layer_norm", "mindspore.ops.einsum"})


def test_mint_kernels_seen_missing_on_cpu_are_marked(db) -> None:
    marked = {t.api for e in db for t in e.targets if t.not_on == ("CPU",)}
    assert {"mindspore.mint.nn.Conv2d", "mindspore.mint.stack"} <= marked
    assert all(api.startswith("mindspore.mint.") or api in OPS_WITHOUT_CPU_KERNEL for api in marked)


# ---- queries ----


def test_get_tensor_method_and_modules(db) -> None:
    assert db.get("torch.nn.Conv2d").kind == "class"
    assert db.get("nn.Conv2d") is None  # exact qualified names only
    assert db.tensor_method("view").torch_api == "torch.Tensor.view"
    assert db.tensor_method("view").is_tensor_method
    assert db.tensor_method("nope") is None
    assert db.has_module("torch") and db.has_module("torch.nn")
    assert db.has_module("torch.nn.functional") and db.has_module("torchvision")
    assert not db.has_module("torch.nn.Conv2d") and not db.has_module("torch.Tensor")
    assert not db.has_module("torch.no_such_module")
    assert len(db) == len(list(db)) == len({e.torch_api for e in db}) >= 928


def test_search_ranks_exact_then_last_component_then_prefix(db) -> None:
    assert db.search("torch.flatten")[0].torch_api == "torch.flatten"
    names = [e.torch_api for e in db.search("conv2d", limit=5)]
    assert names[:2] == ["torch.nn.Conv2d", "torch.nn.functional.conv2d"]
    assert names == [e.torch_api for e in db.search("CONV2D", limit=5)]
    prefixed = [e.torch_api for e in db.search("torch.nn.Conv", limit=6)]
    assert all(name.startswith("torch.nn.Conv") for name in prefixed)
    relu = [e.torch_api for e in db.search("relu", limit=20)]
    assert relu.index("torch.nn.ReLU") < relu.index("torch.nn.ReLU6") < relu.index("torch.nn.PReLU")
    assert len(db.search("a", limit=7)) == 7
    assert db.search("  ") == []


def test_search_finds_targets_and_notes(db) -> None:
    assert [e.torch_api for e in db.search("mindspore.mint.cat")] == ["torch.cat"]
    assert "torch.nn.Module" in [e.torch_api for e in db.search("construct")]
    assert db.search("no such thing anywhere") == []


def test_pick_target_by_device(db) -> None:
    conv = db.get("torch.nn.Conv2d")
    assert db.pick_target(conv, "CPU").api == "mindspore.nn.Conv2d"
    assert db.pick_target(conv, "GPU").api == "mindspore.mint.nn.Conv2d"
    assert db.pick_target(conv, "Ascend").api == "mindspore.mint.nn.Conv2d"
    cat = db.get("torch.cat")
    assert db.pick_target(cat, "CPU").api == "mindspore.ops.cat"
    assert db.pick_target(cat, "Ascend").api == "mindspore.mint.cat"
    assert db.pick_target(db.get("torch.Tensor.view"), "CPU").api == "mindspore.Tensor.view"
    assert db.pick_target(db.get("torch.no_grad"), "CPU") is None
    for entry in db:
        picked = db.pick_target(entry, "CPU")
        assert picked is None or "CPU" not in picked.not_on, entry.torch_api


# ---- loading ----


def test_default_database_is_loaded_once() -> None:
    assert load_database() is load_database()


def test_cache_follows_edits_of_the_data(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns(".*"))
    first = load_database(data)
    assert len(first) == len(load_database())
    assert list((tmp_path / "cache").rglob("*"))  # a cache was written
    curated = data / "curated.toml"
    curated.write_text(
        curated.read_text().replace("Subclass mindspore.nn.Cell;", "Edited: subclass Cell;")
    )
    assert load_database(data).get("torch.nn.Module").note.startswith("Edited:")
