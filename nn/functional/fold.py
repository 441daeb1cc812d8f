"""unfold and fold with PyTorch's arguments and checks (int-or-pair geometry,
unbatched input); the ops are autograd_lite.ops.fold's."""
from autograd_lite.extend import ShapeError, int_tuple
from autograd_lite.ops import fold as fold_ops

__all__ = ["unfold", "fold"]


def _geometry(kernel_size, dilation, padding, stride, op):
    k = int_tuple(kernel_size, 2, "kernel_size", op)
    d = int_tuple(dilation, 2, "dilation", op)
    p = int_tuple(padding, 2, "padding", op)
    s = int_tuple(stride, 2, "stride", op)
    for name, v, ok in (("kernel size", k, min(k) > 0), ("stride", s, min(s) > 0),
                        ("dilation", d, min(d) > 0)):
        if not ok:
            raise RuntimeError(f"{op}: {name} should be greater than zero, but got {name.split()[0]}_height: "
                               f"{v[0]} {name.split()[0]}_width: {v[1]}")
    if min(p) < 0:
        raise RuntimeError(f"{op}: padding should be non-negative, but got pad_height: {p[0]} "
                           f"pad_width: {p[1]}")
    return k, d, p, s


def _blocks(image, k, d, p, s):
    return tuple((size + 2 * pad - dil * (kk - 1) - 1) // st + 1
                 for size, kk, dil, pad, st in zip(image, k, d, p, s))


def _check_floating(input, op):
    if not input.is_floating_point():
        raise NotImplementedError(f"{op}: not implemented for {input.dtype} input (use a floating "
                                  f"point tensor)")


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """The sliding blocks of (N, C, H, W) or (C, H, W) input as columns
    (N, C * kh * kw, L), L the number of blocks."""
    op = "unfold"
    k, d, p, s = _geometry(kernel_size, dilation, padding, stride, op)
    shape = tuple(input.shape)
    if input.ndim not in (3, 4) or 0 in shape[input.ndim - 3:]:
        raise ShapeError(f"{op}: Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and "
                         f"other non-zero dimensions for input, but got: {list(shape)}")
    _check_floating(input, op)
    image = shape[-2:]
    blocks = _blocks(image, k, d, p, s)
    if min(blocks) < 1:
        raise ShapeError(f"{op}: Given input with spatial size {image}, kernel_size={k}, dilation={d}, "
                         f"padding={p}, calculated shape of the array of sliding blocks as {blocks}, "
                         f"but its components must be at least one.")
    geometry = fold_ops.Blocks(k, s, p, d, image, blocks)
    if input.ndim == 3:
        return fold_ops.unfold(input.unsqueeze(0), geometry).squeeze(0)
    return fold_ops.unfold(input, geometry)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Columns (N, C * kh * kw, L) or (C * kh * kw, L) summed into an image (N, C,
    *output_size): the adjoint of unfold (overlapping blocks add up)."""
    op = "fold"
    image = int_tuple(output_size, 2, "output_size", op)
    k, d, p, s = _geometry(kernel_size, dilation, padding, stride, op)
    shape = tuple(input.shape)
    if input.ndim not in (2, 3) or 0 in shape[input.ndim - 2:]:
        raise ShapeError(f"{op}: Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch "
                         f"size and non-zero dimensions for input, but got: {list(shape)}")
    _check_floating(input, op)
    rows, length = shape[-2:]
    if rows % (k[0] * k[1]):
        raise ShapeError(f"{op}: Expected size of input's dimension 1 to be divisible by the product of "
                         f"kernel_size, but got input.size(1)={rows} and kernel_size={k}.")
    blocks = _blocks(image, k, d, p, s)
    if min(blocks) < 1:
        raise ShapeError(f"{op}: Given output_size={image}, kernel_size={k}, dilation={d}, padding={p}, "
                         f"stride={s}, calculated shape of the array of sliding blocks as {blocks}, but "
                         f"its components must be at least one.")
    if blocks[0] * blocks[1] != length:
        raise ShapeError(f"{op}: Given output_size={image}, kernel_size={k}, dilation={d}, padding={p}, "
                         f"stride={s}, expected size of input's dimension 2 to match the calculated "
                         f"number of sliding blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, "
                         f"but got input.size(2)={length}.")
    geometry = fold_ops.Blocks(k, s, p, d, image, blocks)
    channels = rows // (k[0] * k[1])
    if input.ndim == 2:
        return fold_ops.fold(input.unsqueeze(0), geometry, channels).squeeze(0)
    return fold_ops.fold(input, geometry, channels)
