"""Patch extraction (im2col) and its adjoint (col2im) for 2-D convolutions.

The GEMM stays in NumPy (BLAS); these kernels only move data. The column layout is
(C * kh * kw, N, OH * OW): row `(c * kh + i) * kw + j` holds the input pixels that
kernel tap (i, j) of channel c sees at every output position of every sample. With
groups, the rows split evenly into (G, C/G * kh * kw, N * L) without a copy, so one
batched matmul per group covers the whole batch. Padding is implicit (zeros): only
the top/left padding and the output size are needed, which also covers torch's
asymmetric 'same' padding. Both kernels split the work by channel (each channel
writes only its own rows/plane), so the parallel drivers' `prange` is race-free.
"""
import numpy as np

from ..threads import get_num_threads
from ._numba import njit, prange


@njit(cache=True, inline="always")
def _valid_range(off, stride, size, n_out):
    """The output positions q in [lo, hi) whose input q * stride + off is in [0, size)."""
    lo = 0 if off >= 0 else (-off + stride - 1) // stride
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
    (_im2col_parallel if _parallel(c) else _im2col)(x, kh, kw, stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1],
            oh, ow, cols)
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
    (_col2im_parallel if _parallel(c) else _col2im)(cols, kh, kw, stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1],
            oh, ow, x)
    return x


def _check_geometry(h, w, kernel, stride, padding, dilation, out_hw, what):
    """Positive kernel/stride/dilation, non-negative padding and output size: the
    kernels index only inside [0, H) x [0, W) under these conditions."""
    if min(kernel) < 1 or min(stride) < 1 or min(dilation) < 1 or min(padding) < 0 or min(out_hw) < 0:
        raise ValueError(f"{what}: bad geometry kernel={tuple(kernel)} stride={tuple(stride)} "
                         f"padding={tuple(padding)} dilation={tuple(dilation)} output={tuple(out_hw)}")
