"""Converters of the arithmetic ops, the dtype cast, copies, and the gradient ops that
have a plain ONNX form (keyed by Op class name): the op classes no op-table entry
records yet. The other families' converters live beside their entries in ops/table/."""
from autograd_lite.ops.opinfo import onnx_identity, onnx_op


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


# ---- gradient ops with a plain form -------------------------------------------------------------
def convert_tanh_grad(b, node, inputs):
    """g * (1 - y^2)."""
    y = inputs[1]
    return b.op("Mul", [inputs[0], b.op("Sub", [_scalar(b, 1.0), b.op("Mul", [y, y])])])


def convert_sigmoid_grad(b, node, inputs):
    """g * y * (1 - y)."""
    y = inputs[1]
    return b.op("Mul", [b.op("Mul", [inputs[0], y]), b.op("Sub", [_scalar(b, 1.0), y])])


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
    "Clone": onnx_identity,
    "Contiguous": onnx_identity,
    "_Alias": onnx_identity,
    "To": lambda b, node, inputs: b.cast(inputs[0], b.out_dtype()),
    "TanhGrad": convert_tanh_grad,
    "SigmoidGrad": convert_sigmoid_grad,
}
