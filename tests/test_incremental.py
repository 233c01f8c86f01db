"""Incremental updates must give exactly what a full analysis gives, for any edit."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from server.analysis.incremental import analyse_module, update_module

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = (ROOT / "examples" / "resnet50" / "model.py").read_text()
EXTRA = (ROOT / "examples" / "resnet50" / "train.py").read_text()

SNIPPETS = [
    "y = torch.flatten(x, 1)\n",
    "import torch.nn.functional as F\n",
    "F = None\n",
    "nn = object()\n",
    "def helper(x):\n    return F.relu(x).view(-1)\n",
    "class Extra(nn.Module):\n    def forward(self, x):\n        return x.permute(1, 0)\n",
    "    z = torch.zeros(3)\n",
    "x = (\n",
    '"""\n',
    "@torch.no_grad()\n",
    "else:\n",
    "",
    "# comment\n",
    "from __future__ import annotations\n",
    "é = torch.ones(1)  # non-ASCII 😀\n",
]


def apply(text: str, start: tuple[int, int], end: tuple[int, int], new: str) -> str:
    lines = text.split("\n")
    offset = lambda pos: sum(len(x) + 1 for x in lines[: pos[0]]) + pos[1]  # noqa: E731
    return text[: offset(start)] + new + text[offset(end) :]


def random_edit(rng: random.Random, text: str) -> tuple[tuple[int, int], tuple[int, int], str]:
    lines = text.split("\n")
    a = rng.randrange(len(lines))
    b = min(len(lines) - 1, a + rng.choice([0, 0, 0, 1, 2, 5]))
    ca = rng.randint(0, len(lines[a]))
    cb = rng.randint(0, len(lines[b])) if b != a else rng.randint(ca, len(lines[a]))
    kind = rng.random()
    if kind < 0.5:
        new = rng.choice(SNIPPETS)
        if rng.random() < 0.5:
            ca = 0
            cb = 0 if b == a else cb
    elif kind < 0.8:
        new = rng.choice(["x", "1", " ", "(", ")", ":", "F", ".", "view", "\n"])
    else:
        new = ""
    return (a, ca), (b, cb), new


@pytest.mark.parametrize("seed", range(6))
def test_random_edits_match_full_analysis(seed: int) -> None:
    rng = random.Random(seed)
    text = SAMPLE if seed % 2 == 0 else SAMPLE + "\n" + EXTRA
    module = analyse_module(text)
    used = kept = 0
    for _ in range(300):
        start, end, new = random_edit(rng, text)
        new_text = apply(text, start, end, new)
        full = analyse_module(new_text)
        updated = update_module(module, new_text, start[0], end[0], new)
        if full.result.syntax_error is not None:
            assert updated is None  # a chunk that parses alone means the file parses
            continue  # keep typing on the last good text
        kept += 1
        if updated is not None:
            used += 1
            assert updated.result.references == full.result.references, (start, end, new)
            assert updated.result.import_insert_line == full.result.import_insert_line
            assert updated.result.imports_mindspore == full.result.imports_mindspore
            module = updated
        else:
            module = full
        text = new_text
    # most edits are local to one statement and must not need a full analysis
    assert kept > 40 and used >= kept // 2


def test_typing_inside_a_method_reuses_other_statements() -> None:
    module = analyse_module(SAMPLE)
    lines = SAMPLE.split("\n")
    line = next(i for i, text in enumerate(lines) if "F.relu" in text)
    new_text = apply(SAMPLE, (line, 0), (line, 0), "        t = torch.ones(2)\n")
    updated = update_module(module, new_text, line, line, "        t = torch.ones(2)\n")
    assert updated is not None
    assert updated.reused_statements >= len(module.stmt_lines) - 1
    assert any(r.qualified_name == "torch.ones" for r in updated.result.references)


def test_changing_an_import_falls_back_to_full() -> None:
    module = analyse_module(SAMPLE)
    lines = SAMPLE.split("\n")
    line = next(i for i, text in enumerate(lines) if text.startswith("import torch.nn.functional"))
    new_text = apply(SAMPLE, (line, 0), (line + 1, 0), "")
    assert update_module(module, new_text, line, line + 1, "") is None
