"""Reductions with `dim` (int or tuple) and `keepdim`: sum, mean, prod, var, std,
logsumexp, norm, max/min (values and indices), amax/amin, argmax/argmin, all/any,
cumsum/cumprod."""
import builtins
from collections import namedtuple

import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ..tensor import Tensor
from ._summation import BLOCK, accumulation_dtype, accurate_mean, accurate_sum
from ._util import (as_tensor, check_dim, const, float_operand, keepdim_shape, normalize_dims,
                    scalar_array, wide)
from .creation import zeros
from .elementwise import abs as abs_, exp, maximum, minimum, sign, where
from .index import scatter
from .shape import expand, flip, movedim, permute, reshape, unsqueeze

values_indices = namedtuple("values_indices", ["values", "indices"])


def _dims(dim, ndim, op):
    """Reduced axes; an empty dim tuple/list reduces every dim, as PyTorch's sum, mean,
    var, std, norm, amax/amin and count_nonzero (all/any keep it a no-op)."""
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        dim = None
    return normalize_dims(dim, ndim, op)


def _expand_back(g, ctx):
    """Broadcast a reduced gradient back to the input's shape."""
    if not ctx.keepdim and ctx.axes:
        g = reshape(g, ctx.kept_shape)
    return expand(g, ctx.in_shape)


def _expand_back_array(g, ctx):
    """`_expand_back` on an ndarray (for the first-order rules on arrays); a 0-d `g`
    (a full reduction) broadcasts as it is. The result is a read-only view."""
    if g.size == 1 and g.flags.c_contiguous:
        # A full reduction (loss.sum(), loss.mean()): a stride-0 view of g's element,
        # made directly; np.broadcast_to costs 3.2 us of Python, this 0.5 us.
        in_shape = ctx.in_shape
        view = _ndarray(in_shape, g.dtype, g, 0, _ZERO_STRIDES[len(in_shape)])
        view.flags.writeable = False
        return view
    if not ctx.keepdim and ctx.axes and g.ndim:
        g = g.reshape(ctx.kept_shape)
    return np.broadcast_to(g, ctx.in_shape)


_ndarray = np.ndarray
_add_reduce = np.add.reduce
_FLOAT32 = np.dtype(np.float32)
_FLOAT64 = np.dtype(np.float64)
_ZERO_STRIDES = [(0,) * n for n in range(65)]  # per ndim (NumPy allows up to 64 dims)
_ALL_AXES = [tuple(range(n)) for n in range(65)]


def _reduction_setup(ctx, x, axes, keepdim):
    shape = x.shape
    ctx.in_shape = shape
    ctx.axes = axes
    ctx.keepdim = keepdim
    n = len(shape)
    ctx.kept_shape = (1,) * n if len(axes) == n else keepdim_shape(shape, axes)


class Sum(Op):
    """The sum over `axes`, as `dtype` (None: the input's own, which for a float narrower
    than 4 bytes the callers pass explicitly, so it is accumulated in float32)."""

    def forward(ctx, x, axes, keepdim, dtype):
        _reduction_setup(ctx, x, axes, keepdim)
        if dtype is None:
            n = x.size
            if n > BLOCK and len(axes) != x.ndim:
                n = 1
                for a in axes:
                    n *= x.shape[a]
            # few terms per output (a running sum is accurate) or every axis of a
            # contiguous array (NumPy's pairwise sum): NumPy's own reduction
            if n <= BLOCK or x.flags.c_contiguous and len(axes) == x.ndim:
                return _add_reduce(x, axes, None, None, keepdim)  # = np.sum on an ndarray,
                # less Python around it (1.3 vs 3.1 us on a small array)
        return accurate_sum(x, axes, keepdim, dtype)

    def backward(ctx, g):
        return _expand_back(g, ctx)

    def fast_backward(ctx, g):
        return _expand_back_array(g, ctx)


def sum(input, dim=None, keepdim=False, dtype=None):
    if dim is None and dtype is None and input.__class__ is Tensor:
        data = input._data
        dt = data.dtype
        if dt is _FLOAT32 or dt is _FLOAT64:  # the common case (loss.sum()), unchecked
            return Sum.apply(input, _ALL_AXES[data.ndim], keepdim, None)
    input = as_tensor(input, "sum")
    axes = _dims(dim, input._data.ndim, "sum")
    dtype = _dtypes.to_dtype(dtype)
    if dtype is None and input._data.dtype.kind in "biu":
        dtype = _dtypes.int64
    elif dtype is None and input._data.dtype.itemsize < 4:  # float16, bfloat16 (ints are above)
        dtype = input._data.dtype  # said explicitly: Sum then adds in float32
    # a bfloat16 dtype rounds the input first, as PyTorch's sum(x, dtype=torch.bfloat16)
    if dtype is not None and dtype != input._data.dtype and (input._requires_grad or dtype is _dtypes.bfloat16):
        input = input.to(dtype)
        dtype = input._data.dtype if input._data.dtype.itemsize < 4 else None  # narrow: float32 sums
    return Sum.apply(input, axes, keepdim, dtype)


class Mean(Op):
    @wide
    def forward(ctx, x, axes, keepdim):
        _reduction_setup(ctx, x, axes, keepdim)
        n = 1
        for a in axes:
            n *= x.shape[a]
        ctx.n = n
        if n and x.size <= BLOCK and x.dtype.itemsize >= 4:  # few terms: a running sum
            return _add_reduce(x, axes, None, None, keepdim) / x.dtype.type(n)
        return accurate_mean(x, axes, keepdim)

    def backward(ctx, g):
        return _expand_back(g / ctx.n, ctx)

    def fast_backward(ctx, g):
        if g.dtype is _dtypes.bfloat16:  # as backward's g / n: n in float32, rounded once
            with np.errstate(invalid="ignore", divide="ignore"):  # an empty mean: nan, silently
                return _expand_back_array(_dtypes.cast(g.astype(np.float32) / np.float32(ctx.n), g.dtype), ctx)
        n = scalar_array(ctx.n, g.dtype)
        if ctx.n:
            return _expand_back_array(g / n, ctx)
        with np.errstate(invalid="ignore", divide="ignore"):  # an empty mean: nan, silently
            return _expand_back_array(g / n, ctx)


def mean(input, dim=None, keepdim=False, dtype=None):
    input = as_tensor(input, "mean")
    if dtype is not None:
        input = input.to(dtype)
    if not _dtypes.is_floating(input._data.dtype):
        raise RuntimeError(
            f"mean: could not infer output dtype; input dtype must be floating point, "
            f"got {input._data.dtype} (pass dtype= or call .float() first)"
        )
    return Mean.apply(input, _dims(dim, input._data.ndim, "mean"), keepdim)


class Prod(Op):
    """The product (bfloat16 rounded after each multiply, as PyTorch's CPU prod)."""

    save_inputs = (0,)
    save_output = True

    def forward(ctx, x, axes, keepdim):
        _reduction_setup(ctx, x, axes, keepdim)
        return np.prod(x, axis=axes, keepdims=keepdim)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        out = ctx.saved_output
        g = _expand_back(g, ctx)
        if not np.any(x._data == 0):
            return g * (_expand_back(out, ctx) / x)
        return g * _prod_of_others(x, ctx.axes)


def _prod_of_others(x, axes):
    """For each element, the product of the other elements in its reduction group.
    Used when zeros make out / x undefined; built from differentiable ops."""
    nd = x.ndim
    rest = [d for d in range(nd) if d not in axes]
    perm = rest + list(axes)
    xp = permute(x, tuple(perm)) if perm != list(range(nd)) else x
    lead = xp.shape[:len(rest)]
    n = int(np.prod([x.shape[a] for a in axes], dtype=np.int64))
    flat = reshape(xp, lead + (n,))
    rows = expand(reshape(flat, lead + (1, n)), lead + (n, n))
    eye = np.eye(n, dtype=bool)
    others = prod(where(eye, 1.0, rows), dim=-1)  # (lead..., n)
    back = reshape(others, xp.shape)
    inv = tuple(np.argsort(perm))
    return permute(back, inv) if perm != list(range(nd)) else back


def prod(input, dim=None, keepdim=False, dtype=None):
    input = as_tensor(input, "prod")
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind in "biu":
        input = input.to(_dtypes.int64)
    if dim is not None and isinstance(dim, (tuple, list)):
        raise TypeError("prod: dim must be a single int, as in PyTorch")
    return Prod.apply(input, normalize_dims(dim, input._data.ndim, "prod"), keepdim)


def _correction(correction, unbiased, op):
    if correction is not None and unbiased is not None:
        raise RuntimeError(f"{op}: pass either correction or unbiased, not both")
    if unbiased is not None:
        return 1 if unbiased else 0
    return 1 if correction is None else correction


class Var(Op):
    save_inputs = (0,)

    @wide
    def forward(ctx, x, axes, keepdim, correction):
        _reduction_setup(ctx, x, axes, keepdim)
        n = 1
        for a in axes:
            n *= x.shape[a]
        ctx.denom = builtins.max(n - correction, 0)
        # two passes (the mean, then the squares of the differences from it), both summed
        # accurately: one pass, sum(x^2) - n mean^2, loses every digit when the mean is
        # large next to the spread
        acc = accumulation_dtype(x.dtype)
        xa = x if acc is None else x.astype(acc)
        if n:
            d = xa - accurate_sum(xa, axes, True) / xa.dtype.type(n)
        else:
            d = xa
        s = np.asarray(accurate_sum(d * d, axes, keepdim))
        if ctx.denom:
            out = s / s.dtype.type(ctx.denom)
        else:
            with np.errstate(invalid="ignore", divide="ignore"):  # no degrees of freedom: nan/inf
                out = s / s.dtype.type(ctx.denom)
        return out if acc is None else out.astype(x.dtype)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return _var_grad(ctx, x, _expand_back(g, ctx))


def _var_grad(ctx, x, g):
    """Gradient of var with respect to x, for `g` already broadcast to x's shape."""
    mu = mean(x, ctx.axes, keepdim=True)
    return g * (x - mu) * (2.0 / ctx.denom if ctx.denom else float("inf"))


class Std(Var):
    """sqrt(var) in one node, so that a zero std gives a zero gradient (as PyTorch)."""

    save_output = True

    @wide
    def forward(ctx, x, axes, keepdim, correction):
        return np.sqrt(Var.forward(ctx, x, axes, keepdim, correction))

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        out = ctx.saved_output
        zero = out._data == 0
        g = where(zero, 0.0, g / (2.0 * where(zero, 1.0, out)))
        return _var_grad(ctx, x, _expand_back(g, ctx))


def _var_args(dim, unbiased, correction, keepdim):
    if isinstance(dim, bool):  # var(x, False): the old (input, unbiased) overload
        dim, unbiased = None, dim
    return dim, unbiased, correction, keepdim


def _var_std(op, cls, input, dim, unbiased, keepdim, correction):
    input = as_tensor(input, op)
    if not _dtypes.is_floating(input._data.dtype):
        raise RuntimeError(f"{op}: std and var only support floating point dtypes, got {input._data.dtype}")
    dim, unbiased, correction, keepdim = _var_args(dim, unbiased, correction, keepdim)
    corr = _correction(correction, unbiased, op)
    return cls.apply(input, _dims(dim, input._data.ndim, op), keepdim, corr)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _var_std("var", Var, input, dim, unbiased, keepdim, correction)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _var_std("std", Std, input, dim, unbiased, keepdim, correction)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, unbiased, correction, keepdim = _var_args(dim, unbiased, correction, keepdim)
    return var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    dim, unbiased, correction, keepdim = _var_args(dim, unbiased, correction, keepdim)
    return std(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


class LogSumExp(Op):
    save_inputs = (0,)
    save_output = True

    @wide
    def forward(ctx, x, axes, keepdim):
        _reduction_setup(ctx, x, axes, keepdim)
        if x.size == 0:
            return np.log(np.sum(np.exp(x), axis=axes, keepdims=keepdim))
        m = np.max(x, axis=axes, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        with np.errstate(divide="ignore"):
            s = np.log(accurate_sum(np.exp(x - m), axes, True)) + m
        return s if keepdim else s.reshape([d for i, d in enumerate(x.shape) if i not in axes])

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        out = _expand_back(ctx.saved_output, ctx)
        return _expand_back(g, ctx) * exp(x - out)


def logsumexp(input, dim, keepdim=False):
    input = float_operand(input, "logsumexp")
    return LogSumExp.apply(input, normalize_dims(dim, input._data.ndim, "logsumexp"), keepdim)


def _norm(x, p, axes, keepdim):
    """The p-norm of array x over `axes`, the sums accurate."""
    if p == 2:
        return np.sqrt(accurate_sum(x * x, axes, keepdim))
    a = np.abs(x)
    if p == np.inf:
        return np.max(a, axis=axes, keepdims=keepdim, initial=0)
    if p == -np.inf:
        return np.min(a, axis=axes, keepdims=keepdim)
    if p == 0:
        return np.sum(a != 0, axis=axes, keepdims=keepdim).astype(x.dtype)
    if p == 1:
        return accurate_sum(a, axes, keepdim)
    with np.errstate(divide="ignore"):
        return accurate_sum(a ** p, axes, keepdim) ** (1.0 / p)


class Norm(Op):
    save_inputs = (0,)
    save_output = True

    @wide
    def forward(ctx, x, p, axes, keepdim):
        _reduction_setup(ctx, x, axes, keepdim)
        ctx.p = p
        if p in (np.inf, -np.inf) and builtins.any(x.shape[i] == 0 for i in axes):
            raise RuntimeError(f"norm: cannot compute the {p} norm over an empty dim (shape {x.shape})")
        acc = accumulation_dtype(x.dtype)  # float16 squares overflow past 256: use float32
        out = np.asarray(_norm(x if acc is None else x.astype(acc), p, axes, keepdim))
        return out if acc is None else out.astype(x.dtype)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        p = ctx.p
        norm = _expand_back(ctx.saved_output, ctx)
        g = _expand_back(g, ctx)
        if p == 0:
            return g * 0
        if p == 1:
            return g * sign(x)
        if p in (np.inf, -np.inf):
            hit = (abs_(x) == norm)._data
            count = np.sum(hit, axis=ctx.axes, keepdims=True)
            return g * sign(x) * (hit / np.maximum(count, 1)).astype(x.dtype)
        zero = (norm._data == 0)
        if p == 2:
            scaled = x * g / where(zero, 1.0, norm)
        else:
            scaled = x * abs_(x) ** (p - 2) * g / where(zero, 1.0, norm ** (p - 1))
        return where(zero, 0.0, scaled)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    input = float_operand(input, "norm")
    if dtype is not None:
        input = input.to(dtype)
    if p == "fro" or p is None:
        p = 2
    if p == "nuc" or isinstance(p, str):
        raise ValueError(f"norm: p={p!r} is not supported (use a number, inf, -inf or 'fro')")
    return Norm.apply(input, float(p), _dims(dim, input._data.ndim, "norm"), keepdim)


class AMaxMin(Op):
    """amax/amin and max()/min() without dim: ties share the gradient evenly (for
    max()/min(), `nan_hits`, a NaN result sends it to the NaNs, as PyTorch)."""

    save_inputs = (0,)
    save_output = True

    def forward(ctx, x, axes, keepdim, is_max, nan_hits=False):
        _reduction_setup(ctx, x, axes, keepdim)
        ctx.nan_hits = nan_hits
        name = "max" if is_max else "min"
        if x.size == 0 and builtins.any(x.shape[a] == 0 for a in axes):
            raise RuntimeError(
                f"{name}: expected a non-empty reduction over dims {axes} of shape {x.shape} "
                f"(specify a dim that is not empty)"
            )
        return np.max(x, axis=axes, keepdims=keepdim) if is_max else np.min(x, axis=axes, keepdims=keepdim)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        out = _expand_back(ctx.saved_output, ctx)
        hit = (x._data == out._data)
        if ctx.nan_hits:
            hit |= np.isnan(x._data) & np.isnan(out._data)
        count = np.sum(hit, axis=ctx.axes, keepdims=True)
        return _expand_back(g, ctx) * (hit / count).astype(x.dtype)


def _explicit_dims(input, dim, op):
    """Axes of amax/amin; an explicitly named empty dim is an IndexError, as PyTorch."""
    axes = _dims(dim, input._data.ndim, op)
    if dim not in (None, (), []):
        for a in axes:
            if input._data.shape[a] == 0:
                raise IndexError(f"{op}: expected reduction dim {a} to have non-zero size "
                                 f"(shape {input._data.shape})")
    return axes


def amax(input, dim=(), keepdim=False):
    input = as_tensor(input, "amax")
    return AMaxMin.apply(input, _explicit_dims(input, dim, "amax"), keepdim, True)


def amin(input, dim=(), keepdim=False):
    input = as_tensor(input, "amin")
    return AMaxMin.apply(input, _explicit_dims(input, dim, "amin"), keepdim, False)


class MaxMinDim(Op):
    """max/min along one dim: (values, indices); the gradient goes to the index."""

    multi_output = True
    non_differentiable = (1,)

    def forward(ctx, x, axis, keepdim, is_max):
        ctx.in_shape, ctx.axis, ctx.keepdim = x.shape, axis, keepdim
        if x.ndim and x.shape[axis] == 0:
            raise IndexError(
                f"{'max' if is_max else 'min'}: cannot reduce over dim {axis} of size 0 "
                f"(shape {x.shape})"
            )
        if x.ndim == 0:
            idx = np.zeros((), np.int64)
            ctx.idx = idx
            return x.copy(), idx
        idx = np.argmax(x, axis=axis, keepdims=True) if is_max else np.argmin(x, axis=axis, keepdims=True)
        vals = np.take_along_axis(x, idx, axis)
        ctx.idx = idx
        if not keepdim:
            vals = np.squeeze(vals, axis)
            idx = np.squeeze(idx, axis)
        return vals, idx.astype(np.int64)

    def backward(ctx, g, _gi):
        if not ctx.in_shape:
            return g
        if not ctx.keepdim:
            g = reshape(g, ctx.idx.shape)
        return scatter(zeros(ctx.in_shape, dtype=g.dtype), ctx.axis, ctx.idx, g)


def _max_min(input, dim, keepdim, is_max, other):
    name = "max" if is_max else "min"
    input = as_tensor(input, name)
    if isinstance(dim, Tensor) or other is not None:
        o = dim if isinstance(dim, Tensor) else other
        return maximum(input, o) if is_max else minimum(input, o)
    if dim is None:
        return AMaxMin.apply(input, normalize_dims(None, input._data.ndim, name), False, is_max, True)
    axis = check_dim(dim, input._data.ndim, name)
    vals, idx = MaxMinDim.apply(input, axis, keepdim, is_max)
    return values_indices(vals, idx)


def max(input, dim=None, keepdim=False, *, other=None):
    return _max_min(input, dim, keepdim, True, other)


def min(input, dim=None, keepdim=False, *, other=None):
    return _max_min(input, dim, keepdim, False, other)


def _arg(input, dim, keepdim, fn, name):
    x = as_tensor(input, name)._data
    if dim is None:
        if x.size == 0:
            raise IndexError(f"{name}: expected reduction dim to be specified for an empty tensor "
                             f"(shape {x.shape})")
        out = np.asarray(fn(x.reshape(-1)), dtype=np.int64)
        return const(out.reshape((1,) * x.ndim) if keepdim else out)
    axis = check_dim(dim, x.ndim, name)
    if x.ndim == 0:
        return const(np.zeros((), np.int64))
    if x.shape[axis] == 0:
        raise IndexError(f"{name}: cannot reduce over dim {axis} of size 0 (shape {x.shape})")
    return const(fn(x, axis=axis, keepdims=keepdim).astype(np.int64))


def argmax(input, dim=None, keepdim=False):
    return _arg(input, dim, keepdim, np.argmax, "argmax")


def argmin(input, dim=None, keepdim=False):
    return _arg(input, dim, keepdim, np.argmin, "argmin")


def _truth(fn, input, dim, keepdim, name):
    """all/any: bool results, except uint8 in uint8 out (PyTorch keeps that dtype)."""
    x = as_tensor(input, name)._data
    out = fn(x, axis=normalize_dims(dim, x.ndim, name), keepdims=keepdim)
    return const(np.asarray(out, dtype=np.uint8) if x.dtype == np.uint8 else np.asarray(out))


def all(input, dim=None, keepdim=False):
    return _truth(np.all, input, dim, keepdim, "all")


def any(input, dim=None, keepdim=False):
    return _truth(np.any, input, dim, keepdim, "any")


def count_nonzero(input, dim=None):
    x = as_tensor(input, "count_nonzero")._data
    return const(np.asarray(np.count_nonzero(x, axis=_dims(dim, x.ndim, "count_nonzero")),
                            dtype=np.int64))


class Cumsum(Op):
    @wide
    def forward(ctx, x, axis, dtype):
        ctx.axis = axis
        if x.ndim == 0:
            return x.astype(dtype) if dtype is not None else x.copy()
        return np.cumsum(x, axis=axis, dtype=dtype)

    def backward(ctx, g):
        if g.ndim == 0:
            return g
        return flip(cumsum(flip(g, ctx.axis), ctx.axis), ctx.axis)


def cumsum(input, dim, dtype=None):
    input = as_tensor(input, "cumsum")
    dtype = _dtypes.to_dtype(dtype)
    if dtype is None and input._data.dtype.kind in "biu":
        dtype = _dtypes.int64
    if dtype is not None and (input._requires_grad or _dtypes.bfloat16 in (dtype, input._data.dtype)):
        input, dtype = input.to(dtype), None
    return Cumsum.apply(input, check_dim(dim, input._data.ndim, "cumsum"), dtype)


class Cumprod(Op):
    save_inputs = (0,)
    save_output = True

    @wide
    def forward(ctx, x, axis):
        ctx.axis = axis
        return x.copy() if x.ndim == 0 else np.cumprod(x, axis=axis)

    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if g.ndim == 0:
            return g
        a = ctx.axis
        if np.any(x._data == 0):
            return _cumprod_grad_with_zeros(x, g, a)
        out = ctx.saved_output
        return flip(cumsum(flip(g * out, a), a), a) / x


def _cumprod_grad_with_zeros(x, g, axis):
    """d/dx_k of sum_j g_j * cumprod(x)_j = sum_{j >= k} g_j * prod_{i <= j, i != k} x_i,
    without dividing by x_k: row k of an (n, n) stack is x with x_k set to 1, whose
    cumprod gives those products. O(n^2), only when x has zeros; built from
    differentiable ops, so higher derivatives follow."""
    xs = movedim(x, axis, -1)  # (..., n)
    gs = movedim(g, axis, -1)
    n = xs.shape[-1]
    rows = expand(unsqueeze(xs, -2), xs.shape[:-1] + (n, n))  # rows[..., k, i] = x_i
    others = cumprod(where(np.eye(n, dtype=bool), 1.0, rows), -1)  # [..., k, j]
    later = np.triu(np.ones((n, n), dtype=bool))  # j >= k
    grad = sum(where(later, others * unsqueeze(gs, -2), 0.0), -1)
    return movedim(grad, -1, axis)


def cumprod(input, dim, dtype=None):
    input = as_tensor(input, "cumprod")
    if dtype is not None:
        input = input.to(dtype)
    elif input._data.dtype.kind in "biu":  # int64, as PyTorch (NumPy would keep uint8 unsigned)
        input = input.to(_dtypes.int64)
    return Cumprod.apply(input, check_dim(dim, input._data.ndim, "cumprod"))
