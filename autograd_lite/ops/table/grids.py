"""Table entries of meshgrid, cartesian_prod, ravel and take (ops/grids.py)."""
from .. import grids as ops
from ..opinfo import BF16, FLOATS, INTS, OpInfo, S, T


def index(*shape, low, high):
    return T(*shape, kind="index", low=low, high=high)


ENTRIES = [
    OpInfo("meshgrid", ops.meshgrid, [
        S(T(2), T(3), indexing="ij"), S(T(2), T(3), indexing="xy"),
        S(T(2), T(3), T(4), indexing="xy"), S(T(2), T(3), T(4), indexing="ij"),
        S(T(), T(3), indexing="ij"), S([T(2), T(3)], indexing="xy"), S(T(2), T(0), indexing="ij"),
        S(T(3)), S(T(4), indexing="xy"), S(T(6, layout="strided"), T(2), indexing="ij")],
        methods=(), dtypes=FLOATS + BF16 + INTS),
    OpInfo("cartesian_prod", ops.cartesian_prod, [
        S(T(2), T(3)), S(T(2), T(3), T(2)), S(T(3)), S(T(0), T(2)),
        S(T(4, layout="strided"), T(2))], methods=(), dtypes=FLOATS + BF16 + INTS),
    OpInfo("ravel", ops.ravel, [
        S(T(2, 3)), S(T()), S(T(4, 3, layout="transposed")), S(T(2, 6, layout="strided")),
        S(T(0, 3)), S(T(2, 3, 4))], dtypes=FLOATS + BF16 + INTS),
    OpInfo("take", ops.take, [
        S(T(2, 3), index(2, 2, low=-6, high=6)), S(T(), index(3, low=-1, high=1)),
        S(T(4, 3, layout="transposed"), index(5, low=0, high=12)),
        S(T(2, 3), index(low=0, high=6)), S(T(0, 3), index(0, low=0, high=1)),
        S(T(2, 6, layout="strided"), index(3, 2, low=-6, high=6))], dtypes=FLOATS + BF16 + INTS),
]
