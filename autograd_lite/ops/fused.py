"""Gradients of fused ops under create_graph: the kernel's numbers, the composition's
derivatives.

A fused op (batch_norm, layer_norm, the recurrent cells and layers) computes its
first-order gradients in a kernel. Under `create_graph=True` it also builds the same
gradients as a composition of ordinary ops, whose graph gives the higher orders. The
two agree only to rounding, and a gradient must not change its bits with
create_graph: `kernel_valued` returns the kernel's array as the value, with the
composition's graph behind it (an identity on the gradient, so the derivatives are
the composition's: the same function, up to rounding).
"""
from ..autograd.node import Op
from ._util import const


class KernelValued(Op):
    """Output: `value` (the kernel's array); backward: the gradient goes to `composed`."""

    def forward(ctx, composed, value):
        return value

    def backward(ctx, g):
        return g, None


def kernel_valued(composed, value):
    """`value` (an array, or None) carrying `composed`'s graph (a Tensor, or None when
    the composition doesn't use the input: the kernel's array is then a constant)."""
    if value is None:
        return None
    if composed is None:
        return const(value)
    if tuple(composed.shape) != value.shape or composed.dtype != value.dtype:
        raise RuntimeError(f"kernel_valued: the composition's gradient {tuple(composed.shape)} "
                           f"({composed.dtype}) doesn't match the kernel's {value.shape} ({value.dtype})")
    return KernelValued.apply(composed, value)


def kernel_valued_all(composed, values):
    """`kernel_valued` over matching tuples of gradients."""
    return tuple(kernel_valued(c, v) for c, v in zip(composed, values))
