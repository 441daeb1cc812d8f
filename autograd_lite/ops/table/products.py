"""Table entries of kron, cross (and linalg.cross) and cdist (ops/products.py)."""
import numpy as np

from .. import products as ops
from ..opinfo import FLOATS, INTS, OpInfo, S, T

INT = dict(kind="index", low=-3, high=4)


def pairs(p=None, **kw):
    args = () if p is None else (p,)
    return [S(T(3, 4), T(5, 4), *args, **kw), S(T(2, 3, 4), T(5, 4), *args, **kw),
            S(T(2, 1, 3, 4), T(3, 5, 4), *args, **kw), S(T(4, 3, layout="transposed"), T(5, 3),
                                                           *args, **kw)]


ENTRIES = [
    OpInfo("kron", ops.kron, [
        S(T(2, 3), T(2, 2)), S(T(2, 3), T(4)), S(T(), T(3)), S(T(3), T()), S(T(2, 1, 3), T(2, 2)),
        S(T(0, 2), T(2, 2)),
        S(T(2, 6, layout="strided"), T(2, 1)), S(T(2, 3, **INT), T(2, **INT)),
        S(T(2, **INT), T(3))], dtypes=FLOATS + INTS),
    OpInfo("cross", ops.cross, [
        S(T(4, 3), T(4, 3), dim=1), S(T(3, 4), T(3, 4), 0), S(T(3, 3), T(3, 3)),
        S(T(2, 3), T(2, 3)), S(T(4, 3), T(1, 3), 1),
        S(T(2, 3, 4), T(1, 3, 1), 1), S(T(0, 3), T(0, 3), 1),
        S(T(3, 4, layout="transposed"), T(3, 4), dim=-2),
        S(T(2, 3, **INT), T(2, 3, **INT), 1)], dtypes=FLOATS + INTS),
    OpInfo("cross", ops.linalg_cross, [
        S(T(4, 3), T(4, 3)), S(T(3, 4), T(3, 4), dim=0), S(T(2, 1, 3), T(1, 4, 3)), S(T(3), T(3)),
        S(T(0, 3), T(1, 3)), S(T(3, 3, layout="strided"), T(3, 3), dim=0)],
        namespace="linalg", dtypes=FLOATS + INTS),
    OpInfo("cdist", ops.cdist, pairs() + pairs(1.0) + pairs(0) + pairs(np.inf) + pairs(3.0)
           + pairs(0.5) + pairs(2.0, compute_mode="use_mm_for_euclid_dist") + [
               S(T(30, 4), T(5, 4)), S(T(3, 4), T(28, 4)),
               S(T(30, 4), T(5, 4), compute_mode="donot_use_mm_for_euclid_dist"),
               S(T(0, 4), T(5, 4)), S(T(3, 0), T(5, 0)), S(T(3, 4), T(0, 4), p=1.0)],
           methods=()),
]
