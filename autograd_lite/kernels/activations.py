"""Elementwise activation kernels where NumPy needs several passes (and temporaries)
for a numerically stable form (sigmoid), lacks a function (erf, for GELU), or is slow
(relu: `np.maximum` with NaN handling, plus a pass for the mask)."""
import math

import numpy as np

from ._numba import njit, ufunc

_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)  # NumPy's canonical instances: `is`
# tells them apart faster than `==` or a set lookup
_ONE32 = np.float32(1)  # a float32 constant in compiled code (a bare 1.0 is float64)


# ---- small arrays: NumPy ufuncs compiled by Numba ----------------------------------------------
# On a 16-element array a call is the whole cost: a ufunc costs 0.4 us, where a Numba
# kernel costs 0.9 us (0.4 us to dispatch, 0.3 us for np.empty of its output, checks)
# and NumPy's form of sigmoid or of these gradients (3-4 ufunc calls) 1.3-6 us. A ufunc
# also broadcasts and takes any strides. Each is built on first use, for one dtype:
# Numba caches the compiled scalar function, but it compiles the ufunc's loop wrapper
# again in each process (~0.1 s).
def _sigmoid_scalar(v):
    if v >= 0:
        return 1.0 / (1.0 + np.exp(-v))
    e = np.exp(v)  # v < 0: exp(v) can't overflow
    return e / (1.0 + e)


def _tanh_grad32(g, y):
    return g * (_ONE32 - y * y)


def _tanh_grad64(g, y):
    return g * (1.0 - y * y)


def _sigmoid_grad32(g, y):
    return g * (y * (_ONE32 - y))


def _sigmoid_grad64(g, y):
    return g * (y * (1.0 - y))


class _Ufuncs:
    """`ufuncs.sigmoid32` etc.: built on first attribute access, then plain attributes."""

    _specs = {
        "sigmoid32": (_sigmoid_scalar, "float32(float32)"),
        "sigmoid64": (_sigmoid_scalar, "float64(float64)"),
        "tanh_grad32": (_tanh_grad32, "float32(float32, float32)"),
        "tanh_grad64": (_tanh_grad64, "float64(float64, float64)"),
        "sigmoid_grad32": (_sigmoid_grad32, "float32(float32, float32)"),
        "sigmoid_grad64": (_sigmoid_grad64, "float64(float64, float64)"),
    }

    def __getattr__(self, name):
        fn, signature = self._specs[name]
        built = ufunc([signature], fn)
        setattr(self, name, built)
        return built


ufuncs = _Ufuncs()

_SMALL = 768  # elements. Below, the ufunc wins (0.4 vs 6.3 us at 16 elements: NumPy's
# form pays for errstate and four calls); above, NumPy's SIMD exp beats the scalar exp
# (8 vs 10 us at 1024 elements, ~3x at 262k).


def sigmoid(x):
    """1 / (1 + exp(-x)) for any float input: exact, and no overflow warnings. Half
    precision is computed in float32 and rounded once, as PyTorch does."""
    dt = x.dtype
    if x.size < _SMALL:
        if dt is _F32:
            return ufuncs.sigmoid32(x)
        if dt is _F64:
            return ufuncs.sigmoid64(x)
    if dt.itemsize < 4:
        return sigmoid(x.astype(np.float32)).astype(dt)
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
def tanh_backward(g, y):
    """g * (1 - y^2), in y's dtype."""
    dt = y.dtype
    if g.dtype is dt:
        if dt is _F32:
            return ufuncs.tanh_grad32(g, y)
        if dt is _F64:
            return ufuncs.tanh_grad64(g, y)
    return g * (1 - y * y)


def sigmoid_backward(g, y):
    """g * y * (1 - y), in y's dtype."""
    dt = y.dtype
    if g.dtype is dt:
        if dt is _F32:
            return ufuncs.sigmoid_grad32(g, y)
        if dt is _F64:
            return ufuncs.sigmoid_grad64(g, y)
    return g * (y * (1 - y))


# ---- relu: output and gradient mask in one pass -------------------------------------------
# np.maximum(x, 0) then `out > 0` cost 0.17 ms on 301k float32 elements (PyTorch's relu:
# 0.04 ms); this pass does both at memory speed. NaN stays NaN and, as in PyTorch's
# threshold_backward, passes its gradient (the mask is "not out <= 0").
# The kernels take flat views (one compiled variant per dtype, whatever the shape).
@njit(cache=True)
def _relu(x, out, mask):
    zero = out.dtype.type(0)
    for i in range(x.size):
        v = x[i]
        if v <= 0:
            out[i] = zero
            mask[i] = False
        else:
            out[i] = v
            mask[i] = True


@njit(cache=True)
def _masked(g, mask, out):
    zero = out.dtype.type(0)
    for i in range(out.size):
        out[i] = g[i] if mask[i] else zero


_RELU_KERNEL_MIN = 4096  # elements; below, NumPy's calls cost less than the dispatch


def relu(x):
    """(max(x, 0), mask of where the gradient passes); NaN propagates."""
    dt = x.dtype
    if x.size >= _RELU_KERNEL_MIN and (dt is _F32 or dt is _F64) and x.flags.c_contiguous:
        out = np.empty_like(x)
        mask = np.empty(x.shape, np.bool_)
        _relu(x.reshape(-1), out.reshape(-1), mask.reshape(-1))
        return out, mask
    out = np.maximum(x, 0)
    return out, out != 0  # = not (out <= 0), as out is >= 0 or NaN


def relu_backward(g, mask):
    """g where the mask is set, else 0, in g's dtype."""
    dt = g.dtype
    if (g.size >= _RELU_KERNEL_MIN and (dt is _F32 or dt is _F64) and g.shape == mask.shape
            and g.flags.c_contiguous):
        out = np.empty_like(g)
        _masked(g.reshape(-1), np.ascontiguousarray(mask).reshape(-1), out.reshape(-1))
        return out
    return g * mask
