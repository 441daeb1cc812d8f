"""dropout: zero each element with probability p and scale the rest by 1/(1-p)
(inverted dropout, as PyTorch). The mask comes from autograd_lite's global generator,
so `ag.manual_seed` makes it repeatable (the stream differs from PyTorch's)."""
import numpy as np

from autograd_lite.autograd.node import Op
from autograd_lite.ops._util import const
from autograd_lite.ops.inplace import _unary_inplace
from autograd_lite.random import generator

__all__ = ["dropout"]


class Dropout(Op):
    """x * mask, mask = keep / (1 - p); the gradient is g * mask (linear in g)."""

    def forward(ctx, x, p):
        if p == 1:
            ctx.mask = np.zeros_like(x)
        else:
            dtype = x.dtype if x.dtype in (np.float32, np.float64) else np.float64
            keep = generator().random(x.shape, dtype=dtype) >= p
            ctx.mask = keep.astype(x.dtype) * x.dtype.type(1 / (1 - p))
        return x * ctx.mask

    def backward(ctx, g):
        return g * const(ctx.mask)


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout(input, p):
    return Dropout.apply(input, float(p))


_dropout_inplace = _unary_inplace(_dropout, "dropout_")


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero elements with probability `p` when `training`; the identity otherwise."""
    _check_p(p)
    if not training or p == 0:
        return input
    if input.dtype.kind != "f":
        raise RuntimeError(f"dropout: expected a floating point tensor, got {input.dtype}")
    if inplace:
        return _dropout_inplace(input, p)
    return _dropout(input, p)
