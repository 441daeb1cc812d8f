"""Max, average, adaptive-average and adaptive-max pooling and max unpooling (1-D, 2-D
and 3-D) with PyTorch's arguments; 1-D pooling runs as 2-D of height 1 in
autograd_lite.ops.pool, 3-D pooling in autograd_lite.ops.pool3d."""
import numbers

import numpy as np

import autograd_lite as ag

from autograd_lite.extend import ShapeError, int_tuple
from autograd_lite.ops import pool as pool_ops, pool3d as pool3d_ops
from autograd_lite.ops.shape import reshape

__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool2d",
           "adaptive_avg_pool1d", "max_unpool1d", "max_unpool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
           "max_pool3d", "avg_pool3d", "adaptive_avg_pool3d", "adaptive_max_pool3d", "max_unpool3d"]


def _as_4d(input, nd, op):
    """input as (N, C, H, W) (1-D: height 1; unbatched: N = 1) and a function
    that brings a result back to input's layout."""
    if input.ndim not in (nd + 1, nd + 2):
        raise ShapeError(f"{op}: Expected {nd + 1}D or {nd + 2}D input (unbatched or batched), got input of "
                         f"shape {tuple(input.shape)}")
    if input.dtype not in (np.float32, np.float64, ag.bfloat16):
        raise TypeError(f"{op}: expected a float32, float64 or bfloat16 input, got {input.dtype}")
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
    """(kernel, stride, padding, dilation) as pairs (1-D: height 1); stride defaults to
    the kernel size."""
    k = int_tuple(kernel_size, nd, "kernel_size", op)
    s = k if stride is None or (not isinstance(stride, numbers.Integral) and len(tuple(stride)) == 0) \
        else int_tuple(stride, nd, "stride", op)
    p = int_tuple(padding, nd, "padding", op)
    d = int_tuple(dilation, nd, "dilation", op)
    if nd == 1:
        k, s, p, d = (1,) + k, (1,) + s, (0,) + p, (1,) + d
    return k, s, p, d


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, nd, op):
    x, back = _as_4d(input, nd, op)
    k, s, p, d = _pool_geometry(kernel_size, stride, padding, dilation, nd, op)
    y, idx = pool_ops.max_pool2d(x, k, s, p, d, ceil_mode, op, return_indices)
    return (back(y), back(idx)) if return_indices else back(y)


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
    k, s, p, _ = _pool_geometry(kernel_size, stride, padding, 1, nd, op)
    return back(pool_ops.avg_pool2d(x, k, s, p, ceil_mode, count_include_pad, divisor_override, op))


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
    return back(pool_ops.adaptive_avg_pool2d(x, out_hw))


def adaptive_avg_pool1d(input, output_size):
    """Average over windows that tile L into `output_size`."""
    x, back = _as_4d(input, 1, "adaptive_avg_pool1d")
    out_hw = (1,) + _adaptive_size(output_size, tuple(x.shape), 1, "adaptive_avg_pool1d")
    return back(pool_ops.adaptive_avg_pool2d(x, out_hw))


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max over windows that tile (H, W) of (N, C, H, W) or (C, H, W) input into
    `output_size` (int, pair, None = keep); with `return_indices`, also the argmax of
    each window as a flat index into its H * W plane (what max_unpool2d takes). Raises
    ShapeError for input of another rank or with an empty channel or spatial dim,
    ValueError for a bad output_size."""
    x, back = _as_4d(input, 2, "adaptive_max_pool2d")
    out_hw = _adaptive_size(output_size, tuple(x.shape), 2, "adaptive_max_pool2d")
    y, idx = pool_ops.adaptive_max_pool2d(x, out_hw, return_indices)
    return (back(y), back(idx)) if return_indices else back(y)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max over windows that tile L of (N, C, L) or (C, L) input into `output_size`;
    with `return_indices`, also each window's argmax position (what max_unpool1d takes)."""
    x, back = _as_4d(input, 1, "adaptive_max_pool1d")
    out_hw = (1,) + _adaptive_size(output_size, tuple(x.shape), 1, "adaptive_max_pool1d")
    y, idx = pool_ops.adaptive_max_pool2d(x, out_hw, return_indices)
    return (back(y), back(idx)) if return_indices else back(y)


def _unpool_output_size(input, kernel_size, stride, padding, output_size):
    """PyTorch's unpooled size: (in - 1) * stride + kernel - 2 * padding per dim, or
    `output_size` (its last len(kernel_size) entries may follow N and C) within a stride
    of it."""
    nd = len(kernel_size)
    shape = tuple(input.shape)
    default = [(shape[-nd + d] - 1) * stride[d] + kernel_size[d] - 2 * padding[d] for d in range(nd)]
    if output_size is None:
        ret = default
    else:
        output_size = tuple(output_size)
        if len(output_size) == nd + 2:
            output_size = output_size[2:]
        if len(output_size) != nd:
            raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it "
                             f"has a length of '{len(output_size)}'")
        for d in range(nd):
            lo, hi = default[d] - stride[d], default[d] + stride[d]
            if not lo < output_size[d] < hi:
                raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between {lo} and {hi})')
        ret = [int(o) for o in output_size]
    for d in range(nd):
        if ret[d] < 0:
            raise ValueError("max_unpooling: output_size must contain non-negative spatial dimensions, but "
                             f"got output_size[{d}]={ret[d]}")
    return ret


def _max_unpool(input, indices, out_hw):
    """max_unpool2d's checks, in PyTorch's order, then the op on (N, C, h, w)."""
    if not isinstance(indices, ag.Tensor) or indices.dtype != np.int64:
        got = indices.dtype if isinstance(indices, ag.Tensor) else type(indices).__name__
        raise RuntimeError(f"elements in indices should be type int64 but got: {got}")
    if input.ndim not in (3, 4):
        raise RuntimeError("Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with "
                           f"{input.ndim} dimensions.")
    if tuple(input.shape) != tuple(indices.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: {list(indices.shape)}")
    shape = tuple(input.shape)
    for d in range(1, input.ndim) if input.ndim == 4 else range(input.ndim):
        if shape[d] == 0:
            raise RuntimeError(f"max_unpooling2d_forward_out_cpu(): Expected input to have non-zero size for "
                               f"non-batch dimensions, but got {list(shape)} with dimension {d} being empty.")
    if input.ndim == 3:
        y = pool_ops.max_unpool2d(reshape(input, (1,) + shape), reshape(indices, (1,) + shape), out_hw)
        return reshape(y, tuple(y.shape[1:]))
    return pool_ops.max_unpool2d(input, indices, out_hw)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool2d: zeros of (N, C, H_out, W_out) (or (C, H_out,
    W_out)) with `input`'s values at `indices` (max_pool2d's `return_indices`: int64
    flat indices into each H_out * W_out plane). H_out = (H_in - 1) * stride - 2 *
    padding + kernel_size, or `output_size` (within a stride of that). The gradient
    gathers at the indices. Raises ValueError for a bad output_size, RuntimeError for
    indices that aren't int64, don't match input's shape or fall outside the plane."""
    k = int_tuple(kernel_size, 2, "kernel_size", "max_unpool2d")
    s = k if stride is None else int_tuple(stride, 2, "stride", "max_unpool2d")
    p = int_tuple(padding, 2, "padding", "max_unpool2d")
    out_hw = _unpool_output_size(input, k, s, p, output_size)
    return _max_unpool(input, indices, out_hw)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool1d on (N, C, L) or (C, L): zeros of length
    L_out = (L_in - 1) * stride - 2 * padding + kernel_size (or `output_size`) with
    `input`'s values at `indices`; run as max_unpool2d of width 1, whose errors it
    raises."""
    k = int_tuple(kernel_size, 1, "kernel_size", "max_unpool1d")
    s = k if stride is None else int_tuple(stride, 1, "stride", "max_unpool1d")
    p = int_tuple(padding, 1, "padding", "max_unpool1d")
    out_len = _unpool_output_size(input, k, s, p, output_size)
    if not isinstance(indices, ag.Tensor):
        return _max_unpool(input, indices, out_len + [1])  # raises the dtype error
    y = _max_unpool(input.unsqueeze(-1), indices.unsqueeze(-1), out_len + [1])
    return y.squeeze(-1)


# ---- 3-D: (N, C, D, H, W) or unbatched (C, D, H, W) ------------------------------------------------
def _as_5d(input, op):
    """input as (N, C, D, H, W) (unbatched: N = 1) and a function that brings a result
    back to input's layout."""
    if input.ndim not in (4, 5):
        raise ShapeError(f"{op}: Expected 4D or 5D input (unbatched or batched), got input of shape "
                         f"{tuple(input.shape)}")
    if input.dtype not in (np.float32, np.float64, ag.bfloat16):
        raise TypeError(f"{op}: expected a float32, float64 or bfloat16 input, got {input.dtype}")
    shape = tuple(input.shape)
    if any(s == 0 for s in shape[-4:]):
        raise ShapeError(f"{op}: Expected input with non-zero spatial and channel sizes, got {shape}")
    if input.ndim == 5:
        return input, lambda t: t
    return reshape(input, (1,) + shape), lambda t: reshape(t, tuple(t.shape[1:]))


def _triples(kernel_size, stride, padding, dilation, op):
    """(kernel, stride, padding, dilation) as triples; stride defaults to the kernel size."""
    k = int_tuple(kernel_size, 3, "kernel_size", op)
    s = k if stride is None or (not isinstance(stride, numbers.Integral) and len(tuple(stride)) == 0) \
        else int_tuple(stride, 3, "stride", op)
    return k, s, int_tuple(padding, 3, "padding", op), int_tuple(dilation, 3, "dilation", op)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """3-D max pooling of (N, C, D, H, W) or (C, D, H, W) input; with `return_indices`,
    also the argmax of each window as a flat index into its D * H * W volume (what
    max_unpool3d takes). The first maximum in window order wins (a NaN wins). Raises
    ShapeError for input of another rank or an output size below 1, ValueError for bad
    geometry (padding above half the kernel)."""
    op = "max_pool3d"
    x, back = _as_5d(input, op)
    k, s, p, d = _triples(kernel_size, stride, padding, dilation, op)
    y, idx = pool3d_ops.max_pool3d(x, k, s, p, d, ceil_mode, op, return_indices)
    return (back(y), back(idx)) if return_indices else back(y)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """3-D average pooling of (N, C, D, H, W) or (C, D, H, W) input; padding counts as
    zeros, and in the divisor unless `count_include_pad=False`; `divisor_override`
    replaces the divisor."""
    op = "avg_pool3d"
    x, back = _as_5d(input, op)
    k, s, p, _ = _triples(kernel_size, stride, padding, 1, op)
    return back(pool3d_ops.avg_pool3d(x, k, s, p, ceil_mode, count_include_pad, divisor_override, op))


def adaptive_avg_pool3d(input, output_size):
    """Average over windows that tile (D, H, W) of (N, C, D, H, W) or (C, D, H, W) input
    into `output_size` (int, triple, None = keep)."""
    x, back = _as_5d(input, "adaptive_avg_pool3d")
    out = _adaptive_size(output_size, tuple(x.shape), 3, "adaptive_avg_pool3d")
    return back(pool3d_ops.adaptive_avg_pool3d(x, out))


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max over windows that tile (D, H, W) of (N, C, D, H, W) or (C, D, H, W) input
    into `output_size` (int, triple, None = keep); with `return_indices`, also the
    argmax of each window as a flat index into its D * H * W volume."""
    x, back = _as_5d(input, "adaptive_max_pool3d")
    out = _adaptive_size(output_size, tuple(x.shape), 3, "adaptive_max_pool3d")
    y, idx = pool3d_ops.adaptive_max_pool3d(x, out, return_indices)
    return (back(y), back(idx)) if return_indices else back(y)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """The partial inverse of max_pool3d: zeros of (N, C, D_out, H_out, W_out) (or
    unbatched) with `input`'s values at `indices` (max_pool3d's `return_indices`: int64
    flat indices into each volume). D_out = (D_in - 1) * stride - 2 * padding +
    kernel_size (likewise H, W), or `output_size` (within a stride of that). The
    gradient gathers at the indices. Raises ValueError for a bad output_size,
    RuntimeError for indices that aren't int64, don't match input's shape or fall
    outside the volume."""
    op = "max_unpool3d"
    k = int_tuple(kernel_size, 3, "kernel_size", op)
    s = k if stride is None else int_tuple(stride, 3, "stride", op)
    p = int_tuple(padding, 3, "padding", op)
    if min(s) < 1:
        raise RuntimeError(f"{op}: strides should be greater than zero, but got stride: {list(s)}")
    size = _unpool_output_size(input, k, s, p, output_size)
    if not isinstance(indices, ag.Tensor) or indices.dtype != np.int64:
        got = indices.dtype if isinstance(indices, ag.Tensor) else type(indices).__name__
        raise RuntimeError(f"elements in indices should be type int64 but got: {got}")
    if input.ndim not in (4, 5):
        raise RuntimeError("Input to max_unpooling3d should be a 4d or 5d Tensor, but got a tensor with "
                           f"{input.ndim} dimensions.")
    if tuple(input.shape) != tuple(indices.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: {list(indices.shape)}")
    shape = tuple(input.shape)
    for dim in range(1, 5) if input.ndim == 5 else range(4):
        if shape[dim] == 0:
            raise RuntimeError(f"max_unpooling3d_forward_out_cpu(): Expected input to have non-zero size for "
                               f"non-batch dimensions, but got {list(shape)} with dimension {dim} being empty.")
    if input.ndim == 4:
        y = pool3d_ops.max_unpool3d(reshape(input, (1,) + shape), reshape(indices, (1,) + shape), size)
        return reshape(y, tuple(y.shape[1:]))
    return pool3d_ops.max_unpool3d(input, indices, size)
