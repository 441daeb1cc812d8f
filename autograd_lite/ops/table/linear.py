"""Table entries of nn.functional's linear and bilinear (ops/linear.py)."""
from ..opinfo import OpInfo, S, T

F = "nn.functional."


def _linear_onnx(b, node, inputs):
    """Gemm for 2-D input, else MatMul by the transposed weight (folded) and Add."""
    x, w, bias = inputs[0], inputs[1], inputs.optional(2)
    if len(b.in_shape(0)) == 2:
        return b.op("Gemm", [x, w, bias], transB=1)
    y = b.op("MatMul", [x, b.op("Transpose", [w], perm=[1, 0])])
    return y if bias is None else b.op("Add", [y, bias])

LINEAR = [
    S(T(5, 3), T(4, 3), T(4)),
    S(T(2, 5, 3), T(4, 3)),
    S(T(3), T(4, 3), T(4)),
    S(T(5, 3), T(4, 3), T()),  # a bias broadcasts to the output
    S(T(5, 3), T(4, 3), T(5, 1)),
    S(T(2, 5, 3), T(4, 3), bias=T(5, 4)),
    S(T(3), T(3), T()),  # a 1-d weight and input: a 0-d output
    S(T(3), T(3)),
    S(T(5, 3, layout="transposed"), T(4, 3, layout="transposed"), T(4)),
    S(T(2, 4, layout="strided"), T(3, 4), T(3, layout="strided")),
    S(T(0, 3), T(4, 3), T(4)),
    S(T(5, 0), T(4, 0), T(4)),
]

BILINEAR = [
    S(T(4, 3), T(4, 2), T(5, 3, 2), T(5)),
    S(T(2, 3, 3), T(2, 3, 2), T(4, 3, 2)),
    S(T(3), T(2), T(5, 3, 2), T(5)),  # unbatched
    S(T(3, 4, layout="transposed"), T(3, 2), T(2, 4, 2), bias=T(2)),
    S(T(0, 3), T(0, 2), T(5, 3, 2), T(5)),
]

ENTRIES = [
    OpInfo("linear", F + "linear", LINEAR, namespace="nn.functional", onnx={"Linear": _linear_onnx}),
    # a composition of reshapes, matmul, mul, sum and add: their own mappings export it
    OpInfo("bilinear", F + "bilinear", BILINEAR, namespace="nn.functional"),
]
