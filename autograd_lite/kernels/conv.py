"""Patch extraction (im2col) and its adjoint (col2im) for 2-D convolutions.

The GEMM stays in NumPy (BLAS); these kernels only move data. The column layout is
(C * kh * kw, N, OH * OW): row `(c * kh + i) * kw + j` holds the input pixels that
kernel tap (i, j) of channel c sees at every output position of every sample. With
groups, the rows split evenly into (G, C/G * kh * kw, N * L) without a copy, so one
batched matmul per group covers the whole batch. Padding is implicit (zeros): only
the top/left padding and the output size are needed, which also covers torch's
asymmetric 'same' padding. Stride-1 convolutions use a "wide" variant of this
layout (below) that copies long runs instead of one output row at a time. All
kernels split the work by channel (each channel writes only its own rows/plane),
so the parallel drivers' `prange` is race-free.
"""
import numpy as np

from ..threads import get_num_threads
from . import _malloc
from ._numba import njit, prange

_malloc.tune()


@njit(cache=True, inline="always")
def _valid_range(off, stride, size, n_out):
    """The output positions q in [lo, hi) whose input q * stride + off is in [0, size);
    0 <= lo <= hi <= n_out always (a padding wider than the row gives lo = hi = n_out)."""
    lo = 0 if off >= 0 else min(n_out, (-off + stride - 1) // stride)  # never past the row
    top = size - 1 - off
    hi = 0 if top < 0 else min(n_out, top // stride + 1)
    if hi < lo:
        hi = lo
    return lo, hi


@njit(cache=True)
def _im2col_channel(x, ci, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cols):
    n, c, h, w = x.shape
    for i in range(kh):
        for j in range(kw):
            row = (ci * kh + i) * kw + j
            off_w = j * dw - pw
            lo, hi = _valid_range(off_w, sw, w, ow)
            for b in range(n):
                for o in range(oh):
                    ih = o * sh - ph + i * dh
                    base = o * ow
                    if ih < 0 or ih >= h:
                        for q in range(ow):
                            cols[row, b, base + q] = 0
                    else:
                        for q in range(lo):
                            cols[row, b, base + q] = 0
                        for q in range(lo, hi):
                            cols[row, b, base + q] = x[b, ci, ih, q * sw + off_w]
                        for q in range(hi, ow):
                            cols[row, b, base + q] = 0


@njit(cache=True)
def _col2im_channel(cols, ci, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, x):
    n, c, h, w = x.shape
    for i in range(kh):
        for j in range(kw):
            row = (ci * kh + i) * kw + j
            off_w = j * dw - pw
            lo, hi = _valid_range(off_w, sw, w, ow)
            for b in range(n):
                for o in range(oh):
                    ih = o * sh - ph + i * dh
                    if ih < 0 or ih >= h:
                        continue
                    base = o * ow
                    for q in range(lo, hi):
                        x[b, ci, ih, q * sw + off_w] += cols[row, b, base + q]


# One serial and one parallel driver per kernel: with a single thread (the default)
# a parallel=True kernel ran 2x slower and compiled 3x longer, so it is used only
# when ag.set_num_threads asked for more than one.
@njit(cache=True)
def _im2col(x, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cols):
    for ci in range(x.shape[1]):
        _im2col_channel(x, ci, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cols)


@njit(cache=True, parallel=True)
def _im2col_parallel(x, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cols):
    for ci in prange(x.shape[1]):
        _im2col_channel(x, ci, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, cols)


@njit(cache=True)
def _col2im(cols, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, x):
    for ci in range(x.shape[1]):
        _col2im_channel(cols, ci, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, x)


@njit(cache=True, parallel=True)
def _col2im_parallel(cols, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, x):
    for ci in prange(x.shape[1]):
        _col2im_channel(cols, ci, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow, x)


def _parallel(channels):
    return channels > 1 and get_num_threads() > 1


def _check(x, ndim, what):
    if x.dtype not in (np.float32, np.float64) or x.ndim != ndim:
        raise TypeError(f"{what}: expected a {ndim}-d float32/float64 array, got {x.dtype} {x.shape}")


def im2col(x, kernel, stride, padding, dilation, out_hw):
    """x (N, C, H, W) -> columns (C * kh * kw, N, OH * OW) of x's dtype.

    `padding` is the (top, left) padding; `out_hw` the output size (any size up to
    what the padded input allows, so asymmetric padding needs no copy)."""
    _check(x, 4, "im2col")
    x = np.ascontiguousarray(x)
    n, c, h, w = x.shape
    kh, kw = kernel
    oh, ow = out_hw
    _check_geometry(h, w, kernel, stride, padding, dilation, out_hw, "im2col")
    cols = np.empty((c * kh * kw, n, oh * ow), x.dtype)
    kernel_fn = _im2col_parallel if _parallel(c) else _im2col
    kernel_fn(x, kh, kw, stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1], oh, ow, cols)
    return cols


def col2im(cols, shape, kernel, stride, padding, dilation, out_hw):
    """The adjoint of `im2col`: sums columns (C * kh * kw, N, OH * OW) back into an
    array of `shape` (N, C, H, W)."""
    _check(cols, 3, "col2im")
    n, c, h, w = shape
    kh, kw = kernel
    oh, ow = out_hw
    if cols.shape != (c * kh * kw, n, oh * ow):
        raise ValueError(f"col2im: columns of shape {cols.shape} don't fit input {tuple(shape)}, "
                         f"kernel {tuple(kernel)} and output {tuple(out_hw)}")
    _check_geometry(h, w, kernel, stride, padding, dilation, out_hw, "col2im")
    cols = np.ascontiguousarray(cols)
    x = np.zeros(shape, cols.dtype)
    kernel_fn = _col2im_parallel if _parallel(c) else _col2im
    kernel_fn(cols, kh, kw, stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1], oh, ow, x)
    return x


# ---- stride 1: the "wide" layout ---------------------------------------------------------------------
# With stride 1, the pixels tap (i, j) reads for output rows o = 0..OH-1 lie back to back
# in the padded input if each output row is given the padded width Wp instead of OW:
# one (tap, sample) pair is then a single copy of (OH - 1) * Wp + OW elements, at memcpy
# speed, where the general kernel makes OH short copies (loops of 10-30 elements run
# scalar). The Wp - OW extra entries per output row are zero; the GEMM on them costs
# (Wp - OW) / Wp more and their outputs are dropped. Between output rows the extra
# entries hold the input pixels that follow (not zeros: zeroing them costs as much as
# the copy); every consumer multiplies them by zeros, which is exact for finite
# values, and `clear_wide_gaps` zeroes them when an input is not finite.
@njit(cache=True)
def _im2col_wide_channel(xp, ci, kh, kw, dh, dw, oh, ow, cols):
    n, c, hp, wp = xp.shape
    xf = xp.reshape(-1)
    cf = cols.reshape(-1)
    plane = hp * wp
    lsz = oh * wp
    run = (oh - 1) * wp + ow
    for i in range(kh):
        for j in range(kw):
            row = (ci * kh + i) * kw + j
            for b in range(n):
                d = (row * n + b) * lsz
                s = (b * c + ci) * plane + i * dh * wp + j * dw
                cf[d:d + run] = xf[s:s + run]  # one memcpy
                cf[d + run:d + lsz] = 0


@njit(cache=True)
def _col2im_wide_channel(cols, ci, kh, kw, dh, dw, oh, ow, xp):
    n, c, hp, wp = xp.shape
    xf = xp.reshape(-1)
    cf = cols.reshape(-1)
    plane = hp * wp
    lsz = oh * wp
    run = (oh - 1) * wp + ow
    for i in range(kh):
        for j in range(kw):
            row = (ci * kh + i) * kw + j
            for b in range(n):
                s = (row * n + b) * lsz
                d = (b * c + ci) * plane + i * dh * wp + j * dw
                for q in range(run):
                    xf[d + q] += cf[s + q]


@njit(cache=True)
def _im2col_wide(xp, kh, kw, dh, dw, oh, ow, cols):
    for ci in range(xp.shape[1]):
        _im2col_wide_channel(xp, ci, kh, kw, dh, dw, oh, ow, cols)


@njit(cache=True, parallel=True)
def _im2col_wide_parallel(xp, kh, kw, dh, dw, oh, ow, cols):
    for ci in prange(xp.shape[1]):
        _im2col_wide_channel(xp, ci, kh, kw, dh, dw, oh, ow, cols)


@njit(cache=True)
def _col2im_wide(cols, kh, kw, dh, dw, oh, ow, xp):
    for ci in range(xp.shape[1]):
        _col2im_wide_channel(cols, ci, kh, kw, dh, dw, oh, ow, xp)


@njit(cache=True, parallel=True)
def _col2im_wide_parallel(cols, kh, kw, dh, dw, oh, ow, xp):
    for ci in prange(xp.shape[1]):
        _col2im_wide_channel(cols, ci, kh, kw, dh, dw, oh, ow, xp)


def wide_size(h, w, kernel, padding, dilation, out_hw):
    """(Hp, Wp): the padded input the wide layout reads, just large enough."""
    return tuple(max(n + p, o - 1 + (k - 1) * d + 1)
                 for n, p, k, d, o in zip((h, w), padding, kernel, dilation, out_hw))


def clear_wide_gaps(cols, wp, ow):
    """Zero the entries q >= OW of every output row of wide columns (in place)."""
    cols.reshape(-1, wp)[:, ow:] = 0
    return cols


def im2col_wide(x, kernel, padding, dilation, out_hw):
    """Stride-1 columns of x (N, C, H, W) in the wide layout (C * kh * kw, N, OH * Wp):
    entry (o, q) of a row is tap (i, j) at output (o, q) for q < OW; entries q >= OW
    are finite filler (zeros if x is not finite), to be multiplied by zeros."""
    _check(x, 4, "im2col_wide")
    n, c, h, w = x.shape
    kh, kw = kernel
    oh, ow = out_hw
    _check_geometry(h, w, kernel, (1, 1), padding, dilation, out_hw, "im2col_wide")
    hp, wp = wide_size(h, w, kernel, padding, dilation, out_hw)
    pt, pl = padding
    if (hp, wp) == (h, w):
        xp = np.ascontiguousarray(x)
    else:
        xp = np.zeros((n, c, hp, wp), x.dtype)
        xp[:, :, pt:pt + h, pl:pl + w] = x
    cols = np.empty((c * kh * kw, n, oh * wp), x.dtype)
    if oh > 0 and ow > 0:
        kernel_fn = _im2col_wide_parallel if _parallel(c) else _im2col_wide
        kernel_fn(xp, kh, kw, dilation[0], dilation[1], oh, ow, cols)
        if not np.isfinite(xp).all():  # filler must be finite (it meets zeros)
            clear_wide_gaps(cols, wp, ow)
    else:
        cols[...] = 0
    return cols


def col2im_wide(cols, shape, kernel, padding, dilation, out_hw):
    """The adjoint of `im2col_wide`, for columns whose entries q >= OW are zero (the
    GEMM of a finite weight with zero-padded wide gradients gives exactly that)."""
    _check(cols, 3, "col2im_wide")
    n, c, h, w = shape
    kh, kw = kernel
    oh, ow = out_hw
    _check_geometry(h, w, kernel, (1, 1), padding, dilation, out_hw, "col2im_wide")
    hp, wp = wide_size(h, w, kernel, padding, dilation, out_hw)
    if cols.shape != (c * kh * kw, n, oh * wp):
        raise ValueError(f"col2im_wide: columns of shape {cols.shape} don't fit input {tuple(shape)}, "
                         f"kernel {tuple(kernel)} and output {tuple(out_hw)} (width {wp})")
    cols = np.ascontiguousarray(cols)
    xp = np.zeros((n, c, hp, wp), cols.dtype)
    if oh > 0 and ow > 0:
        kernel_fn = _col2im_wide_parallel if _parallel(c) else _col2im_wide
        kernel_fn(cols, kh, kw, dilation[0], dilation[1], oh, ow, xp)
    pt, pl = padding
    if (hp, wp) == (h, w):
        return xp
    return np.ascontiguousarray(xp[:, :, pt:pt + h, pl:pl + w])


def _check_geometry(h, w, kernel, stride, padding, dilation, out_hw, what):
    """Positive kernel/stride/dilation, non-negative padding and output size: the
    kernels index only inside [0, H) x [0, W) under these conditions."""
    if min(kernel) < 1 or min(stride) < 1 or min(dilation) < 1 or min(padding) < 0 or min(out_hw) < 0:
        raise ValueError(f"{what}: bad geometry kernel={tuple(kernel)} stride={tuple(stride)} "
                         f"padding={tuple(padding)} dilation={tuple(dilation)} output={tuple(out_hw)}")
