"""Table entries of nn.functional's unfold and fold (ops/fold.py): overlapping and
strided blocks, padding, dilation, unbatched input, an empty batch."""
from ..opinfo import OpInfo, S, T

F = "nn.functional."


def _functional(name, samples, **kw):
    return OpInfo(name, F + name, samples, namespace="nn.functional", **kw)


UNFOLD = [
    S(T(2, 3, 5, 6), 2), S(T(3, 4, 4), 3), S(T(2, 3, 5, 6), (2, 3), 2, 1, (2, 1)),
    S(T(1, 2, 6, 5), kernel_size=3, stride=2, padding=1), S(T(2, 2, 4, 4), 1, dilation=1, stride=2),
    S(T(2, 3, 5, 6, layout="transposed"), (3, 2), padding=(1, 0)), S(T(0, 3, 4, 4), 2),
]

FOLD = [
    S(T(2, 12, 20), (5, 6), 2), S(T(12, 20), (5, 6), 2), S(T(2, 12, 4), (5, 5), (2, 2), stride=2),
    S(T(1, 8, 4), 3, 2, 2, 1, 2), S(T(2, 18, 12), (5, 6), (2, 3), 2, 1, (2, 1)),
    S(T(2, 27, 4, layout="transposed"), (4, 4), 3, padding=1, stride=2), S(T(0, 12, 20), (5, 6), 2),
]

ENTRIES = [
    _functional("unfold", UNFOLD),
    _functional("fold", FOLD),
]
