"""Table entries of nn.functional's activations (ops/activation.py, ops/piecewise_linear.py,
ops/softmaxes.py, elementwise.py's relu, tanh, sigmoid, and compositions in
nn/functional/activation.py). The `inplace=True` forms and the trailing
underscore functions take inputs that don't require grad (a leaf that does is refused,
as in PyTorch); their gradients are pinned by tests/nn/test_activation.py."""
import math

from ..opinfo import BF16, FLOATS, INTS, Dtype, OpInfo, S, T, onnx_op, onnx_scalar, unary

F = "nn.functional."


# ---- ONNX converters (autograd_lite.onnx): converter(builder, node, inputs) -> output ----------------
def _leaky_relu(b, node, inputs):
    return b.op("LeakyRelu", [inputs[0]], alpha=float(inputs.arg(1)))


def _elu(b, node, inputs):
    """Elu, Selu (scale != 1), or celu's scale * (max(x, 0) + alpha * (exp(s * min(x, 0)) - 1))."""
    x, alpha, scale, input_scale = inputs[0], node.alpha, node.scale, node.input_scale
    if input_scale == 1:
        if scale == 1:
            return b.op("Elu", [x], alpha=float(alpha))
        return b.op("Selu", [x], alpha=float(alpha), gamma=float(scale))
    neg = b.op("Mul", [b.op("Min", [x, onnx_scalar(b, 0.0)]), onnx_scalar(b, input_scale)])
    tail = b.op("Mul", [b.op("Sub", [b.op("Exp", [neg]), onnx_scalar(b, 1.0)]), onnx_scalar(b, alpha)])
    out = b.op("Add", [b.op("Relu", [x]), tail])
    return out if scale == 1 else b.op("Mul", [out, onnx_scalar(b, scale)])


def _gelu(b, node, inputs):
    """Gelu from opset 20, else x/2 (1 + erf(x/sqrt 2)) or its tanh form."""
    x = inputs[0]
    if b.opset >= 20:
        return b.op("Gelu", [x], approximate="tanh" if node.approximate == "tanh" else "none")
    half_x = b.op("Mul", [x, onnx_scalar(b, 0.5)])
    if node.approximate == "tanh":
        cube = b.op("Mul", [b.op("Mul", [x, x]), x])
        inner = b.op("Add", [x, b.op("Mul", [cube, onnx_scalar(b, 0.044715)])])
        t = b.op("Tanh", [b.op("Mul", [inner, onnx_scalar(b, math.sqrt(2 / math.pi))])])
    else:
        t = b.op("Erf", [b.op("Mul", [x, onnx_scalar(b, 1 / math.sqrt(2))])])
    return b.op("Mul", [half_x, b.op("Add", [t, onnx_scalar(b, 1.0)])])


def _silu(b, node, inputs):
    return b.op("Mul", [inputs[0], b.op("Sigmoid", [inputs[0]])])


def _stable_softplus(b, z):
    """max(z, 0) + log(1 + exp(-|z|)): finite for any z (the library's formula)."""
    tail = b.op("Log", [b.op("Add", [b.op("Exp", [b.op("Neg", [b.op("Abs", [z])])]), onnx_scalar(b, 1.0)])])
    return b.op("Add", [b.op("Max", [z, onnx_scalar(b, 0.0)]), tail])


def _softplus(b, node, inputs):
    x, beta = inputs[0], node.beta
    z = x if beta == 1 else b.op("Mul", [x, onnx_scalar(b, beta)])
    out = _stable_softplus(b, z)
    if beta != 1:
        out = b.op("Div", [out, onnx_scalar(b, beta)])
    return b.op("Where", [b.op("Greater", [z, onnx_scalar(b, node.threshold)]), x, out])


def _log_sigmoid(b, node, inputs):
    return b.op("Neg", [_stable_softplus(b, b.op("Neg", [inputs[0]]))])


def _softmax_of(op_type):
    def convert(b, node, inputs):
        if len(b.in_shape(0)) == 0:  # a 0-d input: softmax is 1, log_softmax 0
            value = 1.0 if op_type == "Softmax" else 0.0
            return b.op("Add", [b.op("Mul", [inputs[0], onnx_scalar(b, 0.0)]), onnx_scalar(b, value)])
        return b.op(op_type, [inputs[0]], axis=int(node.axis))

    return convert


onnx_softmax = _softmax_of("Softmax")  # shared with the softmax family's entries
onnx_log_softmax = _softmax_of("LogSoftmax")


# ---- ONNX converters of the piecewise-linear activations (ops/piecewise_linear.py) -----------------
def _hardtanh(b, node, inputs):
    return b.op("Clip", [inputs[0], onnx_scalar(b, inputs.arg(1)), onnx_scalar(b, inputs.arg(2))])


def _hardsigmoid(b, node, inputs):
    """min(max(x + 3, 0), 6) / 6, as the library computes it."""
    shifted = b.op("Add", [inputs[0], onnx_scalar(b, 3.0)])
    return b.op("Div", [b.op("Clip", [shifted, onnx_scalar(b, 0.0), onnx_scalar(b, 6.0)]), onnx_scalar(b, 6.0)])


def _threshold(b, node, inputs):
    x = inputs[0]
    below = b.op("LessOrEqual", [x, onnx_scalar(b, inputs.arg(1))])
    return b.op("Where", [below, onnx_scalar(b, inputs.arg(2)), x])


def _inside(b, x, lambd):
    """-lambd <= x <= lambd (False at NaN)."""
    return b.op("And", [b.op("GreaterOrEqual", [x, onnx_scalar(b, -lambd)]),
                        b.op("LessOrEqual", [x, onnx_scalar(b, lambd)])])


def _hardshrink(b, node, inputs):
    x = inputs[0]
    return b.op("Where", [_inside(b, x, inputs.arg(1)), onnx_scalar(b, 0.0), x])


def _softshrink(b, node, inputs):
    """x - clip(x, -lambd, lambd), as the library computes it."""
    x, lambd = inputs[0], inputs.arg(1)
    return b.op("Sub", [x, b.op("Clip", [x, onnx_scalar(b, -lambd), onnx_scalar(b, lambd)])])


def _functional(name, samples, **kw):
    return OpInfo(name, F + name, samples, namespace="nn.functional", **kw)


def _fixed(*shape, **kw):
    """An input an in-place form may write to: no gradient (a leaf)."""
    return T(*shape, grad=False, **kw)


def _softmax_samples():
    return [S(T(3, 4), 1), S(T(3, 4), dim=-1), S(T(2, 3, 4), 0), S(T(), 0), S(T(2, 3)),
            S(T(2, 3, 2)), S(T(4, 3, layout="transposed"), dim=0), S(T(2, 5, layout="strided"), 1),
            S(T(3, 4), dim=1, dtype=Dtype("float64")), S(T(2, 3), -2, dtype=Dtype("float64")),
            S(T(0, 3), dim=1)]


ENTRIES = [
    _functional("relu", unary(margin=0.2) + [S(_fixed(3, 4, margin=0.2), inplace=True)],
                dtypes=FLOATS + BF16 + INTS, onnx={"Relu": onnx_op("Relu")}),
    _functional("relu_", [S(_fixed(3, 4, margin=0.2)), S(_fixed(0, 2))], dtypes=FLOATS + BF16 + INTS,
                onnx={"Relu": onnx_op("Relu")},
                doc="`relu` in place: writes into `input` and returns it."),
    _functional("leaky_relu", unary(margin=0.2) + [
        S(T(3, 4, margin=0.2), 0.2), S(T(2, 3, margin=0.2), negative_slope=-0.5),
        S(_fixed(3, 4), 0.1, inplace=True)], onnx={"LeakyRelu": _leaky_relu},
        doc="`x` where x > 0, else `negative_slope * x`; `inplace=True` writes into `input`."),
    _functional("leaky_relu_", [S(_fixed(3, 4)), S(_fixed(2, 3), negative_slope=0.3)],
                onnx={"LeakyRelu": _leaky_relu},
                doc="`leaky_relu` in place: writes into `input` and returns it."),
    _functional("elu", unary(low=-3, high=3) + [
        S(T(3, 4, low=-3, high=3), 0.3), S(T(2, 3), alpha=2.0), S(_fixed(3, 4), 0.5, inplace=True)],
                onnx={"Elu": _elu},
                doc="`x` where x > 0, else `alpha * (exp(x) - 1)`; `inplace=True` writes into "
                    "`input`."),
    _functional("elu_", [S(_fixed(3, 4)), S(_fixed(2, 3), alpha=0.5)], onnx={"Elu": _elu},
                doc="`elu` in place: writes into `input` and returns it."),
    _functional("gelu", unary(low=-3, high=3) + [
        S(T(3, 4, low=-3, high=3), approximate="tanh"), S(T(2, 3), approximate="none"),
        S(T(4, 3, layout="transposed"), approximate="tanh")],
                onnx={"Gelu": _gelu},
                doc="`x * Phi(x)`, Phi the standard normal CDF, or with `approximate='tanh'` its "
                    "tanh approximation; another `approximate` raises ValueError."),
    _functional("silu", unary(low=-4, high=4) + [S(_fixed(3, 4), inplace=True)], onnx={"Silu": _silu},
                doc="`x * sigmoid(x)` (swish); `inplace=True` writes into `input`."),
    _functional("tanh", unary(), onnx={"Tanh": onnx_op("Tanh")},
                doc="`tanh(x)`, elementwise (as `ag.tanh`)."),
    _functional("sigmoid", unary(low=-4, high=4), onnx={"Sigmoid": onnx_op("Sigmoid")},
                doc="`1 / (1 + exp(-x))`, elementwise (as `ag.sigmoid`)."),
    _functional("softplus", unary(low=-3, high=3) + [
        S(T(3, 4, low=-3, high=3), 2.0, 1.0), S(T(2, 3, low=-4, high=4), beta=0.5),
        S(T(3, 4, low=-30, high=30), threshold=5.0), S(T(2, 3), beta=-1.0)],
                onnx={"Softplus": _softplus},
                doc="`log(1 + exp(beta * x)) / beta`, and `x` itself where `beta * x > "
                    "threshold`; finite for any x."),
    _functional("logsigmoid", unary(low=-5, high=5), onnx={"LogSigmoid": _log_sigmoid},
                doc="`log(sigmoid(x))`, computed without overflow for any x."),
    _functional("softmax", _softmax_samples(), onnx={"Softmax": onnx_softmax},
                doc="`ag.softmax` along `dim`; without `dim`, a deprecation warning and PyTorch's "
                    "implicit choice (dim 0 for 0-, 1- and 3-D inputs, else 1)."),
    _functional("log_softmax", _softmax_samples(), onnx={"LogSoftmax": onnx_log_softmax},
                doc="`ag.log_softmax` along `dim`; without `dim`, a deprecation warning and "
                    "PyTorch's implicit choice (dim 0 for 0-, 1- and 3-D inputs, else 1)."),
]


def _rrelu_random():
    return [S(T(3, 4), training=True), S(T(2, 3, 2), 0.1, 0.6, True), S(T(), training=True),
            S(T(4, 3, layout="transposed"), 0.2, 0.3, training=True), S(T(0, 3), training=True),
            S(_fixed(3, 4), training=True, inplace=True)]


ENTRIES += [
    _functional("threshold", [S(T(3, 4), 0.5, -1.0), S(T(2, 3, 2), -0.3, 2.0), S(T(), 0.1, 0.0),
                              S(T(4, 3, layout="transposed"), 0.0, 0.5), S(T(0, 3), 1.0, 2.0),
                              S(_fixed(3, 4), 0.2, 7.0, inplace=True)],
                onnx={"Threshold": _threshold}),
    _functional("threshold_", [S(_fixed(3, 4), 0.5, -1.0), S(_fixed(2, 3), -0.2, 0.0)],
                onnx={"Threshold": _threshold},
                doc="`threshold` in place: writes `value` into `input` where it is <= "
                    "`threshold`, and returns it."),
    _functional("hardtanh", unary(low=-3, high=3) + [
        S(T(3, 4, low=-3, high=3), -0.5, 2.0), S(T(2, 3), min_val=0.0, max_val=0.5),
        S(_fixed(3, 4), -0.2, 0.4, inplace=True)], onnx={"Hardtanh": _hardtanh}),
    _functional("hardtanh_", [S(_fixed(3, 4)), S(_fixed(2, 3), -0.3, max_val=0.8)],
                onnx={"Hardtanh": _hardtanh},
                doc="`hardtanh` in place: writes into `input` and returns it."),
    _functional("relu6", unary(low=-3, high=9) + [S(_fixed(3, 4, low=-3, high=9), inplace=True)],
                onnx={"Hardtanh": _hardtanh}),
    _functional("hardsigmoid", unary(low=-5, high=5) + [S(_fixed(3, 4, low=-5, high=5), True)],
                onnx={"Hardsigmoid": _hardsigmoid}),
    _functional("hardswish", unary(low=-5, high=5) + [S(_fixed(3, 4, low=-5, high=5), inplace=True)],
                onnx={"Hardsigmoid": _hardsigmoid}),
    _functional("mish", unary(low=-4, high=4) + [S(_fixed(3, 4), inplace=True)]),
    _functional("selu", unary(low=-3, high=3) + [S(_fixed(3, 4), True)], onnx={"Elu": _elu}),
    _functional("selu_", [S(_fixed(3, 4)), S(_fixed(2, 3, 2))], onnx={"Elu": _elu},
                doc="`selu` in place: writes into `input` and returns it."),
    _functional("celu", unary(low=-3, high=3) + [
        S(T(3, 4, low=-3, high=3), 0.5), S(T(2, 3), alpha=2.0), S(T(2, 3), alpha=-1.5),
        S(_fixed(3, 4), 1.5, inplace=True)]),
    _functional("celu_", [S(_fixed(3, 4)), S(_fixed(2, 3), alpha=0.7)],
                doc="`celu` in place: writes into `input` and returns it; `alpha` may not be 0."),
    _functional("hardshrink", unary(low=-2, high=2) + [
        S(T(3, 4), 1.0), S(T(2, 3), lambd=0.0), S(T(2, 3), lambd=-0.5)],
                onnx={"Hardshrink": _hardshrink}),
    _functional("softshrink", unary(low=-2, high=2) + [S(T(3, 4), 1.0), S(T(2, 3), lambd=0.0)],
                onnx={"Softshrink": _softshrink}),
    _functional("rrelu", unary(low=-3, high=3) + [  # eval: the mean slope
        S(T(3, 4, margin=0.1), 0.1, 0.3), S(T(2, 3, margin=0.1), lower=0.2, upper=0.2, training=False),
        S(_fixed(3, 4), inplace=True)]),
    OpInfo("rrelu", F + "rrelu", _rrelu_random(), namespace="nn.functional", random=True),
    _functional("rrelu_", [S(_fixed(3, 4)), S(_fixed(2, 3), 0.2, 0.4)],
                doc="`rrelu` in place: writes into `input` and returns it."),
    _functional("glu", [S(T(3, 4)), S(T(4, 3), 0), S(T(2, 6, 2), dim=1), S(T(2, 3, 4), -1),
                        S(T(4, 3, layout="transposed"), 0), S(T(0, 4))]),
    _functional("prelu", [S(T(3, 4), T(1)), S(T(3, 4, margin=0.1), T(4)), S(T(2, 3, 4, 2), T(3)),
                          S(T(5), T(1)), S(T(), T(1)), S(T(2, 3, layout="transposed"), T(3)),
                          S(T(0, 3), T(3))]),
    _functional("softsign", unary(low=-4, high=4, margin=0.1)),
    _functional("tanhshrink", unary(low=-3, high=3)),
    _functional("softmin", _softmax_samples()),
    # random noise: shapes and dtypes only (the harness reseeds, so gradcheck sees one draw)
    OpInfo("gumbel_softmax", F + "gumbel_softmax", [
        S(T(3, 5)), S(T(3, 5), 0.5), S(T(2, 3, 4), tau=2.0, dim=1), S(T(4)), S(T(),),
        S(T(4, 3, layout="transposed"), dim=0), S(T(0, 3))], namespace="nn.functional", random=True),
    # hard: the one-hot's gradient is the soft sample's by definition (straight-through),
    # not the derivative of the one-hot the numerical gradcheck measures
    OpInfo("gumbel_softmax", F + "gumbel_softmax", [
        S(T(3, 5), hard=True), S(T(2, 3, 4), 0.5, True, dim=1), S(T(4), hard=True, dim=0),
        S(T(0, 3), hard=True)], namespace="nn.functional", random=True, gradcheck=False),
]
