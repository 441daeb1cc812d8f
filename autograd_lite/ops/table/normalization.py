"""Table entries of nn.functional's batch_norm and layer_norm (ops/normalization.py),
group_norm and instance_norm (ops/group_norm.py), local_response_norm and rms_norm
(compositions). batch_norm and instance_norm update the running statistics in place
when training: they are plain tensor arguments, so each library (and each call) gets
its own copies; their updates are pinned by tests/nn/test_layers.py and
tests/nn/test_group_instance_norm.py."""
import numpy as np

from ..opinfo import BF16, BF16_CANCELLING, FLOATS, OpInfo, S, T

F = "nn.functional."


def _functional(name, samples, **kw):
    return OpInfo(name, F + name, samples, namespace="nn.functional", **kw)


# ---- ONNX converters (autograd_lite.onnx): converter(builder, node, inputs) -> output ----------------
def _batch_norm_onnx(b, node, inputs):
    """BatchNormalization on the owning module's running_mean/running_var initializers
    (else on the statistics the op used); batch statistics when training=True."""
    x = inputs[0]
    c, nd, dtype = b.in_shape(0)[1], len(b.in_shape(0)), b.out_dtype()
    scale = inputs.optional(1) or b.const(np.ones(c, dtype))
    shift = inputs.optional(2) or b.const(np.zeros(c, dtype))
    if node.training:  # batch statistics (F.batch_norm(training=True) called explicitly)
        axes = [0] + list(range(2, nd))
        d = b.op("Sub", [x, b.reduce("ReduceMean", x, axes, True)])
        var = b.reduce("ReduceMean", b.op("Mul", [d, d]), axes, True)
        xhat = b.op("Div", [d, b.op("Sqrt", [b.op("Add", [var, b.scalar(node.eps, dtype)])])])
        cs = b.ints([c] + [1] * (nd - 2))
        return b.op("Add", [b.op("Mul", [xhat, b.op("Reshape", [scale, cs])]), b.op("Reshape", [shift, cs])])
    stats = _running_stats(b, node)
    if stats is None:
        var = (1.0 / node.invstd.astype(np.float64) ** 2 - node.eps).astype(dtype)
        stats = b.const(node.mean), b.const(var)
    return b.op("BatchNormalization", [x, scale, shift, *stats], epsilon=float(node.eps))


def _running_stats(b, node):
    """The module's running_mean/running_var initializers, when they are what the op
    normalised with (else None)."""
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


def _layer_norm_onnx(b, node, inputs):
    """LayerNormalization from opset 17, else its formula."""
    x, shape, dtype = inputs[0], tuple(node.norm_shape), b.out_dtype()
    k, nd = len(shape), len(b.in_shape(0))
    scale = inputs.optional(1) or b.const(np.ones(shape, dtype))
    shift = inputs.optional(2)
    if b.opset >= 17:
        return b.op("LayerNormalization", [x, scale, shift], axis=-k, epsilon=float(node.eps))
    axes = list(range(nd - k, nd))
    d = b.op("Sub", [x, b.reduce("ReduceMean", x, axes, True)])
    var = b.reduce("ReduceMean", b.op("Mul", [d, d]), axes, True)
    y = b.op("Mul", [b.op("Div", [d, b.op("Sqrt", [b.op("Add", [var, b.scalar(node.eps, dtype)])])]), scale])
    return y if shift is None else b.op("Add", [y, shift])


def _group_norm_onnx(b, node, inputs):
    """Each (sample, group) normalised by its own mean and biased variance (x viewed as
    (N, G, -1)), then each channel scaled and shifted; instance_norm is G = C."""
    x, shape = inputs[0], b.in_shape(0)
    groups, eps, dtype = inputs.arg(5), inputs.arg(6), b.out_dtype()
    x3 = b.op("Reshape", [x, b.ints([0, groups, -1])])
    d = b.op("Sub", [x3, b.reduce("ReduceMean", x3, [2], True)])
    var = b.reduce("ReduceMean", b.op("Mul", [d, d]), [2], True)
    xhat = b.op("Div", [d, b.op("Sqrt", [b.op("Add", [var, b.scalar(eps, dtype)])])])
    y = b.op("Reshape", [xhat, b.shape_of(x)])
    per_channel = b.ints([shape[1]] + [1] * (len(shape) - 2))
    if inputs.arg(1) is not None:
        y = b.op("Mul", [y, b.op("Reshape", [inputs[1], per_channel])])
    if inputs.arg(2) is not None:
        y = b.op("Add", [y, b.op("Reshape", [inputs[2], per_channel])])
    return y


def _mean(c):
    return T(c, grad=False)


def _var(c):
    return T(c, low=0.5, high=2.0, grad=False)


BATCH_NORM = [
    S(T(4, 3), _mean(3), _var(3), T(3), T(3), training=True),
    S(T(4, 3, 2), None, None, T(3), T(3), True, 0.3),
    S(T(3, 2, 2, 2), _mean(2), _var(2), None, None, True, 0.5, 1e-3),
    S(T(2, 3, 4), _mean(3), _var(3), weight=T(3), training=True, momentum=0.0),
    S(T(4, 3), _mean(3), _var(3), T(3), T(3)),  # eval: the running statistics
    S(T(2, 3, 2, 2), _mean(3), _var(3), T(3), T(3), False, 0.1, 1e-2),
    S(T(2, 3, 5), _mean(3), _var(3), bias=T(3)),
    S(T(3, 4, layout="transposed"), _mean(4), _var(4), T(4), T(4), training=True),
    S(T(0, 3), _mean(3), _var(3), T(3), T(3)),
]

LAYER_NORM = [
    S(T(3, 4), (4,)),
    S(T(2, 3, 4), (3, 4), T(3, 4), T(3, 4)),
    S(T(2, 3, 4), (4,), T(4), None, eps=1e-3),
    S(T(2, 3, 4), [3, 4], bias=T(3, 4)),
    S(T(5), [5], T(5), T(5)),
    S(T(4, 3, layout="transposed"), (3,), T(3), T(3)),
    S(T(2, 3, 4, layout="strided"), (4,), T(4), T(4)),
    S(T(0, 3), (3,), T(3), T(3)),
]

GROUP_NORM = [
    S(T(2, 6, 3, 4), 3), S(T(2, 6, 3, 4), 2, T(6), T(6)), S(T(3, 4), 2, T(4), None, 1e-3),
    S(T(2, 4, 5), 4, weight=T(4)), S(T(2, 4, 5), 1, T(4), T(4)), S(T(1, 6, 2, 2, 2), 6, T(6), T(6)),
    S(T(3, 4, layout="transposed"), 2, T(4), T(4)), S(T(2, 6, 3, layout="strided"), 3, T(6), T(6)),
    S(T(0, 4, 3), 2, T(4), T(4)),
]

INSTANCE_NORM = [
    S(T(2, 3, 4)), S(T(2, 3, 4, 2), _mean(3), _var(3), T(3), T(3)),
    S(T(2, 3, 5), _mean(3), _var(3), momentum=0.3, eps=1e-3),
    S(T(1, 2, 2, 2, 2), None, None, T(2), None), S(T(2, 3, 4), weight=T(3), bias=T(3)),
    S(T(2, 3, 4), _mean(3), _var(3), T(3), T(3), False),  # eval: the running statistics
    S(T(2, 3, 2, 2), _mean(3), _var(3), use_input_stats=False, eps=1e-2),
    S(T(2, 4, 3, layout="transposed"), None, None, T(4), T(4)), S(T(0, 3, 4), _mean(3), _var(3)),
]

LOCAL_RESPONSE_NORM = [
    S(T(2, 5, 4), 3), S(T(2, 5, 3, 2), 2), S(T(1, 4, 2, 2, 2), 5, 1e-2, 0.5, 2.0),
    S(T(2, 3, 4), 1, alpha=0.1), S(T(2, 6, 3), size=4, beta=1.5, k=0.5),
    S(T(2, 5, 4, layout="transposed"), 3, 0.1), S(T(0, 3, 4), 3),
]

RMS_NORM = [
    S(T(3, 4), (4,)),
    S(T(2, 3, 4), (3, 4), T(3, 4)),
    S(T(2, 3, 4), [4], T(4), 1e-3),
    S(T(2, 3, 4), (4,), weight=T(4), eps=0.5),
    S(T(5), [5], T(5)),
    S(T(4, 3, layout="transposed"), (3,), T(3)),
    S(T(2, 3, 4, layout="strided"), (4,), T(4)),
    S(T(2, 3, 0), (0,)),  # no element to normalise
    S(T(0, 3), (3,), T(3)),
]

ENTRIES = [
    _functional("rms_norm", RMS_NORM, tol=BF16_CANCELLING,
                note="normalized_shape may also be an int here (as nn.RMSNorm's)"),
    _functional("batch_norm", BATCH_NORM, tol=BF16_CANCELLING, onnx={"BatchNorm": _batch_norm_onnx}),
    _functional("layer_norm", LAYER_NORM, tol=BF16_CANCELLING, onnx={"LayerNorm": _layer_norm_onnx},
                note="normalized_shape may also be an int here (as nn.LayerNorm's); PyTorch's "
                     "functional form takes only a list or tuple"),
]
ENTRIES += [
    _functional("group_norm", GROUP_NORM, onnx={"GroupNorm": _group_norm_onnx}),
    _functional("instance_norm", INSTANCE_NORM,
                onnx={"GroupNorm": _group_norm_onnx, "BatchNorm": _batch_norm_onnx}),
    _functional("local_response_norm", LOCAL_RESPONSE_NORM, dtypes=FLOATS),
    # PyTorch pools 4-D and 5-D input with avg_pool3d, which has no bfloat16 CPU kernel
    _functional("local_response_norm", [s for s in LOCAL_RESPONSE_NORM if len(s.args[0].shape) == 3],
                dtypes=BF16),
]
