"""The weight map (torch names -> MindSpore names by module path and the layer attribute table),
checked by aligning real layers and by `mindport weights convert`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

from server.runner.align.run import run_alignment
from server.runner.align.spec import RunSpec, parse_model_ref
from server.runner.align.weights import map_weights
from server.runner.weights_convert import infer_modules

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "align"
MINDPORT = Path(sys.executable).with_name("mindport")


def module(
    path: str, kind: str, params: dict, buffers: dict | None = None, bases: list[str] | None = None
) -> dict:
    return {
        "path": path,
        "type": kind,
        "params": params,
        "buffers": buffers or {},
        "bases": bases or [kind],
    }


def ms(**shapes: list[int]) -> dict:
    return {name.replace("__", "."): {"shape": s, "trainable": True} for name, s in shapes.items()}


def test_batch_norm_names_buffers_and_the_dropped_counter() -> None:
    wmap = map_weights(
        [
            module(
                "bn",
                "torch.nn.BatchNorm2d",
                {"weight": [4], "bias": [4]},
                {"running_mean": [4], "running_var": [4], "num_batches_tracked": []},
            )
        ],
        ms(bn__gamma=[4], bn__beta=[4], bn__moving_mean=[4], bn__moving_variance=[4]),
    )
    assert wmap.ok
    assert {p["torch"]: p["ms"] for p in wmap.pairs} == {
        "bn.weight": "bn.gamma",
        "bn.bias": "bn.beta",
        "bn.running_mean": "bn.moving_mean",
        "bn.running_var": "bn.moving_variance",
    }
    assert [p["kind"] for p in wmap.pairs] == ["param", "param", "buffer", "buffer"]
    assert wmap.dropped[0]["torch"] == "bn.num_batches_tracked"


def test_a_subclass_keeps_its_base_layers_names() -> None:
    mine = module("norm", "user.MyNorm", {"weight": [3]}, bases=["torch.nn.LayerNorm"])
    wmap = map_weights([mine], ms(norm__gamma=[3]))
    assert wmap.ok and wmap.pairs[0]["ms"] == "norm.gamma"


def test_conv1d_kernels_are_reshaped_other_shapes_are_listed() -> None:
    conv = module("c", "torch.nn.Conv1d", {"weight": [6, 8, 3], "bias": [6]})
    wmap = map_weights([conv], ms(c__weight=[6, 8, 1, 3], c__bias=[6]))
    assert wmap.ok and wmap.pairs[0]["transform"] == "reshape"
    linear = module("fc", "torch.nn.Linear", {"weight": [4, 8], "bias": [4]})
    wrong = map_weights([linear], ms(fc__weight=[8, 4], fc__bias=[4], extra=[2]))
    assert not wrong.ok
    assert wrong.shape_mismatch == [
        {"torch": "fc.weight", "ms": "fc.weight", "torch_shape": [4, 8], "ms_shape": [8, 4]}
    ]
    assert wrong.unmatched_ms == ["extra"]
    assert "fc.weight (4, 8) -> fc.weight (8, 4): shapes differ" in wrong.problems()


def test_every_layer_family_of_the_table_transfers_and_aligns() -> None:
    """Embedding, LSTM (bidirectional), GRU, MultiheadAttention, LayerNorm, PReLU, Conv1d,
    GroupNorm, BatchNorm1d: copied by the map, then forward, backward and 2 training steps."""
    spec = RunSpec(
        parse_model_ref(f"{DATA / 'layers_torch.py'}::make"),
        parse_model_ref(str(DATA / "layers_ms.py"), "make"),
        steps=2,
    )
    result = run_alignment(spec)
    assert result["exit_code"] == 0, result["error"] or result["first_divergence"]
    pairs = {p["torch"]: p["ms"] for p in result["stages"]["weights"]["pairs"]}
    assert pairs["embed.weight"] == "embed.embedding_table"
    assert pairs["act.weight"] == "act.w"
    assert pairs["attn.in_proj_weight"] == "attn.in_proj_weight"
    assert pairs["rnn.weight_hh_l0_reverse"] == "rnn.weight_hh_l0_reverse"
    assert pairs["group.weight"] == "group.gamma"
    rows = {r["path"]: r for r in result["stages"]["forward"]["rows"]}
    for layer in ("embed", "rnn", "gru", "attn", "norm", "act", "conv", "group", "bn"):
        assert rows[layer]["agree"], layer


def test_a_tied_weight_maps_to_the_one_shared_parameter() -> None:
    embedding = module("emb", "torch.nn.Embedding", {"weight": [10, 4]})
    head = module("head", "torch.nn.Linear", {"weight": [10, 4]})
    head["tied"] = {"weight": "emb.weight"}
    wmap = map_weights([embedding, head], ms(emb__embedding_table=[10, 4]))
    assert wmap.ok, wmap.problems()
    assert [p["torch"] for p in wmap.pairs] == ["emb.weight"]
    assert wmap.tied == [{"torch": "head.weight", "same_as": "emb.weight"}]
    # without the tie, the head's weight has nowhere to go
    del head["tied"]
    assert map_weights([embedding, head], ms(emb__embedding_table=[10, 4])).unmatched_torch == [
        "head.weight"
    ]


def test_a_model_with_tied_weights_aligns_with_its_in_memory_port() -> None:
    """The torch worker finds the shared storage; the port shares one Parameter."""
    result = run_alignment(RunSpec(parse_model_ref(f"{DATA / 'tied_torch.py'}::make"), None))
    assert result["exit_code"] == 0, result["error"] or result["first_divergence"]
    weights = result["stages"]["weights"]
    assert weights["tied"] == [{"torch": "head.weight", "same_as": "emb.weight"}]
    assert weights["unmatched_torch"] == []


def test_names_alone_recognise_batch_norm() -> None:
    modules = infer_modules(
        {
            "bn.weight": {"shape": [4]},
            "bn.running_mean": {"shape": [4]},
            "bn.running_var": {"shape": [4]},
            "fc.weight": {"shape": [2, 4]},
        }
    )
    kinds = {m["path"]: m["type"] for m in modules}
    assert kinds == {"bn": "torch.nn.BatchNorm2d", "fc": "unknown"}


def convert(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(MINDPORT), "weights", "convert", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
    )


def test_weights_convert_writes_a_checkpoint_mindspore_loads(
    tmp_path: Path, mindspore_on_cpu
) -> None:
    sys.path.insert(0, str(DATA))
    try:
        import tiny_torch
    finally:
        sys.path.remove(str(DATA))
    torch.manual_seed(3)
    state = tiny_torch.make_net().state_dict()
    source = tmp_path / "tiny.pth"
    torch.save({"state_dict": {f"module.{k}": v for k, v in state.items()}, "epoch": 1}, source)
    output = tmp_path / "out" / "tiny.ckpt"
    done = convert(
        str(source),
        "-o",
        str(output),
        "--model",
        f"{DATA / 'tiny_torch.py'}::make_net",
        "--ms",
        str(DATA / "tiny_ms.py"),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "11 tensors written (4 renamed, 1 torch-only dropped)" in done.stdout
    loaded = mindspore_on_cpu.load_checkpoint(str(output))
    assert np.array_equal(loaded["bn.moving_variance"].asnumpy(), state["bn.running_var"].numpy())
    assert np.array_equal(loaded["stem.weight"].asnumpy(), state["stem.weight"].numpy())
    # without the model: BatchNorm found by its running statistics, the rest kept
    bare = tmp_path / "bare.ckpt"
    done = convert(str(source), "-o", str(bare))
    assert done.returncode == 0, done.stdout + done.stderr
    assert set(mindspore_on_cpu.load_checkpoint(str(bare))) == set(loaded)
    # a port that misses a parameter: nothing written, exit 1
    missing = tmp_path / "missing.ckpt"
    done = convert(
        str(source),
        "-o",
        str(missing),
        "--model",
        f"{DATA / 'tiny_torch.py'}::make_net",
        "--ms",
        str(DATA / "tiny_ms_missing.py"),
    )
    assert done.returncode == 1
    assert "torch head.bias has no counterpart in the port" in done.stdout
    assert not missing.exists()
    assert convert(str(tmp_path / "nothing.pth"), "-o", str(missing)).returncode == 2
