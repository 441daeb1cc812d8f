"""The 3-D pooling ops (max, average, adaptive average and max, max unpooling) on
(N, C, D, H, W) input: ops/pool.py's twins with a depth axis, computed by
kernels/pool3d.py on volumes (N * C, D, H, W). nn.functional parses PyTorch's
arguments (unbatched input included).

As in 2-D, every op is linear in its tensor input once a max pool's argmax is fixed,
so each backward is the adjoint op and the adjoint's backward is the op again: max
pooling = gather at the argmax <-> scatter-add to it; average pooling <-> its
transpose. Second derivatives work as well. Indices are flat in each D * H * W volume.
"""
import numbers

import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ..kernels import lazy as kernels
from ._util import ShapeError, const, wide
from .pool import _out_size, check_window


def _volumes(a):
    """(N, C, D, H, W) -> (N * C, D, H, W) without a copy when contiguous."""
    return a.reshape((-1,) + a.shape[-3:])


# ---- max pooling: gather at the argmax and its adjoint ------------------------------------------------
class MaxPool3dGather(Op):
    """y = x at the flat indices `idx` of each D * H * W volume. `out` is the value
    when the caller already has it (the kernels compute both at once); `window`, the
    max pool's (kernel, stride, padding, dilation, ceil_mode), is kept for the ONNX
    export. `private`: idx came from the kernel and no one else holds it, so the
    backward's scatter needn't check its range."""

    @wide
    def forward(ctx, x, idx, out=None, window=None, private=False):
        ctx.idx, ctx.size, ctx.window, ctx.private = idx, x.shape[-3:], window, private
        if out is not None:
            return out
        n = x.shape[-3] * x.shape[-2] * x.shape[-1]
        flat = x.reshape(-1, n)
        vols = idx.reshape(flat.shape[0], idx.shape[-3] * idx.shape[-2] * idx.shape[-1])  # no -1: 0 volumes
        return np.take_along_axis(flat, vols, axis=1).reshape(idx.shape)

    def backward(ctx, g):
        return MaxPool3dScatter.apply(g, ctx.idx, ctx.size, ctx.private)


class MaxPool3dScatter(Op):
    """gx = g added into the flat indices `idx` of volumes of size `size` (max pool's
    gradient); `private` as for MaxPool3dGather."""

    @wide
    def forward(ctx, g, idx, size, private=False):
        ctx.idx, ctx.private = idx, private
        gx = kernels.pool3d.max_pool3d_backward(_volumes(g), _volumes(idx), size, checked=private)
        return gx.reshape(g.shape[:-3] + tuple(size))

    def backward(ctx, gg):
        return MaxPool3dGather.apply(gg, ctx.idx, None, None, ctx.private)


class AdaptiveMaxPool3dGather(MaxPool3dGather):
    """MaxPool3dGather as adaptive max pooling records it (its own class for the ONNX
    export: `window` is the output size)."""


class MaxUnpool3d(Op):
    """y = zeros of (N, C) + `size` with x written at the flat indices `idx` of each
    volume (a later index wins where two are equal, as PyTorch's CPU kernel); the
    gradient gathers at the indices. Raises RuntimeError for an index outside the
    volume, before anything is written."""

    save_inputs = (1,)  # the indices: a change in place is caught at backward

    def forward(ctx, x, idx, size):
        n_out = size[0] * size[1] * size[2]
        flat_idx = idx.reshape(-1)
        bad = (flat_idx < 0) | (flat_idx >= n_out)
        if bad.any():
            raise RuntimeError(f"max_unpool3d: Found an invalid max index: {flat_idx[np.argmax(bad)]} "
                               f"(output volumes are of size {size[0]}x{size[1]}x{size[2]})")
        vols = int(np.prod(x.shape[:-3], dtype=np.int64))
        n = x.shape[-3] * x.shape[-2] * x.shape[-1]  # no -1 in the reshapes: 0 volumes
        out = np.zeros((vols, n_out), x.dtype)
        out[np.arange(vols)[:, None], idx.reshape(vols, n)] = x.reshape(vols, n)
        return out.reshape(x.shape[:-3] + tuple(size))

    def backward(ctx, g):
        (idx,) = ctx.saved_tensors
        return MaxPool3dGather.apply(g, idx._data, None, None, False), None


# ---- average pooling ------------------------------------------------------------------------------
class AvgPool3d(Op):
    @wide
    def forward(ctx, x, params, out_size, ceil_mode=False):
        ctx.params, ctx.size, ctx.ceil_mode = params, x.shape[-3:], ceil_mode
        out = kernels.pool3d.avg_pool3d(_volumes(x), params[0], params[1], params[2], out_size, *params[3:])
        return out.reshape(x.shape[:-3] + tuple(out_size))

    def backward(ctx, g):
        return AvgPool3dGrad.apply(g, ctx.params, ctx.size)


class AvgPool3dGrad(Op):
    """The adjoint of 3-D average pooling: spreads g back over each window."""

    @wide
    def forward(ctx, g, params, size):
        ctx.params, ctx.out_size = params, g.shape[-3:]
        gx = kernels.pool3d.avg_pool3d_backward(_volumes(g), size, *params)
        return gx.reshape(g.shape[:-3] + tuple(size))

    def backward(ctx, gg):
        return AvgPool3d.apply(gg, ctx.params, ctx.out_size)


class AdaptiveAvgPool3d(Op):
    @wide
    def forward(ctx, x, out_size):
        ctx.size = x.shape[-3:]
        out = kernels.pool3d.adaptive_avg_pool3d(_volumes(x), out_size)
        return out.reshape(x.shape[:-3] + tuple(out_size))

    def backward(ctx, g):
        return AdaptiveAvgPool3dGrad.apply(g, ctx.size)


class AdaptiveAvgPool3dGrad(Op):
    @wide
    def forward(ctx, g, size):
        ctx.out_size = g.shape[-3:]
        gx = kernels.pool3d.adaptive_avg_pool3d_backward(_volumes(g), size)
        return gx.reshape(g.shape[:-3] + tuple(size))

    def backward(ctx, gg):
        return AdaptiveAvgPool3d.apply(gg, ctx.out_size)


# ---- checks and entry points (every argument validated before a kernel runs) ----------------------
def _output_size(x, k, s, p, d, ceil_mode, op):
    size = tuple(x.shape[-3:])
    out = tuple(_out_size(n, kk, ss, pp, dd, ceil_mode) for n, kk, ss, pp, dd in zip(size, k, s, p, d))
    if min(out) < 1:
        raise ShapeError(f"{op}: Given input size: {tuple(x.shape[1:])}. Calculated output size: "
                         f"{(x.shape[1],) + out}. Output size is too small")
    return out


def _kernel_volumes(x):
    """x's array as volumes, bfloat16 in float32 (the maxima are exact)."""
    vols = _volumes(x._data)
    return vols.astype(np.float32) if vols.dtype == _dtypes.bfloat16 else vols


def max_pool3d(x, k, s, p, d, ceil_mode, op="max_pool3d", return_indices=True):
    """Max pooling of (N, C, D, H, W) `x` with triples k, s, p, d: (values, the argmax
    of each window as a flat index into its D * H * W volume, or None without
    `return_indices`)."""
    check_window(k, s, p, d, op)
    out_size = _output_size(x, k, s, p, d, ceil_mode, op)
    out, idx = kernels.pool3d.max_pool3d(_kernel_volumes(x), k, s, p, d, out_size)
    shape = tuple(x.shape[:2]) + out_size
    out, idx = out.astype(x._data.dtype, copy=False).reshape(shape), idx.reshape(shape)
    y = MaxPool3dGather.apply(x, idx, out, (k, s, p, d, bool(ceil_mode)), not return_indices)
    return y, (const(idx) if return_indices else None)


def adaptive_max_pool3d(x, out_size, return_indices=True):
    """Max over the windows that tile the last three dims of (N, C, D, H, W) `x` into
    `out_size`: (values, the argmax of each window as a flat index into its volume, or
    None without `return_indices`). The gradient goes to the argmax (the first maximum
    of a window; the last NaN if it holds one)."""
    out_size = tuple(int(n) for n in out_size)
    out, idx = kernels.pool3d.adaptive_max_pool3d(_kernel_volumes(x), out_size)
    shape = tuple(x.shape[:-3]) + out_size
    out, idx = out.astype(x._data.dtype, copy=False).reshape(shape), idx.reshape(shape)
    y = AdaptiveMaxPool3dGather.apply(x, idx, out, out_size, not return_indices)
    return y, (const(idx) if return_indices else None)


def max_unpool3d(x, idx, size, op="max_unpool3d"):
    """The partial inverse of max pooling on (N, C, d, h, w) `x` and int64 `idx` of its
    shape (flat indices into volumes of `size`): zeros of (N, C) + size with x at the
    indices. Raises TypeError for a non-float x, RuntimeError for an index outside the
    output volume."""
    if x.dtype.kind != "f" and x.dtype != _dtypes.bfloat16:
        raise TypeError(f"{op}: \"max_unpool3d\" not implemented for '{x.dtype}'")
    size = tuple(int(n) for n in size)
    if min(size) < 0:
        raise ValueError(f"{op}: output_size must contain non-negative spatial dimensions, got {size}")
    return MaxUnpool3d.apply(x, idx, size)


def avg_pool3d(x, k, s, p, ceil_mode, count_include_pad, divisor_override, op="avg_pool3d"):
    """Average pooling of (N, C, D, H, W) `x`; padding counts as zeros, and in the
    divisor unless `count_include_pad` is false; `divisor_override` replaces the divisor."""
    check_window(k, s, p, (1, 1, 1), op)
    if divisor_override is not None and (not isinstance(divisor_override, numbers.Integral)
                                         or divisor_override == 0):
        raise ValueError(f"{op}: divisor must be not zero, got {divisor_override!r}")
    size = tuple(x.shape[-3:])
    if any(n < kk for n, kk in zip(size, k)):  # PyTorch's CPU avg_pool3d refuses these, padded or not
        raise ShapeError(f"{op}: input image (T: {size[0]} H: {size[1]} W: {size[2]}) smaller than kernel size "
                         f"(kT: {k[0]} kH: {k[1]} kW: {k[2]})")
    out_size = _output_size(x, k, s, p, (1, 1, 1), ceil_mode, op)
    return AvgPool3d.apply(x, (k, s, p, bool(count_include_pad), divisor_override), out_size, bool(ceil_mode))


def adaptive_avg_pool3d(x, out_size):
    """Average over windows that tile the last three dims of (N, C, D, H, W) `x` into
    `out_size`."""
    return AdaptiveAvgPool3d.apply(x, tuple(out_size))
