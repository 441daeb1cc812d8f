"""Tensor methods that make tensors from a tensor: the dtype casts (`x.float()`,
`x.long()`, ..., `x.type_as(other)`), `x.where(condition, other)`, and the `new_*`
factories, which take x's dtype unless told otherwise."""
from .. import _dtypes
from ..tensor import Tensor
from . import creation, elementwise

CASTS = {"float": _dtypes.float32, "double": _dtypes.float64, "half": _dtypes.float16,
         "bfloat16": _dtypes.bfloat16,
         "long": _dtypes.int64, "int": _dtypes.int32, "short": _dtypes.int16,
         "bool": _dtypes.bool_, "byte": _dtypes.uint8, "char": _dtypes.int8}


def caster(name):
    """The method `x.<name>()`: x cast to the dtype of that name (x itself if it has it)."""
    dtype = CASTS[name]

    def cast(self, memory_format=None):
        return elementwise.to(self, dtype)

    cast.__name__ = name
    cast.__doc__ = f"This tensor as {dtype} (`to({dtype})`); itself when it has that dtype."
    return cast


def where(self, condition, other):
    """`x.where(condition, y)`: x where condition holds, else y (as where(condition, x, y))."""
    return elementwise.where(condition, self, other)


def new_tensor(self, data, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False):
    """A tensor copied from `data`, in this tensor's dtype unless `dtype` is given."""
    return creation.tensor(data, dtype=dtype or self._data.dtype, device=device,
                           requires_grad=requires_grad, pin_memory=pin_memory)


def _new_factory(fn, name):
    def method(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False, **kwargs):
        return fn(*size, dtype=dtype or self._data.dtype, device=device, layout=layout,
                  requires_grad=requires_grad, pin_memory=pin_memory, **kwargs)

    method.__name__ = name
    method.__doc__ = (f"`{fn.__name__}` of the given size (varargs, a tuple or size=), in this "
                      f"tensor's dtype unless `dtype` is given.")
    return method


new_zeros = _new_factory(creation.zeros, "new_zeros")
new_ones = _new_factory(creation.ones, "new_ones")
new_empty = _new_factory(creation.empty, "new_empty")


def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False, layout=None,
             pin_memory=False):
    """A tensor of `size` filled with `fill_value`, in this tensor's dtype unless told."""
    return creation.full(size, fill_value, dtype=dtype or self._data.dtype, device=device,
                         requires_grad=requires_grad, layout=layout, pin_memory=pin_memory)


def type_as(self, other):
    """This tensor cast to `other`'s dtype (`to(other.dtype)`); itself when it has it.
    `other` must be a Tensor (TypeError otherwise)."""
    if not isinstance(other, Tensor):
        raise TypeError(f"type_as(): argument 'other' must be Tensor, not {type(other).__name__}")
    return elementwise.to(self, other.dtype)
