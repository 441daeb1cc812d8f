"""Table entries of torch.linalg's LU family and `_ex` forms (ops/linalg_lu.py) and of
matrix_exp, lstsq, multi_dot, householder_product, tensorsolve, tensorinv and vander
(ops/linalg_funcs.py). Matrices come from linalg_decomp's `conditioned` (singular
values in [1, 3]) so gradcheck's finite differences are meaningful."""
import functools

import numpy as np

from .. import linalg_funcs, linalg_ldl, linalg_lu
from ..opinfo import FLOATS, OpInfo, S, T
from .linalg_decomp import SOLVE, SPD, SQUARE, conditioned, conditioned_array, symmetric


def linalg(name, fn, samples, dtypes=FLOATS, **kw):
    return OpInfo(name, fn, samples, namespace="linalg", dtypes=dtypes, **kw)


def _factored(*shape, seed=0):
    """(LU, pivots) of a conditioned square matrix, as LAPACK's getrf gives them
    (factored when a test first reads them)."""
    factor = functools.cache(lambda: linalg_lu.getrf(conditioned_array(shape, seed))[:2])
    return (T(*shape, values=lambda: factor()[0]),
            T(*shape[:-1], kind="index", values=lambda: factor()[1]))


def int32_pivots(fn, LU, pivots, *args, **kwargs):
    """lu_solve takes int32 pivots (the table's index tensors are int64)."""
    return fn(LU, pivots.int(), *args, **kwargs)


def _reshaped(shape, seed=0):
    """A conditioned square matrix seen with `shape` (tensorsolve, tensorinv)."""
    size = int(np.sqrt(np.prod(shape)))
    return T(*shape, values=lambda: conditioned_array((size, size), seed).reshape(shape))


LU_SAMPLES = [S(conditioned(3, 3)), S(conditioned(2, 4, 4, seed=1)), S(T(4, 3)), S(T(3, 5)),
              S(T(2, 5, 3)), S(T(2, 2, 4)), S(T(4, 3, layout="transposed")), S(T(0, 0)),
              S(T(0, 3, 3))]
LU_SOLVE = [
    S(*_factored(3, 3), T(3, 2)), S(*_factored(2, 3, 3, seed=1), T(2, 3, 4)),
    S(*_factored(3, 3, seed=2), T(2, 3, 2)), S(*_factored(2, 3, 3, seed=3), T(3, 1)),
    S(*_factored(3, 3), T(3, 2), adjoint=True), S(*_factored(3, 3), T(2, 3), left=False),
    S(*_factored(2, 3, 3, seed=1), T(2, 4, 3), left=False, adjoint=True),
    S(*_factored(3, 3), T(3, 2, layout="transposed")),
]
LSTSQ = [S(T(5, 3), T(5, 2)), S(T(3, 5), T(3, 2)), S(conditioned(4, 4), T(4, 1)),
         S(T(2, 5, 3), T(2, 5, 2)), S(T(1, 5, 3), T(2, 5, 2)), S(T(5, 3), T(5)),
         S(T(2, 5, 3), T(2, 5)), S(T(0, 3), T(0, 2)), S(T(3, 0), T(3, 2)),
         S(T(5, 3, layout="transposed"), T(5, 2)), S(T(2, 5, 3), T(2, 5, 2), driver="gelsy"),
         S(T(2, 5, 3), T(2, 5, 2), driver="gels"), S(T(3, 5), T(3, 2), driver="gels")]
# the SVD drivers' singular values carry no gradient (in PyTorch either), which
# gradcheck's finite differences would see: compared in tests/ops/test_linalg_extra.py
LSTSQ_SVD = [S(T(2, 5, 3), T(2, 5, 2), driver=d) for d in ("gelsd", "gelss")] + [
    S(T(3, 5), T(3, 2), driver="gelsd"), S(T(5, 3), T(5, 2), 1e-3, driver="gelss"),
    S(T(5, 3), T(5), driver="gelsd")]


def without_singular_values(fn, *args, **kwargs):
    return tuple(fn(*args, **kwargs))[:3]
def _ldl_factored(*shape, seed=0):
    """(LD, pivots) of a symmetric indefinite matrix, as LAPACK's sytrf gives them
    (factored when a test first reads them)."""
    @functools.cache
    def factor():
        flat = conditioned_array(shape, seed, symmetric=True).reshape((-1,) + shape[-2:])
        parts = [linalg_ldl.sytf2(m)[:2] for m in flat]
        return (np.stack([p[0] for p in parts]).reshape(shape),
                np.stack([p[1] for p in parts]).reshape(shape[:-1]))

    return T(*shape, values=lambda: factor()[0]), T(*shape[:-1], kind="index", values=lambda: factor()[1])


SYMMETRIC_INDEFINITE = [S(conditioned(4, 4, symmetric=True)), S(conditioned(2, 5, 5, seed=1, symmetric=True)),
                        S(T(4, 4)), S(T(3, 3), hermitian=True), S(T(0, 0)), S(T(0, 3, 3))]
EXP = SQUARE + [S(T(3, 3, low=-4, high=4)), S(T(2, 4, 4, low=-0.05, high=0.05)),
                S(T(3, 3, layout="transposed"))]

ENTRIES = [
    linalg("lu", linalg_lu.lu, LU_SAMPLES),
    linalg("lu_factor", linalg_lu.lu_factor, LU_SAMPLES[:-2]),
    linalg("lu_factor_ex", linalg_lu.lu_factor_ex, LU_SAMPLES),
    linalg("lu_solve", linalg_lu.lu_solve, LU_SOLVE, wrapper=int32_pivots),
    OpInfo("lu_unpack", linalg_lu.lu_unpack, [
        S(*_factored(3, 3)), S(*_factored(2, 4, 4, seed=1)), S(*_factored(5, 3, seed=2)),
        S(*_factored(2, 3, 5, seed=3)), S(*_factored(3, 3), unpack_data=False),
        S(*_factored(3, 3), unpack_pivots=False)], wrapper=int32_pivots, dtypes=FLOATS,
        methods=()),
    linalg("inv_ex", linalg_lu.inv_ex, SQUARE),
    # no derivative in PyTorch either; T(4, 4): the lower triangle of a nonsymmetric matrix
    linalg("ldl_factor", linalg_ldl.ldl_factor, SYMMETRIC_INDEFINITE, differentiable=False),
    linalg("ldl_factor_ex", linalg_ldl.ldl_factor_ex, SYMMETRIC_INDEFINITE, differentiable=False),
    linalg("ldl_solve", linalg_ldl.ldl_solve, [
        S(*_ldl_factored(4, 4), T(4, 2)), S(*_ldl_factored(2, 5, 5, seed=1), T(2, 5, 3)),
        S(*_ldl_factored(3, 3, seed=2), T(2, 3, 1)), S(*_ldl_factored(4, 4), T(4, 2), hermitian=True)],
        wrapper=int32_pivots, differentiable=False),
    linalg("solve_ex", linalg_lu.solve_ex, SOLVE),
    linalg("cholesky_ex", linalg_lu.cholesky_ex,
           SPD + [S(conditioned(3, 3, spd=True), upper=True)], wrapper=symmetric),
    linalg("matrix_exp", linalg_funcs.matrix_exp, EXP, tol={"float32": dict(rtol=1e-4, atol=1e-4)}),
    linalg("lstsq", linalg_funcs.lstsq, LSTSQ),
    linalg("lstsq", linalg_funcs.lstsq, LSTSQ_SVD, wrapper=without_singular_values),
    linalg("multi_dot", linalg_funcs.multi_dot, [
        S([T(3, 4), T(4, 2)]), S([T(4), T(4, 3), T(3, 5), T(5)]), S([T(2, 3), T(3, 6), T(6, 2), T(2)]),
        S([T(3), T(3, 4), T(4, 1), T(1, 5)]), S([T(0, 3), T(3, 2)]), S([T(5), T(5)]),
        S([T(3, 4, layout="transposed"), T(4, 2), T(2, 3)])]),
    linalg("householder_product", linalg_funcs.householder_product, [
        S(T(5, 3), T(2)), S(T(4, 4), T(4)), S(T(2, 5, 3), T(2, 3)), S(T(3, 2), T(0)),
        S(T(5, 3, layout="transposed"), T(3))]),
    linalg("tensorsolve", linalg_funcs.tensorsolve, [
        S(_reshaped((2, 3, 6)), T(2, 3)), S(_reshaped((6, 2, 3), seed=1), T(6)),
        S(_reshaped((6, 2, 3), seed=2), T(2, 3), dims=(0,)), S(_reshaped((4, 4), seed=3), T(4))]),
    linalg("tensorinv", linalg_funcs.tensorinv, [
        S(_reshaped((2, 3, 6))), S(_reshaped((6, 2, 3), seed=1), ind=1),
        S(_reshaped((2, 2, 2, 2), seed=2), 2)]),
    linalg("vander", linalg_funcs.vander, [
        S(T(4)), S(T(2, 3), N=5), S(T(3), N=2), S(T(2, 0), N=3),
        S(T(4, kind="index")), S(T(4, layout="strided"))]),
]
