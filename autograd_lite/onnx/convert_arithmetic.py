"""Converters of the op classes no op-table entry records (keyed by Op class name):
the dtype cast, copies, and the gradient ops that have a plain ONNX form. Every other
family's converters live beside its entries in ops/table/."""
from autograd_lite.ops.opinfo import onnx_identity


def _scalar(b, value):
    """A 0-d constant of the current op's output dtype."""
    return b.scalar(value, b.out_dtype())


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
    "Clone": onnx_identity,
    "Contiguous": onnx_identity,
    "_Alias": onnx_identity,
    "To": lambda b, node, inputs: b.cast(inputs[0], b.out_dtype()),
    "TanhGrad": convert_tanh_grad,
    "SigmoidGrad": convert_sigmoid_grad,
}
