"""Elementwise activation kernels where NumPy needs several passes (and temporaries)
for a numerically stable form (sigmoid) or lacks a function (erf, for GELU).
Contiguous arrays in, new array out."""
import math

import numpy as np

from ._numba import njit


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


def sigmoid(x):
    """1 / (1 + exp(-x)) without overflow for any float input."""
    shape = np.shape(x)
    x = np.ascontiguousarray(x)  # (1-d for a 0-d x: reshape the result back)
    out = np.empty_like(x)
    _sigmoid(x, out)
    return out.reshape(shape)


# ---- GELU: x * Phi(x) needs erf, which NumPy lacks ------------------------------------------
_SQRT1_2 = 0.7071067811865476
_INV_SQRT_2PI = 0.3989422804014327
_K_TANH = 0.7978845608028654  # sqrt(2 / pi)
_C_TANH = 0.044715


@njit(cache=True)
def _gelu(x, out, approx_tanh):
    xf = x.ravel()
    of = out.ravel()
    for i in range(xf.size):
        v = xf[i]
        if approx_tanh:
            of[i] = 0.5 * v * (1.0 + math.tanh(_K_TANH * (v + _C_TANH * v * v * v)))
        else:
            of[i] = 0.5 * v * (1.0 + math.erf(v * _SQRT1_2))


@njit(cache=True)
def _gelu_grad(g, x, out, approx_tanh):
    gf = g.ravel()
    xf = x.ravel()
    of = out.ravel()
    for i in range(xf.size):
        v = xf[i]
        if approx_tanh:
            t = math.tanh(_K_TANH * (v + _C_TANH * v * v * v))
            du = _K_TANH * (1.0 + 3.0 * _C_TANH * v * v)
            d = 0.5 * (1.0 + t) + 0.5 * v * (1.0 - t * t) * du
        else:
            d = 0.5 * (1.0 + math.erf(v * _SQRT1_2)) + v * _INV_SQRT_2PI * math.exp(-0.5 * v * v)
        of[i] = gf[i] * d


def gelu(x, approximate="none"):
    """GELU, exact (erf) or with PyTorch's tanh approximation, in one pass."""
    shape = np.shape(x)
    x = np.ascontiguousarray(x)
    out = np.empty_like(x)
    _gelu(x, out, approximate == "tanh")
    return out.reshape(shape)


def gelu_grad(g, x, approximate="none"):
    """g * d gelu(x) / dx, in one pass (g and x of one shape and dtype)."""
    shape = np.shape(x)
    x = np.ascontiguousarray(x)
    g = np.ascontiguousarray(np.broadcast_to(g, x.shape), dtype=x.dtype)
    out = np.empty_like(x)
    _gelu_grad(g, x, out, approximate == "tanh")
    return out.reshape(shape)
