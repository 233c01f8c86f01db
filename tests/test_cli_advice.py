"""One advice text per finding: `scan`, diagnostics, hovers and `db show` say the same thing,
the action first, no internal provenance, links to the installed torch's docs."""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys

import pytest
from rich.console import Console

from mapping_db.store import load_database
from server.advice.advice_text import (
    compose_advice,
    docs_version,
    installed_torch_version,
    provenance_notes,
    torch_docs_url,
)
from server.advice.assess import assess
from server.advice.hover_text import hover_markdown
from server.advice.policy import finding_level
from server.analysis.findings import CallShape, Span, TorchReference
from server.cli_db import _show, add_db_parser, run_db
from server.settings import Settings

PROVENANCE = re.compile(r"Amended:|introspection|Signature not readable|listed on the official")


@pytest.fixture(scope="module")
def db():
    return load_database()


@pytest.fixture(autouse=True)
def wide_console(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")


def call(name: str, *keywords: str, positional: int = 0, context: str = "call"):
    span = Span(0, 0, 0, len(name))
    return TorchReference(name, span, context, call=CallShape(span, positional, keywords))


def db_show(capsys, *argv: str) -> str:
    parser = argparse.ArgumentParser(prog="mindport")
    add_db_parser(parser.add_subparsers(dest="command"))
    assert run_db(parser.parse_args(["db", "show", *argv])) == 0
    return capsys.readouterr().out


def test_tensor_size_says_what_to_write_first_everywhere(db, capsys) -> None:
    finding = assess(call("torch.Tensor.size", context="tensor-method"), db, "CPU")
    assert finding is not None and finding.advice is not None
    action = finding.advice.action[0]
    assert "Use x.shape, or x.shape[d] for size(d)" in action
    head = "torch.Tensor.size → mindspore.Tensor.shape: "
    assert finding.message.startswith(head + action.rstrip("."))
    # no bare "see the difference page" without the page
    assert "difference page https://" in finding.message
    assert action in hover_markdown(db, "torch.Tensor.size", "CPU")
    assert action in " ".join(db_show(capsys, "Tensor.size").split())


@pytest.mark.parametrize("columns", [None, "80", "120", "200"])
def test_db_show_piped_or_in_a_terminal_cuts_nothing(db, columns: str | None) -> None:
    finding = assess(call("torch.Tensor.size", context="tensor-method"), db, "CPU")
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    if columns is None:  # piped: lines as they are
        out = subprocess.run(
            [sys.executable, "-m", "server.cli", "db", "show", "Tensor.size"],
            capture_output=True, text=True, env=env, timeout=60,
        ).stdout  # fmt: skip
        lines = [line.strip() for line in out.splitlines()]
        for part in finding.advice.parts:
            assert part in lines, part
        return
    parser = argparse.ArgumentParser(prog="mindport")
    add_db_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["db", "show", "Tensor.size"])
    buffer = io.StringIO()
    console = Console(file=buffer, width=int(columns), force_terminal=True, color_system=None)
    assert _show(db, args, console) == 0
    text = buffer.getvalue()
    # links stay whole on one line (terminals make them clickable); the rest wraps
    long = [line for line in text.splitlines() if len(line.rstrip()) > int(columns)]
    assert all(re.fullmatch(r"\s*(torch: )?https://\S+", line) for line in long), long
    flat = re.sub(r"\s+", "", text)
    for part in finding.advice.parts:
        assert re.sub(r"\s+", "", part) in flat, part


def test_db_show_and_scan_both_give_the_workaround(db, capsys) -> None:
    name = "torch.nn.functional.scaled_dot_product_attention"
    entry = db.get(name)
    assert entry is not None and entry.workaround
    finding = assess(call(name), db, "CPU")
    assert finding is not None and f"write instead: {entry.workaround}" in finding.message
    shown = " ".join(db_show(capsys, "F.scaled_dot_product_attention").split())
    assert f"write instead: {entry.workaround}" in shown
    assert f"Workaround: `{entry.workaround}`" in hover_markdown(db, name, "CPU")


def test_no_advice_carries_provenance(db) -> None:
    leaks = []
    for entry in db:
        for device in ("CPU", "Ascend"):
            sentence = compose_advice(db, entry, db.pick_target(entry, device), device).sentence()
            if PROVENANCE.search(sentence):
                leaks.append((entry.torch_api, sentence))
    assert leaks == []


def test_provenance_stays_in_the_hover_footer(db) -> None:
    entry = next(
        e for e in db
        if (t := db.pick_target(e, "CPU")) is not None and t.note.startswith("Amended:")
    )  # fmt: skip
    target = db.pick_target(entry, "CPU")
    text = hover_markdown(db, entry.torch_api, "CPU")
    body, _, footer = text.rpartition("\n---\n")
    assert "Amended:" in footer and "Amended:" not in body
    assert provenance_notes(entry, target)


@pytest.mark.parametrize("name", ["torch.arange", "torch.ones", "torch.zeros", "torch.optim.AdamW"])
def test_status_and_advice_agree(db, name: str) -> None:
    finding = assess(call(name), db, "CPU")
    assert finding is not None
    if finding.kind == "differences":  # then the advice names a difference
        assert (
            finding.advice.action
            or finding.advice.differences
            or (finding.advice.evidence.startswith("verification on"))
        ), finding.message
    else:
        assert finding.kind == "consistent"
        assert finding.target is not None and finding.target.category == "consistent"
    assert not finding.message.endswith(": consistent")


def test_dropping_no_grad_is_a_warning_not_an_error(db) -> None:
    finding = assess(call("torch.no_grad"), db, "CPU")
    assert finding is not None and finding.kind == "no_equivalent" and finding.drop_only
    assert finding_level(finding, Settings()) == "warning"
    quiet = Settings(severity={**Settings().severity, "no_equivalent": "hint"})
    assert finding_level(finding, quiet) == "hint"  # never louder than its kind
    kaiming = assess(call("torch.nn.init.kaiming_normal_"), db, "CPU")
    assert kaiming is not None and finding_level(kaiming, Settings()) == "error"


def test_a_call_lists_only_the_torch_only_parameters_it_passes(db) -> None:
    loader = assess(call("torch.utils.data.DataLoader", "batch_size", positional=1), db, "CPU")
    assert loader is not None
    assert "`batch_size` has no MindSpore counterpart" in loader.message
    assert "`persistent_workers`" not in loader.message
    assert "`persistent_workers`" in hover_markdown(db, "torch.utils.data.DataLoader", "CPU")


def test_torch_links_point_to_the_installed_version(db, capsys) -> None:
    version = docs_version(db)
    installed = installed_torch_version()
    assert installed is not None and version == ".".join(installed.split(".")[:2])
    for name in ("torch.nn.Conv2d", "torch.Tensor.size", "torch.no_grad"):
        text = hover_markdown(db, name, "CPU")
        links = re.findall(r"https://pytorch\.org/docs/[^/]+/", text)
        assert links == [f"https://pytorch.org/docs/{version}/"], (name, links)
    shown = db_show(capsys, "Tensor.size")
    assert f"torch: https://pytorch.org/docs/{version}/generated/torch.Tensor.size.html" in shown
    old = "https://pytorch.org/docs/1.8.1/tensors.html#torch.Tensor.view"
    assert torch_docs_url(old, "2.13") == (
        "https://pytorch.org/docs/2.13/generated/torch.Tensor.view.html"
    )
