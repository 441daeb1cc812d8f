"""The pooling ops (max, average, adaptive average and max) on (N, C, H, W) input;
nn.functional parses PyTorch's arguments and runs 1-D pooling as 2-D of height 1.

Kernels (kernels/pool.py) work on planes (N * C, H, W). Every op here is linear in its tensor input once the max pool's argmax
is fixed, so backward is the adjoint op and the adjoint's backward is the op again:
max pooling = gather at the argmax <-> scatter-add to it; average pooling <-> its
transpose. Second derivatives therefore work as well.
"""
import numbers

import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ..kernels import lazy as kernels
from ._util import ShapeError, const, wide


def _planes(a):
    """(N, C, H, W) -> (N * C, H, W) without a copy when contiguous."""
    return a.reshape((-1,) + a.shape[-2:])


# ---- max pooling: gather at the argmax and its adjoint ------------------------------------------------
class MaxPoolGather(Op):
    """y = x at the flat indices `idx` of each plane. `out` is the value when the
    caller already has it (the max pool kernel computes both at once); `window`, the
    max pool's (kernel, stride, padding, dilation, ceil_mode), is kept for the ONNX
    export. `private`: idx came from the max pool kernel and no one else holds it (not
    returned to the user, who could change it), so the backward's scatter needn't
    check its range (two passes over it: ~24 us of a LeNet step)."""

    @wide
    def forward(ctx, x, idx, out=None, window=None, private=False):
        ctx.idx, ctx.hw, ctx.window, ctx.private = idx, x.shape[-2:], window, private
        if out is not None:
            return out
        flat = x.reshape(-1, x.shape[-2] * x.shape[-1])
        planes = idx.reshape(flat.shape[0], idx.shape[-2] * idx.shape[-1])  # no -1: 0 planes
        return np.take_along_axis(flat, planes, axis=1).reshape(idx.shape)

    def backward(ctx, g):
        return MaxPoolScatter.apply(g, ctx.idx, ctx.hw, ctx.private)


class MaxPoolScatter(Op):
    """gx = g added into the flat indices `idx` of planes of size `hw` (max pool's
    gradient); `private` as for MaxPoolGather."""

    @wide
    def forward(ctx, g, idx, hw, private=False):
        ctx.idx, ctx.private = idx, private
        gx = kernels.pool.max_pool2d_backward(_planes(g), _planes(idx), hw, checked=private)
        return gx.reshape(g.shape[:-2] + tuple(hw))

    def backward(ctx, gg):
        return MaxPoolGather.apply(gg, ctx.idx, None, None, ctx.private)


class AdaptiveMaxPoolGather(MaxPoolGather):
    """MaxPoolGather as adaptive max pooling records it (its own class for the ONNX
    export: `window` is the output size)."""


def _adaptive_bounds(n, m):
    """PyTorch's adaptive windows of n inputs into m outputs: [floor(i n / m), ceil((i + 1) n / m))."""
    return [((i * n) // m, -((-(i + 1) * n) // m)) for i in range(m)]


def _adaptive_argmax(planes, out_hw):
    """The flat index in its H * W plane of each adaptive window's maximum, for planes
    (P, H, W): the first maximum, or the last NaN where a window holds one (PyTorch's
    CPU rule)."""
    p, h, w = planes.shape
    idx = np.empty((p,) + tuple(out_hw), np.int64)
    for i, (h0, h1) in enumerate(_adaptive_bounds(h, out_hw[0])):
        for j, (w0, w1) in enumerate(_adaptive_bounds(w, out_hw[1])):
            win = planes[:, h0:h1, w0:w1].reshape(p, (h1 - h0) * (w1 - w0))  # no -1: 0 planes
            pos = np.argmax(win, axis=1) if p else np.zeros(0, np.int64)
            nan = np.isnan(win)
            has_nan = nan.any(axis=1)
            if has_nan.any():
                last = win.shape[1] - 1 - np.argmax(nan[:, ::-1], axis=1)
                pos = np.where(has_nan, last, pos)
            ww = w1 - w0
            idx[:, i, j] = (h0 + pos // ww) * w + w0 + pos % ww
    return idx


# ---- max unpooling: scatter to the indices, and its adjoint, the gather ------------------------------------
class MaxUnpool(Op):
    """y = zeros of (N, C) + `out_hw` with x written at the flat indices `idx` of each
    plane (a later index wins where two are equal, as PyTorch's CPU kernel); the
    gradient gathers at the indices (MaxPoolGather), as PyTorch's. Raises RuntimeError
    for an index outside the plane, before anything is written."""

    save_inputs = (1,)  # the indices: a change in place is caught at backward

    def forward(ctx, x, idx, out_hw):
        size = out_hw[0] * out_hw[1]
        flat_idx = idx.reshape(-1)
        bad = (flat_idx < 0) | (flat_idx >= size)
        if bad.any():
            raise RuntimeError(f"max_unpool2d: Found an invalid max index: {flat_idx[np.argmax(bad)]} "
                               f"(output volumes are of size {out_hw[0]}x{out_hw[1]})")
        planes = int(np.prod(x.shape[:-2], dtype=np.int64))
        n = x.shape[-2] * x.shape[-1]  # no -1 in the reshapes: 0 planes
        out = np.zeros((planes, size), x.dtype)
        out[np.arange(planes)[:, None], idx.reshape(planes, n)] = x.reshape(planes, n)
        return out.reshape(x.shape[:-2] + tuple(out_hw))

    def backward(ctx, g):
        (idx,) = ctx.saved_tensors
        return MaxPoolGather.apply(g, idx._data, None, None, False), None


# ---- average pooling ------------------------------------------------------------------------------
class AvgPool2d(Op):
    @wide
    def forward(ctx, x, params, out_hw, ceil_mode=False):
        ctx.params, ctx.hw, ctx.ceil_mode = params, x.shape[-2:], ceil_mode
        out = kernels.pool.avg_pool2d(_planes(x), params[0], params[1], params[2], out_hw, *params[3:])
        return out.reshape(x.shape[:-2] + tuple(out_hw))

    def backward(ctx, g):
        return AvgPool2dGrad.apply(g, ctx.params, ctx.hw)


class AvgPool2dGrad(Op):
    """The adjoint of average pooling: spreads g back over each window."""

    @wide
    def forward(ctx, g, params, hw):
        ctx.params, ctx.out_hw = params, g.shape[-2:]
        gx = kernels.pool.avg_pool2d_backward(_planes(g), hw, *params)
        return gx.reshape(g.shape[:-2] + tuple(hw))

    def backward(ctx, gg):
        return AvgPool2d.apply(gg, ctx.params, ctx.out_hw)


class AdaptiveAvgPool2d(Op):
    @wide
    def forward(ctx, x, out_hw):
        ctx.hw = x.shape[-2:]
        out = kernels.pool.adaptive_avg_pool2d(_planes(x), out_hw)
        return out.reshape(x.shape[:-2] + tuple(out_hw))

    def backward(ctx, g):
        return AdaptiveAvgPool2dGrad.apply(g, ctx.hw)


class AdaptiveAvgPool2dGrad(Op):
    @wide
    def forward(ctx, g, hw):
        ctx.out_hw = g.shape[-2:]
        gx = kernels.pool.adaptive_avg_pool2d_backward(_planes(g), hw)
        return gx.reshape(g.shape[:-2] + tuple(hw))

    def backward(ctx, gg):
        return AdaptiveAvgPool2d.apply(gg, ctx.out_hw)


# ---- checks and entry points (every argument validated before a kernel runs) ----------------------
def _out_size(size, k, s, p, d, ceil_mode):
    """PyTorch's pooling output size (a ceil-mode window must start inside the input
    or its left padding)."""
    eff = d * (k - 1) + 1
    num = size + 2 * p - eff + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def check_window(k, s, p, d, op):
    """Kernel, stride, padding and dilation pairs PyTorch accepts."""
    if min(k) < 1:
        raise ValueError(f"{op}: kernel_size must be greater than zero, got {k}")
    if min(s) < 1:
        raise ValueError(f"{op}: stride must be greater than zero, got {s}")
    if min(d) < 1:
        raise ValueError(f"{op}: dilation must be greater than zero, got {d}")
    if min(p) < 0 or any(pp > kk // 2 for pp, kk in zip(p, k)):
        raise ValueError(f"{op}: pad should be at most half of effective kernel size, but got pad={p}, "
                         f"kernel_size={k} and dilation={d}")


def _output_hw(x, k, s, p, d, ceil_mode, op):
    hw = tuple(x.shape[-2:])
    out = tuple(_out_size(n, kk, ss, pp, dd, ceil_mode) for n, kk, ss, pp, dd in zip(hw, k, s, p, d))
    if min(out) < 1:
        raise ShapeError(f"{op}: Given input size: {tuple(x.shape[1:])}. Calculated output size: "
                         f"{(x.shape[1],) + out}. Output size is too small")
    return out


def max_pool2d(x, k, s, p, d, ceil_mode, op="max_pool2d", return_indices=True):
    """Max pooling of (N, C, H, W) `x` with pairs k, s, p, d: (values, the argmax of
    each window as a flat index into its H * W plane, or None without
    `return_indices`)."""
    check_window(k, s, p, d, op)
    out_hw = _output_hw(x, k, s, p, d, ceil_mode, op)
    planes = _planes(x._data)
    if planes.dtype == _dtypes.bfloat16:  # the kernel takes float32; the maxima are exact
        planes = planes.astype(np.float32)
    out, idx = kernels.pool.max_pool2d(planes, k, s, p, d, out_hw)
    out = out.astype(x._data.dtype, copy=False)
    shape = tuple(x.shape[:2]) + out_hw
    idx = idx.reshape(shape)
    y = MaxPoolGather.apply(x, idx, out.reshape(shape), (k, s, p, d, bool(ceil_mode)), not return_indices)
    return y, (const(idx) if return_indices else None)


def adaptive_max_pool2d(x, out_hw, return_indices=True):
    """Max over the windows that tile the last two dims of (N, C, H, W) `x` into
    `out_hw` (adaptive_avg_pool2d's windows): (values, the argmax of each window as a
    flat index into its H * W plane, or None without `return_indices`). The gradient
    goes to the argmax (the first maximum of a window; the last NaN if it holds one)."""
    out_hw = tuple(int(n) for n in out_hw)
    planes = _planes(x._data)
    if planes.dtype == _dtypes.bfloat16:  # the maxima are exact in float32
        planes = planes.astype(np.float32)
    flat_idx = _adaptive_argmax(planes, out_hw)
    shape = tuple(x.shape[:-2]) + out_hw
    idx = flat_idx.reshape(shape)
    y = AdaptiveMaxPoolGather.apply(x, idx, None, out_hw, not return_indices)
    return y, (const(idx) if return_indices else None)


def max_unpool2d(x, idx, out_hw, op="max_unpool2d"):
    """The partial inverse of max pooling on (N, C, h, w) `x` and int64 `idx` of its
    shape (flat indices into planes of `out_hw`): zeros of (N, C) + out_hw with x at the
    indices. Raises TypeError for a non-float x, RuntimeError for int64-less or
    mis-shaped indices and for an index outside the output plane."""
    if x.dtype.kind != "f" and x.dtype != _dtypes.bfloat16:
        raise TypeError(f"{op}: \"max_unpool2d\" not implemented for '{x.dtype}'")
    out_hw = tuple(int(n) for n in out_hw)
    if min(out_hw) < 0:
        raise ValueError(f"{op}: output_size must contain non-negative spatial dimensions, got {out_hw}")
    return MaxUnpool.apply(x, idx, out_hw)


def avg_pool2d(x, k, s, p, ceil_mode, count_include_pad, divisor_override, op="avg_pool2d"):
    """Average pooling of (N, C, H, W) `x`; padding counts as zeros, and in the divisor
    unless `count_include_pad` is false; `divisor_override` replaces the divisor."""
    check_window(k, s, p, (1, 1), op)
    if divisor_override is not None and (not isinstance(divisor_override, numbers.Integral)
                                         or divisor_override == 0):
        raise ValueError(f"{op}: divisor must be not zero, got {divisor_override!r}")
    out_hw = _output_hw(x, k, s, p, (1, 1), ceil_mode, op)
    return AvgPool2d.apply(x, (k, s, p, bool(count_include_pad), divisor_override), out_hw, bool(ceil_mode))


def adaptive_avg_pool2d(x, out_hw):
    """Average over windows that tile the last two dims of (N, C, H, W) `x` into `out_hw`."""
    return AdaptiveAvgPool2d.apply(x, tuple(out_hw))
