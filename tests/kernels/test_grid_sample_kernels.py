"""grid_sample's kernels (autograd_lite/kernels/grid_sample.py) against the NumPy
reference: every mode, padding and align_corners, odd sizes, grids reaching outside
[-1, 1], both dtypes; and the entry points' refusals."""
import itertools

import numpy as np
import pytest

from autograd_lite.kernels import grid_sample as K

import references as ref

DTYPES = [pytest.param(np.float64, id="float64"), pytest.param(np.float32, id="float32")]
CASES_2D = list(itertools.product((0, 1, 2), (0, 1, 2), (False, True)))
CASES_3D = list(itertools.product((0, 1), (0, 1, 2), (False, True)))


def _check(x_shape, grid_shape, mode, padding, align, dtype, spread):
    rng = np.random.default_rng(mode * 7 + padding * 3 + align)
    x = rng.standard_normal(x_shape).astype(dtype)
    grid = rng.uniform(-spread, spread, grid_shape).astype(dtype)
    out = K.sample(x, grid, mode, padding, align)
    g = rng.standard_normal(out.shape).astype(dtype)
    gx, ggrid = K.sample_backward(g, x, grid, mode, padding, align)
    r_out, r_gx, r_ggrid = ref.grid_sample(x.astype(np.float64), grid.astype(np.float64),
                                           g.astype(np.float64), mode, padding, align)
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == np.float64 else dict(rtol=1e-4, atol=1e-4)
    assert out.dtype == gx.dtype == ggrid.dtype == dtype
    np.testing.assert_allclose(out, r_out, **tol)
    np.testing.assert_allclose(gx, r_gx, **tol)
    np.testing.assert_allclose(ggrid, r_ggrid, **tol)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode,padding,align", CASES_2D, ids=[f"m{m}-p{p}-a{int(a)}" for m, p, a in CASES_2D])
def test_grid_sample_2d_matches_numpy(mode, padding, align, dtype):
    _check((2, 3, 5, 4), (2, 3, 7, 2), mode, padding, align, dtype, 1.4)
    _check((1, 2, 1, 3), (1, 2, 3, 2), mode, padding, align, dtype, 3.5)  # a unit dim, far outside


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode,padding,align", CASES_3D, ids=[f"m{m}-p{p}-a{int(a)}" for m, p, a in CASES_3D])
def test_grid_sample_3d_matches_numpy(mode, padding, align, dtype):
    _check((2, 2, 3, 4, 5), (2, 2, 3, 3, 3), mode, padding, align, dtype, 1.4)


def test_grid_sample_kernels_refuse_bad_arguments():
    x, grid = np.zeros((1, 2, 3, 3)), np.zeros((1, 2, 2, 2))
    with pytest.raises(TypeError, match="grid_sample: expected float32/float64"):
        K.sample(x, grid.astype(np.float32), 0, 0, False)
    with pytest.raises(ValueError, match=r"grid \(N, \*out, 2\)"):
        K.sample(x, np.zeros((1, 2, 2, 3)), 0, 0, False)
    with pytest.raises(ValueError, match="bad mode 2"):
        K.sample(np.zeros((1, 2, 3, 3, 3)), np.zeros((1, 2, 2, 2, 3)), 2, 0, False)
    with pytest.raises(ValueError, match="empty spatial"):
        K.sample(np.zeros((1, 2, 0, 3)), grid, 0, 0, False)
    with pytest.raises(ValueError, match="gradient"):
        K.sample_backward(np.zeros((1, 2, 2, 3)), x, grid, 0, 0, False)
