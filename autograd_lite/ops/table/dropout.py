"""Table entries of nn.functional.dropout and its variants (ops/dropout.py). Masks are random (and
autograd_lite's stream differs from PyTorch's), so one entry compares shapes and
dtypes only (the harness reseeds before each call, so gradcheck sees one mask); a
second entry holds the deterministic calls (p=0, p=1, training=False) and compares
values. The in-place forms take inputs that don't require grad (a leaf that does is
refused, as in PyTorch)."""
from ..opinfo import OpInfo, S, T

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
    OpInfo("dropout", F + "dropout", RANDOM, namespace="nn.functional", random=True),
    OpInfo("dropout", F + "dropout", DETERMINISTIC, namespace="nn.functional"),
]


def _entries(name, random, deterministic):
    return [OpInfo(name, F + name, random, namespace="nn.functional", random=True),
            OpInfo(name, F + name, deterministic, namespace="nn.functional")]


def _fixed(*shape):
    return T(*shape, grad=False)


# channel dropout: each function's batched and unbatched shapes; dropout2d's 3-D input is
# (N, C, L), and dropout3d's other dims are unbatched, as PyTorch (both warn)
FEATURE = {
    "dropout1d": ([(2, 3, 4), (3, 4)], [(0, 3, 2)]),
    "dropout2d": ([(2, 3, 4, 2), (2, 3, 4), (2, 3)], [(0, 3, 2, 2)]),
    "dropout3d": ([(2, 3, 2, 2, 2), (3, 2, 2, 2), (3, 4)], [(0, 3, 1, 1, 1)]),
}
for _name, (_shapes, _empty) in FEATURE.items():
    ENTRIES += _entries(
        _name,
        [S(T(*s), 0.4) for s in _shapes] + [S(T(*_shapes[0]), p=0.7, training=True),
                                             S(_fixed(*_shapes[0]), 0.5, True, True),
                                             S(_fixed(*_shapes[1]), 0.5, inplace=True)],
        [S(T(*_shapes[0]), 0.0), S(T(*_shapes[0]), 1.0), S(T(*_shapes[1]), 1.0),
         S(T(*_shapes[0]), 0.5, False), S(T(*_empty[0]), 0.5), S(_fixed(*_shapes[0]), 1.0, inplace=True)])

ENTRIES += _entries("alpha_dropout",
                    [S(T(3, 4), 0.3, True), S(T(2, 3, 2), p=0.6, training=True), S(T(), 0.5, True),
                     S(T(4, 3, layout="transposed"), 0.5, True), S(_fixed(3, 4), 0.5, True, True)],
                    [S(T(3, 4)), S(T(3, 4), 0.5), S(T(3, 4), 0.0, True), S(T(3, 4), 1.0, True),
                     S(T(0, 3), 0.5, True), S(_fixed(2, 3), 1.0, True, True)])
ENTRIES += _entries("feature_alpha_dropout",
                    [S(T(2, 3, 4), 0.3, True), S(T(2, 3), p=0.6, training=True),
                     S(T(2, 3, 2, 2), 0.5, True), S(_fixed(2, 3, 4), 0.5, True, True)],
                    [S(T(2, 3, 4)), S(T(2, 3), 0.0, True), S(T(2, 3, 4), 1.0, True),
                     S(T(0, 3, 2), 0.5, True)])
