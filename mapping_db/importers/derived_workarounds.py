"""Workarounds for torch APIs MindSpore lacks: the same result from other MindSpore APIs.

Each recipe is a Python expression over `ops` (mindspore.ops), `ms` (mindspore) and the
inputs of the torch call it stands for; `torch` is that call over the same inputs.
tests/test_coverage.py runs both on small inputs and compares them. Inputs are
(name, kind, shape): kind "float" (normal), "pos" (in (0.5, 2.5)), "prob" (in (0.05, 0.95)),
"int" (in [0, 4)), "spd" (a well-conditioned square matrix).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Workaround:
    mindspore: str
    torch: str
    inputs: tuple[tuple[str, str, tuple[int, ...]], ...]


def _w(mindspore: str, torch: str, *inputs: tuple[str, str, tuple[int, ...]]) -> Workaround:
    return Workaround(mindspore, torch, inputs)


A = ("a", "float", (3, 4))
B = ("b", "float", (3, 4))
V = ("a", "float", (5,))
W = ("b", "float", (5,))
P = ("a", "pos", (3, 4))
Q = ("b", "pos", (3, 4))
SPD = ("a", "spd", (4, 4))
RHS = ("b", "float", (4, 2))
M1, M2, M3 = ("a", "float", (2, 3)), ("b", "float", (3, 4)), ("c", "float", (4, 2))
_SDPA = (
    "ops.matmul(ops.softmax(ops.matmul(q, ops.swapaxes(k, -2, -1)) / q.shape[-1] ** 0.5, -1), v)"
)
_INORM_MEAN = "ops.mean(a, (2, 3), True)"

WORKAROUNDS: dict[str, Workaround] = {
    # torch
    "torch.clamp_min": _w("ops.clamp(a, min=0.1)", "torch.clamp_min(a, 0.1)", A),
    "torch.clamp_max": _w("ops.clamp(a, max=0.1)", "torch.clamp_max(a, 0.1)", A),
    "torch.rsub": _w("ops.sub(b, a)", "torch.rsub(a, b)", A, B),
    "torch.tensordot": _w(
        "ops.tensor_dot(a, b, ((1,), (0,)))", "torch.tensordot(a, b, dims=([1], [0]))", M1, M2
    ),
    "torch.take_along_dim": _w(
        "ops.gather_elements(a, 1, i)", "torch.take_along_dim(a, i, dim=1)", A, ("i", "int", (3, 4))
    ),
    "torch.concatenate": _w("ops.cat((a, b), 0)", "torch.concatenate((a, b), 0)", A, B),
    "torch.chain_matmul": _w(
        "ops.matmul(ops.matmul(a, b), c)", "torch.chain_matmul(a, b, c)", M1, M2, M3
    ),
    "torch.nuclear_norm": _w("ops.sum(ops.svd(a, compute_uv=False))", "torch.nuclear_norm(a)", A),
    "torch.frobenius_norm": _w(
        "ops.sqrt(ops.sum(a * a))", "torch.frobenius_norm(a, dim=(0, 1))", A
    ),
    "torch.pinverse": _w("ops.pinv(a)", "torch.pinverse(a)", A),
    "torch.detach": _w("ops.stop_gradient(a)", "torch.detach(a)", A),
    "torch.isin": _w(
        "ops.any(ops.equal(ops.expand_dims(a, -1), ops.reshape(b, (-1,))), -1)",
        "torch.isin(a, b)",
        ("a", "int", (3, 4)),
        ("b", "int", (2,)),
    ),
    "torch.trapezoid": _w("ops.trapz(a, dx=1.0, dim=-1)", "torch.trapezoid(a)", A),
    "torch.cumulative_trapezoid": _w(
        "ops.cumsum((a[..., 1:] + a[..., :-1]) / 2, -1)", "torch.cumulative_trapezoid(a)", A
    ),
    "torch.pairwise_distance": _w(
        "ops.sqrt(ops.sum((a - b + 1e-6) ** 2, -1))", "torch.pairwise_distance(a, b)", A, B
    ),
    "torch.is_same_size": _w("a.shape == b.shape", "torch.is_same_size(a, b)", A, B),
    # torch.nn.functional
    "torch.nn.functional.pairwise_distance": _w(
        "ops.sqrt(ops.sum((a - b + 1e-6) ** 2, -1))",
        "torch.nn.functional.pairwise_distance(a, b)",
        A,
        B,
    ),
    "torch.nn.functional.scaled_dot_product_attention": _w(
        _SDPA,
        "torch.nn.functional.scaled_dot_product_attention(q, k, v)",
        ("q", "float", (2, 3, 4)),
        ("k", "float", (2, 5, 4)),
        ("v", "float", (2, 5, 6)),
    ),
    "torch.nn.functional.poisson_nll_loss": _w(
        "ops.mean(ops.exp(a) - b * a)", "torch.nn.functional.poisson_nll_loss(a, b)", A, Q
    ),
    "torch.nn.functional.instance_norm": _w(
        f"(a - {_INORM_MEAN}) / ops.sqrt(ops.mean((a - {_INORM_MEAN}) ** 2, (2, 3), True) + 1e-5)",
        "torch.nn.functional.instance_norm(a)",
        ("a", "float", (2, 3, 4, 5)),
    ),
    # torch.nn (the layer's call with default arguments)
    "torch.nn.Softplus": _w("ops.softplus(a)", "torch.nn.Softplus()(a)", A),
    "torch.nn.PairwiseDistance": _w(
        "ops.sqrt(ops.sum((a - b + 1e-6) ** 2, -1))", "torch.nn.PairwiseDistance()(a, b)", A, B
    ),
    "torch.nn.RMSNorm": _w(
        "a / ops.sqrt(ops.mean(a * a, -1, True) + 1e-6)", "torch.nn.RMSNorm(4, eps=1e-6)(a)", A
    ),
    # torch.linalg
    "torch.linalg.multi_dot": _w(
        "ops.matmul(ops.matmul(a, b), c)", "torch.linalg.multi_dot([a, b, c])", M1, M2, M3
    ),
    "torch.linalg.svdvals": _w("ops.svd(a, compute_uv=False)", "torch.linalg.svdvals(a)", A),
    "torch.linalg.solve": _w("ops.matmul(ops.inverse(a), b)", "torch.linalg.solve(a, b)", SPD, RHS),
    # torch.special
    "torch.special.entr": _w("-a * ops.log(a)", "torch.special.entr(a)", P),
    "torch.special.xlog1py": _w("a * ops.log1p(b)", "torch.special.xlog1py(a, b)", A, Q),
    "torch.special.ndtr": _w("0.5 * (1 + ops.erf(a / 2**0.5))", "torch.special.ndtr(a)", A),
    "torch.special.log_ndtr": _w(
        "ops.log(0.5 * ops.erfc(-a / 2**0.5))", "torch.special.log_ndtr(a)", A
    ),
    "torch.special.ndtri": _w(
        "2**0.5 * ops.erfinv(2 * a - 1)", "torch.special.ndtri(a)", ("a", "prob", (3, 4))
    ),
    "torch.special.erfcx": _w("ops.exp(a * a) * ops.erfc(a)", "torch.special.erfcx(a)", A),
    "torch.special.i0e": _w("ops.bessel_i0e(a)", "torch.special.i0e(a)", A),
    "torch.special.i1": _w("ops.bessel_i1(a)", "torch.special.i1(a)", A),
    "torch.special.i1e": _w("ops.bessel_i1e(a)", "torch.special.i1e(a)", A),
    "torch.special.modified_bessel_i0": _w(
        "ops.bessel_i0(a)", "torch.special.modified_bessel_i0(a)", A
    ),
    "torch.special.modified_bessel_i1": _w(
        "ops.bessel_i1(a)", "torch.special.modified_bessel_i1(a)", A
    ),
    "torch.special.modified_bessel_k0": _w(
        "ops.bessel_k0(a)", "torch.special.modified_bessel_k0(a)", P
    ),
    "torch.special.modified_bessel_k1": _w(
        "ops.bessel_k1(a)", "torch.special.modified_bessel_k1(a)", P
    ),
    "torch.special.scaled_modified_bessel_k0": _w(
        "ops.bessel_k0e(a)", "torch.special.scaled_modified_bessel_k0(a)", P
    ),
    "torch.special.scaled_modified_bessel_k1": _w(
        "ops.bessel_k1e(a)", "torch.special.scaled_modified_bessel_k1(a)", P
    ),
    "torch.special.spherical_bessel_j0": _w(
        "ops.sin(a) / a", "torch.special.spherical_bessel_j0(a)", P
    ),
    "torch.special.gammainc": _w("ops.igamma(a, b)", "torch.special.gammainc(a, b)", P, Q),
    "torch.special.gammaincc": _w("ops.igammac(a, b)", "torch.special.gammaincc(a, b)", P, Q),
    # torch.Tensor
    "torch.Tensor.clamp_min": _w("ops.clamp(a, min=0.1)", "a.clamp_min(0.1)", A),
    "torch.Tensor.clamp_max": _w("ops.clamp(a, max=0.1)", "a.clamp_max(0.1)", A),
    "torch.Tensor.exp2": _w("ops.pow(2.0, a)", "a.exp2()", A),
    "torch.Tensor.kron": _w("ops.kron(a, b)", "a.kron(b)", M1, M2),
    "torch.Tensor.mv": _w("ops.mv(a, b)", "a.mv(b)", ("a", "float", (3, 5)), W),
    "torch.Tensor.vdot": _w("ops.sum(a * b)", "a.vdot(b)", V, W),
    "torch.Tensor.dist": _w("ops.sqrt(ops.sum((a - b) ** 2))", "a.dist(b)", A, B),
    "torch.Tensor.relu": _w("ops.relu(a)", "a.relu()", A),
    "torch.Tensor.log_softmax": _w("ops.log_softmax(a, -1)", "a.log_softmax(-1)", A),
    "torch.Tensor.fix": _w("ops.trunc(a)", "a.fix()", A),
    "torch.Tensor.diag_embed": _w("ops.diag_embed(a)", "a.diag_embed()", A),
    "torch.Tensor.polygamma": _w("ops.polygamma(ms.Tensor(1), a)", "a.polygamma(1)", P),
    "torch.Tensor.pinverse": _w("ops.pinv(a)", "a.pinverse()", A),
    "torch.Tensor.detach": _w("ops.stop_gradient(a)", "a.detach()", A),
    "torch.Tensor.take_along_dim": _w(
        "ops.gather_elements(a, 1, i)", "a.take_along_dim(i, dim=1)", A, ("i", "int", (3, 4))
    ),
    "torch.Tensor.corrcoef": _w(
        "ops.cov(a) / ops.outer(ops.sqrt(ops.diagonal(ops.cov(a))), "
        "ops.sqrt(ops.diagonal(ops.cov(a))))",
        "a.corrcoef()",
        A,
    ),
}
WORKAROUNDS["torch.corrcoef"] = Workaround(
    WORKAROUNDS["torch.Tensor.corrcoef"].mindspore, "torch.corrcoef(a)", (A,)
)
