"""Table entries of kron, cross (and linalg.cross), cdist, addmm, addmv, baddbmm, addbmm
and tensordot (ops/products.py)."""
import numpy as np

from .. import products as ops
from ..opinfo import BF16, FLOATS, INTS, OpInfo, S, T

INT = dict(kind="index", low=-3, high=4)


# ---- ONNX converter (autograd_lite.onnx): converter(builder, node, inputs) -> output ------------------
def _cdist_onnx(b, node, inputs):
    """The p-norms of |x1 (.., P, 1, M) - x2 (.., 1, R, M)| over M, as the op computes them."""
    p, dtype = node.p, b.out_dtype()
    diff = b.op("Abs", [b.op("Sub", [b.unsqueeze(inputs[0], [-2]), b.unsqueeze(inputs[1], [-3])])])
    if p == 0:
        nonzero = b.cast(b.op("Not", [b.op("Equal", [diff, b.scalar(0, dtype)])]), dtype)
        return b.reduce("ReduceSum", nonzero, [-1], False)
    if p == 1:
        return b.reduce("ReduceSum", diff, [-1], False)
    if p == 2:
        return b.op("Sqrt", [b.reduce("ReduceSum", b.op("Mul", [diff, diff]), [-1], False)])
    if p == np.inf:
        return b.reduce("ReduceMax", diff, [-1], False)
    powered = b.op("Pow", [diff, b.scalar(p, dtype)])
    return b.op("Pow", [b.reduce("ReduceSum", powered, [-1], False), b.scalar(1 / p, dtype)])


NAN_INF = dict(values=[[np.nan, 1.0, np.inf, -2.0], [0.5, -np.inf, np.nan, 1.5]])


def add_product(inp, a, b):
    """Samples of addmm-like ops: `inp`, the full input shape, `a` and `b` the factors."""
    bcast = inp[1:] if len(inp) > 1 else ()
    return [S(T(*inp), T(*a), T(*b)), S(T(*bcast), T(*a), T(*b)), S(T(), T(*a), T(*b)),
            S(T(*inp), T(*a), T(*b), beta=0.5, alpha=-2.0), S(T(*inp), T(*a), T(*b), alpha=0.25),
            S(T(*inp), T(*a), T(*b), beta=0), S(T(*inp), T(*a), T(*b), beta=-1, alpha=3)]


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
        S(T(2, **INT), T(3))], dtypes=FLOATS + BF16 + INTS),
    OpInfo("cross", ops.cross, [
        S(T(4, 3), T(4, 3), dim=1), S(T(3, 4), T(3, 4), 0), S(T(3, 3), T(3, 3)),
        S(T(2, 3), T(2, 3)), S(T(4, 3), T(1, 3), 1),
        S(T(2, 3, 4), T(1, 3, 1), 1), S(T(0, 3), T(0, 3), 1),
        S(T(3, 4, layout="transposed"), T(3, 4), dim=-2),
        S(T(2, 3, **INT), T(2, 3, **INT), 1)], dtypes=FLOATS + BF16 + INTS),
    OpInfo("cross", ops.linalg_cross, [
        S(T(4, 3), T(4, 3)), S(T(3, 4), T(3, 4), dim=0), S(T(2, 1, 3), T(1, 4, 3)), S(T(3), T(3)),
        S(T(0, 3), T(1, 3)), S(T(3, 3, layout="strided"), T(3, 3), dim=0)],
        namespace="linalg", dtypes=FLOATS + BF16 + INTS),
    OpInfo("cdist", ops.cdist, pairs() + pairs(1.0) + pairs(0) + pairs(np.inf) + pairs(3.0)
           + pairs(0.5) + pairs(2.0, compute_mode="use_mm_for_euclid_dist") + [
               S(T(30, 4), T(5, 4)), S(T(3, 4), T(28, 4)),
               S(T(30, 4), T(5, 4), compute_mode="donot_use_mm_for_euclid_dist"),
               S(T(0, 4), T(5, 4)), S(T(3, 0), T(5, 0)), S(T(3, 4), T(0, 4), p=1.0)],
           methods=(), dtypes=FLOATS, onnx={"Cdist": _cdist_onnx},
           note="bfloat16 is refused, as PyTorch's CPU cdist (tests/test_bfloat16.py)"),
    OpInfo("addmm", ops.addmm, add_product((2, 4), (2, 3), (3, 4)) + [
        S(T(2, 1), T(2, 3), T(3, 4)), S(T(2, 4, **NAN_INF), T(2, 3), T(3, 4), beta=0),
        S(T(2, 4), T(2, 3, layout="transposed"), T(3, 4, layout="strided")),
        S(T(0, 4), T(0, 3), T(3, 4)), S(T(2, 4), T(2, 0), T(0, 4)), S(T(4), T(2, 0), T(0, 4), beta=2)],
        inplace="addmm_"),
    OpInfo("addmv", ops.addmv, add_product((2,), (2, 3), (3,)) + [
        S(T(1), T(2, 3), T(3)), S(T(4, values=[np.nan, 1.0, np.inf, -2.0]), T(4, 3), T(3), beta=0),
        S(T(2), T(2, 3, layout="transposed"), T(3, layout="strided")),
        S(T(0), T(0, 3), T(3)), S(T(2), T(2, 0), T(0), alpha=2)], inplace="addmv_"),
    OpInfo("baddbmm", ops.baddbmm, add_product((2, 3, 4), (2, 3, 2), (2, 2, 4)) + [
        S(T(1, 3, 1), T(2, 3, 2), T(2, 2, 4)), S(T(2, 2, 4, **NAN_INF), T(2, 2, 3), T(2, 3, 4), beta=0),
        S(T(2, 3, 4), T(2, 3, 2, layout="transposed"), T(2, 2, 4, layout="strided")),
        S(T(0, 3, 4), T(0, 3, 2), T(0, 2, 4)), S(T(2, 3, 4), T(2, 3, 0), T(2, 0, 4))],
        inplace="baddbmm_"),
    OpInfo("addbmm", ops.addbmm, add_product((3, 4), (2, 3, 2), (2, 2, 4)) + [
        S(T(2, 4, **NAN_INF), T(2, 2, 3), T(2, 3, 4), beta=0),
        S(T(3, 4), T(2, 3, 2, layout="transposed"), T(2, 2, 4, layout="strided")),
        S(T(3, 4), T(0, 3, 2), T(0, 2, 4)), S(T(3, 4), T(2, 3, 0), T(2, 0, 4))],
        inplace="addbmm_"),
    OpInfo("tensordot", ops.tensordot, [
        S(T(2, 3, 4), T(3, 4, 2)), S(T(2, 3, 4), T(4, 2), 1), S(T(2, 3), T(4, 2), 0),
        S(T(2, 3, 4), T(4, 3, 2), dims=([1, 2], [1, 0])), S(T(2, 3, 4), T(3, 5), ([1], [0])),
        S(T(3, 4), T(4, 3), dims=[[0, 1], [1, 0]]), S(T(2, 3, 4), T(2, 3, 4), 3),
        S(T(2, 3), T(3), ((1,), (0,))), S(T(), T(2, 3), 0),
        S(T(4, 3, layout="transposed"), T(4, 2, layout="strided"), ([0], [0])),
        S(T(0, 3), T(3, 2), 1), S(T(2, 0), T(0, 3), 1)], methods=()),
]
