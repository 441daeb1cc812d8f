"""one_blas_thread: NumPy's BLAS on one thread inside, as before outside."""
import pytest

from autograd_lite.threads import one_blas_thread


def test_one_blas_thread_limits_and_restores():
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads():
        return [i["num_threads"] for i in threadpoolctl.ThreadpoolController().select(user_api="blas").info()]

    before = blas_threads()
    if not before:
        pytest.skip("no BLAS that threadpoolctl knows")
    with one_blas_thread():
        assert blas_threads() == [1] * len(before)
    assert blas_threads() == before
