"""Max, average, adaptive-average and adaptive-max pooling over volumes (B, D, H, W),
forward and backward: kernels/pool.py's planes with a depth axis.

B is N * C (every volume pools alone). Every kernel works on the volumes [p0, p1) and
releases the GIL; large calls split the volumes over the threads `set_num_threads`
allows (workers.split). Max pooling returns the argmax of each window as a flat index
(d * H + h) * W + w into its volume (PyTorch's `return_indices`); its backward is
kernels/pool.py's scatter on the flattened volumes. Window rules follow PyTorch:
padding counts as -inf for max and as zeros for average pooling; the first maximum in
window order wins, and a NaN wins (the last one); an average window is clipped to the
padded input, and `count_include_pad` decides whether padding counts in the divisor.
"""
import numpy as np

from . import pool
from ._numba import flat, njit
from .pool import _taps, _window
from .workers import split


@njit(cache=True, nogil=True)
def _max_pool3d(x, p0, p1, kd, kh, kw, sd, sh, sw, pd, ph, pw, dd, dh, dw, has_nan, out, idx):
    # the first maximum in (d, h, w) order wins; a NaN wins (the last one), tested only
    # when the input holds one (`has_nan`)
    b, d, h, w = x.shape
    _, od, oh, ow = out.shape
    for p in range(p0, p1):
        for k in range(od):
            d0 = k * sd - pd
            zlo, zhi = _taps(d0, dd, d, kd)
            for i in range(oh):
                h0 = i * sh - ph
                alo, ahi = _taps(h0, dh, h, kh)
                for j in range(ow):
                    w0 = j * sw - pw
                    clo, chi = _taps(w0, dw, w, kw)
                    z = d0 + zlo * dd
                    y = h0 + alo * dh
                    xx = w0 + clo * dw
                    best = x[p, z, y, xx]
                    arg = (z * h + y) * w + xx
                    if has_nan:  # two loops: a runtime test in the inner one costs 10x
                        for e in range(zlo, zhi):
                            z = d0 + e * dd
                            for a in range(alo, ahi):
                                y = h0 + a * dh
                                for c in range(clo, chi):
                                    xx = w0 + c * dw
                                    v = x[p, z, y, xx]
                                    if v > best or v != v:
                                        best = v
                                        arg = (z * h + y) * w + xx
                    else:
                        for e in range(zlo, zhi):
                            z = d0 + e * dd
                            for a in range(alo, ahi):
                                y = h0 + a * dh
                                for c in range(clo, chi):
                                    xx = w0 + c * dw
                                    v = x[p, z, y, xx]
                                    if v > best:
                                        best = v
                                        arg = (z * h + y) * w + xx
                    out[p, k, i, j] = best
                    idx[p, k, i, j] = arg


@njit(cache=True, nogil=True)
def _adaptive_max_pool3d(x, p0, p1, has_nan, out, idx):
    # window i of n inputs into m outputs: [floor(i n / m), ceil((i + 1) n / m)); the
    # first maximum wins, and a NaN (the last one), tested only when the input holds one
    b, d, h, w = x.shape
    _, od, oh, ow = out.shape
    for p in range(p0, p1):
        for k in range(od):
            zs = (k * d) // od
            ze = ((k + 1) * d + od - 1) // od
            for i in range(oh):
                hs = (i * h) // oh
                he = ((i + 1) * h + oh - 1) // oh
                for j in range(ow):
                    ws = (j * w) // ow
                    we = ((j + 1) * w + ow - 1) // ow
                    best = x[p, zs, hs, ws]
                    arg = (zs * h + hs) * w + ws
                    if has_nan:  # two loops: a runtime test in the inner one costs 10x
                        for z in range(zs, ze):
                            for y in range(hs, he):
                                for xx in range(ws, we):
                                    v = x[p, z, y, xx]
                                    if v > best or v != v:
                                        best = v
                                        arg = (z * h + y) * w + xx
                    else:
                        for z in range(zs, ze):
                            for y in range(hs, he):
                                for xx in range(ws, we):
                                    v = x[p, z, y, xx]
                                    if v > best:
                                        best = v
                                        arg = (z * h + y) * w + xx
                    out[p, k, i, j] = best
                    idx[p, k, i, j] = arg


@njit(cache=True, inline="always")
def _divide_by(zn, hn, wn, zc, hc, wc, include_pad, divisor):
    if divisor > 0:
        return divisor
    if include_pad:
        return zn * hn * wn
    return zc * hc * wc


@njit(cache=True, nogil=True)
def _avg_pool3d(x, p0, p1, kd, kh, kw, sd, sh, sw, pd, ph, pw, include_pad, divisor, out):
    b, d, h, w = x.shape
    _, od, oh, ow = out.shape
    for p in range(p0, p1):
        for k in range(od):
            zs, ze, zn = _window(k, sd, pd, kd, d)
            for i in range(oh):
                hs, he, hn = _window(i, sh, ph, kh, h)
                for j in range(ow):
                    ws, we, wn = _window(j, sw, pw, kw, w)
                    acc = 0.0
                    for z in range(zs, ze):
                        for y in range(hs, he):
                            for xx in range(ws, we):
                                acc += x[p, z, y, xx]
                    n = _divide_by(zn, hn, wn, max(ze - zs, 0), max(he - hs, 0), max(we - ws, 0), include_pad,
                                   divisor)
                    out[p, k, i, j] = acc / n if n > 0 else 0.0


@njit(cache=True, nogil=True)
def _avg_pool3d_backward(g, p0, p1, kd, kh, kw, sd, sh, sw, pd, ph, pw, include_pad, divisor, gx):
    b, d, h, w = gx.shape
    _, od, oh, ow = g.shape
    for p in range(p0, p1):
        vol = flat(gx[p])
        for q in range(vol.size):
            vol[q] = 0
        for k in range(od):
            zs, ze, zn = _window(k, sd, pd, kd, d)
            for i in range(oh):
                hs, he, hn = _window(i, sh, ph, kh, h)
                for j in range(ow):
                    ws, we, wn = _window(j, sw, pw, kw, w)
                    n = _divide_by(zn, hn, wn, max(ze - zs, 0), max(he - hs, 0), max(we - ws, 0), include_pad,
                                   divisor)
                    if n <= 0:
                        continue
                    v = g[p, k, i, j] / n
                    for z in range(zs, ze):
                        for y in range(hs, he):
                            for xx in range(ws, we):
                                gx[p, z, y, xx] += v


@njit(cache=True, inline="always")
def _row_sum(row, start, end):
    """row[start:end] summed in four interleaved partial sums: no chain of dependent
    adds (a global average pool sums whole volumes)."""
    a0 = a1 = a2 = a3 = 0.0
    q = start
    while q + 4 <= end:
        a0 += row[q]
        a1 += row[q + 1]
        a2 += row[q + 2]
        a3 += row[q + 3]
        q += 4
    while q < end:
        a0 += row[q]
        q += 1
    return (a0 + a1) + (a2 + a3)


@njit(cache=True, nogil=True)
def _adaptive_avg_pool3d(x, p0, p1, out):
    b, d, h, w = x.shape
    _, od, oh, ow = out.shape
    for p in range(p0, p1):
        for k in range(od):
            zs = (k * d) // od
            ze = ((k + 1) * d + od - 1) // od
            for i in range(oh):
                hs = (i * h) // oh
                he = ((i + 1) * h + oh - 1) // oh
                for j in range(ow):
                    ws = (j * w) // ow
                    we = ((j + 1) * w + ow - 1) // ow
                    acc = 0.0
                    for z in range(zs, ze):
                        for y in range(hs, he):
                            acc += _row_sum(x[p, z, y], ws, we)
                    out[p, k, i, j] = acc / ((ze - zs) * (he - hs) * (we - ws))


@njit(cache=True, nogil=True)
def _adaptive_avg_pool3d_backward(g, p0, p1, gx):
    b, d, h, w = gx.shape
    _, od, oh, ow = g.shape
    for p in range(p0, p1):
        vol = flat(gx[p])
        for q in range(vol.size):
            vol[q] = 0
        for k in range(od):
            zs = (k * d) // od
            ze = ((k + 1) * d + od - 1) // od
            for i in range(oh):
                hs = (i * h) // oh
                he = ((i + 1) * h + oh - 1) // oh
                for j in range(ow):
                    ws = (j * w) // ow
                    we = ((j + 1) * w + ow - 1) // ow
                    v = g[p, k, i, j] / ((ze - zs) * (he - hs) * (we - ws))
                    for z in range(zs, ze):
                        for y in range(hs, he):
                            for xx in range(ws, we):
                                gx[p, z, y, xx] += v


# ---- entry points: check, make contiguous, allocate ----------------------------------------------------
def _volumes(x, what):
    if x.dtype not in (np.float32, np.float64) or x.ndim != 4:
        raise TypeError(f"{what}: expected float32/float64 volumes (B, D, H, W), got {x.dtype} {x.shape}")
    return np.ascontiguousarray(x)


def _positive(what, **values):
    for name, v in values.items():
        if len(v) != 3 or min(v) < 1:
            raise ValueError(f"{what}: {name} must be 3 positive ints, got {v}")


def max_pool3d(x, kernel, stride, padding, dilation, out_size):
    """Volumes x (B, D, H, W) -> (out (B, OD, OH, OW), argmax (B, OD, OH, OW) int64
    flat in D * H * W). Every window must hold at least one input voxel (checked)."""
    x = _volumes(x, "max_pool3d")
    _positive("max_pool3d", kernel=kernel, stride=stride, dilation=dilation)
    if len(padding) != 3 or min(padding) < 0 or len(out_size) != 3 or min(out_size) < 0:
        raise ValueError(f"max_pool3d: bad padding {padding} or output size {out_size}")
    for n, k, st, pd, d, o in zip(x.shape[1:], kernel, stride, padding, dilation, out_size):
        pix = (np.arange(o) * st - pd)[:, None] + np.arange(k) * d  # every window's pixels along the dim
        if not ((pix >= 0) & (pix < n)).any(axis=1).all():
            raise ValueError(f"max_pool3d: a window (kernel {k}, stride {st}, padding {pd}, dilation {d}) "
                             f"holds no pixel of a dim of size {n}")
    out = np.empty((x.shape[0],) + tuple(out_size), x.dtype)
    idx = np.empty(out.shape, np.int64)
    has_nan = bool(np.isnan(x).any())
    args = (*kernel, *stride, *padding, *dilation, has_nan, out, idx)
    split(lambda p0, p1: _max_pool3d(x, p0, p1, *args), x.shape[0], x.size + out.size)
    return out, idx


def adaptive_max_pool3d(x, out_size):
    """Volumes x (B, D, H, W) -> (out (B, OD, OH, OW), argmax int64 flat in D * H * W)
    over adaptive windows [floor(i n / m), ceil((i + 1) n / m)) per dim."""
    x = _volumes(x, "adaptive_max_pool3d")
    _positive("adaptive_max_pool3d", output_size=out_size)
    if min(x.shape[1:]) < 1:
        raise ValueError(f"adaptive_max_pool3d: empty volumes {x.shape}")
    out = np.empty((x.shape[0],) + tuple(out_size), x.dtype)
    idx = np.empty(out.shape, np.int64)
    has_nan = bool(np.isnan(x).any())
    split(lambda p0, p1: _adaptive_max_pool3d(x, p0, p1, has_nan, out, idx), x.shape[0], x.size + out.size)
    return out, idx


def max_pool3d_backward(g, idx, size, checked=False):
    """Scatter-add g (B, OD, OH, OW) to the argmax positions: the gradient (B, D, H, W).
    `checked`: idx is the kernels' own output, unchanged since (no range test)."""
    g = _volumes(g, "max_pool3d_backward")
    idx = np.asarray(idx)
    if idx.shape != g.shape:
        raise ValueError(f"max_pool3d_backward: indices {idx.shape} don't match the gradient {g.shape}")
    n = int(np.prod(size))
    b, m = g.shape[0], g.shape[1] * g.shape[2] * g.shape[3]  # no -1 in the reshapes: 0 volumes
    gx = pool.max_pool2d_backward(g.reshape(b, m, 1), idx.reshape(b, m, 1), (n, 1), checked)
    return gx.reshape((b,) + tuple(size))


def _divisor(divisor_override):
    return 0 if divisor_override is None else int(divisor_override)


def avg_pool3d(x, kernel, stride, padding, out_size, count_include_pad=True, divisor_override=None):
    """Volumes x (B, D, H, W) -> window means (B, OD, OH, OW)."""
    x = _volumes(x, "avg_pool3d")
    _positive("avg_pool3d", kernel=kernel, stride=stride)
    if len(padding) != 3 or min(padding) < 0 or len(out_size) != 3 or min(out_size) < 0:
        raise ValueError(f"avg_pool3d: bad padding {padding} or output size {out_size}")
    out = np.empty((x.shape[0],) + tuple(out_size), x.dtype)
    args = (*kernel, *stride, *padding, bool(count_include_pad), _divisor(divisor_override), out)
    split(lambda p0, p1: _avg_pool3d(x, p0, p1, *args), x.shape[0], x.size + out.size)
    return out


def avg_pool3d_backward(g, size, kernel, stride, padding, count_include_pad=True, divisor_override=None):
    """The adjoint of `avg_pool3d`: g (B, OD, OH, OW) -> (B, D, H, W)."""
    g = _volumes(g, "avg_pool3d_backward")
    _positive("avg_pool3d_backward", kernel=kernel, stride=stride)
    if len(padding) != 3 or min(padding) < 0:
        raise ValueError(f"avg_pool3d_backward: bad padding {padding}")
    gx = np.empty((g.shape[0],) + tuple(size), g.dtype)
    args = (*kernel, *stride, *padding, bool(count_include_pad), _divisor(divisor_override), gx)
    split(lambda p0, p1: _avg_pool3d_backward(g, p0, p1, *args), g.shape[0], g.size + gx.size)
    return gx


def adaptive_avg_pool3d(x, out_size):
    """Volumes x (B, D, H, W) -> (B, OD, OH, OW); window i spans [floor(i D / OD),
    ceil((i + 1) D / OD)) (likewise H, W)."""
    x = _volumes(x, "adaptive_avg_pool3d")
    _positive("adaptive_avg_pool3d", output_size=out_size)
    out = np.empty((x.shape[0],) + tuple(out_size), x.dtype)
    split(lambda p0, p1: _adaptive_avg_pool3d(x, p0, p1, out), x.shape[0], x.size + out.size)
    return out


def adaptive_avg_pool3d_backward(g, size):
    """The adjoint of `adaptive_avg_pool3d`: g (B, OD, OH, OW) -> (B, D, H, W)."""
    g = _volumes(g, "adaptive_avg_pool3d_backward")
    _positive("adaptive_avg_pool3d_backward", input_size=size)
    gx = np.empty((g.shape[0],) + tuple(size), g.dtype)
    split(lambda p0, p1: _adaptive_avg_pool3d_backward(g, p0, p1, gx), g.shape[0], g.size + gx.size)
    return gx
