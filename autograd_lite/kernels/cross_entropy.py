"""Cross entropy of a small batch of logits in one pass: the stable softmax and the
negative log-likelihood of the target, row by row (`rows`), and its gradient for a
mean or sum (`grad_rows`).

NumPy's form (max, subtract, pick, exp, sum, divide, log, subtract) costs a call each,
~8 us for 32 rows of 10 classes where the arithmetic is ~1 us; a classifier's loss is
that size at every step. Above SMALL elements NumPy's SIMD exp beats this kernel's
scalar one, and the caller keeps NumPy's form.
"""
import math

from ._numba import njit

SMALL = 8192  # elements of the logits up to which `rows` is used


@njit(cache=True, nogil=True, error_model="numpy")
def rows(x, t, s, nll):
    """For logits x (N, C) and class indices t (N,): s = softmax(x) by rows and nll[n] =
    log(sum(exp(x[n] - max))) - (x[n, t[n]] - max), in x's dtype. Returns -1, or the
    first row whose target is not a class (nothing is written from it on). NaN
    propagates as in NumPy's max."""
    n, c = x.shape
    for i in range(n):
        target = t[i]
        if target < 0 or target >= c:
            return i
        m = x[i, 0]
        for j in range(1, c):
            v = x[i, j]
            if v > m or v != v:
                m = v
        total = s.dtype.type(0)
        for j in range(c):
            e = math.exp(x[i, j] - m)
            s[i, j] = e
            total += e
        for j in range(c):
            s[i, j] = s[i, j] / total
        nll[i] = math.log(total) - (x[i, target] - m)
    return -1


@njit(cache=True, nogil=True, error_model="numpy")
def grad_rows(s, t, r, out):
    """out = (softmax s - onehot(t)) * r for s (N, C) and class indices t (N,) that
    `rows` checked: the gradient of the mean or sum of the rows' nll (r, a scalar of
    s's dtype: the incoming gradient over N, or over 1)."""
    n, c = s.shape
    for i in range(n):
        for j in range(c):
            out[i, j] = s[i, j] * r
        out[i, t[i]] -= r
