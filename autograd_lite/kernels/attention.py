"""The softmax of scaled dot-product attention, fused with its scale, mask and causal
mask, forward and backward, on scores viewed as (N0, N1, L, S).

NumPy's exp and broadcast subtraction are vectorised where Numba's exp (without
Intel's SVML) is a scalar call, so the forward runs in four steps: a kernel makes
`a = scores * scale + mask` (-inf above the diagonal when causal) and each row's max,
NumPy subtracts the max and takes exp in place, and a kernel normalises the rows. A
fully masked row (every `a` is -inf) stays -inf through the shift, sums to 0 after
exp, and becomes zeros (PyTorch's SDPA) or NaN (a plain softmax) in the last. The mask comes as a broadcast view of the scores' shape (any
strides, zero ones included).
"""
import numpy as np

from ._numba import njit

_FM = {"reassoc", "contract"}  # no nnan/ninf: -inf masks and NaN inputs must behave


@njit(cache=True, fastmath=_FM)
def _scale_mask_rowmax(s, mask, scale, causal, rowmax):
    # a = s * scale + mask in place (-inf above the diagonal when causal) and each row's
    # max; a row with no finite score gets max 0, so it stays -inf after the shift. A
    # plain `max` and no branch in the loop let it vectorise (NaN is never picked up by
    # max; it spreads through the exp and the sum instead).
    n0, n1, rows, cols = s.shape
    ninf = s.dtype.type(-np.inf)
    for b0 in range(n0):
        for b1 in range(n1):
            for i in range(rows):
                row = s[b0, b1, i]
                mrow = mask[b0, b1, i]
                end = min(i + 1, cols) if causal else cols
                m = ninf
                for j in range(end):
                    a = row[j] * scale + mrow[j]
                    row[j] = a
                    m = max(m, a)
                for j in range(end, cols):
                    row[j] = ninf
                rowmax[b0, b1, i] = m if m != ninf else 0


@njit(cache=True, fastmath=_FM)
def _normalize_rows(e, nan_rows):
    # sums in the array's dtype: float32 sums vectorise 8 wide (3x faster than float64)
    n0, n1, rows, cols = e.shape
    zero = e.dtype.type(0)
    fill = e.dtype.type(np.nan if nan_rows else 0)
    for b0 in range(n0):
        for b1 in range(n1):
            for i in range(rows):
                row = e[b0, b1, i]
                tot = zero
                for j in range(cols):
                    tot += row[j]
                if tot == zero:  # fully masked (a row's max alone contributes exp(0) = 1)
                    for j in range(cols):
                        row[j] = fill
                    continue
                r = 1 / tot
                for j in range(cols):
                    row[j] *= r


@njit(cache=True, fastmath=_FM)
def _softmax_rows_backward(gp, p):
    n0, n1, rows, cols = gp.shape
    zero = gp.dtype.type(0)
    for b0 in range(n0):
        for b1 in range(n1):
            for i in range(rows):
                grow = gp[b0, b1, i]
                prow = p[b0, b1, i]
                d = zero
                for j in range(cols):
                    d += grow[j] * prow[j]
                for j in range(cols):
                    grow[j] = prow[j] * (grow[j] - d)


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
    rowmax = np.empty(s4.shape[:3] + (1,), dtype)
    _scale_mask_rowmax(s4, m4, dtype.type(scale), bool(causal), rowmax.reshape(s4.shape[:3]))
    with np.errstate(invalid="ignore"):  # +inf scores: inf - inf is NaN, as PyTorch (silently)
        np.subtract(s4, rowmax, out=s4)
    np.exp(s, out=s)
    _normalize_rows(s4, bool(nan_rows))
    return s


def masked_softmax_backward_(gp, p):
    """p * (gp - sum(gp * p)) per row, in place on `gp` (C-contiguous, p's shape)."""
    if gp.size:
        _softmax_rows_backward(as4d(gp), as4d(p))
    return gp
