"""Table entries of cummax, cummin and logcumsumexp (ops/scan.py). The integer runs
tie often: the index of a tied running extreme must be PyTorch's (the latest)."""
import numpy as np

from .. import scan as ops
from ..opinfo import FLOATS, INTS, OpInfo, S, T


def running(name):
    return OpInfo(name, getattr(ops, name), [
        S(T(3, 4), 1), S(T(3, 4), 0), S(T(2, 3, 4), -1), S(T(), 0), S(T(), -1),
        S(T(4, 3, layout="transposed"), 1), S(T(2, 6, layout="strided"), 1), S(T(0, 3), 1),
        S(T(3, 12, kind="index", low=0, high=3), 1), S(T(2, 5, kind="bool"), 1)],
        dtypes=FLOATS + INTS)


ENTRIES = [
    running("cummax"), running("cummin"),
    OpInfo("logcumsumexp", ops.logcumsumexp, [
        S(T(3, 4), 1), S(T(3, 4), 0), S(T(2, 3, 4), -1), S(T(), 0),
        S(T(4, 3, layout="transposed"), 1), S(T(2, 6, layout="strided"), 1), S(T(0, 3), 1),
        S(T(2, 5, low=500, high=800), 1), S(T(2, 5, low=-800, high=-500), 1),
        S(T(2, 4, values=[[0.5, -np.inf, -1.0, 2.0], [1.0, -np.inf, -np.inf, 0.3]]), 1)]),
]
