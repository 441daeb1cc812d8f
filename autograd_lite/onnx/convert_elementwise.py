"""Converters of the arithmetic, activation, softmax and dropout ops, and of the
gradient ops that have a plain ONNX form (keyed by Op class name). The elementwise
family's converters live beside its entries in ops/table/elementwise.py."""
import math

from autograd_lite.ops.opinfo import onnx_op


def _scalar(b, value):
    """A 0-d constant of the current op's output dtype."""
    return b.scalar(value, b.out_dtype())


# ---- arithmetic ------------------------------------------------------------------------------
def convert_pow_scalar(b, node, inputs):
    c = node.c
    if c == 2:
        return b.op("Mul", [inputs[0], inputs[0]])
    if c == 1:
        return inputs[0]
    return b.op("Pow", [inputs[0], _scalar(b, c)])


def convert_remainder(b, node, inputs):
    """a - floor(a / b) * b (Python's sign convention; ONNX Mod needs fmod=1 for floats)."""
    a, d = inputs[0], inputs[1]
    q = b.op("Floor", [b.op("Div", [a, d])])
    return b.op("Sub", [a, b.op("Mul", [q, d])])


def convert_rounding_divide(b, node, inputs):
    q = b.op("Div", [inputs[0], inputs[1]])
    if inputs.arg(2) == "trunc":
        return _trunc(b, q)
    return b.op("Floor", [q])


def _trunc(b, x):
    return b.op("Mul", [b.op("Sign", [x]), b.op("Floor", [b.op("Abs", [x])])])


# ---- activations ---------------------------------------------------------------------------
def convert_leaky_relu(b, node, inputs):
    return b.op("LeakyRelu", [inputs[0]], alpha=float(inputs.arg(1)))


def convert_elu(b, node, inputs):
    return b.op("Elu", [inputs[0]], alpha=float(node.alpha))


_SQRT_2_OVER_PI = math.sqrt(2 / math.pi)


def convert_gelu(b, node, inputs):
    x = inputs[0]
    if b.opset >= 20:
        return b.op("Gelu", [x], approximate="tanh" if node.approximate == "tanh" else "none")
    half_x = b.op("Mul", [x, _scalar(b, 0.5)])
    if node.approximate == "tanh":
        cube = b.op("Mul", [b.op("Mul", [x, x]), x])
        inner = b.op("Add", [x, b.op("Mul", [cube, _scalar(b, 0.044715)])])
        t = b.op("Tanh", [b.op("Mul", [inner, _scalar(b, _SQRT_2_OVER_PI)])])
    else:
        t = b.op("Erf", [b.op("Mul", [x, _scalar(b, 1 / math.sqrt(2))])])
    return b.op("Mul", [half_x, b.op("Add", [t, _scalar(b, 1.0)])])


def convert_silu(b, node, inputs):
    return b.op("Mul", [inputs[0], b.op("Sigmoid", [inputs[0]])])


def _stable_softplus(b, z):
    """max(z, 0) + log(1 + exp(-|z|)): finite for any z (the library's formula)."""
    tail = b.op("Log", [b.op("Add", [b.op("Exp", [b.op("Neg", [b.op("Abs", [z])])]), _scalar(b, 1.0)])])
    return b.op("Add", [b.op("Max", [z, _scalar(b, 0.0)]), tail])


def convert_softplus(b, node, inputs):
    x = inputs[0]
    beta, threshold = node.beta, node.threshold
    z = x if beta == 1 else b.op("Mul", [x, _scalar(b, beta)])
    out = _stable_softplus(b, z)
    if beta != 1:
        out = b.op("Div", [out, _scalar(b, beta)])
    return b.op("Where", [b.op("Greater", [z, _scalar(b, threshold)]), x, out])


def convert_log_sigmoid(b, node, inputs):
    return b.op("Neg", [_stable_softplus(b, b.op("Neg", [inputs[0]]))])


# ---- softmax ---------------------------------------------------------------------------------
def _softmax(op_type):
    def convert(b, node, inputs):
        if len(b.in_shape(0)) == 0:  # a 0-d input: softmax is 1, log_softmax 0
            value = 1.0 if op_type == "Softmax" else 0.0
            return b.op("Add", [b.op("Mul", [inputs[0], _scalar(b, 0.0)]), _scalar(b, value)])
        return b.op(op_type, [inputs[0]], axis=int(node.axis))

    return convert


# ---- gradient ops with a plain form -------------------------------------------------------------
def convert_tanh_grad(b, node, inputs):
    """g * (1 - y^2)."""
    y = inputs[1]
    return b.op("Mul", [inputs[0], b.op("Sub", [_scalar(b, 1.0), b.op("Mul", [y, y])])])


def convert_sigmoid_grad(b, node, inputs):
    """g * y * (1 - y)."""
    y = inputs[1]
    return b.op("Mul", [b.op("Mul", [inputs[0], y]), b.op("Sub", [_scalar(b, 1.0), y])])


def convert_identity(b, node, inputs):
    """The op's output is its input's value (no node is written)."""
    return inputs[0]


CONVERTERS = {
    "Add": onnx_op("Add"),
    "Sub": onnx_op("Sub"),
    "Mul": onnx_op("Mul"),
    "Div": onnx_op("Div"),
    "Neg": onnx_op("Neg"),
    "Pow": onnx_op("Pow"),
    "PowScalar": convert_pow_scalar,
    "Remainder": convert_remainder,
    "RoundingDivide": convert_rounding_divide,
    "LeakyRelu": convert_leaky_relu,
    "Elu": convert_elu,
    "Gelu": convert_gelu,
    "Silu": convert_silu,
    "Softplus": convert_softplus,
    "LogSigmoid": convert_log_sigmoid,
    "Softmax": _softmax("Softmax"),
    "LogSoftmax": _softmax("LogSoftmax"),
    "Dropout": convert_identity,  # exports run in eval mode: dropout is the identity
    "Clone": convert_identity,
    "Contiguous": convert_identity,
    "_Alias": convert_identity,
    "To": lambda b, node, inputs: b.cast(inputs[0], b.out_dtype()),
    "TanhGrad": convert_tanh_grad,
    "SigmoidGrad": convert_sigmoid_grad,
}
