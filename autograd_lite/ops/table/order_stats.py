"""Table entries of median, nanmedian, mode, quantile and nanquantile (ops/order_stats.py).
Integer samples tie on purpose: the indices (and gradients) PyTorch's CPU kernels pick
among equal values must match exactly; float ties are in tests/ops/test_order_stats.py."""
import numpy as np

from .. import order_stats as ops
from ..opinfo import BF16, FLOATS, OpInfo, S, T

INT = dict(kind="index", low=0, high=4)
NAN = dict(values=[[np.nan, 1.0, -0.5, 2.0], [0.5, np.nan, np.nan, -1.5], [1.0, -2.0, 0.5, 0.0]])
ALL_NAN = dict(values=[[np.nan, np.nan, np.nan], [1.0, np.nan, 0.5]])
Q = dict(low=0.0, high=1.0)


def medians():
    return [S(T(3, 4)), S(T(3, 5), 1), S(T(3, 4), 0), S(T(2, 3, 4), -1, True), S(T(3, 4), dim=0, keepdim=True),
            S(T()), S(T(), 0), S(T(), -1, True), S(T(5)), S(T(4, 3, layout="transposed"), 0),
            S(T(2, 6, layout="strided"), 1), S(T(0, 3)), S(T(0, 3), 1), S(T(3, 20, **INT), 1),
            S(T(2, 40, **INT), -1, True), S(T(30, 3, **INT), 0), S(T(4, 6, **INT))]


def nan_medians():
    return [S(T(3, 4, **NAN)), S(T(3, 4, **NAN), 1), S(T(3, 4, **NAN), 0, True),
            S(T(2, 3, **ALL_NAN), 1), S(T(2, 3, **ALL_NAN))]


def quantiles():
    return [S(T(3, 4), 0.3), S(T(3, 4), 0.5, 1), S(T(3, 4), T(3, **Q)), S(T(3, 5), T(2, **Q), 1, True),
            S(T(2, 3, 4), 0.25, -1, keepdim=True), S(T(2, 3, 4), T(**Q), 0), S(T(3, 4), 1.0),
            S(T(3, 4), 0.0, 1), S(T(), 0.7), S(T(), 0.4, 0), S(T(5), T(4, **Q), keepdim=True),
            S(T(4, 3, layout="transposed"), 0.6, 0), S(T(2, 6, layout="strided"), 0.35, 1),
            S(T(3, 4), T(0, **Q), 1), S(T(3, 5), 0.25, 1, interpolation="nearest"),
            S(T(3, 5), 0.375, interpolation="nearest"), S(T(3, 4), T(3, grad=False, **Q), 0)] + [
        S(T(3, 5), T(4, **Q), 1, interpolation=m) for m in ("lower", "higher", "midpoint", "nearest")]


def nan_quantiles():
    return [S(T(3, 4, **NAN), 0.4, 1), S(T(3, 4, **NAN), T(2, **Q)), S(T(2, 3, **ALL_NAN), 0.5, 1),
            S(T(3, 4, **NAN), 0.5)] + [
        S(T(3, 4, **NAN), 0.45, 1, interpolation=m) for m in ("lower", "higher", "midpoint", "nearest")]


# NaN results have NaN gradients, which gradcheck can't take: those samples are compared
# with PyTorch (values and gradients) in entries of their own, without gradcheck
NAN_CHECKS = dict(gradcheck=False, twice=False, methods=())


ENTRIES = [
    OpInfo("median", ops.median, medians(), dtypes=FLOATS + BF16),
    OpInfo("median", ops.median, nan_medians(), dtypes=FLOATS + BF16, **NAN_CHECKS),
    OpInfo("nanmedian", ops.nanmedian, medians(), dtypes=FLOATS + BF16),
    OpInfo("nanmedian", ops.nanmedian, nan_medians(), dtypes=FLOATS + BF16, **NAN_CHECKS),
    OpInfo("mode", ops.mode, [
        S(T(3, 4)), S(T(3, 4), 0), S(T(2, 3, 4), 1, True), S(T(3, 4), dim=-1, keepdim=True), S(T()),
        S(T(), 0, True), S(T(5)), S(T(4, 3, layout="transposed"), 0), S(T(2, 6, layout="strided")),
        S(T(0, 3)), S(T(3, 0), 0), S(T(3, 8, **INT)), S(T(3, 20, **INT), 1), S(T(2, 50, **INT), 1, True),
        S(T(40, 3, **INT), 0), S(T(3, 12, kind="index", low=0, high=2)),
        S(T(2, 30, kind="bool"))], dtypes=FLOATS + BF16),
    OpInfo("mode", ops.mode, [S(T(3, 4, **NAN)), S(T(3, 4, **NAN), 0)], dtypes=FLOATS + BF16,
           **NAN_CHECKS),
    OpInfo("quantile", ops.quantile, quantiles(), dtypes=FLOATS),
    OpInfo("quantile", ops.quantile, nan_quantiles(), dtypes=FLOATS, **NAN_CHECKS),
    OpInfo("nanquantile", ops.nanquantile, quantiles(), dtypes=FLOATS),
    OpInfo("nanquantile", ops.nanquantile, nan_quantiles(), dtypes=FLOATS, **NAN_CHECKS),
]
