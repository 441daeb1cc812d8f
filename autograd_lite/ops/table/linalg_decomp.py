"""Table entries of torch.linalg's functions (namespace "linalg": ops/linalg_solve.py,
ops/linalg_decomp.py, ops/linalg_norms.py) and their top-level and Tensor-method
forms (inverse, det, logdet, slogdet, pinverse, matrix_power).

Matrices are built to be well conditioned (singular values in [1, 3], distinct), so
gradcheck's finite differences are meaningful. Wrappers do what PyTorch's OpInfos do:
ops that read one triangle of a symmetric matrix get (A + A^T) / 2, and singular
vectors and eigenvectors, unique only up to sign (MKL and OpenBLAS pick different
ones), are compared squared."""
import numpy as np

from .. import linalg_decomp, linalg_norms, linalg_solve, products, triangular
from ..linalg import matmul
from ..opinfo import BF16, FLOATS, Dtype, OpInfo, S, T, onnx_op
from .triangular import DIAGONAL_ONNX


def _orthogonal(rng, n, k):
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return (q * np.sign(np.diag(r)))[:, :k]


def conditioned(*shape, seed=0, spd=False, symmetric=False):
    """Matrices (batched over leading dims) with singular values spread in [1, 3]:
    random singular vectors, or with spd/symmetric one basis (positive or mixed-sign
    eigenvalues); computed when a test first reads them."""
    return T(*shape, values=lambda: conditioned_array(shape, seed, spd, symmetric))


def conditioned_array(shape, seed=0, spd=False, symmetric=False):
    """The values of `conditioned`."""
    rng = np.random.default_rng(seed)
    *batch, m, n = shape
    k = min(m, n)
    out = np.empty(tuple(batch) + (m, n))
    for idx in np.ndindex(*batch):
        s = np.sort(rng.uniform(1.0, 3.0, k))[::-1]
        left = _orthogonal(rng, m, k)
        if spd or symmetric:
            if symmetric:
                s = s * rng.choice([-1.0, 1.0], k)
            out[idx] = (left * s) @ left.T
        else:
            out[idx] = (left * s) @ _orthogonal(rng, n, k).T
    return out


def symmetric(fn, a, *args, **kwargs):
    return fn((a + a.mT) / 2, *args, **kwargs)


def sign_free_svd(fn, a, *args, **kwargs):
    U, S_, Vh = fn(a, *args, **kwargs)
    return U * U, S_, Vh * Vh


def sign_free_eigh(fn, a, *args, **kwargs):
    values, vectors = symmetric(fn, a, *args, **kwargs)
    return values, vectors * vectors


SQUARE = [S(conditioned(3, 3)), S(conditioned(2, 3, 3, seed=1)), S(conditioned(1, 1, seed=2)),
          S(conditioned(4, 4, seed=3)), S(T(0, 0)), S(T(2, 0, 0))]
SPD = [S(conditioned(3, 3, spd=True)), S(conditioned(2, 4, 4, seed=1, spd=True)),
       S(conditioned(1, 1, seed=2, spd=True)), S(T(0, 0))]
SYMMETRIC = [S(conditioned(3, 3, symmetric=True)), S(conditioned(2, 4, 4, seed=1, symmetric=True)),
             S(conditioned(1, 1, seed=2, symmetric=True)), S(T(0, 0))]
RECTANGULAR = [S(T(4, 3)), S(T(3, 4)), S(T(3, 3)), S(T(2, 4, 3)), S(T(2, 2, 3)),
               S(T(4, 3, layout="transposed"))]


def _eye_like_onnx(b, node, inputs):
    """matrix_power(A, 0): identity matrices expanded to A's shape."""
    n = b.in_shape(0)[-1]
    return b.op("Expand", [b.const(np.eye(n, dtype=b.out_dtype()), name="eye"), b.shape_of(inputs[0])])


DET_ONNX = {"Det": onnx_op("Det")}
POWER_ONNX = {"EyeLike": _eye_like_onnx}


# LAPACK's routines take float32 and float64 only: PyTorch's CPU decompositions and
# solvers refuse bfloat16, and so do ours (tests/test_bfloat16.py). The norms that only
# sum and take maxima, and matrix_power's products, run in bfloat16.
def linalg(name, fn, samples, dtypes=FLOATS, **kw):
    return OpInfo(name, fn, samples, namespace="linalg", dtypes=dtypes, **kw)


def top_level(name, fn, samples, torch_name=None, dtypes=FLOATS, **kw):
    return OpInfo(name, fn, samples, torch="torch." + (torch_name or name), dtypes=dtypes, **kw)


SOLVE = [
    S(conditioned(3, 3), T(3, 2)), S(conditioned(3, 3), T(3)), S(conditioned(2, 3, 3), T(2, 3)),
    S(conditioned(2, 3, 3), T(3, 4)), S(conditioned(3, 3), T(2, 3, 2)),
    S(conditioned(3, 3), T(2, 3), left=False), S(conditioned(2, 3, 3), T(2, 4, 3), left=False),
    S(conditioned(3, 3), T(3, 2, layout="transposed")), S(T(0, 0), T(0, 2)),
]
NORM_ORDERS = ["fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]
POWERS = [S(conditioned(3, 3), 3), S(conditioned(3, 3), 0), S(conditioned(3, 3), -2),
          S(conditioned(2, 3, 3, seed=1), 1), S(conditioned(2, 2), 5), S(T(0, 0), 2)]
PRODUCT_POWERS = [s for s in POWERS if s.args[1] >= 0]  # negative ones invert: LAPACK
MATRIX_NORM = [S(T(3, 4), o) for o in NORM_ORDERS] + [
    S(T(2, 3, 4)), S(T(2, 3, 4), "nuc", keepdim=True), S(T(3, 4, 2), 1, (0, 2)),
    S(T(3, 4, 2), np.inf, (2, 0), True), S(T(2, 3, 4), -2, (-1, -2)),
    S(T(4, 3, layout="transposed"), 2)]
NORM = [
    S(T(3, 4)), S(T(4), 3), S(T(3, 4), "nuc"), S(T(3, 4), 2, 1), S(T(3, 4), None, (0, 1)),
    S(T(2, 3, 4)), S(T(2, 3, 4), "fro", (1, 2)), S(T(2, 3, 4), np.inf, (0, 2), True),
    S(T(3, 4), -1), S(T(5), np.inf), S(T(2, 3, 4), None, 1)]


def _sums_only(samples):
    """The samples that take no singular values (PyTorch's bfloat16 norms)."""
    return [s for s in samples if not any(o in s.args[1:2] for o in ("nuc", 2, -2))]


ENTRIES = [
    linalg("inv", linalg_solve.inv, SQUARE),
    linalg("det", linalg_solve.det, SQUARE, onnx=DET_ONNX),
    linalg("slogdet", linalg_solve.slogdet, SQUARE),
    linalg("solve", linalg_solve.solve, SOLVE),
    linalg("matrix_power", linalg_solve.matrix_power, POWERS, onnx=POWER_ONNX),
    linalg("matrix_power", linalg_solve.matrix_power, PRODUCT_POWERS, dtypes=BF16, onnx=POWER_ONNX),
    linalg("cholesky", linalg_decomp.cholesky, SPD + [S(conditioned(3, 3, spd=True), upper=True)],
           wrapper=symmetric),
    linalg("qr", linalg_decomp.qr, RECTANGULAR + [S(T(3, 4), mode="complete"),
                                                 S(T(3, 3), "complete")]),
    linalg("svd", linalg_decomp.svd, [
        S(T(4, 3), full_matrices=False), S(T(3, 4), False), S(T(3, 3)), S(T(2, 3, 3)),
        S(T(2, 4, 3), full_matrices=False), S(T(5, 2), full_matrices=False),
        S(T(4, 3, layout="transposed"), full_matrices=False)],
        wrapper=sign_free_svd,
        note="full_matrices=True on non-square input: tests/ops/test_linalg_decomp.py (the "
             "extra columns' gradients are dropped, as PyTorch does, so gradcheck can't run)"),
    linalg("svdvals", linalg_decomp.svdvals, RECTANGULAR + [S(T(0, 3))]),
    linalg("eigh", linalg_decomp.eigh, SYMMETRIC + [S(conditioned(3, 3, symmetric=True), "U")],
           wrapper=sign_free_eigh),
    linalg("eigvalsh", linalg_decomp.eigvalsh, SYMMETRIC + [
        S(conditioned(3, 3, symmetric=True), UPLO="U")], wrapper=symmetric),
    linalg("pinv", linalg_decomp.pinv, RECTANGULAR + [
        S(T(4, 3), atol=0.01), S(T(3, 4), rtol=1e-3), S(conditioned(2, 3, 4))]),
    linalg("vector_norm", linalg_norms.vector_norm, dtypes=FLOATS + BF16, samples=[
        S(T(3, 4)), S(T(3, 4), 1), S(T(3, 4), 3.5), S(T(3, 4), np.inf), S(T(3, 4), -np.inf),
        S(T(3, 4), 0), S(T(3, 4), -1.5), S(T(3, 4), 2, 1), S(T(2, 3, 4), 2, (0, 2), True),
        S(T(3, 4), ord=1, dim=-1, keepdim=True), S(T()), S(T(0, 3)),
        S(T(4, 3, layout="transposed"), 2, 0), S(T(3, 4), dtype=Dtype("float64"))]),
    linalg("matrix_norm", linalg_norms.matrix_norm, MATRIX_NORM),
    linalg("matrix_norm", linalg_norms.matrix_norm, _sums_only(MATRIX_NORM), dtypes=BF16),
    linalg("norm", linalg_norms.norm, NORM),
    linalg("norm", linalg_norms.norm, _sums_only(NORM), dtypes=BF16),
    linalg("diagonal", triangular.linalg_diagonal, dtypes=FLOATS + BF16, samples=[
        S(T(3, 4)), S(T(2, 3, 4), offset=1), S(T(2, 3, 4), dim1=0, dim2=2), S(T(0, 3))],
        onnx=DIAGONAL_ONNX),
    linalg("vecdot", products.vecdot, dtypes=FLOATS + BF16, samples=[S(T(3, 4), T(3, 4)), S(T(2, 3), T(3)),
                                       S(T(3, 4), T(3, 4), dim=0), S(T(0, 3), T(3))]),
    linalg("matmul", matmul, [S(T(2, 3), T(3, 4)), S(T(2, 2, 3), T(3))], dtypes=FLOATS + BF16),
    top_level("inverse", linalg_solve.inv, SQUARE),
    top_level("det", linalg_solve.det, SQUARE, onnx=DET_ONNX),
    top_level("logdet", linalg_solve.logdet, SPD),  # a negative det (nan): test_linalg_decomp.py
    top_level("slogdet", linalg_solve.slogdet, SQUARE),
    top_level("pinverse", linalg_decomp.pinverse, RECTANGULAR + [S(T(4, 3), 1e-3),
                                                                 S(T(3, 4), rcond=0.01)]),
    top_level("matrix_power", linalg_solve.matrix_power, POWERS, onnx=POWER_ONNX),
    top_level("matrix_power", linalg_solve.matrix_power, PRODUCT_POWERS, dtypes=BF16, onnx=POWER_ONNX),
]
