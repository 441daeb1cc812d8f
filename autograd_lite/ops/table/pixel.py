"""Table entries of nn.functional's channel rearrangements (nn/functional/shuffle.py):
pixel_shuffle, pixel_unshuffle, channel_shuffle. (PyTorch's pixel_unshuffle returns an
input with no elements unchanged, e.g. (0, 1, 2, 2) for r=2, so no empty sample here; ours
gives the documented shape (0, 4, 1, 1): see tests/nn/test_distance_shuffle.py.)"""
from ..opinfo import BF16, FLOATS, INTS, OpInfo, S, T

F = "nn.functional."


def _functional(name, samples, **kw):
    return OpInfo(name, F + name, samples, namespace="nn.functional", dtypes=FLOATS + BF16 + INTS, **kw)


ENTRIES = [
    _functional("pixel_shuffle", [S(T(2, 8, 3, 3), 2), S(T(8, 3, 2), 2), S(T(2, 2, 9, 2, 3), 3),
                                  S(T(2, 4, 3, 3), 1), S(T(2, 8, 3, 3, layout="transposed"), 2),
                                  S(T(0, 4, 2, 2), 2)]),
    _functional("pixel_unshuffle", [S(T(2, 2, 4, 6), 2), S(T(3, 6, 3), 3), S(T(2, 2, 2, 4, 2), 2),
                                    S(T(2, 3, 4, 4, layout="transposed"), 2)]),
    _functional("channel_shuffle", [S(T(2, 6, 3, 3), 3), S(T(2, 6, 5), 2), S(T(2, 6, 3, 2, 2), 2),
                                    S(T(2, 4, 3), 1), S(T(3, 4, 3, layout="transposed"), 2),
                                    S(T(0, 6, 2), 3)]),
]
