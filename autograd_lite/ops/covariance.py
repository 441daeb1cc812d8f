"""Matrix-vector products and covariance, composed of matmul, outer, sums and
elementwise ops (so their gradients and ONNX export come from those): mv, addr, cov,
corrcoef."""
import warnings

import numpy as np

from .. import _dtypes
from ._util import ShapeError, as_tensor
from .compare import logical_and, logical_or
from .elementwise import clamp, sqrt
from .linalg import matmul, mm, outer
from .products import _scaled_sum
from .reduce import sum as sum_
from .shape import reshape, squeeze
from .triangular import diagonal


def mv(input, vec):
    """The matrix-vector product: input (n, m) @ vec (m,) -> (n,). Both must share a dtype
    (RuntimeError); other shapes raise ShapeError."""
    input, vec = as_tensor(input, "mv"), as_tensor(vec, "mv")
    a, v = input._data, vec._data
    if a.ndim != 2 or v.ndim != 1:
        raise ShapeError(f"mv: vector + matrix @ vector expected, got input of shape {a.shape} "
                         f"and vec of shape {v.shape}")
    if a.shape[1] != v.shape[0]:
        raise ShapeError(f"mv: size mismatch, got mat ({a.shape[0]}x{a.shape[1]}), vec "
                         f"({v.shape[0]})")
    if a.dtype != v.dtype:
        raise RuntimeError(f"mv: expected input and vec to have the same dtype, but got "
                           f"{a.dtype} and {v.dtype}")
    return matmul(input, vec)


def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """`beta * input + alpha * outer(vec1, vec2)`: vec1 (n,), vec2 (m,), input broadcastable
    to (n, m); the dtypes are promoted. With beta=0 input is ignored (its NaN and inf don't
    propagate); bool tensors take `(beta and input) or (alpha and vec1 & vec2)`. Integer
    tensors refuse a float beta or alpha (RuntimeError); a vector argument that isn't 1-D
    or an input that doesn't broadcast raises ShapeError."""
    input, vec1, vec2 = (as_tensor(t, "addr") for t in (input, vec1, vec2))
    for name, t in (("vec1", vec1), ("vec2", vec2)):
        if t._data.ndim != 1:
            raise ShapeError(f"addr: Expected 1-D argument {name}, but got {t._data.ndim}-D")
    dtype = _dtypes.result_type(input._data, vec1._data, vec2._data)
    input, vec1, vec2 = (t if t._data.dtype == dtype else t.to(dtype) for t in (input, vec1, vec2))
    if dtype.kind in "biu":
        for name, v in (("beta", beta), ("alpha", alpha)):
            if isinstance(v, float):
                raise RuntimeError(f"addr: for integral input tensors, argument {name} must not "
                                   f"be a floating point number, got {v}")
    if dtype == np.bool_:
        product = logical_and(outer(vec1.to(np.int64), vec2.to(np.int64)) != 0, bool(alpha))
        shape = tuple(product.shape)
        if np.broadcast_shapes(input._data.shape, shape) != shape:
            raise ShapeError(f"addr: input of shape {tuple(input.shape)} can't be broadcast to "
                             f"the product's shape {shape}")
        return logical_or(logical_and(input, bool(beta)), product)
    return _scaled_sum("addr", input, outer(vec1, vec2), beta, alpha)


# ---- cov, corrcoef -----------------------------------------------------------------------------
def _weights(w, n, name, integral):
    w = as_tensor(w, "cov")
    kind = "integral" if integral else "floating point"
    if w._data.ndim > 1:
        raise ShapeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} "
                         f"with {w._data.ndim} dimensions")
    ok = w._data.dtype.kind in "iu" if integral else _dtypes.is_floating(w._data.dtype)
    if not ok:
        raise RuntimeError(f"cov(): expected {name} to have {kind} dtype but got {name} with "
                           f"{w._data.dtype} dtype")
    if w._data.size != n:
        raise ShapeError(f"cov(): expected {name} to have the same numel as there are observations "
                         f"in the input but got {w._data.size} != {n}")
    if n and (w._data.astype(np.float64) < 0).any():
        raise RuntimeError(f"cov(): {name} cannot be negative")
    return w


def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in the rows of `input` (1-D: one variable),
    observations in the columns, as PyTorch computes it: integer `fweights` (how often
    each observation occurs) and float `aweights` (its importance) weight the mean and the
    products, `correction` is subtracted from the (weighted) count (1: Bessel's). A 0-d
    result for one variable. Degrees of freedom <= 0 warn (UserWarning) and divide by 0.
    Bool or >2-d input, and weights of the wrong shape, dtype or sign raise."""
    input = as_tensor(input, "cov")
    x = input._data
    if x.ndim > 2:
        raise ShapeError(f"cov(): expected input to have two or fewer dimensions but got an input "
                         f"with {x.ndim} dimensions")
    if x.dtype == np.bool_:
        raise RuntimeError("cov(): bool dtype is not supported for input")
    data = input if x.ndim == 2 else reshape(input, (1, -1))
    n = data._data.shape[1]
    w = None
    if fweights is not None:
        w = _weights(fweights, n, "fweights", True)
    if aweights is not None:
        aw = _weights(aweights, n, "aweights", False)
        w = aw if w is None else w * aw
    if w is not None:
        w = reshape(w, (n,)) if w._data.ndim == 0 else w
        w_sum = sum_(w)
        if not w_sum._data.any():
            raise RuntimeError("cov(): weights sum to zero, can't be normalized")
        avg = sum_(data * w, 1) / w_sum
    else:
        w_sum = n
        avg = sum_(data, 1) / n
    if w is not None and aweights is not None and correction != 0:
        norm = w_sum - correction * sum_(w * aw) / w_sum
    else:
        norm = w_sum - correction
    norm_value = norm._data if hasattr(norm, "_data") else np.asarray(norm)
    if norm_value <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than "
                      "the number of observations.", UserWarning, stacklevel=2)
        norm = norm * 0
    centred = data - reshape(avg, (-1, 1))
    c = mm(centred, (centred * w if w is not None else centred).t())
    return squeeze(c / norm)


def corrcoef(input):
    """The Pearson correlation coefficients of the variables in the rows of `input` (as
    `cov`'s layout): `cov / (std_i * std_j)`, clipped to [-1, 1] (a 0-d `c / c` for one
    variable). >2-d input raises ShapeError."""
    input = as_tensor(input, "corrcoef")
    if input._data.ndim > 2:
        raise ShapeError(f"corrcoef(): expected input to have two or fewer dimensions but got an "
                         f"input with {input._data.ndim} dimensions")
    c = cov(input)
    if c._data.ndim == 0:
        return c / c
    std = sqrt(diagonal(c))
    c = c / reshape(std, (-1, 1))
    c = c / reshape(std, (1, -1))
    return clamp(c, -1, 1)

