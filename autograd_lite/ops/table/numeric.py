"""Table entries of fmax, fmin, float_power, gcd, lcm, isposinf, isneginf, isreal,
unravel_index and histc (ops/numeric.py), and of trapezoid, trapz, cumulative_trapezoid
and vander (ops/integration.py)."""
import numpy as np

from .. import integration, numeric as ops
from ..opinfo import BF16, FLOATS, INTS, OpInfo, S, T, binary

ALL = FLOATS + BF16 + INTS
INT = dict(kind="index", low=-3, high=4)
NAN = dict(values=[[np.nan, 1.0, -0.5, np.nan], [0.5, np.nan, 2.0, -1.5], [1.0, 0.0, np.inf, -np.inf]])
NAN_OTHER = dict(values=[[0.5, np.nan, -0.5, np.nan], [0.5, 1.0, np.nan, -1.0], [2.0, 0.0, -np.inf, 1.0]])
SPECIAL = dict(values=[[np.inf, -np.inf, np.nan, 0.0], [1.5, -2.0, np.inf, -0.0]])
GCD = dict(kind="index", low=-12, high=13)
TIES = dict(values=[[1.0, 2.0, -1.0, 0.5], [0.0, 3.0, 3.0, -2.0], [1.0, 1.0, 2.0, 2.0]])


def nan_ignoring():
    """fmax/fmin: binary samples without scalars (both must be tensors) and mixed dtypes."""
    return binary(scalar=None) + [
        S(T(2, 6, layout="strided"), T(2, 6)), S(T(2, 3, **INT), T(2, 3, **INT)), S(T(2, 3, **INT), T(3))]


def nan_ignoring_kinks():
    """NaN on either side and ties: the gradient's split must be PyTorch's, but gradcheck
    can't differentiate there."""
    return [S(T(3, 4, **NAN), T(3, 4, **NAN_OTHER)), S(T(3, 4, **NAN), T(4)),
            S(T(3, 4, **TIES), T(3, 4, **TIES)), S(T(3, 4, **TIES), T(4, values=[1.0, 2.0, 2.0, 0.5]))]


KINKS = dict(gradcheck=False, twice=False, methods=())


def trapezoids(cumulative):
    out = [S(T(5)), S(T(3, 4)), S(T(3, 4), dim=0), S(T(3, 4), dx=0.5), S(T(3, 4), dx=2, dim=0),
           S(T(3, 4), T(4)), S(T(3, 4), T(3), dim=0), S(T(3, 4), T(3, 4)), S(T(2, 3, 4), T(3, 4)),
           S(T(2, 3, 4), T(1, 4), dim=-1), S(T(2, 3, 4), T(3, 1), dim=1),
           S(T(4, 3, layout="transposed"), T(3, layout="strided")), S(T(1, 3)), S(T(3, 1)),
           S(T(3, 0)), S(T(0, 3), dim=0), S(T(3, 0), T(0)), S(T(2, 5, **INT)), S(T(2, 5, **INT), dx=0.5),
           S(T(2, 5, **INT), T(5, **INT)), S(T(2, 5), T(5, **INT)), S(T(3, 4), dx=-1.5, dim=-2)]
    if not cumulative:
        out.append(S(T(3, 4), dx=T(grad=False, values=2.0)))
    return out


ENTRIES = [
    OpInfo("fmax", ops.fmax, nan_ignoring(), dtypes=ALL),
    OpInfo("fmax", ops.fmax, nan_ignoring_kinks(), dtypes=FLOATS + BF16, **KINKS),
    OpInfo("fmin", ops.fmin, nan_ignoring(), dtypes=ALL),
    OpInfo("fmin", ops.fmin, nan_ignoring_kinks(), dtypes=FLOATS + BF16, **KINKS),
    OpInfo("float_power", ops.float_power, [
        S(T(3, 4, low=0.5, high=2.0), T(3, 4)), S(T(3, 4, low=0.5, high=2.0), 2),
        S(T(3, 4, low=0.5, high=2.0), -1.5), S(T(3, 4, low=0.5, high=2.0), T(4)),
        S(T(3, 1, low=0.5, high=2.0), T(1, 4)), S(T(low=0.5, high=2.0), T(2, 3)),
        S(T(4, 3, layout="transposed", low=0.5, high=2.0), 3), S(T(0, 3, low=0.5, high=2.0), 2),
        S(T(2, 3, kind="index", low=1, high=4), 2), S(T(2, 3, kind="index", low=1, high=4), T(2, 3)),
        S(T(3, 4, low=0.5, high=2.0), T(3, 4, **INT)), S(T(3, 4), 2), S(T(3, 4), 0)],
        inplace="float_power_", inplace_fn=ops.float_power_, dtypes=ALL),
    OpInfo("float_power", ops.float_power, [S(2.0, T(3, 4)), S(0.5, T()), S(3, T(0, 2))], methods=(),
           dtypes=ALL),
    OpInfo("gcd", ops.gcd, [
        S(T(3, 4, **GCD), T(3, 4, **GCD)), S(T(3, 4, **GCD), T(4, **GCD)), S(T(3, 1, **GCD), T(1, 4, **GCD)),
        S(T(**GCD), T(2, 3, **GCD)), S(T(4, 3, layout="transposed", **GCD), T(4, 3, **GCD)),
        S(T(0, 3, **GCD), T(3, **GCD))], inplace="gcd_", dtypes=INTS),
    OpInfo("lcm", ops.lcm, [
        S(T(3, 4, **GCD), T(3, 4, **GCD)), S(T(3, 4, **GCD), T(4, **GCD)), S(T(3, 1, **GCD), T(1, 4, **GCD)),
        S(T(**GCD), T(2, 3, **GCD)), S(T(4, 3, layout="transposed", **GCD), T(4, 3, **GCD)),
        S(T(0, 3, **GCD), T(3, **GCD))], inplace="lcm_", dtypes=INTS),
    *[OpInfo(name, getattr(ops, name), [
        S(T(2, 4, **SPECIAL)), S(T(3, 4)), S(T()), S(T(0, 3)), S(T(4, 2, layout="transposed", **SPECIAL)),
        S(T(2, 3, **INT)), S(T(2, 3, kind="bool"))], dtypes=FLOATS + BF16, differentiable=False)
      for name in ("isposinf", "isneginf", "isreal")],
    OpInfo("unravel_index", ops.unravel_index, [
        S(T(5, kind="index", low=0, high=24), (2, 3, 4)), S(T(2, 3, kind="index", low=0, high=6), (2, 3)),
        S(T(kind="index", values=4), (2, 3)), S(T(4, kind="index", low=0, high=5), 5),
        S(T(4, kind="index", low=-12, high=20), [3, 4]), S(T(0, kind="index"), (2, 3)),
        S(T(3, kind="index", low=0, high=1), ()), S(T(6, kind="index", low=0, high=12, layout="strided"), (3, 4)),
        S(T(3, kind="index", low=0, high=6), (1, 6, 1))], methods=(), dtypes=INTS, differentiable=False),
    OpInfo("histc", ops.histc, [
        S(T(20)), S(T(3, 10), 5), S(T(3, 10), 7, -1, 1), S(T(3, 10), bins=4, min=-3.0, max=0.5),
        S(T(4, values=[1.0, 1.0, 1.0, 1.0])), S(T(4, values=[0.0, 1.0, 2.0, 3.0]), 3, 0, 3),
        S(T(3, 4, **NAN), 4, -2, 2), S(T(2, 4, **SPECIAL), 3, -3, 3), S(T(), 3), S(T(0), 4), S(T(0), 4, 1, 2),
        S(T(10, 4, layout="transposed"), 6), S(T(3, 8, layout="strided"), 10, -1.5, 1.5),
        S(T(50, low=-10, high=10), 13, -7.3, 8.1)], methods=("histc",), dtypes=FLOATS + BF16,
        differentiable=False),
    OpInfo("frexp", ops.frexp, [
        S(T(3, 4, low=-100, high=100)), S(T()), S(T(4, 3, layout="transposed", low=-1e-3, high=1e-3)),
        S(T(2, 4, grad=False, **SPECIAL)), S(T(0, 3)), S(T(2, 6, layout="strided", low=-5, high=5)),
        S(T(4, grad=False, values=[1.0, 0.5, -2.0, 4.0]))]),  # powers of two: a jump in the mantissa
    OpInfo("trapezoid", integration.trapezoid, trapezoids(False), aliases=("trapz",), methods=(),
           dtypes=FLOATS + BF16),
    OpInfo("cumulative_trapezoid", integration.cumulative_trapezoid, trapezoids(True), methods=(),
           dtypes=FLOATS + BF16),
    OpInfo("vander", integration.vander, [
        S(T(4)), S(T(4), 3), S(T(4), N=6), S(T(4), increasing=True), S(T(3), 5, True), S(T(3), 0), S(T(3), 1),
        S(T(1)), S(T(0)), S(T(0), 3), S(T(8, layout="strided")), S(T(4, values=[0.0, 1.5, 0.0, -2.0]), 4),
        S(T(4, kind="index", low=-3, high=4)), S(T(3, kind="bool"), 3)], methods=(), dtypes=FLOATS + BF16,
        differentiable=False),  # ours is; PyTorch's backward raises (tests/ops/test_numeric.py)
]
