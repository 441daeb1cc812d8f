"""im2col/col2im kernels against the NumPy references, over odd geometries."""
import numpy as np
import pytest

from autograd_lite.kernels import conv as K

import references as ref

DTYPES = [pytest.param(np.float64, id="float64"), pytest.param(np.float32, id="float32")]

# (N, C, H, W), kernel, stride, (top, left) padding, dilation, output size
GEOMETRIES = [
    ((2, 3, 7, 8), (3, 3), (1, 1), (0, 0), (1, 1), (5, 6)),
    ((1, 2, 5, 9), (2, 4), (2, 3), (1, 2), (1, 1), (3, 3)),
    ((3, 1, 9, 7), (3, 2), (1, 2), (2, 1), (2, 3), (9, 3)),
    ((2, 2, 4, 4), (5, 5), (1, 1), (2, 2), (1, 1), (4, 4)),  # 'same'
    ((1, 3, 6, 5), (1, 1), (3, 2), (0, 0), (1, 1), (2, 3)),
    ((2, 2, 3, 3), (2, 2), (1, 1), (3, 3), (1, 1), (8, 8)),  # padding larger than the input
    ((2, 2, 8, 8), (3, 3), (2, 2), (1, 1), (1, 1), (3, 2)),  # a cropped output (conv_transpose adjoint)
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("geo", GEOMETRIES, ids=[str(i) for i in range(len(GEOMETRIES))])
def test_im2col_and_col2im_match_numpy(geo, dtype):
    shape, k, s, p, d, out = geo
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    cols = K.im2col(x, k, s, p, d, out)
    assert cols.dtype == dtype
    np.testing.assert_array_equal(cols, ref.im2col(x, k, s, p, d, out))
    c = rng.standard_normal(cols.shape).astype(dtype)
    back = K.col2im(c, shape, k, s, p, d, out)
    assert back.dtype == dtype
    np.testing.assert_allclose(back, ref.col2im(c, shape, k, s, p, d, out), rtol=1e-6, atol=1e-6)
    # adjoint: <im2col(x), c> == <x, col2im(c)>
    np.testing.assert_allclose(np.vdot(cols, c), np.vdot(x, back), rtol=1e-4)


def test_im2col_takes_non_contiguous_input():
    x = np.random.default_rng(1).standard_normal((3, 2, 6, 5))[:, :, ::2, :].transpose(0, 1, 3, 2)
    np.testing.assert_array_equal(K.im2col(x, (2, 2), (1, 1), (0, 0), (1, 1), (4, 2)),
                                  ref.im2col(np.ascontiguousarray(x), (2, 2), (1, 1), (0, 0), (1, 1), (4, 2)))


def test_kernels_refuse_bad_input():
    x = np.zeros((1, 1, 4, 4))
    with pytest.raises(TypeError, match="im2col"):
        K.im2col(x.astype(np.int64), (2, 2), (1, 1), (0, 0), (1, 1), (3, 3))
    with pytest.raises(ValueError, match="im2col"):
        K.im2col(x, (2, 2), (0, 1), (0, 0), (1, 1), (3, 3))
    with pytest.raises(ValueError, match="col2im"):
        K.col2im(np.zeros((4, 1, 8)), (1, 1, 4, 4), (2, 2), (1, 1), (0, 0), (1, 1), (3, 3))


def test_parallel_drivers_match_serial(monkeypatch):
    import autograd_lite.threads as threads

    monkeypatch.setattr(K, "get_num_threads", lambda: 2)
    assert K._parallel(3) and threads.get_num_threads() >= 1
    shape, k, s, p, d, out = GEOMETRIES[2]
    x = np.random.default_rng(2).standard_normal(shape)
    cols = K.im2col(x, k, s, p, d, out)
    np.testing.assert_array_equal(cols, ref.im2col(x, k, s, p, d, out))
    np.testing.assert_allclose(K.col2im(cols, shape, k, s, p, d, out), ref.col2im(cols, shape, k, s, p, d, out))
    shape, k, _, p, d, out = GEOMETRIES[3]  # stride 1: the wide kernels' parallel drivers
    x = np.random.default_rng(3).standard_normal(shape)
    wp = K.wide_size(shape[2], shape[3], k, p, d, out)[1]
    wide = K.clear_wide_gaps(K.im2col_wide(x, k, p, d, out), wp, out[1])
    back = K.col2im_wide(wide, shape, k, p, d, out)
    monkeypatch.setattr(K, "get_num_threads", lambda: 1)  # the serial drivers again
    np.testing.assert_array_equal(wide, K.clear_wide_gaps(K.im2col_wide(x, k, p, d, out), wp, out[1]))
    np.testing.assert_allclose(back, K.col2im_wide(wide, shape, k, p, d, out), rtol=1e-12)


STRIDE1 = [g for g in GEOMETRIES if g[2] == (1, 1)] + [((2, 2, 5, 6), (2, 3), (1, 1), (0, 2), (2, 1), (3, 8))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("geo", STRIDE1, ids=[str(i) for i in range(len(STRIDE1))])
def test_wide_layout_matches_numpy(geo, dtype):
    """Stride-1 columns with each output row Wp long: the first OW entries are im2col's,
    the rest multiply zeros; col2im_wide is the adjoint on zero-gapped columns."""
    shape, k, _, p, d, out = geo
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    hp, wp = K.wide_size(shape[2], shape[3], k, p, d, out)
    cols = K.im2col_wide(x, k, p, d, out)
    assert cols.shape == (shape[1] * k[0] * k[1], shape[0], out[0] * wp) and cols.dtype == dtype
    wide = cols.reshape(-1, shape[0], out[0], wp)
    want = ref.im2col(x, k, (1, 1), p, d, out).reshape(wide.shape[:3] + (out[1],))
    np.testing.assert_array_equal(wide[..., :out[1]], want)
    g = np.zeros(wide.shape, dtype)
    g[..., :out[1]] = rng.standard_normal(want.shape)
    back = K.col2im_wide(g.reshape(cols.shape), shape, k, p, d, out)
    flat = np.ascontiguousarray(g[..., :out[1]]).reshape(-1, shape[0], out[0] * out[1])
    np.testing.assert_allclose(back, ref.col2im(flat, shape, k, (1, 1), p, d, out), rtol=1e-5, atol=1e-6)


def test_wide_gaps_are_zero_for_non_finite_input():
    x = np.ones((1, 1, 4, 4))
    x[0, 0, 1, 2] = np.inf
    cols = K.im2col_wide(x, (3, 3), (1, 1), (1, 1), (4, 4))
    assert not cols.reshape(-1, 6)[:, 4:].any()
