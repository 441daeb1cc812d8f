"""dropout with PyTorch's signature: the identity outside training."""
from autograd_lite.ops import dropout as dropout_ops

__all__ = ["dropout"]


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero elements with probability `p` when `training` (scaling the rest by
    1/(1-p)); the identity otherwise."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return input
    if not input.is_floating_point():
        raise RuntimeError(f"dropout: expected a floating point tensor, got {input.dtype}")
    return dropout_ops.dropout_(input, p) if inplace else dropout_ops.dropout(input, p)
