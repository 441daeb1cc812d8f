"""The 3-D convolution ops, the 2-D trio's twins (ops/conv.py), each linear in each of
its inputs, so each one's backward is written with the other two and every order of
derivative works:

- `Conv3d`:            y = conv3d(x, w) (+ b)
- `Conv3dInputGrad`:   x = conv_transpose3d(y, w) (+ b), conv3d's gradient for its input
- `Conv3dWeightGrad`:  dw = corr(x, dy), conv3d's gradient for its weight

The arrays come from kernels/conv3d.py: the depth taps folded into the channels of
N * OD images, which the 2-D kernels convolve. A `Geometry3d` fixes the depth taps
and the (H, W) plane's 2-D Geometry, so the three ops agree on which voxels meet which
taps. nn.functional parses PyTorch's arguments and calls `conv3d`/`conv_transpose3d`.
"""
import numbers

from ..autograd.destinations import destination_for
from ..autograd.node import Op
from ..kernels import lazy as kernels
from ._util import KERNEL_DTYPES, ShapeError, const, wide, wide_function
from .conv import Geometry, _check_channels
from .fused import kernel_valued
from .reduce import sum

_AXES = (0, 2, 3, 4)


class Geometry3d:
    """`depth` = (kd, sd, front padding, dd, D, OD), `plane` = the (H, W) part's 2-D
    Geometry (groups included); `kernel`, `stride`, `dilation`, `groups`, `pads` (front,
    top, left, back, bottom, right, as the caller gave them) and `output_padding` are
    kept for the ONNX export."""

    __slots__ = ("depth", "plane", "kernel", "stride", "dilation", "groups", "pads", "output_padding")

    def __init__(self, depth, plane, pads, output_padding=None):
        self.depth, self.plane, self.pads, self.output_padding = depth, plane, pads, output_padding
        self.kernel = (depth[0],) + tuple(plane.kernel)
        self.stride = (depth[1],) + tuple(plane.stride)
        self.dilation = (depth[3],) + tuple(plane.dilation)
        self.groups = plane.groups


class Conv3d(Op):
    """y = conv3d(x, w) + b for x (N, C, D, H, W), w (Co, C/G, kd, kh, kw)."""

    save_inputs = (0, 1)

    @wide
    def forward(ctx, x, w, b, geo):
        ctx.geo, ctx.has_b = geo, b is not None
        return kernels.conv3d.forward(x, w, b, geo)

    def backward(ctx, g):
        x, w = ctx.saved_tensors
        ex, ew = ctx.next_functions[:2]
        eb = ctx.next_functions[2] if ctx.has_b else None
        geo = ctx.geo
        gx = Conv3dInputGrad.apply(g, w, None, geo) if ex is not None else None
        gw = Conv3dWeightGrad.apply(x, g, geo) if ew is not None else None
        gb = kernel_valued(sum(g, _AXES), _bias_grad(g._data)) if eb is not None else None
        return gx, gw, gb

    def fast_backward(ctx, g):
        """`backward` on arrays: both gradients in one pass of the 2-D kernels."""
        x, w = ctx.saved_arrays
        ex, ew = ctx.next_functions[:2]
        eb = ctx.next_functions[2] if ctx.has_b else None
        gx = gw = None
        if ex is not None or ew is not None:
            weight_out = None
            if ew is not None and w.dtype == x.dtype == g.dtype and w.dtype in KERNEL_DTYPES:
                weight_out = destination_for(ctx, 1, w.shape, w.dtype)  # e.g. DDP's bucket
            gx, gw = _kernel_backward(x, w, g, ctx.geo, ex is not None, ew is not None, weight_out)
        return gx, gw, _bias_grad(g) if eb is not None else None


def _bias_grad(g):
    """The bias's gradient, g summed over all but the channels: the `sum` op's bits."""
    return sum(const(g), _AXES)._data


@wide_function
def _kernel_backward(x, w, g, geo, want_x, want_w, weight_out=None):
    return kernels.conv3d.backward(x, w, g, geo, want_x, want_w, weight_out)


@wide_function
def _kernel_transpose_backward(gy, w, g, geo, want_gy, want_w):
    return kernels.conv3d.transpose_backward(gy, w, g, geo, want_gy, want_w)


class Conv3dInputGrad(Op):
    """x = conv_transpose3d(y, w) + b: the adjoint of conv3d in its input. y (N, Co,
    OD, OH, OW), w (Co, C/G, kd, kh, kw) -> (N, C, D, H, W), (D, H, W) from `geo`."""

    save_inputs = (0, 1)

    @wide
    def forward(ctx, gy, w, b, geo):
        ctx.geo, ctx.has_b = geo, b is not None
        return kernels.conv3d.transpose(gy, w, b, geo)

    def backward(ctx, g):
        gy, w = ctx.saved_tensors
        egy, ew = ctx.next_functions[:2]
        eb = ctx.next_functions[2] if ctx.has_b else None
        geo = ctx.geo
        dgy = Conv3d.apply(g, w, None, geo) if egy is not None else None
        dw = Conv3dWeightGrad.apply(g, gy, geo) if ew is not None else None
        db = kernel_valued(sum(g, _AXES), _bias_grad(g._data)) if eb is not None else None
        return dgy, dw, db

    def fast_backward(ctx, g):
        """`backward` on arrays: one pass, the images of g serving both gradients."""
        gy, w = ctx.saved_arrays
        egy, ew = ctx.next_functions[:2]
        eb = ctx.next_functions[2] if ctx.has_b else None
        dgy = dw = None
        if egy is not None or ew is not None:
            dgy, dw = _kernel_transpose_backward(gy, w, g, ctx.geo, egy is not None, ew is not None)
        return dgy, dw, _bias_grad(g) if eb is not None else None


class Conv3dWeightGrad(Op):
    """dw = the gradient of sum(dy * conv3d(x, w)) for w: (Co, C/G, kd, kh, kw) from x
    (N, C, D, H, W) and dy (N, Co, OD, OH, OW)."""

    save_inputs = (0, 1)

    @wide
    def forward(ctx, x, gy, geo):
        ctx.geo = geo
        return kernels.conv3d.weight_grad(x, gy, geo)

    def backward(ctx, gw2):
        x, gy = ctx.saved_tensors
        ex, egy = ctx.next_functions[:2]
        geo = ctx.geo
        dx = Conv3dInputGrad.apply(gy, gw2, None, geo) if ex is not None else None
        dgy = Conv3d.apply(x, gw2, None, geo) if egy is not None else None
        return dx, dgy


# ---- checks and entry points (every argument validated before a kernel runs) -----------------
def _check_common(stride, dilation, groups, op):
    if min(stride) < 1:
        raise ValueError(f"{op}: non-positive stride is not supported, got {stride}")
    if min(dilation) < 1:
        raise ValueError(f"{op}: dilation should be greater than zero, got {dilation}")
    if not isinstance(groups, numbers.Integral) or groups < 1:
        raise ValueError(f"{op}: non-positive groups is not supported, got {groups!r}")


def conv3d(input, weight, bias, stride, padding, dilation, groups, op="conv3d"):
    """conv3d on 5-D input with (stride, dilation) triples and padding (front, top,
    left, back, bottom, right); validates every argument before a kernel runs."""
    d, h, w = input.shape[2:]
    co, _, kd, kh, kw = weight.shape
    _check_common(stride, dilation, groups, op)
    groups = int(groups)
    _check_channels(input, weight, groups, op, transposed=False)
    if bias is not None and tuple(bias.shape) != (co,):
        raise ShapeError(f"{op}: expected bias of shape ({co},), got {tuple(bias.shape)}")
    if min(padding) < 0:
        raise ValueError(f"{op}: negative padding is not supported, got {padding}")
    pf, pt, pl, pk, pb, pr = padding
    eff = tuple(dd * (k - 1) + 1 for dd, k in zip(dilation, (kd, kh, kw)))
    padded = (d + pf + pk, h + pt + pb, w + pl + pr)
    if any(p < e for p, e in zip(padded, eff)):
        raise ShapeError(f"{op}: Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
                         f"Kernel size: ({' x '.join(map(str, eff))}). Kernel size can't be greater than actual "
                         f"input size")
    out = tuple((p - e) // s + 1 for p, e, s in zip(padded, eff, stride))
    plane = Geometry((kh, kw), stride[1:], (pt, pl), dilation[1:], groups, (h, w), out[1:],
                     pads=(pt, pl, pb, pr))
    geo = Geometry3d((kd, stride[0], pf, dilation[0], d, out[0]), plane, tuple(padding))
    return Conv3d.apply(input, weight, bias, geo)


def conv_transpose3d(input, weight, bias, stride, padding, output_padding, groups, dilation,
                     op="conv_transpose3d"):
    """The transposed convolution of 5-D input, every geometry argument a triple;
    validates every argument before a kernel runs."""
    size = tuple(input.shape[2:])
    _, cog, kd, kh, kw = weight.shape
    _check_common(stride, dilation, groups, op)
    if min(padding) < 0 or min(output_padding) < 0:
        raise ValueError(f"{op}: negative padding is not supported, got padding={padding} "
                         f"output_padding={output_padding}")
    for o, s, dd in zip(output_padding, stride, dilation):
        if o >= s and o >= dd:
            raise ValueError(f"{op}: output padding must be smaller than either stride or dilation, but got "
                             f"output_padding={output_padding}, stride={stride}, dilation={dilation}")
    groups = int(groups)
    _check_channels(input, weight, groups, op, transposed=True)
    co = cog * groups
    if bias is not None and tuple(bias.shape) != (co,):
        raise ShapeError(f"{op}: expected bias of shape ({co},), got {tuple(bias.shape)}")
    out = tuple((i - 1) * s - 2 * p + dd * (k - 1) + o + 1
                for i, s, p, dd, k, o in zip(size, stride, padding, dilation, (kd, kh, kw), output_padding))
    if min(out) < 1:
        raise ShapeError(f"{op}: Given input size per channel: ({' x '.join(map(str, size))}). Calculated output "
                         f"size per channel: ({' x '.join(map(str, out))}). Output size is too small (input "
                         f"{list(input.shape)}, weight {list(weight.shape)})")
    plane = Geometry((kh, kw), stride[1:], padding[1:], dilation[1:], groups, out[1:], size[1:],
                     pads=tuple(padding[1:]) * 2, output_padding=tuple(output_padding[1:]))
    geo = Geometry3d((kd, stride[0], padding[0], dilation[0], out[0], size[0]), plane, tuple(padding) * 2,
                     tuple(output_padding))
    return Conv3dInputGrad.apply(input, weight, bias, geo)
