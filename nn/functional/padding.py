"""pad: constant (any dims, negative pads crop), reflect, replicate and circular (the
last one, two or three dims), with PyTorch's argument order (last dim first).

Constant padding is a linear map whose adjoint is constant padding by the negated
widths (a crop), so one op covers both directions. The other modes gather each
output pixel from one input pixel (IndexGather2d, shared with interpolate); over
three dims, a gather of the last two then one of the depth, with (H, W) flattened.
"""
import numbers

import numpy as np

from autograd_lite.autograd.node import Op
from autograd_lite.ops._util import ShapeError
from autograd_lite.ops.shape import reshape

from .upsampling import IndexGather2d

__all__ = ["pad"]


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


_MODE_DIMS = {1: (2, 3), 2: (3, 4), 3: (4, 5)}


def pad(input, pad, mode="constant", value=None):
    """Pad the last len(pad) // 2 dims: pad = (left, right, top, bottom, ...)."""
    pad = tuple(pad)
    if len(pad) % 2 or not all(isinstance(p, numbers.Integral) for p in pad):
        raise ValueError(f"pad: Padding length must be divisible by 2 and made of ints, got {pad!r}")
    k = len(pad) // 2
    if k > input.ndim:
        raise ValueError(f"pad: Padding length should be less than or equal to two times the input "
                         f"dimension but got padding length {len(pad)} and input of dimension {input.ndim}")
    pairs = [(int(pad[2 * i]), int(pad[2 * i + 1])) for i in range(k)][::-1]  # first padded dim first
    if mode == "constant":
        widths = ((0, 0),) * (input.ndim - k) + tuple(pairs)
        for n, (a, b) in zip(input.shape, widths):
            if n + a + b < 0:
                raise ShapeError(f"pad: The input size {n}, plus negative padding {a} and {b} resulted in a "
                                 f"negative output size, which is invalid. Check dimension of your input.")
        fill = 0 if value is None else value
        return ConstantPad.apply(input, widths, fill)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"pad: mode {mode!r} is not implemented (constant, reflect, replicate, "
                                  f"circular)")
    if value:
        raise ValueError(f"pad: Padding mode \"{mode}\" doesn't take in value argument.")
    if k not in _MODE_DIMS or input.ndim not in _MODE_DIMS[k]:
        raise NotImplementedError(
            f"pad: Padding size {len(pad)} is not supported for {input.ndim}D input tensor (mode {mode!r}).\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    if input.dtype not in (np.float32, np.float64):
        raise TypeError(f"pad: mode {mode!r} expects a float32 or float64 input, got {input.dtype}")
    dims = input.shape[input.ndim - k:]
    for d, n, (a, b) in zip(range(input.ndim - k, input.ndim), dims, pairs):
        if a < 0 or b < 0:
            raise ValueError(f"pad: negative padding {pad} is not supported with mode {mode!r}")
        if mode == "reflect" and (a >= n or b >= n):
            raise ShapeError(f"pad: Padding size should be less than the corresponding input dimension, but got: "
                             f"padding ({a}, {b}) at dimension {d} of input {list(input.shape)}")
        if mode == "circular" and (a > n or b > n):
            raise ShapeError(f"pad: Padding value causes wrapping around more than once (padding ({a}, {b}) at "
                             f"dimension {d} of input {list(input.shape)})")
        if n == 0:
            raise ShapeError(f"pad: mode {mode!r} needs a non-empty dimension {d}, input {list(input.shape)}")
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
