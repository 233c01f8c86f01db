"""`torch.distributions` (Normal, Categorical, Bernoulli, kl_divergence) as small classes with
torch's signatures written into the port. `mindspore.nn.probability.distribution` has other
constructors (no `logits=`), methods where torch has properties (`mean()`) and no `rsample`, so
the calls are not rewritten to it: each class computes torch's formulas with mindspore.ops
(differentiable, so a loss on `log_prob` or `entropy` trains under `value_and_grad`):

- `Normal(loc, scale)`: log_prob, entropy, sample/rsample (loc + scale * a standard normal draw
  of shape `sample_shape + batch_shape`, `sample` without a gradient), mean, mode, stddev,
  variance;
- `Categorical(probs=|logits=)`: logits normalised as torch does (minus their logsumexp; from
  probs the log of the clamped normalised probs), probs (softmax), log_prob (the normalised
  logit of the value, broadcast), entropy, sample (`ops.multinomial` with replacement, int64,
  shape `sample_shape + batch_shape`), mode;
- `Bernoulli(probs=|logits=)`: log_prob and entropy through binary cross-entropy with logits,
  sample (a uniform draw below the probability, in the probabilities' dtype), mean, mode (NaN
  at 0.5), variance;
- `kl_divergence(p, q)` for two of the same kind, with torch's formulas (infinite where q
  gives no probability to what p can draw).

`torch.distributions.Distribution` (in `isinstance` and annotations) is their base class.
Argument validation (torch's default raises on a negative scale or probabilities outside
[0, 1]) is not ported: such inputs give NaN. A call passing `validate_args=True` (or
`**kwargs`) keeps a marker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from server.analysis.findings import TorchReference
from server.convert.file.text import code, expr

if TYPE_CHECKING:
    from server.convert.file.transformer import FileTransformer

# The base class goes before the classes that derive from it: the port's helpers are written
# in the order of their text, and this one's comment sorts first.
BASE_HELPER = '''
# torch.distributions' classes, written by mindport with torch's signatures
class DistributionTorchArgs:
    """torch.distributions.Distribution: what the distributions below share."""

    @staticmethod
    def _tensor(value):
        if isinstance(value, mindspore.Tensor):
            return value
        return mindspore.tensor(value, mindspore.float32)

    @staticmethod
    def _broadcast_shape(*shapes):
        ndim = max(len(s) for s in shapes)
        padded = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes]
        result = []
        for sizes in zip(*padded):
            wide = {n for n in sizes if n != 1}
            if len(wide) > 1:
                raise ValueError(f"shapes {shapes} do not broadcast")
            result.append(wide.pop() if wide else 1)
        return tuple(result)

    def _extended_shape(self, sample_shape=()):
        return tuple(sample_shape) + tuple(self.batch_shape)

    def sample(self, sample_shape=()):
        return mindspore.ops.stop_gradient(self.rsample(sample_shape))
'''

NORMAL_HELPER = '''
class NormalTorchArgs(DistributionTorchArgs):
    """torch.distributions.Normal(loc, scale)."""

    torch_kind = "torch Normal"

    def __init__(self, loc, scale, validate_args=None):
        loc, scale = self._tensor(loc), self._tensor(scale)
        shape = self._broadcast_shape(loc.shape, scale.shape)
        self.loc = mindspore.ops.broadcast_to(loc, shape)
        self.scale = mindspore.ops.broadcast_to(scale, shape)
        self.batch_shape = shape

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale**2

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        eps = mindspore.ops.standard_normal(shape).astype(self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value):
        # 0.9189385332046727 is log(sqrt(2 * pi))
        var = self.scale**2
        log_scale = mindspore.ops.log(self.scale)
        return -((value - self.loc) ** 2) / (2 * var) - log_scale - 0.9189385332046727

    def entropy(self):
        # 1.4189385332046727 is 0.5 + 0.5 * log(2 * pi)
        return 1.4189385332046727 + mindspore.ops.log(self.scale)
'''

_FLOAT_MIN = (
    "{mindspore.float16: -65504.0, mindspore.bfloat16: -3.3895313892515355e38,"
    " mindspore.float32: -3.4028234663852886e38, mindspore.float64: -1.7976931348623157e308}"
)
_EPS = (
    "{mindspore.float16: 0.0009765625, mindspore.bfloat16: 0.0078125,"
    " mindspore.float32: 1.1920928955078125e-07, mindspore.float64: 2.220446049250313e-16}"
)

CATEGORICAL_HELPER = f'''
class CategoricalTorchArgs(DistributionTorchArgs):
    """torch.distributions.Categorical(probs=None, logits=None)."""

    torch_kind = "torch Categorical"

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            self.probs = probs / probs.sum(-1, keepdims=True)
            eps = {_EPS}[self.probs.dtype]
            self.logits = mindspore.ops.log(mindspore.ops.clamp(self.probs, eps, 1 - eps))
        else:
            self.logits = logits - mindspore.ops.logsumexp(logits, -1, True)
            self.probs = mindspore.ops.softmax(self.logits, -1)
        self.batch_shape = tuple(self.logits.shape[:-1])

    @property
    def mode(self):
        return self.probs.argmax(-1)

    def sample(self, sample_shape=()):
        count = 1
        for size in sample_shape:
            count *= size
        probs_2d = self.probs.reshape(-1, self.probs.shape[-1]).astype(mindspore.float32)
        samples_2d = mindspore.ops.multinomial(probs_2d, count, True).T
        return samples_2d.reshape(self._extended_shape(sample_shape)).astype(mindspore.int64)

    def log_prob(self, value):
        value = value.astype(mindspore.int64).unsqueeze(-1)
        shape = self._broadcast_shape(value.shape[:-1], self.logits.shape[:-1])
        log_pmf = mindspore.ops.broadcast_to(self.logits, shape + (self.logits.shape[-1],))
        value = mindspore.ops.broadcast_to(value, shape + (1,))
        return mindspore.ops.gather_elements(log_pmf, -1, value).squeeze(-1)

    def entropy(self):
        logits = mindspore.ops.clamp(self.logits, min={_FLOAT_MIN}[self.logits.dtype])
        return -(logits * self.probs).sum(-1)
'''

BERNOULLI_HELPER = f'''
class BernoulliTorchArgs(DistributionTorchArgs):
    """torch.distributions.Bernoulli(probs=None, logits=None)."""

    torch_kind = "torch Bernoulli"

    def __init__(self, probs=None, logits=None, validate_args=None):
        if (probs is None) == (logits is None):
            raise ValueError("Either `probs` or `logits` must be specified, but not both.")
        if probs is not None:
            self.probs = self._tensor(probs)
            eps = {_EPS}[self.probs.dtype]
            clamped = mindspore.ops.clamp(self.probs, eps, 1 - eps)
            self.logits = mindspore.ops.log(clamped) - mindspore.ops.log1p(-clamped)
        else:
            self.logits = self._tensor(logits)
            self.probs = mindspore.ops.sigmoid(self.logits)
        self.batch_shape = tuple(self.probs.shape)

    @property
    def mean(self):
        return self.probs

    @property
    def mode(self):
        mode = (self.probs >= 0.5).astype(self.probs.dtype)
        return mindspore.ops.where(self.probs == 0.5, float("nan"), mode)

    @property
    def variance(self):
        return self.probs * (1 - self.probs)

    def sample(self, sample_shape=()):
        probs = mindspore.ops.broadcast_to(self.probs, self._extended_shape(sample_shape))
        probs = mindspore.ops.stop_gradient(probs)
        return (mindspore.ops.rand_like(probs) < probs).astype(probs.dtype)

    def log_prob(self, value):
        shape = self._broadcast_shape(self.logits.shape, value.shape)
        logits = mindspore.ops.broadcast_to(self.logits, shape)
        value = mindspore.ops.broadcast_to(value.astype(logits.dtype), shape)
        return -mindspore.ops.binary_cross_entropy_with_logits(
            logits, value, reduction="none"
        )

    def entropy(self):
        return mindspore.ops.binary_cross_entropy_with_logits(
            self.logits, self.probs, reduction="none"
        )
'''

KL_HELPER = '''
def kl_divergence_torch_args(p, q):
    """torch.distributions.kl_divergence for two distributions of the same kind."""
    kind = getattr(p, "torch_kind", None)
    if kind is None or kind != getattr(q, "torch_kind", None):
        names = f"{type(p).__name__} and {type(q).__name__}"
        raise NotImplementedError(f"no KL divergence between {names}")
    ops = mindspore.ops
    if kind == "torch Normal":
        var_ratio = (p.scale / q.scale) ** 2
        t1 = ((p.loc - q.loc) / q.scale) ** 2
        return 0.5 * (var_ratio + t1 - 1 - ops.log(var_ratio))
    inf = float("inf")
    if kind == "torch Categorical":
        t = p.probs * (p.logits - q.logits)
        t = ops.where(ops.broadcast_to(q.probs == 0, t.shape), inf, t)
        t = ops.where(ops.broadcast_to(p.probs == 0, t.shape), 0.0, t)
        return t.sum(-1)
    t1 = p.probs * (ops.softplus(-q.logits) - ops.softplus(-p.logits))
    t1 = ops.where(q.probs == 0, inf, t1)
    t1 = ops.where(p.probs == 0, 0.0, t1)
    t2 = (1 - p.probs) * (ops.softplus(q.logits) - ops.softplus(p.logits))
    t2 = ops.where(q.probs == 1, inf, t2)
    t2 = ops.where(p.probs == 1, 0.0, t2)
    return t1 + t2
'''

# torch name (and the module it is defined in) -> (the port's name, its helpers)
_CLASSES = {
    "Normal": ("NormalTorchArgs", (BASE_HELPER, NORMAL_HELPER)),
    "Categorical": ("CategoricalTorchArgs", (BASE_HELPER, CATEGORICAL_HELPER)),
    "Bernoulli": ("BernoulliTorchArgs", (BASE_HELPER, BERNOULLI_HELPER)),
    "Distribution": ("DistributionTorchArgs", (BASE_HELPER,)),
}
_MODULES = {
    "Normal": "normal",
    "Categorical": "categorical",
    "Bernoulli": "bernoulli",
    "Distribution": "distribution",
}


def _class_of(qualified: str) -> str | None:
    for name, module in _MODULES.items():
        if qualified in (f"torch.distributions.{name}", f"torch.distributions.{module}.{name}"):
            return name
    return None


def _is_kl(qualified: str) -> bool:
    return qualified in (
        "torch.distributions.kl_divergence",
        "torch.distributions.kl.kl_divergence",
    )


def convert_call(
    conv: FileTransformer, original: cst.Call, updated: cst.Call, refs: list[TorchReference]
) -> cst.BaseExpression | None:
    from server.convert.file.transformer import Unconvertible

    ref = next((r for r in refs if r.context == "call"), None)
    if ref is None:
        return None
    if _is_kl(ref.qualified_name):
        if len(updated.args) != 2 or any(a.keyword or a.star for a in updated.args):
            raise Unconvertible("kl_divergence takes two distributions, passed by position")
        conv.ctx.helpers.add(KL_HELPER)
        return updated.with_changes(func=expr("kl_divergence_torch_args"))
    name = _class_of(ref.qualified_name)
    if name is None or name == "Distribution":
        return None
    for arg in updated.args:
        if arg.star == "**":  # `*args` go where torch's positional parameters go
            raise Unconvertible(f"{name}(**kwargs) may ask for validation: port it by hand")
        if arg.keyword is not None and arg.keyword.value == "validate_args":
            if code(arg.value) not in ("None", "False"):
                raise Unconvertible(
                    f"{name}(validate_args=...): the port does not validate arguments"
                )
    target, helpers = _CLASSES[name]
    conv.ctx.helpers.update(helpers)
    return updated.with_changes(func=expr(target))


def convert_name(
    conv: FileTransformer, original: cst.BaseExpression, ref: TorchReference
) -> cst.BaseExpression | None:
    """A distribution class as a value (`isinstance(d, Distribution)`, an annotation)."""
    name = _class_of(ref.qualified_name)
    if name is None or ref.context == "call":
        return None
    target, helpers = _CLASSES[name]
    conv.ctx.helpers.update(helpers)
    return expr(target)
