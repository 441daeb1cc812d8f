"""Table entries of repeat_interleave, tensor_split, select and diff (ops/slicing.py)."""
from .. import slicing as ops
from ..opinfo import BF16, FLOATS, INTS, OpInfo, S, T

INT = dict(kind="index", low=-3, high=4)
COUNTS = dict(kind="index", low=0, high=3)

ENTRIES = [
    OpInfo("repeat_interleave", ops.repeat_interleave, [
        S(T(2, 3), 2), S(T(2, 3), 2, 1), S(T(2, 3), 3, dim=-2), S(T(2, 3), T(2, **COUNTS), 0),
        S(T(2, 3), T(3, **COUNTS), dim=1), S(T(2, 3), T(1, **COUNTS), 1), S(T(2, 3), T(6, **COUNTS)),
        S(T(2, 3), T(**COUNTS), 0), S(T(2, 3), 0, 1), S(T(), 3),
        S(T(4, 3, layout="transposed"), 2, 0), S(T(2, 6, layout="strided"), T(6, **COUNTS), 1),
        S(T(0, 3), 2, 0), S(T(0, 3), 2), S(T(2, 3), 2, 1, output_size=6),
        S(T(2, 3, **INT), T(3, **COUNTS), 1), S(T(2, 3, kind="bool"), 2)],
        dtypes=FLOATS + BF16 + INTS),
    OpInfo("repeat_interleave", ops.repeat_interleave, [
        S(T(4, **COUNTS)), S(T(0, **COUNTS))], methods=(), dtypes=INTS,
        differentiable=False),
    OpInfo("tensor_split", ops.tensor_split, [
        S(T(7, 3), 3), S(T(6, 3), 2), S(T(3, 7), 3, 1), S(T(3, 4), 5, -1), S(T(3, 4), [1, 3], 1),
        S(T(5, 2), [-2, 1]), S(T(5, 2), (4, 2)), S(T(5, 2), [0, 5, 9]), S(T(5, 2), []),
        S(T(3, 4), T(2, kind="index", low=0, high=4, values=[1, 3]), 1),
        S(T(6, 2), T(kind="index", values=3)), S(T(4, 3, layout="transposed"), 2, 1),
        S(T(2, 6, layout="strided"), [1], 1), S(T(0, 3), 2), S(T(3, 0), [1], 1),
        S(T(5, 2, **INT), 2)], dtypes=FLOATS + BF16 + INTS),
    OpInfo("select", ops.select, [
        S(T(3, 4), 0, 1), S(T(3, 4), 1, -1), S(T(2, 3, 4), -2, 2), S(T(3), 0, 2),
        S(T(4, 3, layout="transposed"), 1, 0), S(T(2, 6, layout="strided"), 1, 5),
        S(T(0, 3), 1, 2), S(T(3, 4, **INT), 0, -3)], dtypes=FLOATS + BF16 + INTS),
    OpInfo("diff", ops.diff, [
        S(T(5)), S(T(3, 4)), S(T(3, 4), 2), S(T(3, 4), 1, 0), S(T(3, 4), 3, dim=-1),
        S(T(3, 4), 5), S(T(3, 4), 0), S(T(3, 4), 1, 1, T(3, 2), T(3, 1)),
        S(T(3, 4), 2, 0, prepend=T(1, 4)), S(T(3, 4), append=T(3, 2)),
        S(T(4, 3, layout="transposed"), 1, 0), S(T(2, 6, layout="strided"), 2),
        S(T(0, 3), 1, 0), S(T(0, 3), 1, 1), S(T(1, 3), 1, 0), S(T(2, 3, **INT), 2),
        S(T(2, 5, kind="bool"), 1), S(T(2, 5, kind="bool"), 2, prepend=T(2, 1, kind="bool"))],
        dtypes=FLOATS + BF16 + INTS),
]
