"""The padding ops: constant (any dims, negative widths crop), reflect, replicate and
circular (the last one, two or three dims); nn.functional.pad checks the arguments.

Constant padding is a linear map whose adjoint is constant padding by the negated
widths (a crop), so one op covers both directions. The other modes gather each
output pixel from one input pixel (IndexGather2d, shared with interpolate); over
three dims, a gather of the last two then one of the depth, with (H, W) flattened.
"""
import numpy as np

from ..autograd.node import Op
from .resample import IndexGather2d
from .shape import reshape


class ConstantPad(Op):
    """Pad (or crop, for negative widths) each dim by `widths` [(before, after), ...]
    filling with `value`."""

    def forward(ctx, x, widths, value):
        ctx.widths = widths
        out_shape = tuple(n + a + b for n, (a, b) in zip(x.shape, widths))
        out = np.full(out_shape, value, x.dtype)
        src, dst = [], []
        for n, (a, b) in zip(x.shape, widths):
            src.append(slice(max(-a, 0), n - max(-b, 0)))
            dst.append(slice(max(a, 0), max(a, 0) + max(n - max(-a, 0) - max(-b, 0), 0)))
        out[tuple(dst)] = x[tuple(src)]
        return out

    def backward(ctx, g):
        return ConstantPad.apply(g, tuple((-a, -b) for a, b in ctx.widths), 0)


def _source_index(n, before, after, mode):
    """For each of the n + before + after output positions, its source in [0, n)."""
    j = np.arange(-before, n + after, dtype=np.int64)
    if mode == "replicate":
        return np.clip(j, 0, n - 1)
    if mode == "circular":
        return j % n
    j = np.abs(j)  # reflect, edge not repeated
    return np.where(j > n - 1, 2 * (n - 1) - j, j)


def constant_pad(input, widths, value):
    """Pad (or crop) every dim by `widths` [(before, after), ...] with `value`."""
    return ConstantPad.apply(input, widths, value)


def index_pad(input, pairs, mode):
    """Pad the last len(pairs) (1 to 3) dims by (before, after) `pairs` in mode
    'reflect', 'replicate' or 'circular' (widths already checked against the sizes)."""
    k = len(pairs)
    dims = input.shape[input.ndim - k:]
    idx = [_source_index(n, a, b, mode) for n, (a, b) in zip(dims, pairs)]
    if k == 1:
        x = reshape(input, tuple(input.shape[:-1]) + (1, input.shape[-1]))
        out = IndexGather2d.apply(x, np.zeros(1, np.int64), idx[0])
        return reshape(out, tuple(input.shape[:-1]) + (idx[0].size,))
    if k == 2:
        return IndexGather2d.apply(input, idx[0], idx[1])
    out = IndexGather2d.apply(input, idx[1], idx[2])  # (..., D, H', W')
    lead, hw = tuple(out.shape[:-3]), tuple(out.shape[-2:])
    flat = reshape(out, lead + (dims[0], hw[0] * hw[1]))
    out = IndexGather2d.apply(flat, idx[0], np.arange(hw[0] * hw[1], dtype=np.int64))
    return reshape(out, lead + (idx[0].size,) + hw)
