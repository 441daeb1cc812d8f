"""The resampling ops behind interpolate (modes 'nearest', 'nearest-exact', 'linear',
'bilinear', 'trilinear', 'bicubic'; 'area' is adaptive average pooling) and the index-gather ops they share
with the non-constant paddings. nn.functional.interpolate checks the arguments.

Nearest-neighbour resizing picks, for each output row and column, one source row
and column; the indices follow PyTorch's CPU formulas bit for bit
(src = min(floor(dst * scale), in - 1), scale = 1 / scale_factor or in / out).

Linear resizing is separable: along each axis an output position blends its two
neighbouring source positions, gathered by IndexGather2d and weighted by constant
tensors, so its first and second derivatives come from those ops' rules. The source
coordinate is (dst + 0.5) * scale - 0.5 clamped at 0 (align_corners=False, scale as
above) or dst * (in - 1) / (out - 1) (align_corners=True); the indices and weights
match PyTorch's CPU kernel bit for bit. Trilinear resizes W and H so, then D (each
(H, W) plane a row). Bicubic blends four neighbours per axis with the cubic
convolution (A = -0.75), the taps clamped into the image, as PyTorch's kernel does.

Area resizing is, as in PyTorch, adaptive average pooling to the output size (whose
ops give it first and second derivatives); a scale_factor always sets the size to
floor(in * scale_factor), as if recompute_scale_factor were True.
"""
import numpy as np

from ..autograd.node import Op
from ..kernels import lazy as kernels
from ._util import const, wide
from .shape import reshape


class IndexGather2d(Op):
    """y[..., i, j] = x[..., rows[i], cols[j]] over the last two dims."""

    @wide
    def forward(ctx, x, rows, cols):
        ctx.rows, ctx.cols, ctx.hw = rows, cols, x.shape[-2:]
        if x.dtype not in (np.float32, np.float64):  # integer, bool, float16: no kernel variant
            return x[..., rows[:, None], cols[None, :]]
        out = kernels.resample.gather2d(x.reshape((-1,) + x.shape[-2:]), rows, cols)
        return out.reshape(x.shape[:-2] + out.shape[1:])

    def backward(ctx, g):
        return IndexScatter2d.apply(g, ctx.rows, ctx.cols, ctx.hw)


class IndexScatter2d(Op):
    """The adjoint of IndexGather2d: adds g back to the source pixels (size `hw`)."""

    @wide
    def forward(ctx, g, rows, cols, hw):
        ctx.rows, ctx.cols = rows, cols
        gx = kernels.resample.scatter2d(g.reshape((-1,) + g.shape[-2:]), rows, cols, hw)
        return gx.reshape(g.shape[:-2] + tuple(hw))

    def backward(ctx, gg):
        return IndexGather2d.apply(gg, ctx.rows, ctx.cols)


def gather2d(x, rows, cols):
    """IndexGather2d on a tensor of 2 or more dims (1-D data: pass rows=[0] on a unit dim)."""
    return IndexGather2d.apply(x, np.asarray(rows, np.int64), np.asarray(cols, np.int64))


def _nearest_indices(n_in, n_out, scale, exact, dtype, nd):
    """PyTorch's source index of each output position, with its CPU kernels' arithmetic.

    Its 2-D kernel computes in float32 and copies rows outright when the size is kept
    or doubled; its 1-D kernel computes in the input's dtype (floored as a float32)
    with no such shortcuts (nearest-exact's multiply-add fused, as its AVX2 build
    contracts it); its 3-D kernel is the 1-D one. They disagree near window edges, so
    we follow each."""
    if nd == 2:
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
        if exact and d.dtype in (np.float32, np.float64):
            pos = np.maximum(_fused_affine(s, d + ft(0.5)), ft(0)) + ft(0.5)
        else:
            pos = np.maximum(s * (d + ft(0.5)) - ft(0.5), ft(0)) + ft(0.5) if exact else s * d
    return np.minimum(np.floor(pos.astype(np.float32)).astype(np.int64), n_in - 1)


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


def _cubic_weights(n_in, n_out, scale, align_corners, dtype):
    """Each output position's four source indices and weights along one axis (bicubic).

    PyTorch's coordinate is linear's without the clamp at 0; the index is floored as a
    float32 and capped at n_in - 1, the fraction clamped to [0, 1], and the four taps
    (index - 1 ... index + 2) clamped into the image; the weights are the cubic
    convolution's with A = -0.75, in the input's dtype."""
    ft = np.dtype(dtype).type
    dst = np.arange(n_out).astype(ft)
    if align_corners:
        src = (ft(n_in - 1) / ft(n_out - 1) if n_out > 1 else ft(0)) * dst
    else:
        s = ft(1.0 / scale) if scale is not None and scale > 0 else ft(n_in) / ft(n_out)
        src = _fused_affine(s, dst + ft(0.5))
    i0 = np.minimum(np.floor(src.astype(np.float32)).astype(np.int64), n_in - 1)
    t = np.clip(src - i0.astype(ft), ft(0), ft(1)).astype(ft)
    a = ft(-0.75)

    def near(x):  # |x| <= 1
        return ((a + ft(2)) * x - (a + ft(3))) * x * x + ft(1)

    def far(x):  # 1 < |x| < 2
        return ((a * x - ft(5) * a) * x + ft(8) * a) * x - ft(4) * a

    weights = [far(t + ft(1)), near(t), near(ft(1) - t), far(ft(2) - t)]
    taps = [np.clip(i0 - 1 + k, 0, n_in - 1) for k in range(4)]
    return taps, [w.astype(ft) for w in weights]


def _aa_weights(n_in, n_out, scale, align_corners, dtype, cubic):
    """Antialiased taps and weights along one axis (PyTorch's, after Pillow's): the
    filter (triangle, or cubic convolution with A = -0.5) is stretched by the
    downscaling factor so each output averages every input it covers, and its weights
    over the taps inside the image are normalised to sum to 1."""
    ft = np.dtype(dtype).type
    if align_corners:
        s = ft(n_in - 1) / ft(n_out - 1) if n_out > 1 else ft(0)
    else:
        s = ft(1.0 / scale) if scale is not None and scale > 0 else ft(n_in) / ft(n_out)
    size = 4 if cubic else 2
    support = ft(size * 0.5) * s if s >= 1 else ft(size * 0.5)
    inv = ft(1) / s if s >= 1 else ft(1)
    width = int(np.ceil(support)) * 2 + 1
    center = s * (np.arange(n_out).astype(ft) + ft(0.5))
    lo = np.maximum(np.trunc(center - support + ft(0.5)).astype(np.int64), 0)
    count = np.clip(np.minimum(np.trunc(center + support + ft(0.5)).astype(np.int64), n_in) - lo, 0, width)
    j = np.arange(width)[:, None]
    d = np.abs(((j + lo).astype(ft) - center + ft(0.5)) * inv).astype(ft)
    if cubic:
        a = ft(-0.5)
        w = np.where(d < 1, ((a + 2) * d - (a + 3)) * d * d + 1,
                     np.where(d < 2, ((a * d - 5 * a) * d + 8 * a) * d - 4 * a, ft(0)))
    else:
        w = np.where(d < 1, ft(1) - d, ft(0))
    inside = j < count
    w = np.where(inside, w, ft(0)).astype(ft)
    total = np.add.reduce(w, axis=0)  # row after row: a running sum, in PyTorch's order
    weights = np.where(total != 0, w / np.where(total != 0, total, ft(1)), w).astype(ft)
    taps = np.where(inside, j + lo, 0)
    return list(taps), list(weights)


def _resize_axis(x, axis, n_out, scale, align_corners, cubic=False, antialias=False):
    """Linear (two taps) or cubic (four) resize of 4-D x along axis -1 or -2, or
    antialiased (as many taps as the filter covers): a gather per tap, each times
    constant weights, summed in tap order (PyTorch's)."""
    n_in = x.shape[axis]
    if n_out == n_in and (antialias or not cubic):  # PyTorch copies a kept size whatever the scale
        return x
    if antialias:
        taps, weights = _aa_weights(n_in, n_out, scale, align_corners, x.dtype, cubic)
    elif cubic:
        taps, weights = _cubic_weights(n_in, n_out, scale, align_corners, x.dtype)
    else:
        i0, i1, w0, w1 = _linear_weights(n_in, n_out, scale, align_corners, x.dtype)
        taps, weights = (i0, i1), (w0, w1)
    shape = (n_out,) if axis == -1 else (n_out, 1)
    rows, cols = np.arange(x.shape[-2]), np.arange(x.shape[-1])
    pick = (lambda i: gather2d(x, rows, i)) if axis == -1 else (lambda i: gather2d(x, i, cols))
    out = None
    for i, w in zip(taps, weights):
        term = pick(i) * const(w.reshape(shape))
        out = term if out is None else out + term
    return out


def _linear_axis(x, axis, n_out, scale, align_corners):
    """Linear resize of 4-D x along axis -1 or -2: two gathers, each times constant weights."""
    return _resize_axis(x, axis, n_out, scale, align_corners)


def _depth_axis(x, n_out, scale, align_corners):
    """Linear resize of 5-D x (N, C, D, H, W) along D: its (H, W) planes as one row each."""
    n, c, d, h, w = x.shape
    flat = reshape(x, (n, c, d, h * w))
    out = _resize_axis(flat, -2, n_out, scale, align_corners)
    return x if out is flat else reshape(out, (n, c, n_out, h, w))


def linear(input, sizes, scales, align_corners):
    """Resize the last axis, then the one before (and the one before that: trilinear), the
    order of PyTorch's sums."""
    n, c = input.shape[:2]
    if input.ndim == 3:
        x = reshape(input, (n, c, 1, input.shape[2]))
        out = reshape(_linear_axis(x, -1, sizes[0], scales[0], align_corners), (n, c, sizes[0]))
    elif input.ndim == 5:
        if tuple(sizes) == tuple(input.shape[2:]):  # PyTorch copies when every size is kept
            return input.clone()
        d, h, w = input.shape[2:]
        x = reshape(input, (n, c * d, h, w))
        x = _linear_axis(x, -1, sizes[2], scales[2], align_corners)
        x = _linear_axis(x, -2, sizes[1], scales[1], align_corners)
        out = _depth_axis(reshape(x, (n, c, d, sizes[1], sizes[2])), sizes[0], scales[0], align_corners)
    else:
        out = _linear_axis(input, -1, sizes[1], scales[1], align_corners)
        out = _linear_axis(out, -2, sizes[0], scales[0], align_corners)
    return input.clone() if out is input else out


def bicubic(input, sizes, scales, align_corners):
    """Bicubic resize of (N, C, H, W): along W, then along H (PyTorch's order of sums)."""
    out = _resize_axis(input, -1, sizes[1], scales[1], align_corners, cubic=True)
    return _resize_axis(out, -2, sizes[0], scales[0], align_corners, cubic=True)


def antialiased(input, sizes, scales, align_corners, cubic):
    """Antialiased bilinear or bicubic resize of (N, C, H, W): along W, then along H."""
    out = _resize_axis(input, -1, sizes[1], scales[1], align_corners, cubic, antialias=True)
    out = _resize_axis(out, -2, sizes[0], scales[0], align_corners, cubic, antialias=True)
    return input.clone() if out is input else out


def nearest(input, sizes, scales, exact):
    """Nearest-neighbour resize of (N, C, L), (N, C, H, W) or (N, C, D, H, W) input to
    `sizes` (3-D: each (H, W) plane, then the planes picked as rows)."""
    nd = input.ndim - 2
    idx = [_nearest_indices(n, o, s, exact, input.dtype, nd)
           for n, o, s in zip(input.shape[2:], sizes, scales)]
    if nd == 3:
        n, c, d = input.shape[:3]
        planes = IndexGather2d.apply(reshape(input, (n, c * d) + tuple(input.shape[3:])), idx[1], idx[2])
        out = IndexGather2d.apply(reshape(planes, (n, c, d, sizes[1] * sizes[2])), idx[0],
                                  np.arange(sizes[1] * sizes[2]))
        return reshape(out, (n, c) + tuple(sizes))
    if nd == 1:
        x = reshape(input, tuple(input.shape[:2]) + (1, input.shape[2]))
        out = IndexGather2d.apply(x, np.zeros(1, np.int64), idx[0])
        return reshape(out, tuple(input.shape[:2]) + (sizes[0],))
    return IndexGather2d.apply(input, idx[0], idx[1])
