"""Convolution kernels against the NumPy references: the per-chunk im2col/col2im
kernels and passes (kernels/conv.py) over odd geometries, and the chunked GEMM
drivers (kernels/conv_gemm.py) over many chunks, groups, threads and non-finite
values, both ways they run: a task's chunks in one kernel call (kernels/conv_fused.py)
and chunk by chunk from Python (groups, or a BLAS the kernels can't call)."""
import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite.kernels import blas
from autograd_lite.kernels import conv as K
from autograd_lite.kernels import conv_fused, conv_gemm
from autograd_lite.ops.conv import Geometry

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
    ((3, 2, 5, 6), (2, 3), (1, 1), (0, 2), (2, 1), (3, 8)),
    ((2, 1, 4, 3), (3, 3), (2, 3), (9, 9), (1, 1), (2, 2)),  # every tap in the padding
]
IDS = [str(i) for i in range(len(GEOMETRIES))]


def _geometry(geo, groups=1):
    shape, k, s, p, d, out = geo
    return Geometry(k, s, p, d, groups, shape[2:], out)


def _chunk(a, b0, nb):
    return np.ascontiguousarray(a[b0:b0 + nb])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("geo", GEOMETRIES, ids=IDS)
def test_chunk_columns_match_numpy(geo, dtype):
    """Columns of samples b0 .. b0 + nb (general or wide layout) are im2col's; col2im
    and col2im_wide + crop are its adjoint, bias included."""
    shape, k, s, p, d, out = geo
    g = _geometry(geo)
    rng = np.random.default_rng(0)
    n = shape[0] + 2
    x = rng.standard_normal((n,) + shape[1:]).astype(dtype)
    b0, nb = 1, shape[0]
    plan = conv_gemm._Plan(g, n, shape[1], 1, np.dtype(dtype))
    cols = plan.columns(x, b0, nb, clean=True)
    assert cols.dtype == dtype and cols.shape == (plan.k, nb, out[0] * g.row)
    want = ref.im2col(_chunk(x, b0, nb), k, s, p, d, out)
    got = cols.reshape(plan.k, nb, out[0], g.row)[..., :out[1]].reshape(want.shape)
    np.testing.assert_array_equal(got, want)
    grads = np.zeros(cols.shape, dtype)
    grads.reshape(plan.k, nb, out[0], g.row)[..., :out[1]] = rng.standard_normal(
        (plan.k, nb, out[0], out[1]))
    dense = np.ascontiguousarray(grads.reshape(plan.k, nb, out[0], g.row)[..., :out[1]]).reshape(want.shape)
    bias = rng.standard_normal(shape[1]).astype(dtype)
    back = np.full(x.shape, 7.0, dtype)
    plan.scatter(grads, back, b0, bias)
    expect = ref.col2im(dense, (nb,) + shape[1:], k, s, p, d, out) + bias.reshape(1, -1, 1, 1)
    np.testing.assert_allclose(back[b0:b0 + nb], expect, rtol=1e-6, atol=1e-6)
    assert (back[:b0] == 7).all() and (back[b0 + nb:] == 7).all()  # other samples untouched
    # adjoint: <im2col(x), c> == <x, col2im(c)>
    back0 = np.zeros(x.shape, dtype)
    plan.scatter(grads, back0, b0, np.empty(0, dtype))
    np.testing.assert_allclose(np.vdot(want, dense), np.vdot(x[b0:b0 + nb], back0[b0:b0 + nb]), rtol=1e-4)


def test_output_and_gradient_passes():
    rng = np.random.default_rng(1)
    y = rng.standard_normal((3, 2, 4, 7))  # (Co, B, OH, row)
    y[0, 0, 0, 0], y[1, 1, 2, 3] = np.nan, -0.0
    out = np.zeros((5, 3, 4, 5))
    bias = rng.standard_normal(3)
    K.output_pass(y, bias, 5, out, 2, False)
    np.testing.assert_array_equal(out[2:4], y[..., :5].transpose(1, 0, 2, 3) + bias.reshape(1, 3, 1, 1))
    assert not out[:2].any() and not out[4:].any()
    K.output_pass(y, np.empty(0), 5, out, 0, False)
    np.testing.assert_array_equal(out[:2], y[..., :5].transpose(1, 0, 2, 3))
    K.output_pass(y, np.empty(0), 5, out, 0, True)  # ReLU: NaN stays, -0.0 becomes 0.0
    want = y[..., :5].transpose(1, 0, 2, 3)
    np.testing.assert_array_equal(out[:2], np.where(want <= 0, 0.0, want))
    assert np.signbit(out[:2]).sum() == 0 and np.isnan(out[0, 0, 0, 0])
    for relu in (False, True):  # the kernel Python callers pick runs the same pass
        for b in (bias, np.empty(0)):
            want, got = np.zeros_like(out), np.zeros_like(out)
            K.output_pass(y, b, 5, want, 1, relu)
            K.output_pass_kernel(relu, b)(y, b, 5, got, 1)
            np.testing.assert_array_equal(got, want)
    gy = rng.standard_normal((5, 3, 4, 5))
    no_mask, no_sums = np.empty((0, 0, 0, 0)), np.empty(0)
    gc = np.full((3, 2, 4, 7), np.nan)
    K.grad_columns(gy, 3, gc, no_mask, no_sums)
    np.testing.assert_array_equal(gc[..., :5], gy[3:5].transpose(1, 0, 2, 3))
    assert not gc[..., 5:].any()
    relu_out = np.maximum(rng.standard_normal(gy.shape), 0)
    relu_out[4, 1, 0, 0] = np.nan  # passes its gradient
    sums = np.ones(3)
    K.grad_columns(gy, 3, gc, relu_out, sums)
    masked = np.where(relu_out <= 0, 0, gy)[3:5].transpose(1, 0, 2, 3)
    np.testing.assert_array_equal(gc[..., :5], masked)
    assert gc[1, 1, 0, 0] == gy[4, 1, 0, 0]
    np.testing.assert_allclose(sums, 1 + masked.sum((1, 2, 3)), rtol=1e-12)
    # the other two combinations: sums without a mask, a mask without sums
    gc, sums = np.full((3, 2, 4, 7), np.nan), np.zeros(3)
    K.grad_columns(gy, 3, gc, no_mask, sums)
    assert not gc[..., 5:].any()
    np.testing.assert_allclose(sums, gy[3:5].sum((0, 2, 3)), rtol=1e-12)
    gc = np.full((3, 2, 4, 7), np.nan)
    K.grad_columns(gy, 3, gc, relu_out, no_sums)
    np.testing.assert_array_equal(gc[..., :5], masked)
    assert not gc[..., 5:].any()


def test_wide_gaps_are_zero_for_non_finite_input():
    x = np.ones((1, 1, 4, 4))
    x[0, 0, 1, 2] = np.inf
    g = Geometry((3, 3), (1, 1), (1, 1), (1, 1), 1, (4, 4), (4, 4))
    plan = conv_gemm._Plan(g, 1, 1, 1, x.dtype)
    assert not plan.columns(x, 0, 1, clean=True).reshape(-1, 6)[:, 4:].any()
    assert K.all_finite(np.ones((2, 1, 3, 3)), 0, 2) and not K.all_finite(x, 0, 1)
    nan = np.zeros((3, 1, 2, 2))
    nan[2, 0, 1, 1] = np.nan
    assert K.all_finite(nan, 0, 2) and not K.all_finite(nan, 1, 2)


# ---- the chunked GEMM drivers against a whole-batch NumPy convolution ------------------------------------
def _conv_ref(x, w, b, geo):
    cols = ref.im2col(x, geo.kernel, geo.stride, geo.padding, geo.dilation, geo.out_hw)
    g, co = geo.groups, w.shape[0]
    y = np.matmul(w.reshape(g, co // g, -1), cols.reshape(g, cols.shape[0] // g, -1))
    y = y.reshape(co, x.shape[0], *geo.out_hw).transpose(1, 0, 2, 3)
    return y + (0 if b is None else b.reshape(1, -1, 1, 1))


def _transpose_ref(gy, w, b, geo):
    g, co = geo.groups, w.shape[0]
    n = gy.shape[0]
    wt = w.reshape(g, co // g, -1).transpose(0, 2, 1)
    dcols = np.matmul(wt, gy.transpose(1, 0, 2, 3).reshape(g, co // g, -1)).reshape(-1, n, gy.shape[2] * gy.shape[3])
    c = w.shape[1] * g
    x = ref.col2im(dcols, (n, c) + tuple(geo.in_hw), geo.kernel, geo.stride, geo.padding, geo.dilation, geo.out_hw)
    return x + (0 if b is None else b.reshape(1, -1, 1, 1))


def _weight_grad_ref(x, gy, geo):
    cols = ref.im2col(x, geo.kernel, geo.stride, geo.padding, geo.dilation, geo.out_hw)
    g, co = geo.groups, gy.shape[1]
    gyt = gy.transpose(1, 0, 2, 3).reshape(g, co // g, -1)
    gw = np.matmul(gyt, cols.reshape(g, cols.shape[0] // g, -1).transpose(0, 2, 1))
    return gw.reshape(co, x.shape[1] // g, *geo.kernel)


DRIVER_CASES = [  # (N, C, H, W), Co, kernel, stride, padding, dilation, groups
    ((13, 4, 9, 8), 6, (3, 3), (1, 1), (1, 1), (1, 1), 1),
    ((11, 4, 9, 8), 6, (3, 2), (2, 1), (1, 0), (1, 2), 2),
    ((9, 3, 12, 11), 3, (5, 5), (1, 1), (0, 0), (1, 1), 3),  # depthwise, no padding
    ((7, 2, 6, 7), 4, (3, 3), (2, 2), (2, 1), (2, 1), 1),
    ((5, 2, 3, 3), 2, (2, 2), (1, 1), (4, 4), (1, 1), 1),
]


@pytest.fixture(params=[1, 2], ids=["1thread", "2threads"])
def threads(request, monkeypatch):
    """Tiny chunks (many per batch, a partial last one) on 1 and 2 threads."""
    monkeypatch.setattr(conv_gemm, "CHUNK_BYTES", 1)  # one sample per chunk
    before = ag.get_num_threads()
    ag.set_num_threads(request.param)
    yield request.param
    ag.set_num_threads(before)


@pytest.fixture(params=["fused", "from_python"])
def path(request, monkeypatch):
    """The drivers' two ways: one kernel call per task through NumPy's BLAS, or the
    chunks driven from Python (what a BLAS the kernels can't call gets)."""
    if request.param == "from_python":
        monkeypatch.setattr(blas, "enabled", [False])
    else:
        monkeypatch.setattr(conv_gemm, "FUSED_ON_ONE_THREAD", [True])
    return request.param


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", DRIVER_CASES, ids=[str(i) for i in range(len(DRIVER_CASES))])
def test_drivers_match_numpy(case, dtype, threads, path):
    shape, co, k, s, p, d, groups = case
    n, c, h, w_ = shape
    out = tuple((size + 2 * pp - dd * (kk - 1) - 1) // ss + 1 for size, pp, dd, kk, ss in zip((h, w_), p, d, k, s))
    geo = Geometry(k, s, p, d, groups, (h, w_), out)
    rng = np.random.default_rng(3)
    x = rng.standard_normal(shape).astype(dtype)
    w = rng.standard_normal((co, c // groups) + k).astype(dtype)
    b = rng.standard_normal(co).astype(dtype)
    gy = rng.standard_normal((n, co) + out).astype(dtype)
    g = rng.standard_normal(shape).astype(dtype)
    tol = dict(rtol=1e-4, atol=1e-4) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-10)
    y = conv_gemm.forward(x, w, b, geo)
    assert y.dtype == dtype and y.shape == (n, co) + out
    np.testing.assert_allclose(y, _conv_ref(x, w, b, geo), **tol)
    np.testing.assert_allclose(conv_gemm.forward(x, w, None, geo), _conv_ref(x, w, None, geo), **tol)
    np.testing.assert_allclose(conv_gemm.transpose(gy, w, None, geo), _transpose_ref(gy, w, None, geo), **tol)
    bc = rng.standard_normal(c).astype(dtype)
    np.testing.assert_allclose(conv_gemm.transpose(gy, w, bc, geo), _transpose_ref(gy, w, bc, geo), **tol)
    gw = conv_gemm.weight_grad(x, gy, geo)
    assert gw.shape == w.shape and gw.dtype == dtype
    np.testing.assert_allclose(gw, _weight_grad_ref(x, gy, geo), **tol)
    gx, gw2, gb = conv_gemm.backward(x, w, gy, geo, True, True, True)
    np.testing.assert_array_equal(gx, conv_gemm.transpose(gy, w, None, geo))  # the same chunks, the same bits
    np.testing.assert_array_equal(gw2, gw)
    assert gb.dtype == dtype
    np.testing.assert_allclose(gb, gy.sum((0, 2, 3), dtype=np.float64), **tol)
    np.testing.assert_array_equal(conv_gemm.backward(x, None, gy, geo, False, False, True)[2], gb)
    assert conv_gemm.backward(x, w, gy, geo, True, False)[1:] == (None, None)
    assert conv_gemm.backward(x, w, gy, geo, False, True)[0] is None
    # with a fused ReLU: its output, and the gradients of relu(conv2d) for gy
    r = conv_gemm.forward(x, w, b, geo, relu=True)
    np.testing.assert_array_equal(r, np.where(y <= 0, 0, y))
    gm = np.where(r <= 0, 0, gy)
    gxr, gwr, gbr = conv_gemm.backward(x, w, gy, geo, True, True, True, relu_out=r)
    np.testing.assert_array_equal(gxr, conv_gemm.transpose(gm, w, None, geo))
    np.testing.assert_array_equal(gwr, conv_gemm.weight_grad(x, gm, geo))
    np.testing.assert_allclose(gbr, gm.sum((0, 2, 3), dtype=np.float64), **tol)
    dgy, dw = conv_gemm.transpose_backward(gy, w, g, geo, True, True)
    np.testing.assert_array_equal(dgy, conv_gemm.forward(g, w, None, geo))
    np.testing.assert_array_equal(dw, conv_gemm.weight_grad(g, gy, geo))


def test_drivers_on_an_empty_batch():
    geo = Geometry((3, 3), (1, 1), (1, 1), (1, 1), 1, (5, 5), (5, 5))
    x = np.zeros((0, 2, 5, 5))
    w = np.ones((4, 2, 3, 3))
    assert conv_gemm.forward(x, w, None, geo).shape == (0, 4, 5, 5)
    gx, gw, gb = conv_gemm.backward(x, w, np.zeros((0, 4, 5, 5)), geo, True, True, True)
    assert gx.shape == x.shape and gw.shape == w.shape and not gw.any() and gb.shape == (4,) and not gb.any()


def test_weight_grad_is_the_same_on_1_and_2_threads_float32(monkeypatch, path):
    """Partial sums per task, added in task order: the rounding doesn't depend on
    which thread ran which chunk, nor on the thread count."""
    monkeypatch.setattr(conv_gemm, "CHUNK_BYTES", 1)
    geo = Geometry((3, 3), (1, 1), (1, 1), (1, 1), 1, (10, 10), (10, 10))
    rng = np.random.default_rng(4)
    x = rng.standard_normal((37, 3, 10, 10)).astype(np.float32)
    gy = rng.standard_normal((37, 5, 10, 10)).astype(np.float32)
    before = ag.get_num_threads()
    try:
        results = []
        for n in (1, 2, 1, 2):
            ag.set_num_threads(n)
            results.append(conv_gemm.weight_grad(x, gy, geo))
    finally:
        ag.set_num_threads(before)
    for r in results[1:]:
        np.testing.assert_array_equal(r, results[0])


@pytest.mark.parametrize("dtype", DTYPES)
def test_non_finite_values_stay_where_they_belong(dtype, path):
    """inf in the input or the weight reaches only the outputs and gradients that
    really meet it (never through the wide layout's gaps)."""
    geo = Geometry((3, 3), (1, 1), (1, 1), (1, 1), 1, (6, 6), (6, 6))
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 2, 6, 6)).astype(dtype)
    x[1, 0, 2, 5] = np.inf
    w = rng.standard_normal((2, 2, 3, 3)).astype(dtype)
    gy = rng.standard_normal((3, 2, 6, 6)).astype(dtype)
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(np.isfinite(conv_gemm.forward(x, w, None, geo)),
                                      np.isfinite(_conv_ref(x, w, None, geo)))
        np.testing.assert_array_equal(np.isnan(conv_gemm.weight_grad(x, gy, geo)),
                                      np.isnan(_weight_grad_ref(x, gy, geo)))
        w[0, 1, 0, 0] = np.inf
        np.testing.assert_array_equal(np.isnan(conv_gemm.transpose(gy, w, None, geo)),
                                      np.isnan(_transpose_ref(gy, w, None, geo)))


def test_a_failing_task_raises_in_the_caller(monkeypatch, path):
    monkeypatch.setattr(conv_gemm, "CHUNK_BYTES", 1)
    geo = Geometry((3, 3), (1, 1), (1, 1), (1, 1), 1, (4, 4), (4, 4))
    calls = []

    def broken(*args):
        calls.append(1)
        raise MemoryError("no room")

    if path == "fused":
        monkeypatch.setattr(conv_fused, "chunks", broken)
    else:
        monkeypatch.setattr(K, "output_copy", broken)
    before = ag.get_num_threads()
    ag.set_num_threads(2)
    try:
        with pytest.raises(MemoryError, match="no room"):
            conv_gemm.forward(np.ones((6, 1, 4, 4)), np.ones((1, 1, 3, 3)), None, geo)
    finally:
        ag.set_num_threads(before)
    assert 1 <= len(calls) <= 6


def test_drivers_refuse_shapes_that_dont_fit():
    geo = Geometry((3, 3), (1, 1), (1, 1), (1, 1), 1, (5, 5), (5, 5))
    x, w = np.zeros((2, 2, 5, 5)), np.zeros((4, 2, 3, 3))
    with pytest.raises(ValueError, match="conv2d: shapes"):
        conv_gemm.forward(np.zeros((2, 2, 6, 5)), w, None, geo)
    with pytest.raises(ValueError, match="conv2d: shapes"):
        conv_gemm.forward(x, np.zeros((4, 3, 3, 3)), None, geo)
    with pytest.raises(ValueError, match="bias"):
        conv_gemm.forward(x, w, np.zeros(3), geo)
    with pytest.raises(ValueError, match="conv_transpose2d: shapes"):
        conv_gemm.transpose(np.zeros((2, 4, 4, 5)), w, None, geo)
    with pytest.raises(ValueError, match="conv2d backward: shapes"):
        conv_gemm.backward(x, w, np.zeros((2, 3, 5, 5)), geo, True, True)
    with pytest.raises(ValueError, match="conv_transpose2d backward"):
        conv_gemm.transpose_backward(np.zeros((2, 4, 5, 5)), w, np.zeros((2, 2, 5, 4)), geo, True, True)
    bad = Geometry((3, 3), (0, 1), (1, 1), (1, 1), 1, (5, 5), (5, 5))
    with pytest.raises(ValueError, match="bad geometry"):
        conv_gemm.forward(x, w, None, bad)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("geo", GEOMETRIES, ids=IDS)
def test_unfold_and_fold_match_numpy(geo, dtype, threads):
    shape, k, s, p, d, out = geo
    x = np.random.default_rng(6).standard_normal((5,) + shape[1:]).astype(dtype)
    cols = conv_gemm.unfold(x, k, s, p, d, out)
    want = ref.im2col(x, k, s, p, d, out).transpose(1, 0, 2)
    assert cols.dtype == dtype
    np.testing.assert_array_equal(cols, want)
    c = np.random.default_rng(7).standard_normal(cols.shape).astype(dtype)
    back = conv_gemm.fold(c, x.shape, k, s, p, d, out)
    np.testing.assert_allclose(back, ref.col2im(np.ascontiguousarray(c.transpose(1, 0, 2)), x.shape, k, s, p, d, out),
                               rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="fold: columns"):
        conv_gemm.fold(c[:, 1:], x.shape, k, s, p, d, out)
