"""The convolution ops (2-D; nn.functional runs 1-D as 2-D of height 1 and parses
PyTorch's arguments). Three ops, each
linear in each of its inputs, so each one's backward is written with the other two
and any order of derivative works (`create_graph=True` through conv layers):

- `Conv2d`:           y = conv(x, w) (+ b)           im2col (Numba) + one GEMM per group
- `ConvInputGrad`:    x = conv_T(y, w) (+ b)         GEMM + col2im (Numba); this *is*
                      the transposed convolution, and conv2d's gradient for its input
- `ConvWeightGrad`:   dw = corr(x, dy)               im2col + GEMM; conv2d's gradient
                      for its weight

The arrays are computed by kernels/conv_gemm.py, chunk by chunk of samples over the
threads `set_num_threads` allows (bfloat16 in float32, each result rounded once). Without `create_graph`, the first-order backward of
Conv2d and ConvInputGrad (`fast_backward`) makes both gradients in one pass.

A `Geometry` fixes kernel, stride, top/left padding, dilation, groups and both
spatial sizes, so the three ops always agree on which pixels meet which taps.
"""
import numbers

import numpy as np

from .. import _dtypes
from ..autograd.destinations import destination_for
from ..autograd.node import Op
from ..kernels import lazy as kernels
from ._util import KERNEL_DTYPES, ShapeError, const, wide, wide_function
from .fused import kernel_valued
from .reduce import sum


class Geometry:
    """Which input pixel each (output position, kernel tap) pair reads, and the column
    layout the kernels use: with stride 1 the "wide" one (each output row as long as
    the padded input row, see kernels/conv.py), else one entry per output pixel."""

    __slots__ = ("kernel", "stride", "padding", "dilation", "groups", "in_hw", "out_hw", "wide", "row",
                 "pads", "output_padding")

    def __init__(self, kernel, stride, padding, dilation, groups, in_hw, out_hw, pads=None,
                 output_padding=None):
        self.kernel, self.stride, self.padding = kernel, stride, padding
        # the caller's (top, left, bottom, right) padding and a transposed convolution's
        # output_padding, as given (the ONNX export writes them; the kernels don't read them)
        self.pads, self.output_padding = pads, output_padding
        self.dilation, self.groups, self.in_hw, self.out_hw = dilation, groups, in_hw, out_hw
        self.wide = tuple(stride) == (1, 1)
        # length of one output row in the columns: the padded input width when wide
        self.row = (max(in_hw[1] + padding[1], out_hw[1] + (kernel[1] - 1) * dilation[1]) if self.wide
                    else out_hw[1])


class Conv2d(Op):
    """y = conv2d(x, w) + b for x (N, C, H, W), w (Co, C/G, kh, kw)."""

    save_inputs = (0, 1)

    @wide
    def forward(ctx, x, w, b, geo):
        ctx.geo, ctx.has_b = geo, b is not None
        return kernels.conv_gemm.forward(x, w, b, geo)

    def backward(ctx, g):
        x, w = ctx.saved_tensors
        return _conv_backward_ops(ctx, x, w, g, g)

    def fast_backward(ctx, g):
        """`backward` on arrays: the three gradients in one pass over the batch."""
        x, w = ctx.saved_arrays
        return _conv_backward_arrays(ctx, x, w, g, None)


class Conv2dReLU(Op):
    """y = relu(conv2d(x, w) + b), the ReLU applied in the convolution's output pass
    and its mask in the backward's (nn.Sequential fuses a Conv2d and the ReLU after
    it into this op)."""

    save_inputs = (0, 1)
    save_output = True

    @wide
    def forward(ctx, x, w, b, geo):
        ctx.geo, ctx.has_b = geo, b is not None
        return kernels.conv_gemm.forward(x, w, b, geo, relu=True)

    def backward(ctx, g):
        x, w = ctx.saved_tensors
        out = ctx.saved_output_data
        gm = g * const(~(out <= 0))  # ReLU's gradient (NaN passes), a constant mask
        return _conv_backward_ops(ctx, x, w, gm, g, out)

    def fast_backward(ctx, g):
        x, w = ctx.saved_arrays
        return _conv_backward_arrays(ctx, x, w, g, ctx.saved_output_data)


def _conv_backward_arrays(ctx, x, w, g, relu_out):
    """(gx, gw, gb) of conv2d (of relu(conv2d) with `relu_out`) from the kernels."""
    ex, ew = ctx.next_functions[:2]
    eb = ctx.next_functions[2] if ctx.has_b else None
    if ex is None and ew is None and eb is None:
        return None, None, None
    weight_out = None
    if ew is not None and w.dtype == x.dtype == g.dtype and w.dtype in KERNEL_DTYPES:
        weight_out = destination_for(ctx, 1, w.shape, w.dtype)  # e.g. DDP's bucket
    return _kernel_backward(x, w, g, ctx.geo, ex is not None, ew is not None, eb is not None, relu_out, weight_out)


@wide_function
def _kernel_backward(x, w, g, geo, want_x, want_w, want_b, relu_out, weight_out=None):
    return kernels.conv_gemm.backward(x, w, g, geo, want_x, want_w, want_b, relu_out, weight_out)


@wide_function
def _kernel_transpose_backward(gy, w, g, geo, want_gy, want_w, want_b):
    dgy = dw = None
    if want_gy or want_w:
        dgy, dw = kernels.conv_gemm.transpose_backward(gy, w, g, geo, want_gy, want_w)
    return dgy, dw, np.add.reduce(g, (0, 2, 3)) if want_b else None


def _conv_backward_ops(ctx, x, w, gm, g, relu_out=None):
    """conv2d's gradients for the gradient `gm` of its (pre-ReLU) output, as ops, so
    they are differentiable. The bias's takes the kernel's sum (`fast_backward`'s bits)."""
    ex, ew = ctx.next_functions[:2]
    eb = ctx.next_functions[2] if ctx.has_b else None
    geo = ctx.geo
    gx = ConvInputGrad.apply(gm, w, None, geo) if ex is not None else None
    gw = ConvWeightGrad.apply(x, gm, geo) if ew is not None else None
    gb = None
    if eb is not None:
        value = _kernel_backward(x._data, None, g._data, geo, False, False, True, relu_out)[2]
        gb = kernel_valued(sum(gm, (0, 2, 3)), value)
    return gx, gw, gb


class ConvInputGrad(Op):
    """x = conv_transpose2d(y, w) + b: the adjoint of conv2d in its input. y (N, Co,
    OH, OW), w (Co, C/G, kh, kw) -> (N, C, H, W) with (H, W) = geo.in_hw."""

    save_inputs = (0, 1)

    @wide
    def forward(ctx, gy, w, b, geo):
        ctx.geo, ctx.has_b = geo, b is not None
        return kernels.conv_gemm.transpose(gy, w, b, geo)

    def backward(ctx, g):
        gy, w = ctx.saved_tensors
        egy, ew = ctx.next_functions[:2]
        eb = ctx.next_functions[2] if ctx.has_b else None
        geo = ctx.geo
        dgy = Conv2d.apply(g, w, None, geo) if egy is not None else None
        dw = ConvWeightGrad.apply(g, gy, geo) if ew is not None else None
        db = sum(g, (0, 2, 3)) if eb is not None else None
        return dgy, dw, db

    def fast_backward(ctx, g):
        """`backward` on arrays: one pass over the batch, each chunk's columns of g
        serving both gradients."""
        gy, w = ctx.saved_arrays
        egy, ew = ctx.next_functions[:2]
        eb = ctx.next_functions[2] if ctx.has_b else None
        return _kernel_transpose_backward(gy, w, g, ctx.geo, egy is not None, ew is not None, eb is not None)


class ConvWeightGrad(Op):
    """dw = the gradient of sum(dy * conv2d(x, w)) for w: (Co, C/G, kh, kw) from x
    (N, C, H, W) and dy (N, Co, OH, OW)."""

    save_inputs = (0, 1)

    @wide
    def forward(ctx, x, gy, geo):
        ctx.geo = geo
        return kernels.conv_gemm.weight_grad(x, gy, geo)

    def backward(ctx, gw2):
        x, gy = ctx.saved_tensors
        ex, egy = ctx.next_functions[:2]
        geo = ctx.geo
        dx = ConvInputGrad.apply(gy, gw2, None, geo) if ex is not None else None
        dgy = Conv2d.apply(x, gw2, None, geo) if egy is not None else None
        return dx, dgy


# ---- checks and entry points (every argument validated before a kernel runs) -----------------
def check_tensors(input, weight, bias, nd, op):
    """input (N, C, *spatial) or unbatched (C, *spatial); weight nd+2 dims; one dtype."""
    if weight.ndim != nd + 2:
        raise ShapeError(f"{op}: expected a {nd + 2}-D weight, got shape {tuple(weight.shape)}")
    if input.ndim not in (nd + 1, nd + 2):
        raise ShapeError(f"{op}: Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input, but got "
                         f"input of size: {list(input.shape)}")
    if input.dtype not in (np.float32, np.float64, _dtypes.bfloat16):
        raise TypeError(f"{op}: expected a float32, float64 or bfloat16 input, got {input.dtype}")
    if weight.dtype != input.dtype or (bias is not None and bias.dtype != input.dtype):
        raise TypeError(f"{op}: Input type ({input.dtype}), weight type ({weight.dtype})"
                        + ("" if bias is None else f" and bias type ({bias.dtype})") + " should be the same")


def _shown(shape, op):
    """A shape as the caller gave it: conv1d and conv_transpose1d run as 2-D convolutions
    of height 1, so their messages drop that lifted dim."""
    shape = list(shape)
    return shape[:2] + shape[3:] if op.endswith("1d") else shape


def _per_channel(sizes, op):
    """Spatial sizes as PyTorch prints them: (3) for 1-D, (4 x 5) for 2-D."""
    return "(" + " x ".join(str(v) for v in (sizes[1:] if op.endswith("1d") else sizes)) + ")"


def _check_channels(input, weight, groups, op, transposed):
    """groups divides the weight's dim 0, the input has the channels the weight expects
    and the kernel is not empty, with PyTorch's messages in the caller's shapes."""
    w_shape, x_shape = _shown(weight.shape, op), _shown(input.shape, op)
    if weight.shape[0] % groups:
        raise ShapeError(f"{op}: Given groups={groups}, expected weight to be divisible by {groups} at "
                         f"dimension 0, but got weight of size {w_shape} instead")
    expected = weight.shape[0] if transposed else weight.shape[1] * groups
    if input.shape[1] != expected:
        given = "transposed=1" if transposed else f"groups={groups}"
        raise ShapeError(f"{op}: Given {given}, weight of size {w_shape}, expected input{x_shape} to have "
                         f"{expected} channels, but got {input.shape[1]} channels instead")
    if min(weight.shape[2:]) < 1:
        raise ShapeError(f"{op}: kernel size should be greater than zero, but got weight of size {w_shape}")


def conv2d(input, weight, bias, stride, padding, dilation, groups, op="conv2d", relu=False):
    """conv2d on 4-D input with (stride, dilation) pairs and padding (top, left,
    bottom, right), followed by a ReLU if `relu`; validates every argument before a
    kernel runs."""
    h, w = input.shape[2:]
    co, _, kh, kw = weight.shape
    if min(stride) < 1:
        raise ValueError(f"{op}: non-positive stride is not supported, got {stride}")
    if min(dilation) < 1:
        raise ValueError(f"{op}: dilation should be greater than zero, got {dilation}")
    if not isinstance(groups, numbers.Integral) or groups < 1:
        raise ValueError(f"{op}: non-positive groups is not supported, got {groups!r}")
    groups = int(groups)
    _check_channels(input, weight, groups, op, transposed=False)
    if bias is not None and tuple(bias.shape) != (co,):
        raise ShapeError(f"{op}: expected bias of shape ({co},), got {tuple(bias.shape)}")
    pt, pl, pb, pr = padding
    if min(padding) < 0:
        raise ValueError(f"{op}: negative padding is not supported, got {padding}")
    eh, ew = dilation[0] * (kh - 1) + 1, dilation[1] * (kw - 1) + 1
    ph, pw = h + pt + pb, w + pl + pr
    if ph < eh or pw < ew:
        raise ShapeError(f"{op}: Calculated padded input size per channel: {_per_channel((ph, pw), op)}. "
                         f"Kernel size: {_per_channel((eh, ew), op)}. Kernel size can't be greater than "
                         f"actual input size")
    out_hw = ((ph - eh) // stride[0] + 1, (pw - ew) // stride[1] + 1)
    geo = Geometry((kh, kw), stride, (pt, pl), dilation, groups, (h, w), out_hw, pads=tuple(padding))
    return (Conv2dReLU if relu else Conv2d).apply(input, weight, bias, geo)


def conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation,
                     op="conv_transpose2d"):
    """The transposed convolution of 4-D input, every geometry argument a pair;
    validates every argument before a kernel runs."""
    h, w = input.shape[2:]
    _, cog, kh, kw = weight.shape
    if min(stride) < 1:
        raise ValueError(f"{op}: non-positive stride is not supported, got {stride}")
    if min(dilation) < 1:
        raise ValueError(f"{op}: dilation should be greater than zero, got {dilation}")
    if min(padding) < 0 or min(output_padding) < 0:
        raise ValueError(f"{op}: negative padding is not supported, got padding={padding} "
                         f"output_padding={output_padding}")
    for op_, s, d in zip(output_padding, stride, dilation):
        if op_ >= s and op_ >= d:
            raise ValueError(f"{op}: output padding must be smaller than either stride or dilation, but got "
                             f"output_padding={output_padding}, stride={stride}, dilation={dilation}")
    if not isinstance(groups, numbers.Integral) or groups < 1:
        raise ValueError(f"{op}: non-positive groups is not supported, got {groups!r}")
    groups = int(groups)
    _check_channels(input, weight, groups, op, transposed=True)
    co = cog * groups
    if bias is not None and tuple(bias.shape) != (co,):
        raise ShapeError(f"{op}: expected bias of shape ({co},), got {tuple(bias.shape)}")
    out_hw = tuple((i - 1) * s - 2 * p + d * (k - 1) + o + 1
                   for i, s, p, d, k, o in zip((h, w), stride, padding, dilation, (kh, kw), output_padding))
    if min(out_hw) < 1:
        raise ShapeError(f"{op}: Given input size per channel: {_per_channel((h, w), op)}. Calculated output "
                         f"size per channel: {_per_channel(out_hw, op)}. Output size is too small (input "
                         f"{_shown(input.shape, op)}, weight {_shown(weight.shape, op)})")
    geo = Geometry((kh, kw), stride, padding, dilation, groups, out_hw, (h, w),
                   pads=tuple(padding) + tuple(padding), output_padding=tuple(output_padding))
    return ConvInputGrad.apply(input, weight, bias, geo)
