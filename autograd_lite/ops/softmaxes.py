"""softmax and log_softmax along a dim, computed stably (max subtracted)."""
import numpy as np

from ..autograd.node import Op
from ._util import check_dim, float_operand, wide, wide_function
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
        return SoftmaxGrad.apply(g, ctx.saved_output, ctx.axis)

    def fast_backward(ctx, g):
        return _softmax_grad(g, ctx.saved_output_data, ctx.axis)


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
        return LogSoftmaxGrad.apply(g, ctx.saved_output, ctx.axis)

    def fast_backward(ctx, g):
        return _log_softmax_grad(g, ctx.saved_output_data, ctx.axis)


# The gradients are ops of their own, fused as PyTorch's softmax_backward_data: bfloat16
# runs them in float32 and rounds once (op by op, the sum's subtraction would cancel
# in bfloat16); their backward makes them differentiable again.
@wide_function
def _softmax_grad(g, y, axis):
    if y.ndim == 0:
        return g * 0
    gy = g * y
    return gy - y * gy.sum(axis=axis, keepdims=True)


@wide_function
def _log_softmax_grad(g, y, axis):
    if y.ndim == 0:
        return g * 0
    return g - np.exp(y) * g.sum(axis=axis, keepdims=True)


class SoftmaxGrad(Op):
    """g * y - y * sum(g * y) for y = softmax(x): the gradient of softmax."""

    save_inputs = (0, 1)

    def forward(ctx, g, y, axis):
        ctx.axis = axis
        return _softmax_grad(g, y, axis)

    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        eg, ey = ctx.next_functions[:2]
        axis = ctx.axis
        if y.ndim == 0:
            return (gg * 0 if eg is not None else None), (gg * 0 if ey is not None else None)
        gg_g = SoftmaxGrad.apply(gg, y, axis) if eg is not None else None
        gg_y = None
        if ey is not None:
            gg_y = gg * (g - (g * y).sum(axis, keepdim=True)) - g * (gg * y).sum(axis, keepdim=True)
        return gg_g, gg_y


class LogSoftmaxGrad(Op):
    """g - exp(y) * sum(g) for y = log_softmax(x): the gradient of log_softmax."""

    save_inputs = (0, 1)

    def forward(ctx, g, y, axis):
        ctx.axis = axis
        return _log_softmax_grad(g, y, axis)

    def backward(ctx, gg):
        g, y = ctx.saved_tensors
        eg, ey = ctx.next_functions[:2]
        axis = ctx.axis
        if y.ndim == 0:
            return (gg * 0 if eg is not None else None), (gg * 0 if ey is not None else None)
        p = exp(y)
        gg_g = gg - (gg * p).sum(axis, keepdim=True) if eg is not None else None
        gg_y = -(gg * p) * g.sum(axis, keepdim=True) if ey is not None else None
        return gg_g, gg_y


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
