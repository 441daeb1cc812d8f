"""Plain-NumPy references for the convolution, pooling and resampling kernels:
slow, obvious loops and slices that the Numba kernels must match."""
import itertools

import numpy as np


def _padded(x, pt, pl, need_h, need_w, fill=0.0):
    """x (N, C, H, W) padded top/left by pt/pl and bottom/right up to need_h x need_w."""
    n, c, h, w = x.shape
    out = np.full((n, c, max(need_h, h + pt), max(need_w, w + pl)), fill, x.dtype)
    out[:, :, pt:pt + h, pl:pl + w] = x
    return out


def im2col(x, kernel, stride, padding, dilation, out_hw):
    n, c, h, w = x.shape
    (kh, kw), (sh, sw), (pt, pl), (dh, dw), (oh, ow) = kernel, stride, padding, dilation, out_hw
    xp = _padded(x, pt, pl, (oh - 1) * sh + (kh - 1) * dh + 1, (ow - 1) * sw + (kw - 1) * dw + 1)
    cols = np.zeros((c, kh, kw, n, oh, ow), x.dtype)
    for i in range(kh):
        for j in range(kw):
            patch = xp[:, :, i * dh:i * dh + (oh - 1) * sh + 1:sh, j * dw:j * dw + (ow - 1) * sw + 1:sw]
            cols[:, i, j] = patch.transpose(1, 0, 2, 3)
    return cols.reshape(c * kh * kw, n, oh * ow)


def col2im(cols, shape, kernel, stride, padding, dilation, out_hw):
    n, c, h, w = shape
    (kh, kw), (sh, sw), (pt, pl), (dh, dw), (oh, ow) = kernel, stride, padding, dilation, out_hw
    xp = _padded(np.zeros(shape, cols.dtype), pt, pl, (oh - 1) * sh + (kh - 1) * dh + 1,
                 (ow - 1) * sw + (kw - 1) * dw + 1)
    c6 = cols.reshape(c, kh, kw, n, oh, ow)
    for i in range(kh):
        for j in range(kw):
            xp[:, :, i * dh:i * dh + (oh - 1) * sh + 1:sh, j * dw:j * dw + (ow - 1) * sw + 1:sw] += \
                c6[:, i, j].transpose(1, 0, 2, 3)
    return xp[:, :, pt:pt + h, pl:pl + w]


def max_pool2d(x, kernel, stride, padding, dilation, out_hw):
    """(out, flat argmax): the first maximum of each window in row-major order."""
    b, h, w = x.shape
    out = np.empty((b,) + tuple(out_hw), x.dtype)
    idx = np.empty(out.shape, np.int64)
    for p in range(b):
        for i in range(out_hw[0]):
            for j in range(out_hw[1]):
                best, arg = -np.inf, None
                for a in range(kernel[0]):
                    for c in range(kernel[1]):
                        y = i * stride[0] - padding[0] + a * dilation[0]
                        xx = j * stride[1] - padding[1] + c * dilation[1]
                        if 0 <= y < h and 0 <= xx < w:
                            if arg is None or x[p, y, xx] > best:
                                best, arg = x[p, y, xx], y * w + xx
                out[p, i, j], idx[p, i, j] = best, arg
    return out, idx


def max_pool2d_backward(g, idx, hw):
    gx = np.zeros((g.shape[0], hw[0] * hw[1]), g.dtype)
    for p in range(g.shape[0]):
        np.add.at(gx[p], idx[p].ravel(), g[p].ravel())
    return gx.reshape((g.shape[0],) + tuple(hw))


def _avg_windows(out_hw, hw, kernel, stride, padding, count_include_pad, divisor_override):
    """Yield (i, j, row slice, column slice, divisor) for each average window."""
    for i in range(out_hw[0]):
        hs = i * stride[0] - padding[0]
        he = min(hs + kernel[0], hw[0] + padding[0])
        for j in range(out_hw[1]):
            ws = j * stride[1] - padding[1]
            we = min(ws + kernel[1], hw[1] + padding[1])
            full = (he - hs) * (we - ws)
            rows, cols = slice(max(hs, 0), min(he, hw[0])), slice(max(ws, 0), min(we, hw[1]))
            inside = (rows.stop - rows.start) * (cols.stop - cols.start)
            d = divisor_override or (full if count_include_pad else inside)
            yield i, j, rows, cols, d


def avg_pool2d(x, kernel, stride, padding, out_hw, count_include_pad=True, divisor_override=None):
    out = np.zeros((x.shape[0],) + tuple(out_hw), x.dtype)
    for i, j, r, c, d in _avg_windows(out_hw, x.shape[1:], kernel, stride, padding, count_include_pad,
                                      divisor_override):
        out[:, i, j] = x[:, r, c].sum(axis=(1, 2)) / d
    return out


def avg_pool2d_backward(g, hw, kernel, stride, padding, count_include_pad=True, divisor_override=None):
    gx = np.zeros((g.shape[0],) + tuple(hw), g.dtype)
    for i, j, r, c, d in _avg_windows(g.shape[1:], hw, kernel, stride, padding, count_include_pad,
                                      divisor_override):
        gx[:, r, c] += (g[:, i, j] / d)[:, None, None]
    return gx


def _adaptive_windows(out_hw, hw):
    for i in range(out_hw[0]):
        r = slice(i * hw[0] // out_hw[0], -(-(i + 1) * hw[0] // out_hw[0]))
        for j in range(out_hw[1]):
            c = slice(j * hw[1] // out_hw[1], -(-(j + 1) * hw[1] // out_hw[1]))
            yield i, j, r, c


def adaptive_avg_pool2d(x, out_hw):
    out = np.zeros((x.shape[0],) + tuple(out_hw), x.dtype)
    for i, j, r, c in _adaptive_windows(out_hw, x.shape[1:]):
        out[:, i, j] = x[:, r, c].mean(axis=(1, 2))
    return out


def adaptive_avg_pool2d_backward(g, hw):
    gx = np.zeros((g.shape[0],) + tuple(hw), g.dtype)
    for i, j, r, c in _adaptive_windows(g.shape[1:], hw):
        gx[:, r, c] += (g[:, i, j] / ((r.stop - r.start) * (c.stop - c.start)))[:, None, None]
    return gx


def gather2d(x, rows, cols):
    return x[:, np.asarray(rows)[:, None], np.asarray(cols)[None, :]]


def scatter2d(g, rows, cols, hw):
    gx = np.zeros((g.shape[0],) + tuple(hw), g.dtype)
    np.add.at(gx, (slice(None), np.asarray(rows)[:, None], np.asarray(cols)[None, :]), g)
    return gx


# ---- grid_sample: one point at a time, one axis at a time ------------------------------------------
def _pad_position(p, d, size, padding, align):
    """Pixel position p (with derivative d) through the padding mode."""
    if padding == 2:  # reflect into [lo, hi] one edge at a time, then clip
        lo, hi = (0.0, size - 1.0) if align else (-0.5, size - 0.5)
        if hi == lo:
            p, d = 0.0, 0.0
        else:
            while p < lo or p > hi:
                p, d = (2 * lo - p, -d) if p < lo else (2 * hi - p, -d)
    if padding in (1, 2):
        if p <= 0 or p >= size - 1:
            p, d = min(max(p, 0.0), size - 1.0), 0.0
    return p, d


def _unnormalised(c, size, align):
    return ((c + 1) / 2 * (size - 1), (size - 1) / 2) if align else (((c + 1) * size - 1) / 2, size / 2)


def _cubic_1d(t):
    a = -0.75
    out, der = [], []
    for k, s in enumerate((t + 1, t, 1 - t, 2 - t)):
        sign = 1.0 if k < 2 else -1.0  # the distance grows with t for the first two taps
        if abs(s) <= 1:
            out.append((a + 2) * s ** 3 - (a + 3) * s ** 2 + 1)
            der.append(sign * (3 * (a + 2) * s ** 2 - 2 * (a + 3) * s))
        else:
            out.append(a * s ** 3 - 5 * a * s ** 2 + 8 * a * s - 4 * a)
            der.append(sign * (3 * a * s ** 2 - 10 * a * s + 8 * a))
    return out, der


def _grid_taps(c, size, mode, padding, align):
    """[(pixel index or None, weight, d weight / d c)] of one axis."""
    p, d = _unnormalised(c, size, align)
    if mode == 2:
        f = np.floor(p)
        ws, ds = _cubic_1d(p - f)
        taps = []
        for k in range(4):
            i = int(round(_pad_position(f - 1 + k, 0.0, size, padding, align)[0]))
            taps.append((i if 0 <= i < size else None, ws[k], ds[k] * d))
        return taps
    p, d = _pad_position(p, d, size, padding, align)
    if mode == 1:
        i = int(np.rint(p))
        return [(i if 0 <= i < size else None, 1.0, 0.0)]
    f = int(np.floor(p))
    t = p - f
    return [(f if 0 <= f < size else None, 1 - t, -d), (f + 1 if 0 <= f + 1 < size else None, t, d)]


def grid_sample(x, grid, g, mode, padding, align):
    """(out, input gradient, grid gradient) for output gradient g, point by point."""
    nd = x.ndim - 2
    spatial = x.shape[2:]
    out = np.zeros(x.shape[:2] + grid.shape[1:-1])
    gx, ggrid = np.zeros(x.shape), np.zeros(grid.shape)
    for n in range(x.shape[0]):
        for pos in np.ndindex(*grid.shape[1:-1]):
            axes = [_grid_taps(float(grid[(n,) + pos + (nd - 1 - a,)]), spatial[a], mode, padding, align)
                    for a in range(nd)]  # outermost spatial axis first
            for combo in itertools.product(*axes):
                if any(i is None for i, _, _ in combo):
                    continue
                index = (n, slice(None)) + tuple(i for i, _, _ in combo)
                weight = np.prod([w for _, w, _ in combo])
                out[(n, slice(None)) + pos] += x[index] * weight
                gx[index] += g[(n, slice(None)) + pos] * weight
                dot = float(np.dot(x[index], g[(n, slice(None)) + pos]))
                for a in range(nd):
                    others = np.prod([w for b, (_, w, _) in enumerate(combo) if b != a])
                    ggrid[(n,) + pos + (nd - 1 - a,)] += dot * combo[a][2] * others
    return out, gx, ggrid
