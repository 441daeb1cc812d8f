"""The attention softmax kernels (scale, mask, causal mask, fully masked rows; the
backward rule) against the NumPy reference in autograd_lite/ops/attention.py."""
import numpy as np
import pytest

from autograd_lite.kernels import attention as K
from autograd_lite.ops.attention import masked_softmax_numpy

DTYPES = [pytest.param(np.float64, id="float64"), pytest.param(np.float32, id="float32")]

# scores shape, mask shape (None: no mask), causal
GEOMETRIES = [
    ((4, 5), None, False),
    ((3, 4, 5), (4, 5), False),
    ((2, 3, 4, 6), (2, 1, 1, 6), False),  # a key-padding mask: zero strides in the middle
    ((2, 3, 4, 6), (2, 3, 4, 6), True),
    ((2, 2, 3, 5, 4), (2, 1, 3, 5, 4), False),  # three batch dims: merged to two
    ((2, 2, 3, 5, 4), (1, 4), True),
    ((3, 7, 3), None, True),  # more queries than keys
    ((3, 1, 5), (1, 5), False),
]


def _mask(shape, rng, dtype):
    if shape is None:
        return None
    m = rng.standard_normal(shape).astype(dtype)
    m[rng.random(shape) < 0.3] = -np.inf
    m[..., 0, :] = -np.inf  # a fully masked row in every batch the mask covers
    return m


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("nan_rows", [False, True])
@pytest.mark.parametrize("geo", GEOMETRIES, ids=[str(i) for i in range(len(GEOMETRIES))])
def test_masked_softmax_matches_numpy(geo, nan_rows, dtype):
    shape, mask_shape, causal = geo
    rng = np.random.default_rng(0)
    s = (3 * rng.standard_normal(shape)).astype(dtype)
    mask = _mask(mask_shape, rng, dtype)
    expected = masked_softmax_numpy(s, mask, 0.37, causal, nan_rows)
    out = K.masked_softmax_(s.copy(), mask, 0.37, causal, nan_rows)
    assert out.dtype == dtype and out.shape == shape
    tol = dict(rtol=1e-12, atol=1e-15) if dtype == np.float64 else dict(rtol=2e-6, atol=1e-7)
    np.testing.assert_allclose(out, expected, equal_nan=True, **tol)
    if mask is not None:  # the fully masked rows: zeros, or NaN
        dead = out[..., 0, :]
        assert np.all(np.isnan(dead)) if nan_rows else np.all(dead == 0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_nan_and_inf_scores_give_nan_rows_as_numpy(dtype):
    s = np.zeros((4, 3), dtype)
    s[0, 1] = np.nan
    s[1] = [np.nan, -np.inf, -np.inf]  # not fully masked: NaN, as PyTorch's softmax
    s[2, 2] = np.inf
    mask = np.zeros((4, 3), dtype)
    mask[3] = -np.inf
    out = K.masked_softmax_(s.copy(), mask, 1.0, False, False)
    np.testing.assert_array_equal(np.isnan(out), np.isnan(masked_softmax_numpy(s, mask, 1.0, False, False)))
    assert np.all(np.isnan(out[:3])) and np.all(out[3] == 0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 4, 6), (2, 2, 3, 5, 4), (3, 0, 4)])
def test_softmax_backward_matches_numpy(shape, dtype):
    rng = np.random.default_rng(1)
    p = masked_softmax_numpy(rng.standard_normal(shape).astype(dtype), None, 1.0, False, False)
    gp = rng.standard_normal(shape).astype(dtype)
    expected = p * (gp - np.sum(gp * p, axis=-1, keepdims=True))
    out = K.masked_softmax_backward_(gp.copy(), p)
    tol = dict(rtol=1e-12, atol=1e-15) if dtype == np.float64 else dict(rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(out, expected, **tol)


@pytest.mark.parametrize("dtype", DTYPES)
def test_empty_scores(dtype):
    for shape in [(0, 3), (2, 0, 4), (2, 3, 0)]:
        s = np.zeros(shape, dtype)
        assert K.masked_softmax_(s, None, 1.0, True, False).shape == shape
