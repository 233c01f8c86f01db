"""`mindport db ...`: the handlers called with parsed arguments, output captured."""

from __future__ import annotations

import argparse
import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console

import mapping_db.importers.official_tables as importer
from mapping_db import load_database
from mapping_db.store import DATA_DIR
from server.advice.advice_text import docs_version
from server.cli_db import _search, add_db_parser, run_db


@pytest.fixture(autouse=True)
def wide_console(monkeypatch) -> None:
    # rich wraps at 80 columns when not on a terminal; links must stay whole to be checked
    monkeypatch.setenv("COLUMNS", "250")


def db_command(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="mindport")
    sub = parser.add_subparsers(dest="command")
    add_db_parser(sub)
    args = parser.parse_args(["db", *argv])
    assert args.command == "db"
    return run_db(args)


def test_show_prints_targets_sources_parameters_and_links(capsys) -> None:
    assert db_command("show", "torch.nn.Conv2d") == 0
    out = capsys.readouterr().out
    assert "torch.nn.Conv2d" in out and "mapped-with-differences" in out
    assert "mindspore.nn.Conv2d" in out and "mindspore.mint.nn.Conv2d" in out
    assert "master" in out and "r2.4.10" in out
    assert "`groups` is `group`" in out and "has_bias" in out
    assert "pad_mode='pad'" in out
    assert (
        "https://www.mindspore.cn/docs/en/r2.4.10/note/api_mapping/pytorch_diff/Conv2d.html" in out
    )
    version = docs_version(load_database())
    assert f"https://pytorch.org/docs/{version}/generated/torch.nn.Conv2d.html" in out
    # the target used on the chosen device is marked, the one that cannot run there too
    used = next(line for line in out.splitlines() if "used on CPU" in line)
    assert "mindspore.nn.Conv2d" in used and "mint" not in used
    assert "not on CPU" in out


def test_show_picks_for_the_device_asked(capsys) -> None:
    assert db_command("show", "torch.nn.Conv2d", "--device", "Ascend") == 0
    used = next(line for line in capsys.readouterr().out.splitlines() if "used on Ascend" in line)
    assert "mindspore.mint.nn.Conv2d" in used


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("view", "torch.Tensor.view"),
        ("nn.Conv2d", "torch.nn.Conv2d"),
        ("F.relu", "torch.nn.functional.relu"),
        ("flatten", "torch.flatten"),
    ],
)
def test_show_accepts_short_names(typed: str, found: str, capsys) -> None:
    assert db_command("show", typed, "--json") == 0
    assert json.loads(capsys.readouterr().out)["torch_api"] == found


def test_show_json_is_the_entry(capsys) -> None:
    assert db_command("show", "torch.cat", "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "mapped-with-differences"
    sources = {t["api"]: t["sources"] for t in data["targets"]}
    assert sources["mindspore.mint.cat"] == ["master"]
    assert sources["mindspore.ops.cat"] == ["r2.4.10"]


def test_show_unknown_name_fails_with_close_matches(capsys) -> None:
    assert db_command("show", "torch.nn.Conv") == 1
    out = capsys.readouterr().out
    assert "not in the mapping database" in out
    assert "torch.nn.Conv2d" in out


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("torch.nn.Lineer", "torch.nn.Linear"), ("Lineer", "torch.nn.Linear"),
     ("F.rlu", "torch.nn.functional.relu"), ("torch.flaten", "torch.flatten")],
)  # fmt: skip
def test_show_suggests_close_names_for_a_typo(typed: str, meant: str, capsys) -> None:
    assert db_command("show", typed) == 1
    out = capsys.readouterr().out
    suggestion = next(line for line in out.splitlines() if line.startswith("Did you mean: "))
    assert meant in suggestion.removeprefix("Did you mean: ").rstrip("?").split(", ")


def test_search_without_match_suggests_close_names(capsys) -> None:
    assert db_command("search", "Lineer") == 1
    out = capsys.readouterr().out
    assert "nothing matches 'Lineer'" in out and "Did you mean: torch.nn.Linear" in out


@pytest.mark.parametrize("width", [80, 120, 200])
def test_search_in_a_terminal_never_cuts_names(width: int) -> None:
    parser = argparse.ArgumentParser(prog="mindport")
    add_db_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["db", "search", "binary_cross_entropy"])
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=True, color_system=None)
    assert _search(load_database(), args, console) == 0
    text = buffer.getvalue()
    assert "…" not in text
    flat = re.sub(r"[\s│┃]+", "", text)
    for entry in load_database().search("binary_cross_entropy"):
        assert entry.torch_api in flat
        for target in entry.targets:
            assert target.api in flat


def test_search_piped_prints_one_entry_per_line(capsys) -> None:
    assert db_command("search", "conv2d", "--limit", "3") == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 3 and all(len(r) == 3 for r in rows)
    assert rows[0][0].startswith("torch.")


def test_search_table_and_json(capsys) -> None:
    assert db_command("search", "relu", "--limit", "3") == 0
    out = capsys.readouterr().out
    assert "torch.nn.ReLU" in out and "mindspore.nn.ReLU" in out
    assert db_command("search", "relu", "--limit", "3", "--json") == 0
    found = json.loads(capsys.readouterr().out)
    assert len(found) == 3 and found[0]["torch_api"] == "torch.nn.ReLU"
    assert "mindspore.mint.nn.ReLU" in found[0]["targets"]


def test_search_without_match_fails(capsys) -> None:
    assert db_command("search", "no such api at all") == 1
    assert "nothing matches" in capsys.readouterr().out


def test_stats_counts_every_entry(capsys) -> None:
    assert db_command("stats") == 0
    out = capsys.readouterr().out
    assert f"{len(load_database()):,} torch APIs" in out
    for namespace in ("torch.nn.functional", "torch.Tensor", "torchvision"):
        assert namespace in out


def test_import_rebuilds_the_official_files(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(importer, "DEFAULT_OUT", tmp_path)
    assert db_command("import", "--reference", str(importer.DEFAULT_REFERENCE)) == 0
    assert "total: 928 torch APIs" in capsys.readouterr().out
    for path in DATA_DIR.glob("official_*.toml"):
        assert (tmp_path / path.name).read_text() == path.read_text(), path.name


def test_import_from_a_folder_without_tables_fails(tmp_path: Path, capsys) -> None:
    assert db_command("import", "--reference", str(tmp_path)) == 2
    assert "no mapping.jsonl" in capsys.readouterr().err
