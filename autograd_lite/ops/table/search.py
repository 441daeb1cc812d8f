"""Table entries of isin, argwhere, bincount, searchsorted and bucketize (ops/search.py):
not differentiable, integer or bool results."""
from .. import search as ops
from ..opinfo import BF16, FLOATS, INTS, OpInfo, S, T

ALL = FLOATS + BF16 + INTS
SMALL = dict(low=-3, high=4)
COUNTS = dict(kind="index", low=0, high=6)
SORTED = T(6, values=[-2.0, -1.0, 0.0, 0.0, 1.0, 3.0])
ROWS = T(2, 5, values=[[-2.0, -1.0, 0.0, 1.0, 2.0], [-1.0, -1.0, 0.0, 2.0, 3.0]])
VALUES = T(3, 4, values=[[-3.0, -2.0, -1.0, 0.0], [0.0, 0.5, 1.0, 2.0], [3.0, 4.0, -1.0, 1.0]])
ROW_VALUES = T(2, 3, values=[[-2.0, 0.0, 5.0], [-1.0, 1.0, 3.0]])
UNSORTED = T(5, values=[3.0, -1.0, 0.0, 2.0, -2.0])
SORTER = T(5, kind="index", values=[4, 1, 2, 3, 0])


def _search_samples(**kw):
    return [S(SORTED, VALUES, **kw), S(SORTED, T(**SMALL), **kw), S(ROWS, ROW_VALUES, **kw),
            S(SORTED, T(0, 3), **kw), S(T(0), VALUES, **kw),
            S(SORTED, T(3, 4, layout="transposed", **SMALL), **kw)]


ENTRIES = [
    OpInfo("isin", ops.isin, [
        S(T(3, 4, **SMALL), T(5, **SMALL)), S(T(3, 4, **SMALL), T(2, 2, **SMALL)),
        S(T(3, 4, **SMALL), T(2, 2, **SMALL), invert=True), S(T(**SMALL), T(4, **SMALL)),
        S(T(3, 4, **SMALL), 1), S(2, T(4, **SMALL)), S(T(0, 3, **SMALL), T(3, **SMALL)),
        S(T(3, 4, **SMALL), T(0)), S(T(4, 3, layout="transposed", **SMALL), T(3, **SMALL),
                                     assume_unique=False),
        S(T(2, 6, layout="strided", **SMALL), T(3, kind="index", low=-3, high=4))],
        methods=(), dtypes=ALL, differentiable=False),
    OpInfo("argwhere", ops.argwhere, [
        S(T(3, 4, **SMALL)), S(T(2, 3, 2, **SMALL)), S(T(5, **SMALL)), S(T(values=0.0)),
        S(T(values=1.5)), S(T(0, 3)), S(T(4, 3, layout="transposed", **SMALL)),
        S(T(2, 6, layout="strided", **SMALL)), S(T(2, 3, kind="bool"))],
        dtypes=ALL, differentiable=False),
    OpInfo("bincount", ops.bincount, [
        S(T(8, **COUNTS)), S(T(8, **COUNTS), minlength=10), S(T(8, **COUNTS), minlength=2),
        S(T(8, **COUNTS), T(8, grad=False)), S(T(8, **COUNTS), weights=T(8, grad=False), minlength=9),
        S(T(8, **COUNTS), T(8, kind="index", low=-2, high=3)), S(T(0, **COUNTS)),
        S(T(0, **COUNTS), minlength=3), S(T(0, **COUNTS), T(0, grad=False)),
        S(T(8, layout="strided", **COUNTS), T(8, layout="strided", grad=False))],
        dtypes=ALL, differentiable=False),
    OpInfo("searchsorted", ops.searchsorted, _search_samples() + _search_samples(right=True) + [
        S(SORTED, VALUES, side="right"), S(SORTED, VALUES, side="left", out_int32=True),
        S(SORTED, VALUES, right=True, side="right"), S(SORTED, 0.0), S(SORTED, 0.5, right=True),
        S(UNSORTED, VALUES, sorter=SORTER), S(UNSORTED, VALUES, side="right", sorter=SORTER),
        S(T(6, kind="index", values=[-2, -1, 0, 0, 1, 3]), VALUES),
        S(T(2, 6, layout="strided", values=[[-2.0, -1.0, 0.0, 0.0, 1.0, 3.0]] * 2), ROW_VALUES)],
        methods=(), dtypes=ALL, differentiable=False),
    OpInfo("bucketize", ops.bucketize, [
        S(VALUES, SORTED), S(VALUES, SORTED, right=True), S(VALUES, SORTED, out_int32=True),
        S(T(**SMALL), SORTED), S(0.5, SORTED), S(1.0, SORTED, right=True), S(T(0, 3), SORTED),
        S(VALUES, T(0)), S(T(3, 4, layout="transposed", **SMALL), SORTED),
        S(T(2, 6, layout="strided", **SMALL), SORTED, right=True)],
        methods=(), dtypes=ALL, differentiable=False),
]
