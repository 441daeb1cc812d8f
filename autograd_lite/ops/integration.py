"""The trapezoid rule and Vandermonde matrices, composed of slicing, sums, cumsum and
cumprod (so their gradients and ONNX export come from those): trapezoid (trapz),
cumulative_trapezoid, vander."""
import numbers

import numpy as np

from .. import _dtypes
from ..tensor import Tensor
from ._util import ShapeError, as_tensor, check_dim, const
from .reduce import cumprod, cumsum, sum as sum_
from .shape import cat, expand, flip, reshape, unsqueeze
from .slicing import select


def _halves(y, d):
    n = y._data.shape[d]
    lead = (slice(None),) * d
    return y[lead + (slice(0, n - 1),)], y[lead + (slice(1, None),)]


def _spacing(y, x, d, op):
    """dx: the differences of x along d, shaped to broadcast with y's differences."""
    xd = x._data
    if xd.ndim == 1:
        if xd.shape[0] != y._data.shape[d]:
            raise ShapeError(f"{op}: There must be one `x` value for each sample point (x has "
                             f"{xd.shape[0]}, y has {y._data.shape[d]} along dim {d})")
        shape = [1] * y._data.ndim
        shape[d] = xd.shape[0]
        x = reshape(x, tuple(shape))
    elif xd.ndim < y._data.ndim:
        x = reshape(x, (1,) * (y._data.ndim - xd.ndim) + xd.shape)
    left, right = _halves(x, d)
    return right - left


def _args(y, x, dx, dim, op):
    y = as_tensor(y, op)
    if y._data.ndim == 0:
        raise IndexError(f"{op}: Dimension specified as {dim} but tensor has no dimensions")
    d = check_dim(dim, y._data.ndim, op)
    if x is not None and dx is not None:
        raise TypeError(f"{op}(): takes x or dx, not both")
    if y._data.dtype == np.bool_ or (isinstance(x, Tensor) and x._data.dtype == np.bool_):
        raise RuntimeError(f"{op}: received a bool input, but bool is not supported")
    if x is not None and not isinstance(x, Tensor):
        if isinstance(x, numbers.Real) and not isinstance(x, bool):  # trapezoid(y, 0.5): dx
            x, dx = None, x
        else:
            raise TypeError(f"{op}(): x must be a Tensor, got {type(x).__name__}")
    if isinstance(dx, Tensor) and dx._data.ndim == 0:  # a 0-d tensor converts, as a Scalar
        dx = dx._data.item()
    if dx is not None and (isinstance(dx, bool) or not isinstance(dx, numbers.Real)):
        raise TypeError(f"{op}(): dx must be a real number, got {type(dx).__name__}")
    return y, x, (1.0 if dx is None else float(dx)), d


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoid-rule integral of `y` along `dim`: sample points at `x` (a tensor, 1-d
    of y's length along dim, or broadcastable with y) or `dx` apart (a number, 1 by
    default; `trapezoid(y, 0.5)` passes it positionally). A dim of 0 samples gives zeros.
    Integer y gives float results. Bool tensors raise RuntimeError."""
    y, x, dx, d = _args(y, x, dx, dim, "trapezoid")
    if y._data.shape[d] == 0:
        shape = tuple(s for k, s in enumerate(y._data.shape) if k != d)
        return const(np.zeros(shape, y._data.dtype))
    if x is not None:
        left, right = _halves(y, d)
        return sum_((left + right) * _spacing(y, x, d, "trapezoid"), d) / 2.0
    return (sum_(y, d) - (select(y, d, 0) + select(y, d, -1)) * 0.5) * dx


def trapz(y, x=None, *, dx=None, dim=-1):
    """`trapezoid` (PyTorch's older name)."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoid-rule integral of `y` along `dim` (one value fewer than y
    there), with `x` or `dx` as `trapezoid`."""
    y, x, dx, d = _args(y, x, dx, dim, "cumulative_trapezoid")
    left, right = _halves(y, d)
    if x is not None:
        return cumsum((left + right) * _spacing(y, x, d, "cumulative_trapezoid"), d) / 2.0
    return cumsum(dx / 2.0 * (left + right), d)


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of the 1-d `x`: column j holds `x ** (N - 1 - j)` (or `x ** j`
    with `increasing`), N columns (len(x) by default), built by cumprod as PyTorch's, so
    the gradient is cumprod's. Integer and bool x give int64. Other shapes or N < 0 raise
    RuntimeError."""
    x = as_tensor(x, "vander")
    if x._data.ndim != 1:
        raise ShapeError(f"vander: x must be a one-dimensional tensor, got shape "
                         f"{tuple(x._data.shape)}")
    n = x._data.shape[0] if N is None else int(N)
    if n < 0:
        raise RuntimeError(f"vander: N must be non-negative, got {n}")
    dtype = _dtypes.promote_types(x._data.dtype, np.dtype(np.int64))
    if x._data.dtype != dtype:
        x = x.to(dtype)
    m = x._data.shape[0]
    if n == 0:
        return const(np.zeros((m, 0), dtype))
    ones = const(np.ones((m, 1), dtype))
    if n == 1:
        out = ones
    else:
        powers = cumprod(expand(unsqueeze(x, 1), (m, n - 1)), 1)
        out = cat([ones, powers], 1)
    return out if increasing else flip(out, (1,))
