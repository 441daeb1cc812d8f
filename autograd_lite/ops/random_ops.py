"""Random draws shaped by a tensor: multinomial (category indices) and bernoulli (0/1
with given probabilities). Both take `generator=`; the streams differ from PyTorch's."""
import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ..random import as_numpy_generator
from ..tensor import Tensor
from ._util import as_tensor, const
from .creation import zeros


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """`num_samples` category indices per row of the (1-D or 2-D) non-negative weights
    `input`. With replacement each draw is independent and never picks a zero-weight
    category; without, categories are drawn one after another without repeats (an
    exponential race), zero-weight ones only once every positive one is taken."""
    input = as_tensor(input, "multinomial")
    x = input._data
    if not _dtypes.is_floating(x.dtype):
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{x.dtype}")
    if x.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got shape {tuple(x.shape)}")
    n = int(num_samples)
    if n <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples (got {n})")
    k = x.shape[-1]
    if not replacement and n > k:
        raise RuntimeError(f"multinomial: cannot sample n_sample > prob_dist.size(-1) samples "
                           f"without replacement ({n} > {k})")
    rows = x.reshape(-1, k).astype(np.float32).astype(np.float64) if x.dtype is _dtypes.bfloat16 \
        else x.reshape(-1, k).astype(np.float64)
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise RuntimeError("multinomial: probability tensor contains either `inf`, `nan` or "
                           "element < 0")
    if rows.shape[0] and np.any(rows.sum(axis=-1) <= 0):
        raise RuntimeError("multinomial: invalid multinomial distribution (sum of probabilities "
                           "<= 0)")
    rng = as_numpy_generator(generator, "multinomial")
    out = _with_replacement(rows, n, rng) if replacement else _without_replacement(rows, n, rng)
    return const(out.reshape(x.shape[:-1] + (n,)))


def _with_replacement(rows, n, rng):
    """Inverse-CDF draws. The CDF is 1 from the last positive weight on, so a uniform
    draw below 1 can't land on a zero-weight category at either end."""
    k = rows.shape[1]
    cdf = np.cumsum(rows, axis=-1)
    cdf /= cdf[:, -1:]
    last_positive = k - 1 - np.argmax(rows[:, ::-1] > 0, axis=-1)
    cdf[np.arange(k) >= last_positive[:, None]] = 1.0
    u = rng.random((rows.shape[0], n))
    out = np.empty((rows.shape[0], n), np.int64)
    for r in range(rows.shape[0]):
        out[r] = np.searchsorted(cdf[r], u[r], side="right")
    return out


def _without_replacement(rows, n, rng):
    """Category i wins the race at time E_i / w_i (E_i exponential): the order of
    arrival is a draw without replacement with probabilities proportional to w."""
    with np.errstate(divide="ignore"):
        keys = rows / rng.exponential(size=rows.shape)
    return np.argsort(-keys, axis=-1, kind="stable")[:, :n].astype(np.int64)


def bernoulli_draws(shape, p, generator, op):
    """A bool array of `shape`, True with probability `p` (a number, or an array or
    tensor broadcasting to `shape`), checked to lie in [0, 1]."""
    probs = p._data if isinstance(p, Tensor) else np.asarray(p, dtype=np.float64)
    if probs.dtype is _dtypes.bfloat16:  # exact in float32, which NumPy compares natively
        probs = probs.astype(np.float32)
    if probs.size and not (np.all(probs >= 0) and np.all(probs <= 1)):
        bad = probs[~((probs >= 0) & (probs <= 1))].reshape(-1)[0]
        raise RuntimeError(f"{op}: expects p to be in [0, 1], but got p={bad}")
    rng = as_numpy_generator(generator, op)
    try:
        return rng.random(shape) < np.broadcast_to(probs, shape)
    except ValueError:
        raise RuntimeError(f"{op}: p of shape {probs.shape} doesn't broadcast to the tensor's "
                           f"shape {tuple(shape)}") from None


class FixedProbabilitySample(Op):
    """Draws with a fixed probability, shaped like the input: recorded without a
    derivative, so backward raises, as PyTorch's bernoulli(input, p)."""

    def forward(ctx, x, sample):
        return sample


class RandomSample(Op):
    """Draws with probabilities `input`: differentiable with a zero gradient, as
    PyTorch's bernoulli(input)."""

    def forward(ctx, x, sample):
        ctx.shape = x.shape
        return sample

    def backward(ctx, g):
        return zeros(ctx.shape, dtype=g.dtype)

    def fast_backward(ctx, g):
        return np.zeros(ctx.shape, g.dtype)


def bernoulli(input, p=None, *, generator=None):
    """1 with probability `input` (elementwise), else 0, in input's dtype; with `p`,
    every element is 1 with probability `p` instead."""
    input = as_tensor(input, "bernoulli")
    x = input._data
    if p is not None:
        sample = _dtypes.cast(bernoulli_draws(x.shape, p, generator, "bernoulli"), x.dtype)
        return FixedProbabilitySample.apply(input, sample)
    if not _dtypes.is_floating(x.dtype):
        raise NotImplementedError(f"bernoulli: not implemented for {x.dtype} probabilities "
                                  f"(use a floating-point tensor)")
    return RandomSample.apply(input, _dtypes.cast(bernoulli_draws(x.shape, x, generator, "bernoulli"),
                                                  x.dtype))


def poisson(input, generator=None):
    """Draws of the Poisson distribution with the rates `input` (floats >= 0),
    elementwise, in input's dtype. Differentiable with a zero gradient, as PyTorch's."""
    input = as_tensor(input, "poisson")
    x = input._data
    if not _dtypes.is_floating(x.dtype):
        raise NotImplementedError(f"poisson: not implemented for {x.dtype} rates (use a "
                                  f"floating-point tensor)")
    rates = x.astype(np.float64)
    if rates.size and not np.all(rates >= 0):  # NaN fails too
        bad = rates[~(rates >= 0)].reshape(-1)[0]
        raise RuntimeError(f"poisson: invalid Poisson rate {bad}, expected rates to be "
                           f"non-negative")
    rng = as_numpy_generator(generator, "poisson")
    try:
        sample = np.asarray(rng.poisson(rates))
    except ValueError as e:  # NumPy's limit on the rate
        raise RuntimeError(f"poisson: {e}") from None
    return RandomSample.apply(input, _dtypes.cast(sample.astype(np.float64), x.dtype))
