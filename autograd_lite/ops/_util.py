"""Helpers shared by the ops: argument checks, dtype promotion, dim handling."""
import numbers

import numpy as np

from .. import _dtypes
from ..tensor import Tensor, _check_dim, array_from


class ShapeError(ValueError, RuntimeError):
    """Shapes that do not fit an op (catchable as ValueError or RuntimeError)."""


def const(array):
    """Wrap an array as a tensor that does not require grad."""
    return Tensor._make(array, False, None, 0, [0, 0])


def as_tensor(x, op, dtype=None):
    """`x` as a Tensor (arrays and scalars are wrapped, never requiring grad)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return const(x if dtype is None else x.astype(dtype, copy=False))
    if isinstance(x, (numbers.Number, np.generic, np.bool_)):
        if dtype is None:
            dtype = _dtypes.scalar_dtype(x)
        return const(np.asarray(x, dtype=dtype))
    if isinstance(x, (list, tuple)):
        return const(array_from(x, dtype, copy=False))
    raise TypeError(f"{op}: expected a Tensor, got {type(x).__name__}")


def is_scalar(x):
    return isinstance(x, (numbers.Number, np.generic)) and not isinstance(x, np.ndarray)


_scalar_cache = {}


def scalar_array(value, dtype):
    """A read-only 0-d array holding `value` in `dtype`, cached: NumPy is ~2x faster
    with a 0-d array operand than with a Python or NumPy scalar, and a cache hit
    costs less than building either."""
    if value.__class__ is float or value.__class__ is int or value.__class__ is bool:
        key = (value, dtype.char) if value else (repr(value), dtype.char)  # keep -0.0 apart
        arr = _scalar_cache.get(key)
        if arr is None:
            arr = _dtypes.cast(np.asarray(value), dtype) if dtype is _dtypes.bfloat16 else np.array(value, dtype)
            arr.flags.writeable = False
            if len(_scalar_cache) > 4096:
                _scalar_cache.clear()
            if value == value:  # NaN never hits the cache: don't store it
                _scalar_cache[key] = arr
        return arr
    arr = _dtypes.cast(np.asarray(value), dtype) if dtype is _dtypes.bfloat16 else np.array(value, dtype)
    arr.flags.writeable = False
    return arr


def binary_operands(a, b, op):
    """Bring the two operands of a binary op to one dtype, as PyTorch promotes.

    Returns Tensors, or a read-only 0-d array in place of a scalar operand (cheaper
    than a tensor and never differentiable).
    """
    a_is_t = isinstance(a, Tensor)
    b_is_t = isinstance(b, Tensor)
    if a_is_t and b_is_t:
        if a._data.dtype is b._data.dtype:
            return a, b
        dtype = _dtypes.result_type(a._data, b._data)
    elif a_is_t:
        if (b.__class__ is float or b.__class__ is int) and a._data.dtype.kind == "f":
            return a, scalar_array(b, a._data.dtype)
        b = _operand(b, op)
        dtype = _dtypes.result_type(a._data, b)
    elif b_is_t:
        if (a.__class__ is float or a.__class__ is int) and b._data.dtype.kind == "f":
            return scalar_array(a, b._data.dtype), b
        a = _operand(a, op)
        dtype = _dtypes.result_type(a, b._data)
    else:
        raise TypeError(f"{op}: expected at least one Tensor operand")
    return _cast_operand(a, dtype), _cast_operand(b, dtype)


def _operand(x, op):
    if isinstance(x, (numbers.Number, np.generic)):
        return x
    if isinstance(x, np.ndarray):
        return const(x)
    if isinstance(x, (list, tuple)):
        return as_tensor(x, op)
    raise TypeError(f"{op}: unsupported operand of type {type(x).__name__}")


def _cast_operand(x, dtype):
    if isinstance(x, Tensor):
        return x if x._data.dtype == dtype else x.to(dtype)
    return scalar_array(x, dtype)


def float_operand(x, op):
    """`x` as a floating tensor: integer and bool tensors become the default float."""
    x = as_tensor(x, op)
    if not _dtypes.is_floating(x._data.dtype):
        return x.to(_dtypes.get_default_dtype())
    return x


def normalize_dims(dim, ndim, op):
    """`dim` (None, int, or tuple/list of ints) as a sorted tuple of axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        dims = tuple(_check_dim(d, ndim, op) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"{op}: dim {tuple(dim)} appears multiple times in the list of dims")
        return tuple(sorted(dims)) if ndim else ()
    d = _check_dim(dim, ndim, op)
    return (d,) if ndim else ()


def check_dim(dim, ndim, op):
    return _check_dim(dim, ndim, op)


def keepdim_shape(shape, axes):
    """`shape` with the reduced `axes` kept as size 1."""
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def shape_str(t):
    return f"{tuple(t.shape)} ({t.dtype})"


def broadcast_shape(shapes, op):
    """The shape `shapes` broadcast to (an int stands for a 1-D shape); ShapeError naming
    `op` and the shapes when they don't broadcast."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        listed = ", ".join(str(s) for s in shapes)
        raise ShapeError(f"{op}: shapes {listed} cannot be broadcast together") from None


def at_least_dims(t, ndim, op):
    """`t`, checked to have at least `ndim` dims (ShapeError naming `op` otherwise)."""
    if t._data.ndim < ndim:
        raise ShapeError(f"{op}: expected a tensor with at least {ndim} dim(s), got shape "
                         f"{tuple(t._data.shape)}")
    return t


def broadcast_error(op, a, b):
    sa = getattr(a, "shape", ())
    sb = getattr(b, "shape", ())
    da = getattr(a, "dtype", type(a).__name__)
    db = getattr(b, "dtype", type(b).__name__)
    return ShapeError(
        f"{op}: shapes {tuple(sa)} ({da}) and {tuple(sb)} ({db}) cannot be broadcast together"
    )


def int_tuple(v, n, name, op):
    """An int or a sequence of ints (one is repeated) as a tuple of `n` ints, for layer
    arguments such as kernel_size, stride and padding; anything else names the op."""
    cls = v.__class__
    if cls is int:  # the common cases first: an ABC isinstance costs ~1 us a value
        return (v,) * n
    if cls is tuple and len(v) == n and all(e.__class__ is int for e in v):
        return v
    if isinstance(v, numbers.Integral):
        return (int(v),) * n
    v = tuple(v)
    if len(v) == 1:
        v = v * n
    if len(v) != n or not all(isinstance(e, numbers.Integral) for e in v):
        raise ValueError(f"{op}: expected {name} to be an int or a tuple of {n} ints, got {v!r}")
    return tuple(int(e) for e in v)


KERNEL_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))  # what the Numba kernels are typed for


def wide(fn):
    """Run an op's `forward` (or `fast_backward`) in float32 when an array argument is
    bfloat16, and round the float32 results to bfloat16 once: PyTorch's CPU kernels
    compute bfloat16 that way (reductions and matmuls accumulate in float32, Numba
    kernels take no bfloat16). Other dtypes go straight through. For ops whose work
    outweighs the check (reductions, matmul, conv, normalisation, losses)."""
    bf16, f32, ndarray = _dtypes.bfloat16, _dtypes.float32, np.ndarray

    def run(ctx, *args, **kwargs):
        for a in args:
            if a.__class__ is ndarray and a.dtype is bf16:
                break
        else:
            return fn(ctx, *args, **kwargs)
        args = [a.astype(f32) if a.__class__ is ndarray and a.dtype is bf16 else a for a in args]
        return _narrow(fn(ctx, *args, **kwargs))

    run.__name__, run.__doc__ = fn.__name__, fn.__doc__
    return run


def wide_function(fn):
    """`wide` for a plain function of arrays (no ctx)."""
    method = wide(lambda ctx, *args, **kwargs: fn(*args, **kwargs))

    def run(*args, **kwargs):
        return method(None, *args, **kwargs)

    run.__name__, run.__doc__ = fn.__name__, fn.__doc__
    return run


def wide_grads(fn):
    """`wide` for a method taking gradient Tensors and returning arrays (the ops'
    `_kernel_grads(ctx, g)`): bfloat16 gradients are handed over in float32, the
    results rounded to bfloat16 once."""
    bf16, f32 = _dtypes.bfloat16, _dtypes.float32

    def run(ctx, *grads):
        if not any(isinstance(g, Tensor) and g._data.dtype is bf16 for g in grads):
            return fn(ctx, *grads)
        grads = [const(g._data.astype(f32)) if isinstance(g, Tensor) and g._data.dtype is bf16 else g
                 for g in grads]
        return _narrow(fn(ctx, *grads))

    run.__name__, run.__doc__ = fn.__name__, fn.__doc__
    return run


def _narrow(out):
    if out.__class__ is np.ndarray or isinstance(out, np.generic):  # full reductions give scalars
        return _dtypes.cast(np.asarray(out), _dtypes.bfloat16) if out.dtype == _dtypes.float32 else out
    if isinstance(out, tuple):
        return tuple(_narrow(o) for o in out)
    if isinstance(out, list):
        return [_narrow(o) for o in out]
    return out
