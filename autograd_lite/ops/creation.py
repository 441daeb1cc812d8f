"""Tensor factories: tensor, from_numpy, zeros/ones/full/empty, arange, linspace,
eye, rand/randn/randint/randperm and the *_like forms."""
import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ..random import generator
from ..tensor import Tensor, array_from


def tensor(data, dtype=None, device=None, requires_grad=False):
    """A new leaf tensor holding a copy of `data`."""
    _check_device(device)
    arr = array_from(data, dtype, copy=True)
    t = Tensor._make(arr, False, None, 0, [0, 0])
    if requires_grad:
        t.requires_grad = True
    return t


def as_tensor(data, dtype=None, device=None):
    """Like `tensor`, but shares memory with a NumPy array or Tensor when it can."""
    _check_device(device)
    if isinstance(data, Tensor) and (dtype is None or _dtypes.to_dtype(dtype) == data.dtype):
        return data
    return Tensor._make(array_from(data, dtype, copy=False), False, None, 0, [0, 0])


class Clone(Op):
    """A copy of the data that stays in the graph (the gradient passes unchanged)."""

    def forward(ctx, x):
        return x.copy()

    def backward(ctx, g):
        return g


def clone(input, memory_format=None):
    """A copy of `input` with its own memory; gradients flow back to `input`."""
    return Clone.apply(input)


def from_numpy(ndarray):
    """A tensor sharing memory with `ndarray` (dtype kept)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"from_numpy: expected np.ndarray, got {type(ndarray).__name__}")
    if ndarray.dtype.kind not in "biuf":
        raise TypeError(f"from_numpy: unsupported dtype {ndarray.dtype}")
    return Tensor._make(ndarray, False, None, 0, [0, 0])


def _check_device(device):
    if device is not None and str(device).split(":")[0] != "cpu":
        raise RuntimeError(f"device {device!r} is not available; autograd_lite runs on the CPU")


def _size(size, op):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    try:
        size = tuple(int(s) for s in size)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: size must be ints, got {size!r}") from None
    if any(s < 0 for s in size):
        raise RuntimeError(f"{op}: trying to create a tensor with negative dimension: {size}")
    return size


def _finish(arr, requires_grad):
    t = Tensor._make(arr, False, None, 0, [0, 0])
    if requires_grad:
        t.requires_grad = True
    return t


def _float_dtype(dtype):
    return _dtypes.to_dtype(dtype) or _dtypes.get_default_dtype()


def zeros(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(np.zeros(_size(size, "zeros"), _float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(np.ones(_size(size, "ones"), _float_dtype(dtype)), requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(np.empty(_size(size, "empty"), _float_dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if dtype is None:
        dtype = _dtypes.scalar_dtype(fill_value)
    size = _size((size,) if isinstance(size, (tuple, list)) else (size,), "full")
    return _finish(np.full(size, fill_value, _dtypes.to_dtype(dtype)), requires_grad)


def zeros_like(input, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(np.zeros(input.shape, _dtypes.to_dtype(dtype) or input.dtype), requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(np.ones(input.shape, _dtypes.to_dtype(dtype) or input.dtype), requires_grad)


def empty_like(input, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(np.empty(input.shape, _dtypes.to_dtype(dtype) or input.dtype), requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(np.full(input.shape, fill_value, _dtypes.to_dtype(dtype) or input.dtype),
                   requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(
            f"arange: upper bound and lower bound inconsistent with step sign "
            f"(start={start}, end={end}, step={step})"
        )
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = _dtypes.int64 if is_int else _dtypes.get_default_dtype()
    dtype = _dtypes.to_dtype(dtype)
    n = max(int(np.ceil((end - start) / step)), 0)
    arr = (start + step * np.arange(n, dtype=np.float64)).astype(dtype) if dtype.kind == "f" else (
        _int_arange(start, end, step, n, dtype))
    return _finish(arr, requires_grad)


def _int_arange(start, end, step, n, dtype):
    """arange in an integer dtype, as PyTorch: int64 truncates start, end and step to
    integers first; the other integer dtypes count `n` from the given bounds and step
    from int(start) by int(step)."""
    if dtype == np.int64:
        start, end, step = int(start), int(end), int(step)
        if step == 0:
            raise ValueError("arange: step must be nonzero (the step truncated to int64 is 0)")
        n = max(-(-(end - start) // step), 0)
    return (int(start) + int(step) * np.arange(n, dtype=np.int64)).astype(dtype)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if steps < 0:
        raise RuntimeError("linspace: number of steps must be non-negative")
    return _finish(np.linspace(start, end, int(steps), dtype=np.float64).astype(_float_dtype(dtype)),
                   requires_grad)


def logspace(start, end, steps, base=10.0, dtype=None, requires_grad=False):
    return _finish((base ** np.linspace(start, end, int(steps))).astype(_float_dtype(dtype)),
                   requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(np.eye(int(n), int(n if m is None else m), dtype=_float_dtype(dtype)), requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    dt = _float_dtype(dtype)
    return _finish(generator().random(_size(size, "rand"), dtype=dt if dt.itemsize >= 4 else np.float32)
                   .astype(dt, copy=False), requires_grad)


def randn(*size, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    dt = _float_dtype(dtype)
    return _finish(generator().standard_normal(_size(size, "randn"), dtype=dt if dt.itemsize >= 4 else np.float32)
                   .astype(dt, copy=False), requires_grad)


def randint(low=0, high=None, size=None, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    if size is None and isinstance(high, (tuple, list)):  # randint(high, size), as PyTorch
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint: size is required")
    size = _size((size,) if isinstance(size, (tuple, list)) else (size,), "randint")
    return _finish(generator().integers(low, high, size).astype(_dtypes.to_dtype(dtype) or _dtypes.int64),
                   requires_grad)


def randperm(n, dtype=None, device=None, requires_grad=False):
    _check_device(device)
    return _finish(generator().permutation(int(n)).astype(_dtypes.to_dtype(dtype) or _dtypes.int64),
                   requires_grad)


def rand_like(input, dtype=None, device=None, requires_grad=False):
    return rand(input.shape, dtype=dtype or input.dtype, device=device,
                requires_grad=requires_grad)


def randn_like(input, dtype=None, device=None, requires_grad=False):
    return randn(input.shape, dtype=dtype or input.dtype, device=device,
                 requires_grad=requires_grad)


def randint_like(input, low=0, high=None, dtype=None, device=None, requires_grad=False):
    return randint(low, high, input.shape, dtype=dtype or input.dtype, device=device,
                   requires_grad=requires_grad)


def normal(mean=0.0, std=1.0, size=None, dtype=None, requires_grad=False):
    if size is None:
        raise TypeError("normal: size is required when mean and std are numbers")
    t = randn(size, dtype=dtype)
    t._data *= std
    t._data += mean
    return _finish(t._data, requires_grad)
