"""Table entries of nn.functional's convolutions (ops/conv.py): 1-D and 2-D, transposed,
every geometry argument, groups (depthwise too), no bias, unbatched input. Images are
5x5 with a batch of 2: gradgradcheck through a convolution is a few hundred of them."""
from ..opinfo import OpInfo, S, T

F = "nn.functional."


def _functional(name, samples, **kw):
    return OpInfo(name, F + name, samples, namespace="nn.functional", **kw)


# ---- ONNX converters (autograd_lite.onnx): converter(builder, node, inputs) -> output ----------------
def _conv(b, node, inputs):
    """Conv2d (1-D convolutions run as 2-D of height 1): the caller's padding, as given."""
    geo = node.geo
    pads = geo.pads
    if pads is None:  # a Geometry made without the caller's padding: the least that fits
        ends = [max(0, (o - 1) * s + d * (k - 1) + 1 - n - p) for n, o, s, d, k, p in
                zip(geo.in_hw, geo.out_hw, geo.stride, geo.dilation, geo.kernel, geo.padding)]
        pads = tuple(geo.padding) + tuple(ends)
    return b.op("Conv", [inputs[0], inputs[1], inputs.optional(2)], kernel_shape=list(geo.kernel),
                strides=list(geo.stride), pads=list(pads), dilations=list(geo.dilation), group=int(geo.groups))


def _conv_relu(b, node, inputs):
    """Conv2dReLU (nn.Sequential's fusion of a Conv2d and the ReLU after it): Conv, Relu."""
    return b.op("Relu", [_conv(b, node, inputs)])


def _conv_transpose(b, node, inputs):
    """ConvInputGrad: the transposed convolution (and conv2d's input gradient)."""
    geo = node.geo
    if geo.pads is not None:
        pads, out_pad = list(geo.pads), list(geo.output_padding)
    else:  # out = s (in - 1) + d (k - 1) + 1 - pads + output_padding
        begin = list(geo.padding)
        end = [s * (i - 1) + d * (k - 1) + 1 - o - p for s, i, d, k, o, p in
               zip(geo.stride, geo.out_hw, geo.dilation, geo.kernel, geo.in_hw, begin)]
        out_pad = [max(0, -e) for e in end]
        pads = begin + [max(0, e) for e in end]
    return b.op("ConvTranspose", [inputs[0], inputs[1], inputs.optional(2)], kernel_shape=list(geo.kernel),
                strides=list(geo.stride), pads=pads, dilations=list(geo.dilation), group=int(geo.groups),
                output_padding=out_pad)


CONV2D = [
    S(T(2, 3, 5, 5), T(4, 3, 3, 3), T(4)),
    S(T(2, 3, 5, 5), T(4, 3, 3, 3), None, stride=2, padding=1),
    S(T(2, 2, 5, 5), T(3, 2, 2, 3), T(3), stride=(2, 1), padding=(0, 2), dilation=(1, 2)),
    S(T(2, 2, 5, 5), T(3, 2, 2, 2), T(3), padding="same", dilation=2),  # extra pad bottom/right
    S(T(1, 2, 5, 5), T(2, 2, 3, 3), padding="same"),
    S(T(2, 2, 5, 5), T(3, 2, 3, 2), bias=T(3), padding="valid"),
    S(T(2, 4, 5, 5), T(6, 2, 3, 3), T(6), groups=2),
    S(T(2, 3, 5, 5), T(6, 1, 3, 3), None, 1, 1, 1, 3),  # depthwise, positional
    S(T(3, 5, 5), T(2, 3, 3, 3), T(2)),  # unbatched
    S(T(2, 2, 5, 5, layout="transposed"), T(3, 2, 3, 3, layout="strided"), T(3)),
    S(T(2, 2, 5, 5), T(4, 1, 3, 3), T(4), padding=1, groups=2),  # depthwise, multiplier 2
    S(T(2, 6, 3, 3), T(6, 2, 1, 1), groups=3),
    S(T(1, 2, 7, 7), T(2, 2, 5, 5), T(2), stride=(2, 3), padding=2),
    S(T(2, 1, 4, 4), T(2, 1, 4, 4), padding=3, dilation=2),  # padding wider than the input
    S(T(2, 3, 5, 5), T(4, 3, 3, 3, grad=False), padding=1),  # the input's gradient only
    S(T(0, 2, 5, 5), T(3, 2, 3, 3), T(3)),
]

CONV1D = [
    S(T(2, 3, 6), T(4, 3, 3), T(4)),
    S(T(2, 3, 7), T(4, 3, 3), None, stride=2, padding=1),
    S(T(2, 2, 7), T(3, 2, 2), T(3), padding="same", dilation=3),
    S(T(2, 2, 6), T(3, 2, 3), padding="valid", dilation=2),
    S(T(2, 4, 6), T(6, 2, 3), T(6), groups=2, padding=(2,)),
    S(T(2, 3, 6), T(3, 1, 2), T(3), groups=3),  # depthwise
    S(T(3, 6), T(2, 3, 3), T(2)),  # unbatched
    S(T(2, 2, 6, layout="strided"), T(3, 2, 3), T(3)),
    S(T(1, 2, 7), T(3, 2, 2), stride=3, padding=(2,)),
    S(T(0, 2, 5), T(3, 2, 3)),
]

CONV_TRANSPOSE2D = [
    S(T(2, 3, 4, 4), T(3, 2, 3, 3), T(2)),
    S(T(2, 3, 3, 3), T(3, 2, 3, 3), None, stride=2, padding=1, output_padding=1),
    S(T(2, 2, 3, 3), T(2, 3, 2, 3), T(3), stride=(2, 1), padding=(1, 0), output_padding=(1, 0)),
    S(T(2, 4, 3, 3), T(4, 1, 3, 3), T(2), stride=2, groups=2),
    S(T(2, 2, 3, 3), T(2, 2, 2, 2), T(2), dilation=2, stride=3, output_padding=2),
    S(T(1, 2, 3, 3), T(2, 1, 4, 4), T(1), stride=(3, 2), padding=(0, 1), output_padding=(2, 0)),
    S(T(2, 4, 3, 3), T(4, 3, 3, 2), T(6), padding=1, output_padding=1, groups=2, dilation=2),
    S(T(2, 3, 3), T(2, 3, 3, 3), T(3)),  # unbatched
    S(T(2, 2, 3, 4, layout="transposed"), T(2, 2, 3, 3), T(2), 1, 1, 0, 1, (2, 1)),  # positional
]

CONV_TRANSPOSE1D = [
    S(T(2, 3, 4), T(3, 2, 3), T(2)),
    S(T(2, 3, 4), T(3, 2, 3), None, stride=2, padding=1, output_padding=1),
    S(T(2, 4, 3), T(4, 2, 3), T(4), stride=2, groups=2, dilation=2),
    S(T(2, 2, 4), T(2, 2, 2), T(2), 3, 0, 2),  # stride, padding, output_padding positional
    S(T(2, 4, 4), T(4, 3, 3), T(6), stride=3, padding=1, output_padding=2, groups=2, dilation=2),
    S(T(3, 4), T(3, 2, 3), T(2)),  # unbatched
    S(T(2, 2, 4, layout="strided"), T(2, 2, 3)),
]

ENTRIES = [
    _functional("conv2d", CONV2D, onnx={"Conv2d": _conv, "Conv2dReLU": _conv_relu}),
    _functional("conv1d", CONV1D, onnx={"Conv2d": _conv}),
    _functional("conv_transpose2d", CONV_TRANSPOSE2D, onnx={"ConvInputGrad": _conv_transpose}),
    _functional("conv_transpose1d", CONV_TRANSPOSE1D, onnx={"ConvInputGrad": _conv_transpose}),
]
