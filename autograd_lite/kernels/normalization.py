"""Layer norm, batch norm and group norm, forward and backward, in few passes over the data.

Statistics accumulate in float64 whatever the input's dtype. `fastmath` is limited to
reassociation and contraction (so the sums vectorise); NaN and inf still propagate.
Arrays come in C-contiguous: layer norm as rows (M, K), batch norm as (N, C, L)
(L = 1 for 2-D input, handled by loops that run along C instead). The batch and group
norm kernels release the GIL and work on a range of channels (sums over the batch:
each channel's terms are added in the same order, so the bits don't depend on the
split) or of samples; large calls split over the threads `set_num_threads` allows.
"""
import math

import numpy as np

from ._numba import njit
from .workers import split

_FM = {"reassoc", "contract"}


# ---- layer norm: rows (M, K) ----------------------------------------------------------------------
@njit(cache=True, fastmath=_FM)
def _layer_norm_fwd(x, w, b, eps, out, xhat, invstd):
    m, k = x.shape
    for i in range(m):
        s = 0.0
        for j in range(k):
            s += x[i, j]
        mu = s / k
        v = 0.0
        for j in range(k):
            d = x[i, j] - mu
            v += d * d
        r = 1.0 / math.sqrt(v / k + eps)
        invstd[i] = r
        for j in range(k):
            h = (x[i, j] - mu) * r
            xhat[i, j] = h
            out[i, j] = h * w[j] + b[j]


@njit(cache=True, fastmath=_FM)
def _layer_norm_bwd(g, xhat, invstd, w, gx, gw, gb):
    m, k = g.shape
    for i in range(m):
        a = 0.0
        c = 0.0
        for j in range(k):
            gh = g[i, j] * w[j]
            a += gh
            c += gh * xhat[i, j]
            gw[j] += g[i, j] * xhat[i, j]
            gb[j] += g[i, j]
        a /= k
        c /= k
        r = invstd[i]
        for j in range(k):
            gx[i, j] = r * (g[i, j] * w[j] - a - xhat[i, j] * c)


def layer_norm_forward(x, w, b, eps):
    """x (M, K), w and b (K,) (ones/zeros when absent): (out, xhat, invstd (M, 1))."""
    x = np.ascontiguousarray(x)
    out = np.empty_like(x)
    xhat = np.empty_like(x)
    invstd = np.empty((x.shape[0], 1), x.dtype)
    _layer_norm_fwd(x, w, b, eps, out, xhat, invstd.reshape(-1))
    return out, xhat, invstd


def layer_norm_backward(g, xhat, invstd, w):
    """(gx (M, K), gw (K,), gb (K,)) for the gradient g (M, K) of the output."""
    g = np.ascontiguousarray(g, dtype=xhat.dtype)
    gx = np.empty_like(xhat)
    gw = np.zeros(xhat.shape[1])
    gb = np.zeros(xhat.shape[1])
    _layer_norm_bwd(g, xhat, invstd.reshape(-1), w, gx, gw, gb)
    return gx, gw.astype(xhat.dtype), gb.astype(xhat.dtype)


# ---- batch norm: (N, C, L) ----------------------------------------------------------------------------
@njit(cache=True, nogil=True, fastmath=_FM)
def _channel_stats(x, c0, c1, mean, var):
    n, c, l = x.shape
    s = np.zeros(c)
    if l == 1:
        for i in range(n):
            for j in range(c0, c1):
                s[j] += x[i, j, 0]
    else:
        for i in range(n):
            for j in range(c0, c1):
                acc = 0.0
                for t in range(l):
                    acc += x[i, j, t]
                s[j] += acc
    cnt = n * l
    for j in range(c0, c1):
        s[j] /= cnt
    v = np.zeros(c)
    if l == 1:
        for i in range(n):
            for j in range(c0, c1):
                d = x[i, j, 0] - s[j]
                v[j] += d * d
    else:
        for i in range(n):
            for j in range(c0, c1):
                mu = s[j]
                acc = 0.0
                for t in range(l):
                    d = x[i, j, t] - mu
                    acc += d * d
                v[j] += acc
    for j in range(c0, c1):
        mean[j] = s[j]
        var[j] = v[j] / cnt


@njit(cache=True, nogil=True, fastmath=_FM)
def _batch_norm_apply(x, n0, n1, mean, invstd, w, b, xhat, out):
    # xhat = (x - mean) * invstd; out = xhat * w + b, per channel j; samples n0 .. n1
    n, c, l = x.shape
    if l == 1:
        for i in range(n0, n1):
            for j in range(c):
                h = (x[i, j, 0] - mean[j]) * invstd[j]
                xhat[i, j, 0] = h
                out[i, j, 0] = h * w[j] + b[j]
    else:
        for i in range(n0, n1):
            for j in range(c):
                mu = mean[j]
                r = invstd[j]
                wj = w[j]
                bj = b[j]
                for t in range(l):
                    h = (x[i, j, t] - mu) * r
                    xhat[i, j, t] = h
                    out[i, j, t] = h * wj + bj


@njit(cache=True, nogil=True, fastmath=_FM)
def _batch_norm_sums(g, xhat, c0, c1, sum_g, sum_gx):
    n, c, l = g.shape
    if l == 1:
        for i in range(n):
            for j in range(c0, c1):
                sum_g[j] += g[i, j, 0]
                sum_gx[j] += g[i, j, 0] * xhat[i, j, 0]
    else:
        for i in range(n):
            for j in range(c0, c1):
                a = 0.0
                b = 0.0
                for t in range(l):
                    a += g[i, j, t]
                    b += g[i, j, t] * xhat[i, j, t]
                sum_g[j] += a
                sum_gx[j] += b


@njit(cache=True, nogil=True, fastmath=_FM)
def _batch_norm_grad_input(g, xhat, n0, n1, scale, mean_g, mean_gx, gx):
    # gx = scale * (g - mean(g) - xhat * mean(g xhat)); the eval-mode gradient is
    # the same with mean_g = mean_gx = 0; samples n0 .. n1
    n, c, l = g.shape
    if l == 1:
        for i in range(n0, n1):
            for j in range(c):
                gx[i, j, 0] = scale[j] * (g[i, j, 0] - mean_g[j] - xhat[i, j, 0] * mean_gx[j])
    else:
        for i in range(n0, n1):
            for j in range(c):
                s = scale[j]
                a = mean_g[j]
                b = mean_gx[j]
                for t in range(l):
                    gx[i, j, t] = s * (g[i, j, t] - a - xhat[i, j, t] * b)


def _as_ncl(a):
    """(N, C, *) as a C-contiguous (N, C, L) array (a view when already contiguous)."""
    a = np.ascontiguousarray(a)
    return a.reshape(a.shape[0], a.shape[1], int(np.prod(a.shape[2:], dtype=np.int64)))  # no -1: N may be 0


def batch_norm_stats(x):
    """Per-channel mean and biased variance of x (N, C, *), in x's dtype."""
    x3 = _as_ncl(x)
    mean = np.empty(x3.shape[1])
    var = np.empty(x3.shape[1])
    split(lambda c0, c1: _channel_stats(x3, c0, c1, mean, var), x3.shape[1], x3.size)
    return mean.astype(x.dtype), var.astype(x.dtype)


def batch_norm_forward(x, mean, invstd, w, b):
    """(out, xhat) for x (N, C, *), per-channel mean, invstd, w and b (C,)."""
    x3 = _as_ncl(x)
    out = np.empty_like(x3)
    xhat = np.empty_like(x3)
    split(lambda n0, n1: _batch_norm_apply(x3, n0, n1, mean, invstd, w, b, xhat, out), x3.shape[0], 3 * x3.size)
    return out.reshape(x.shape), xhat.reshape(x.shape)


def batch_norm_sums(g, xhat):
    """Per-channel sum(g) and sum(g * xhat), in float64."""
    g3 = _as_ncl(g.astype(xhat.dtype, copy=False))
    c = g3.shape[1]
    sum_g = np.zeros(c)
    sum_gx = np.zeros(c)
    x3 = _as_ncl(xhat)
    split(lambda c0, c1: _batch_norm_sums(g3, x3, c0, c1, sum_g, sum_gx), c, 2 * g3.size)
    return sum_g, sum_gx


def batch_norm_grad_input(g, xhat, scale, mean_g, mean_gx):
    """scale * (g - mean_g - xhat * mean_gx), per channel (all (C,) vectors)."""
    g3 = _as_ncl(g.astype(xhat.dtype, copy=False))
    gx = np.empty_like(g3)
    x3 = _as_ncl(xhat)
    split(lambda n0, n1: _batch_norm_grad_input(g3, x3, n0, n1, scale, mean_g, mean_gx, gx), g3.shape[0],
          3 * g3.size)
    return gx.reshape(xhat.shape)


# ---- group norm (instance norm is groups == channels): (N, C, L), groups of C / G channels ----
@njit(cache=True, nogil=True, fastmath=_FM)
def _group_stats(x, n0, n1, groups, mean, var):
    n, c, l = x.shape
    cg = c // groups
    cnt = cg * l
    for i in range(n0, n1):
        for gi in range(groups):
            s = 0.0
            for j in range(gi * cg, (gi + 1) * cg):
                for t in range(l):
                    s += x[i, j, t]
            mu = s / cnt
            v = 0.0
            for j in range(gi * cg, (gi + 1) * cg):
                for t in range(l):
                    d = x[i, j, t] - mu
                    v += d * d
            mean[i * groups + gi] = mu
            var[i * groups + gi] = v / cnt


@njit(cache=True, nogil=True, fastmath=_FM)
def _group_norm_apply(x, n0, n1, groups, mean, invstd, w, b, xhat, out):
    n, c, l = x.shape
    cg = c // groups
    for i in range(n0, n1):
        for gi in range(groups):
            mu = mean[i * groups + gi]
            r = invstd[i * groups + gi]
            for j in range(gi * cg, (gi + 1) * cg):
                wj = w[j]
                bj = b[j]
                for t in range(l):
                    h = (x[i, j, t] - mu) * r
                    xhat[i, j, t] = h
                    out[i, j, t] = h * wj + bj


@njit(cache=True, nogil=True, fastmath=_FM)
def _group_norm_grad_input(g, xhat, n0, n1, groups, invstd, w, gx):
    # per (sample, group): gx = invstd * (g w - mean(g w) - xhat * mean(g w xhat))
    n, c, l = g.shape
    cg = c // groups
    cnt = cg * l
    for i in range(n0, n1):
        for gi in range(groups):
            a = 0.0
            bsum = 0.0
            for j in range(gi * cg, (gi + 1) * cg):
                wj = w[j]
                for t in range(l):
                    gh = g[i, j, t] * wj
                    a += gh
                    bsum += gh * xhat[i, j, t]
            a /= cnt
            bsum /= cnt
            r = invstd[i * groups + gi]
            for j in range(gi * cg, (gi + 1) * cg):
                wj = w[j]
                for t in range(l):
                    gx[i, j, t] = r * (g[i, j, t] * wj - a - xhat[i, j, t] * bsum)


def group_norm_stats(x, groups):
    """Mean and biased variance of each (sample, group) of x (N, C, *), flat (N * G,),
    in x's dtype (accumulated in float64)."""
    x3 = _as_ncl(x)
    mean = np.full(x3.shape[0] * groups, np.nan)  # a group of no elements: NaN, as mean([])
    var = np.full(x3.shape[0] * groups, np.nan)
    if x3.size:
        split(lambda n0, n1: _group_stats(x3, n0, n1, groups, mean, var), x3.shape[0], x3.size)
    return mean.astype(x.dtype), var.astype(x.dtype)


def group_norm_forward(x, groups, mean, invstd, w, b):
    """(out, xhat) for x (N, C, *), per-(sample, group) mean and invstd (N * G,), and
    per-channel w and b (C,)."""
    x3 = _as_ncl(x)
    out = np.empty_like(x3)
    xhat = np.empty_like(x3)
    split(lambda n0, n1: _group_norm_apply(x3, n0, n1, groups, mean, invstd, w, b, xhat, out), x3.shape[0],
          3 * x3.size)
    return out.reshape(x.shape), xhat.reshape(x.shape)


def group_norm_grad_input(g, xhat, groups, invstd, w):
    """The input's gradient for the output's gradient g (N, C, *); the parameters'
    gradients are per-channel sums, `batch_norm_sums`."""
    g3 = _as_ncl(g.astype(xhat.dtype, copy=False))
    gx = np.empty_like(g3)
    if g3.size:
        x3 = _as_ncl(xhat)
        split(lambda n0, n1: _group_norm_grad_input(g3, x3, n0, n1, groups, invstd, w, gx), g3.shape[0],
              3 * g3.size)
    return gx.reshape(xhat.shape)
