"""Alignment of real models nobody here wrote, the way a user starts one: a small file with
`build()` and `example_inputs()` that imports the project's own `model.py`, aligned with no
port given (the port is the in-memory conversion of the files). nanoGPT and minGPT are copied
from ../shared/corpus/ into a temporary folder; nothing of them is kept."""

from __future__ import annotations

import shutil
from pathlib import Path

from server.runner.align.in_memory import local_sources
from server.runner.align.run import run_alignment
from server.runner.align.spec import RunSpec, parse_model_ref
from tests.convert_helpers import CORPUS

WRAPPER = """\
import torch
from model import GPT, GPTConfig


def build():
    torch.manual_seed(0)
    config = GPTConfig(block_size=16, vocab_size=50, n_layer=2, n_head=2, n_embd=16,
                       dropout=0.0, bias=True)
    return GPT(config)


def example_inputs():
    return (torch.randint(0, 50, (2, 16)),)
"""


def test_nanogpt_through_a_wrapper_aligns_in_every_stage(tmp_path: Path) -> None:
    shutil.copy(CORPUS / "nanoGPT" / "model.py", tmp_path / "model.py")
    (tmp_path / "small.py").write_text(WRAPPER)
    result = run_alignment(RunSpec(parse_model_ref(f"{tmp_path / 'small.py'}::build"), None))
    assert result["exit_code"] == 0, result["error"] or result["first_divergence"]
    assert result["mindspore"]["converted_files"] == ["small.py", "model.py"]
    weights = result["stages"]["weights"]
    # GPT ties lm_head to the token embedding; the port shares one Parameter
    assert weights["tied"] == [{"torch": "lm_head.weight", "same_as": "transformer.wte.weight"}]
    assert weights["unmatched_torch"] == [] and weights["unmatched_mindspore"] == []
    assert result["stages"]["backward"]["status"] == "ok"
    assert (tmp_path / "model.py").read_text() == (CORPUS / "nanoGPT" / "model.py").read_text()


MINGPT_WRAPPER = """\
import torch
from mingpt.model import GPT


def build():
    torch.manual_seed(0)
    config = GPT.get_default_config()
    config.model_type = None
    config.n_layer, config.n_head, config.n_embd = 2, 2, 16
    config.vocab_size, config.block_size = 50, 16
    config.embd_pdrop = config.resid_pdrop = config.attn_pdrop = 0.0
    return GPT(config)


def example_inputs():
    return (torch.randint(0, 50, (2, 16)),)
"""


def test_mingpt_package_through_a_wrapper_aligns_in_every_stage(tmp_path: Path) -> None:
    """The wrapper imports a package of the folder: the whole package is converted."""
    shutil.copytree(CORPUS / "minGPT" / "mingpt", tmp_path / "mingpt")
    (tmp_path / "small.py").write_text(MINGPT_WRAPPER)
    result = run_alignment(RunSpec(parse_model_ref(f"{tmp_path / 'small.py'}::build"), None))
    assert result["exit_code"] == 0, result["error"] or result["first_divergence"]
    assert "mingpt/model.py" in result["mindspore"]["converted_files"]
    assert all(s["status"] == "ok" for s in result["stages"].values())


def test_local_sources_follow_modules_and_packages_of_the_folder(tmp_path: Path) -> None:
    (tmp_path / "entry.py").write_text("import os\nimport helper\nfrom pkg.sub import x\n")
    (tmp_path / "helper.py").write_text("from other import y\n")
    (tmp_path / "other.py").write_text("import torch\n")
    (tmp_path / "unused.py").write_text("import torch\n")
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "sub" / "__init__.py").write_text("from .. import helper\n")
    found = [p.relative_to(tmp_path).as_posix() for p in local_sources(tmp_path / "entry.py")]
    assert found == [
        "entry.py",
        "helper.py",
        "pkg/__init__.py",
        "pkg/sub/__init__.py",
        "other.py",
    ]
