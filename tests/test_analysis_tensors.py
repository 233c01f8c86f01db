"""Tensor methods from local evidence, positions in code points, and bad input."""

from __future__ import annotations

import textwrap

from server.analysis.references import find_torch_references


def methods(source: str) -> list[str]:
    result = find_torch_references(textwrap.dedent(source))
    return [
        r.qualified_name.removeprefix("torch.Tensor.")
        for r in result.references
        if r.context == "tensor-method" and r.confidence != "unresolved"
    ]


def test_forward_arguments_and_module_outputs() -> None:
    src = """
    import torch.nn as nn
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 3)
            self.head = nn.Linear(8, 2)
        def forward(self, x):
            y = self.conv(x)
            y = y.view(y.size(0), -1)
            return self.head(y).softmax(dim=1)
    """
    assert methods(src) == ["view", "size", "softmax"]


def test_non_tensor_receivers_are_not_reported() -> None:
    src = """
    import torch
    class Thing:
        def view(self): ...
    def f(model, optimizer, d: dict, s: str):
        model.to("cpu")
        optimizer.zero_grad()
        d.copy()
        s.split()
        Thing().view()
        shape = torch.ones(2).size()
        return shape.count(1)
    """
    assert methods(src) == ["size"]


def test_annotation_torch_call_operators_and_unpacking() -> None:
    src = """
    import torch
    from torch import Tensor
    def f(a: Tensor, n: int):
        b = torch.randn(n, 3)
        c = (a + b) * 2
        values, idx = torch.max(c, dim=1)
        idx.float()
        c[0].abs()
        return a.permute(1, 0).contiguous()
    """
    assert methods(src) == ["float", "abs", "permute", "contiguous"]


def test_loss_backward_through_module_instance() -> None:
    src = """
    import torch.nn as nn
    def step(model, x, y):
        criterion = nn.CrossEntropyLoss()
        out = model(x)
        loss = criterion(out, y)
        loss.backward()
    """
    assert methods(src) == ["backward"]


def test_tensor_method_confidence_and_span() -> None:
    src = "import torch\nx = torch.ones(2)\nx.view(2, 1)\n"
    result = find_torch_references(src)
    ref = result.references[-1]
    assert ref.qualified_name == "torch.Tensor.view"
    assert ref.confidence == "likely"
    assert (ref.span.line, ref.span.col, ref.span.end_col) == (2, 2, 6)
    assert ref.call is not None and ref.call.span.col == 0


def test_non_ascii_columns_are_code_points() -> None:
    src = 'import torch\ns = "héllo 😀"; y = torch.flatten(x)\n'
    result = find_torch_references(src)
    (ref,) = result.references
    line = src.splitlines()[1]
    assert line[ref.span.col : ref.span.end_col] == "torch.flatten"


def test_reference_at_position() -> None:
    src = "import torch.nn as nn\nlayer = nn.Conv2d(1, 2, 3)\n"
    result = find_torch_references(src)
    assert result.reference_at(1, 8).qualified_name == "torch.nn.Conv2d"
    assert result.reference_at(1, 17).qualified_name == "torch.nn.Conv2d"
    assert result.reference_at(1, 3) is None
    assert result.reference_at(99, 0) is None


def test_syntax_error_reported_with_position() -> None:
    result = find_torch_references("import torch\nx = torch.ones(\n")
    assert result.syntax_error is not None
    assert result.references == []
    assert result.syntax_error.line >= 1


def test_null_bytes_and_empty_and_deep_nesting() -> None:
    assert find_torch_references("x = 1\0").syntax_error is not None
    empty = find_torch_references("")
    assert empty.syntax_error is None and empty.references == []
    deep = "import torch\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
    assert find_torch_references(deep).syntax_error is not None


def test_form_feed_does_not_shift_lines() -> None:
    src = 'import torch\n\x0c\ns = "é"; y = torch.zeros(1)\n'
    result = find_torch_references(src)
    (ref,) = result.references
    assert ref.span.line == 2
    assert src.split("\n")[2][ref.span.col : ref.span.end_col] == "torch.zeros"


def test_large_generated_file() -> None:
    block = "import torch\n" + "y = torch.relu(torch.ones(3)).view(3, 1)\n" * 50_000
    result = find_torch_references(block)
    assert len(result.references) == 150_000


def test_reassignment_from_own_method_keeps_tensor() -> None:
    src = "import torch\nx = torch.ones(2)\nx = x.float()\nx = x.abs()\n"
    assert methods(src) == ["float", "abs"]


def test_name_only_evidence_is_possible_and_guarded() -> None:
    src = """
    import numpy as np
    from mylib import Helper
    class Spec:
        def permute(self, *dims): ...
    def f(x, spec, h: Helper):
        x.unsqueeze(1)
        x.view(-1)
        spec.permute(0, 1)
        np.bincount([1])
        Helper.unsqueeze()
    """
    result = find_torch_references(textwrap.dedent(src))
    found = [(r.qualified_name, r.confidence) for r in result.references]
    # spec.permute is a method of this file's class, np.bincount a module function: no guess,
    # but permute stays a candidate for the jedi fallback; Helper is an imported class
    assert ("torch.Tensor.permute", "unresolved") in found
    found = [f for f in found if f[1] != "unresolved"]
    # unsqueeze exists only on tensors: a possible finding, and x counts as a tensor after it
    assert found == [("torch.Tensor.unsqueeze", "possible"), ("torch.Tensor.view", "likely")]
