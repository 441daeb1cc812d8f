"""In-place ops (`add_`, `mul_`, `zero_`, `x[i] = v`, ...) and their autograd rules.

Outside grad recording they write straight into the array (the optimizers' path).
While recording, the op runs out of place on a stand-in for the old value and the
tensor takes over the result's values and history, so gradients stay right. As in
PyTorch: a leaf that requires grad can't be changed in place while grad mode is on,
every in-place change bumps the tensor's version (so a saved copy that changed is
caught at backward), and views share their base's version counter.
"""
import operator

import numpy as np

from .. import _dtypes
from ..autograd.grad_mode import is_grad_enabled
from ..random import as_numpy_generator
from ..tensor import Tensor, has_live_aliases, mark_dirty
from . import arithmetic, elementwise, strided
from ._util import ShapeError, as_tensor
from .index import assign, kept_tensors, normalize_key, put
from .random_ops import bernoulli_draws
from .shape import expand
from .view_inplace import rebase_shared


def _check_writable(self, op):
    if is_grad_enabled() and self._requires_grad and self.grad_fn is None:
        raise RuntimeError(
            f"{op}: a leaf tensor that requires grad is being used in an in-place operation; "
            f"do it under ag.no_grad() (as optimizers do) or use the out-of-place op"
        )
    if not self._data.flags.writeable:
        raise RuntimeError(
            f"{op}: the tensor's memory is read-only (e.g. an expand()ed or broadcast view, "
            f"where several elements share one memory location); call .clone() first"
        )


_ALL = np.array(True)  # a `where` condition that picks the new value everywhere


def _recording(self, *others):
    if not is_grad_enabled():
        return False
    if self._requires_grad:
        return True
    for o in others:
        if isinstance(o, Tensor) and o._requires_grad:
            return True
    return False


def _old_value(self):
    """A stand-in for the tensor's value before the change, with its history. It holds a
    copy: the out-of-place op may save it for backward, and `_rebase` then overwrites
    the tensor's own memory (and bumps its version)."""
    return Tensor._make(self._data.copy(), self._requires_grad, self.grad_fn, self._output_nr, [0, 0])


def _rebase(self, result, op):
    """Give `self` the values and the history of `result` (computed out of place); a
    tensor that shares memory with live views or a base goes through view_inplace,
    which gives the others the history of their changed values too."""
    fn = self.grad_fn
    if fn is not None and self._output_nr in getattr(fn, "view_outputs", ()):
        raise RuntimeError(
            f"{op}: output {self._output_nr} of {fn.name()} is a view and is being modified "
            f"inplace. The view is an input the custom Function returned as it is, and "
            f"rebasing its history would bypass the Function's backward, leading to incorrect "
            f"gradients; this is forbidden, as in PyTorch. Clone the Function's output first.")
    if result._data.shape != self._data.shape:
        raise ShapeError(
            f"{op}: the result's shape {result._data.shape} doesn't match the tensor's "
            f"shape {self._data.shape} for an in-place op"
        )
    if result._data.dtype != self._data.dtype:
        if not np.can_cast(result._data.dtype, self._data.dtype, "same_kind"):
            raise RuntimeError(
                f"{op}: result type {result._data.dtype} can't be cast to the desired output "
                f"type {self._data.dtype}"
            )
        result = result.to(self._data.dtype)
    if has_live_aliases(self):
        return rebase_shared(self, result, op)
    np.copyto(self._data, result._data)
    mark_dirty(self)
    self.grad_fn = result.grad_fn
    self._output_nr = result._output_nr
    self._requires_grad = result._requires_grad
    return self


def _write(self, op, fn):
    """Run `fn()` that writes into self._data; wrap NumPy's errors."""
    try:
        fn()
    except ValueError as e:
        raise ShapeError(f"{op}: {e} (tensor shape {self._data.shape})") from None
    except TypeError as e:  # NumPy's UFuncTypeError for unsafe casts
        raise RuntimeError(f"{op}: {e} (tensor dtype {self._data.dtype})") from None
    mark_dirty(self)
    return self


def _ufunc_inplace(self, ufunc, other, out_of_place, name):
    """`self = ufunc(self, other)`: the ufunc writes straight into the array when no
    gradient is recorded (the optimizers' path), else the op runs out of place."""
    _check_writable(self, name)
    if _recording(self, other):
        return _rebase(self, out_of_place(_old_value(self), other), name)
    o = other._data if isinstance(other, Tensor) else other
    return _write(self, name, lambda: ufunc(self._data, o, out=self._data, casting="same_kind"))


def _inplace_call(self, out_of_place, name, *args, **kwargs):
    """`self = out_of_place(self, *args, **kwargs)` for any op."""
    _check_writable(self, name)
    recording = _recording(self, *args, *kwargs.values())
    result = out_of_place(_old_value(self) if recording else self.detach(), *args, **kwargs)
    if recording:
        return _rebase(self, result, name)
    return _write(self, name, lambda: np.copyto(self._data, result._data, casting="same_kind"))


def add_(self, other, *, alpha=1):
    """In-place add: self += alpha * other (the optimizers' path writes straight in)."""
    if alpha != 1:
        other = arithmetic.scaled(self, other, alpha, "add_")
    _check_writable(self, "add_")
    if _recording(self, other):
        return _rebase(self, arithmetic.add(_old_value(self), other), "add_")
    o = other._data if isinstance(other, Tensor) else other
    return _write(self, "add_", lambda: np.add(self._data, o, out=self._data, casting="same_kind"))


def sub_(self, other, *, alpha=1):
    """In-place sub: self -= alpha * other."""
    if arithmetic.is_bool(self) or arithmetic.is_bool(other):
        arithmetic.sub(self, other)  # raises PyTorch's error for bool subtraction
    if alpha != 1:
        other = arithmetic.scaled(self, other, alpha, "sub_")
    return _ufunc_inplace(self, np.subtract, other, arithmetic.sub, "sub_")


def mul_(self, other):
    """In-place mul: self *= other (the optimizers' path writes straight in)."""
    _check_writable(self, "mul_")
    if _recording(self, other):
        return _rebase(self, arithmetic.mul(_old_value(self), other), "mul_")
    o = other._data if isinstance(other, Tensor) else other
    return _write(self, "mul_", lambda: np.multiply(self._data, o, out=self._data, casting="same_kind"))


def div_(self, other, *, rounding_mode=None):
    """In-place div: self /= other (rounded as `rounding_mode` says, if given)."""
    if rounding_mode is not None:
        return _inplace_call(self, arithmetic.div, "div_", other, rounding_mode=rounding_mode)
    with np.errstate(divide="ignore", invalid="ignore"):  # x / 0 is inf or nan, silently
        return _ufunc_inplace(self, np.true_divide, other, arithmetic.div, "div_")


def true_divide_(self, other):
    """In-place true division: self /= other."""
    return div_(self, other)


def unary_inplace(out_of_place, name):
    """The in-place method `name` of `out_of_place(self, ...)`."""
    def method(self, *args, **kwargs):
        return _inplace_call(self, out_of_place, name, *args, **kwargs)

    method.__name__ = name
    return method


def view_inplace(out_of_place, name):
    """`squeeze_`, `unsqueeze_`, `transpose_`, `t_`: the tensor takes the view's shape
    (its memory and values stay, its version moves on, as in PyTorch) and, while
    recording, the view op's history."""
    def method(self, *args, **kwargs):
        if is_grad_enabled() and self._requires_grad and self.grad_fn is None:
            raise RuntimeError(
                f"{name}: a leaf tensor that requires grad is being used in an in-place "
                f"operation; do it under ag.no_grad() or use the out-of-place op")
        if _recording(self):
            result = out_of_place(Tensor._make(self._data, True, self.grad_fn, self._output_nr, self._vc),
                                  *args, **kwargs)
            self.grad_fn, self._output_nr = result.grad_fn, result._output_nr
        else:
            result = out_of_place(self.detach(), *args, **kwargs)
        self._data = result._data
        mark_dirty(self)
        return self

    method.__name__ = name
    return method


def _overwrite(old, new):
    """`new` (broadcast) in place of `old`, with a zero gradient for `old`; `where`, not
    `old * 0 + new`, so an inf or nan in the old value can't leak through."""
    return elementwise.where(_ALL, new, old)


def zero_(self):
    """Fill with zeros in place."""
    _check_writable(self, "zero_")
    if _recording(self):
        return _rebase(self, _overwrite(_old_value(self), 0), "zero_")
    return _write(self, "zero_", lambda: self._data.fill(0))


def fill_(self, value):
    """Fill with `value` (a number or a 0-d tensor, whose gradient flows) in place."""
    _check_writable(self, "fill_")
    if _recording(self, value):
        v = as_tensor(value, "fill_").to(self._data.dtype)
        return _rebase(self, _overwrite(_old_value(self), v), "fill_")
    v = value.item() if isinstance(value, Tensor) else value
    return _write(self, "fill_", lambda: self._data.fill(v))


def copy_(self, src, non_blocking=False):
    """Copy `src` (broadcast, cast to this dtype) into this tensor; the gradient flows
    to `src`."""
    _check_writable(self, "copy_")
    src = as_tensor(src, "copy_")
    if _recording(self, src):
        new = expand(src.to(self._data.dtype), self._data.shape)
        return _rebase(self, _overwrite(_old_value(self), new), "copy_")
    return _write(self, "copy_", lambda: np.copyto(self._data, src._data, casting="unsafe"))


def _random_fill(self, op, sample):
    if _recording(self):  # new values with no gradient path to the old ones
        return _rebase(self, _overwrite(_old_value(self), as_tensor(sample.astype(self._data.dtype), op)), op)
    return _write(self, op, lambda: np.copyto(self._data, sample, casting="unsafe"))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with samples of N(mean, std^2) in place."""
    _check_writable(self, "normal_")
    return _random_fill(self, "normal_", as_numpy_generator(generator, "normal_").standard_normal(self._data.shape) * std + mean)


def uniform_(self, a=0.0, b=1.0, *, generator=None):
    """Fill with samples of U(a, b) in place."""
    _check_writable(self, "uniform_")
    return _random_fill(self, "uniform_", as_numpy_generator(generator, "uniform_").uniform(a, b, self._data.shape))


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1 samples that are 1 with probability p (a number, or a tensor that
    broadcasts to this one's shape, in [0, 1]), in place."""
    _check_writable(self, "bernoulli_")
    return _random_fill(self, "bernoulli_",
                        bernoulli_draws(self._data.shape, p, generator, "bernoulli_"))


def _continuous(self, op, name):
    if not _dtypes.is_floating(self._data.dtype):
        raise RuntimeError(f"{op}: the {name} distribution is a continuous probability "
                           f"distribution; the tensor's dtype must be a floating point, but it "
                           f"is {self._data.dtype}")


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with draws of the exponential distribution of rate `lambd` (> 0) in place."""
    _check_writable(self, "exponential_")
    _continuous(self, "exponential_", "exponential")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    rng = as_numpy_generator(generator, "exponential_")
    return _random_fill(self, "exponential_", rng.exponential(1.0 / lambd, self._data.shape))


def geometric_(self, p, *, generator=None):
    """Fill with draws of the geometric distribution (the number of Bernoulli(p) trials up
    to the first success: 1, 2, ...; p in (0, 1)) in place; float or integer tensors."""
    _check_writable(self, "geometric_")
    if self._data.dtype == _dtypes.bool_:
        raise NotImplementedError("geometric_: not implemented for bool tensors")
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    rng = as_numpy_generator(generator, "geometric_")
    return _random_fill(self, "geometric_", rng.geometric(p, self._data.shape))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fill with draws of the Cauchy distribution (location `median`, scale `sigma` > 0)
    in place."""
    _check_writable(self, "cauchy_")
    _continuous(self, "cauchy_", "Cauchy")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={sigma}")
    rng = as_numpy_generator(generator, "cauchy_")
    return _random_fill(self, "cauchy_", median + sigma * rng.standard_cauchy(self._data.shape))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fill with exp(N(mean, std^2)) draws (`std` > 0) in place."""
    _check_writable(self, "log_normal_")
    _continuous(self, "log_normal_", "log-normal")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    rng = as_numpy_generator(generator, "log_normal_")
    return _random_fill(self, "log_normal_", rng.lognormal(mean, std, self._data.shape))


_FLOAT_BITS = {"float16": 11, "bfloat16": 8, "float32": 24, "float64": 53}  # exact integers up to 2**bits
_NO_TO = object()


def _random_bounds(dtype):
    """The range random_() draws from by default for `dtype` (both ends included)."""
    if dtype == _dtypes.bool_:
        return 0, 1
    if dtype.kind in "iu":
        return 0, int(np.iinfo(dtype).max)
    return 0, 2 ** _FLOAT_BITS[dtype.name]


def random_(self, *args, to=_NO_TO, generator=None):
    """Fill with integers drawn uniformly in place: `random_()` from [0, the dtype's
    largest integer] (floats: `[0, 2**m]`, m their mantissa bits, the integers they
    hold exactly), `random_(to)` from [0, to), `random_(from, to)` from [from, to)
    (to=None: up to the dtype's largest). Integer dtypes need the bounds in their
    range (RuntimeError otherwise)."""
    _check_writable(self, "random_")
    if len(args) > 2 or (len(args) == 2 and to is not _NO_TO):
        raise TypeError(f"random_: expected random_(), random_(to) or random_(from, to), got "
                        f"{len(args)} positional arguments{' and to=' if to is not _NO_TO else ''}")
    if to is not _NO_TO:
        args = (args[0] if args else 0, to)
    for a in args:
        if a is not None and (isinstance(a, (bool, float)) or not hasattr(a, "__index__")):
            raise TypeError(f"random_: from and to must be ints, got {a!r}")
    dtype = self._data.dtype
    lo, hi = _random_bounds(dtype)
    if len(args) == 1:
        lo, hi = 0, args[0].__index__() - 1
    elif len(args) == 2:
        lo = args[0].__index__()
        if args[1] is not None:
            hi = args[1].__index__() - 1
            if lo > hi:
                raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                                   f"from={lo} >= to={hi + 1}")
        elif dtype.kind not in "iub" and lo > hi:
            hi = lo
    if dtype.kind in "iub":
        info = (0, 1) if dtype.kind == "b" else (int(np.iinfo(dtype).min), int(np.iinfo(dtype).max))
        for name, v in (("from", lo), ("to - 1", hi)):
            if not info[0] <= v <= info[1]:
                raise RuntimeError(f"random_: {name} ({v}) is out of bounds for {dtype}")
    if lo > hi:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={lo} >= "
                           f"to={hi + 1}")
    rng = as_numpy_generator(generator, "random_")
    return _random_fill(self, "random_", rng.integers(lo, hi, self._data.shape, np.int64, endpoint=True))


def resize_(self, *sizes, memory_format=None):
    """Give the tensor the shape `sizes`, C-contiguous, over its storage from its
    storage offset on (as PyTorch: the elements are the storage's in memory order, not
    the tensor's own order when it is a non-contiguous view). Growing past the storage
    moves the elements to new memory whose new part is uninitialised (views of the old
    memory keep it, where PyTorch's would follow). Only for a tensor that requires no
    grad (RuntimeError otherwise, as PyTorch)."""
    if self._requires_grad:
        raise RuntimeError("resize_: cannot resize tensors that require grad")
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    try:
        shape = tuple(operator.index(s) for s in sizes)
    except TypeError:
        raise TypeError(f"resize_: sizes must be ints, got {sizes!r}") from None
    if any(s < 0 for s in shape):
        raise RuntimeError(f"resize_: trying to resize storage to negative sizes {list(shape)}")
    a = self._data
    n = int(np.prod(shape, dtype=np.int64))
    memory = strided.flat_storage(a)
    offset = strided.storage_offset(self)
    if offset + n <= memory.size:
        new = memory[offset:offset + n].reshape(shape)
    else:
        new = np.empty(n, a.dtype)
        kept = memory[offset:]
        new[:kept.size] = kept
        new = new.reshape(shape)
    self._data = new
    mark_dirty(self)
    return self


def setitem(self, key, value):
    """`self[key] = value`: recorded (the gradient flows to `value` and the rest of
    `self`) while grad mode is on and either requires grad."""
    nkey, _ = normalize_key(key, "setitem", self._data.ndim)
    _check_writable(self, "setitem")
    if _recording(self, value):
        v = as_tensor(value, "setitem").to(self._data.dtype)
        kept = kept_tensors(*key) if isinstance(key, tuple) else kept_tensors(key)
        return _rebase(self, put(_old_value(self), v, nkey, kept), "setitem")
    v = value._data if isinstance(value, Tensor) else value
    try:
        _write(self, "setitem", lambda: assign(self._data, nkey, v))
    except ShapeError as e:
        raise ShapeError(str(e)) from None
    except IndexError as e:
        raise IndexError(f"setitem: {e} (tensor shape {self._data.shape})") from None


def install_operators(Tensor_cls):
    """The augmented assignments and item assignment (the named in-place methods come
    from the op table)."""
    Tensor_cls.__iadd__ = add_
    Tensor_cls.__isub__ = sub_
    Tensor_cls.__imul__ = mul_
    Tensor_cls.__itruediv__ = div_
    Tensor_cls.__setitem__ = setitem
