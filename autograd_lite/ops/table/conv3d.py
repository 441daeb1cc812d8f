"""Table entries of nn.functional's 3-D convolutions (ops/conv3d.py): every geometry
argument, groups (depthwise too), no bias, 'same'/'valid' padding, unbatched input,
non-contiguous layouts and an empty batch. Volumes are small (3-4 voxels a side, a
batch of 2): gradgradcheck through a 3-D convolution is a few hundred of them."""
from ..opinfo import OpInfo, S, T

F = "nn.functional."


def _functional(name, samples, **kw):
    return OpInfo(name, F + name, samples, namespace="nn.functional", **kw)


# ---- ONNX converters (autograd_lite.onnx): converter(builder, node, inputs) -> output ----------------
def _conv3d(b, node, inputs):
    """Conv3d: ONNX's Conv with three spatial axes, the caller's padding as given."""
    geo = node.geo
    return b.op("Conv", [inputs[0], inputs[1], inputs.optional(2)], kernel_shape=list(geo.kernel),
                strides=list(geo.stride), pads=list(geo.pads), dilations=list(geo.dilation), group=int(geo.groups))


def _conv_transpose3d(b, node, inputs):
    """Conv3dInputGrad: the transposed convolution (and conv3d's input gradient)."""
    geo = node.geo
    if geo.output_padding is None:
        raise b.error("conv3d's input gradient recorded in a graph has no ONNX mapping (export the forward "
                      "conv_transpose3d)")
    return b.op("ConvTranspose", [inputs[0], inputs[1], inputs.optional(2)], kernel_shape=list(geo.kernel),
                strides=list(geo.stride), pads=list(geo.pads), dilations=list(geo.dilation), group=int(geo.groups),
                output_padding=list(geo.output_padding))


CONV3D = [
    S(T(2, 3, 4, 4, 4), T(4, 3, 3, 3, 3), T(4)),
    S(T(2, 2, 4, 5, 4), T(3, 2, 3, 3, 2), None, stride=2, padding=1),
    S(T(2, 2, 5, 4, 4), T(3, 2, 2, 2, 3), T(3), stride=(2, 1, 2), padding=(1, 0, 2), dilation=(2, 1, 1)),
    S(T(2, 2, 4, 4, 4), T(3, 2, 2, 2, 3), T(3), padding="same", dilation=(2, 1, 1)),  # extra pad at the end
    S(T(1, 2, 4, 3, 4), T(2, 2, 3, 3, 3), padding="same"),
    S(T(2, 2, 4, 4, 3), T(3, 2, 2, 3, 2), bias=T(3), padding="valid"),
    S(T(2, 4, 3, 4, 3), T(6, 2, 2, 3, 3), T(6), groups=2, padding=(0, 1, 1)),
    S(T(2, 3, 3, 4, 4), T(6, 1, 3, 2, 2), None, 1, 1, 1, 3),  # depthwise, positional
    S(T(3, 4, 4, 4), T(2, 3, 3, 3, 3), T(2)),  # unbatched
    S(T(2, 2, 4, 4, 4, layout="transposed"), T(3, 2, 3, 3, 3, layout="strided"), T(3)),
    S(T(2, 1, 3, 3, 3), T(2, 1, 3, 3, 3), padding=3, dilation=2),  # padding wider than the input
    S(T(2, 2, 4, 4, 4), T(3, 2, 3, 3, 3, grad=False), padding=(2, 0, 1), stride=(3, 2, 1)),
    S(T(0, 2, 4, 4, 4), T(3, 2, 3, 3, 3), T(3)),
]

CONV_TRANSPOSE3D = [
    S(T(2, 3, 3, 3, 3), T(3, 2, 3, 3, 3), T(2)),
    S(T(2, 3, 3, 2, 3), T(3, 2, 3, 3, 2), None, stride=2, padding=1, output_padding=1),
    S(T(2, 2, 2, 3, 3), T(2, 3, 2, 2, 3), T(3), stride=(2, 1, 3), padding=(1, 0, 1), output_padding=(1, 0, 2)),
    S(T(2, 4, 3, 3, 2), T(4, 1, 2, 3, 3), T(2), stride=2, groups=2),
    S(T(2, 2, 3, 3, 3), T(2, 2, 2, 2, 2), T(2), dilation=2, stride=3, output_padding=2),
    S(T(2, 4, 2, 3, 3), T(4, 3, 3, 2, 2), T(6), padding=(1, 0, 1), output_padding=1, groups=2, dilation=2),
    S(T(2, 3, 3, 3), T(2, 3, 3, 3, 3), T(3)),  # unbatched
    S(T(2, 2, 3, 3, 4, layout="transposed"), T(2, 2, 3, 2, 3), T(2), 1, (1, 0, 1), 0, 1, (2, 1, 1)),  # positional
    S(T(0, 2, 3, 3, 3), T(2, 3, 2, 2, 2), T(3), stride=2),
]

ENTRIES = [
    _functional("conv3d", CONV3D, onnx={"Conv3d": _conv3d}),
    _functional("conv_transpose3d", CONV_TRANSPOSE3D, onnx={"Conv3dInputGrad": _conv_transpose3d}),
]
