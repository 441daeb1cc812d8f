"""The modified Bessel functions i0, i0e, i1, i1e, and erfcx, xlog1py: torch.special's
(i0 also at the top level, as torch.i0). Differentiable to any order. ONNX has no
operator for the first five (onnx/registry.py's NOT_MAPPED); xlog1py exports."""
from .. import bessel, special
from ..opinfo import FLOATS, OpInfo, S, T, binary, unary
from .elementwise import xlogy_onnx


# around 0 (I1's derivative takes its limit there), both signs, and the asymptotic range
WIDE = dict(values=[[0.0, -0.5, 1.5, -4.0], [19.0, -21.0, 35.0, 8.0]])
INT = dict(kind="index", low=-3, high=4)


def _bessel(name, namespace, **kw):
    samples = unary(low=-3.0, high=3.0) + [S(T(2, 4, **WIDE)), S(T(2, 3, **INT))]
    return OpInfo(name, getattr(bessel, name), samples, namespace=namespace, **kw)


# PyTorch 2.13 has no bfloat16 backward for i1 and i1e ("i1_backward" not implemented for
# 'BFloat16'); autograd_lite's computes it in float32 as for every other op


ENTRIES = [
    _bessel("i0", "autograd_lite", inplace="i0_"),
    _bessel("i1", "special", dtypes=FLOATS),
    # i0e, i1e: sign(x) in the derivative has no derivative at 0 (as PyTorch's), so their
    # samples keep 0 out of gradgradcheck
    OpInfo("i0e", bessel.i0e, unary(low=0.2, high=3.0) + [
        S(T(2, 4, values=[[-0.3, -0.5, 1.5, -4.0], [19.0, -21.0, 35.0, 8.0]])), S(T(2, 3, **INT))],
        namespace="special"),
    _bessel("i1e", "special", dtypes=FLOATS),
    OpInfo("erfcx", special.erfcx, unary(low=-2.0, high=3.0) + [
        S(T(2, 4, values=[[-5.0, 0.0, 1.9, 2.1], [3.9, 4.1, 12.0, 40.0]])), S(T(2, 3, **INT))],
        namespace="special", dtypes=FLOATS),
    OpInfo("xlog1py", special.xlog1py, binary(other_low=-0.7, other_high=3.0) + [
        S(T(2, 4, values=[[0.0, 1.5, -2.0, 0.0], [0.5, 0.0, -0.0, 3.0]]), T(2, 4, low=-0.5, high=3.0)),
        S(T(2, 4, values=[[0.0, 1.5, -2.0, 0.0], [0.5, 0.0, -0.0, 3.0]]), T(4, values=[0.5, -0.5, 2.0, 3.0])),
        S(1.5, T(2, 3, low=-0.5, high=2.0)), S(T(2, 3, kind="index", low=0, high=4), T(3, low=0.0, high=2.0))],
        namespace="special", onnx={"XLog1Py": xlogy_onnx}),
]
