"""Scans beyond cumsum/cumprod (ops/reduce.py): cummax and cummin (values and the
index they came from) and logcumsumexp."""
from collections import namedtuple

import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ._util import as_tensor, check_dim, const, wide
from .creation import clone
from .index import gather

cummax_result = namedtuple("cummax", ["values", "indices"])
cummin_result = namedtuple("cummin", ["values", "indices"])


def _running_extreme(input, dim, is_max):
    op = "cummax" if is_max else "cummin"
    input = as_tensor(input, op)
    x = input._data
    axis = check_dim(dim, x.ndim, op)
    result = cummax_result if is_max else cummin_result
    if x.ndim == 0:
        return result(clone(input), const(np.zeros((), np.int64)))
    running = (np.maximum if is_max else np.minimum).accumulate(x, axis=axis)
    # The index of the running extreme is the last position (up to here) that holds it,
    # as PyTorch's (a tie moves it on); a NaN holds it from there on.
    hit = x == running
    if _dtypes.is_floating(x.dtype):
        hit |= np.isnan(x)
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    positions = np.arange(x.shape[axis]).reshape(shape)
    idx = np.maximum.accumulate(np.where(hit, positions, 0), axis=axis).astype(np.int64)
    index = const(idx)
    return result(gather(input, axis, index), index)


def cummax(input, dim):
    """(running maximum along `dim`, the index it was taken from)."""
    return _running_extreme(input, dim, True)


def cummin(input, dim):
    """(running minimum along `dim`, the index it was taken from)."""
    return _running_extreme(input, dim, False)


# ---- logcumsumexp ----------------------------------------------------------------------
# With y = logcumsumexp(x), dy_i/dx_j = exp(x_j - y_i) for j <= i. The backward and its own
# derivatives are two weighted scans, each computed in log space (the weights split in
# positive and negative parts) so nothing overflows:
#   forward-weighted  F(h)_i = sum_{j<=i} h_j exp(x_j - y_i)
#   backward-weighted B(g)_j = sum_{i>=j} g_i exp(x_j - y_i)   (F's transpose)
def _lcse(v, axis):
    return np.logaddexp.accumulate(v, axis=axis)


def _reverse_lcse(v, axis):
    return np.flip(np.logaddexp.accumulate(np.flip(v, axis), axis=axis), axis)


def _signed_parts(w):
    with np.errstate(divide="ignore"):
        return np.log(np.maximum(w, 0)), np.log(np.maximum(-w, 0))


def _forward_weighted(x, y, h, axis):
    pos, neg = _signed_parts(h)
    with np.errstate(invalid="ignore", over="ignore"):
        return np.exp(_lcse(x + pos, axis) - y) - np.exp(_lcse(x + neg, axis) - y)


def _backward_weighted(x, y, g, axis):
    pos, neg = _signed_parts(g)
    with np.errstate(invalid="ignore", over="ignore"):
        return np.exp(x + _reverse_lcse(pos - y, axis)) - np.exp(x + _reverse_lcse(neg - y, axis))


class LogCumSumExp(Op):
    save_inputs = (0,)
    save_output = True

    @wide  # bfloat16 accumulates in float32, as PyTorch's CPU scan
    def forward(ctx, x, axis):
        ctx.axis = axis
        return _lcse(x, axis)

    def backward(ctx, g):
        return BackwardWeighted.apply(ctx.saved_tensors[0], ctx.saved_output, g, ctx.axis)


def _backward_weighted_bf16(x, y, g, axis):
    """B(g) on bfloat16 as PyTorch's logcumsumexp backward computes it: op by op, each
    result rounded to bfloat16 (at magnitudes of hundreds, where a bfloat16 step is 2
    or 4, the roundings decide the result), the scan itself accumulating in float32."""
    def scan(v):
        return _dtypes.cast(_reverse_lcse(v.astype(np.float32), axis), _dtypes.bfloat16)

    pos, neg = _signed_parts(g)
    with np.errstate(invalid="ignore", over="ignore"):
        return np.exp(scan(pos - y) + x) - np.exp(scan(neg - y) + x)


class BackwardWeighted(Op):
    """B(g) for x, y = logcumsumexp(x); differentiable in all three."""

    save_inputs = (0, 1, 2)
    save_output = True

    def forward(ctx, x, y, g, axis):
        ctx.axis = axis
        if x.dtype is _dtypes.bfloat16:
            return _backward_weighted_bf16(x, y, g, axis)
        return _backward_weighted(x, y, g, axis)

    def backward(ctx, gg):
        x, y, g = ctx.saved_tensors
        ex, ey, eg = ctx.next_functions[:3]
        f = ForwardWeighted.apply(x, y, gg, ctx.axis) if ey is not None or eg is not None else None
        return (gg * ctx.saved_output if ex is not None else None,
                -(g * f) if ey is not None else None,
                f if eg is not None else None)


class ForwardWeighted(Op):
    """F(h) for x, y = logcumsumexp(x); differentiable in all three."""

    save_inputs = (0, 1, 2)
    save_output = True

    @wide
    def forward(ctx, x, y, h, axis):
        ctx.axis = axis
        return _forward_weighted(x, y, h, axis)

    def backward(ctx, gg):
        x, y, h = ctx.saved_tensors
        ex, ey, eh = ctx.next_functions[:3]
        b = BackwardWeighted.apply(x, y, gg, ctx.axis) if ex is not None or eh is not None else None
        return (h * b if ex is not None else None,
                -(gg * ctx.saved_output) if ey is not None else None,
                b if eh is not None else None)


def logcumsumexp(input, dim):
    """log(cumsum(exp(input))) along `dim`, without overflow (float tensors only)."""
    input = as_tensor(input, "logcumsumexp")
    x = input._data
    if not _dtypes.is_floating(x.dtype):
        raise NotImplementedError(f"logcumsumexp: not implemented for {x.dtype} tensors")
    axis = check_dim(dim, x.ndim, "logcumsumexp")
    if x.ndim == 0:
        return clone(input)
    return LogCumSumExp.apply(input, axis)
