"""pad with PyTorch's arguments (last dim first) and checks; the ops are
autograd_lite.ops.padding's."""
import numbers

import numpy as np

from autograd_lite.extend import ShapeError
from autograd_lite.ops import padding as padding_ops

__all__ = ["pad"]


_MODE_DIMS = {1: (2, 3), 2: (3, 4), 3: (4, 5)}


def pad(input, pad, mode="constant", value=None):
    """Pad the last len(pad) // 2 dims: pad = (left, right, top, bottom, ...)."""
    pad = tuple(pad)
    if len(pad) % 2 or not all(isinstance(p, numbers.Integral) for p in pad):
        raise ValueError(f"pad: Padding length must be divisible by 2 and made of ints, got {pad!r}")
    k = len(pad) // 2
    if k > input.ndim:
        raise ValueError(f"pad: Padding length should be less than or equal to two times the input "
                         f"dimension but got padding length {len(pad)} and input of dimension {input.ndim}")
    pairs = [(int(pad[2 * i]), int(pad[2 * i + 1])) for i in range(k)][::-1]  # first padded dim first
    if mode == "constant":
        widths = ((0, 0),) * (input.ndim - k) + tuple(pairs)
        for n, (a, b) in zip(input.shape, widths):
            if n + min(a, 0) + min(b, 0) < 0:  # the crops alone must fit, as PyTorch
                raise ShapeError(f"pad: The input size {n}, plus negative padding {a} and {b} resulted in a "
                                 f"negative output size, which is invalid. Check dimension of your input.")
        fill = 0 if value is None else value
        return padding_ops.constant_pad(input, widths, fill)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"pad: mode {mode!r} is not implemented (constant, reflect, replicate, "
                                  f"circular)")
    if value:
        raise ValueError(f"pad: Padding mode \"{mode}\" doesn't take in value argument.")
    if k not in _MODE_DIMS or input.ndim not in _MODE_DIMS[k]:
        raise NotImplementedError(
            f"pad: Padding size {len(pad)} is not supported for {input.ndim}D input tensor (mode {mode!r}).\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    if input.dtype == np.bool_ and mode != "circular":
        raise TypeError(f"pad: mode {mode!r} is not implemented for bool input (shape "
                        f"{tuple(input.shape)}), as in PyTorch")
    dims = input.shape[input.ndim - k:]
    for d, n, (a, b) in zip(range(input.ndim - k, input.ndim), dims, pairs):
        if a < 0 or b < 0:
            raise ValueError(f"pad: negative padding {pad} is not supported with mode {mode!r}")
        if mode == "reflect" and (a >= n or b >= n):
            raise ShapeError(f"pad: Padding size should be less than the corresponding input dimension, but got: "
                             f"padding ({a}, {b}) at dimension {d} of input {list(input.shape)}")
        if mode == "circular" and (a > n or b > n):
            raise ShapeError(f"pad: Padding value causes wrapping around more than once (padding ({a}, {b}) at "
                             f"dimension {d} of input {list(input.shape)})")
        if n == 0:
            raise ShapeError(f"pad: mode {mode!r} needs a non-empty dimension {d}, input {list(input.shape)}")
    return padding_ops.index_pad(input, pairs, mode)
