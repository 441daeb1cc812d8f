"""The softmax of scaled dot-product attention, fused with its scale, mask and causal
mask, forward and backward, on scores viewed as (N0, N1, L, S).

NumPy's exp is vectorised where Numba's (without Intel's SVML) is a scalar call, so the
forward runs in three steps: a kernel makes `a = scores * scale + mask` (-inf above the
diagonal when causal) and subtracts each row's max, NumPy's exp runs in place, and a
kernel normalises the rows. A fully masked row (every `a` is -inf) stays -inf through
the first step, sums to 0 after exp, and becomes zeros (PyTorch's SDPA) or NaN (a plain
softmax) in the last. The mask comes as a broadcast view of the scores' shape (any
strides, zero ones included).
"""
import numpy as np

from ._numba import njit

_FM = {"reassoc", "contract"}  # no nnan/ninf: -inf masks and NaN inputs must behave


@njit(cache=True, fastmath=_FM)
def _shift_rows(s, mask, scale, causal):
    n0, n1, rows, cols = s.shape
    ninf = -np.inf
    for b0 in range(n0):
        for b1 in range(n1):
            for i in range(rows):
                m = ninf
                dead = True
                for j in range(cols):
                    if causal and j > i:
                        a = ninf
                    else:
                        a = s[b0, b1, i, j] * scale + mask[b0, b1, i, j]
                    s[b0, b1, i, j] = a
                    if a > m:
                        m = a
                    if a != ninf:
                        dead = False
                if dead:
                    continue  # stays -inf: exp gives 0, `_normalize_rows` decides
                for j in range(cols):
                    s[b0, b1, i, j] -= m


@njit(cache=True, fastmath=_FM)
def _normalize_rows(e, nan_rows):
    n0, n1, rows, cols = e.shape
    for b0 in range(n0):
        for b1 in range(n1):
            for i in range(rows):
                tot = 0.0
                for j in range(cols):
                    tot += e[b0, b1, i, j]
                if tot == 0.0:  # fully masked (a row's max alone contributes exp(0) = 1)
                    fill = np.nan if nan_rows else 0.0
                    for j in range(cols):
                        e[b0, b1, i, j] = fill
                    continue
                r = 1.0 / tot
                for j in range(cols):
                    e[b0, b1, i, j] *= r


@njit(cache=True, fastmath=_FM)
def _softmax_rows_backward(gp, p):
    n0, n1, rows, cols = gp.shape
    for b0 in range(n0):
        for b1 in range(n1):
            for i in range(rows):
                d = 0.0
                for j in range(cols):
                    d += gp[b0, b1, i, j] * p[b0, b1, i, j]
                for j in range(cols):
                    gp[b0, b1, i, j] = p[b0, b1, i, j] * (gp[b0, b1, i, j] - d)


def as4d(x):
    """x (*B, L, S) viewed as (N0, N1, L, S): batch dims merged into at most two."""
    lead = x.shape[:-2]
    if len(lead) == 0:
        return x.reshape((1, 1) + x.shape[-2:])
    if len(lead) == 1:
        return x.reshape((1,) + x.shape)
    if len(lead) == 2:
        return x
    return x.reshape((int(np.prod(lead[:-1])), lead[-1]) + x.shape[-2:])


def masked_softmax_(s, mask, scale, causal, nan_rows):
    """softmax(s * scale + mask) over the last dim, in place on `s` (C-contiguous
    (*B, L, S), float32/float64); `mask` broadcasts to s (or is None). Returns s."""
    if s.size == 0:
        return s
    dtype = s.dtype
    if mask is None:
        mask = np.zeros((1,) * s.ndim, dtype)
    m4 = as4d(np.broadcast_to(mask.astype(dtype, copy=False), s.shape))
    s4 = as4d(s)
    _shift_rows(s4, m4, dtype.type(scale), bool(causal))
    np.exp(s, out=s)
    _normalize_rows(s4, bool(nan_rows))
    return s


def masked_softmax_backward_(gp, p):
    """p * (gp - sum(gp * p)) per row, in place on `gp` (C-contiguous, p's shape)."""
    if gp.size:
        _softmax_rows_backward(as4d(gp), as4d(p))
    return gp
