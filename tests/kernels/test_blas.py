"""kernels/blas.py: NumPy's cblas gemm called from a Numba kernel, against np.matmul
over random shapes, offsets, leading dimensions, transposes and beta."""
import numpy as np
import pytest
from numba import njit

from autograd_lite.kernels import blas

@njit
def _gemm(fn, m, n, k, a, ia, lda, b, ib, ldb, trans_b, beta, c, ic, ldc):
    blas.gemm(fn, m, n, k, a, ia, lda, b, ib, ldb, trans_b, beta, c, ic, ldc)

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gemm_matches_matmul(dtype):
    fn = blas.address(dtype)
    if not fn:
        pytest.skip("no BLAS the kernels can call")
    rng = np.random.default_rng(0)
    tol = dict(rtol=1e-5, atol=1e-5) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    for case in range(40):
        m, n, k = (int(v) for v in rng.integers(1, 40, 3))
        trans_b = bool(case % 2)
        beta = [0.0, 1.0, 0.5][case % 3]
        pad = [int(v) for v in rng.integers(0, 5, 3)]  # extra columns: lda > k etc.
        off = [int(v) for v in rng.integers(0, 7, 3)]  # leading elements before each matrix
        bshape = (n, k) if trans_b else (k, n)
        a_buf = rng.standard_normal(off[0] + m * (k + pad[0])).astype(dtype)
        b_buf = rng.standard_normal(off[1] + bshape[0] * (bshape[1] + pad[1])).astype(dtype)
        c_buf = rng.standard_normal(off[2] + m * (n + pad[2])).astype(dtype)
        a = a_buf[off[0]:].reshape(m, k + pad[0])[:, :k]
        b = b_buf[off[1]:].reshape(bshape[0], bshape[1] + pad[1])[:, :bshape[1]]
        c = c_buf[off[2]:].reshape(m, n + pad[2])[:, :n]
        want = (a @ (b.T if trans_b else b)) + beta * c
        before = c_buf.copy()
        _gemm(fn, m, n, k, a_buf, off[0], k + pad[0], b_buf, off[1], bshape[1] + pad[1], trans_b, beta,
              c_buf, off[2], n + pad[2])
        np.testing.assert_allclose(c, want, err_msg=f"case {case}", **tol)
        written = np.zeros(c_buf.shape, bool)
        written[off[2]:] = np.pad(np.ones((m, n), bool), ((0, 0), (0, pad[2]))).ravel()
        np.testing.assert_array_equal(c_buf[~written], before[~written])  # nothing else touched

def test_address_only_for_known_interfaces():
    assert blas.address(np.int64) == 0
    assert blas.address(np.float16) == 0
    if blas.address(np.float32):  # the same NumPy, so both or neither
        assert blas.address(np.float64)
    blas.enabled[0] = False
    try:
        assert blas.address(np.float32) == 0
    finally:
        blas.enabled[0] = True
