"""A thread's whole share of a 2-D convolution in one kernel call.

kernels/conv_gemm.py runs a convolution chunk by chunk: im2col, GEMM and the output
pass (or gradient columns, GEMMs and col2im), each a call from Python. On one thread
that costs a few microseconds a call; on several, every call hands the GIL from
thread to thread, and with chunks of ~25 us the threads spent their time waiting
for it: LeNet's step took 1.24x longer on 2 threads than on 1
(benchmarks/NOTES.md). Here one call runs a range of chunks start to end, the
GEMMs through NumPy's own BLAS (kernels/blas.py), so a thread holds the GIL only to
start its task.

`chunks` does every pass a convolution needs, switched by flags:

- `do_out`: columns of `src` -> y = W @ cols -> out_y (+ bias_y, ReLU): conv2d's
  forward, and conv_transpose2d's gradient for its input;
- `do_weight`: the weight gradient's partial sum over the range, gc @ cols^T, into
  `acc` (the first chunk overwrites it);
- `do_in`: gradient columns of `gy` -> W^T @ gc -> col2im into out_x (+ bias_x):
  conv2d's gradient for its input, and conv_transpose2d's forward;
- a non-empty `bias_sums` (float64) gets each output channel's sum of gy added.

Groups of one only (the caller keeps NumPy's path for the others). The layouts,
chunking and geometry are conv_gemm's `_Plan`'s; the caller checks the shapes.
"""
import numpy as np
from numba import from_dtype, types

from ._numba import flat, njit
from .blas import gemm
from .conv import all_finite, col2im_scatter, col2im_wide, crop_chunk, grad_columns, im2col_gather, im2col_wide, \
    output_pass, pad_chunk


@njit(cache=True, nogil=True)
def _clear_gaps(cols, row, ow):
    """Zero the entries q >= OW of every output row of wide columns."""
    values = flat(cols)
    zero = values.dtype.type(0)
    for s in range(0, values.size, row):
        gap = values[s + ow:s + row]
        for q in range(row - ow):
            gap[q] = zero


@njit(cache=True, nogil=True)
def _columns(src, b0, nb, k, pt, pl, hp, wp, padded, wide, off, kh, kw, dh, dw, oh, ow, row, clean):
    """(K, nb, OH * row) columns of samples b0 .. b0 + nb of src; with `clean`, the
    wide layout's gaps are zeros when the samples hold inf or nan."""
    c = src.shape[1]
    cols = np.empty((k, nb, oh * row), src.dtype)
    xp = src[b0:b0 + nb]
    if padded:
        xp = np.empty((nb, c, hp, wp), src.dtype)
        pad_chunk(src, b0, pt, pl, xp)
    if wide:
        im2col_wide(xp, kh, kw, dh, dw, oh, ow, cols)
        if clean and not all_finite(src, b0, nb):
            _clear_gaps(cols, row, ow)
    else:
        im2col_gather(xp, off, kh, kw, dh, dw, cols)
    return cols


@njit(cache=True, nogil=True)
def _scatter(dcols, out, b0, bias, c, pt, pl, hp, wp, padded, wide, off, kh, kw, dh, dw, oh, ow):
    """out[b0 .. b0 + nb] = col2im(dcols) + bias."""
    nb = dcols.shape[1]
    direct = not padded and bias.size == 0
    xp = out[b0:b0 + nb]
    if not direct:
        xp = np.empty((nb, c, hp, wp), out.dtype)
    if wide:
        col2im_wide(dcols, kh, kw, dh, dw, oh, ow, xp)
    else:
        col2im_scatter(dcols, off, kh, kw, dh, dw, xp)
    if not direct:
        crop_chunk(xp, pt, pl, out, b0, bias)


@njit(cache=True, nogil=True)
def chunks(fn, c0, c1, b, co, k, src, gy, mask, out_y, out_x, wm, wt, bias_y, bias_x, relu, acc, bias_sums,
           pt, pl, hp, wp, padded, wide, off, kh, kw, dh, dw, oh, ow, row, do_out, do_weight, do_in, clear_in):
    """Chunks c0 .. c1 (of `b` samples) of a convolution with Co output channels and K
    = C * kh * kw rows of columns: see the module docstring. wm (Co, K) and wt = wm^T
    (K, Co) are C-contiguous (empty when no pass reads them); acc is (K, Co) when K > Co
    (OpenBLAS runs cols @ gc^T faster there), else (Co, K)."""
    n = src.shape[0] if src.size else gy.shape[0]
    c = out_x.shape[1] if out_x.size else src.shape[1]
    span = oh * row
    need_gc = do_weight or do_in or bias_sums.size > 0
    for i in range(c0, c1):
        b0 = i * b
        nb = min(b, n - b0)
        m = nb * span
        if do_out or do_weight:
            cols = _columns(src, b0, nb, k, pt, pl, hp, wp, padded, wide, off, kh, kw, dh, dw, oh, ow, row,
                            do_weight)
            if do_out:
                y = np.empty((co, nb, oh, row), src.dtype)
                gemm(fn, co, m, k, wm, 0, k, cols, 0, m, False, 0.0, y, 0, m)
                output_pass(y, bias_y, ow, out_y, b0, relu)
        if need_gc:
            gc = np.empty((co, nb, oh, row), gy.dtype)
            grad_columns(gy, b0, gc, mask, bias_sums)
            if do_weight:
                beta = 0.0 if i == c0 else 1.0
                if k > co:
                    gemm(fn, k, co, m, cols, 0, m, gc, 0, m, True, beta, acc, 0, co)
                else:
                    gemm(fn, co, k, m, gc, 0, m, cols, 0, m, True, beta, acc, 0, k)
            if do_in:
                dcols = np.empty((k, nb, span), gy.dtype)
                gemm(fn, k, m, co, wt, 0, co, gc, 0, m, False, 0.0, dcols, 0, m)
                if clear_in:
                    _clear_gaps(dcols, row, ow)
                _scatter(dcols, out_x, b0, bias_x, c, pt, pl, hp, wp, padded, wide, off, kh, kw, dh, dw, oh, ow)


# ---- the driver's argument types, per dtype: what kernels/conv_gemm.py passes ----------------------
# `chunks` is compiled for exactly these, ahead of its first call, on a helper thread
# (kernels/background.py; tests/nn/test_conv_bits.py checks every call against them).
def _signature(dtype):
    i, flag = types.int64, types.boolean
    a1, a2, a4 = (types.Array(from_dtype(np.dtype(dtype)), n, "C") for n in (1, 2, 4))
    return ((i,) * 6 + (a4,) * 5 + (a2, a2, a1, a1, flag, a2, types.Array(types.float64, 1, "C"))
            + (i,) * 4 + (flag, flag, types.Array(types.int64, 1, "C")) + (i,) * 7 + (flag,) * 4)


SIGNATURES = {np.dtype(t): _signature(t) for t in (np.float32, np.float64)}
