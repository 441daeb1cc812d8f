"""Converters of the layer ops: linear, convolution, pooling, padding, resampling
gathers, normalisation, embedding, recurrent layers and cells, losses (keyed by Op
class name)."""
import numpy as np


def _absent(inputs, i):
    """Input i, or None when the op got None there (an optional bias)."""
    return None if inputs.arg(i) is None else inputs[i]


# ---- linear ---------------------------------------------------------------------------------------
def convert_linear(b, node, inputs):
    x, w, bias = inputs[0], inputs[1], _absent(inputs, 2)
    if len(b.in_shape(0)) == 2:
        return b.op("Gemm", [x, w, bias], transB=1)
    y = b.op("MatMul", [x, b.op("Transpose", [w], perm=[1, 0])])
    return y if bias is None else b.op("Add", [y, bias])


# ---- convolution ------------------------------------------------------------------------------------
def convert_conv(b, node, inputs):
    geo = node.geo
    pads = geo.pads
    if pads is None:  # a Geometry made without the caller's padding: the least that fits
        (h, w), (oh, ow) = geo.in_hw, geo.out_hw
        ends = [max(0, (o - 1) * s + d * (k - 1) + 1 - n - p)
                for n, o, s, d, k, p in zip((h, w), (oh, ow), geo.stride, geo.dilation, geo.kernel, geo.padding)]
        pads = tuple(geo.padding) + tuple(ends)
    return b.op("Conv", [inputs[0], inputs[1], _absent(inputs, 2)], kernel_shape=list(geo.kernel),
                strides=list(geo.stride), pads=list(pads), dilations=list(geo.dilation), group=int(geo.groups))


def convert_conv_transpose(b, node, inputs):
    """ConvInputGrad: the transposed convolution (and conv2d's input gradient)."""
    geo = node.geo
    if geo.pads is not None:
        pads, out_pad = list(geo.pads), list(geo.output_padding)
    else:
        begin = list(geo.padding)
        total = [s * (i - 1) + d * (k - 1) + 1 - o for s, i, d, k, o in
                 zip(geo.stride, geo.out_hw, geo.dilation, geo.kernel, geo.in_hw)]
        end = [t - p for t, p in zip(total, begin)]
        out_pad = [max(0, -e) for e in end]
        pads = begin + [max(0, e) for e in end]
    return b.op("ConvTranspose", [inputs[0], inputs[1], _absent(inputs, 2)], kernel_shape=list(geo.kernel),
                strides=list(geo.stride), pads=pads, dilations=list(geo.dilation), group=int(geo.groups),
                output_padding=out_pad)


# ---- pooling ---------------------------------------------------------------------------------------------
def convert_max_pool(b, node, inputs):
    if node.window is None:
        raise b.error("a max-pool gather made outside max_pool2d (a gradient graph) has no ONNX mapping")
    k, s, p, d, ceil = node.window
    return b.op("MaxPool", [inputs[0]], kernel_shape=list(k), strides=list(s), pads=list(p) * 2,
                dilations=list(d), ceil_mode=int(ceil))


def convert_avg_pool(b, node, inputs):
    k, s, p, include_pad, divisor = node.params
    y = b.op("AveragePool", [inputs[0]], kernel_shape=list(k), strides=list(s), pads=list(p) * 2,
             count_include_pad=int(include_pad or divisor is not None), ceil_mode=int(node.ceil_mode))
    if divisor is None:
        return y
    floor_hw = [(n + 2 * pp - kk) // ss + 1 for n, kk, ss, pp in zip(node.hw, k, s, p)]
    if list(b.out_shape()[-2:]) != floor_hw:
        raise b.error("divisor_override with ceil_mode windows past the padding has no ONNX mapping")
    return b.op("Mul", [y, b.scalar(k[0] * k[1] / divisor, b.out_dtype())])


def convert_adaptive_avg_pool(b, node, inputs):
    (h, w), (oh, ow) = node.hw, b.out_shape()[-2:]
    x = inputs[0]
    if (oh, ow) == (1, 1):
        return b.op("GlobalAveragePool", [x])
    if h % oh == 0 and w % ow == 0:
        k = [h // oh, w // ow]
        return b.op("AveragePool", [x], kernel_shape=k, strides=k)
    dtype = b.out_dtype()
    cols = b.op("MatMul", [x, b.const(_averaging(w, ow, dtype).T)])  # (..., H, ow)
    return b.op("MatMul", [b.const(_averaging(h, oh, dtype)), cols])  # (..., oh, ow)


def _averaging(n, m, dtype):
    """(m, n): row i averages PyTorch's adaptive window i of n inputs."""
    a = np.zeros((m, n), np.float64)
    for i in range(m):
        start, end = (i * n) // m, -((-(i + 1) * n) // m)
        a[i, start:end] = 1.0 / (end - start)
    return a.astype(dtype)


# ---- padding and gathers --------------------------------------------------------------------------------
def convert_constant_pad(b, node, inputs):
    widths = [tuple(w) for w in node.widths]
    pads = [a for a, _ in widths] + [c for _, c in widths]
    return b.op("Pad", [inputs[0], b.ints(pads), b.scalar(inputs.arg(2), b.out_dtype())], mode="constant")


def convert_index_gather(b, node, inputs):
    """Rows and columns picked by index (reflect/replicate/circular padding, nearest
    and linear interpolation): a Gather per axis that changes."""
    b.same_in_both("row and column indices", [node.rows, node.cols],
                   [b.twin_attr("rows"), b.twin_attr("cols")] if b.twin else [node.rows, node.cols])
    x, nd = inputs[0], len(b.in_shape(0))
    h, w = node.hw
    if not np.array_equal(node.rows, np.arange(h)):
        x = b.op("Gather", [x, b.const(np.asarray(node.rows, np.int64))], axis=nd - 2)
    if not np.array_equal(node.cols, np.arange(w)):
        x = b.op("Gather", [x, b.const(np.asarray(node.cols, np.int64))], axis=nd - 1)
    return x


# ---- normalisation -----------------------------------------------------------------------------------------
def convert_batch_norm(b, node, inputs):
    x = inputs[0]
    c, nd = b.in_shape(0)[1], len(b.in_shape(0))
    dtype = b.out_dtype()
    scale = _absent(inputs, 1) or b.const(np.ones(c, dtype))
    shift = _absent(inputs, 2) or b.const(np.zeros(c, dtype))
    if node.training:  # batch statistics (F.batch_norm(training=True) called explicitly)
        axes = [0] + list(range(2, nd))
        mean = b.reduce("ReduceMean", x, axes, True)
        d = b.op("Sub", [x, mean])
        var = b.reduce("ReduceMean", b.op("Mul", [d, d]), axes, True)
        xhat = b.op("Div", [d, b.op("Sqrt", [b.op("Add", [var, b.scalar(node.eps, dtype)])])])
        cs = b.ints([c] + [1] * (nd - 2))
        return b.op("Add", [b.op("Mul", [xhat, b.op("Reshape", [scale, cs])]), b.op("Reshape", [shift, cs])])
    stats = _running_stats(b, node)
    if stats is not None:
        return b.op("BatchNormalization", [x, scale, shift, stats[0], stats[1]], epsilon=float(node.eps))
    var = (1.0 / node.invstd.astype(np.float64) ** 2 - node.eps).astype(dtype)
    return b.op("BatchNormalization", [x, scale, shift, b.const(node.mean), b.const(var)], epsilon=float(node.eps))


def _running_stats(b, node):
    """The owning module's running_mean/running_var initializers, when they are what
    the op normalised with."""
    found = [b.state_tensor("running_mean"), b.state_tensor("running_var")]
    if any(f is None for f in found):
        return None
    (mean_name, rm), (var_name, rv) = found
    dtype = node.mean.dtype
    if rm.dtype != dtype or not np.array_equal(rm, node.mean):
        return None
    if not np.array_equal((1 / np.sqrt(rv.astype(dtype) + node.eps)).astype(dtype), node.invstd):
        return None
    return mean_name(), var_name()


def convert_layer_norm(b, node, inputs):
    x = inputs[0]
    shape = tuple(node.norm_shape)
    k = len(shape)
    dtype = b.out_dtype()
    scale = _absent(inputs, 1) or b.const(np.ones(shape, dtype))
    shift = _absent(inputs, 2)
    if b.opset >= 17:
        return b.op("LayerNormalization", [x, scale, shift], axis=-k, epsilon=float(node.eps))
    axes = list(range(len(b.in_shape(0)) - k, len(b.in_shape(0))))
    mean = b.reduce("ReduceMean", x, axes, True)
    d = b.op("Sub", [x, mean])
    var = b.reduce("ReduceMean", b.op("Mul", [d, d]), axes, True)
    y = b.op("Mul", [b.op("Div", [d, b.op("Sqrt", [b.op("Add", [var, b.scalar(node.eps, dtype)])])]), scale])
    return y if shift is None else b.op("Add", [y, shift])


# ---- embedding ----------------------------------------------------------------------------------------------
def convert_embedding(b, node, inputs):
    return b.op("Gather", [inputs[0], inputs[1]], axis=0)


# ---- recurrent layers and cells -------------------------------------------------------------------------------
_ONNX_GATES = {"LSTM": [0, 3, 1, 2], "GRU": [1, 0, 2], "RNN": [0]}  # PyTorch's chunks in ONNX's order


def _gate_order(b, w, kmode, hidden):
    order = _ONNX_GATES[kmode]
    if len(order) == 1:
        return w
    chunks = b.split(w, [hidden] * len(order), 0)
    return b.op("Concat", [chunks[i] for i in order], axis=0)


def _recurrence(b, node, inputs, kmode, x, h0, c0, reverse=False, lengths=None):
    """One ONNX LSTM/GRU/RNN node over x (T, B, I); returns (Y (T, B, H), Y_h, Y_c)."""
    hidden = b.in_shape(4)[1]
    w = b.unsqueeze(_gate_order(b, inputs[3], kmode, hidden), [0])
    r = b.unsqueeze(_gate_order(b, inputs[4], kmode, hidden), [0])
    bias = None
    if inputs.arg(5) is not None or inputs.arg(6) is not None:
        n = len(_ONNX_GATES[kmode]) * hidden
        parts = [_gate_order(b, inputs[i], kmode, hidden) if inputs.arg(i) is not None
                 else b.const(np.zeros(n, b.out_dtype())) for i in (5, 6)]
        bias = b.unsqueeze(b.op("Concat", parts, axis=0), [0])
    seq = None if lengths is None else b.const(np.asarray(lengths, np.int32))
    attrs = dict(hidden_size=int(hidden), direction="reverse" if reverse else "forward")
    if kmode == "GRU":
        attrs["linear_before_reset"] = 1
    if kmode == "RNN":
        attrs["activations"] = ["Relu" if node.mode == "RNN_RELU" else "Tanh"]
    op_type = {"LSTM": "LSTM", "GRU": "GRU"}.get(kmode, "RNN")
    ins = [x, w, r, bias, seq, h0] + ([c0] if kmode == "LSTM" else [])
    outs = b.op(op_type, ins, outputs=3 if kmode == "LSTM" else 2, **attrs)
    y = b.squeeze(outs[0], [1])
    states = [b.squeeze(o, [0]) for o in outs[1:]]
    return (y, *states)


def _state(b, inputs, i):
    """An initial state as (1, B, H), or None when it is the zeros the layer made."""
    arr = inputs.const(i)
    if inputs.arg(i) is None or (arr is not None and not np.any(arr)):
        return None
    return b.unsqueeze(inputs[i], [0])


def convert_recurrent_layer(b, node, inputs):
    lengths = inputs.arg(9)
    if lengths is not None:
        b.same_in_both("sequence lengths", lengths, b.twin.args[9] if b.twin else lengths)
    outs = _recurrence(b, node, inputs, node.kmode, inputs[0], _state(b, inputs, 1), _state(b, inputs, 2),
                       reverse=node.reverse, lengths=lengths)
    return outs if node.kmode == "LSTM" else outs[:2]


def convert_cell(b, node, inputs):
    """One step of LSTMCell/GRUCell/RNNCell as a one-step recurrence."""
    x = b.unsqueeze(inputs[0], [0])
    outs = _recurrence(b, node, inputs, node.kmode, x, _state(b, inputs, 1), _state(b, inputs, 2))
    return (outs[1], outs[2]) if node.kmode == "LSTM" else outs[1]


# ---- losses --------------------------------------------------------------------------------------------------------
def _class_loss(op_type):
    def convert(b, node, inputs):
        if op_type == "SoftmaxCrossEntropyLoss" and inputs.arg(4):
            raise b.error("cross entropy with label_smoothing has no ONNX mapping")
        reduction = inputs.arg(5 if op_type == "SoftmaxCrossEntropyLoss" else 4)
        weight = inputs.arg(2)
        target = inputs[1]
        if b.in_dtype(1) != np.int64:
            target = b.cast(target, np.int64)
        ins = [inputs[0], target] + ([b.const(weight)] if weight is not None else [])
        return b.op(op_type, ins, reduction=reduction, ignore_index=int(inputs.arg(3)))

    return convert


def convert_binary_cross_entropy(b, node, inputs):
    x, y, dtype = inputs[0], inputs[1], b.out_dtype()
    floor = b.scalar(-100.0, dtype)
    log_x = b.op("Max", [b.op("Log", [x]), floor])
    log_1mx = b.op("Max", [b.op("Log", [b.op("Sub", [b.scalar(1.0, dtype), x])]), floor])
    pos = b.op("Mul", [y, log_x])
    neg = b.op("Mul", [b.op("Sub", [b.scalar(1.0, dtype), y]), log_1mx])
    return b.op("Neg", [b.op("Add", [pos, neg])])


CONVERTERS = {
    "Linear": convert_linear,
    "Conv2d": convert_conv,
    "ConvInputGrad": convert_conv_transpose,
    "MaxPoolGather": convert_max_pool,
    "AvgPool2d": convert_avg_pool,
    "AdaptiveAvgPool2d": convert_adaptive_avg_pool,
    "ConstantPad": convert_constant_pad,
    "IndexGather2d": convert_index_gather,
    "BatchNorm": convert_batch_norm,
    "LayerNorm": convert_layer_norm,
    "Embedding": convert_embedding,
    "RecurrentLayer": convert_recurrent_layer,
    "LSTMCell": convert_cell,
    "OneOutputCell": convert_cell,
    "CrossEntropyLoss": _class_loss("SoftmaxCrossEntropyLoss"),
    "NllLoss": _class_loss("NegativeLogLikelihoodLoss"),
    "BinaryCrossEntropy": convert_binary_cross_entropy,
}
