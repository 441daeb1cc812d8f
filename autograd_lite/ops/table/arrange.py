"""Table entries of rot90, atleast_1d/2d/3d, dstack, column_stack, row_stack, hsplit,
vsplit, dsplit, block_diag and combinations (ops/arrange.py)."""
from .. import arrange as ops
from ..opinfo import BF16, FLOATS, INTS, OpInfo, S, T

ALL = FLOATS + BF16 + INTS
INT = dict(kind="index", low=-3, high=4)


def _atleast():
    return [S(T()), S(T(3)), S(T(2, 3)), S(T(2, 3, 4)), S(T(2, 1, 3, 2)), S(T(0)), S(T(0, 3)),
            S(T(4, 3, layout="transposed")), S(T(2, 6, layout="strided")), S(T(), T(3), T(2, 3)),
            S([T(), T(2, 3, 4)]), S((T(3),)), S(T(3, **INT))]


def _splits(ndim):
    """(shape, sections or indices) samples for h/v/dsplit of at least `ndim` dims."""
    base = {1: (6,), 2: (4, 6), 3: (2, 3, 6)}[ndim]
    size = base[{1: 0, 2: 0, 3: 2}[ndim]]
    out = [S(T(*base), 2), S(T(*base), [1, 3]), S(T(*base), (size,)), S(T(*base), [size + 2]),
           S(T(*base), 1), S(T(*base), []), S(T(*base, **INT), 2)]
    if ndim == 1:  # hsplit: also 2-d and 3-d inputs (along dim 1)
        out += [S(T(3, 4), 2), S(T(3, 4), [1]), S(T(2, 4, 3), (1, 2)), S(T(0, 4), 2),
                S(T(4, 6, layout="transposed"), 3), S(T(3, 4, layout="strided"), [1, 2])]
    if ndim == 2:
        out += [S(T(6, 3, layout="transposed"), 3), S(T(4, 5, layout="strided"), [1]), S(T(0, 3), 2),
                S(T(4, 2, 3), [2])]
    if ndim == 3:
        out += [S(T(2, 3, 6, layout="strided"), 3), S(T(2, 4, 3, layout="transposed"), [1]),
                S(T(0, 2, 4), 2), S(T(2, 3, 4, 2), [2])]
    return out


ENTRIES = [
    OpInfo("rot90", ops.rot90, [
        S(T(3, 4)), S(T(3, 4), 2), S(T(3, 4), 3), S(T(3, 4), 0), S(T(3, 4), -1), S(T(3, 4), 5),
        S(T(3, 4), -6), S(T(2, 3, 4), 1, [1, 2]), S(T(2, 3, 4), 1, (2, 0)), S(T(2, 3, 4), 3, [-1, -2]),
        S(T(2, 3, 4), k=2, dims=[0, 2]), S(T(4, 3, layout="transposed"), 1),
        S(T(2, 6, layout="strided"), 3), S(T(0, 3), 1), S(T(3, 0, 2), 3, [0, 2]), S(T(3, 4, **INT), 1)],
        dtypes=ALL),
    OpInfo("atleast_1d", ops.atleast_1d, _atleast(), methods=(), dtypes=ALL),
    OpInfo("atleast_2d", ops.atleast_2d, _atleast(), methods=(), dtypes=ALL),
    OpInfo("atleast_3d", ops.atleast_3d, _atleast(), methods=(), dtypes=ALL),
    OpInfo("dstack", ops.dstack, [
        S([T(3), T(3)]), S([T(2, 3), T(2, 3)]), S([T(2, 3, 1), T(2, 3, 2)]), S([T(), T()]),
        S((T(2, 3), T(2, 3, 4))), S([T(2, 3, layout="transposed"), T(2, 3, layout="strided")]),
        S([T(0, 3), T(0, 3)]), S([T(3)]), S([T(2, 3, **INT), T(2, 3)])], methods=(), dtypes=ALL),
    OpInfo("column_stack", ops.column_stack, [
        S([T(3), T(3)]), S([T(3), T(3, 2), T(3, 1)]), S([T(), T(1, 2)]), S((T(2, 3), T(2, 3))),
        S([T(3, 2, layout="transposed"), T(3, 2, layout="strided")]), S([T(0), T(0, 2)]),
        S([T(4)]), S([T(3, **INT), T(3, 2)]), S([T(2, 2, 2), T(2, 1, 2)])], methods=(), dtypes=ALL),
    OpInfo("row_stack", ops.row_stack, [
        S([T(3), T(3)]), S([T(3), T(2, 3)]), S([T(), T()]), S([T(2, 3, layout="transposed"), T(1, 3)]),
        S([T(0, 3), T(3)]), S([T(2, 2, 2), T(1, 2, 2)]), S([T(3, **INT), T(3)])], methods=(), dtypes=ALL),
    OpInfo("hsplit", ops.hsplit, _splits(1), method_fn=ops.hsplit_method, dtypes=ALL),
    OpInfo("vsplit", ops.vsplit, _splits(2), method_fn=ops.vsplit_method, dtypes=ALL),
    OpInfo("dsplit", ops.dsplit, _splits(3), method_fn=ops.dsplit_method, dtypes=ALL),
    OpInfo("block_diag", ops.block_diag, [
        S(T(2, 3), T(1, 2)), S(T(2, 2), T(), T(3)), S(T(3)), S(T()), S(), S(T(0)), S(T(2, 0), T(0, 3)),
        S(T(2, 3, layout="transposed"), T(2, 2, layout="strided")), S(T(2, 2, **INT), T(3)),
        S(T(2, 2, **INT), T(2, **INT)), S(T(1, 2), T(2, 1), T(2, 2))], methods=(), dtypes=ALL),
    OpInfo("combinations", ops.combinations, [
        S(T(4)), S(T(4), 3), S(T(4), 1), S(T(4), 0), S(T(3), 2, True), S(T(3), r=3, with_replacement=True),
        S(T(2), 3), S(T(0)), S(T(0), 2, True), S(T(8, layout="strided"), 2), S(T(1), 2, True),
        S(T(5, **INT), 2)], methods=(), dtypes=ALL),
]
