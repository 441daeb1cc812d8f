"""Table entries of nn.functional.dropout (ops/dropout.py). Its masks are random (and
autograd_lite's stream differs from PyTorch's), so one entry compares shapes and
dtypes only (the harness reseeds before each call, so gradcheck sees one mask); a
second entry holds the deterministic calls (p=0, p=1, training=False) and compares
values. The in-place forms take inputs that don't require grad (a leaf that does is
refused, as in PyTorch)."""
from ..opinfo import OpInfo, S, T, onnx_identity

F = "nn.functional."

RANDOM = [
    S(T(3, 4)), S(T(3, 4), 0.2), S(T(2, 3, 2), p=0.7, training=True), S(T()),
    S(T(4, 3, layout="transposed"), 0.5), S(T(0, 3), 0.5),
    S(T(3, 4, grad=False), 0.5, True, True),  # in place
]

DETERMINISTIC = [
    S(T(3, 4), 0.0), S(T(3, 4), p=1.0), S(T(2, 3), 0.5, False), S(T(2, 3), p=0.3, training=False),
    S(T(2, 5, layout="strided"), 1.0), S(T(3, 4, grad=False), 1.0, inplace=True),
    S(T(0, 3), 0.0),
]

ENTRIES = [
    # exports run in eval mode, where dropout is the identity
    OpInfo("dropout", F + "dropout", RANDOM, namespace="nn.functional", random=True,
           onnx={"Dropout": onnx_identity}),
    OpInfo("dropout", F + "dropout", DETERMINISTIC, namespace="nn.functional", onnx={"Dropout": onnx_identity}),
]
