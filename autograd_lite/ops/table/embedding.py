"""Table entries of nn.functional's embedding (ops/embedding.py), embedding_bag (a
composition) and one_hot (ops/index.py). With `max_norm`, embedding first rescales the looked-up rows of the
weight in place, outside autograd (as PyTorch): those samples take a weight that
doesn't require grad (gradcheck would see the renormalisation as part of the
function), and tests/nn/test_layers.py pins the rescaled weight."""
import numpy as np

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

def _offsets(*values):
    return T(len(values), kind="index", values=np.array(values, np.int64))


# embedding_bag (nn/functional/embedding_bag.py): a composition of embedding with
# index_add (sum, mean) or gather (max); random rows make ties in max mode unlikely
EMBEDDING_BAG = [
    S(_idx(3, 4), T(5, 3)),  # 2-D input: a bag per row, mode mean
    S(_idx(3, 4), T(5, 3), mode="sum"),
    S(_idx(3, 4), T(5, 3), mode="max"),
    S(_idx(7), T(5, 3), _offsets(0, 2, 2, 5)),  # an empty bag
    S(_idx(7), T(5, 3), _offsets(0, 3, 7), mode="sum", include_last_offset=True),
    S(_idx(7), T(5, 3), _offsets(0, 1, 4), mode="max"),
    S(_idx(7), T(5, 2), _offsets(0, 3), mode="sum", per_sample_weights=T(7)),
    S(_idx(2, 4), T(5, 2), mode="sum", per_sample_weights=T(2, 4), padding_idx=1),
    S(_idx(8), T(5, 3), _offsets(0, 4, 6), padding_idx=2),
    S(_idx(8), T(5, 3), _offsets(0, 4, 6), mode="max", padding_idx=-1),
    S(_idx(6), T(5, 3, layout="transposed"), _offsets(0, 2), mode="sum"),
    S(_idx(0), T(5, 3), _offsets(0, 0)),  # empty input
    S(_idx(6), T(5, 3, low=-3, high=3, grad=False), _offsets(0, 3), max_norm=1.0),
]

# PyTorch 2.13's CPU kernel divides every row's gradient by the count of the smallest
# index in the batch (not the row's own count, as embedding and its documentation do):
# these samples give each index the same count, where the two agree;
# tests/nn/test_embedding_bag.py pins the documented rule
_EVEN = np.array([[0, 1, 2, 0], [2, 1, 0, 1], [1, 2, 0, 2]], np.int64)
EMBEDDING_BAG_BY_FREQUENCY = [
    S(T(3, 4, kind="index", values=_EVEN), T(4, 2), scale_grad_by_freq=True),
    S(T(6, kind="index", values=np.array([3, 3, 1, 1, 0, 0])), T(4, 2), _offsets(0, 3),
      scale_grad_by_freq=True, mode="sum"),
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
    OpInfo("embedding_bag", F + "embedding_bag", EMBEDDING_BAG, namespace="nn.functional",
           note="offsets must be non-decreasing (PyTorch's CPU kernel fails on some decreasing ones and "
                "reads others)"),
    OpInfo("embedding_bag", F + "embedding_bag", EMBEDDING_BAG_BY_FREQUENCY, namespace="nn.functional",
           gradcheck=False),
    OpInfo("one_hot", F + "one_hot", ONE_HOT, namespace="nn.functional", dtypes=INTS,
           differentiable=False),
]
