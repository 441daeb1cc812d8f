"""Reductions composed of reduce.py's (their gradients and ONNX export come from
those): nansum and nanmean (over `NanToZero` and `NotNan`), aminmax."""
from collections import namedtuple

import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ._util import ShapeError, as_tensor, check_dim, const
from .reduce import amax, amin, sum as sum_

aminmax_result = namedtuple("aminmax", ["min", "max"])  # torch.return_types.aminmax's fields


class NanToZero(Op):
    """x with NaN replaced by 0. The gradient is PyTorch's nansum rule, g * (x not NaN): a
    product, so a NaN in g stays NaN (nanmean's all-NaN slices, as PyTorch)."""

    def forward(ctx, x):
        nan = np.isnan(x)
        ctx.keep = ~nan
        return np.where(nan, x.dtype.type(0), x)

    def backward(ctx, g):
        return g * const(ctx.keep)

    def fast_backward(ctx, g):
        return g * ctx.keep


class NotNan(Op):
    """1 where x is not NaN, else 0, in x's dtype: nanmean's count, summed. A recorded op
    (so an ONNX export sees how the count was made) whose output carries no gradient."""

    def forward(ctx, x):
        return (~np.isnan(x)).astype(x.dtype)

    def backward(ctx, g):
        return None

    def fast_backward(ctx, g):
        return None


def _without_nan(input):
    if _dtypes.is_floating(input._data.dtype):
        return NanToZero.apply(input)
    return input


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """`sum` with NaN counted as 0 (the gradient is 0 there); `dim` (an int or a tuple,
    every dim by default), `keepdim` and `dtype` as in `sum`."""
    return sum_(_without_nan(as_tensor(input, "nansum")), dim, keepdim, dtype=dtype)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """The mean of the non-NaN elements over `dim` (every dim by default), with
    `keepdim` and `dtype` as in `mean`: `nansum / count of non-NaN`, NaN where every
    element is NaN. Integer tensors raise RuntimeError (as PyTorch, even with `dtype`)."""
    input = as_tensor(input, "nanmean")
    if not _dtypes.is_floating(input._data.dtype):
        raise RuntimeError(f"nanmean(): expected input to have floating point dtype but got "
                           f"{input._data.dtype}")
    # the count in the result's float dtype (PyTorch's int64 count is cast to it to divide)
    count = sum_(NotNan.apply(input), dim, keepdim, dtype=dtype)
    return nansum(input, dim, keepdim, dtype=dtype) / count


def aminmax(input, *, dim=None, keepdim=False):
    """The named tuple `(min, max)` over `dim` (one int, or every dim when None), with
    `keepdim`: `amin` and `amax` at once (equal extremes share the gradient evenly).
    Reducing over an empty dim raises RuntimeError."""
    input = as_tensor(input, "aminmax")
    x = input._data
    if dim is None:
        if x.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                               "operation has no identity.")
        axes = ()
    else:
        if isinstance(dim, (tuple, list)):
            raise TypeError(f"aminmax(): dim must be an int or None, got {dim!r}")
        d = check_dim(dim, x.ndim, "aminmax")
        if x.ndim and x.shape[d] == 0:
            raise ShapeError(f"aminmax(): cannot compute aminmax over an empty dimension (dim {d} "
                             f"of shape {x.shape}) as the operation has no identity.")
        axes = d if x.ndim else ()
    return aminmax_result(amin(input, axes, keepdim), amax(input, axes, keepdim))
