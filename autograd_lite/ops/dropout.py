"""The dropout op: zero each element with probability p and scale the rest by
1/(1-p) (inverted dropout, as PyTorch). The mask comes from autograd_lite's global
generator, so `ag.manual_seed` makes it repeatable (the stream differs from PyTorch's)."""
import numpy as np

from ..autograd.node import Op
from ..random import generator
from ._util import const, wide
from .inplace import unary_inplace


class Dropout(Op):
    """x * mask, mask = keep / (1 - p); the gradient is g * mask (linear in g)."""

    @wide
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


def dropout(input, p):
    return Dropout.apply(input, float(p))


dropout_ = unary_inplace(dropout, "dropout_")
