"""kernels/cross_entropy: softmax and nll of small logits in one pass (`rows`), against
NumPy's stable form; NaN rows stay NaN; a target that is no class stops it; the
gradient of their mean or sum (`grad_rows`)."""
import numpy as np
import pytest

from autograd_lite.kernels import cross_entropy


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rows_match_numpy(dtype):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((33, 7)) * 4).astype(dtype)
    x[3] = [1e4, -1e4, 3, 0, 0, 0, 0]  # extreme logits: no overflow
    t = rng.integers(0, 7, 33)
    s, nll = np.empty_like(x), np.empty(33, dtype)
    assert cross_entropy.rows(x, t, s, nll) == -1
    shifted = x - x.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    want_s = e / e.sum(axis=1, keepdims=True)
    want_nll = np.log(e.sum(axis=1)) - shifted[np.arange(33), t]
    tol = 2e-6 if dtype == np.float32 else 1e-14
    assert s.dtype == nll.dtype == dtype
    np.testing.assert_allclose(s, want_s, rtol=tol, atol=tol)
    np.testing.assert_allclose(nll, want_nll, rtol=tol, atol=tol)


def test_nan_propagates_and_bad_targets_stop():
    x = np.array([[1.0, np.nan, 2.0], [0.0, 1.0, 2.0], [0.0, 1.0, 2.0]])
    s, nll = np.zeros_like(x), np.zeros(3)
    assert cross_entropy.rows(x, np.array([0, 1, 2]), s, nll) == -1
    assert np.isnan(nll[0]) and np.all(np.isnan(s[0])) and np.all(np.isfinite(nll[1:]))
    for bad in (3, -1):
        s, nll = np.zeros_like(x), np.zeros(3)
        assert cross_entropy.rows(x, np.array([0, bad, 1]), s, nll) == 1
        assert not np.any(s[1:]) and not np.any(nll[1:])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_grad_rows_is_softmax_minus_onehot(dtype):
    rng = np.random.default_rng(1)
    s = rng.random((9, 4)).astype(dtype)
    t = rng.integers(0, 4, 9)
    out = np.empty_like(s)
    cross_entropy.grad_rows(s, t, dtype(0.25), out)
    want = s.copy()
    want[np.arange(9), t] -= 1
    np.testing.assert_allclose(out, want * dtype(0.25), rtol=1e-6)
    assert out.dtype == dtype
