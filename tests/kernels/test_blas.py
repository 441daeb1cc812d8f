"""kernels/blas.py: NumPy's cblas gemm called from a Numba kernel, against np.matmul
over random shapes, offsets, leading dimensions, transposes and beta."""
import importlib.metadata
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from numba import njit

from autograd_lite.kernels import blas, workers

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


# ---- provider and 2-D products ----------------------------------------------------------------------
def _layouts(x):
    """x as C, F, a strided view and a transposed copy's transpose."""
    pad = np.zeros((x.shape[0], x.shape[1] + 3), x.dtype)
    pad[:, :x.shape[1]] = x
    return [x, np.asfortranarray(x), pad[:, :x.shape[1]], np.ascontiguousarray(x.T).T, x[::-1][::-1]]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("like_kernels", [False, True])
def test_matmul_matches_numpy_for_every_layout(dtype, like_kernels):
    rng = np.random.default_rng(1)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    for m, k, n in [(3, 4, 5), (70, 80, 90), (1, 300, 1), (200, 1, 7), (0, 3, 4), (3, 0, 4)]:
        a = rng.standard_normal((m, k)).astype(dtype)
        b = rng.standard_normal((k, n)).astype(dtype)
        want = a @ b
        for x in _layouts(a):
            for y in _layouts(b):
                got = blas.matmul(x, y, like_kernels=like_kernels)
                assert got.shape == want.shape and got.dtype == want.dtype
                np.testing.assert_allclose(got, want, **tol)
        out = np.full((m, n + 2), np.nan, dtype)[:, :n]  # a strided destination
        assert blas.matmul(a, b, out=out, like_kernels=like_kernels) is out
        np.testing.assert_allclose(out, want, **tol)
        out_f = np.asfortranarray(np.zeros((m, n), dtype))  # one cblas can't write: copied in
        assert blas.matmul(a, b, out=out_f, like_kernels=like_kernels) is out_f
        np.testing.assert_allclose(out_f, want, **tol)


def test_matmul_keeps_numpys_errors_and_promotions():
    a = np.ones((30, 70), np.float32)
    with pytest.raises(ValueError):
        blas.matmul(a, np.ones((71, 90), np.float32))
    assert blas.matmul(a, np.ones((70, 90), np.float64)).dtype == np.float64
    assert blas.matmul(a.astype(np.int64), np.ones((70, 90), np.int64)).dtype == np.int64
    np.testing.assert_array_equal(blas.matmul(np.ones((2, 3, 4)), np.ones((2, 4, 5))), np.full((2, 3, 5), 4.0))


def _mkl_installed():
    try:
        importlib.metadata.distribution("mkl")
        return True
    except importlib.metadata.PackageNotFoundError:
        return False


def _provider_in_subprocess(choice):
    code = "from autograd_lite.kernels import blas; print(blas.provider(), bool(blas.address('float32')))"
    env = dict(os.environ, AUTOGRAD_LITE_BLAS=choice)
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          check=True).stdout.split()


def test_the_provider_is_mkl_on_intel_cpus_when_installed_unless_told_otherwise():
    installed = _mkl_installed()
    choice = os.environ.get("AUTOGRAD_LITE_BLAS", "").strip().lower()
    wanted = choice == "mkl" or (choice != "numpy" and blas.intel_cpu())
    assert blas.provider() == ("mkl" if installed and wanted else "numpy")
    assert _provider_in_subprocess("numpy") == ["numpy", str(bool(blas._numpy_gemm(np.dtype(np.float32))))]
    assert _provider_in_subprocess("mkl") == (["mkl", "True"] if installed else
                                              ["numpy", str(bool(blas._numpy_gemm(np.dtype(np.float32))))])


def test_intel_cpu_reads_the_vendor():
    with open("/proc/cpuinfo") as f:
        vendors = {line.split(":", 1)[1].strip() for line in f if line.startswith("vendor_id")}
    assert blas.intel_cpu() == (vendors == {"GenuineIntel"})


@pytest.mark.skipif(not _mkl_installed() or blas.provider() == "mkl",
                    reason="MKL is not installed, or is the provider here (the other tests cover it)")
def test_the_mkl_paths_when_asked_for():
    """Where MKL is installed but not chosen (a non-Intel CPU), the tests of the paths
    that call it run in a process told to use it (AUTOGRAD_LITE_BLAS=mkl). Not
    tests/kernels/test_rnn_kernels.py: its fused loops call MKL for products the Python
    loop leaves to np.dot (small ones), and on an AMD CPU the two libraries round those
    differently (by an ulp), where on Intel's they agreed bit for bit."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    files = [os.path.join(root, "kernels", "test_blas.py"), os.path.join(root, "nn", "test_rnn_bits.py")]
    env = dict(os.environ, AUTOGRAD_LITE_BLAS="mkl")
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-o", "addopts=",
                           "-k", "not the_mkl_paths", *files], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_numpys_own_gemm_from_a_kernel(dtype):
    """The fallback provider's gemm, also when MKL is the provider here."""
    fn = blas._numpy_gemm(np.dtype(dtype))
    if not fn:
        pytest.skip("NumPy's BLAS has no ILP64 cblas the kernels can call")
    a = np.arange(12, dtype=dtype).reshape(3, 4)
    b = np.arange(20, dtype=dtype).reshape(4, 5)
    c = np.zeros((3, 5), dtype)
    _gemm(fn, 3, 5, 4, a.ravel(), 0, 4, b.ravel(), 0, 5, False, 0.0, c.ravel(), 0, 5)
    np.testing.assert_array_equal(c, a @ b)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_step_product_matches_numpy_and_guards_its_operand(dtype):
    rng = np.random.default_rng(2)
    b = rng.standard_normal((128, 512)).astype(dtype)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-12)
    for right in (b, np.ascontiguousarray(b.T).T):  # W^T as a transposed view, as the loops pass it
        out = np.empty((32, 512), dtype)
        product = blas.step_product(right, out)
        for a in (rng.standard_normal((32, 128)).astype(dtype),  # the fast path
                  np.asfortranarray(rng.standard_normal((32, 128)).astype(dtype)),  # np.dot
                  rng.standard_normal((32, 130)).astype(dtype)[:, :128]):  # np.dot
            product(a)
            np.testing.assert_allclose(out, a @ right, **tol)
        with pytest.raises(ValueError):  # a wrong shape gets NumPy's error, never a read past the end
            product(rng.standard_normal((32, 127)).astype(dtype))


def test_matmul_into_one_of_its_operands_is_numpys_answer():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((80, 80)).astype(np.float32)
    b = rng.standard_normal((80, 80)).astype(np.float32)
    want = a @ b
    x = a.copy()
    blas.matmul(x, b, out=x, like_kernels=True)  # BLAS would read what it already wrote
    np.testing.assert_allclose(x, want, rtol=1e-4, atol=1e-4)
    y = b.copy()
    blas.matmul(a, y, out=y, like_kernels=True)
    np.testing.assert_allclose(y, want, rtol=1e-4, atol=1e-4)


def test_step_product_with_its_destination_as_operand_is_numpys_answer():
    rng = np.random.default_rng(4)
    out = rng.standard_normal((64, 256)).astype(np.float32)
    b = rng.standard_normal((256, 256)).astype(np.float32)
    a = out  # the destination as the left operand (a loop that feeds its output back)
    want = a @ b
    blas.step_product(b, out)(a)
    np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-4)


def test_product_kernel_is_made_once_with_its_layout_conversions():
    """The gemm kernel is compiled for 'A' arrays only; the conversions from C and F
    arrays are registered when it is made, in that thread, not at the first call from
    the worker pool's threads (where two at once corrupted Numba's table: a first step
    on two threads failed, rarely); threads asking at once get one kernel, built once.
    A fresh process: nothing registered them before."""
    script = textwrap.dedent("""
        import threading
        import numpy as np
        from numba import types
        from autograd_lite.kernels import blas
        got = []
        threads = [threading.Thread(target=lambda: got.append(blas._matmul_kernel_for(np.dtype(np.float32))))
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(got) == 4 and all(k is got[0] for k in got)
        for dtype in (np.float32, np.float64):
            kernel = blas._matmul_kernel_for(np.dtype(dtype))
            element = types.float32 if dtype == np.float32 else types.float64
            for layout in ("C", "F"):
                conv = kernel.typingctx.tm.check_compatible(types.Array(element, 2, layout),
                                                             types.Array(element, 2, "A"))
                assert conv is not None, (dtype, layout)
        print("ok")
    """)
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "ok" in res.stdout


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_small_transposed_products_through_mkl(dtype):
    """x @ w.T for small products (Linear's forward) goes to MKL's gemm, where
    OpenBLAS's small-matrix path is slow for that layout; other layouts and dtypes
    are left to np.matmul (None), as is everything without MKL."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((32, 64)).astype(dtype)
    w = rng.standard_normal((128, 64)).astype(dtype)
    got = blas.small_transposed(x, w.T)
    if blas.provider() != "mkl":
        assert got is None
        return
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, x @ w.T, rtol=tol, atol=tol)
    assert got.dtype == dtype and got.flags.c_contiguous
    assert blas.small_transposed(x, np.ascontiguousarray(w.T)) is None  # C-order: np.matmul is fast
    assert blas.small_transposed(x.T.copy().T, w.T) is None  # an F-order left operand
    assert blas.small_transposed(x.astype(np.float16), w.T.astype(np.float16)) is None
    assert blas.small_transposed(x[:, :0], w[:, :0].T) is None  # empty: np.matmul's zeros
    assert blas.small_transposed(x, w[:10].T) is None  # tiny: np.matmul is as fast
    np.testing.assert_array_equal(workers.matmul(x, w.T), got)
