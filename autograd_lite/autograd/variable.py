"""`Variable`, PyTorch's legacy wrapper: since PyTorch 0.4 a Variable is a Tensor, and
`Variable(t)` returns a Tensor that shares `t`'s memory and version counter, outside
the graph (no grad_fn), requiring grad as asked."""
import warnings

from ..tensor import Tensor
from .node import Node


class _VariableMeta(type):
    def __instancecheck__(cls, other):
        return isinstance(other, Tensor)


class Variable(metaclass=_VariableMeta):
    """`Variable(data=None, requires_grad=False, volatile=False)`: a Tensor sharing
    `data`'s memory and version counter, detached from its graph, with `requires_grad`
    set (a plain Tensor even for a Parameter); no data gives an empty tensor.
    `isinstance(t, Variable)` is True for every tensor, as in PyTorch. Raises TypeError
    for data that is not a tensor, RuntimeError for requires_grad on a non-float tensor;
    `volatile` has no effect (a warning says so)."""

    def __new__(cls, data=None, requires_grad=False, volatile=False, _grad_fn=None):
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                          UserWarning, stacklevel=2)
        if _grad_fn is not None:
            if not isinstance(_grad_fn, Node):
                raise TypeError(f"_grad_fn has to be a Function object or None, but got {type(_grad_fn).__name__}")
            raise NotImplementedError("Variable: giving a _grad_fn is not supported by autograd_lite")
        if not isinstance(requires_grad, (bool, int)):
            raise TypeError(f"'{type(requires_grad).__name__}' object cannot be interpreted as an integer")
        if data is None:
            data = Tensor([])
        elif not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        out = data.detach()
        if requires_grad:
            out.requires_grad_(True)
        return out
