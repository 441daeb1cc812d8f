"""3-D pooling kernels and the 3-D convolution's depth unfold/fold against the NumPy
references (tests/kernels/references3d.py): odd sizes, padding, dilation, ceil-mode
overhangs, ties and NaN, both dtypes."""
import numpy as np
import pytest

from autograd_lite.kernels import conv3d as C, pool3d as P

import references3d as ref

DTYPES = [pytest.param(np.float64, id="float64"), pytest.param(np.float32, id="float32")]

# volumes (B, D, H, W), kernel, stride, padding, dilation, output size (incl. ceil-mode sizes)
MAX_GEOMETRIES = [
    ((3, 4, 5, 6), (2, 2, 2), (2, 2, 2), (0, 0, 0), (1, 1, 1), (2, 2, 3)),
    ((2, 5, 7, 6), (3, 2, 3), (2, 1, 2), (1, 1, 1), (1, 1, 1), (3, 8, 3)),
    ((2, 7, 5, 6), (3, 3, 2), (2, 3, 1), (1, 1, 0), (2, 1, 3), (3, 2, 3)),
    ((1, 5, 5, 5), (2, 2, 2), (2, 2, 2), (1, 0, 1), (1, 1, 1), (3, 3, 3)),  # ceil mode: last window half outside
    ((2, 3, 4, 5), (1, 3, 2), (1, 1, 2), (0, 1, 1), (1, 2, 1), (3, 2, 3)),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("geo", MAX_GEOMETRIES, ids=[str(i) for i in range(len(MAX_GEOMETRIES))])
def test_max_pool3d_matches_numpy(geo, dtype):
    shape, k, s, p, d, out_size = geo
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    x[0, 0, :2] = 1.5  # ties: the first maximum wins, as in PyTorch
    out, idx = P.max_pool3d(x, k, s, p, d, out_size)
    r_out, r_idx = ref.max_pool3d(x, k, s, p, d, out_size)
    assert out.dtype == dtype and idx.dtype == np.int64
    np.testing.assert_array_equal(out, r_out)
    np.testing.assert_array_equal(idx, r_idx)
    x[-1, 1, 1, 1] = x[-1, 2, 0, 0] = np.nan  # a NaN wins (the last one)
    out, idx = P.max_pool3d(x, k, s, p, d, out_size)
    r_out, r_idx = ref.max_pool3d(x, k, s, p, d, out_size)
    np.testing.assert_array_equal(out, r_out)
    np.testing.assert_array_equal(idx, r_idx)
    g = rng.standard_normal(out.shape).astype(dtype)
    want = np.zeros((shape[0], int(np.prod(shape[1:]))), dtype)
    for b in range(shape[0]):
        np.add.at(want[b], idx[b].ravel(), g[b].ravel())
    np.testing.assert_allclose(P.max_pool3d_backward(g, idx, shape[1:]), want.reshape(shape), rtol=1e-6)


def test_max_pool3d_refuses_empty_windows_and_bad_indices():
    x = np.zeros((1, 2, 2, 2))
    with pytest.raises(ValueError, match="holds no pixel"):
        P.max_pool3d(x, (1, 1, 1), (1, 1, 1), (0, 0, 0), (1, 1, 1), (3, 2, 2))
    with pytest.raises(ValueError, match="indices out of range"):
        P.max_pool3d_backward(np.ones((1, 1, 1, 1)), np.full((1, 1, 1, 1), 8), (2, 2, 2))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,out_size", [((2, 5, 7, 6), (3, 4, 2)), ((1, 3, 4, 5), (5, 7, 6)),
                                            ((2, 4, 4, 4), (1, 1, 1))])
def test_adaptive_pool3d_matches_numpy(shape, out_size, dtype):
    rng = np.random.default_rng(0)
    x = np.round(rng.standard_normal(shape)).astype(dtype)  # ties
    out, idx = P.adaptive_max_pool3d(x, out_size)
    r_out, r_idx = ref.adaptive_max_pool3d(x, out_size)
    np.testing.assert_array_equal(out, r_out)
    np.testing.assert_array_equal(idx, r_idx)
    out = P.adaptive_avg_pool3d(x, out_size)
    np.testing.assert_allclose(out, ref.adaptive_avg_pool3d(x, out_size), rtol=1e-5, atol=1e-6)
    g = rng.standard_normal(out.shape).astype(dtype)
    np.testing.assert_allclose(P.adaptive_avg_pool3d_backward(g, shape[1:]),
                               ref.adaptive_avg_pool3d_backward(g, shape[1:]), rtol=1e-5, atol=1e-6)


AVG_GEOMETRIES = [
    ((3, 4, 5, 6), (2, 2, 2), (2, 2, 2), (0, 0, 0), (2, 2, 3), True, None),
    ((2, 5, 7, 6), (3, 2, 3), (2, 1, 2), (1, 1, 1), (3, 8, 3), False, None),
    ((2, 5, 7, 6), (3, 3, 2), (2, 3, 1), (1, 1, 0), (3, 3, 6), True, None),  # ceil mode
    ((2, 5, 7, 6), (3, 3, 2), (2, 3, 2), (1, 1, 1), (3, 3, 4), False, 4),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("geo", AVG_GEOMETRIES, ids=[str(i) for i in range(len(AVG_GEOMETRIES))])
def test_avg_pool3d_matches_numpy(geo, dtype):
    shape, k, s, p, out_size, include, div = geo
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    out = P.avg_pool3d(x, k, s, p, out_size, include, div)
    assert out.dtype == dtype
    np.testing.assert_allclose(out, ref.avg_pool3d(x, k, s, p, out_size, include, div), rtol=1e-5, atol=1e-6)
    g = rng.standard_normal(out.shape).astype(dtype)
    np.testing.assert_allclose(P.avg_pool3d_backward(g, shape[1:], k, s, p, include, div),
                               ref.avg_pool3d_backward(g, shape[1:], k, s, p, include, div), rtol=1e-5, atol=1e-6)


class _Depth:
    """The part of ops/conv3d.py's Geometry3d the depth unfold reads."""

    def __init__(self, kd, sd, pad, dd, d, od):
        self.depth = (kd, sd, pad, dd, d, od)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kd,sd,pad,dd,d", [(3, 1, 1, 1, 5), (2, 2, 0, 1, 6), (3, 2, 3, 2, 4), (1, 3, 2, 1, 2),
                                            (2, 1, 9, 4, 3)])
def test_depth_unfold_and_fold_match_numpy(kd, sd, pad, dd, d, dtype):
    od = (d + 2 * pad - dd * (kd - 1) - 1) // sd + 1
    geo = _Depth(kd, sd, pad, dd, d, od)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, d, 4, 5)).astype(dtype)
    cols = C.depth_unfold(x, geo)
    np.testing.assert_array_equal(cols, ref.depth_unfold(x, kd, sd, pad, dd, od))
    g = rng.standard_normal(cols.shape).astype(dtype)
    # the fold is the unfold's adjoint: <unfold(x), g> = <x, fold(g)>
    folded = C.depth_fold(g, geo, 2, 3)
    np.testing.assert_allclose(np.vdot(cols, g), np.vdot(x, folded), rtol=1e-5)
