"""The dropout ops: zero each element (or channel) with probability p and scale the rest by
1/(1-p) (inverted dropout, as PyTorch). The mask comes from autograd_lite's global
generator, so `ag.manual_seed` makes it repeatable (the stream differs from PyTorch's)."""
import numpy as np

from ..autograd.node import Op
from ..kernels import lazy as kernels
from ..random import generator
from ._util import KERNEL_DTYPES, const, wide
from .inplace import unary_inplace

KERNEL_MIN = 4096  # elements; below, NumPy's calls cost less than a kernel's dispatch


def kernel_seed():
    """A seed for kernels/dropout.py's generator, drawn from autograd_lite's."""
    return np.uint64(generator().integers(0, 1 << 63))


def dropout_mask(shape, p, dtype):
    """keep / (1 - p) with keep ~ Bernoulli(1 - p), in `dtype` (float)."""
    dtype = np.dtype(dtype)
    scale = dtype.type(1 / (1 - p))
    n = int(np.prod(shape))
    if dtype in KERNEL_DTYPES and n >= KERNEL_MIN:
        out = np.empty(shape, dtype)
        kernels.dropout.make_mask(kernel_seed(), p, out.reshape(-1))
        return out
    draw = dtype if dtype in KERNEL_DTYPES else np.float64
    mask = (generator().random(shape, dtype=draw) >= p).astype(dtype)
    mask *= scale
    return mask


class Dropout(Op):
    """x * mask, mask = keep / (1 - p); the gradient is g * mask (linear in g)."""

    @wide
    def forward(ctx, x, p):
        if p == 1:
            ctx.mask = np.zeros_like(x)
            return x * ctx.mask
        if x.dtype in KERNEL_DTYPES and x.size >= KERNEL_MIN:  # mask and product in one pass
            x = np.ascontiguousarray(x)
            out = np.empty_like(x)
            ctx.mask = np.empty_like(x)
            kernels.dropout.apply_mask(x.reshape(-1), kernel_seed(), p, out.reshape(-1),
                                       ctx.mask.reshape(-1))
            return out
        ctx.mask = dropout_mask(x.shape, p, x.dtype)
        return x * ctx.mask

    def backward(ctx, g):
        return g * const(ctx.mask)


def dropout(input, p):
    return Dropout.apply(input, float(p))


dropout_ = unary_inplace(dropout, "dropout_")


# ---- channel (feature) dropout and alpha dropout ---------------------------------------------
_SELU_NEG_SATURATION = 1.7580993408473766  # -scale * alpha of SELU: its value at -inf, negated


class NoiseAffine(Op):
    """x * scale + shift with arrays `scale`, `shift` (shift may be None) that
    broadcast to x; the gradient is g * scale (linear in g)."""

    def forward(ctx, x, scale, shift):
        ctx.scale = scale
        out = x * scale
        if shift is not None:
            out += shift
        return out

    def backward(ctx, g):
        return g * const(ctx.scale)

    def fast_backward(ctx, g):
        return g * ctx.scale


def _keep(shape, p, dtype):
    """A 0/1 array of `shape` in `dtype`: 1 with probability 1 - p."""
    draw = dtype if dtype in (np.float32, np.float64) else np.float64
    return (generator().random(shape, dtype=draw) >= p).astype(dtype)


def _noise_shape(x, feature, batched=True):
    """One draw per element, or per (sample, channel) for feature dropout (per channel,
    dim 0, of unbatched input)."""
    if not feature:
        return x.shape
    lead = 2 if batched else 1
    return x.shape[:lead] + (1,) * (x.ndim - lead)


def _check_feature_input(input, feature, batched=True):
    """Feature dropout needs a channel dim (and the batch dim in front of it, unless unbatched)."""
    if feature and input.ndim < (2 if batched else 1):
        raise RuntimeError(f"Feature dropout requires at least 2 dimensions in the input (got shape "
                           f"{tuple(input.shape)}{'' if batched else ' as unbatched'})")


def feature_dropout(input, p, batched=True):
    """Zero whole channels (dim 1 of (N, C, *), or dim 0 of unbatched (C, *)) with
    probability p, scaling the rest by 1/(1-p)."""
    _check_feature_input(input, True, batched)
    dtype = input._data.dtype
    shape = _noise_shape(input._data, True, batched)
    if p == 1:
        scale = np.zeros(shape, dtype)
    else:
        scale = _keep(shape, p, dtype) * dtype.type(1 / (1 - p))
    return NoiseAffine.apply(input, scale, None)


def alpha_dropout(input, p, feature=False):
    """Dropout for SELU networks: dropped units take SELU's negative saturation value,
    then an affine map a x + b restores zero mean and unit variance (per element, or
    per channel when `feature`). p=1 gives zeros, as PyTorch."""
    _check_feature_input(input, feature)
    dtype = input._data.dtype
    shape = _noise_shape(input._data, feature)
    if p == 1:
        return NoiseAffine.apply(input, np.zeros(shape, dtype), None)
    keep = _keep(shape, p, dtype)
    alpha = _SELU_NEG_SATURATION
    a = 1 / np.sqrt((alpha * alpha * p + 1) * (1 - p))
    shift = (keep - 1) * dtype.type(alpha * a) + dtype.type(alpha * a * p)
    return NoiseAffine.apply(input, keep * dtype.type(a), shift)


feature_dropout_ = unary_inplace(feature_dropout, "feature_dropout_")
alpha_dropout_ = unary_inplace(alpha_dropout, "alpha_dropout_")
