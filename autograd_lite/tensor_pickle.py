"""Python's pickle and `copy` for tensors, as PyTorch's: a pickled tensor is its
values, dtype, layout and `requires_grad`, never its graph or its `.grad`.

A non-leaf comes back as a leaf (PyTorch's rule), and a Tensor subclass as itself
with its attribute dict. Views keep sharing within one pickle: each tensor is
reduced to the array that owns its memory plus an offset, shape and strides, and
pickle stores an object it meets twice once, so `[x, x[1:]]` loads as a tensor and
a view of it, tied weights stay tied. As in PyTorch, a view's pickle carries its
whole base.

This is Python's pickle, which the user chose: unpickling runs code. The library's
own format (`ag.save`/`ag.load`) has none (autograd_lite/serialization/).
(Installed on Tensor by `ops.methods.install`.)"""
import copy

import numpy as np


def _owner(array):
    """The ndarray that owns `array`'s memory: follow `.base` while it is an ndarray."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _layout(array):
    """(owner, byte offset, shape, byte strides) describing `array` as a region of the
    contiguous ndarray that owns its memory; the array itself (pickled as a copy) when
    it owns it or its memory comes from elsewhere (a buffer, a non-contiguous owner)."""
    owner = _owner(array)
    if owner is array or not (owner.flags.c_contiguous or owner.flags.f_contiguous):
        return array, 0, array.shape, array.strides
    offset = array.__array_interface__["data"][0] - owner.__array_interface__["data"][0]
    return owner, offset, array.shape, array.strides


def rebuild_tensor(cls, owner, offset, shape, strides, dtype, requires_grad, state):
    """A leaf of class `cls` over the region (offset, shape, strides) of `owner`."""
    if owner.shape == shape and offset == 0 and owner.strides == strides and owner.dtype == dtype:
        array = owner
    else:
        memory = owner.ravel(order="K").view(np.uint8)  # no copy: the owner is contiguous
        array = np.ndarray(shape, dtype, buffer=memory, offset=offset, strides=strides)
        if not owner.flags.writeable:
            array.flags.writeable = False
    tensor = cls.__new__(cls)
    tensor._init_leaf(array, False)
    if requires_grad:
        tensor.requires_grad = True
    if state:
        tensor.__dict__.update(state)
    return tensor


def reduce_ex(self, protocol):
    """pickle's hook: (rebuild_tensor, the array region, requires_grad, the subclass's
    attribute dict)."""
    data = self._data
    owner, offset, shape, strides = _layout(data)
    state = getattr(self, "__dict__", None) or None
    return rebuild_tensor, (type(self), owner, offset, shape, strides, data.dtype, self.requires_grad,
                            state)


def deepcopy(self, memo):
    """`copy.deepcopy`: a leaf with copied values, `requires_grad`, a copied `.grad` and
    attribute dict; views copied in one call share their copied base (memo keyed by the
    owner array). A non-leaf raises, as in PyTorch."""
    if id(self) in memo:
        return memo[id(self)]
    if self.grad_fn is not None:
        raise RuntimeError("deepcopy: only tensors created explicitly by the user (graph leaves) can be "
                           "deep-copied; this one has a grad_fn (detach() it first)")
    owner, offset, shape, strides = _layout(self._data)
    copied_owner = memo.get(id(owner))
    if copied_owner is None:
        copied_owner = memo[id(owner)] = owner.copy(order="K")
    state = copy.deepcopy(getattr(self, "__dict__", None) or None, memo)
    new = rebuild_tensor(type(self), copied_owner, offset, shape, strides, self._data.dtype, self.requires_grad,
                         state)
    memo[id(self)] = new
    if self._grad is not None:
        new._grad = copy.deepcopy(self._grad, memo)
    return new


def install(Tensor):
    Tensor.__reduce_ex__ = reduce_ex
    Tensor.__deepcopy__ = deepcopy
