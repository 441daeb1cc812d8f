"""Plain-NumPy references for the convolution, pooling and resampling kernels:
slow, obvious loops and slices that the Numba kernels must match."""
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
