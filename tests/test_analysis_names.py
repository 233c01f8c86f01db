"""Name resolution for every import form, re-binding and shadowing."""

from __future__ import annotations

import textwrap

import pytest

from server.analysis.references import find_torch_references


def refs(source: str) -> list[tuple[str, str]]:
    """Resolved references; name-only tensor guesses ("possible") are another test's topic."""
    result = find_torch_references(textwrap.dedent(source))
    assert result.syntax_error is None
    return [(r.qualified_name, r.context) for r in result.references if r.confidence != "possible"]


def names(source: str) -> list[str]:
    return [name for name, _ in refs(source)]


@pytest.mark.parametrize(
    ("imports", "use", "expected"),
    [
        ("import torch", "torch.flatten(x)", "torch.flatten"),
        ("import torch.nn as nn", "nn.Conv2d(1, 2, 3)", "torch.nn.Conv2d"),
        ("from torch import nn", "nn.Conv2d(1, 2, 3)", "torch.nn.Conv2d"),
        ("from torch.nn import functional as F", "F.relu(x)", "torch.nn.functional.relu"),
        ("import torch.nn.functional as F", "F.relu(x)", "torch.nn.functional.relu"),
        ("import torch.nn.functional", "torch.nn.functional.relu(x)", "torch.nn.functional.relu"),
        ("from torch.nn import Conv2d as C", "C(1, 2, 3)", "torch.nn.Conv2d"),
        ("from torch.nn import Conv2d", "Conv2d(1, 2, 3)", "torch.nn.Conv2d"),
        ("import torch as th", "th.optim.SGD(p, lr=0.1)", "torch.optim.SGD"),
        ("from torch import optim", "optim.SGD(p, lr=0.1)", "torch.optim.SGD"),
        (
            "from torch.optim import lr_scheduler",
            "lr_scheduler.StepLR(o, 3)",
            "torch.optim.lr_scheduler.StepLR",
        ),
    ],
)
def test_import_forms(imports: str, use: str, expected: str) -> None:
    assert names(f"{imports}\ny = {use}\n") == [expected]


def test_plain_import_of_submodule_binds_torch() -> None:
    # `import torch.nn` binds the name `torch`, not `nn`
    assert names("import torch.nn\nnn.Conv2d(1, 2, 3)\ntorch.nn.ReLU()\n") == ["torch.nn.ReLU"]


def test_rebinding_by_assignment() -> None:
    src = """
    import torch.nn as nn
    act = nn.ReLU
    layer = act()
    """
    assert refs(src) == [("torch.nn.ReLU", "reference"), ("torch.nn.ReLU", "call")]


def test_alias_chain_of_module() -> None:
    assert names("import torch\nfn = torch.nn.functional\nfn.relu(x)\n") == [
        "torch.nn.functional",
        "torch.nn.functional.relu",
    ]


def test_module_level_shadowing_after_import() -> None:
    src = """
    import torch.nn.functional as F
    F.relu(x)
    F = object()
    F.relu(x)
    """
    assert names(src) == ["torch.nn.functional.relu"]


def test_parameter_named_like_torch_alias_shadows() -> None:
    src = """
    import torch.nn.functional as F
    def apply(F, x):
        return F.relu(x)
    def real(x):
        return F.relu(x)
    """
    assert names(src) == ["torch.nn.functional.relu"]
    result = find_torch_references(textwrap.dedent(src))
    (resolved,) = [r for r in result.references if r.qualified_name.startswith("torch.nn")]
    assert resolved.span.line == 5


def test_local_assignment_anywhere_in_function_shadows_everywhere_in_it() -> None:
    src = """
    import torch
    def f():
        y = torch.ones(1)
        if False:
            torch = None
        return y
    """
    # Python makes `torch` local to f: the call would raise UnboundLocalError, not call torch
    assert names(src) == []


def test_global_declaration_uses_module_binding() -> None:
    src = """
    import torch
    def f():
        global torch
        return torch.zeros(1)
    """
    assert names(src) == ["torch.zeros"]


def test_function_bodies_see_final_module_bindings() -> None:
    src = """
    def f(x):
        return F.relu(x)
    import torch.nn.functional as F
    """
    assert names(src) == ["torch.nn.functional.relu"]


def test_class_scope_not_visible_in_methods() -> None:
    src = """
    import torch.nn as nn
    class A:
        nn = None
        def f(self):
            return nn.ReLU()
    """
    assert names(src) == ["torch.nn.ReLU"]


def test_non_torch_import_shadows() -> None:
    src = """
    import torch.nn.functional as F
    from mylib import F
    F.relu(x)
    """
    assert names(src) == []


def test_relative_and_lookalike_imports_are_not_torch() -> None:
    src = """
    from .torch import nn
    import torchvision
    import torch_geometric as torch
    nn.Conv2d(1, 2, 3)
    torch.flatten(x)
    torchvision.models.resnet50()
    """
    assert names(src) == []


def test_comprehension_variable_shadows() -> None:
    src = """
    import torch
    ys = [torch for torch in range(3)]
    z = torch.zeros(2)
    """
    assert names(src) == ["torch.zeros"]


def test_lambda_parameter_shadows() -> None:
    assert names("import torch\nf = lambda torch: torch.zeros(1)\n") == []


def test_contexts_base_class_and_annotations() -> None:
    src = """
    import torch
    from torch import Tensor, nn
    class Net(nn.Module):
        def forward(self, x: Tensor) -> torch.Tensor:
            return x
    """
    assert refs(src) == [
        ("torch.nn.Module", "base-class"),
        ("torch.Tensor", "annotation"),
        ("torch.Tensor", "annotation"),
    ]


def test_call_shape_records_keywords() -> None:
    result = find_torch_references("import torch.nn as nn\nnn.Conv2d(3, 8, 3, bias=False)\n")
    (ref,) = result.references
    assert ref.call is not None
    assert ref.call.n_positional == 3
    assert ref.call.keywords == ("bias",)
    assert (ref.call.span.col, ref.call.span.end_col) == (0, 30)


def test_decorators_defaults_and_with_items() -> None:
    src = """
    import torch
    @torch.no_grad()
    def f(x, dtype=torch.float32):
        with torch.autocast("cpu"):
            return x
    """
    assert names(src) == ["torch.no_grad", "torch.float32", "torch.autocast"]


def test_import_insert_line_and_mindspore_detection() -> None:
    src = '"""doc"""\nimport os\nimport torch\nimport mindspore\n\nx = 1\n'
    result = find_torch_references(src)
    assert result.import_insert_line == 4
    assert result.imports_mindspore
    assert not find_torch_references("import mindspore as ms\n").imports_mindspore
