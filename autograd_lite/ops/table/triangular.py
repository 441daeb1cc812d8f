"""Table entries of the triangles and diagonals (ops/triangular.py)."""
from .. import triangular as ops
from ..opinfo import FLOATS, INTS, Dtype, OpInfo, S, T

INT = dict(kind="index", low=-3, high=4)


def triangle(name):
    return OpInfo(name, getattr(ops, name), [
        S(T(3, 4)), S(T(4, 3), 1), S(T(3, 4), -1), S(T(2, 3, 4), diagonal=2), S(T(3, 3), 5),
        S(T(3, 3), -5), S(T(4, 3, layout="transposed")), S(T(2, 6, layout="strided"), -1),
        S(T(0, 3)), S(T(2, 0, 3), 1), S(T(3, 3, kind="bool"), -1)],
        inplace=name + "_", dtypes=FLOATS + INTS)


def triangle_indices(name):
    return OpInfo(name, getattr(ops, name), [
        S(3, 4), S(4, 3, 1), S(3, 3, -1), S(0, 3), S(3, 4, -5), S(3, 4, 10), S(1, 1),
        S(3, 3, dtype=Dtype("int32")), S(4, 5, offset=-2)],
        methods=(), dtypes=INTS, differentiable=False)


ENTRIES = [
    triangle("tril"), triangle("triu"),
    triangle_indices("tril_indices"), triangle_indices("triu_indices"),
    OpInfo("diag", ops.diag, [
        S(T(4)), S(T(4), 1), S(T(3), -2), S(T(3, 4)), S(T(3, 4), 1), S(T(3, 4), -2),
        S(T(3, 4), 5), S(T(0)), S(T(0, 3)), S(T(4, 3, layout="transposed"), 1),
        S(T(6, layout="strided")), S(T(2, 3, **INT), diagonal=-1)],
        dtypes=FLOATS + INTS),
    OpInfo("diagonal", ops.diagonal, [
        S(T(3, 4)), S(T(3, 4), 1), S(T(3, 4), -1), S(T(2, 3, 4), 0, 1, 2),
        S(T(2, 3, 4), 1, 2, 0), S(T(2, 3, 4), offset=-1, dim1=-1, dim2=0), S(T(3, 4), 7),
        S(T(4, 3, layout="transposed")), S(T(2, 3, 6, layout="strided"), 1, -1, 1),
        S(T(0, 3)), S(T(2, 3, **INT), -1)],
        dtypes=FLOATS + INTS),
    OpInfo("diag_embed", ops.diag_embed, [
        S(T(3)), S(T(2, 3)), S(T(2, 3), 1), S(T(2, 3), -1, 0, 2),
        S(T(2, 3), offset=2, dim1=-1, dim2=0), S(T(0, 3)), S(T(2, 0)),
        S(T(4, 3, layout="transposed"), -1), S(T(2, 3, **INT), 1)],
        dtypes=FLOATS + INTS),
    OpInfo("trace", ops.trace, [
        S(T(3, 3)), S(T(3, 4)), S(T(4, 2)), S(T(4, 3, layout="transposed")), S(T(0, 0)),
        S(T(2, 6, layout="strided")), S(T(2, 3, **INT))],
        dtypes=FLOATS + INTS),
]
