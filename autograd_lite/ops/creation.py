"""Tensor factories: tensor, from_numpy, zeros/ones/full/empty, arange, linspace,
logspace, eye, rand/randn/randint/randperm/normal and the *_like forms, with PyTorch's
signatures (sizes as varargs, a tuple or `size=`; `out=`, `dtype=`, `device=`,
`layout=`, `pin_memory=`, `requires_grad=`, `generator=` on the random ones)."""
import operator
import warnings

import numpy as np

from .. import _dtypes
from ..autograd.grad_mode import is_grad_enabled
from ..autograd.node import Op
from ..devices import DeviceUnavailableError, cpu_only
from ..formats import check_layout, check_memory_format, preserve_format
from ..random import as_numpy_generator
from ..tensor import Tensor, array_from, mark_dirty
from . import _util


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new leaf tensor holding a copy of `data`."""
    _options("tensor", device=device, pin_memory=pin_memory)
    arr = array_from(data, dtype, copy=True)
    t = Tensor._make(arr, False, None, 0, [0, 0])
    if requires_grad:
        t.requires_grad = True
    return t


def as_tensor(data, dtype=None, device=None):
    """Like `tensor`, but shares memory with a NumPy array or Tensor when it can."""
    cpu_only(device, "as_tensor")
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
    if ndarray.dtype.kind not in "biuf" and ndarray.dtype is not _dtypes.bfloat16:
        raise TypeError(f"from_numpy: unsupported dtype {ndarray.dtype}")
    return Tensor._make(ndarray, False, None, 0, [0, 0])


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-D tensor over the bytes of an object with Python's buffer protocol (bytes,
    bytearray, memoryview, array.array...), sharing its memory: `count` elements of
    `dtype` (all that fit with -1) from byte `offset`. A read-only buffer gives a
    read-only tensor (PyTorch warns and lets writes through; here in-place ops raise)."""
    dtype = _dtypes.to_dtype(dtype)
    if dtype is None:
        raise TypeError("frombuffer: dtype is required")
    try:
        view = memoryview(buffer)
    except TypeError:
        raise TypeError(f"frombuffer: expected an object with the buffer protocol, got "
                        f"{type(buffer).__name__}") from None
    nbytes = view.nbytes
    count, offset = operator.index(count), operator.index(offset)
    if not 0 <= offset < max(nbytes, 1) or nbytes == 0:
        raise ValueError(f"frombuffer: both buffer length ({nbytes}) and offset ({offset}) must be "
                         f"non-negative, with offset < length")
    if count == 0 or count < -1:
        raise ValueError(f"frombuffer: count must be positive or -1, got {count}")
    if count == -1:
        if (nbytes - offset) % dtype.itemsize:
            raise ValueError(f"frombuffer: buffer length ({nbytes} bytes) after offset ({offset} "
                             f"bytes) must be a multiple of the element size ({dtype.itemsize})")
        count = (nbytes - offset) // dtype.itemsize
    elif offset + count * dtype.itemsize > nbytes:
        raise ValueError(f"frombuffer: requested buffer length ({count} * {dtype.itemsize} bytes) "
                         f"after offset ({offset} bytes) must not be greater than the actual "
                         f"buffer length ({nbytes} bytes)")
    arr = np.frombuffer(view.cast("B") if view.ndim != 1 or view.format != "B" else view,
                        np.uint8, count * dtype.itemsize, offset).view(dtype)
    return _finish(arr, requires_grad)


def from_dlpack(ext_tensor):
    """A tensor sharing memory with an object of the DLPack protocol (`__dlpack__`: a
    NumPy array, a PyTorch CPU tensor, ...), through NumPy's `from_dlpack`. Its dtype
    must be one autograd_lite has (bfloat16 has no DLPack code NumPy reads)."""
    if not hasattr(ext_tensor, "__dlpack__"):
        raise TypeError(f"from_dlpack: expected an object with __dlpack__, got "
                        f"{type(ext_tensor).__name__}")
    try:
        arr = np.from_dlpack(ext_tensor)
    except (BufferError, TypeError, RuntimeError) as e:
        raise RuntimeError(f"from_dlpack: can't import the {type(ext_tensor).__name__} ({e})") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"from_dlpack: unsupported dtype {arr.dtype}")
    return Tensor._make(arr, False, None, 0, [0, 0])


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """An uninitialised tensor of `size` with the given `stride` (in elements, >= 0) over
    memory of its own, the smallest that holds every element (as PyTorch's)."""
    dtype = _options("empty_strided", dtype, layout, device, pin_memory) or _dtypes.get_default_dtype()
    size = _size((size,), None, "empty_strided")
    try:
        stride = tuple(operator.index(s) for s in stride)
    except TypeError:
        raise TypeError(f"empty_strided: stride must be a sequence of ints, got {stride!r}") from None
    if len(stride) != len(size):
        raise RuntimeError(f"empty_strided: mismatch in length of strides and shape ({len(stride)} "
                           f"strides for {len(size)} sizes)")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"empty_strided: strides must be non-negative, got {list(stride)}")
    n = 0 if 0 in size else 1 + sum((k - 1) * s for k, s in zip(size, stride))
    memory = np.empty(n, dtype)
    arr = np.lib.stride_tricks.as_strided(memory, size, tuple(s * dtype.itemsize for s in stride))
    return _finish(arr, requires_grad)




# ---- shared argument handling ------------------------------------------------------------
def _options(op, dtype=None, layout=None, device=None, pin_memory=False, memory_format=None):
    """Check the placement keywords every factory takes; returns the dtype (or None)."""
    cpu_only(device, op)
    check_layout(layout, op)
    check_memory_format(memory_format, op)
    if pin_memory:
        raise DeviceUnavailableError(f"{op}: pin_memory=True needs an accelerator; autograd_lite "
                                     f"runs on the CPU only")
    return _dtypes.to_dtype(dtype)


def _size(args, size, op):
    """The shape from `f(2, 3)`, `f((2, 3))`, `f([2, 3])`, `f(ag.Size(...))` or `f(size=...)`."""
    if size is not None:
        if args:
            raise TypeError(f"{op}() got multiple values for argument 'size'")
        args = (size,)
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    elif not args and size is None:
        raise TypeError(f"{op}() missing 1 required positional argument: 'size'")
    try:
        shape = tuple(operator.index(s) for s in args)
    except TypeError:
        raise TypeError(f"{op}: size must be a tuple of ints, got "
                        f"{args[0] if len(args) == 1 else args!r}") from None
    if any(s < 0 for s in shape):
        raise RuntimeError(f"{op}: trying to create a tensor with negative dimension: {list(shape)}")
    return shape


def _out_dtype(out, dtype, op):
    """With `out=` the result takes out's dtype, unless `dtype=` names another (an error)."""
    if out is None:
        return dtype
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if dtype is not None and dtype != out._data.dtype:
        raise RuntimeError(f"{op}: dtype {dtype} does not match dtype of out parameter "
                           f"({out._data.dtype})")
    return out._data.dtype


_RANGES = ("arange", "linspace", "logspace")


def _finish(arr, requires_grad, out=None, op=None):
    """A new leaf tensor on `arr`, or `arr` written into `out`. As PyTorch, an `out` of
    another shape is resized (the ranges keep out's shape when the sizes agree, and
    arange warns when it drops elements)."""
    if out is None:
        t = Tensor._make(arr, False, None, 0, [0, 0])
        if requires_grad:
            t.requires_grad = True
        return t
    if out._requires_grad and is_grad_enabled():
        raise RuntimeError(f"{op}(): functions with out=... arguments don't support automatic "
                           f"differentiation, but one of the arguments requires grad")
    if out._data.shape == arr.shape or (op in _RANGES and out._data.size == arr.size):
        out._data[...] = arr.reshape(out._data.shape)
    else:
        if op == "arange" and out._data.size:
            warnings.warn(f"{op}: an output with one or more elements was resized since it had "
                          f"shape {list(out._data.shape)}, which does not match the required "
                          f"output shape {list(arr.shape)}", UserWarning, stacklevel=3)
        out._data = arr.astype(out._data.dtype, copy=False)
    mark_dirty(out)
    return out


def _float_dtype(dtype):
    return dtype or _dtypes.get_default_dtype()


def _number(value, op, name):
    """A Python number from a number or a one-element tensor (for arange, linspace...)."""
    if isinstance(value, Tensor):
        if value._data.size != 1:
            raise RuntimeError(f"{op}: {name} must be a number or a one-element tensor, got a "
                               f"tensor of shape {list(value._data.shape)}")
        return value._data.item()
    return value


# ---- constant factories ------------------------------------------------------------------
def _constant(fill, args, size, out, dtype, layout, device, requires_grad, pin_memory,
              memory_format, op):
    dtype = _out_dtype(out, _options(op, dtype, layout, device, pin_memory, memory_format), op)
    shape = _size(args, size, op)
    check_memory_format(memory_format, op, len(shape))
    if memory_format is preserve_format:
        raise RuntimeError(f"{op}: unsupported memory format preserve_format (it needs a tensor "
                           f"to preserve the format of)")
    arr = np.empty(shape, _float_dtype(dtype)) if fill is None else np.full(shape, fill, _float_dtype(dtype))
    return _finish(arr, requires_grad, out, op)


def zeros(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """A tensor of zeros: `zeros(2, 3)`, `zeros((2, 3))`, `zeros(size=(2, 3))`."""
    return _constant(0, args, size, out, dtype, layout, device, requires_grad, pin_memory, None,
                     "zeros")


def ones(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """A tensor of ones: `ones(2, 3)`, `ones((2, 3))`, `ones(size=(2, 3))`."""
    return _constant(1, args, size, out, dtype, layout, device, requires_grad, pin_memory, None,
                     "ones")


def empty(*args, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    """An uninitialised tensor (memory formats are accepted hints: always row-major here)."""
    return _constant(None, args, size, out, dtype, layout, device, requires_grad, pin_memory,
                     memory_format, "empty")


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """A tensor filled with `fill_value`; its dtype follows the value (bool, int64 or the
    default float) unless `dtype` is given."""
    dtype = _out_dtype(out, _options("full", dtype, layout, device, pin_memory), "full")
    fill_value = _number(fill_value, "full", "fill_value")
    if dtype is None:
        dtype = _dtypes.scalar_dtype(fill_value)
    shape = _size((size,), None, "full")
    return _finish(np.full(shape, fill_value, dtype), requires_grad, out, "full")


def _like(fill, input, dtype, layout, device, requires_grad, memory_format, op):
    dtype = _options(op, dtype, layout, device, False, memory_format) or input._data.dtype
    check_memory_format(memory_format, op, input._data.ndim)
    shape = input._data.shape
    arr = np.empty(shape, dtype) if fill is None else np.full(shape, fill, dtype)
    return _finish(arr, requires_grad)


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """Zeros in the shape of `input`, with its dtype unless `dtype` is given."""
    return _like(0, input, dtype, layout, device, requires_grad, memory_format, "zeros_like")


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """Ones in the shape of `input`, with its dtype unless `dtype` is given."""
    return _like(1, input, dtype, layout, device, requires_grad, memory_format, "ones_like")


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """An uninitialised tensor in the shape of `input`, with its dtype unless `dtype` is given."""
    return _like(None, input, dtype, layout, device, requires_grad, memory_format, "empty_like")


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """`fill_value` in the shape of `input`, with its dtype unless `dtype` is given."""
    return _like(_number(fill_value, "full_like", "fill_value"), input, dtype, layout, device,
                 requires_grad, memory_format, "full_like")


# ---- ranges ------------------------------------------------------------------------------
def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    """`arange(end)`, `arange(start, end, step=1)`: int64 when every bound is an int, else
    the default float dtype."""
    dtype = _out_dtype(out, _options("arange", dtype, layout, device, pin_memory), "arange")
    start, end, step = (_number(v, "arange", n) for v, n in ((start, "start"), (end, "end"),
                                                              (step, "step")))
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
    n = max(int(np.ceil((end - start) / step)), 0)
    arr = _dtypes.cast(start + step * np.arange(n, dtype=np.float64), dtype) if _dtypes.is_floating(dtype) else (
        _int_arange(start, end, step, n, dtype))
    return _finish(arr, requires_grad, out, "arange")


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


def _steps(steps, op):
    try:
        steps = operator.index(steps)
    except TypeError:
        raise TypeError(f"{op}: steps must be an int, got {type(steps).__name__}") from None
    if steps < 0:
        raise RuntimeError(f"{op}: number of steps must be non-negative")
    return steps


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """`steps` evenly spaced values from `start` to `end`, both included (computed in float64,
    then cast to the default float dtype or `dtype`). Raises RuntimeError for negative `steps`."""
    dtype = _out_dtype(out, _options("linspace", dtype, layout, device, pin_memory), "linspace")
    start, end = _number(start, "linspace", "start"), _number(end, "linspace", "end")
    arr = np.linspace(start, end, _steps(steps, "linspace"), dtype=np.float64)
    return _finish(arr.astype(_float_dtype(dtype)), requires_grad, out, "linspace")


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """`steps` values `base ** x` for x evenly spaced from `start` to `end`, both included."""
    dtype = _out_dtype(out, _options("logspace", dtype, layout, device, pin_memory), "logspace")
    start, end = _number(start, "logspace", "start"), _number(end, "logspace", "end")
    arr = float(base) ** np.linspace(start, end, _steps(steps, "logspace"), dtype=np.float64)
    return _finish(arr.astype(_float_dtype(dtype)), requires_grad, out, "logspace")


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
        pin_memory=False):
    """The (n, m) identity matrix (m = n by default). Raises RuntimeError for a negative size."""
    dtype = _out_dtype(out, _options("eye", dtype, layout, device, pin_memory), "eye")
    n, m = operator.index(n), operator.index(n if m is None else m)
    if n < 0 or m < 0:
        raise RuntimeError(f"eye: n and m must be greater or equal to 0, got n={n}, m={m}")
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad, out, "eye")


# ---- random factories --------------------------------------------------------------------
def _random_float_dtype(dtype, op):
    dtype = _float_dtype(dtype)
    if not _dtypes.is_floating(dtype):
        raise NotImplementedError(f"{op}: random floats need a floating dtype, got {dtype}")
    return dtype


def _uniform_or_normal(draw, args, size, generator, out, dtype, layout, device, requires_grad,
                       pin_memory, op):
    dtype = _out_dtype(out, _options(op, dtype, layout, device, pin_memory), op)
    dtype = _random_float_dtype(dtype, op)
    rng = as_numpy_generator(generator, op)
    native = dtype if dtype.itemsize >= 4 else np.float32  # NumPy draws float32 or float64
    arr = getattr(rng, draw)(_size(args, size, op), dtype=native).astype(dtype, copy=False)
    return _finish(arr, requires_grad, out, op)


def rand(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """Uniform samples on [0, 1)."""
    return _uniform_or_normal("random", args, size, generator, out, dtype, layout, device,
                              requires_grad, pin_memory, "rand")


def randn(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    """Standard normal samples."""
    return _uniform_or_normal("standard_normal", args, size, generator, out, dtype, layout,
                              device, requires_grad, pin_memory, "randn")


def _integers(low, high, shape, generator, dtype, op):
    low, high = operator.index(_number(low, op, "low")), operator.index(_number(high, op, "high"))
    if low >= high:
        raise RuntimeError(f"{op}: expects 'low' to be less than 'high', but got low={low} >= "
                           f"high={high}")
    return as_numpy_generator(generator, op).integers(low, high, shape).astype(dtype)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False, pin_memory=False):
    """Integers in [low, high): `randint(high, size)` or `randint(low, high, size)`."""
    dtype = _out_dtype(out, _options("randint", dtype, layout, device, pin_memory), "randint")
    if size is None and isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if size is None:
        raise TypeError("randint() missing 1 required argument: 'size'")
    shape = _size((size,), None, "randint")
    arr = _integers(low, high, shape, generator, dtype or _dtypes.int64, "randint")
    return _finish(arr, requires_grad, out, "randint")


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """A random permutation of 0..n-1."""
    dtype = _out_dtype(out, _options("randperm", dtype, layout, device, pin_memory), "randperm")
    n = operator.index(n)
    if n < 0:
        raise RuntimeError(f"randperm: n must be non-negative, got {n}")
    arr = as_numpy_generator(generator, "randperm").permutation(n).astype(dtype or _dtypes.int64)
    return _finish(arr, requires_grad, out, "randperm")


def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    """Uniform samples on [0, 1) in the shape of `input`, with its dtype unless `dtype` is given."""
    dtype = _options("rand_like", dtype, layout, device, False, memory_format)
    return rand(input._data.shape, dtype=dtype or input._data.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    """Standard normal samples in the shape of `input`, with its dtype unless `dtype` is given."""
    dtype = _options("randn_like", dtype, layout, device, False, memory_format)
    return randn(input._data.shape, dtype=dtype or input._data.dtype, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None):
    """`randint_like(input, high)` or `randint_like(input, low, high)`."""
    dtype = _options("randint_like", dtype, layout, device, False, memory_format)
    if high is None:
        low, high = 0, low
    arr = _integers(low, high, input._data.shape, None, dtype or input._data.dtype, "randint_like")
    return _finish(arr, requires_grad)


class NormalSample(Op):
    """`mean + std * noise` whose gradient is zero for mean and std, as PyTorch's normal
    with tensor arguments (it samples; it is not a reparameterisation)."""

    def forward(ctx, mean, std, noise):
        ctx.shapes = (mean.shape, std.shape)
        return (mean + std * noise).astype(noise.dtype, copy=False)

    def backward(ctx, g):
        return zeros(ctx.shapes[0], dtype=g.dtype), zeros(ctx.shapes[1], dtype=g.dtype), None


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad=False, pin_memory=False):
    """Normal samples: `normal(mean, std, size)` with numbers, or `normal(mean, std)` with a
    tensor mean and/or std (broadcast together, in their dtype)."""
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        if size is not None:
            raise TypeError("normal(): size is only taken when mean and std are numbers")
        return _normal_tensors(mean, std, generator, out)
    dtype = _out_dtype(out, _options("normal", dtype, layout, device, pin_memory), "normal")
    if size is None:
        raise TypeError("normal: size is required when mean and std are numbers")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    t = randn(size, generator=generator, dtype=dtype)
    arr = t._data * t._data.dtype.type(std) + t._data.dtype.type(mean)
    return _finish(arr, requires_grad, out, "normal")


def _normal_tensors(mean, std, generator, out):
    dtype = (mean if isinstance(mean, Tensor) else std)._data.dtype  # as PyTorch: mean's first
    if not _dtypes.is_floating(dtype):
        raise NotImplementedError(f"normal: mean and std must be floating tensors, got {dtype}")
    mean, std = _util.as_tensor(mean, "normal", dtype), _util.as_tensor(std, "normal", dtype)
    if np.any(std._data < 0):
        raise RuntimeError(f"normal expects all elements of std >= 0.0, found min "
                           f"{std._data.min()}")
    try:
        shape = np.broadcast_shapes(mean._data.shape, std._data.shape)
    except ValueError:
        raise RuntimeError(f"normal: mean of shape {list(mean._data.shape)} and std of shape "
                           f"{list(std._data.shape)} don't broadcast") from None
    if isinstance(out, Tensor) and out._data.shape != shape:
        raise RuntimeError(f"normal: out has shape {list(out._data.shape)}, but mean and std "
                           f"broadcast to {list(shape)}")
    noise = randn(shape, generator=generator, dtype=dtype)._data
    result = NormalSample.apply(mean.to(dtype), std.to(dtype), noise)
    if out is None:
        return result
    _out_dtype(out, None, "normal")  # checks out is a Tensor
    return _finish(result._data, False, out, "normal")
