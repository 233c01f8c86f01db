"""The conversions that bring whisper and stable-baselines3 to PaConvert's rate, run: code read
from ../shared/corpus/ (never copied into the product) and the rule fixtures are converted, then
the torch source runs under torch and the port under MindSpore on CPU, on the same inputs.
Random draws are compared by their distribution (shape, dtype, frequencies, moments)."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
import torch

from mapping_db.store import load_database
from server.convert.file import convert_source
from tests.convert_helpers import CORPUS, load_module, relative_error

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "convert"
SB3 = CORPUS / "stable-baselines3" / "stable_baselines3" / "common" / "distributions.py"
WHISPER = CORPUS / "whisper" / "whisper"


def _pair(rule: str):
    folder = FIXTURES / rule
    return (
        load_module(folder / "in.py", f"ws_torch_{rule}"),
        load_module(folder / "out.py", f"ws_ms_{rule}"),
    )


def _snippet(path: Path, header: str, names: set[str]) -> str:
    """The header, then the top-level definitions of `path` named in `names` (and its TypeVar
    assignments), in the file's order."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    parts = [header.strip()]
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef):
            keep = node.name in names
        elif isinstance(node, ast.Assign):
            keep = "TypeVar(" in ast.get_source_segment(source, node)
        else:
            keep = False
        if keep:
            first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
            parts.append("\n".join(lines[first - 1 : node.end_lineno]))
    return "\n\n\n".join(parts) + "\n"


def _convert_pair(tmp_path: Path, name: str, source: str):
    conversion = convert_source(source, load_database(), "CPU")
    assert not conversion.markers, [m.reason for m in conversion.markers]
    (tmp_path / f"{name}_torch.py").write_text(source, encoding="utf-8")
    (tmp_path / f"{name}_ms.py").write_text(conversion.code, encoding="utf-8")
    return (
        load_module(tmp_path / f"{name}_torch.py", f"ws_{name}_torch"),
        load_module(tmp_path / f"{name}_ms.py", f"ws_{name}_ms"),
    )


_SB3_HEADER = """
from abc import ABC, abstractmethod
from typing import Any, Optional, TypeVar

import numpy as np
import torch as th
from torch import nn
from torch.distributions import Bernoulli, Categorical, Normal
from torch.distributions import Distribution as TorchDistribution
"""
_SB3_NAMES = {
    "Distribution",
    "sum_independent_dims",
    "DiagGaussianDistribution",
    "SquashedDiagGaussianDistribution",
    "CategoricalDistribution",
    "MultiCategoricalDistribution",
    "BernoulliDistribution",
    "TanhBijector",
    "kl_divergence",
}


@pytest.fixture(scope="module")
def sb3(tmp_path_factory, mindspore_on_cpu):
    source = _snippet(SB3, _SB3_HEADER, _SB3_NAMES)
    return _convert_pair(tmp_path_factory.mktemp("sb3"), "sb3_distributions", source)


def _both(ms, *arrays):
    return [torch.from_numpy(a) for a in arrays], [ms.tensor(a) for a in arrays]


def test_sb3_distributions_match_torch(sb3, mindspore_on_cpu) -> None:
    ms = mindspore_on_cpu
    th_mod, ms_mod = sb3
    rng = np.random.default_rng(0)
    mean = rng.standard_normal((5, 3)).astype(np.float32)
    log_std = (rng.standard_normal(3) * 0.3).astype(np.float32)
    actions = rng.standard_normal((5, 3)).astype(np.float32)
    (tm, tl, ta), (mm, ml, ma) = _both(ms, mean, log_std, actions)
    t_dist = th_mod.DiagGaussianDistribution(3).proba_distribution(tm, tl)
    m_dist = ms_mod.DiagGaussianDistribution(3).proba_distribution(mm, ml)
    for t, m in (
        (t_dist.log_prob(ta), m_dist.log_prob(ma)),
        (t_dist.entropy(), m_dist.entropy()),
        (t_dist.mode(), m_dist.mode()),
    ):
        assert relative_error(t.numpy(), m.asnumpy()) < 1e-5
    sample = m_dist.sample()
    assert sample.shape == (5, 3) and sample.dtype == ms.float32

    logits = rng.standard_normal((6, 4)).astype(np.float32)
    chosen = rng.integers(0, 4, 6)
    (tlog, tact), (mlog, mact) = _both(ms, logits, chosen)
    t_cat = th_mod.CategoricalDistribution(4).proba_distribution(tlog)
    m_cat = ms_mod.CategoricalDistribution(4).proba_distribution(mlog)
    for t, m in (
        (t_cat.log_prob(tact), m_cat.log_prob(mact)),
        (t_cat.entropy(), m_cat.entropy()),
    ):
        assert relative_error(t.numpy(), m.asnumpy()) < 1e-5
    assert (t_cat.mode().numpy() == m_cat.mode().asnumpy()).all()
    drawn = m_cat.sample()
    assert drawn.shape == (6,) and drawn.dtype == ms.int64

    binary = rng.integers(0, 2, (6, 4)).astype(np.float32)
    (tbin,), (mbin,) = _both(ms, binary)
    t_ber = th_mod.BernoulliDistribution(4).proba_distribution(tlog)
    m_ber = ms_mod.BernoulliDistribution(4).proba_distribution(mlog)
    for t, m in (
        (t_ber.log_prob(tbin), m_ber.log_prob(mbin)),
        (t_ber.entropy(), m_ber.entropy()),
        (t_ber.mode(), m_ber.mode()),
    ):
        assert relative_error(t.numpy(), m.asnumpy()) < 1e-5

    multi = np.stack([rng.integers(0, 2, 6), rng.integers(0, 3, 6)], axis=1)
    split_logits = rng.standard_normal((6, 5)).astype(np.float32)
    (tsl, tmu), (msl, mmu) = _both(ms, split_logits, multi)
    t_multi = th_mod.MultiCategoricalDistribution([2, 3]).proba_distribution(tsl)
    m_multi = ms_mod.MultiCategoricalDistribution([2, 3]).proba_distribution(msl)
    assert relative_error(t_multi.log_prob(tmu).numpy(), m_multi.log_prob(mmu).asnumpy()) < 1e-5
    assert relative_error(t_multi.entropy().numpy(), m_multi.entropy().asnumpy()) < 1e-5

    # kl_divergence: torch's for Normal, Categorical, Bernoulli; sb3's sum for MultiCategorical
    other = rng.standard_normal((6, 4)).astype(np.float32)
    (to,), (mo,) = _both(ms, other)
    pairs = [
        (
            th_mod.CategoricalDistribution(4).proba_distribution(to),
            ms_mod.CategoricalDistribution(4).proba_distribution(mo),
            t_cat,
            m_cat,
        ),
        (
            th_mod.BernoulliDistribution(4).proba_distribution(to),
            ms_mod.BernoulliDistribution(4).proba_distribution(mo),
            t_ber,
            m_ber,
        ),
        (
            th_mod.DiagGaussianDistribution(3).proba_distribution(ta, tl * 2),
            ms_mod.DiagGaussianDistribution(3).proba_distribution(ma, ml * 2),
            t_dist,
            m_dist,
        ),
        (
            th_mod.MultiCategoricalDistribution([2, 3]).proba_distribution(tsl * 2),
            ms_mod.MultiCategoricalDistribution([2, 3]).proba_distribution(msl * 2),
            t_multi,
            m_multi,
        ),
    ]
    for t_p, m_p, t_q, m_q in pairs:
        expected = th_mod.kl_divergence(t_p, t_q).numpy()
        assert relative_error(expected, ms_mod.kl_divergence(m_p, m_q).asnumpy()) < 1e-5


def test_sb3_log_prob_gradient_matches_torch(sb3, mindspore_on_cpu) -> None:
    """PPO's loss reads log_prob and entropy: the port's value_and_grad through them gives
    torch's gradient."""
    ms = mindspore_on_cpu
    th_mod, ms_mod = sb3
    rng = np.random.default_rng(1)
    mean = rng.standard_normal((4, 2)).astype(np.float32)
    log_std = np.array([0.2, -0.4], np.float32)
    actions = rng.standard_normal((4, 2)).astype(np.float32)
    logits = rng.standard_normal((4, 3)).astype(np.float32)
    chosen = rng.integers(0, 3, 4)

    t_mean = torch.from_numpy(mean).requires_grad_()
    t_log_std = torch.from_numpy(log_std).requires_grad_()
    t_logits = torch.from_numpy(logits).requires_grad_()
    gauss = th_mod.DiagGaussianDistribution(2).proba_distribution(t_mean, t_log_std)
    cat = th_mod.CategoricalDistribution(3).proba_distribution(t_logits)
    t_loss = -(gauss.log_prob(torch.from_numpy(actions)).mean()) - 0.01 * gauss.entropy().mean()
    t_loss = t_loss - cat.log_prob(torch.from_numpy(chosen)).mean() - cat.entropy().mean()
    t_loss.backward()

    def loss_fn(m_mean, m_log_std, m_logits):
        g = ms_mod.DiagGaussianDistribution(2).proba_distribution(m_mean, m_log_std)
        c = ms_mod.CategoricalDistribution(3).proba_distribution(m_logits)
        loss = -(g.log_prob(ms.tensor(actions)).mean()) - 0.01 * g.entropy().mean()
        return loss - c.log_prob(ms.tensor(chosen)).mean() - c.entropy().mean()

    value, grads = ms.value_and_grad(loss_fn, grad_position=(0, 1, 2))(
        ms.tensor(mean), ms.tensor(log_std), ms.tensor(logits)
    )
    assert relative_error(t_loss.detach().numpy(), value.asnumpy()) < 1e-5
    for t_param, grad in zip((t_mean, t_log_std, t_logits), grads, strict=True):
        assert relative_error(t_param.grad.numpy(), grad.asnumpy()) < 1e-4


def test_sampling_matches_torch_in_distribution(mindspore_on_cpu) -> None:
    """The draws have torch's shapes and dtypes, and their frequencies and moments are the
    distribution's (20,000 draws: a wrong distribution is off by far more than the bounds)."""
    ms = mindspore_on_cpu
    th_mod, ms_mod = _pair("distributions")
    ms.set_seed(0)
    torch.manual_seed(0)
    logits = np.array([[0.5, -1.0, 2.0, 0.0]], np.float32)
    many = np.repeat(logits, 20000, axis=0)
    chosen = np.zeros(20000, np.int64)
    t_draw = th_mod.categorical(torch.from_numpy(many), torch.from_numpy(chosen))[3]
    m_draw = ms_mod.categorical(ms.tensor(many), ms.tensor(chosen))[3]
    assert m_draw.shape == tuple(t_draw.shape) and m_draw.dtype == ms.int64
    expected = torch.softmax(torch.from_numpy(logits[0]), -1).numpy()
    frequencies = np.bincount(m_draw.asnumpy(), minlength=4) / 20000
    assert np.abs(frequencies - expected).max() < 0.015

    # whisper's GreedyDecoder at a temperature: one token per row, int64
    tokens = ms_mod.greedy_or_sample(ms.tensor(np.tile(logits, (3, 1))), 0.7)
    assert tokens.shape == (3,) and tokens.dtype == ms.int64

    probs = np.array([[0.1, 0.8, 0.5]], np.float32)
    bern_logits = np.log(probs) - np.log1p(-probs)
    rows = np.repeat(bern_logits, 20000, axis=0)
    zeros = np.zeros_like(rows)
    t_bern = th_mod.bernoulli(torch.from_numpy(rows), torch.from_numpy(zeros))[3]
    m_bern = ms_mod.bernoulli(ms.tensor(rows), ms.tensor(zeros))[3]
    assert m_bern.shape == tuple(t_bern.shape) and m_bern.dtype == ms.float32
    assert np.abs(m_bern.asnumpy().mean(axis=0) - probs[0]).max() < 0.015

    loc = np.array([1.0, -2.0], np.float32)
    scale = np.array([0.5, 2.0], np.float32)
    t_normal = th_mod.normal_sample(torch.from_numpy(loc), torch.from_numpy(scale), 20000)
    m_normal = ms_mod.normal_sample(ms.tensor(loc), ms.tensor(scale), 20000).asnumpy()
    assert m_normal.shape == tuple(t_normal.shape) and m_normal.dtype == np.float32
    assert np.abs(m_normal.mean(axis=0) - loc).max() < 0.05
    assert np.abs(m_normal.std(axis=0) / scale - 1).max() < 0.03


def test_distribution_fixture_matches_torch(mindspore_on_cpu) -> None:
    ms = mindspore_on_cpu
    th_mod, ms_mod = _pair("distributions")
    rng = np.random.default_rng(2)
    probs = rng.random((4, 5)).astype(np.float32)
    chosen = rng.integers(0, 5, 4)
    for t, m in zip(
        th_mod.categorical_from_probs(torch.from_numpy(probs), torch.from_numpy(chosen)),
        ms_mod.categorical_from_probs(ms.tensor(probs), ms.tensor(chosen)),
        strict=True,
    ):
        assert relative_error(t.numpy(), m.asnumpy()) < 1e-5
    p = rng.standard_normal((3, 2)).astype(np.float32)
    q = rng.standard_normal((3, 2)).astype(np.float32)
    scales = (np.abs(p) + 0.5, np.abs(q) + 0.2)
    expected = th_mod.kl((torch.from_numpy(p), torch.from_numpy(scales[0])),
                         (torch.from_numpy(q), torch.from_numpy(scales[1])), "normal")  # fmt: skip
    actual = ms_mod.kl((ms.tensor(p), ms.tensor(scales[0])),
                       (ms.tensor(q), ms.tensor(scales[1])), "normal")  # fmt: skip
    assert relative_error(expected.numpy(), actual.asnumpy()) < 1e-5
    # torch's infinite divergence where q gives no probability to what p can draw
    zero_q = np.array([[0.5, 0.5, 0.0]], np.float32)
    some_p = np.array([[0.2, 0.3, 0.5]], np.float32)
    with np.errstate(divide="ignore"):
        t_inf = th_mod.kl(torch.log(torch.from_numpy(some_p)), torch.log(torch.from_numpy(zero_q)),
                          "categorical")  # fmt: skip
        m_inf = ms_mod.kl(ms.tensor(np.log(some_p)), ms.tensor(np.log(zero_q)), "categorical")
    assert np.isinf(t_inf.numpy()).all() and np.isinf(m_inf.asnumpy()).all()


def test_torch_utilities_match_torch(mindspore_on_cpu) -> None:
    ms = mindspore_on_cpu
    th_mod, ms_mod = _pair("torch_utilities")
    tokens = np.array([1, 7, 8, 2, 9, 9, 9, 3], np.int64)
    t_found = th_mod.consecutive(torch.from_numpy(tokens), 7).numpy()
    m_found = ms_mod.consecutive(ms.tensor(tokens), 7).asnumpy()
    assert m_found.dtype == t_found.dtype and (m_found == t_found).all()
    for mask in (
        np.array([[True, False, True], [False, True, True]]),
        np.zeros((2, 3), bool),
        np.array(True),
    ):
        t_where = th_mod.coordinates(torch.from_numpy(mask))
        m_where = ms_mod.coordinates(ms.tensor(mask))
        assert len(t_where) == len(m_where)
        for t, m in zip(t_where, m_where, strict=True):
            assert m.dtype == ms.int64 and (t.numpy() == m.asnumpy()).all()

    # whisper's alignment heads: a sparse mask whose indices pick (layer, head) pairs
    values = np.arange(24, dtype=np.float32).reshape(4, 6)
    t_heads = th_mod.head_pairs(th_mod.alignment_heads(4, 6), torch.from_numpy(values))
    m_heads = ms_mod.head_pairs(ms_mod.alignment_heads(4, 6), ms.tensor(values))
    assert (t_heads.numpy() == m_heads.asnumpy()).all()
    assert th_mod.alignment_heads(2, 3).layout == torch.sparse_coo
    assert isinstance(ms_mod.alignment_heads(2, 3), ms.COOTensor)  # sparse COO, as torch's

    assert th_mod.on_gpu(torch.zeros(2)) == ms_mod.on_gpu(ms.tensor(np.zeros(2))) == "other"

    y = np.array([-1.0, 0.3, 1.0], np.float32)
    t_clip, t_max = th_mod.clip_atanh(torch.from_numpy(y))
    m_clip, m_max = ms_mod.clip_atanh(ms.tensor(y))
    assert (t_clip.numpy() == m_clip.asnumpy()).all() and t_max == m_max
    for t_dtype, m_dtype in (
        (torch.float16, ms.float16),
        (torch.bfloat16, ms.bfloat16),
        (torch.float32, ms.float32),
        (torch.float64, ms.float64),
    ):
        t_info, m_info = torch.finfo(t_dtype), ms_mod.finfo_torch_args(m_dtype)
        for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
            assert getattr(t_info, field) == getattr(m_info, field), (t_dtype, field)
        assert t_info.dtype == m_info.dtype

    # parameters to a vector and back
    torch.manual_seed(0)
    t_model, m_model = th_mod.build(), ms_mod.build()
    vector = np.arange(8, dtype=np.float32) / 10
    th_mod.load_flat(t_model, vector)
    ms_mod.load_flat(m_model, vector)
    t_flat = th_mod.flat_parameters(t_model).detach().numpy()
    m_flat = ms_mod.flat_parameters(m_model).asnumpy()
    assert (t_flat == vector).all() and (m_flat == vector).all()

    # sb3's RMSpropTFLike update and Polyak update, in place
    rng = np.random.default_rng(3)
    p0, buf0, grad = (rng.standard_normal(4).astype(np.float32) for _ in range(3))
    avg = (rng.random(4) + 0.5).astype(np.float32)
    for momentum in (0.9, 0.0):
        t_p, t_buf = torch.from_numpy(p0.copy()), torch.from_numpy(buf0.copy())
        m_p, m_buf = ms.Parameter(ms.tensor(p0), name="p"), ms.tensor(buf0)
        th_mod.rmsprop_update(t_p, t_buf, torch.from_numpy(grad), torch.from_numpy(avg),
                              momentum, 0.01)  # fmt: skip
        ms_mod.rmsprop_update(m_p, m_buf, ms.tensor(grad), ms.tensor(avg), momentum, 0.01)
        assert relative_error(t_p.numpy(), m_p.asnumpy()) < 1e-6
        assert relative_error(t_buf.numpy(), m_buf.asnumpy()) < 1e-6
    t_target = [torch.nn.Parameter(torch.from_numpy(p0.copy()))]
    m_target = [ms.Parameter(ms.tensor(p0), name="target")]
    th_mod.polyak_update([torch.from_numpy(grad)], t_target, 0.05)
    ms_mod.polyak_update([ms.tensor(grad)], m_target, 0.05)
    assert relative_error(t_target[0].detach().numpy(), m_target[0].asnumpy()) < 1e-6

    # SAC's entropy coefficient: a leaf to optimise, a Parameter in MindSpore
    t_coef, m_coef = th_mod.entropy_coefficient(0.5), ms_mod.entropy_coefficient(0.5)
    assert t_coef.requires_grad and isinstance(m_coef, ms.Parameter) and m_coef.requires_grad
    assert relative_error(t_coef.detach().numpy(), m_coef.asnumpy()) < 1e-6


def test_whisper_median_filter_matches_torch(tmp_path, mindspore_on_cpu) -> None:
    """whisper's timing.median_filter (its `x.is_cuda` test, then the CPU path)."""
    ms = mindspore_on_cpu
    header = """
import subprocess
import warnings

import numpy as np
import torch
import torch.nn.functional as F
"""
    source = _snippet(WHISPER / "timing.py", header, {"median_filter"})
    th_mod, ms_mod = _convert_pair(tmp_path, "whisper_timing", source)
    x = np.random.default_rng(4).standard_normal((2, 3, 20)).astype(np.float32)
    expected = th_mod.median_filter(torch.from_numpy(x), 7).numpy()
    assert relative_error(expected, ms_mod.median_filter(ms.tensor(x), 7).asnumpy()) < 1e-6


def test_whisper_greedy_decoder_samples_like_torch(tmp_path, mindspore_on_cpu) -> None:
    """whisper's GreedyDecoder.update at temperature > 0 (Categorical(logits=...).sample())."""
    ms = mindspore_on_cpu
    header = """
from typing import List, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor
from torch.distributions import Categorical
"""
    source = _snippet(WHISPER / "decoding.py", header, {"TokenDecoder", "GreedyDecoder"})
    th_mod, ms_mod = _convert_pair(tmp_path, "whisper_decoding", source)
    ms.set_seed(1)
    n, eot = 20000, 3
    logits = np.tile(np.array([[1.0, 0.0, -1.0, 0.5]], np.float32), (n, 1))
    tokens = np.zeros((n, 2), np.int64)
    t_tokens, _ = th_mod.GreedyDecoder(0.8, eot).update(
        torch.from_numpy(tokens), torch.from_numpy(logits), torch.zeros(n)
    )
    sum_logprobs = ms.tensor(np.zeros(n, np.float32))
    m_tokens, _ = ms_mod.GreedyDecoder(0.8, eot).update(
        ms.tensor(tokens), ms.tensor(logits), sum_logprobs
    )
    assert m_tokens.shape == tuple(t_tokens.shape) and m_tokens.dtype == ms.int64
    expected = torch.softmax(torch.from_numpy(logits[0]) / 0.8, -1).numpy()
    frequencies = np.bincount(m_tokens.asnumpy()[:, -1], minlength=4) / n
    assert np.abs(frequencies - expected).max() < 0.015
