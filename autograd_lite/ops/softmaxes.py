"""softmax and log_softmax along a dim, computed stably (max subtracted)."""
import numpy as np

from ..autograd.node import Op
from ._util import check_dim, float_operand, wide
from .elementwise import exp


class Softmax(Op):
    save_output = True

    @wide
    def forward(ctx, x, axis):
        ctx.axis = axis
        if x.ndim == 0:
            return np.ones_like(x)
        if x.size == 0:
            return x.copy()
        m = np.max(x, axis=axis, keepdims=True)
        e = np.exp(x - m)
        return e / np.sum(e, axis=axis, keepdims=True)

    def backward(ctx, g):
        y = ctx.saved_output
        if y.ndim == 0:
            return g * 0
        gy = g * y
        return gy - y * gy.sum(ctx.axis, keepdim=True)


class LogSoftmax(Op):
    save_output = True

    @wide
    def forward(ctx, x, axis):
        ctx.axis = axis
        if x.ndim == 0:
            return np.zeros_like(x)
        if x.size == 0:
            return x.copy()
        m = np.max(x, axis=axis, keepdims=True)
        s = x - m
        return s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))

    def backward(ctx, g):
        y = ctx.saved_output
        if y.ndim == 0:
            return g * 0
        return g - exp(y) * g.sum(ctx.axis, keepdim=True)


def _prepare(input, dim, dtype, op):
    x = float_operand(input, op)
    if dtype is not None:
        x = x.to(dtype)
    if dim is None:
        raise TypeError(f"{op}: dim must be given (implicit dim choice is deprecated in PyTorch)")
    return x, check_dim(dim, x.ndim, op)


def softmax(input, dim=None, dtype=None):
    x, axis = _prepare(input, dim, dtype, "softmax")
    return Softmax.apply(x, axis)


def log_softmax(input, dim=None, dtype=None):
    x, axis = _prepare(input, dim, dtype, "log_softmax")
    return LogSoftmax.apply(x, axis)
