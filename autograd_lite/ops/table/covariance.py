"""Table entries of mv, addr, cov and corrcoef (ops/covariance.py)."""
import numpy as np

from .. import covariance as ops
from ..opinfo import BF16, FLOATS, OpInfo, S, T

INT = dict(kind="index", low=-3, high=4)
FREQ = dict(kind="index", low=0, high=4)
NAN_INF = dict(values=[[np.nan, 1.0, np.inf, -2.0], [0.5, -np.inf, np.nan, 1.5], [1.0, 2.0, 3.0, 4.0]])
POSITIVE = dict(low=0.1, high=2.0)

ENTRIES = [
    OpInfo("mv", ops.mv, [
        S(T(3, 4), T(4)), S(T(1, 1), T(1)), S(T(4, 3, layout="transposed"), T(3)),
        S(T(3, 4), T(4, layout="strided")), S(T(0, 3), T(3)), S(T(3, 0), T(0)),
        S(T(2, 3, **INT), T(3, **INT))], dtypes=FLOATS + BF16),
    OpInfo("addr", ops.addr, [
        S(T(3, 4), T(3), T(4)), S(T(4), T(3), T(4)), S(T(), T(3), T(4)), S(T(3, 1), T(3), T(4)),
        S(T(3, 4), T(3), T(4), beta=0.5, alpha=-2.0), S(T(3, 4), T(3), T(4), alpha=0.25),
        S(T(3, 4, **NAN_INF), T(3), T(4), beta=0), S(T(3, 4), T(3), T(4), beta=-1, alpha=3),
        S(T(4, 3, layout="transposed"), T(4), T(3, layout="strided")), S(T(0, 4), T(0), T(4)),
        S(T(3, 0), T(3), T(0)), S(T(2, 3, **INT), T(2, **INT), T(3, **INT), beta=2, alpha=-1),
        # mixed dtypes promote; PyTorch's backward refuses them, so no gradient here
        S(T(2, 3, grad=False), T(2, **INT), T(3, grad=False)), S(T(2, 3, kind="bool"), T(2, kind="bool"), T(3, kind="bool")),
        S(T(2, 3, kind="bool"), T(2, kind="bool"), T(3, kind="bool"), beta=False)],
        inplace="addr_", dtypes=FLOATS + BF16),
    OpInfo("cov", ops.cov, [
        S(T(3, 5)), S(T(5)), S(T(3, 5), correction=0), S(T(3, 5), correction=2),
        S(T(2, 6), fweights=T(6, **FREQ, values=[1, 2, 0, 3, 1, 2])), S(T(2, 6), aweights=T(6, **POSITIVE)),
        S(T(2, 6), fweights=T(6, **FREQ, values=[1, 2, 0, 3, 1, 2]), aweights=T(6, **POSITIVE)),
        S(T(2, 6), correction=0, fweights=T(6, **FREQ, values=[2, 1, 1, 3, 1, 2]), aweights=T(6, **POSITIVE)),
        S(T(1, 4)), S(T(5, 3, layout="transposed")), S(T(3, 4, layout="strided")),
        S(T(3, 5, **INT)), S(T(2, 5, **INT), fweights=T(5, **FREQ, values=[1, 1, 2, 1, 3]))],
        dtypes=FLOATS + BF16),
    OpInfo("corrcoef", ops.corrcoef, [
        S(T(3, 5)), S(T(5)), S(T(1, 4)), S(T(5, 3, layout="transposed")), S(T(3, 4, layout="strided")),
        S(T(3, 5, **INT))], dtypes=FLOATS + BF16),
]
