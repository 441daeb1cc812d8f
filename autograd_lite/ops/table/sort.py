"""Table entries of sorting and selection (ops/sort.py). Integer samples tie on
purpose: where PyTorch's tie order is a property of its algorithm (stable sorts, topk,
kthvalue, std::sort of bool), the indices must match it exactly. Float ties, where
gradcheck can't differentiate, are in tests/ops/test_sort.py."""
import numpy as np

from .. import sort as ops
from ..opinfo import OpInfo, S, T

INT = dict(kind="index", low=0, high=4)
BOOL = dict(kind="bool")
DUPLICATE_ROWS = dict(kind="index", values=np.array([[1, 2, 0], [0, 5, 1], [1, 2, 0], [0, 1, 1]]))


def sorts():
    return [S(T(3, 4)), S(T(3, 4), 0), S(T(2, 3, 4), 1, True), S(T(3, 4), descending=True),
            S(T(3, 4), stable=True), S(T(3, 4), stable=True, dim=-1, descending=True), S(T()),
            S(T(0, 3), 1),
            S(T(4, 3, layout="transposed"), 0), S(T(2, 6, layout="strided")),
            S(T(3, 20, **INT), stable=True),
            S(T(3, 20, **INT), dim=1, descending=True, stable=True),
            S(T(2, 40, **BOOL)), S(T(2, 40, **BOOL), descending=True)]


def selections(name, largest=True):
    """topk/kthvalue arguments after the tensor: k, then dim and flags."""
    if name == "topk":
        return [S(T(3, 8), 3), S(T(3, 8), 3, 0), S(T(3, 8), 2, largest=False), S(T(3, 8), 8),
                S(T(3, 8), 0), S(T(2, 100), 1), S(T(2, 200), 3, sorted=False), S(T(), 1),
                S(T(4, 3, layout="transposed"), 2, 0), S(T(2, 6, layout="strided"), 2),
                S(T(3, 20, **INT), 5), S(T(3, 20, **INT), 5, largest=False, sorted=False),
                S(T(3, 20, **INT), 19, 1, False), S(T(2, 300, **INT), 4),
                S(T(0, 3), 2), S(T(3, 0), 0)]
    return [S(T(3, 8), 3), S(T(3, 8), 1, 0), S(T(3, 8), 8, keepdim=True),
            S(T(2, 3, 4), 2, 1, True), S(T(), 1), S(T(4, 3, layout="transposed"), 2, 0),
            S(T(3, 20, **INT), 7), S(T(3, 20, **INT), 1), S(T(2, 33, **INT), 17, -1, True)]


def uniques(consecutive=False):
    out = [S(T(3, 8, **INT)), S(T(3, 8, **INT), return_inverse=True, return_counts=True),
           S(T(4, 3, **DUPLICATE_ROWS), dim=0, return_inverse=True, return_counts=True),
           S(T(3, 4, **INT), dim=1, return_counts=True), S(T(0, 3)), S(T(2, 3, **BOOL)),
           S(T(6, **INT), return_inverse=True), S(T(3, 4)), S(T(**INT), return_counts=True)]
    if not consecutive:
        out.append(S(T(3, 8, **INT), sorted=False, return_counts=True))
    return out


ENTRIES = [
    OpInfo("sort", ops.sort, sorts()),
    OpInfo("argsort", ops.argsort, sorts(), differentiable=False),
    OpInfo("msort", ops.msort, [S(T(3, 4)), S(T(4)), S(T(0, 3)), S(T(4, 3, layout="transposed")),
                                S(T(12, 3, **INT))]),
    OpInfo("topk", ops.topk, selections("topk")),
    OpInfo("kthvalue", ops.kthvalue, selections("kthvalue")),
    OpInfo("unique", ops.unique, uniques(), differentiable=False),
    OpInfo("unique_consecutive", ops.unique_consecutive, uniques(True) + [
        S(T(12, kind="index", low=0, high=2), return_inverse=True, return_counts=True)],
        differentiable=False),
]
