"""Plain-NumPy references for the 3-D pooling kernels (kernels/pool3d.py) and the
3-D convolution's depth unfold (kernels/conv3d.py): slow, obvious loops over every
window that the kernels must match (references.py's 2-D ones with a depth axis)."""
import itertools

import numpy as np


def _window_voxels(o, kernel, stride, padding, dilation, size):
    """The in-bounds voxels of window `o` (a triple), in (d, h, w) order."""
    taps = itertools.product(*(range(k) for k in kernel))
    for t in taps:
        v = tuple(oo * s - p + tt * d for oo, s, p, tt, d in zip(o, stride, padding, t, dilation))
        if all(0 <= vv < n for vv, n in zip(v, size)):
            yield v


def max_pool3d(x, kernel, stride, padding, dilation, out_size):
    """(out, flat argmax): the first maximum of each window in (d, h, w) order, or the
    last NaN."""
    b, size = x.shape[0], x.shape[1:]
    out = np.empty((b,) + tuple(out_size), x.dtype)
    idx = np.empty(out.shape, np.int64)
    for p in range(b):
        for o in np.ndindex(*out_size):
            best, arg = None, None
            for v in _window_voxels(o, kernel, stride, padding, dilation, size):
                val = x[(p,) + v]
                if arg is None or val > best or np.isnan(val):
                    best, arg = val, int(np.ravel_multi_index(v, size))
            out[(p,) + o], idx[(p,) + o] = best, arg
    return out, idx


def _adaptive_span(i, n, m):
    return range((i * n) // m, -((-(i + 1) * n) // m))


def adaptive_max_pool3d(x, out_size):
    b, size = x.shape[0], x.shape[1:]
    out = np.empty((b,) + tuple(out_size), x.dtype)
    idx = np.empty(out.shape, np.int64)
    for p in range(b):
        for o in np.ndindex(*out_size):
            best, arg = None, None
            for v in itertools.product(*(_adaptive_span(i, n, m) for i, n, m in zip(o, size, out_size))):
                val = x[(p,) + v]
                if arg is None or val > best or np.isnan(val):
                    best, arg = val, int(np.ravel_multi_index(v, size))
            out[(p,) + o], idx[(p,) + o] = best, arg
    return out, idx


def _avg_windows(out_size, size, kernel, stride, padding, count_include_pad, divisor_override):
    """(output position, slices, divisor) for each average window (PyTorch's rule)."""
    for o in np.ndindex(*out_size):
        starts = [i * s - p for i, s, p in zip(o, stride, padding)]
        ends = [min(st + k, n + p) for st, k, n, p in zip(starts, kernel, size, padding)]
        full = int(np.prod([e - st for st, e in zip(starts, ends)]))
        sl = tuple(slice(max(st, 0), min(e, n)) for st, e, n in zip(starts, ends, size))
        inside = int(np.prod([max(s.stop - s.start, 0) for s in sl]))
        yield o, sl, divisor_override or (full if count_include_pad else inside)


def avg_pool3d(x, kernel, stride, padding, out_size, count_include_pad=True, divisor_override=None):
    out = np.zeros((x.shape[0],) + tuple(out_size), x.dtype)
    for o, sl, d in _avg_windows(out_size, x.shape[1:], kernel, stride, padding, count_include_pad,
                                 divisor_override):
        out[(slice(None),) + o] = x[(slice(None),) + sl].sum(axis=(1, 2, 3)) / d
    return out


def avg_pool3d_backward(g, size, kernel, stride, padding, count_include_pad=True, divisor_override=None):
    gx = np.zeros((g.shape[0],) + tuple(size), g.dtype)
    for o, sl, d in _avg_windows(g.shape[1:], size, kernel, stride, padding, count_include_pad,
                                 divisor_override):
        gx[(slice(None),) + sl] += (g[(slice(None),) + o] / d)[:, None, None, None]
    return gx


def adaptive_avg_pool3d(x, out_size):
    out = np.zeros((x.shape[0],) + tuple(out_size), x.dtype)
    for o in np.ndindex(*out_size):
        sl = tuple(slice(r.start, r.stop) for r in (_adaptive_span(i, n, m)
                                                     for i, n, m in zip(o, x.shape[1:], out_size)))
        out[(slice(None),) + o] = x[(slice(None),) + sl].mean(axis=(1, 2, 3))
    return out


def adaptive_avg_pool3d_backward(g, size):
    gx = np.zeros((g.shape[0],) + tuple(size), g.dtype)
    for o in np.ndindex(*g.shape[1:]):
        spans = [_adaptive_span(i, n, m) for i, n, m in zip(o, size, g.shape[1:])]
        sl = tuple(slice(r.start, r.stop) for r in spans)
        gx[(slice(None),) + sl] += (g[(slice(None),) + o] / np.prod([len(r) for r in spans]))[:, None, None, None]
    return gx


def depth_unfold(x, kd, sd, pad, dd, od):
    """x (N, C, D, H, W) -> (N * OD, C * kd, H, W): image (n, o), channel (c, t) is the
    depth slice o * sd - pad + t * dd (zeros outside)."""
    n, c, d, h, w = x.shape
    out = np.zeros((n, od, c, kd, h, w), x.dtype)
    for o in range(od):
        for t in range(kd):
            z = o * sd - pad + t * dd
            if 0 <= z < d:
                out[:, o, :, t] = x[:, :, z]
    return out.reshape(n * od, c * kd, h, w)
