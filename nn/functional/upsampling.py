"""interpolate (modes 'nearest' and 'nearest-exact') and the index-gather ops it
shares with the non-constant paddings.

Nearest-neighbour resizing picks, for each output row and column, one source row
and column; the indices follow PyTorch's CPU formulas bit for bit
(src = min(floor(dst * scale), in - 1), scale = 1 / scale_factor or in / out).
"""
import math
import numbers

import numpy as np

from autograd_lite.autograd.node import Op
from autograd_lite.kernels import lazy as _kernels
from autograd_lite.ops._util import ShapeError
from autograd_lite.ops.shape import reshape

__all__ = ["interpolate", "upsample", "upsample_nearest"]


class IndexGather2d(Op):
    """y[..., i, j] = x[..., rows[i], cols[j]] over the last two dims."""

    def forward(ctx, x, rows, cols):
        ctx.rows, ctx.cols, ctx.hw = rows, cols, x.shape[-2:]
        out = _kernels.resample.gather2d(x.reshape((-1,) + x.shape[-2:]), rows, cols)
        return out.reshape(x.shape[:-2] + out.shape[1:])

    def backward(ctx, g):
        return IndexScatter2d.apply(g, ctx.rows, ctx.cols, ctx.hw)


class IndexScatter2d(Op):
    """The adjoint of IndexGather2d: adds g back to the source pixels (size `hw`)."""

    def forward(ctx, g, rows, cols, hw):
        ctx.rows, ctx.cols = rows, cols
        gx = _kernels.resample.scatter2d(g.reshape((-1,) + g.shape[-2:]), rows, cols, hw)
        return gx.reshape(g.shape[:-2] + tuple(hw))

    def backward(ctx, gg):
        return IndexGather2d.apply(gg, ctx.rows, ctx.cols)


def gather2d(x, rows, cols):
    """IndexGather2d on a tensor of 2 or more dims (1-D data: pass rows=[0] on a unit dim)."""
    return IndexGather2d.apply(x, np.asarray(rows, np.int64), np.asarray(cols, np.int64))


def _nearest_indices(n_in, n_out, scale, exact, dtype, planar):
    """PyTorch's source index of each output position, with its CPU kernels' arithmetic.

    Its 2-D kernel computes in float32 and copies rows outright when the size is kept
    or doubled; its 1-D kernel computes in the input's dtype (floored as a float32)
    with no such shortcuts. The two disagree near window edges, so we follow each."""
    if planar:
        dst = np.arange(n_out, dtype=np.int64)
        if not exact and n_out == n_in:
            return dst
        if not exact and n_out == 2 * n_in:
            return dst >> 1
        ft = np.float32
        s = ft(1.0 / scale) if scale is not None and scale > 0 else ft(n_in) / ft(n_out)
        d = dst.astype(ft)
        pos = (d + ft(0.5)) * s if exact else d * s
    else:
        ft = np.dtype(dtype).type
        s = ft(1.0 / scale) if scale is not None and scale > 0 else ft(n_in) / ft(n_out)
        d = np.arange(n_out).astype(dtype)
        pos = np.maximum(s * (d + ft(0.5)) - ft(0.5), ft(0)) + ft(0.5) if exact else s * d
    return np.minimum(np.floor(pos.astype(np.float32)).astype(np.int64), n_in - 1)


def _spatial_sizes(input, size, scale_factor, recompute_scale_factor, nd):
    spatial = tuple(input.shape[2:])
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: only one of size or scale_factor should be defined")
    if size is not None:
        sizes = (size,) * nd if isinstance(size, numbers.Integral) else tuple(size)
        if len(sizes) != nd:
            raise ValueError(f"interpolate: Input and output must have the same number of spatial dimensions, "
                             f"but got input with spatial dimensions of {list(spatial)} and output size of "
                             f"{list(sizes)}. Please provide input tensor in (N, C, d1, d2, ...,dK) format "
                             f"and output size in (o1, o2, ...,oK) format.")
        if recompute_scale_factor:
            raise ValueError("interpolate: recompute_scale_factor is not meaningful with an explicit size.")
        return tuple(int(s) for s in sizes), (None,) * nd
    factors = (scale_factor,) * nd if isinstance(scale_factor, numbers.Real) else tuple(scale_factor)
    if len(factors) != nd:
        raise ValueError(f"interpolate: Input and scale_factor must have the same number of spatial dimensions, "
                         f"but got input with spatial dimensions of {list(spatial)} and scale_factor of shape "
                         f"{list(factors)}.")
    sizes = tuple(math.floor(float(n) * float(f)) for n, f in zip(spatial, factors))
    scales = (None,) * nd if recompute_scale_factor else tuple(float(f) for f in factors)
    return sizes, scales


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize (N, C, L) or (N, C, H, W) input to `size` or by `scale_factor`, mode
    'nearest' (PyTorch's default) or 'nearest-exact'."""
    if mode not in ("nearest", "nearest-exact"):
        raise NotImplementedError(f"interpolate: mode {mode!r} is not implemented (modes: 'nearest', "
                                  f"'nearest-exact')")
    if align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if antialias:
        raise ValueError("interpolate: anti-alias option is only supported for bilinear and bicubic modes")
    if input.ndim not in (3, 4):
        raise ShapeError(f"interpolate: expected 3-D (N, C, L) or 4-D (N, C, H, W) input for mode {mode!r}, "
                         f"got shape {tuple(input.shape)}")
    if input.dtype not in (np.float32, np.float64):
        raise TypeError(f"interpolate: expected a float32 or float64 input, got {input.dtype}")
    nd = input.ndim - 2
    sizes, scales = _spatial_sizes(input, size, scale_factor, recompute_scale_factor, nd)
    if min(sizes) < 1 or min(input.shape[2:]) < 1:
        raise ShapeError(f"interpolate: input {tuple(input.shape)} and output sizes {sizes} must be positive")
    exact = mode == "nearest-exact"
    idx = [_nearest_indices(n, o, s, exact, input.dtype, nd == 2)
           for n, o, s in zip(input.shape[2:], sizes, scales)]
    if nd == 1:
        x = reshape(input, tuple(input.shape[:2]) + (1, input.shape[2]))
        out = IndexGather2d.apply(x, np.zeros(1, np.int64), idx[0])
        return reshape(out, tuple(input.shape[:2]) + (sizes[0],))
    return IndexGather2d.apply(input, idx[0], idx[1])


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of interpolate (kept, as PyTorch keeps it)."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="nearest")
