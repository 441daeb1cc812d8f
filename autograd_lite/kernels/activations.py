"""Elementwise activation kernels where NumPy needs several passes (and temporaries)
for a numerically stable form: sigmoid. Contiguous arrays in, new array out."""
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
