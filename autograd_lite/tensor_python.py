"""Tensor methods about where the values live and Python callables on them, as PyTorch's:
`apply_`, `map_` (elementwise Python functions, no autograd), `share_memory_` and
`is_shared` (installed on Tensor by `ops.methods.install`)."""
import mmap

import numpy as np

from . import _dtypes
from .tensor import Tensor, has_live_aliases, mark_dirty


class _SharedBlock(mmap.mmap):
    """An anonymous shared mapping holding a tensor's values (`share_memory_`): forked
    processes see each other's writes to it."""


def _refuse_grad(t, name):
    if t._requires_grad:
        raise RuntimeError(f"Can't call {name}() on a tensor that requires grad (shape "
                           f"{tuple(t.shape)}). Use tensor.detach().{name}() instead.")


def _as_number(value, dtype, name):
    if isinstance(value, Tensor):
        value = value.item()
    if isinstance(value, (bool, np.bool_)):
        value = int(value)
    if not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: the callable must return a real number, not {type(value).__name__}")
    return value


def _elementwise(self, name, fn, others):
    data = self._data
    dt = data.dtype
    flat_out = np.empty(data.size, dt)
    columns = [data.reshape(-1)] + [o.reshape(-1) for o in others]
    to_python = (lambda v: float(v)) if dt.kind == "f" or dt == _dtypes.bfloat16 else (
        (lambda v: bool(v)) if dt.kind == "b" else (lambda v: int(v)))
    for i in range(data.size):
        value = fn(*[to_python(c[i]) for c in columns])
        flat_out[i] = _as_number(value, dt, name)
    data[...] = flat_out.reshape(data.shape)
    mark_dirty(self)
    return self


def apply_(self, callable):
    """PyTorch's `Tensor.apply_(callable)`: replace each element `v` by `callable(v)` (a
    Python number in, a number out, cast to the tensor's dtype as PyTorch: truncated for
    integer dtypes), in place; returns self. A slow Python loop, as PyTorch's. Raises
    RuntimeError for a tensor that requires grad (also under no_grad, as PyTorch), TypeError
    when the callable returns something else than a real number. Unlike PyTorch's, it moves
    the version counter on, so a tensor saved for backward and changed so is caught."""
    _refuse_grad(self, "apply_")
    return _elementwise(self, "apply_", callable, ())


def map_(self, tensor, callable):
    """PyTorch's `Tensor.map_(tensor, callable)`: replace each element `a` of self by
    `callable(a, b)`, `b` the matching element of `tensor` broadcast to self's shape, in
    place; returns self. Raises RuntimeError when self or `tensor` requires grad (as
    PyTorch), or when `tensor` does not broadcast to self's shape; TypeError
    when `tensor` is not a Tensor of self's dtype (as PyTorch), or for a callable returning
    something else than a real number."""
    _refuse_grad(self, "map_")
    if not isinstance(tensor, Tensor):
        raise TypeError(f"map_: expected a Tensor as 'tensor', got {type(tensor).__name__}")
    _refuse_grad(tensor, "map_")
    if tensor.dtype != self.dtype:
        raise TypeError(f"map_: expected 'tensor' of dtype {self.dtype} (self's), got {tensor.dtype}")
    try:
        other = np.broadcast_to(tensor._data, self._data.shape)
    except ValueError:
        raise RuntimeError(f"map_: 'tensor' of shape {tuple(tensor.shape)} can't be broadcast to "
                           f"self's shape {tuple(self.shape)}") from None
    return _elementwise(self, "map_", callable, (np.ascontiguousarray(other),))


def _shared_block(array):
    a = array
    while isinstance(a, np.ndarray):
        a = a.base
    if isinstance(a, memoryview):
        a = a.obj
    return a if isinstance(a, _SharedBlock) else None


def is_shared(self):
    """True if the tensor's values are in shared memory (`share_memory_` put them there)."""
    return _shared_block(self._data) is not None


def share_memory_(self):
    """PyTorch's `Tensor.share_memory_()` on the CPU: move the values into shared memory
    and return self (nothing to do if they are there already). autograd_lite has no
    worker processes of its own (no `torch.multiprocessing`): the values go into an
    anonymous shared mapping, so processes forked afterwards (Python's `multiprocessing`
    with the fork start method) and this one see each other's writes, where ordinary
    memory is copied on write. Views made afterwards share it too. Raises RuntimeError
    for a tensor that shares memory with live views (moving it would separate them; PyTorch
    moves their common storage)."""
    if _shared_block(self._data) is not None:
        return self
    if has_live_aliases(self):
        raise RuntimeError(f"share_memory_: this tensor (shape {tuple(self.shape)}) shares memory "
                           f"with live views; moving it to shared memory would separate them. Call it "
                           f"before making views, or on a clone().")
    data = self._data
    block = _SharedBlock(-1, max(data.nbytes, 1))
    moved = np.frombuffer(block, dtype=data.dtype, count=data.size).reshape(data.shape)
    moved[...] = data
    self._data = moved
    return self


def install(Tensor):
    Tensor.apply_ = apply_
    Tensor.map_ = map_
    Tensor.is_shared = is_shared
    Tensor.share_memory_ = share_memory_
