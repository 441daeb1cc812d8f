"""Max, average and adaptive-average pooling over planes (B, H, W), forward and backward.

B is N * C (every plane pools alone). Every kernel works on the planes [p0, p1) and
releases the GIL; large calls split the planes over the threads `set_num_threads`
allows (workers.split). Max pooling
returns the argmax of each window as a flat index h * W + w into its plane
(PyTorch's `return_indices`), which is all its backward needs. Window rules follow
PyTorch: padding counts as -inf for max and as zeros for average pooling; an
average window is clipped to the padded input, and `count_include_pad` decides
whether padding counts in the divisor.
"""
import numpy as np

from ._numba import flat, njit
from .workers import split


@njit(cache=True, inline="always")
def _taps(start, step, size, k):
    """The taps t in [lo, hi) of a window at `start` whose pixel start + t * step is
    inside [0, size): no per-pixel bounds checks in the loops."""
    lo = 0 if start >= 0 else (-start + step - 1) // step
    top = size - 1 - start
    hi = 0 if top < 0 else min(k, top // step + 1)
    return lo, max(hi, lo)


@njit(cache=True, nogil=True)
def _max_pool2d(x, p0, p1, kh, kw, sh, sw, ph, pw, dh, dw, has_nan, out, idx):
    # PyTorch's rule: the first maximum in row-major order wins, and a NaN wins (the
    # last one, as `val > max || isnan(val)` keeps replacing). The NaN test costs 3x
    # in this loop, so it runs only when the input holds a NaN (`has_nan`).
    b, h, w = x.shape
    _, oh, ow = out.shape
    for p in range(p0, p1):
        for i in range(oh):
            h0 = i * sh - ph
            alo, ahi = _taps(h0, dh, h, kh)
            for j in range(ow):
                w0 = j * sw - pw
                clo, chi = _taps(w0, dw, w, kw)
                y = h0 + alo * dh
                xx = w0 + clo * dw
                best = x[p, y, xx]
                arg = y * w + xx
                if has_nan:
                    for a in range(alo, ahi):
                        y = h0 + a * dh
                        for c in range(clo, chi):
                            xx = w0 + c * dw
                            v = x[p, y, xx]
                            if v > best or v != v:
                                best = v
                                arg = y * w + xx
                else:
                    for a in range(alo, ahi):
                        y = h0 + a * dh
                        for c in range(clo, chi):
                            xx = w0 + c * dw
                            v = x[p, y, xx]
                            if v > best:
                                best = v
                                arg = y * w + xx
                out[p, i, j] = best
                idx[p, i, j] = arg


@njit(cache=True, nogil=True)
def _max_pool2d_dense(x, p0, p1, kh, kw, sh, sw, out, idx):
    # no padding, no dilation, every window inside: nothing to check. Returns True if
    # a window held a NaN (the caller then runs the general kernel, which keeps it)
    b, h, w = x.shape
    _, oh, ow = out.shape
    bad = False
    for p in range(p0, p1):
        for i in range(oh):
            y0 = i * sh
            for j in range(ow):
                x0 = j * sw
                best = x[p, y0, x0]
                arg = y0 * w + x0
                for a in range(kh):
                    for c in range(kw):
                        v = x[p, y0 + a, x0 + c]
                        bad |= v != v
                        if v > best:
                            best = v
                            arg = (y0 + a) * w + x0 + c
                out[p, i, j] = best
                idx[p, i, j] = arg
    return bad


@njit(cache=True, nogil=True)
def _max_pool2d_2x2(x, p0, p1, sh, sw, out, idx):
    # the dense case for the commonest window, unrolled (6x faster than the general
    # loop); returns True if a window held a NaN, as _max_pool2d_dense
    b, h, w = x.shape
    _, oh, ow = out.shape
    bad = False
    for p in range(p0, p1):
        for i in range(oh):
            y = i * sh
            r0 = x[p, y]
            r1 = x[p, y + 1]
            o = out[p, i]
            ix = idx[p, i]
            for j in range(ow):
                c = j * sw
                v00 = r0[c]
                v01 = r0[c + 1]
                v10 = r1[c]
                v11 = r1[c + 1]
                bad |= (v00 != v00) | (v01 != v01) | (v10 != v10) | (v11 != v11)
                best = v00
                arg = y * w + c
                if v01 > best:
                    best = v01
                    arg = y * w + c + 1
                if v10 > best:
                    best = v10
                    arg = (y + 1) * w + c
                if v11 > best:
                    best = v11
                    arg = (y + 1) * w + c + 1
                o[j] = best
                ix[j] = arg
    return bad


@njit(cache=True, nogil=True)
def _max_pool2d_backward(g, idx, p0, p1, gx):
    # gx (B, H * W): each plane zeroed here (in cache), then the scatter-add
    b, oh, ow = g.shape
    for p in range(p0, p1):
        plane = gx[p]
        for q in range(plane.size):
            plane[q] = 0
        gp = flat(g[p])
        ip = flat(idx[p])
        for q in range(gp.size):
            plane[ip[q]] += gp[q]


@njit(cache=True, inline="always")
def _window(o, stride, pad, k, size):
    """(start, end, padded length) of an average window along one dim."""
    s = o * stride - pad
    e = min(s + k, size + pad)
    n = e - s
    return max(s, 0), min(e, size), n


@njit(cache=True, nogil=True)
def _avg_pool2d(x, p0, p1, kh, kw, sh, sw, ph, pw, include_pad, divisor, out):
    b, h, w = x.shape
    _, oh, ow = out.shape
    for p in range(p0, p1):
        for i in range(oh):
            hs, he, hn = _window(i, sh, ph, kh, h)
            for j in range(ow):
                ws, we, wn = _window(j, sw, pw, kw, w)
                acc = 0.0
                for y in range(hs, he):
                    for xx in range(ws, we):
                        acc += x[p, y, xx]
                if divisor > 0:
                    d = divisor
                elif include_pad:
                    d = hn * wn
                else:
                    d = (he - hs) * (we - ws)
                out[p, i, j] = acc / d if d > 0 else 0.0


@njit(cache=True, nogil=True)
def _avg_pool2d_backward(g, p0, p1, kh, kw, sh, sw, ph, pw, include_pad, divisor, gx):
    b, h, w = gx.shape
    _, oh, ow = g.shape
    for p in range(p0, p1):
        plane = flat(gx[p])
        for q in range(plane.size):
            plane[q] = 0
        for i in range(oh):
            hs, he, hn = _window(i, sh, ph, kh, h)
            for j in range(ow):
                ws, we, wn = _window(j, sw, pw, kw, w)
                if divisor > 0:
                    d = divisor
                elif include_pad:
                    d = hn * wn
                else:
                    d = (he - hs) * (we - ws)
                if d <= 0:
                    continue
                v = g[p, i, j] / d
                for y in range(hs, he):
                    for xx in range(ws, we):
                        gx[p, y, xx] += v


@njit(cache=True, nogil=True)
def _adaptive_avg_pool2d(x, p0, p1, out):
    b, h, w = x.shape
    _, oh, ow = out.shape
    for p in range(p0, p1):
        for i in range(oh):
            hs = (i * h) // oh
            he = ((i + 1) * h + oh - 1) // oh
            for j in range(ow):
                ws = (j * w) // ow
                we = ((j + 1) * w + ow - 1) // ow
                acc = 0.0
                for y in range(hs, he):
                    for xx in range(ws, we):
                        acc += x[p, y, xx]
                out[p, i, j] = acc / ((he - hs) * (we - ws))


@njit(cache=True, nogil=True)
def _adaptive_avg_pool2d_backward(g, p0, p1, gx):
    b, h, w = gx.shape
    _, oh, ow = g.shape
    for p in range(p0, p1):
        plane = flat(gx[p])
        for q in range(plane.size):
            plane[q] = 0
        for i in range(oh):
            hs = (i * h) // oh
            he = ((i + 1) * h + oh - 1) // oh
            for j in range(ow):
                ws = (j * w) // ow
                we = ((j + 1) * w + ow - 1) // ow
                v = g[p, i, j] / ((he - hs) * (we - ws))
                for y in range(hs, he):
                    for xx in range(ws, we):
                        gx[p, y, xx] += v


# ---- entry points: check, make contiguous, allocate ----------------------------------------------------
def _planes(x, what):
    if x.dtype not in (np.float32, np.float64) or x.ndim != 3:
        raise TypeError(f"{what}: expected float32/float64 planes (B, H, W), got {x.dtype} {x.shape}")
    return np.ascontiguousarray(x)


def _positive(what, **values):
    for name, v in values.items():
        if min(v) < 1:
            raise ValueError(f"{what}: {name} must be positive, got {v}")


def max_pool2d(x, kernel, stride, padding, dilation, out_hw):
    """Planes x (B, H, W) -> (out (B, OH, OW), argmax (B, OH, OW) int64 flat in H * W).
    Every window must hold at least one input pixel (the caller ensures it)."""
    x = _planes(x, "max_pool2d")
    _positive("max_pool2d", kernel=kernel, stride=stride, dilation=dilation)
    if min(padding) < 0 or min(out_hw) < 0:
        raise ValueError(f"max_pool2d: bad padding {padding} or output size {out_hw}")
    for n, k, st, pd, d, o in zip(x.shape[1:], kernel, stride, padding, dilation, out_hw):
        pix = (np.arange(o) * st - pd)[:, None] + np.arange(k) * d  # every window's pixels
        if not ((pix >= 0) & (pix < n)).any(axis=1).all():
            raise ValueError(f"max_pool2d: a window (kernel {k}, stride {st}, padding {pd}, dilation {d}) "
                             f"holds no pixel of a dim of size {n}")
    out = np.empty((x.shape[0],) + tuple(out_hw), x.dtype)
    idx = np.empty(out.shape, np.int64)
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    inside = all((o - 1) * st + k <= n for n, k, st, o in zip(x.shape[1:], kernel, stride, out_hw))
    work = x.size + out.size
    if inside and (ph, pw) == (0, 0) and (dh, dw) == (1, 1) and min(out_hw) > 0:
        found_nan = []
        if (kh, kw) == (2, 2):
            split(lambda p0, p1: found_nan.append(_max_pool2d_2x2(x, p0, p1, sh, sw, out, idx)), x.shape[0], work)
        else:
            split(lambda p0, p1: found_nan.append(_max_pool2d_dense(x, p0, p1, kh, kw, sh, sw, out, idx)),
                  x.shape[0], work)
        if not any(found_nan):
            return out, idx
    # the general kernel; it tests for NaN (3x slower) only when the input holds one
    has_nan = bool(np.isnan(x).any())
    split(lambda p0, p1: _max_pool2d(x, p0, p1, kh, kw, sh, sw, ph, pw, dh, dw, has_nan, out, idx),
          x.shape[0], work)
    return out, idx


def max_pool2d_backward(g, idx, hw, checked=False):
    """Scatter-add g (B, OH, OW) to the argmax positions: the gradient (B, H, W).
    `checked`: idx is max_pool2d's own output, unchanged since (no range test)."""
    g = _planes(g, "max_pool2d_backward")
    idx = np.ascontiguousarray(idx, dtype=np.int64)
    if idx.shape != g.shape:
        raise ValueError(f"max_pool2d_backward: indices {idx.shape} don't match the gradient {g.shape}")
    n = hw[0] * hw[1]
    if not checked and idx.size and (idx.min() < 0 or idx.max() >= n):
        raise ValueError(f"max_pool2d_backward: indices out of range for planes of {tuple(hw)}")
    gx = np.empty((g.shape[0], n), g.dtype)
    split(lambda p0, p1: _max_pool2d_backward(g, idx, p0, p1, gx), g.shape[0], gx.size + g.size)
    return gx.reshape((g.shape[0],) + tuple(hw))


def _divisor(divisor_override):
    return 0 if divisor_override is None else int(divisor_override)


def avg_pool2d(x, kernel, stride, padding, out_hw, count_include_pad=True, divisor_override=None):
    """Planes x (B, H, W) -> window means (B, OH, OW)."""
    x = _planes(x, "avg_pool2d")
    _positive("avg_pool2d", kernel=kernel, stride=stride)
    if min(padding) < 0 or min(out_hw) < 0:
        raise ValueError(f"avg_pool2d: bad padding {padding} or output size {out_hw}")
    out = np.empty((x.shape[0],) + tuple(out_hw), x.dtype)
    args = (kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], bool(count_include_pad),
            _divisor(divisor_override), out)
    split(lambda p0, p1: _avg_pool2d(x, p0, p1, *args), x.shape[0], x.size + out.size)
    return out


def avg_pool2d_backward(g, hw, kernel, stride, padding, count_include_pad=True, divisor_override=None):
    """The adjoint of `avg_pool2d`: g (B, OH, OW) -> (B, H, W)."""
    g = _planes(g, "avg_pool2d_backward")
    _positive("avg_pool2d_backward", kernel=kernel, stride=stride)
    if min(padding) < 0:
        raise ValueError(f"avg_pool2d_backward: bad padding {padding}")
    gx = np.empty((g.shape[0],) + tuple(hw), g.dtype)
    args = (kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], bool(count_include_pad),
            _divisor(divisor_override), gx)
    split(lambda p0, p1: _avg_pool2d_backward(g, p0, p1, *args), g.shape[0], g.size + gx.size)
    return gx


def adaptive_avg_pool2d(x, out_hw):
    """Planes x (B, H, W) -> (B, OH, OW); window i spans [floor(i H / OH), ceil((i + 1) H / OH))."""
    x = _planes(x, "adaptive_avg_pool2d")
    _positive("adaptive_avg_pool2d", output_size=out_hw)
    out = np.empty((x.shape[0],) + tuple(out_hw), x.dtype)
    split(lambda p0, p1: _adaptive_avg_pool2d(x, p0, p1, out), x.shape[0], x.size + out.size)
    return out


def adaptive_avg_pool2d_backward(g, hw):
    g = _planes(g, "adaptive_avg_pool2d_backward")
    _positive("adaptive_avg_pool2d_backward", input_size=hw)
    gx = np.empty((g.shape[0],) + tuple(hw), g.dtype)
    split(lambda p0, p1: _adaptive_avg_pool2d_backward(g, p0, p1, gx), g.shape[0], g.size + gx.size)
    return gx
