"""Gather planes at per-row/per-column source indices, and the adjoint scatter-add.

out[p, i, j] = x[p, rows[i], cols[j]]: nearest-neighbour upsampling and the
reflect/replicate/circular paddings are all this map with different index vectors.
The backward adds each output pixel back to its source (several outputs may share
one). Planes are (B, H, W); the kernels work on the planes [p0, p1) and release the GIL,
and large calls split the planes over the threads `set_num_threads` allows.
"""
import numpy as np

from ._numba import flat, njit
from .workers import split


@njit(cache=True, nogil=True)
def _gather2d(x, p0, p1, rows, cols, out):
    oh, ow = rows.shape[0], cols.shape[0]
    for p in range(p0, p1):
        for i in range(oh):
            r = rows[i]
            for j in range(ow):
                out[p, i, j] = x[p, r, cols[j]]


@njit(cache=True, nogil=True)
def _scatter2d(g, p0, p1, rows, cols, gx):
    oh, ow = rows.shape[0], cols.shape[0]
    for p in range(p0, p1):
        plane = flat(gx[p])
        for q in range(plane.size):
            plane[q] = 0
        for i in range(oh):
            r = rows[i]
            for j in range(ow):
                gx[p, r, cols[j]] += g[p, i, j]


def _indices(rows, cols, hw, what):
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    cols = np.ascontiguousarray(cols, dtype=np.int64)
    if rows.ndim != 1 or cols.ndim != 1:
        raise ValueError(f"{what}: expected 1-d row and column indices, got {rows.shape} and {cols.shape}")
    for idx, n, name in ((rows, hw[0], "row"), (cols, hw[1], "column")):
        if idx.size and (idx.min() < 0 or idx.max() >= n):
            raise ValueError(f"{what}: {name} indices out of range [0, {n})")
    return rows, cols


def _planes(x, what):
    if x.dtype not in (np.float32, np.float64) or x.ndim != 3:
        raise TypeError(f"{what}: expected float32/float64 planes (B, H, W), got {x.dtype} {x.shape}")
    return np.ascontiguousarray(x)


def gather2d(x, rows, cols):
    """x (B, H, W) -> (B, len(rows), len(cols)) with out[p, i, j] = x[p, rows[i], cols[j]]."""
    x = _planes(x, "gather2d")
    rows, cols = _indices(rows, cols, x.shape[1:], "gather2d")
    out = np.empty((x.shape[0], rows.size, cols.size), x.dtype)
    split(lambda p0, p1: _gather2d(x, p0, p1, rows, cols, out), x.shape[0], 2 * out.size)
    return out


def scatter2d(g, rows, cols, hw):
    """The adjoint of `gather2d`: g (B, len(rows), len(cols)) -> (B, H, W)."""
    g = _planes(g, "scatter2d")
    rows, cols = _indices(rows, cols, hw, "scatter2d")
    if g.shape[1:] != (rows.size, cols.size):
        raise ValueError(f"scatter2d: gradient {g.shape} doesn't match {rows.size} rows x {cols.size} columns")
    gx = np.empty((g.shape[0],) + tuple(hw), g.dtype)
    split(lambda p0, p1: _scatter2d(g, p0, p1, rows, cols, gx), g.shape[0], g.size + gx.size)
    return gx
