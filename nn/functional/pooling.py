"""Max, average and adaptive-average pooling (1-D and 2-D), with PyTorch's arguments.

Kernels (kernels/pool.py) work on planes (N * C, H, W); 1-D pooling is 2-D pooling
of height 1. Every op here is linear in its tensor input once the max pool's argmax
is fixed, so backward is the adjoint op and the adjoint's backward is the op again:
max pooling = gather at the argmax <-> scatter-add to it; average pooling <-> its
transpose. Second derivatives therefore work as well.
"""
import numbers

import numpy as np

from autograd_lite.autograd.node import Op
from autograd_lite.kernels import lazy as _kernels
from autograd_lite.ops._util import ShapeError, const, int_tuple as _tuple
from autograd_lite.ops.shape import reshape

__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool2d",
           "adaptive_avg_pool1d"]


def _planes(a):
    """(N, C, H, W) -> (N * C, H, W) without a copy when contiguous."""
    return a.reshape((-1,) + a.shape[-2:])


# ---- max pooling: gather at the argmax and its adjoint ------------------------------------------------
class MaxPoolGather(Op):
    """y = x at the flat indices `idx` of each plane. `out` is the value when the
    caller already has it (the max pool kernel computes both at once)."""

    def forward(ctx, x, idx, out=None):
        ctx.idx, ctx.hw = idx, x.shape[-2:]
        if out is not None:
            return out
        flat = x.reshape(-1, x.shape[-2] * x.shape[-1])
        return np.take_along_axis(flat, idx.reshape(flat.shape[0], -1), axis=1).reshape(idx.shape)

    def backward(ctx, g):
        return MaxPoolScatter.apply(g, ctx.idx, ctx.hw)


class MaxPoolScatter(Op):
    """gx = g added into the flat indices `idx` of planes of size `hw` (max pool's
    gradient)."""

    def forward(ctx, g, idx, hw):
        ctx.idx = idx
        gx = _kernels.pool.max_pool2d_backward(_planes(g), _planes(idx), hw)
        return gx.reshape(g.shape[:-2] + tuple(hw))

    def backward(ctx, gg):
        return MaxPoolGather.apply(gg, ctx.idx)


# ---- average pooling ------------------------------------------------------------------------------
class AvgPool2d(Op):
    def forward(ctx, x, params, out_hw):
        ctx.params, ctx.hw = params, x.shape[-2:]
        out = _kernels.pool.avg_pool2d(_planes(x), params[0], params[1], params[2], out_hw, *params[3:])
        return out.reshape(x.shape[:-2] + tuple(out_hw))

    def backward(ctx, g):
        return AvgPool2dGrad.apply(g, ctx.params, ctx.hw)


class AvgPool2dGrad(Op):
    """The adjoint of average pooling: spreads g back over each window."""

    def forward(ctx, g, params, hw):
        ctx.params, ctx.out_hw = params, g.shape[-2:]
        gx = _kernels.pool.avg_pool2d_backward(_planes(g), hw, *params)
        return gx.reshape(g.shape[:-2] + tuple(hw))

    def backward(ctx, gg):
        return AvgPool2d.apply(gg, ctx.params, ctx.out_hw)


class AdaptiveAvgPool2d(Op):
    def forward(ctx, x, out_hw):
        ctx.hw = x.shape[-2:]
        out = _kernels.pool.adaptive_avg_pool2d(_planes(x), out_hw)
        return out.reshape(x.shape[:-2] + tuple(out_hw))

    def backward(ctx, g):
        return AdaptiveAvgPool2dGrad.apply(g, ctx.hw)


class AdaptiveAvgPool2dGrad(Op):
    def forward(ctx, g, hw):
        ctx.out_hw = g.shape[-2:]
        gx = _kernels.pool.adaptive_avg_pool2d_backward(_planes(g), hw)
        return gx.reshape(g.shape[:-2] + tuple(hw))

    def backward(ctx, gg):
        return AdaptiveAvgPool2d.apply(gg, ctx.out_hw)


# ---- argument handling --------------------------------------------------------------------------------
def _out_size(size, k, s, p, d, ceil_mode):
    """PyTorch's pooling output size (a ceil-mode window must start inside the input
    or its left padding)."""
    eff = d * (k - 1) + 1
    num = size + 2 * p - eff + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _as_4d(input, nd, op):
    """input as (N, C, H, W) (1-D: height 1; unbatched: N = 1) and a function
    that brings a result back to input's layout."""
    if input.ndim not in (nd + 1, nd + 2):
        raise ShapeError(f"{op}: Expected {nd + 1}D or {nd + 2}D input (unbatched or batched), got input of "
                         f"shape {tuple(input.shape)}")
    if input.dtype not in (np.float32, np.float64):
        raise TypeError(f"{op}: expected a float32 or float64 input, got {input.dtype}")
    shape = tuple(input.shape)
    lead = shape[:-nd]
    if any(s == 0 for s in shape[-nd:]) or (input.ndim == nd + 2 and shape[1] == 0):
        raise ShapeError(f"{op}: Expected input with non-zero spatial and channel sizes, got {shape}")
    spatial = shape[-nd:] if nd == 2 else (1,) + shape[-1:]
    c_lead = (1,) * (2 - len(lead)) + lead
    x = reshape(input, c_lead + spatial)

    def back(t):
        out_sp = tuple(t.shape[-nd:])
        return t if t.shape == lead + out_sp else reshape(t, lead + out_sp)

    return x, back


def _pool_geometry(kernel_size, stride, padding, dilation, nd, op):
    k = _tuple(kernel_size, nd, "kernel_size", op)
    s = k if stride is None or (not isinstance(stride, numbers.Integral) and len(tuple(stride)) == 0) \
        else _tuple(stride, nd, "stride", op)
    p = _tuple(padding, nd, "padding", op)
    d = _tuple(dilation, nd, "dilation", op)
    if min(k) < 1:
        raise ValueError(f"{op}: kernel_size must be greater than zero, got {k}")
    if min(s) < 1:
        raise ValueError(f"{op}: stride must be greater than zero, got {s}")
    if min(d) < 1:
        raise ValueError(f"{op}: dilation must be greater than zero, got {d}")
    if min(p) < 0 or any(pp > kk // 2 for pp, kk in zip(p, k)):
        raise ValueError(f"{op}: pad should be at most half of effective kernel size, but got pad={p}, "
                         f"kernel_size={k} and dilation={d}")
    if nd == 1:
        k, s, p, d = (1,) + k, (1,) + s, (0,) + p, (1,) + d
    return k, s, p, d


def _output_hw(x, k, s, p, d, ceil_mode, op):
    hw = tuple(x.shape[-2:])
    out = tuple(_out_size(n, kk, ss, pp, dd, ceil_mode) for n, kk, ss, pp, dd in zip(hw, k, s, p, d))
    if min(out) < 1:
        raise ShapeError(f"{op}: Given input size: {tuple(x.shape[1:])}. Calculated output size: "
                         f"{(x.shape[1],) + out}. Output size is too small")
    return out


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, nd, op):
    x, back = _as_4d(input, nd, op)
    k, s, p, d = _pool_geometry(kernel_size, stride, padding, dilation, nd, op)
    out_hw = _output_hw(x, k, s, p, d, ceil_mode, op)
    out, idx = _kernels.pool.max_pool2d(_planes(x._data), k, s, p, d, out_hw)
    shape = tuple(x.shape[:2]) + out_hw
    idx = idx.reshape(shape)
    y = back(MaxPoolGather.apply(x, idx, out.reshape(shape)))
    if return_indices:
        return y, back(const(idx))
    return y


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """2-D max pooling of (N, C, H, W) or (C, H, W) input; with `return_indices`,
    also the argmax of each window as a flat index into its H * W plane."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2,
                     "max_pool2d")


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """1-D max pooling of (N, C, L) or (C, L) input."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1,
                     "max_pool1d")


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, nd, op):
    x, back = _as_4d(input, nd, op)
    k, s, p, d = _pool_geometry(kernel_size, stride, padding, 1, nd, op)
    if divisor_override is not None and (not isinstance(divisor_override, numbers.Integral)
                                         or divisor_override == 0):
        raise ValueError(f"{op}: divisor must be not zero, got {divisor_override!r}")
    out_hw = _output_hw(x, k, s, p, d, ceil_mode, op)
    params = (k, s, p, bool(count_include_pad), divisor_override)
    return back(AvgPool2d.apply(x, params, out_hw))


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2-D average pooling; padding counts as zeros, and in the divisor unless
    `count_include_pad=False`; `divisor_override` replaces the divisor."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2,
                     "avg_pool2d")


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-D average pooling of (N, C, L) or (C, L) input."""
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1,
                     "avg_pool1d")


def _adaptive_size(output_size, hw, nd, op):
    if isinstance(output_size, numbers.Integral) or output_size is None:
        output_size = (output_size,) * nd
    output_size = tuple(output_size)
    if len(output_size) != nd:
        raise ValueError(f"{op}: output_size must be an int or {nd} ints, got {output_size!r}")
    out = tuple(int(n) if o is None else o for o, n in zip(output_size, hw[-nd:]))
    if not all(isinstance(o, numbers.Integral) and o >= 1 for o in out):
        raise ValueError(f"{op}: output_size must be positive ints (or None), got {output_size!r}")
    return tuple(int(o) for o in out)


def adaptive_avg_pool2d(input, output_size):
    """Average over windows that tile (H, W) into `output_size` (int, pair, None = keep)."""
    x, back = _as_4d(input, 2, "adaptive_avg_pool2d")
    out_hw = _adaptive_size(output_size, tuple(x.shape), 2, "adaptive_avg_pool2d")
    return back(AdaptiveAvgPool2d.apply(x, out_hw))


def adaptive_avg_pool1d(input, output_size):
    """Average over windows that tile L into `output_size`."""
    x, back = _as_4d(input, 1, "adaptive_avg_pool1d")
    out_hw = (1,) + _adaptive_size(output_size, tuple(x.shape), 1, "adaptive_avg_pool1d")
    return back(AdaptiveAvgPool2d.apply(x, out_hw))
