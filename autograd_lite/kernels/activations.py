"""Elementwise activation kernels where NumPy needs several passes (and temporaries)
for a numerically stable form (sigmoid), lacks a function (erf, for GELU), or is slow
(relu: `np.maximum` with NaN handling, plus a pass for the mask). Arrays in (a
strided one is copied by the kernel's `ravel`), new C-ordered array out."""
import math

import numpy as np

from ._numba import njit

_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)  # NumPy's canonical instances: `is`
# tells them apart faster than `==` or a set lookup


@njit(cache=True)
def _sigmoid(x, out):
    xf = x.ravel()
    of = out.ravel()
    for i in range(xf.size):
        v = xf[i]
        if v >= 0:
            of[i] = 1.0 / (1.0 + np.exp(-v))
        else:  # exp(v) can't overflow here
            e = np.exp(v)
            of[i] = e / (1.0 + e)


_SMALL = 768  # elements. Below, one Numba pass wins (0.9 vs 6.3 us at 16 elements: NumPy
# pays for errstate and four calls); above, NumPy's SIMD exp beats the kernel's scalar
# exp (8 vs 10 us at 1024 elements, ~3x at 262k).


def sigmoid(x):
    """1 / (1 + exp(-x)) for any float input: exact, and no overflow warnings."""
    dt = x.dtype
    if x.size < _SMALL and (dt is _F32 or dt is _F64) and x.ndim:  # (not a NumPy scalar)
        out = np.empty(x.shape, dt)  # C order; a strided x is copied by the kernel's ravel
        _sigmoid(x, out)
        return out
    with np.errstate(over="ignore"):  # exp(-x) = inf for x << 0 gives 1/inf = 0, right
        t = np.negative(x, out=np.empty_like(x))  # an array even for a 0-d x
        np.exp(t, out=t)
        t += 1
        return np.reciprocal(t, out=t)


# ---- GELU: x * Phi(x) needs erf, which NumPy lacks ------------------------------------------
_SQRT1_2 = 0.7071067811865476


@njit(cache=True)
def _gelu_erf(x, out, cdf):
    xf = x.ravel()
    of = out.ravel()
    cf = cdf.ravel()
    for i in range(xf.size):
        v = xf[i]
        c = 0.5 * (1.0 + math.erf(v * _SQRT1_2))
        cf[i] = c
        of[i] = v * c


def gelu_erf(x):
    """(x * Phi(x), Phi(x)), Phi the standard normal CDF, in one pass. The caller keeps
    Phi(x) for the gradient, Phi(x) + x phi(x), whose exp NumPy does fast."""
    shape = np.shape(x)
    x = np.ascontiguousarray(x)
    out = np.empty_like(x)
    cdf = np.empty_like(x)
    _gelu_erf(x, out, cdf)
    return out.reshape(shape), cdf.reshape(shape)


# ---- fused backward of tanh and sigmoid: one pass instead of three NumPy calls ----------------
# `one` is made in the kernel, in out's dtype (float32 stays float32): passed in as a
# NumPy scalar it would cost the dispatcher more than the whole loop on a small array.
# The kernels check the shapes themselves and return False on a mismatch (broadcasting:
# the caller falls back to NumPy). On a 16-element array those checks cost nanoseconds
# in compiled code against ~0.3 us in Python, a quarter of the whole call. Strided
# inputs get their own specialization (ravel copies them), compiled on first use.
@njit(cache=True, error_model="numpy")
def _tanh_backward(g, y, out):
    if g.shape != y.shape:
        return False
    gf = g.ravel()
    yf = y.ravel()
    of = out.ravel()
    one = of.dtype.type(1)
    for i in range(of.size):
        v = yf[i]
        of[i] = gf[i] * (one - v * v)
    return True


@njit(cache=True, error_model="numpy")
def _sigmoid_backward(g, y, out):
    if g.shape != y.shape:
        return False
    gf = g.ravel()
    yf = y.ravel()
    of = out.ravel()
    one = of.dtype.type(1)
    for i in range(of.size):
        v = yf[i]
        of[i] = gf[i] * (v * (one - v))
    return True


_FUSED_DTYPES = frozenset([np.dtype(np.float32), np.dtype(np.float64)])


def tanh_backward(g, y):
    """g * (1 - y^2)."""
    dt = y.dtype
    if (dt is _F32 or dt is _F64) and g.dtype is dt and g.ndim and y.ndim:  # (not scalars)
        out = np.empty(y.shape, dt)
        if _tanh_backward(g, y, out):
            return out
    return g * (1 - y * y)


def sigmoid_backward(g, y):
    """g * y * (1 - y)."""
    dt = y.dtype
    if (dt is _F32 or dt is _F64) and g.dtype is dt and g.ndim and y.ndim:
        out = np.empty(y.shape, dt)
        if _sigmoid_backward(g, y, out):
            return out
    return g * (y * (1 - y))


# ---- relu: output and gradient mask in one pass -------------------------------------------
# np.maximum(x, 0) then `out > 0` cost 0.17 ms on 301k float32 elements (PyTorch's relu:
# 0.04 ms); this pass does both at memory speed. NaN stays NaN and, as in PyTorch's
# threshold_backward, passes its gradient (the mask is "not out <= 0").
@njit(cache=True)
def _relu(x, out, mask):
    xf = x.ravel()
    of = out.ravel()
    mf = mask.ravel()
    zero = of.dtype.type(0)
    for i in range(xf.size):
        v = xf[i]
        if v <= 0:
            of[i] = zero
            mf[i] = False
        else:
            of[i] = v
            mf[i] = True


@njit(cache=True)
def _masked(g, mask, out):
    gf = g.ravel()
    mf = mask.ravel()
    of = out.ravel()
    zero = of.dtype.type(0)
    for i in range(of.size):
        of[i] = gf[i] if mf[i] else zero


_RELU_KERNEL_MIN = 4096  # elements; below, NumPy's calls cost less than the dispatch


def relu(x):
    """(max(x, 0), mask of where the gradient passes); NaN propagates."""
    if x.size >= _RELU_KERNEL_MIN and x.dtype in _FUSED_DTYPES and x.flags.c_contiguous:
        out = np.empty_like(x)
        mask = np.empty(x.shape, np.bool_)
        _relu(x, out, mask)
        return out, mask
    out = np.maximum(x, 0)
    return out, out != 0  # = not (out <= 0), as out is >= 0 or NaN


def relu_backward(g, mask):
    """g where the mask is set, else 0, in g's dtype."""
    if (g.size >= _RELU_KERNEL_MIN and g.dtype in _FUSED_DTYPES and g.shape == mask.shape
            and g.flags.c_contiguous):
        out = np.empty_like(g)
        _masked(g, mask, out)
        return out
    return g * mask
