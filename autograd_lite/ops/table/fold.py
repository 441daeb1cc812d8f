"""Table entries of nn.functional's unfold and fold (ops/fold.py): overlapping and
strided blocks, padding, dilation, unbatched input, an empty batch."""
import numpy as np

from ..opinfo import OpInfo, S, T

F = "nn.functional."


def _functional(name, samples, **kw):
    return OpInfo(name, F + name, samples, namespace="nn.functional", **kw)


# ---- ONNX converters (autograd_lite.onnx): converter(builder, node, inputs) -> output ----------------
# ONNX has no im2col: a convolution with one-hot kernels (one output channel per
# kernel position of each input channel, groups = C) copies each block's entries in
# unfold's (c, i, j) order, and its transpose sums them back (fold). Exact: each output
# is one input value times 1, the other terms being times 0.
def _one_hot_kernels(channels, kernel, dtype):
    kh, kw = kernel
    w = np.zeros((channels * kh * kw, 1, kh, kw), dtype)
    for c in range(channels):
        for i in range(kh):
            for j in range(kw):
                w[(c * kh + i) * kw + j, 0, i, j] = 1
    return w


def _conv_attrs(blocks, channels):
    ph, pw = blocks.padding
    return dict(group=channels, kernel_shape=list(blocks.kernel), strides=list(blocks.stride),
                pads=[ph, pw, ph, pw], dilations=list(blocks.dilation))


def _unfold_onnx(b, node, inputs):
    """(N, C, H, W) -> Conv -> (N, C kh kw, bh, bw) -> (N, C kh kw, L)."""
    blocks, channels = node.blocks, b.in_shape(0)[1]
    w = b.const(_one_hot_kernels(channels, blocks.kernel, b.out_dtype()), name="unfold_kernels")
    cols = b.op("Conv", [inputs[0], w], **_conv_attrs(blocks, channels))
    return b.op("Reshape", [cols, b.ints([0, b.out_shape()[1], -1])])


def _fold_onnx(b, node, inputs):
    """(N, C kh kw, L) -> (N, C kh kw, bh, bw) -> ConvTranspose -> (N, C, H, W)."""
    blocks, channels = node.blocks, inputs.arg(2)
    w = b.const(_one_hot_kernels(channels, blocks.kernel, b.out_dtype()), name="fold_kernels")
    grid = b.op("Reshape", [inputs[0], b.ints([0, b.in_shape(0)[1]] + list(blocks.blocks))])
    extra = [size + 2 * p - d * (k - 1) - 1 - (n - 1) * s for size, p, d, k, n, s in
             zip(blocks.image, blocks.padding, blocks.dilation, blocks.kernel, blocks.blocks, blocks.stride)]
    return b.op("ConvTranspose", [grid, w], output_padding=extra, **_conv_attrs(blocks, channels))


UNFOLD = [
    S(T(2, 3, 5, 6), 2), S(T(3, 4, 4), 3), S(T(2, 3, 5, 6), (2, 3), 2, 1, (2, 1)),
    S(T(1, 2, 6, 5), kernel_size=3, stride=2, padding=1), S(T(2, 2, 4, 4), 1, dilation=1, stride=2),
    S(T(2, 3, 5, 6, layout="transposed"), (3, 2), padding=(1, 0)), S(T(0, 3, 4, 4), 2),
]

FOLD = [
    S(T(2, 12, 20), (5, 6), 2), S(T(12, 20), (5, 6), 2), S(T(2, 12, 4), (5, 5), (2, 2), stride=2),
    S(T(1, 8, 4), 3, 2, 2, 1, 2), S(T(2, 18, 12), (5, 6), (2, 3), 2, 1, (2, 1)),
    S(T(2, 27, 4, layout="transposed"), (4, 4), 3, padding=1, stride=2), S(T(0, 12, 20), (5, 6), 2),
]

ENTRIES = [
    _functional("unfold", UNFOLD, onnx={"Unfold": _unfold_onnx}),
    _functional("fold", FOLD, onnx={"Fold": _fold_onnx}),
]
