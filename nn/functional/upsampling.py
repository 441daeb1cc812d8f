"""interpolate (modes 'nearest', 'nearest-exact', 'linear', 'bilinear' and 'area') and
the index-gather ops it shares with the non-constant paddings.

Nearest-neighbour resizing picks, for each output row and column, one source row
and column; the indices follow PyTorch's CPU formulas bit for bit
(src = min(floor(dst * scale), in - 1), scale = 1 / scale_factor or in / out).

Linear resizing is separable: along each axis an output position blends its two
neighbouring source positions, gathered by IndexGather2d and weighted by constant
tensors, so its first and second derivatives come from those ops' rules. The source
coordinate is (dst + 0.5) * scale - 0.5 clamped at 0 (align_corners=False, scale as
above) or dst * (in - 1) / (out - 1) (align_corners=True); the indices and weights
match PyTorch's CPU kernel bit for bit.

Area resizing is, as in PyTorch, adaptive average pooling to the output size (whose
ops give it first and second derivatives); a scale_factor always sets the size to
floor(in * scale_factor), as if recompute_scale_factor were True.
"""
import math
import numbers

import numpy as np

from autograd_lite.autograd.node import Op
from autograd_lite.kernels import lazy as _kernels
from autograd_lite.ops._util import ShapeError, const
from autograd_lite.ops.shape import reshape

from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d

__all__ = ["interpolate", "upsample", "upsample_bilinear", "upsample_nearest"]


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


def _split(v):
    """v = hi + lo with halves of at most 26 bits, whose products are exact (Veltkamp)."""
    t = v * 134217729.0  # 2**27 + 1
    hi = t - (t - v)
    return hi, v - hi


def _fused_affine(s, a):
    """s * a - 0.5 rounded once, in a's dtype, as PyTorch's kernel computes it (its
    AVX2 build contracts the expression into a fused multiply-add)."""
    if a.dtype == np.float32:  # a product of two float32s is exact in float64
        return (np.float64(s) * a.astype(np.float64) - 0.5).astype(np.float32)
    p = s * a
    (sh, sl), (ah, al) = _split(np.float64(s)), _split(a)
    e = ((sh * ah - p) + sh * al + sl * ah) + sl * al  # p + e == s * a exactly (Dekker)
    q = p - 0.5
    b = q - p
    err = (p - (q - b)) + (-0.5 - b)  # q + err == p - 0.5 exactly (two-sum)
    return q + (err + e)


def _linear_weights(n_in, n_out, scale, align_corners, dtype):
    """Each output position's two source indices and their weights along one axis.

    PyTorch computes these in the input's dtype (float32 stays float32), floors the
    coordinate as a float32 (floorf) and uses the last index twice at the far edge."""
    ft = np.dtype(dtype).type
    dst = np.arange(n_out).astype(ft)
    if align_corners:
        src = (ft(n_in - 1) / ft(n_out - 1) if n_out > 1 else ft(0)) * dst
    else:
        s = ft(1.0 / scale) if scale is not None and scale > 0 else ft(n_in) / ft(n_out)
        src = np.maximum(_fused_affine(s, dst + ft(0.5)), ft(0))
    i0 = np.minimum(np.floor(src.astype(np.float32)).astype(np.int64), n_in - 1)
    i1 = np.where(i0 < n_in - 1, i0 + 1, i0)
    w1 = np.clip(src - i0.astype(ft), ft(0), ft(1)).astype(ft)
    return i0, i1, ft(1) - w1, w1


def _linear_axis(x, axis, n_out, scale, align_corners):
    """Linear resize of 4-D x along axis -1 or -2: two gathers, each times constant weights."""
    n_in = x.shape[axis]
    if n_out == n_in:  # PyTorch copies a kept size whatever the scale_factor
        return x
    i0, i1, w0, w1 = _linear_weights(n_in, n_out, scale, align_corners, x.dtype)
    shape = (n_out,) if axis == -1 else (n_out, 1)
    rows, cols = np.arange(x.shape[-2]), np.arange(x.shape[-1])
    pick = (lambda i: gather2d(x, rows, i)) if axis == -1 else (lambda i: gather2d(x, i, cols))
    return pick(i0) * const(w0.reshape(shape)) + pick(i1) * const(w1.reshape(shape))


def _linear(input, sizes, scales, align_corners):
    """Resize the last axis, then the one before (the order of PyTorch's sums)."""
    n, c = input.shape[:2]
    if input.ndim == 3:
        x = reshape(input, (n, c, 1, input.shape[2]))
        out = reshape(_linear_axis(x, -1, sizes[0], scales[0], align_corners), (n, c, sizes[0]))
    else:
        out = _linear_axis(input, -1, sizes[1], scales[1], align_corners)
        out = _linear_axis(out, -2, sizes[0], scales[0], align_corners)
    return input.clone() if out is input else out


_LINEAR_DIMS = {"linear": 3, "bilinear": 4}
_LAYOUT = {3: "(N, C, L)", 4: "(N, C, H, W)"}


def _check_mode(input, mode, align_corners, antialias):
    """PyTorch's errors for a mode and its options; NotImplementedError for what it has and we don't."""
    if mode in _LINEAR_DIMS:
        need = _LINEAR_DIMS[mode]
        if input.ndim != need:
            raise NotImplementedError(f"interpolate: got {input.ndim}-D input of shape {tuple(input.shape)}, "
                                      f"but mode {mode!r} needs {need}-D {_LAYOUT[need]} input")
        if antialias and mode == "bilinear":
            raise NotImplementedError("interpolate: antialias=True is not implemented (mode 'bilinear')")
    elif mode not in ("nearest", "nearest-exact", "area"):
        raise NotImplementedError(f"interpolate: mode {mode!r} is not implemented (modes: 'nearest', "
                                  f"'nearest-exact', 'linear', 'bilinear', 'area')")
    elif align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    elif mode == "area" and input.ndim == 5:
        raise NotImplementedError(f"interpolate: mode 'area' on 5-D input (adaptive_avg_pool3d) is not "
                                  f"implemented, got shape {tuple(input.shape)}")
    elif input.ndim not in (3, 4):
        raise ShapeError(f"interpolate: expected 3-D (N, C, L) or 4-D (N, C, H, W) input for mode {mode!r}, "
                         f"got shape {tuple(input.shape)}")
    if antialias and mode != "bilinear":
        raise ValueError("interpolate: anti-alias option is only supported for bilinear and bicubic modes")


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize (N, C, L) or (N, C, H, W) input to `size` or by `scale_factor`, mode
    'nearest' (PyTorch's default), 'nearest-exact', 'linear' (3-D), 'bilinear' (4-D) or
    'area' (adaptive average pooling). align_corners (linear modes only) defaults to
    False, as in PyTorch."""
    _check_mode(input, mode, align_corners, antialias)
    if input.dtype not in (np.float32, np.float64):
        raise TypeError(f"interpolate: expected a float32 or float64 input, got {input.dtype}")
    nd = input.ndim - 2
    sizes, scales = _spatial_sizes(input, size, scale_factor, recompute_scale_factor, nd)
    if min(sizes) < 1 or min(input.shape[2:]) < 1:
        raise ShapeError(f"interpolate: input {tuple(input.shape)} and output sizes {sizes} must be positive")
    if mode in _LINEAR_DIMS:
        return _linear(input, sizes, scales, bool(align_corners))
    if mode == "area":  # the scales are unused: PyTorch recomputes them for 'area'
        return (adaptive_avg_pool1d if nd == 1 else adaptive_avg_pool2d)(input, sizes)
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


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated in PyTorch too: bilinear with align_corners=True."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
