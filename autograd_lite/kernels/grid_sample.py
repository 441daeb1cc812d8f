"""grid_sample's kernels: sample (N, C, H, W) or (N, C, D, H, W) input at the points of
a grid of normalised coordinates in [-1, 1], and the adjoint (the input's gradient, a
scatter-add, and the grid's).

A grid point's coordinate is unnormalised to a pixel position (align_corners=True:
-1 and 1 are the corner pixels' centres; False: their outer edges), then the padding
mode maps it into the image ('border' clips, 'reflection' reflects at the edges then
clips; 'zeros' leaves it and out-of-range pixels read 0). Modes (PyTorch's numbering):
0 bilinear (trilinear on 5-D input), 1 nearest (round half to even), 2 bicubic
(4-D only; the cubic convolution with A = -0.75 over a 4 x 4 neighbourhood, whose
pixel indices, not the coordinate, go through the padding). The grid's gradient
follows PyTorch's conventions: a clipped coordinate passes no gradient, a reflected
one passes it with its sign flipped, nearest passes zeros. Non-finite coordinates
give PyTorch's values, whose rules differ between its 2-D kernel and its 3-D one:
in 2-D, NaN under bicubic and under bilinear with zeros padding (the grid's gradient
NaN there, the input's none), elsewhere NaN clips to 0; in 3-D, NaN clips to the far
edge; an infinity clips to the edge it points to ('zeros': outside the image).

The kernels work on the samples [n0, n1) (each writes its own samples' slices of the
outputs) and release the GIL; the entry points split the batch over the threads
`set_num_threads` allows.
"""
import math

import numpy as np

from ._numba import njit
from .workers import split

MODES = {"bilinear": 0, "nearest": 1, "bicubic": 2}
PADDINGS = {"zeros": 0, "border": 1, "reflection": 2}
_A = -0.75  # PyTorch's cubic convolution coefficient


@njit(cache=True, nogil=True)
def _unnormalise(c, size, align):
    """Pixel position of normalised coordinate c, and d(position)/dc."""
    if align:
        return (c + 1.0) / 2.0 * (size - 1), (size - 1) / 2.0
    return ((c + 1.0) * size - 1.0) / 2.0, size / 2.0


@njit(cache=True, nogil=True)
def _clip(p, size, nan_high):
    """min(size - 1, max(p, 0)) and its derivative (0 where clipped, as PyTorch). NaN
    clips to 0 as in PyTorch's vectorised 2-D kernel, or to size - 1 (`nan_high`) as in
    its 3-D one."""
    if p != p:
        return (float(size - 1) if nan_high else 0.0), 0.0
    if p <= 0.0:
        return 0.0, 0.0
    if p >= size - 1:
        return float(size - 1), 0.0
    return p, 1.0


@njit(cache=True, nogil=True)
def _reflect(p, twice_low, twice_high):
    """Reflect p into [twice_low / 2, twice_high / 2] and the derivative's sign."""
    if twice_low == twice_high:
        return 0.0, 0.0
    low = twice_low / 2.0
    span = (twice_high - twice_low) / 2.0
    sign = 1.0
    p = p - low
    if p < 0.0:
        sign, p = -1.0, -p
    extra = np.fmod(p, span)
    flips = math.floor(p / span)
    if flips % 2 == 0:
        return extra + low, sign
    return span - extra + low, -sign


@njit(cache=True, nogil=True)
def _pad(p, size, padding, align, nan_high):
    """The padding mode's map of pixel position p, and its derivative."""
    d = 1.0
    if padding == 1:
        p, d = _clip(p, size, nan_high)
    elif padding == 2:
        if align:
            p, d = _reflect(p, 0, 2 * (size - 1))
        else:
            p, d = _reflect(p, -1, 2 * size - 1)
        p, d2 = _clip(p, size, nan_high)
        d = d * d2
    if not math.isfinite(p) or p > 2147483647.0 or p < -2147483648.0:
        p = -100.0  # PyTorch's safe_downgrade_to_int_range: far outside any image
    return p, d


@njit(cache=True, nogil=True)
def _undefined(mode, padding, cx, cy):
    """A 2-D point whose output is NaN, as in PyTorch's vectorised kernel: a non-finite
    coordinate under bicubic, or under bilinear with zeros padding (NaN weights)."""
    if mode == 1 or (mode == 0 and padding != 0):
        return False
    return not (math.isfinite(cx) and math.isfinite(cy))


@njit(cache=True, nogil=True)
def _source(c, size, padding, align, nan_high):
    p, d = _unnormalise(c, size, align)
    p, d2 = _pad(p, size, padding, align, nan_high)
    return p, d * d2


@njit(cache=True, nogil=True)
def _nearest(p):
    """p rounded half to even (C's nearbyint), as an index."""
    r = math.floor(p)
    d = p - r
    if d > 0.5 or (d == 0.5 and r % 2 == 1):
        r += 1.0
    return int(r)


@njit(cache=True, nogil=True)
def _cubic_weights(t, w, dw):
    """The four cubic convolution weights at fraction t, and their derivatives in t."""
    for k in range(4):
        x = abs(t + 1.0 - k)
        s = 1.0 if t + 1.0 - k >= 0.0 else -1.0
        if x <= 1.0:
            w[k] = ((_A + 2.0) * x - (_A + 3.0)) * x * x + 1.0
            dw[k] = s * (3.0 * (_A + 2.0) * x - 2.0 * (_A + 3.0)) * x
        else:
            w[k] = ((_A * x - 5.0 * _A) * x + 8.0 * _A) * x - 4.0 * _A
            dw[k] = s * ((3.0 * _A * x - 10.0 * _A) * x + 8.0 * _A)


@njit(cache=True, nogil=True)
def _bounded(i, size, padding, align):
    """A cubic tap's pixel index (a whole number as a float) through the padding, or -1
    outside the image."""
    p, _ = _pad(i, size, padding, align, False)
    k = int(p)
    return k if 0 <= k < size else -1


@njit(cache=True, nogil=True)
def _sample2d(x, grid, n0, n1, mode, padding, align, out):
    C, H, W = x.shape[1], x.shape[2], x.shape[3]
    wx, wy = np.empty(4), np.empty(4)
    dwx, dwy = np.empty(4), np.empty(4)
    cols, rows = np.empty(4, np.int64), np.empty(4, np.int64)
    for n in range(n0, n1):
        for i in range(grid.shape[1]):
            for j in range(grid.shape[2]):
                if _undefined(mode, padding, grid[n, i, j, 0], grid[n, i, j, 1]):
                    for c in range(C):
                        out[n, c, i, j] = np.nan
                    continue
                if mode == 2:
                    px, _ = _unnormalise(grid[n, i, j, 0], W, align)
                    py, _ = _unnormalise(grid[n, i, j, 1], H, align)
                    fx, fy = math.floor(px), math.floor(py)
                    _cubic_weights(px - fx, wx, dwx)
                    _cubic_weights(py - fy, wy, dwy)
                    for k in range(4):
                        cols[k] = _bounded(fx - 1.0 + k, W, padding, align)
                        rows[k] = _bounded(fy - 1.0 + k, H, padding, align)
                    for c in range(C):
                        acc = 0.0
                        for a in range(4):
                            row = 0.0
                            if rows[a] >= 0:
                                for b in range(4):
                                    if cols[b] >= 0:
                                        row += x[n, c, rows[a], cols[b]] * wx[b]
                            acc += row * wy[a]
                        out[n, c, i, j] = acc
                    continue
                px, _ = _source(grid[n, i, j, 0], W, padding, align, False)
                py, _ = _source(grid[n, i, j, 1], H, padding, align, False)
                if mode == 1:
                    ix, iy = _nearest(px), _nearest(py)
                    inside = 0 <= ix < W and 0 <= iy < H
                    for c in range(C):
                        out[n, c, i, j] = x[n, c, iy, ix] if inside else 0.0
                    continue
                x0, y0 = int(math.floor(px)), int(math.floor(py))
                tx, ty = px - x0, py - y0
                for c in range(C):
                    acc = 0.0
                    for a in range(2):
                        yy = y0 + a
                        if 0 <= yy < H:
                            vy = ty if a else 1.0 - ty
                            for b in range(2):
                                xx = x0 + b
                                if 0 <= xx < W:
                                    acc += x[n, c, yy, xx] * ((tx if b else 1.0 - tx) * vy)
                    out[n, c, i, j] = acc


@njit(cache=True, nogil=True)
def _sample2d_backward(g, x, grid, n0, n1, mode, padding, align, gx, ggrid):
    C, H, W = x.shape[1], x.shape[2], x.shape[3]
    wx, wy = np.empty(4), np.empty(4)
    dwx, dwy = np.empty(4), np.empty(4)
    cols, rows = np.empty(4, np.int64), np.empty(4, np.int64)
    for n in range(n0, n1):
        gx[n] = 0.0
        ggrid[n] = 0.0
        for i in range(grid.shape[1]):
            for j in range(grid.shape[2]):
                if _undefined(mode, padding, grid[n, i, j, 0], grid[n, i, j, 1]):
                    ggrid[n, i, j, 0] = ggrid[n, i, j, 1] = np.nan
                    continue
                if mode == 2:
                    px, mx = _unnormalise(grid[n, i, j, 0], W, align)
                    py, my = _unnormalise(grid[n, i, j, 1], H, align)
                    fx, fy = math.floor(px), math.floor(py)
                    _cubic_weights(px - fx, wx, dwx)
                    _cubic_weights(py - fy, wy, dwy)
                    for k in range(4):
                        cols[k] = _bounded(fx - 1.0 + k, W, padding, align)
                        rows[k] = _bounded(fy - 1.0 + k, H, padding, align)
                    sx = sy = 0.0
                    for c in range(C):
                        go = g[n, c, i, j]
                        for a in range(4):
                            if rows[a] < 0:
                                continue
                            for b in range(4):
                                if cols[b] < 0:
                                    continue
                                v = x[n, c, rows[a], cols[b]]
                                gx[n, c, rows[a], cols[b]] += go * wx[b] * wy[a]
                                sx += v * dwx[b] * wy[a] * go
                                sy += v * wx[b] * dwy[a] * go
                    ggrid[n, i, j, 0] = sx * mx
                    ggrid[n, i, j, 1] = sy * my
                    continue
                px, mx = _source(grid[n, i, j, 0], W, padding, align, False)
                py, my = _source(grid[n, i, j, 1], H, padding, align, False)
                if mode == 1:
                    ix, iy = _nearest(px), _nearest(py)
                    if 0 <= ix < W and 0 <= iy < H:
                        for c in range(C):
                            gx[n, c, iy, ix] += g[n, c, i, j]
                    continue
                x0, y0 = int(math.floor(px)), int(math.floor(py))
                tx, ty = px - x0, py - y0
                sx = sy = 0.0
                for c in range(C):
                    go = g[n, c, i, j]
                    for a in range(2):
                        yy = y0 + a
                        if not 0 <= yy < H:
                            continue
                        vy, dy = (ty, 1.0) if a else (1.0 - ty, -1.0)
                        for b in range(2):
                            xx = x0 + b
                            if not 0 <= xx < W:
                                continue
                            vx, dx = (tx, 1.0) if b else (1.0 - tx, -1.0)
                            gx[n, c, yy, xx] += go * (vx * vy)
                            v = x[n, c, yy, xx] * go
                            sx += v * dx * vy
                            sy += v * vx * dy
                ggrid[n, i, j, 0] = sx * mx
                ggrid[n, i, j, 1] = sy * my


@njit(cache=True, nogil=True)
def _sample3d(x, grid, n0, n1, mode, padding, align, out):
    C, D, H, W = x.shape[1], x.shape[2], x.shape[3], x.shape[4]
    for n in range(n0, n1):
        for i in range(grid.shape[1]):
            for j in range(grid.shape[2]):
                for k in range(grid.shape[3]):
                    px, _ = _source(grid[n, i, j, k, 0], W, padding, align, True)
                    py, _ = _source(grid[n, i, j, k, 1], H, padding, align, True)
                    pz, _ = _source(grid[n, i, j, k, 2], D, padding, align, True)
                    if mode == 1:
                        ix, iy, iz = _nearest(px), _nearest(py), _nearest(pz)
                        inside = 0 <= ix < W and 0 <= iy < H and 0 <= iz < D
                        for c in range(C):
                            out[n, c, i, j, k] = x[n, c, iz, iy, ix] if inside else 0.0
                        continue
                    x0, y0, z0 = int(math.floor(px)), int(math.floor(py)), int(math.floor(pz))
                    tx, ty, tz = px - x0, py - y0, pz - z0
                    for c in range(C):
                        acc = 0.0
                        for e in range(2):
                            zz = z0 + e
                            if not 0 <= zz < D:
                                continue
                            vz = tz if e else 1.0 - tz
                            for a in range(2):
                                yy = y0 + a
                                if not 0 <= yy < H:
                                    continue
                                vy = ty if a else 1.0 - ty
                                for b in range(2):
                                    xx = x0 + b
                                    if 0 <= xx < W:
                                        vx = tx if b else 1.0 - tx
                                        acc += x[n, c, zz, yy, xx] * (vx * vy * vz)
                        out[n, c, i, j, k] = acc


@njit(cache=True, nogil=True)
def _sample3d_backward(g, x, grid, n0, n1, mode, padding, align, gx, ggrid):
    C, D, H, W = x.shape[1], x.shape[2], x.shape[3], x.shape[4]
    for n in range(n0, n1):
        gx[n] = 0.0
        ggrid[n] = 0.0
        for i in range(grid.shape[1]):
            for j in range(grid.shape[2]):
                for k in range(grid.shape[3]):
                    px, mx = _source(grid[n, i, j, k, 0], W, padding, align, True)
                    py, my = _source(grid[n, i, j, k, 1], H, padding, align, True)
                    pz, mz = _source(grid[n, i, j, k, 2], D, padding, align, True)
                    if mode == 1:
                        ix, iy, iz = _nearest(px), _nearest(py), _nearest(pz)
                        if 0 <= ix < W and 0 <= iy < H and 0 <= iz < D:
                            for c in range(C):
                                gx[n, c, iz, iy, ix] += g[n, c, i, j, k]
                        continue
                    x0, y0, z0 = int(math.floor(px)), int(math.floor(py)), int(math.floor(pz))
                    tx, ty, tz = px - x0, py - y0, pz - z0
                    sx = sy = sz = 0.0
                    for c in range(C):
                        go = g[n, c, i, j, k]
                        for e in range(2):
                            zz = z0 + e
                            if not 0 <= zz < D:
                                continue
                            vz, dz = (tz, 1.0) if e else (1.0 - tz, -1.0)
                            for a in range(2):
                                yy = y0 + a
                                if not 0 <= yy < H:
                                    continue
                                vy, dy = (ty, 1.0) if a else (1.0 - ty, -1.0)
                                for b in range(2):
                                    xx = x0 + b
                                    if not 0 <= xx < W:
                                        continue
                                    vx, dx = (tx, 1.0) if b else (1.0 - tx, -1.0)
                                    gx[n, c, zz, yy, xx] += go * (vx * vy * vz)
                                    v = x[n, c, zz, yy, xx] * go
                                    sx += v * dx * vy * vz
                                    sy += v * vx * dy * vz
                                    sz += v * vx * vy * dz
                    ggrid[n, i, j, k, 0] = sx * mx
                    ggrid[n, i, j, k, 1] = sy * my
                    ggrid[n, i, j, k, 2] = sz * mz


def _check(x, grid, mode, padding, what):
    if x.dtype not in (np.float32, np.float64) or grid.dtype != x.dtype:
        raise TypeError(f"{what}: expected float32/float64 input and grid of one dtype, got {x.dtype} "
                        f"and {grid.dtype}")
    nd = x.ndim - 2
    if nd not in (2, 3) or grid.ndim != x.ndim or grid.shape[0] != x.shape[0] or grid.shape[-1] != nd:
        raise ValueError(f"{what}: expected input (N, C, *spatial) with 2 or 3 spatial dims and grid "
                         f"(N, *out, {nd}), got {x.shape} and {grid.shape}")
    if min(x.shape[2:]) < 1:
        raise ValueError(f"{what}: input {x.shape} has an empty spatial dimension")
    if mode not in (0, 1, 2) or (mode == 2 and nd == 3) or padding not in (0, 1, 2):
        raise ValueError(f"{what}: bad mode {mode} or padding {padding} for {nd}-d sampling")
    return np.ascontiguousarray(x), np.ascontiguousarray(grid)


def sample(x, grid, mode, padding, align_corners):
    """x (N, C, *in) sampled at grid (N, *out, nd) -> (N, C, *out); mode and padding as
    MODES and PADDINGS number them."""
    x, grid = _check(x, grid, mode, padding, "grid_sample")
    out = np.empty(x.shape[:2] + grid.shape[1:-1], x.dtype)
    kernel = _sample2d if x.ndim == 4 else _sample3d
    align = bool(align_corners)
    split(lambda n0, n1: kernel(x, grid, n0, n1, mode, padding, align, out), x.shape[0],
          out.size * (16 if mode == 2 else 4))
    return out


def sample_backward(g, x, grid, mode, padding, align_corners):
    """The gradients of `sample` for its input and its grid, given the output's gradient g."""
    x, grid = _check(x, grid, mode, padding, "grid_sample backward")
    g = np.ascontiguousarray(g, dtype=x.dtype)
    if g.shape != x.shape[:2] + grid.shape[1:-1]:
        raise ValueError(f"grid_sample backward: gradient {g.shape} doesn't match input {x.shape} and "
                         f"grid {grid.shape}")
    gx, ggrid = np.empty_like(x), np.empty_like(grid)
    kernel = _sample2d_backward if x.ndim == 4 else _sample3d_backward
    align = bool(align_corners)
    split(lambda n0, n1: kernel(g, x, grid, n0, n1, mode, padding, align, gx, ggrid), x.shape[0],
          g.size * (32 if mode == 2 else 8) + x.size)
    return gx, ggrid
