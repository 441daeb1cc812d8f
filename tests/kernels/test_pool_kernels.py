"""Pooling and resampling kernels against the NumPy references."""
import os

import numpy as np
import pytest

from autograd_lite.kernels import pool as P, resample as R

import references as ref

DTYPES = [pytest.param(np.float64, id="float64"), pytest.param(np.float32, id="float32")]

# planes (B, H, W), kernel, stride, padding, dilation, output size (incl. ceil-mode sizes)
MAX_GEOMETRIES = [
    ((3, 7, 8), (2, 2), (2, 2), (0, 0), (1, 1), (3, 4)),
    ((2, 9, 7), (3, 2), (2, 1), (1, 1), (1, 1), (5, 8)),
    ((2, 9, 7), (3, 3), (2, 3), (1, 1), (2, 1), (4, 3)),
    ((1, 5, 5), (2, 2), (2, 2), (1, 0), (1, 1), (3, 3)),  # ceil mode: last window half outside
    ((3, 7, 8), (2, 2), (1, 1), (0, 0), (1, 1), (6, 7)),  # the unrolled 2x2 kernel, overlapping
    ((2, 9, 7), (3, 2), (2, 2), (0, 0), (1, 1), (4, 3)),  # the dense kernel
    ((2, 9, 7), (3, 2), (2, 2), (0, 0), (1, 1), (5, 3)),  # ceil mode overhang: the general one
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("geo", MAX_GEOMETRIES, ids=[str(i) for i in range(len(MAX_GEOMETRIES))])
def test_max_pool_matches_numpy(geo, dtype):
    shape, k, s, p, d, out_hw = geo
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    x[0, 0, :2] = 1.5  # ties: the first maximum wins, as in PyTorch
    out, idx = P.max_pool2d(x, k, s, p, d, out_hw)
    r_out, r_idx = ref.max_pool2d(x, k, s, p, d, out_hw)
    assert out.dtype == dtype and idx.dtype == np.int64
    np.testing.assert_array_equal(out, r_out)
    np.testing.assert_array_equal(idx, r_idx)
    g = rng.standard_normal(out.shape).astype(dtype)
    np.testing.assert_allclose(P.max_pool2d_backward(g, idx, shape[1:]),
                               ref.max_pool2d_backward(g, idx, shape[1:]), rtol=1e-6)


AVG_GEOMETRIES = [
    ((3, 7, 8), (2, 2), (2, 2), (0, 0), (3, 4), True, None),
    ((2, 9, 7), (3, 2), (2, 1), (1, 1), (5, 8), False, None),
    ((2, 9, 7), (3, 3), (2, 3), (1, 1), (5, 3), True, None),  # ceil mode
    ((2, 9, 7), (3, 3), (2, 3), (1, 1), (5, 3), False, 4),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("geo", AVG_GEOMETRIES, ids=[str(i) for i in range(len(AVG_GEOMETRIES))])
def test_avg_pool_matches_numpy(geo, dtype):
    shape, k, s, p, out_hw, include, div = geo
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    out = P.avg_pool2d(x, k, s, p, out_hw, include, div)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, ref.avg_pool2d(x, k, s, p, out_hw, include, div), rtol=1e-5, atol=1e-6)
    g = rng.standard_normal(out.shape).astype(dtype)
    np.testing.assert_allclose(P.avg_pool2d_backward(g, shape[1:], k, s, p, include, div),
                               ref.avg_pool2d_backward(g, shape[1:], k, s, p, include, div), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,out_hw", [((2, 7, 9), (3, 4)), ((1, 5, 5), (5, 5)), ((2, 3, 4), (7, 6)),
                                          ((2, 8, 8), (1, 1))])
def test_adaptive_avg_pool_matches_numpy(shape, out_hw, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    out = P.adaptive_avg_pool2d(x, out_hw)
    np.testing.assert_allclose(out, ref.adaptive_avg_pool2d(x, out_hw), rtol=1e-5, atol=1e-6)
    g = rng.standard_normal(out.shape).astype(dtype)
    np.testing.assert_allclose(P.adaptive_avg_pool2d_backward(g, shape[1:]),
                               ref.adaptive_avg_pool2d_backward(g, shape[1:]), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gather_and_scatter_match_numpy(dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 5, 4)).astype(dtype)
    rows, cols = np.array([0, 0, 1, 4, 3, 4, 2]), np.array([3, 2, 1, 0, 1, 2, 3, 3])
    out = R.gather2d(x, rows, cols)
    np.testing.assert_array_equal(out, ref.gather2d(x, rows, cols))
    g = rng.standard_normal(out.shape).astype(dtype)
    np.testing.assert_allclose(R.scatter2d(g, rows, cols, (5, 4)), ref.scatter2d(g, rows, cols, (5, 4)), rtol=1e-6)


def test_kernels_refuse_bad_input():
    x = np.zeros((2, 4, 4))
    with pytest.raises(TypeError, match="max_pool2d"):
        P.max_pool2d(np.zeros((4, 4)), (2, 2), (2, 2), (0, 0), (1, 1), (2, 2))
    with pytest.raises(ValueError, match="max_pool2d_backward"):
        P.max_pool2d_backward(np.zeros((2, 2, 2)), np.full((2, 2, 2), 16), (4, 4))
    with pytest.raises(ValueError, match="avg_pool2d"):
        P.avg_pool2d(x, (0, 2), (1, 1), (0, 0), (2, 2))
    with pytest.raises(ValueError, match="gather2d"):
        R.gather2d(x, [0, 4], [0])
    with pytest.raises(ValueError, match="scatter2d"):
        R.scatter2d(np.zeros((2, 1, 1)), [-1], [0], (4, 4))


@pytest.mark.skipif(os.environ.get("NUMBA_BOUNDSCHECK") != "1", reason="only under NUMBA_BOUNDSCHECK=1")
def test_bounds_checking_is_on():
    """Proof that the bounds-checked run checks: a raw kernel indexing out of range raises."""
    with pytest.raises(IndexError):
        R._gather2d(np.zeros((1, 2, 2)), 0, 1, np.array([5]), np.array([0]), np.zeros((1, 1, 1)))


def test_kernels_split_over_two_threads_match_numpy_float64(monkeypatch):
    """The planes split over two threads (workers.split), every kernel."""
    import autograd_lite as ag
    from autograd_lite.kernels import workers

    monkeypatch.setattr(workers, "PARALLEL_MIN", 0)
    before = ag.get_num_threads()
    ag.set_num_threads(2)
    try:
        rng = np.random.default_rng(7)
        for shape, k, s, p, d, out_hw in MAX_GEOMETRIES:
            x = rng.standard_normal((11,) + shape[1:])
            out, idx = P.max_pool2d(x, k, s, p, d, out_hw)
            r_out, r_idx = ref.max_pool2d(x, k, s, p, d, out_hw)
            np.testing.assert_array_equal(out, r_out)
            np.testing.assert_array_equal(idx, r_idx)
            g = rng.standard_normal(out.shape)
            np.testing.assert_allclose(P.max_pool2d_backward(g, idx, shape[1:]),
                                       ref.max_pool2d_backward(g, idx, shape[1:]), rtol=1e-12)
        for shape, k, s, p, out_hw, include, div in AVG_GEOMETRIES:
            x = rng.standard_normal((9,) + shape[1:])
            np.testing.assert_allclose(P.avg_pool2d(x, k, s, p, out_hw, include, div),
                                       ref.avg_pool2d(x, k, s, p, out_hw, include, div), rtol=1e-12)
            g = rng.standard_normal((9,) + tuple(out_hw))
            np.testing.assert_allclose(P.avg_pool2d_backward(g, shape[1:], k, s, p, include, div),
                                       ref.avg_pool2d_backward(g, shape[1:], k, s, p, include, div), rtol=1e-12)
        x = rng.standard_normal((13, 7, 9))
        np.testing.assert_allclose(P.adaptive_avg_pool2d(x, (3, 4)), ref.adaptive_avg_pool2d(x, (3, 4)), rtol=1e-12)
        g = rng.standard_normal((13, 3, 4))
        np.testing.assert_allclose(P.adaptive_avg_pool2d_backward(g, (7, 9)),
                                   ref.adaptive_avg_pool2d_backward(g, (7, 9)), rtol=1e-12)
        x = rng.standard_normal((7, 5, 4))
        rows, cols = np.array([4, 0, 0, 2, 3, 1]), np.array([3, 3, 0, 1])
        np.testing.assert_array_equal(R.gather2d(x, rows, cols), ref.gather2d(x, rows, cols))
        g = rng.standard_normal((7, 6, 4))
        np.testing.assert_allclose(R.scatter2d(g, rows, cols, (5, 4)), ref.scatter2d(g, rows, cols, (5, 4)),
                                   rtol=1e-12)
        x = rng.standard_normal((6, 8, 8))
        x[5, 3, 3] = np.nan  # found by one thread's part: the general kernel reruns
        out, idx = P.max_pool2d(x, (2, 2), (2, 2), (0, 0), (1, 1), (4, 4))
        assert np.isnan(out[5, 1, 1]) and idx[5, 1, 1] == 27 and not np.isnan(np.delete(out.ravel(), 5 * 16 + 5)).any()
    finally:
        ag.set_num_threads(before)
