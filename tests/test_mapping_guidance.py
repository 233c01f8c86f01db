"""Answers for what real code uses: alias paths, namespace answers, our guidance entries."""

from __future__ import annotations

import importlib
import inspect
import json
import shutil
import tomllib
from pathlib import Path

import pytest

from mapping_db.store import (
    ALIASES_NAME,
    CURATED,
    DATA_DIR,
    GUIDANCE,
    NAMESPACES_NAME,
    DataError,
    load_database,
    parse_data,
)
from mapping_db.usage import is_weak_note
from server.runner.verify.names import resolve


def test_alias_paths_resolve_to_the_entry_of_the_same_object() -> None:
    import torch  # noqa: F401 - the aliases were computed from it

    db = load_database()
    assert db.get("torch.nn.modules.batchnorm.BatchNorm2d").torch_api == "torch.nn.BatchNorm2d"
    assert db.get("torch.optim.optimizer.Optimizer").torch_api == "torch.optim.Optimizer"
    assert db.get("torch.utils.data.dataloader.DataLoader").torch_api == (
        "torch.utils.data.DataLoader"
    )
    aliases = db.aliases
    assert len(aliases) > 500
    for alias, name in sorted(aliases.items())[::25]:  # every 25th: each import is slow
        assert resolve(alias) is resolve(name), alias


def test_namespace_answers_cover_names_without_an_entry_and_never_shadow_one() -> None:
    db = load_database()
    node = db.get("torch.fx.Node")
    assert node is not None and node.status == "no-equivalent"
    assert db.is_namespace_answer(node)
    assert "mindspore.jit" in node.note
    # the longest prefix wins
    assert "ATen" in db.get("torch.ops.aten.mm.default").note
    # an entry beats its namespace
    rank = db.get("torch.distributed.get_rank")
    assert not db.is_namespace_answer(rank) and rank.targets
    # names outside every answered namespace stay unknown
    assert db.get("torch.not_a_real_api") is None
    assert db.get("torchx.fx.Node") is None


def test_namespace_and_guidance_notes_are_answers_not_placeholders() -> None:
    namespaces = tomllib.loads((DATA_DIR / NAMESPACES_NAME).read_text())
    for prefix, row in namespaces.items():
        assert prefix.startswith("torch."), prefix
        assert not is_weak_note(row["note"]) and len(row["note"]) > 30, prefix
    guidance = parse_data(DATA_DIR, [DATA_DIR / GUIDANCE])
    assert len(guidance) > 100
    for entry in guidance.values():
        if entry.status == "no-equivalent":
            assert not is_weak_note(entry.note), entry.torch_api


def test_guidance_targets_exist_in_the_installed_mindspore(mindspore_on_cpu) -> None:
    missing = []
    for entry in parse_data(DATA_DIR, [DATA_DIR / GUIDANCE]).values():
        for target in entry.targets:
            if resolve(target.api) is None:
                missing.append(f"{entry.torch_api} -> {target.api}")
    assert missing == []


def test_dtype_entries_name_the_same_precision(mindspore_on_cpu) -> None:
    import mindspore
    import numpy as np
    import torch

    db = load_database()
    checked = 0
    for entry in db:
        if entry.kind != "attribute" or not entry.targets:
            continue
        torch_dtype = resolve(entry.torch_api)
        if not isinstance(torch_dtype, torch.dtype) or torch_dtype == torch.bfloat16:
            continue
        ms_dtype = resolve(entry.targets[0].api)
        torch_np = torch.zeros(1, dtype=torch_dtype).numpy().dtype
        assert np.dtype(mindspore.dtype_to_nptype(ms_dtype)) == torch_np, entry.torch_api
        checked += 1
    assert checked >= 20


def test_torch_tensor_fix_writes_mindspore_tensor(mindspore_on_cpu) -> None:
    import mindspore
    import torch

    from server.convert.call_rewrite import rewrite_call

    target = load_database().get("torch.tensor").targets[0]
    text = rewrite_call("torch.tensor([[1, 2], [3, 4]], device=device)", target).text
    assert text == "mindspore.tensor([[1, 2], [3, 4]])"
    for data in ([[1, 2], [3, 4]], [1.5, 2.0], 3.0, [True, False]):
        ms_value = mindspore.tensor(data)
        torch_value = torch.tensor(data)
        assert str(torch_value.dtype).removeprefix("torch.") in str(ms_value.dtype).lower()
        assert (ms_value.asnumpy() == torch_value.numpy()).all()


def _copy_data(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data, ignore=shutil.ignore_patterns("verified"))
    return data


def test_bad_side_files_give_clear_errors(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    (data / NAMESPACES_NAME).write_text('["torch.fx"]\nnote = ""\n')
    with pytest.raises(DataError, match="needs a note"):
        load_database(data)
    data = _copy_data(tmp_path / "again")
    (data / ALIASES_NAME).write_text(json.dumps(["not", "an", "object"]))
    with pytest.raises(DataError, match="aliases"):
        load_database(data)


def test_aliases_to_missing_entries_are_ignored(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    (data / ALIASES_NAME).write_text(
        json.dumps({"aliases": {"torch.a.B": "torch.nn.ReLU", "torch.c.D": "torch.nope"}})
    )
    db = load_database(data)
    assert db.get("torch.a.B").torch_api == "torch.nn.ReLU"
    assert db.get("torch.c.D") is None
    assert inspect.isclass(type(db))


def test_tensor_attribute_reads_are_references_with_an_answer() -> None:
    from server.advice.hover_text import hover_markdown
    from server.analysis.references import find_torch_references

    source = (
        "import torch\n\n\n"
        "def step(x: torch.Tensor, p):\n"
        "    g = x.grad\n"
        "    n = x.shape[0]\n"
        "    return x.requires_grad, x.device, x.is_cuda, x.T, p.grad\n"
    )
    refs = find_torch_references(source).references
    found = {r.qualified_name for r in refs if r.context == "tensor-method"}
    wanted = {"grad", "shape", "requires_grad", "device", "is_cuda", "T"}
    assert found == {f"torch.Tensor.{name}" for name in wanted}
    assert all(
        r.call is None and r.confidence == "likely" for r in refs if r.qualified_name in found
    )
    # `p` is nothing local evidence knows: its .grad is no reference
    assert sum(r.qualified_name == "torch.Tensor.grad" for r in refs) == 1
    db = load_database()
    assert "value_and_grad" in hover_markdown(db, "torch.Tensor.grad", "CPU", "likely")
    assert "get_current_device" in hover_markdown(db, "torch.Tensor.is_cuda", "CPU", "likely")


def test_attribute_names_come_from_torch_and_have_entries() -> None:
    from mapping_db.tensor_methods import TENSOR_ATTRIBUTES

    db = load_database()
    assert {"grad", "requires_grad", "device", "is_cuda", "data", "shape", "dtype", "T"} <= (
        TENSOR_ATTRIBUTES
    )
    assert all(db.get(f"torch.Tensor.{name}") is not None for name in TENSOR_ATTRIBUTES)


def _attribute_path(dotted: str) -> object | None:
    """Resolve by attribute access from the top package, importing submodules as needed (the
    way code reaches `mindspore.profiler.mstx.range_start`)."""
    parts = dotted.split(".")
    obj: object = importlib.import_module(parts[0])
    for index, part in enumerate(parts[1:], start=1):
        found = getattr(obj, part, None)
        if found is None:
            try:
                found = importlib.import_module(".".join(parts[: index + 1]))
            except ImportError:
                return None
        obj = found
    return obj


def test_mindspore_names_in_our_notes_exist(mindspore_on_cpu) -> None:
    import re

    notes: list[str] = []
    for name in (GUIDANCE, NAMESPACES_NAME, CURATED):
        for row in tomllib.loads((DATA_DIR / name).read_text()).values():
            notes.append(row.get("note", ""))
            notes += [t.get("note", "") for t in row.get("targets", [])]
    mentioned = {m for note in notes for m in re.findall(r"\bmindspore(?:\.\w+)+", note)}
    assert len(mentioned) > 50
    assert sorted(n for n in mentioned if _attribute_path(n) is None) == []
