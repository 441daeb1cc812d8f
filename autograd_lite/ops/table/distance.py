"""Table entries of nn.functional's distances (compositions in
nn/functional/distance.py): pairwise_distance, cosine_similarity, normalize. Samples
keep vectors away from zero norm (where the eps floors make them non-smooth); those
cases are compared with PyTorch in tests/nn/test_distance_shuffle.py."""
from ..opinfo import BF16_CANCELLING, OpInfo, S, T, onnx_scalar

F = "nn.functional."


def _floor_passing_onnx(b, node, inputs):
    """max(x, floor) (the op's gradient passes unchanged; the value is a clamp)."""
    return b.op("Max", [inputs[0], onnx_scalar(b, inputs.arg(1))])


FLOOR_ONNX = {"_FloorPassingGradient": _floor_passing_onnx}


def _functional(name, samples, **kw):
    return OpInfo(name, F + name, samples, namespace="nn.functional", **kw)


PAIRWISE = [
    S(T(3, 4), T(3, 4)), S(T(4), T(4)), S(T(3, 4), T(4)), S(T(4), T(3, 4)), S(T(2, 3, 4), T(3, 4)),
    S(T(), T()), S(T(3, 1), T(3, 4)), S(T(3, 4), T(3, 4), 1.0), S(T(3, 4), T(3, 4), p=3.0),
    S(T(3, 4), T(3, 4), p=float("inf")), S(T(3, 4), T(3, 4), p=0.5, eps=1e-3),
    S(T(3, 4), T(3, 4), keepdim=True), S(T(4, 3, layout="transposed"), T(4, 3), 2.0, 0.0, True),
    S(T(0, 4), T(0, 4)),
]

COSINE = [
    S(T(3, 4), T(3, 4)), S(T(4), T(4), 0), S(T(3, 4), T(4)), S(T(2, 3, 4), T(3, 4), -1),
    S(T(3, 1), T(3, 4)), S(T(3, 4), T(3, 4), dim=0, eps=1e-6), S(T(2, 3, 4), T(2, 3, 4), 1),
    S(T(4, 3, layout="transposed"), T(4, 3, layout="strided"), 1), S(T(0, 4), T(0, 4)),
]

NORMALIZE = [
    S(T(3, 4)), S(T(4), dim=0), S(T(2, 3, 4), 1.0), S(T(2, 3, 4), p=3.0, dim=-1),
    S(T(3, 4), float("inf"), 0), S(T(3, 4), 2.0, 1, 0.5), S(T(4, 3, layout="transposed"), dim=1),
    S(T(0, 4)),
]

ENTRIES = [
    _functional("pairwise_distance", PAIRWISE),
    # a row broadcast along dim has a zero gradient: both libraries give bfloat16 noise
    _functional("cosine_similarity", COSINE, tol=BF16_CANCELLING, onnx=FLOOR_ONNX),
    _functional("normalize", NORMALIZE),
]
