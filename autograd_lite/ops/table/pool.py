"""Table entries of nn.functional's pooling (ops/pool.py): max pooling with indices,
padding, dilation and ceil_mode; average pooling with count_include_pad,
divisor_override and ceil_mode; adaptive average pooling; 1-D and 2-D, unbatched."""
from ..opinfo import OpInfo, S, T

F = "nn.functional."


def _functional(name, samples, **kw):
    return OpInfo(name, F + name, samples, namespace="nn.functional", **kw)


MAX_POOL2D = [
    S(T(2, 3, 5, 5), 2),
    S(T(2, 2, 5, 5), 3, stride=2, padding=1),
    S(T(2, 2, 5, 5), (2, 3), (1, 2), (1, 0), (1, 2)),  # kernel, stride, padding, dilation
    S(T(2, 2, 5, 5), 2, ceil_mode=True),
    S(T(2, 2, 5, 5), kernel_size=3, stride=2, padding=1, ceil_mode=True, return_indices=True),
    S(T(2, 2, 5, 5), 2, stride=1, dilation=2, return_indices=True),
    S(T(3, 5, 5), 2, 1),  # unbatched
    S(T(2, 2, 5, 6), (3, 2), (2, 1), 1, 2, True, return_indices=True),
    S(T(2, 2, 5, 5, layout="transposed"), 2, stride=[1, 2]),
    S(T(0, 2, 4, 4), 2),
]

MAX_POOL1D = [
    S(T(2, 3, 6), 2),
    S(T(2, 2, 7), 3, stride=2, padding=1),
    S(T(2, 2, 7), 2, 2, 0, 2, True),  # kernel, stride, padding, dilation, ceil_mode
    S(T(2, 2, 7), 3, stride=2, padding=1, return_indices=True, ceil_mode=True),
    S(T(3, 6), 2, return_indices=True),  # unbatched
    S(T(3, 9), 3, stride=2, dilation=2, return_indices=True),
    S(T(2, 2, 6, layout="strided"), (3,), stride=(1,)),
]

AVG_POOL2D = [
    S(T(2, 3, 5, 5), 2),
    S(T(2, 2, 5, 5), 3, stride=2, padding=1),
    S(T(2, 2, 5, 5), 3, stride=2, padding=1, count_include_pad=False),
    S(T(2, 2, 5, 5), (2, 3), (2, 1), (1, 1), True),  # kernel, stride, padding, ceil_mode
    S(T(2, 2, 5, 5), 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    S(T(2, 2, 5, 5), 2, divisor_override=3),
    S(T(2, 2, 5, 5), (3, 2), None, (1, 1), False, True, 5),  # stride None: the kernel size
    S(T(3, 5, 5), 2, 1),  # unbatched
    S(T(3, 5, 4), (2, 3), (2, 3), ceil_mode=True),
    S(T(2, 2, 5, 5, layout="transposed"), 2),
    S(T(0, 2, 4, 4), 2),
]

AVG_POOL1D = [
    S(T(2, 3, 6), 2),
    S(T(2, 2, 7), 3, stride=2, padding=1),
    S(T(2, 2, 7), 3, 2, 1, True, False),  # kernel, stride, padding, ceil_mode, count_include_pad
    S(T(2, 2, 7), 2, ceil_mode=True),
    S(T(3, 6), 3, 1),  # unbatched
    S(T(2, 3, 7), 4, 3, padding=2),
    S(T(2, 2, 6, layout="strided"), (2,)),
]

ADAPTIVE_AVG_POOL2D = [
    S(T(2, 3, 5, 5), 3), S(T(2, 2, 5, 5), (2, 4)), S(T(2, 2, 5, 5), (None, 2)),
    S(T(2, 2, 5, 5), 1), S(T(2, 2, 3, 4), output_size=(5, 7)), S(T(3, 5, 5), 2),
    S(T(3, 4, 5), (None, 7)), S(T(1, 2, 4, 5), (4, 5)),
    S(T(2, 2, 5, 5, layout="transposed"), (3, 2)), S(T(0, 2, 4, 4), 2),
]

ADAPTIVE_AVG_POOL1D = [
    S(T(2, 3, 7), 3), S(T(2, 2, 5), 1), S(T(2, 2, 3), output_size=5), S(T(3, 6), 4),
    S(T(2, 2, 6, layout="strided"), 2),
]

ENTRIES = [
    _functional("max_pool2d", MAX_POOL2D),
    _functional("max_pool1d", MAX_POOL1D),
    _functional("avg_pool2d", AVG_POOL2D),
    _functional("avg_pool1d", AVG_POOL1D),
    _functional("adaptive_avg_pool2d", ADAPTIVE_AVG_POOL2D),
    _functional("adaptive_avg_pool1d", ADAPTIVE_AVG_POOL1D),
]
