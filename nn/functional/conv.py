"""Convolutions and transposed convolutions (1-D, 2-D and 3-D) with PyTorch's arguments:
int-or-tuple geometry, 'same'/'valid' padding, unbatched input. A 1-D convolution
runs as a 2-D one of height 1; the ops are autograd_lite.ops.conv's and (3-D)
autograd_lite.ops.conv3d's."""
from autograd_lite.extend import int_tuple
from autograd_lite.ops import conv as conv_ops, conv3d as conv3d_ops
from autograd_lite.ops.shape import reshape

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]


def _batched(input, nd):
    """(input as a batch, whether it was unbatched)."""
    if input.ndim == nd + 1:
        return reshape(input, (1,) + tuple(input.shape)), True
    return input, False


def _conv_padding(padding, kernel, stride, dilation, op):
    """(top, left, bottom, right) for an int/tuple/'same'/'valid' padding (3-D: (front,
    top, left, back, bottom, right)); 'same' puts the odd one at the end."""
    nd = len(kernel)
    if isinstance(padding, str):
        if padding == "valid":
            return (0,) * (2 * nd)
        if padding != "same":
            raise ValueError(f"{op}: Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}")
        if any(s != 1 for s in stride):
            raise ValueError(f"{op}: padding='same' is not supported for strided convolutions")
        total = [d * (k - 1) for d, k in zip(dilation, kernel)]
        return tuple(t // 2 for t in total) + tuple(t - t // 2 for t in total)
    p = int_tuple(padding, nd, "padding", op)
    if min(p) < 0:
        raise ValueError(f"{op}: negative padding is not supported, got {p}")
    return p + p


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation, as PyTorch) of (N, C, H, W) or (C, H, W)
    input with weight (C_out, C/groups, kH, kW); padding an int, a pair, 'valid' or
    'same' (asymmetric, extra on the bottom/right, when the dilated kernel is even)."""
    conv_ops.check_tensors(input, weight, bias, 2, "conv2d")
    x, unbatched = _batched(input, 2)
    stride = int_tuple(stride, 2, "stride", "conv2d")
    dilation = int_tuple(dilation, 2, "dilation", "conv2d")
    padding = _conv_padding(padding, tuple(weight.shape[2:]), stride, dilation, "conv2d")
    out = conv_ops.conv2d(x, weight, bias, stride, padding, dilation, groups, "conv2d")
    return reshape(out, tuple(out.shape[1:])) if unbatched else out


def _conv2d_relu(input, weight, bias, stride, padding, dilation, groups):
    """relu(conv2d(...)) of 4-D input as one op (the ReLU in the convolution's output
    pass): nn.Sequential's fusion of a Conv2d and the ReLU after it."""
    conv_ops.check_tensors(input, weight, bias, 2, "conv2d")
    stride = int_tuple(stride, 2, "stride", "conv2d")
    dilation = int_tuple(dilation, 2, "dilation", "conv2d")
    padding = _conv_padding(padding, tuple(weight.shape[2:]), stride, dilation, "conv2d")
    return conv_ops.conv2d(input, weight, bias, stride, padding, dilation, groups, "conv2d", relu=True)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution of (N, C, L) or (C, L) input with weight (C_out, C/groups, k)."""
    conv_ops.check_tensors(input, weight, bias, 1, "conv1d")
    x, unbatched = _batched(input, 1)
    x4 = reshape(x, (x.shape[0], x.shape[1], 1, x.shape[2]))
    w4 = reshape(weight, (weight.shape[0], weight.shape[1], 1, weight.shape[2]))
    pad = padding if isinstance(padding, str) else (0,) + int_tuple(padding, 1, "padding", "conv1d")
    stride = (1,) + int_tuple(stride, 1, "stride", "conv1d")
    dilation = (1,) + int_tuple(dilation, 1, "dilation", "conv1d")
    pad = _conv_padding(pad, (1, weight.shape[2]), stride, dilation, "conv1d")
    out = conv_ops.conv2d(x4, w4, bias, stride, pad, dilation, groups, "conv1d")
    out = reshape(out, (out.shape[0], out.shape[1], out.shape[3]))
    return reshape(out, tuple(out.shape[1:])) if unbatched else out


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """2-D transposed convolution of (N, C_in, H, W) or unbatched input with weight
    (C_in, C_out/groups, kH, kW): the gradient of conv2d with respect to its input."""
    conv_ops.check_tensors(input, weight, bias, 2, "conv_transpose2d")
    x, unbatched = _batched(input, 2)
    op = "conv_transpose2d"
    out = conv_ops.conv_transpose2d(
        x, weight, bias, int_tuple(stride, 2, "stride", op), int_tuple(padding, 2, "padding", op),
        int_tuple(output_padding, 2, "output_padding", op), groups,
        int_tuple(dilation, 2, "dilation", op), op)
    return reshape(out, tuple(out.shape[1:])) if unbatched else out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """1-D transposed convolution of (N, C_in, L) or (C_in, L) input, weight (C_in, C_out/groups, k)."""
    op = "conv_transpose1d"
    conv_ops.check_tensors(input, weight, bias, 1, op)
    x, unbatched = _batched(input, 1)
    x4 = reshape(x, (x.shape[0], x.shape[1], 1, x.shape[2]))
    w4 = reshape(weight, (weight.shape[0], weight.shape[1], 1, weight.shape[2]))

    def one(v, name):
        return (0 if name != "stride" and name != "dilation" else 1,) + int_tuple(v, 1, name, op)

    out = conv_ops.conv_transpose2d(x4, w4, bias, one(stride, "stride"), one(padding, "padding"),
                                    one(output_padding, "output_padding"), groups,
                                    one(dilation, "dilation"), op)
    out = reshape(out, (out.shape[0], out.shape[1], out.shape[3]))
    return reshape(out, tuple(out.shape[1:])) if unbatched else out


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D convolution (cross-correlation, as PyTorch) of (N, C, D, H, W) or (C, D, H, W)
    input with weight (C_out, C/groups, kD, kH, kW); padding an int, a triple, 'valid'
    or 'same' (asymmetric, extra at the back/bottom/right, when the dilated kernel is
    even). Raises ShapeError for mismatched shapes or a kernel larger than the padded
    input, ValueError for bad geometry, TypeError for mixed or non-float dtypes."""
    op = "conv3d"
    conv_ops.check_tensors(input, weight, bias, 3, op)
    x, unbatched = _batched(input, 3)
    stride = int_tuple(stride, 3, "stride", op)
    dilation = int_tuple(dilation, 3, "dilation", op)
    padding = _conv_padding(padding, tuple(weight.shape[2:]), stride, dilation, op)
    out = conv3d_ops.conv3d(x, weight, bias, stride, padding, dilation, groups, op)
    return reshape(out, tuple(out.shape[1:])) if unbatched else out


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """3-D transposed convolution of (N, C_in, D, H, W) or unbatched input with weight
    (C_in, C_out/groups, kD, kH, kW): the gradient of conv3d with respect to its input.
    D_out = (D_in - 1) * stride - 2 * padding + dilation * (kD - 1) + output_padding + 1
    (likewise H, W)."""
    op = "conv_transpose3d"
    conv_ops.check_tensors(input, weight, bias, 3, op)
    x, unbatched = _batched(input, 3)
    out = conv3d_ops.conv_transpose3d(
        x, weight, bias, int_tuple(stride, 3, "stride", op), int_tuple(padding, 3, "padding", op),
        int_tuple(output_padding, 3, "output_padding", op), groups, int_tuple(dilation, 3, "dilation", op), op)
    return reshape(out, tuple(out.shape[1:])) if unbatched else out
