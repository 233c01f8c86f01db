"""`mindport convert`: output, diff, trees, summary, exit codes; SRC is never overwritten."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.convert_helpers import REPO

FIXTURES = REPO / "tests" / "fixtures" / "convert"


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", "convert", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_file_to_stdout_exit_0_and_summary() -> None:
    src = FIXTURES / "imports" / "in.py"
    proc = run(str(src))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (FIXTURES / "imports" / "out.py").read_text()
    assert "converted 6 of 6 torch sites (100.0%)" in proc.stderr
    assert "by category" in proc.stderr


def test_markers_exit_1_with_path_line_reason(tmp_path: Path) -> None:
    src = FIXTURES / "markers" / "in.py"
    out = tmp_path / "port.py"
    proc = run(str(src), "-o", str(out))
    assert proc.returncode == 1
    assert f"{src}:7: torch.distributed.rpc.rpc_sync has no MindSpore equivalent" in proc.stderr
    assert "2 left with a `# mindport:` marker" in proc.stderr
    assert out.read_text().count("# mindport: ") == 2


def test_diff_prints_a_unified_diff() -> None:
    proc = run(str(FIXTURES / "checkpoints" / "in.py"), "--diff")
    assert proc.returncode == 0
    assert proc.stdout.startswith("--- ")
    assert "-    torch.save(model.state_dict(), path)" in proc.stdout
    assert "+    mindspore.save_checkpoint(model, path)" in proc.stdout


def test_json_summary(tmp_path: Path) -> None:
    proc = run(str(FIXTURES / "markers" / "in.py"), "-o", str(tmp_path / "a.py"), "--json")
    data = json.loads(proc.stdout)
    assert data["found"] == 2 and data["marked"] == 2 and data["converted"] == 0
    assert data["markers"][0]["line"] == 7


def test_never_overwrites_src(tmp_path: Path) -> None:
    src = tmp_path / "m.py"
    src.write_text("import torch\nx = torch.zeros(2)\n")
    proc = run(str(src), "-o", str(src))
    assert proc.returncode == 2
    assert "never overwritten" in proc.stderr
    assert src.read_text() == "import torch\nx = torch.zeros(2)\n"


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    src = tmp_path / "bad.py"
    src.write_text("import torch\n\ndef f(:\n    pass\n")
    proc = run(str(src))
    assert proc.returncode == 2
    assert f"{src}:3:" in proc.stderr


def test_code_the_compiler_refuses_is_not_ported(tmp_path: Path) -> None:
    src = tmp_path / "gen.py"
    src.write_text("import torch\n\nyield torch.zeros(2)\n")  # parses, but cannot run
    proc = run(str(src))
    assert proc.returncode == 2
    assert f"{src}:3:1: does not compile: 'yield' outside function" in proc.stderr


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    assert run(str(tmp_path / "missing.py")).returncode == 2
    assert run(str(FIXTURES / "imports" / "in.py"), "--device", "TPU").returncode == 2
    assert run(str(FIXTURES)).returncode == 2  # a folder needs -o


def test_folder_tree_converts_and_copies(tmp_path: Path) -> None:
    src = tmp_path / "proj"
    (src / "pkg").mkdir(parents=True)
    (src / "pkg" / "__init__.py").write_text("")
    (src / "pkg" / "layers.py").write_text(
        "import torch.nn as nn\n\n\nclass Head(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(4, 2)\n\n"
        "    def forward(self, x):\n        return self.fc(x)\n"
    )
    (src / "pkg" / "model.py").write_text(
        "from .layers import Head\n\n\ndef build():\n    return Head()\n"
    )
    (src / "README.md").write_text("notes\n")
    out = tmp_path / "port"
    proc = run(str(src), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert (out / "README.md").read_text() == "notes\n"
    assert "mindspore.nn.Dense(4, 2)" in (out / "pkg" / "layers.py").read_text()
    assert (out / "pkg" / "model.py").read_text().startswith("from .layers import Head")
    check = subprocess.run(
        [sys.executable, "-c", "from pkg.model import build; print(type(build()).__mro__[1])"],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "mindspore.nn.cell.Cell" in check.stdout, check.stderr[-2000:]


def test_device_picks_targets(tmp_path: Path) -> None:
    src = tmp_path / "loss.py"
    src.write_text("import torch.nn as nn\n\nloss = nn.CrossEntropyLoss()\n")
    cpu = run(str(src), "--device", "CPU")
    gpu = run(str(src), "--device", "gpu")
    assert cpu.returncode == gpu.returncode == 0
    # on CPU the layer wants int32 labels: the functional form takes torch's int64 ones
    assert "functools.partial(mindspore.ops.cross_entropy)" in cpu.stdout
    assert "functools.partial" not in gpu.stdout and "CrossEntropyLoss()" in gpu.stdout
    assert "on GPU" in gpu.stderr


def test_a_long_marker_reason_is_cut_at_a_word_and_says_so() -> None:
    from server.convert.file.calls import MARKER_TEXT_LIMIT, shortened

    text = "Initialise with mindspore.communication.init() and " + "word " * 40
    cut = shortened(text)
    assert len(cut) <= MARKER_TEXT_LIMIT and cut.endswith("…")
    assert text.startswith(cut[:-1]) and text[len(cut) - 1] == " "  # ends where a word ends
    assert shortened("short enough") == "short enough"
