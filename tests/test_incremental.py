"""Incremental updates must give exactly what a full analysis gives, for any edit."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from server.analysis.findings import SyntaxProblem
from server.analysis.incremental import analyse_module, update_lines, update_module

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


# ---- edits inside the methods of a class: one method is re-analysed alone ----

CLASSY = '''import torch
import torch.nn as nn
from torch import Tensor


class Plain:
    """Not a network: its methods' findings depend on the class's facts only."""

    scale = torch.ones(1)

    def __init__(self, dim: int) -> None:
        self.proj = nn.Linear(dim, dim)
        self.register_buffer("mean", torch.zeros(dim))

    def helper(self, x) -> Tensor:
        return x.view(-1)

    def run(self, x):
        y = self.proj(x)
        z = self.helper(y)
        w = self.mean.permute(0)
        return z.unsqueeze(0) + w

    @torch.no_grad()
    def nested(self, x):
        def inner(t):
            return t.cuda()

        return inner(self.proj(x)).view(1)

    async def later(self, x):
        return self.proj(x).cpu()


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.blocks = nn.ModuleList([nn.ReLU() for _ in range(2)])

    def forward(self, x: Tensor) -> Tensor:
        for block in self.blocks:
            x = block(x)
        y = self.fc(x).view(-1)
        return y.permute(0)

    def extra(self, x):
        return self.fc(x).sum()
'''

METHOD_SNIPPETS = [
    "        t = torch.flatten(x, 1)\n",
    "        self.extra_layer = nn.Linear(2, 2)\n",
    "        self.register_buffer('var', torch.ones(2))\n",
    "        q = self.extra_layer(x).view(-1)\n",
    "        return torch.zeros(2)\n",
    "        def deep():\n            return torch.ones(1).cuda()\n",
    "        print(x.item())\n",
    "        if x:\n            y = self.mean.numpy()\n",
    "        x = (\n",
    '        """\n',
    "    def added(self, x):\n        return self.fc(x).cuda()\n",
    "    @torch.no_grad()\n",
    "        else:\n",
    "else:\n",
    "        é = torch.ones(1)  # non-ASCII 😀\n",
    "        for p in self.parameters():\n            p.data = p.data.float()\n",
]
METHOD_PIECES = ["x", "y", "(", ")", ":", ".", "view", " -> Tensor", "async ", "\n", "\n        "]


def method_edit(rng: random.Random, text: str) -> tuple[tuple[int, int], tuple[int, int], str]:
    """An edit on a line inside a method (indented 8 or more), most of them within one line."""
    lines = text.split("\n")
    inside = [i for i, line in enumerate(lines) if line.startswith("        ") or line == ""]
    a = rng.choice(inside or [0])
    b = min(len(lines) - 1, a + rng.choice([0, 0, 0, 0, 1, 2]))
    ca = rng.randint(0, len(lines[a]))
    cb = rng.randint(0, len(lines[b])) if b != a else rng.randint(ca, len(lines[a]))
    kind = rng.random()
    if kind < 0.4:
        new, ca = rng.choice(METHOD_SNIPPETS), 0
        cb = 0 if b == a else cb
    elif kind < 0.85:
        new = rng.choice(METHOD_PIECES)
        ca = max(ca, min(8, len(lines[a])))  # typed in the method's code, not at column 0
        cb = max(cb, ca) if b == a else cb
    else:
        new = ""
    return (a, ca), (b, cb), new


@pytest.mark.parametrize("seed", range(8))
def test_random_edits_inside_methods_match_full_analysis(seed: int) -> None:
    """Edits inside methods, some of which change what other methods see (a layer or buffer
    set on self, a tensor-returning method, a nested function writing self.*), some of which
    break the syntax: every update equals a full analysis."""
    rng = random.Random(seed)
    text = CLASSY if seed % 2 == 0 else SAMPLE
    module = analyse_module(text)
    method_level = kept = 0
    for _ in range(250):
        start, end, new = method_edit(rng, text)
        new_text = apply(text, start, end, new)
        full = analyse_module(new_text)
        updated = update_module(module, new_text, start[0], end[0], new)
        if full.result.syntax_error is not None:
            assert updated is None, (start, end, new)
            continue
        kept += 1
        if updated is not None:
            assert updated.result.references == full.result.references, (start, end, new)
            assert updated.result.import_insert_line == full.result.import_insert_line
            method_level += updated.method_level
            module = updated
        else:
            module = full
        text = new_text
    assert kept > 30 and method_level >= kept // 5


def _edit_line(text: str, marker: str, new_line: str) -> tuple[str, int]:
    """`text` with `new_line` inserted after the line holding `marker`."""
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if marker in line) + 1
    return "\n".join([*lines[:at], new_line, *lines[at:]]), at


def _update(text: str, new_line: str, marker: str):
    module = analyse_module(text)
    new_text, at = _edit_line(text, marker, new_line)
    updated = update_module(module, new_text, at, at, new_line + "\n")
    full = analyse_module(new_text)
    assert updated is not None and updated.result.references == full.result.references
    return updated, full


def test_a_statement_typed_in_a_method_reanalyses_that_method_alone() -> None:
    updated, full = _update(CLASSY, "        t = torch.flatten(x, 1)", "z = self.helper(y)")
    assert updated.method_level
    assert any(r.qualified_name == "torch.flatten" for r in full.result.references)
    # in a network class too (its graph-mode findings are found again over the class)
    updated, _ = _update(CLASSY, "        t = torch.flatten(x, 1)", "y = self.fc(x).view(-1)")
    assert updated.method_level


def test_what_other_methods_see_is_not_reanalysed_alone() -> None:
    """A layer set on self in __init__ makes `self.extra_layer(x)` a tensor in later
    methods; a method that starts returning a tensor makes `self.f(x)` one: the whole class
    is analysed again, and the later methods' findings change."""
    text, _ = _edit_line(CLASSY, "z = self.helper(y)", "        q = self.extra_layer(x).view(-1)")
    before = analyse_module(text).result.references
    updated, full = _update(text, "        self.extra_layer = nn.Linear(2, 2)", "self.proj = nn")
    assert not updated.method_level
    line = next(i for i, t in enumerate(text.split("\n")) if "self.extra_layer(x)" in t)
    # the view on the layer's output: no finding before, a likely tensor method after
    assert not [r for r in before if r.span.line == line and r.confidence == "likely"]
    assert [
        r
        for r in full.result.references
        if r.span.line == line + 1 and r.qualified_name == "torch.Tensor.view"
        if r.confidence == "likely"
    ]
    updated, _ = _update(CLASSY, "        return torch.zeros(2)", "y = self.proj(x)")
    assert updated.method_level  # run's body returns early: nothing later depends on it
    text = CLASSY.replace("    def helper(self, x) -> Tensor:", "    def helper(self, x):")
    module = analyse_module(text)
    new_text = text.replace("    def helper(self, x):", "    def helper(self, x) -> Tensor:")
    line = text.split("\n").index("    def helper(self, x):")
    updated = update_module(module, new_text, line, line, "    def helper(self, x) -> Tensor:")
    assert updated is not None and not updated.method_level
    assert updated.result.references == analyse_module(new_text).result.references


def test_a_nested_function_writing_self_turns_the_shortcut_off_for_its_class() -> None:
    text, _ = _edit_line(CLASSY, "def inner(t):", "            self.late = nn.ReLU()")
    updated, _ = _update(text, "        t = torch.flatten(x, 1)", "z = self.helper(y)")
    assert not updated.method_level


def test_half_typed_lines_in_a_method_are_judged_from_the_method_alone() -> None:
    module = analyse_module(CLASSY)
    new_text, at = _edit_line(CLASSY, "z = self.helper(y)", "        t = torch.flatten(x,")
    lines = new_text.split("\n")
    updated = update_lines(module, new_text, lines, at, at, at + 1)
    assert isinstance(updated, SyntaxProblem)
    assert analyse_module(new_text).result.syntax_error is not None
