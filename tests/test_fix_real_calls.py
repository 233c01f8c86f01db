"""End to end, the way a user meets quick fixes: the calls real code makes most, fixed through
the language server and run in both frameworks on CPU.

The calls are the most frequent torch calls of the projects in ../shared/corpus/ (counted with
`mindport scan --format json`), written in the forms that code writes them: keywords, sizes
as separate arguments, methods on tensors, integer indices, 4-D images. Each one sits in a
function whose arguments are annotated tensors; the test opens it in the server (pytest-lsp),
asks for the code action at the call, applies the edit, runs the original with torch inputs
and the fixed text with the same values as mindspore tensors, and compares values, shapes and
dtypes. Random calls compare shape and dtype.

The figure (printed with -s): the share of calls that compute torch's result, dtype included.
Every other one must say why, in the fix's title or in the diagnostic at the call (no fix
offered, or a fix titled with the difference). The issue's target is 97%; on CPU with
MindSpore 2.10 we reach 238/244 (97.5%): the calls in KNOWN_GAPS cannot be fixed there today,
each for the reason given, and the test fails when a new call joins them or one leaves.
Where no target runs on CPU (F.normalize, F.layer_norm) or none exists (causal
F.scaled_dot_product_attention), the fix writes the workaround formula verified on CPU.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from tests.lsp_helpers import SERVER, apply_edits, utf16_column

HEADER = """\
import torch
import torch.nn as nn
import torch.nn.functional as F


def case(v: torch.Tensor, w: torch.Tensor, m: torch.Tensor, pos: torch.Tensor,
         img: torch.Tensor, seq: torch.Tensor, seq_t: torch.Tensor, v1: torch.Tensor,
         vec: torch.Tensor, idx: torch.Tensor, target: torch.Tensor, ints: torch.Tensor,
         mask: torch.Tensor, prob: torch.Tensor, logp: torch.Tensor, s0: torch.Tensor,
         emb: torch.Tensor, kernel: torch.Tensor, lw: torch.Tensor, lb: torch.Tensor,
         q: torch.Tensor, k: torch.Tensor, vv: torch.Tensor, ln_w: torch.Tensor,
         ln_b: torch.Tensor, arr):
    return {call}
"""

# Calls whose values are random: shape and dtype are compared.
RANDOM = ("torch.randn(", "torch.rand(", "torch.randint(", "torch.empty", "torch.randperm(",
          "v.new_empty(", "torch.randn_like(", "torch.multinomial(")  # fmt: skip

CALLS: tuple[str, ...] = (
    # tensor constructors and factories
    "torch.zeros(2, 3)",
    "torch.zeros((2, 3))",
    "torch.zeros(4, dtype=torch.long)",
    "torch.ones(2, 3)",
    "torch.ones(3)",
    "torch.full((2, 2), 3.0)",
    "torch.full((3,), 7)",
    "torch.arange(0, 6, dtype=torch.long)",
    "torch.arange(5)",
    "torch.arange(0, 1, 0.25)",
    "torch.tensor([1, 2, 3])",
    "torch.tensor([[1.0, 2.0], [3.0, 4.0]])",
    "torch.tensor([0, 3, 1], dtype=torch.long)",
    "torch.from_numpy(arr)",
    "torch.as_tensor([1.0, 2.0])",
    "torch.zeros_like(v)",
    "torch.ones_like(v)",
    "torch.empty_like(v)",
    "torch.randn(2, 3)",
    "torch.randn(4, 5, dtype=torch.float)",
    "torch.randint(0, 10, (3,))",
    "torch.linspace(0, 1, 5)",
    # elementwise and reductions
    "torch.exp(v)",
    "torch.sin(v)",
    "torch.cos(v)",
    "torch.sigmoid(v)",
    "torch.relu(v)",
    "torch.tanh(v)",
    "torch.abs(v)",
    "torch.log(pos)",
    "torch.sqrt(pos)",
    "torch.neg(v)",
    "torch.where(mask, v, w)",
    "torch.where(v > 0, v, -v)",
    "torch.sum(v, dim=1)",
    "torch.mean(v, dim=0)",
    "torch.max(v, dim=1)",
    "torch.max(v)",
    "torch.min(v, dim=0)",
    "torch.argmax(v, dim=1)",
    "torch.softmax(v, dim=-1)",
    "torch.clamp(v, min=0.0)",
    "torch.clamp(v, -0.5, 0.5)",
    "torch.cumsum(v, dim=0)",
    "torch.norm(v)",
    "torch.allclose(v, v)",
    "torch.equal(v, w)",
    # shapes, linear algebra, indexing
    "torch.cat((v, w), dim=1)",
    "torch.cat([v, w], 0)",
    "torch.stack([v, w])",
    "torch.stack([v, w], dim=1)",
    "torch.flatten(img, 1)",
    "torch.split(v, 2, dim=1)",
    "torch.chunk(v, 2, dim=0)",
    "torch.matmul(m, m)",
    "torch.bmm(seq, seq_t)",
    "torch.einsum('ij,jk->ik', m, m)",
    "torch.outer(vec, vec)",
    "torch.triu(m)",
    "torch.tril(m, diagonal=-1)",
    "torch.topk(v, 2, dim=1)",
    "torch.sort(v, dim=1)",
    "torch.argsort(v, dim=1)",
    "torch.diag(m)",
    "torch.diag(vec)",
    "torch.gather(v, 1, ints)",
    # tensor methods
    "v.view(5, 4)",
    "v.view(-1)",
    "seq.view(2, 6, 2, 4)",
    "v.reshape(5, 4)",
    "v.reshape(-1)",
    "v.unsqueeze(0)",
    "v1.squeeze(0)",
    "v1.squeeze()",
    "v.transpose(0, 1)",
    "seq.transpose(1, 2)",
    "img.permute(0, 2, 3, 1)",
    "v.contiguous()",
    "ints.float()",
    "v.long()",
    "v.to(torch.float64)",
    "v.type(torch.float64)",
    "ints.type_as(v)",
    "v.size()",
    "v.size(1)",
    "v.size(-1)",
    "v.sum(-1)",
    "v.sum(dim=1, keepdim=True)",
    "v.mean()",
    "v.mean(dim=1, keepdim=True)",
    "v.std(dim=0)",
    "v.var(dim=1, unbiased=False)",
    "v.max()",
    "v.max(dim=1)",
    "s0.item()",
    "v.tolist()",
    "v.numpy()",
    "v.detach()",
    "v.clone()",
    "v.numel()",
    "v.dim()",
    "img.flatten(2)",
    "v.repeat(2, 1)",
    "v.expand(2, 4, 5)",
    "idx.eq(target)",
    "v.pow(2)",
    "v.clamp(0, 1)",
    "v.t()",
    "v.chunk(2, dim=1)",
    "v.cumsum(dim=0)",
    "v.masked_fill(mask, 0.0)",
    "v.masked_fill(mask, float('-inf'))",
    "v.new_zeros((2, 3))",
    "idx.repeat_interleave(2)",
    "v.argmax(dim=-1)",
    "v.softmax(dim=-1)",
    "v.abs()",
    "pos.sqrt()",
    "v.stride()",
    "v.new_empty((2, 3))",
    "v.copy_(w)",
    "v.add_(w, alpha=0.5)",
    "v.sin()",
    "v.cos()",
    "v.is_contiguous()",
    "v.eq(w)",
    "v.requires_grad_()",
    "v.squeeze(1)",
    "torch.split(v, [2, 3], dim=1)",
    "F.pad(img, (0, 0, 0, 1, 0, 2))",
    # torch.nn.functional
    "F.relu(v)",
    "F.gelu(v)",
    "F.silu(v)",
    "F.softmax(v, dim=-1)",
    "F.log_softmax(v, dim=1)",
    "F.cross_entropy(v, target)",
    "F.cross_entropy(v, target, ignore_index=-1)",
    "F.mse_loss(v, w)",
    "F.l1_loss(v, w)",
    "F.nll_loss(logp, target)",
    "F.binary_cross_entropy_with_logits(v, prob)",
    "F.pad(img, (1, 1, 1, 1))",
    "F.pad(v, (0, 2))",
    "F.interpolate(img, scale_factor=2, mode='nearest')",
    "F.interpolate(img, size=(4, 4), mode='bilinear', align_corners=False)",
    "F.dropout(v, 0.5, training=False)",
    "F.normalize(v, dim=1)",
    "F.layer_norm(v, (5,))",
    "F.one_hot(idx, num_classes=5)",
    "F.embedding(idx, emb)",
    "F.unfold(img, kernel_size=2)",
    "F.scaled_dot_product_attention(q, k, vv, is_causal=True)",
    "F.avg_pool2d(img, 2)",
    "F.max_pool2d(img, 2)",
    "F.conv2d(img, kernel)",
    "F.linear(v, lw, lb)",
    "F.leaky_relu(v, 0.2)",
    "F.sigmoid(v)",
    "F.softplus(v)",
    "F.cosine_similarity(v, w, dim=1)",
    # the next most frequent forms of the corpus (devices, dtypes, sizes, methods)
    "torch.cat([v, w])",
    "torch.empty(2, 4)",
    "torch.empty(5)",
    "torch.empty(2, 1, 3)",
    "torch.empty(3, 3, dtype=torch.float64)",
    "torch.empty(0, device=v.device, dtype=torch.float32)",
    "torch.randint(0, 10, (2, 3), device=v.device)",
    "torch.randn(2, 3, 4)",
    "torch.randn(1)",
    "torch.randn(2, 3, requires_grad=True)",
    "torch.randn(2, 3, 1, 1, device=v.device)",
    "torch.randn_like(v)",
    "torch.rand(20)",
    "torch.multinomial(prob, num_samples=1)",
    "torch.arange(6, device=v.device)",
    "torch.arange(0, 8, 2)",
    "torch.arange(6, dtype=torch.int32, device=v.device)",
    "torch.arange(0, 6, dtype=torch.long, device=v.device)",
    "torch.arange(0, 8, 2, dtype=v.dtype, device=v.device)",
    "torch.arange(5, dtype=ints.dtype)",
    "torch.tensor([0, 3, 1], dtype=torch.long, device=v.device)",
    "torch.tensor([[1.0, 2.0]], device=v.device)",
    "torch.as_tensor(arr)",
    "torch.as_tensor(arr, dtype=torch.float, device=v.device)",
    "torch.zeros(5)",
    "torch.zeros(2, 1, 4)",
    "torch.zeros(5, dtype=torch.float32)",
    "torch.zeros(4, 5, dtype=torch.double)",
    "torch.zeros((), dtype=torch.float32, device=v.device)",
    "torch.zeros((2, 3), device=v.device, dtype=v.dtype)",
    "torch.ones((4, 4), device=v.device)",
    "torch.full((4,), 1.0, dtype=torch.float32, device=v.device)",
    "torch.full_like(ints, -1)",
    "torch.zeros_like(v, dtype=torch.float64)",
    "torch.zeros_like(v, memory_format=torch.preserve_format)",
    "torch.mean(v)",
    "torch.sum(v)",
    "torch.mm(m, m)",
    "torch.tril(m)",
    "torch.where(mask)",
    "torch.chunk(v, 2, dim=1)",
    "torch.allclose(v, w, atol=1e-05)",
    "torch.isfinite(v)",
    "torch.rsqrt(pos)",
    "torch.topk(v, 2)",
    "torch.maximum(v, w)",
    "torch.min(v, dim=1, keepdim=True)",
    "seq.reshape(-1, 4, 4)",
    "seq.reshape(2, 6, 2, 4)",
    "seq.permute(1, 0, 2)",
    "img.view(2, 3, 2, 4, 8)",
    "seq.split(4, dim=2)",
    "seq.repeat_interleave(2, dim=2)",
    "v.sum(dim=1)",
    "v.sum(1)",
    "mask.sum(-1, dtype=torch.int16)",
    "v.mean(1)",
    "pos.mean(-1, keepdim=True)",
    "v.std()",
    "v.cumsum(0)",
    "v.flatten()",
    "v.new_empty(0, dtype=torch.long)",
    "v.new_empty(3, v.shape[1])",
    "v.new_zeros(2, 3, 4)",
    "v.fill_(1.5)",
    "v.scatter_(1, ints, 1.0)",
    "v.masked_fill(ints == 0, float('-inf'))",
    "v.narrow(0, 0, 2)",
    "v.gather(dim=1, index=ints)",
    "v.unfold(1, 2, 2)",
    "v.unbind(0)",
    "v1.expand(3, -1, -1)",
    "v.clamp(min=-0.5, max=0.5)",
    "v.to(dtype=torch.float64)",
    "v.half()",
    "v.topk(2)",
    "v.topk(2, dim=-1)",
    "mask.all()",
    "v.element_size()",
    "F.pad(v, (1, 1), value=0.0)",
    "F.nll_loss(logp, target, reduction='sum')",
    "F.smooth_l1_loss(v, w)",
    "F.cosine_similarity(vec, vec, dim=0)",
    "F.layer_norm(v, ln_w.shape, ln_w, ln_b, 1e-5)",
)


# Calls no fix makes compute torch's result on CPU with MindSpore 2.10, and why; each says so
# in its diagnostic or fix title (checked above).
KNOWN_GAPS: dict[str, str] = {
    "torch.einsum('ij,jk->ik', m, m)": "ops.einsum has no CPU kernel (GPU/Ascend only); no"
    " formula for it is verified by db verify (the file conversion writes two-operand"
    " contractions as broadcasting and a sum)",
    "v.requires_grad_()": "MindSpore chooses what to differentiate in mindspore.grad",
    "torch.randn(2, 3, requires_grad=True)": "tensors carry no requires_grad: gradients come"
    " from mindspore.grad, a port by hand",
    "torch.where(mask)": "the one-argument form is nonzero(as_tuple=True), which has no CPU"
    " kernel; the diagnostic names the argwhere formula",
    "v.fill_(1.5)": "InplaceFillScalar has no CPU kernel; ops.fill makes a new tensor and"
    " leaves v as it was",
    "v.unfold(1, 2, 2)": "MindSpore's Tensor.unfold is im2col, not sliding windows along one"
    " dimension",
}


def _inputs() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)

    def normal(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(np.float32)

    logits = normal(4, 5)
    logp = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    return {
        "v": normal(4, 5),
        "w": normal(4, 5),
        "m": normal(4, 4),
        "pos": rng.uniform(0.5, 2.5, (4, 5)).astype(np.float32),
        "img": normal(2, 3, 8, 8),
        "seq": normal(2, 6, 8),
        "seq_t": normal(2, 8, 6),
        "v1": normal(1, 4, 5),
        "vec": normal(6),
        "idx": rng.integers(0, 5, (4,)).astype(np.int64),
        "target": rng.integers(0, 5, (4,)).astype(np.int64),
        "ints": rng.integers(0, 4, (4, 5)).astype(np.int64),
        "mask": rng.random((4, 5)) > 0.5,
        "prob": rng.uniform(0.05, 0.95, (4, 5)).astype(np.float32),
        "logp": logp.astype(np.float32),
        "s0": np.array(1.5, dtype=np.float32),
        "emb": normal(5, 3),
        "kernel": normal(4, 3, 3, 3),
        "lw": normal(3, 5),
        "lb": normal(3),
        "q": normal(2, 2, 6, 8),
        "k": normal(2, 2, 6, 8),
        "vv": normal(2, 2, 6, 8),
        "ln_w": normal(5),
        "ln_b": normal(5),
        "arr": normal(3, 2),
    }


@dataclass
class Outcome:
    call: str
    fixed: str | None = None  # the call as the fix wrote it
    title: str | None = None
    diagnostics: list[str] = field(default_factory=list)
    verdict: str = ""  # "equal", or why not
    explained: bool = False

    @property
    def equal(self) -> bool:
        return self.verdict == "equal"


def _document(call: str) -> str:
    return HEADER.format(call=call)


def _position(text: str, call: str) -> types.Position:
    lines = text.split("\n")
    line_no = next(i for i, line in enumerate(lines) if line.strip() == f"return {call}")
    line = lines[line_no]
    start = line.index(call)
    head = call.split("(", 1)[0]
    if head.startswith(("torch.", "F.")):
        col = start
    else:  # a method: the cursor on its name
        col = start + head.rindex(".") + 1
    return types.Position(line_no, utf16_column(line, col))


def _as_numpy(value: Any) -> Any:
    import mindspore
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().numpy()
    if isinstance(value, mindspore.Tensor):
        return value.asnumpy()
    if isinstance(value, tuple | list) and not isinstance(value, str):
        return [_as_numpy(v) for v in value]
    if isinstance(value, torch.Size):
        return list(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _compare(expected: Any, actual: Any, random: bool) -> str:
    """'equal' or what differs."""
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return f"a {type(actual).__name__} where torch gives {len(expected)} items"
        for a, b in zip(expected, actual, strict=True):
            verdict = _compare(a, b, random)
            if verdict != "equal":
                return verdict
        return "equal"
    if isinstance(expected, np.ndarray):
        if not isinstance(actual, np.ndarray):
            return f"a {type(actual).__name__} where torch gives an array"
        if expected.shape != actual.shape:
            return f"shape {actual.shape} where torch gives {expected.shape}"
        if expected.dtype != actual.dtype:
            return f"dtype {actual.dtype} where torch gives {expected.dtype}"
        if random:
            return "equal"
        if expected.dtype == bool or expected.dtype.kind in "iu":
            same = np.array_equal(expected, actual)
        else:
            same = np.allclose(expected, actual, rtol=1e-4, atol=1e-5, equal_nan=True)
        if not same:
            error = np.max(np.abs(expected.astype(np.float64) - actual.astype(np.float64)))
            return f"values differ (max abs error {error:.3g})"
        return "equal"
    if isinstance(expected, bool | int | float):
        if type(actual) is not type(expected):
            return f"a {type(actual).__name__} where torch gives a {type(expected).__name__}"
        if isinstance(expected, float) and not np.isclose(expected, actual, rtol=1e-4):
            return f"{actual} where torch gives {expected}"
        if not isinstance(expected, float) and expected != actual:
            return f"{actual} where torch gives {expected}"
        return "equal"
    return "equal" if expected == actual else f"{actual!r} where torch gives {expected!r}"


def _run(text: str, values: dict[str, Any]) -> Any:
    namespace: dict[str, Any] = {"__name__": "case_module"}
    exec(compile(text, "<case>", "exec"), namespace)  # noqa: S102 - our own generated cases
    return namespace["case"](**values)


def _judge(outcome: Outcome, original: str, fixed: str, inputs: dict[str, np.ndarray]) -> None:
    import mindspore
    import torch

    torch_values = {
        name: value if name == "arr" else torch.from_numpy(value.copy())
        for name, value in inputs.items()
    }
    ms_values = {
        name: value if name == "arr" else mindspore.Tensor(value.copy())
        for name, value in inputs.items()
    }
    torch.manual_seed(0)
    expected = _as_numpy(_run(original, torch_values))
    try:
        actual = _as_numpy(_run(fixed, ms_values))
    except Exception as exc:  # the fixed call fails when run
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        outcome.verdict = f"fails: {type(exc).__name__}: {first}"[:160]
        return
    outcome.verdict = _compare(expected, actual, outcome.call.startswith(RANDOM))


# Words a fix title or a diagnostic uses to say that the result may differ or that no fix is
# offered and why.
_WHY = ("differ", "fails", "failed", "no MindSpore", "by hand", "manual", "not supported",
        "case", "no counterpart", "has no", "cannot")  # fmt: skip


async def _fix(client: LanguageClient, index: int, call: str) -> tuple[Outcome, str]:
    uri = f"file:///tmp/mindport_real_calls/case_{index}.py"
    text = _document(call)
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=text
            )
        )
    )
    report = await client.text_document_diagnostic_async(  # pulled, as Neovim 0.11 does
        types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert isinstance(report, types.RelatedFullDocumentDiagnosticReport)
    where = _position(text, call)
    line_diagnostics = [d for d in report.items if d.range.start.line == where.line]
    at_cursor = [  # what an editor sends: the diagnostics under the cursor
        d
        for d in line_diagnostics
        if d.range.start.character <= where.character <= d.range.end.character
    ]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=types.Range(where, where),
            context=types.CodeActionContext(diagnostics=at_cursor),
        )
    )
    outcome = Outcome(call, diagnostics=[d.message for d in line_diagnostics])
    fixes = [
        a
        for a in actions or []
        if isinstance(a, types.CodeAction) and a.title.startswith("mindport: convert")
    ]
    if not fixes:
        return outcome, text
    fix = fixes[0]
    outcome.title = fix.title
    fixed = apply_edits(text, list(fix.edit.changes[uri]))
    ast.parse(fixed)
    outcome.fixed = next(
        line.strip().removeprefix("return ")
        for line in fixed.split("\n")
        if line.strip().startswith("return ")
    )
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    return outcome, fixed


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("neovim@v0.11.0"),
            initialization_options={"device": "CPU", "doctorAtStart": False, "jedi": False},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def _outcomes(client: LanguageClient) -> list[Outcome]:
    inputs = _inputs()
    found: list[Outcome] = []
    for index, call in enumerate(CALLS):
        outcome, fixed = await _fix(client, index, call)
        if outcome.fixed is None:
            outcome.verdict = "no fix offered"
        else:
            _judge(outcome, _document(call), fixed, inputs)
        said = " ".join([outcome.title or "", *outcome.diagnostics])
        outcome.explained = outcome.equal or any(word in said for word in _WHY)
        found.append(outcome)
    _print_report(found)
    return found


def _print_report(found: list[Outcome]) -> None:
    equal = sum(o.equal for o in found)
    print(f"\n{equal}/{len(found)} calls compute torch's result ({100 * equal / len(found):.1f}%)")
    for o in found:
        if not o.equal:
            print(f"  {o.call} -> {o.fixed}: {o.verdict}")
            print(f"      title: {o.title}")
            for message in o.diagnostics:
                print(f"      diagnostic: {message[:200]}")


def test_calls_are_distinct_and_many() -> None:
    assert len(CALLS) == len(set(CALLS)) >= 120


def test_the_comparison_sees_dtype_shape_and_value_differences() -> None:
    a = np.zeros((2, 2), np.int64)
    assert _compare(a, a.copy(), False) == "equal"
    assert _compare(a, a.astype(np.int32), False).startswith("dtype int32")
    assert _compare(a, np.zeros((4,), np.int64), False).startswith("shape")
    assert _compare(a.astype(np.float32), a.astype(np.float32) + 0.2, False).startswith("values")
    assert _compare([a, a], [a, a.astype(np.int32)], False).startswith("dtype")
    assert _compare(3, 3.0, False).startswith("a float")


async def test_real_calls_fixed_through_the_server(
    client: LanguageClient, mindspore_on_cpu
) -> None:
    outcomes = await _outcomes(client)
    silent = [f"{o.call} -> {o.fixed}: {o.verdict}" for o in outcomes if not o.explained]
    assert silent == [], "calls whose fix changes the result without saying so"
    differing = {o.call for o in outcomes if not o.equal}
    assert differing - set(KNOWN_GAPS) == set(), "new calls that do not compute torch's result"
    assert set(KNOWN_GAPS) - differing == set(), "fixed: remove them from KNOWN_GAPS"
    equal = sum(o.equal for o in outcomes)
    assert equal / len(outcomes) >= 0.97
