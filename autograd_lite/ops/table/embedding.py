"""Table entries of nn.functional's embedding (ops/embedding.py) and one_hot
(ops/index.py). With `max_norm`, embedding first rescales the looked-up rows of the
weight in place, outside autograd (as PyTorch): those samples take a weight that
doesn't require grad (gradcheck would see the renormalisation as part of the
function), and tests/nn/test_layers.py pins the rescaled weight."""
from ..opinfo import INTS, OpInfo, S, T

F = "nn.functional."


def _embedding_onnx(b, node, inputs):
    """Rows of the weight at the indices (the padding row only matters to gradients)."""
    return b.op("Gather", [inputs[0], inputs[1]], axis=0)


def _idx(*shape, high=5):
    return T(*shape, kind="index", low=0, high=high)


EMBEDDING = [
    S(_idx(2, 3), T(5, 3)),
    S(_idx(4), T(5, 2), padding_idx=1),
    S(_idx(2, 4), T(5, 3), -2),  # a negative padding_idx counts from the end
    S(_idx(), T(5, 3)),
    S(_idx(0, 2), T(5, 3)),
    S(_idx(2, 3), T(5, 3, layout="transposed")),
    S(_idx(2, 3), T(5, 3, low=-3, high=3, grad=False), max_norm=1.0),
    S(_idx(6), T(5, 3, low=-3, high=3, grad=False), max_norm=1.5, norm_type=1.0),
    S(_idx(6), T(5, 3, low=-0.5, high=0.5), max_norm=10.0),  # no row is over the norm
]

# the gradient of each row is divided by its count in the batch: PyTorch's definition,
# not the function's derivative (no gradcheck)
BY_FREQUENCY = [
    S(_idx(3, 4, high=3), T(4, 2), scale_grad_by_freq=True),
    S(_idx(3, 4, high=3), T(4, 2), 0, None, 2.0, True),  # padding_idx, ..., scale_grad_by_freq
    S(_idx(5), T(5, 3, layout="transposed"), padding_idx=-1, scale_grad_by_freq=True),
]

ONE_HOT = [
    S(_idx(5, high=4)), S(_idx(5, high=4), num_classes=6), S(_idx(2, 3, high=3), -1),
    S(_idx(high=4), 4), S(_idx(0, high=3), 3),
]

ENTRIES = [
    OpInfo("embedding", F + "embedding", EMBEDDING, namespace="nn.functional",
           onnx={"Embedding": _embedding_onnx}),
    OpInfo("embedding", F + "embedding", BY_FREQUENCY, namespace="nn.functional", gradcheck=False,
           onnx={"Embedding": _embedding_onnx}),
    OpInfo("one_hot", F + "one_hot", ONE_HOT, namespace="nn.functional", dtypes=INTS,
           differentiable=False),
]
