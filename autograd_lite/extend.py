"""The authoring interface: what code outside the core (nn, optim, and users' own
ops) uses to write differentiable ops and to update tensors in place.

- `Op`: a differentiable op, `forward(ctx, *arrays)` on ndarrays and
  `backward(ctx, *grads)` in Tensor ops (see ARCHITECTURE.md, "How an op is written").
- `mark_dirty(*tensors)`: after writing into a tensor's array outside autograd.
- `constant(array)`: an ndarray as a Tensor that requires no grad (no copy).
- `is_grad_enabled()`, `no_grad`, `enable_grad`: the grad-mode query and switches.
- `ShapeError`, `int_tuple`, `to_dtype`: the shared argument errors and parsing.
- `is_floating_dtype(dtype)`, `cast_array(array, dtype)`: dtype tests and casts that know
  bfloat16 (NumPy kind "V"; cast to it through float32, as PyTorch rounds).
- `next_seq()`: the creation counter of graph nodes (a module records the range its
  forward made, for drawings clustered by module).
- `document_from_table(namespace, functions)`: docstrings from the op table's `doc`
  fields for the functions that have none (nn.functional uses it).
- `set_grad_destination(leaf, provider)`, `clear_grad_destination(leaf)`: memory an op
  may write a leaf's next gradient into (DDP's buckets; autograd/destinations.py).
- `reset_grads(tensors, set_to_none)`: what Module.zero_grad and Optimizer.zero_grad do.

Nothing outside `autograd_lite`'s core imports an underscore name of another
package; `tests/test_layers.py` enforces it.
"""
import numpy as np

from .autograd.destinations import clear_grad_destination, set_grad_destination
from .autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from ._dtypes import cast as cast_array, is_floating as is_floating_dtype, to_dtype
from .autograd.node import Node, Op, next_seq
from .ops._util import ShapeError, int_tuple
from .ops._util import const as constant
from .ops.methods import document_from_table
from .tensor import Tensor, mark_dirty



def reset_grads(tensors, set_to_none=True):
    """Reset the `.grad` of each tensor, as PyTorch's zero_grad: to None, or (with
    `set_to_none=False`) to zeros in place, so a reference to the gradient a user or
    DDP's bucket holds sees the zeros; a gradient recorded with create_graph is detached
    first (a read-only array is replaced by zeros instead)."""
    for t in tensors:
        g = t.grad
        if g is None:
            continue
        if set_to_none:
            t.grad = None
            continue
        if g.grad_fn is not None:
            g = t.grad = g.detach()
        else:
            g.requires_grad_(False)
        if g._data.flags.writeable:
            g._data.fill(0)
        else:
            g._data = np.zeros_like(g._data)
        mark_dirty(g)


__all__ = ["Op", "Node", "Tensor", "mark_dirty", "constant", "is_grad_enabled", "no_grad",
           "enable_grad", "ShapeError", "int_tuple", "to_dtype", "next_seq", "is_floating_dtype",
           "cast_array", "document_from_table", "set_grad_destination", "clear_grad_destination",
           "reset_grads"]
