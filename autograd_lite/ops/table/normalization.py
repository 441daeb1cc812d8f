"""Table entries of nn.functional's batch_norm and layer_norm (ops/normalization.py),
group_norm and instance_norm (ops/group_norm.py) and local_response_norm (a
composition). batch_norm and instance_norm update the running statistics in place
when training: they are plain tensor arguments, so each library (and each call) gets
its own copies; their updates are pinned by tests/nn/test_layers.py and
tests/nn/test_group_instance_norm.py."""
from ..opinfo import OpInfo, S, T

F = "nn.functional."


def _functional(name, samples, **kw):
    return OpInfo(name, F + name, samples, namespace="nn.functional", **kw)


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

ENTRIES = [
    _functional("batch_norm", BATCH_NORM),
    _functional("layer_norm", LAYER_NORM,
                note="normalized_shape may also be an int here (as nn.LayerNorm's); PyTorch's "
                     "functional form takes only a list or tuple"),
]
ENTRIES += [
    _functional("group_norm", GROUP_NORM),
    _functional("instance_norm", INSTANCE_NORM),
    _functional("local_response_norm", LOCAL_RESPONSE_NORM),
]
