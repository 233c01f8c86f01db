"""Function-compliance rules: each has a positive and a negative fixture, and fixes work."""

from __future__ import annotations

import ast
import textwrap

import pytest

from mapping_db.store import load_database
from server.advice.assess import assess
from server.analysis.references import find_torch_references
from server.convert.call_rewrite import FixRefused
from server.convert.pattern_fix import plan_pattern_fix

HEAD = "import torch\nimport torch.nn as nn\n"

# rule id -> (code that must be flagged, similar code that must not be)
FIXTURES = {
    "custom-autograd-function": (
        "class Clamp(torch.autograd.Function):\n"
        "    @staticmethod\n    def forward(ctx, x):\n        return x.clamp(0)\n",
        "class Clamp(nn.Module):\n    def forward(self, x):\n        return x.clamp(0)\n",
    ),
    "module-hook": (
        "m = nn.Linear(2, 2)\nh = m.register_forward_hook(lambda mod, i, o: None)\n",
        "m = nn.Linear(2, 2)\nh = m.forward\n",
    ),
    "tensor-hook": (
        "x = torch.ones(2)\nx.register_hook(print)\n",
        "x = torch.ones(2)\nx.register_buffer = 1\n",
    ),
    "param-data-assign": (
        "w = nn.Parameter(torch.ones(2))\nw.data = torch.zeros(2)\n",
        "w = nn.Parameter(torch.ones(2))\nvalue = w.data\n",
    ),
    "param-data-inplace": (
        "w = nn.Parameter(torch.ones(2))\nw.data.mul_(0.5)\n",
        "w = nn.Parameter(torch.ones(2))\nv = w.data.mul(0.5)\n",
    ),
    "device-move": (
        "model = nn.Linear(2, 2)\nmodel = model.to(device)\nx = torch.ones(2).cuda()\n",
        "model = nn.Linear(2, 2)\nx = torch.ones(2).to(torch.float16)\n",
    ),
    "jit": ("f = torch.jit.script(nn.Linear(2, 2))\n", "f = nn.Linear(2, 2)\n"),
    "amp": (
        "scaler = torch.cuda.amp.GradScaler()\nwith torch.autocast('cuda'):\n    pass\n",
        "scaler = None\n",
    ),
    "cuda": ("ok = torch.cuda.is_available()\n", "ok = True\n"),
    "backends": ("torch.backends.cudnn.benchmark = True\n", "benchmark = True\n"),
    "distributed": (
        "import torch.distributed as dist\ndist.init_process_group('nccl')\n"
        "net = nn.parallel.DistributedDataParallel(nn.Linear(2, 2))\n",
        "import torch.distributed as dist\nrank = 0\n",
    ),
    "seed": ("torch.manual_seed(0)\n", "seed = 0\n"),
}


def rules_in(code: str) -> list[str]:
    db = load_database()
    source = HEAD + code
    found = []
    for ref in find_torch_references(source).references:
        assessment = assess(ref, db, "CPU")
        if assessment is not None and assessment.rule is not None:
            found.append(assessment.rule)
    return found


@pytest.mark.parametrize("rule", sorted(FIXTURES))
def test_positive_and_negative_fixture(rule: str) -> None:
    positive, negative = FIXTURES[rule]
    assert rule in rules_in(positive)
    assert rule not in rules_in(negative)


def fix(code: str) -> str:
    source = HEAD + textwrap.dedent(code)
    analysis = find_torch_references(source)
    lines = source.split("\n")
    ref = next(r for r in analysis.references if r.context == "pattern")
    plan = plan_pattern_fix(lines, analysis, ref)
    for edit in sorted(plan.edits, key=lambda e: (e.span.line, e.span.col), reverse=True):
        s = edit.span
        if s.line == s.end_line:
            line = lines[s.line]
            lines[s.line] = line[: s.col] + edit.new_text + line[s.end_col :]
        else:
            first, last = lines[s.line], lines[s.end_line]
            lines[s.line : s.end_line + 1] = [first[: s.col] + edit.new_text + last[s.end_col :]]
    out = "\n".join(lines)
    ast.parse(out)
    return out


def test_data_fixes() -> None:
    assert "w.set_data(torch.zeros(2))" in fix("w = torch.ones(2)\nw.data = torch.zeros(2)\n")
    assert "w.set_data(w * 0.5)" in fix("w = torch.ones(2)\nw.data.mul_(0.5)\n")
    assert "w.set_data(v)" in fix("w = torch.ones(2)\nw.data.copy_(v)\n")
    with pytest.raises(FixRefused):
        fix("w = torch.ones(2)\nw.data.clamp_(0, 1)\n")


def test_device_move_fixes() -> None:
    assert "model = model\n" in fix("model = nn.Linear(2, 2)\nmodel = model.to(device)\n")
    assert "x = torch.ones(2)\n" in fix("x = torch.ones(2).cuda()\n")
    with pytest.raises(FixRefused):
        fix("x = torch.ones(2).to(device, torch.float16)\n")


def test_autograd_scaffold() -> None:
    out = fix(
        """
        class Scale(torch.autograd.Function):
            @staticmethod
            def forward(ctx, x, factor):
                return x * factor

            @staticmethod
            def backward(ctx, grad):
                return grad, None
        """
    )
    assert "class ScaleCell(mindspore.nn.Cell):" in out
    assert "def construct(self, x, factor):" in out
    assert "def bprop(self, x, factor, out, dout):" in out
    assert "import mindspore\n" in out
