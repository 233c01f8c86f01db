"""Real models nobody here wrote, read from ../shared/corpus/ (never copied into the product):
nanoGPT's and minGPT's model.py with small configs, and segment-anything's modeling/ tree
(ImageEncoderViT with its relative imports) convert, run under MindSpore and match torch with
the same weights."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

from server.runner.align.copy_weights import copy_torch_weights
from tests.convert_helpers import (
    CORPUS,
    convert_to,
    load_module,
    load_package,
    relative_error,
    ruff_f,
    ruff_f_new,
)


def _compare(reference, cell, ms, torch_inputs, pick=lambda out: out) -> float:
    reference.eval()
    cell.set_train(False)
    with torch.no_grad():
        expected = pick(reference(*torch_inputs)).numpy()
    actual = pick(cell(*(ms.Tensor(x.numpy()) for x in torch_inputs))).asnumpy()
    return relative_error(expected, actual)


def test_nanogpt_model(tmp_path: Path, mindspore_on_cpu) -> None:
    ms = mindspore_on_cpu
    src = CORPUS / "nanoGPT" / "model.py"
    conversion = convert_to(src, tmp_path / "model.py")
    # only the flash-attention branch keeps torch (MindSpore has no such API: hasattr is False)
    assert [m.line for m in conversion.markers] == [64]
    assert ruff_f([tmp_path / "model.py"]) == ""
    torch_module = load_module(src, "nanogpt_torch_model")
    ms_module = load_module(tmp_path / "model.py", "nanogpt_ms_model")
    kwargs = dict(block_size=16, vocab_size=64, n_layer=2, n_head=2, n_embd=16, dropout=0.0)
    torch.manual_seed(0)
    reference = torch_module.GPT(torch_module.GPTConfig(**kwargs))
    cell = ms_module.GPT(ms_module.GPTConfig(**kwargs))
    copied = copy_torch_weights(reference, cell)
    # the port takes the masked path, whose causal mask is a buffer torch's flash path lacks
    assert copied.fixed and all(name.endswith("attn.bias") for name in copied.fixed)
    assert copied.tied == {"lm_head.weight": "transformer.wte.weight"}
    idx = torch.randint(0, 64, (2, 12))
    assert _compare(reference, cell, ms, (idx,), pick=lambda out: out[0]) < 1e-5


def test_mingpt_model(tmp_path: Path, mindspore_on_cpu, monkeypatch: pytest.MonkeyPatch) -> None:
    ms = mindspore_on_cpu
    src = CORPUS / "minGPT" / "mingpt"
    tree = convert_to(src, tmp_path / "mingpt")
    model = [c for c in tree.files if c.source_path.name == "model.py"][0]
    assert not model.markers
    assert ruff_f([tmp_path / "mingpt" / "model.py"]) == ""
    monkeypatch.syspath_prepend(str(CORPUS / "minGPT"))
    for name in [n for n in sys.modules if n == "mingpt" or n.startswith("mingpt.")]:
        monkeypatch.delitem(sys.modules, name)
    import mingpt.model as torch_module

    ms_module = load_module(tmp_path / "mingpt" / "model.py", "mingpt_ms_model")

    def config(module):
        c = module.GPT.get_default_config()
        c.model_type = None
        c.n_layer, c.n_head, c.n_embd = 2, 2, 16
        c.vocab_size, c.block_size = 64, 16
        return c

    torch.manual_seed(0)
    reference = torch_module.GPT(config(torch_module))
    cell = ms_module.GPT(config(ms_module))
    copied = copy_torch_weights(reference, cell)
    assert not copied.fixed and not copied.tied
    idx = torch.randint(0, 64, (2, 12))
    assert _compare(reference, cell, ms, (idx,), pick=lambda out: out[0]) < 1e-5


SAM = CORPUS / "segment-anything" / "segment_anything" / "modeling"


def test_segment_anything_image_encoder_tree(
    tmp_path: Path, mindspore_on_cpu, monkeypatch: pytest.MonkeyPatch
) -> None:
    ms = mindspore_on_cpu
    out = tmp_path / "sam_ms" / "modeling"
    tree = convert_to(SAM, out)
    assert not tree.errors
    assert not [m for c in tree.files for m in c.markers]
    for conversion in tree.files:  # no new undefined name or unused import
        name = conversion.source_path.name
        assert ruff_f_new(conversion.source_path, out / name) == [], name
    load_package(SAM, "sam_torch_modeling")
    load_package(out, "sam_ms_modeling")  # its __init__ imports every module, relatively
    TorchEncoder = sys.modules["sam_torch_modeling.image_encoder"].ImageEncoderViT
    PortEncoder = sys.modules["sam_ms_modeling.image_encoder"].ImageEncoderViT

    config = dict(
        img_size=32, patch_size=8, embed_dim=16, depth=2, num_heads=2, mlp_ratio=2.0,
        out_chans=8, use_rel_pos=True, window_size=2, global_attn_indexes=(1,),
    )  # fmt: skip
    torch.manual_seed(0)
    reference = TorchEncoder(**config)
    with torch.no_grad():  # relative position tables start at zero: give them values
        for name, p in reference.named_parameters():
            if "rel_pos" in name or "pos_embed" in name:
                p.normal_(0, 0.1)
    cell = PortEncoder(**config)
    copy_torch_weights(reference, cell)
    x = torch.randn(2, 3, 32, 32)
    assert _compare(reference, cell, ms, (x,)) < 1e-5


@pytest.mark.parametrize(
    "project", ["whisper/whisper", "stable-baselines3/stable_baselines3", "nanoGPT", "minGPT"]
)
def test_corpus_ports_add_no_undefined_names_or_unused_imports(
    project: str, tmp_path: Path
) -> None:
    src = CORPUS / project
    out = tmp_path / "port"
    tree = convert_to(src, out)
    assert not tree.errors
    new = {
        str(c.source_path.relative_to(src)): found
        for c in tree.files
        if (found := ruff_f_new(c.source_path, out / c.source_path.relative_to(src)))
    }
    assert new == {}
