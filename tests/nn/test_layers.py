"""Layers against PyTorch: torch's weights are loaded through state_dict, then
outputs, parameter and input gradients, buffers (running stats), state_dict keys
and reprs must match. The functional forms' values, gradients, gradcheck and
gradgradcheck are the op table's (tests/ops/test_op_table.py); here are what it
doesn't see: running-stat updates, second derivatives against PyTorch's, dropout's
statistics, errors."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.nn.functional as F
from autograd_lite import nn
from helpers import randn
from nn_helpers import check_module

X2 = randn(6, 4, seed=1)
X3 = randn(5, 4, 3, seed=2)
X4 = randn(3, 4, 2, 3, seed=3)


def _pair(name, *args, **kw):
    return (lambda: getattr(nn, name)(*args, **kw)), (lambda: getattr(torch.nn, name)(*args, **kw))


# ---- Linear / Bilinear / Identity ----------------------------------------------------------------
@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("x", [randn(4, seed=4), X2, X3.transpose(0, 2, 1).copy(), randn(2, 3, 5, 4, seed=5)],
                         ids=["1d", "2d", "3d", "4d"])
def test_linear(x, bias):
    check_module(*_pair("Linear", 4, 3, bias=bias), x)


def test_linear_repr_and_state_dict():
    for bias in (True, False):
        ours, theirs = nn.Linear(4, 3, bias=bias), torch.nn.Linear(4, 3, bias=bias)
        assert repr(ours) == repr(theirs)
        assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
            [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    assert nn.Linear(4, 3).weight.dtype == np.float32
    assert nn.Linear(4, 3, dtype=ag.float64).bias.dtype == np.float64


def test_linear_errors():
    m = nn.Linear(4, 3)
    with pytest.raises(ValueError, match=r"\(6, 5\)"):
        m(ag.randn(6, 5))
    with pytest.raises(RuntimeError, match="dtype"):
        m(ag.randn(6, 4, dtype=ag.float64))


@pytest.mark.parametrize("bias", [True, False])
def test_bilinear(bias):
    check_module(*_pair("Bilinear", 4, 3, 2, bias=bias), X2, randn(6, 3, seed=8))
    check_module(*_pair("Bilinear", 3, 4, 2, bias=bias), X3, randn(5, 4, 4, seed=9))
    ours, theirs = nn.Bilinear(4, 3, 2, bias=bias), torch.nn.Bilinear(4, 3, 2, bias=bias)
    assert repr(ours) == repr(theirs)


def test_identity():
    m = nn.Identity(3, some_arg=True)
    x = ag.randn(2, 3)
    assert m(x) is x
    assert repr(m) == repr(torch.nn.Identity()) and m.state_dict() == {}


# ---- Flatten / Unflatten -------------------------------------------------------------------------
@pytest.mark.parametrize("args", [(), (0,), (1, 2), (0, -2), (2, 3)])
def test_flatten(args):
    check_module(*_pair("Flatten", *args), X4)
    assert repr(nn.Flatten(*args)) == repr(torch.nn.Flatten(*args))


@pytest.mark.parametrize("args", [(1, (2, 2)), (-1, (3, 1)), (2, [1, 2, 1])])
def test_unflatten(args):
    check_module(*_pair("Unflatten", *args), X4.reshape(3, 4, 6)[:, :, :3].copy() if args[0] != 2
                 else X4.reshape(3, 4, 6)[:, :, :2].copy())
    assert repr(nn.Unflatten(*args)) == repr(torch.nn.Unflatten(*args))


# ---- Dropout ---------------------------------------------------------------------------------------
def test_dropout_train_statistics_and_gradient():
    ag.manual_seed(0)
    m = nn.Dropout(0.3)
    x = ag.ones(200, 500, requires_grad=True)
    y = m(x)
    kept = y._data != 0
    assert abs(kept.mean() - 0.7) < 0.01  # 100,000 draws: 0.01 is > 6 standard deviations
    np.testing.assert_allclose(y._data[kept], 1 / 0.7, rtol=1e-6)
    y.backward(ag.full((200, 500), 2.0))
    np.testing.assert_allclose(x.grad._data, np.where(kept, 2 / 0.7, 0), rtol=1e-6)
    assert y.dtype == np.float32


def test_dropout_eval_and_edge_probabilities():
    x = ag.randn(4, 5)
    m = nn.Dropout(0.5).eval()
    assert m(x) is x
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout(x, 1.0)._data, np.zeros((4, 5), np.float32))
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match="between 0 and 1"):
            nn.Dropout(p)
        with pytest.raises(ValueError, match="between 0 and 1"):
            F.dropout(x, p)
    assert repr(nn.Dropout(0.2, inplace=True)) == repr(torch.nn.Dropout(0.2, inplace=True))
    assert repr(nn.Dropout()) == repr(torch.nn.Dropout())


def test_dropout_is_repeatable_with_manual_seed():
    x = ag.ones(50, 50)
    ag.manual_seed(123)
    a = F.dropout(x, 0.5)._data
    b = F.dropout(x, 0.5)._data
    ag.manual_seed(123)
    np.testing.assert_array_equal(F.dropout(x, 0.5)._data, a)
    assert not np.array_equal(a, b)


def test_dropout_inplace_and_double_backward():
    ag.manual_seed(1)
    x = ag.tensor(randn(8, 9, seed=1), requires_grad=True)
    h = x * 2
    out = F.dropout(h, 0.4, inplace=True)
    assert out is h
    mask = (h._data != 0) / 0.6
    (g,) = ag.autograd.grad((out * out).sum(), x, create_graph=True)
    np.testing.assert_allclose(g._data, 8 * x._data * mask * mask, rtol=1e-12)
    (gg,) = ag.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg._data, 8 * mask * mask, rtol=1e-12)


# ---- BatchNorm -------------------------------------------------------------------------------------
BN_CONFIGS = [dict(), dict(momentum=None), dict(momentum=0.3, eps=1e-3), dict(affine=False), dict(bias=False),
              dict(track_running_stats=False), dict(affine=False, track_running_stats=False)]


@pytest.mark.parametrize("kw", BN_CONFIGS, ids=str)
@pytest.mark.parametrize("x", [X2, X3], ids=["2d", "3d"])
def test_batchnorm1d_training_steps(x, kw):
    """Four training steps on shifting batches: outputs, grads, and running stats after."""
    check_module(*_pair("BatchNorm1d", 4, **kw), lambda s: x * (1 + s) + s, steps=4)


@pytest.mark.parametrize("kw", BN_CONFIGS, ids=str)
@pytest.mark.parametrize("x", [X2, X3], ids=["2d", "3d"])
def test_batchnorm1d_eval(x, kw):
    def make(lib):
        def build():
            m = getattr(lib.nn, "BatchNorm1d")(4, **kw)
            if kw.get("track_running_stats", True):  # non-trivial running stats
                m.running_mean.data[:] = lib.tensor([0.5, -1.0, 2.0, 0.0]).data
                m.running_var.data[:] = lib.tensor([2.0, 0.5, 1.5, 3.0]).data
            if m.weight is not None:
                m.weight.data[:] = lib.tensor([1.5, -0.5, 2.0, 0.7]).data
            if m.bias is not None:
                m.bias.data[:] = lib.tensor([0.1, 0.2, -0.3, 0.4]).data
            return m
        return build

    check_module(make(ag), make(torch), x, train=False, steps=2)


def test_batchnorm1d_train_then_eval_then_train():
    ours, theirs = nn.BatchNorm1d(4).double(), torch.nn.BatchNorm1d(4).double()
    for step, train in enumerate([True, True, False, True, False]):
        ours.train(train)
        theirs.train(train)
        x = X3 * (step + 1) - step
        y = ours(ag.tensor(x))
        np.testing.assert_allclose(y._data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-6, atol=1e-8)
    for k, v in theirs.state_dict().items():
        np.testing.assert_allclose(ours.state_dict()[k]._data, v.numpy(), rtol=1e-6, atol=1e-8, err_msg=k)
    assert int(ours.num_batches_tracked.item()) == 3


def test_batchnorm_buffers_state_dict_and_repr():
    for kw in BN_CONFIGS:
        ours, theirs = nn.BatchNorm1d(5, **kw), torch.nn.BatchNorm1d(5, **kw)
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
        assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    with pytest.raises(RuntimeError, match="dtype"):  # mixed dtypes are refused, as PyTorch
        nn.BatchNorm1d(5)(ag.randn(3, 5, dtype=ag.float64))
    m = nn.BatchNorm1d(3)
    assert m.num_batches_tracked.dtype == np.int64 and m.num_batches_tracked.shape == ()
    np.testing.assert_array_equal(m.running_var._data, np.ones(3, np.float32))
    m.double()
    assert m.running_mean.dtype == np.float64 and m.num_batches_tracked.dtype == np.int64


def test_batchnorm2d():
    check_module(*_pair("BatchNorm2d", 4), lambda s: X4 * (s + 1), steps=2)
    check_module(*_pair("BatchNorm2d", 4, momentum=None, affine=False), X4, train=False)
    assert repr(nn.BatchNorm2d(4)) == repr(torch.nn.BatchNorm2d(4))


def test_batchnorm_errors():
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        nn.BatchNorm1d(4)(ag.randn(2, 4, 3, 3))
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(4)(ag.randn(2, 4))
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        nn.BatchNorm1d(4)(ag.randn(1, 4))
    nn.BatchNorm1d(4).eval()(ag.randn(1, 4))  # fine in eval mode
    with pytest.raises(ValueError, match="channels"):
        nn.BatchNorm1d(4)(ag.randn(3, 5))


def test_batch_norm_functional_matches_torch():
    rm_a, rv_a = ag.zeros(4, dtype=ag.float64), ag.ones(4, dtype=ag.float64)
    rm_t, rv_t = torch.zeros(4, dtype=torch.float64), torch.ones(4, dtype=torch.float64)
    x = X3
    for training, momentum in ((True, 0.1), (True, 0.5), (False, 0.1)):
        ya = F.batch_norm(ag.tensor(x), rm_a, rv_a, training=training, momentum=momentum, eps=1e-4)
        yt = torch.nn.functional.batch_norm(torch.tensor(x), rm_t, rv_t, training=training,
                                            momentum=momentum, eps=1e-4)
        np.testing.assert_allclose(ya._data, yt.numpy(), rtol=1e-10)
        np.testing.assert_allclose(rm_a._data, rm_t.numpy(), rtol=1e-12)
        np.testing.assert_allclose(rv_a._data, rv_t.numpy(), rtol=1e-12)


# ---- LayerNorm -------------------------------------------------------------------------------------
LN_CONFIGS = [((4,), {}), (4, {}), ((4,), dict(eps=1e-3)), ((4,), dict(elementwise_affine=False)),
              ((4,), dict(bias=False)), ((4, 3), {})]


@pytest.mark.parametrize("case", LN_CONFIGS, ids=str)
def test_layernorm(case):
    shape, kw = case
    x = X3.transpose(0, 2, 1).copy() if shape in ((4,), 4) else X3.reshape(5, 4, 3)

    def make(lib):
        def build():
            m = lib.nn.LayerNorm(shape, **kw)
            with lib.no_grad():  # non-trivial affine parameters
                for p in m.parameters():
                    p.copy_(lib.tensor(randn(*p.shape, seed=p.ndim), dtype=p.dtype))
            return m
        return build

    check_module(make(ag), make(torch), x)
    check_module(make(ag), make(torch), x[0])
    assert repr(nn.LayerNorm(shape, **kw)) == repr(torch.nn.LayerNorm(shape, **kw))


def test_layernorm_constant_rows_and_large_offsets():
    x = np.concatenate([np.full((2, 6), 3.0), randn(2, 6, seed=3) * 1e-3 + 1e4])
    check_module(*_pair("LayerNorm", 6), x, dtypes=(np.float64,))


def test_layer_norm_errors():
    with pytest.raises(ValueError, match=r"normalized_shape=\[4\]"):
        F.layer_norm(ag.randn(2, 3), (4,))
    with pytest.raises(ValueError, match="weight"):
        F.layer_norm(ag.randn(2, 4), (4,), ag.ones(3))


@pytest.mark.parametrize("fn", ["layer_norm", "batch_norm"])
def test_norm_double_backward_matches_torch(fn):
    """A gradient penalty ||dL/dx||^2 differentiated again, compared with PyTorch."""
    x0, w0, b0, v0 = randn(5, 4, seed=31), randn(4, seed=32), randn(4, seed=33), randn(5, 4, seed=34)
    res = []
    for lib, mod in ((ag, F), (torch, torch.nn.functional)):
        x, w, b = (lib.tensor(a, requires_grad=True) for a in (x0, w0, b0))
        if fn == "layer_norm":
            y = mod.layer_norm(x, (4,), w, b)
        else:
            y = mod.batch_norm(x, None, None, w, b, training=True)
        (gx,) = lib.autograd.grad((y * lib.tensor(v0)).sum(), x, create_graph=True)
        pen = (gx * gx).sum()
        res.append([g.detach().numpy() for g in lib.autograd.grad(pen, (x, w))])
    for a, t in zip(*res):
        np.testing.assert_allclose(a, t, rtol=1e-7, atol=1e-10)


# ---- Embedding -------------------------------------------------------------------------------------
IDX = np.array([[1, 2, 0, 4], [3, 0, 0, 2], [9, 1, 1, 1]])


@pytest.mark.parametrize("kw", [dict(), dict(padding_idx=0), dict(padding_idx=-1), dict(scale_grad_by_freq=True),
                                dict(padding_idx=1, scale_grad_by_freq=True)], ids=str)
def test_embedding(kw):
    check_module(*_pair("Embedding", 10, 3, **kw), IDX)
    check_module(*_pair("Embedding", 10, 3, **kw), IDX[0].astype(np.int32))
    assert repr(nn.Embedding(10, 3, **kw)) == repr(torch.nn.Embedding(10, 3, **kw))


def test_embedding_padding_row_is_zero_and_gets_no_gradient():
    m = nn.Embedding(6, 4, padding_idx=2)
    np.testing.assert_array_equal(m.weight._data[2], 0)
    assert np.all(m.weight._data[[0, 1, 3, 4, 5]] != 0)
    m.weight._data[2] = 5.0  # even a non-zero padding row gets no gradient
    m(ag.tensor([2, 2, 3])).sum().backward()
    np.testing.assert_array_equal(m.weight.grad._data[2], 0)
    np.testing.assert_array_equal(m.weight.grad._data[3], 1)


def test_embedding_max_norm():
    def make(lib):
        def build():
            m = lib.nn.Embedding(10, 3, max_norm=1.0)
            with lib.no_grad():
                m.weight.copy_(lib.tensor(randn(10, 3, seed=5) * 2, dtype=m.weight.dtype))
            return m
        return build

    ours, theirs = check_module(make(ag), make(torch), IDX)
    norms = np.linalg.norm(ours.weight._data.astype(np.float64), axis=1)
    assert np.all(norms[np.unique(IDX)] <= 1 + 1e-6)
    assert repr(ours) == repr(theirs)


def test_embedding_from_pretrained():
    w = randn(5, 3, seed=9).astype(np.float32)
    for freeze in (True, False):
        ours = nn.Embedding.from_pretrained(ag.tensor(w), freeze=freeze, padding_idx=1)
        theirs = torch.nn.Embedding.from_pretrained(torch.tensor(w), freeze=freeze, padding_idx=1)
        assert ours.weight.requires_grad == theirs.weight.requires_grad == (not freeze)
        np.testing.assert_array_equal(ours.weight._data, w)  # the padding row keeps its values
        assert repr(ours) == repr(theirs)
        y = ours(ag.tensor([[0, 1], [4, 4]]))
        np.testing.assert_array_equal(y._data, w[[[0, 1], [4, 4]]])
        if not freeze:
            y.sum().backward()
            np.testing.assert_array_equal(ours.weight.grad._data[:, 0], [1, 0, 0, 0, 2])


def test_embedding_errors():
    m = nn.Embedding(5, 2)
    with pytest.raises(IndexError, match="out of range"):
        m(ag.tensor([0, 5]))
    with pytest.raises(IndexError, match="out of range"):
        m(ag.tensor([-1]))
    with pytest.raises(TypeError, match="integer"):
        m(ag.tensor([0.0, 1.0]))
    with pytest.raises(AssertionError, match="Padding_idx"):
        nn.Embedding(5, 2, padding_idx=5)


def test_embedding_double_backward_matches_torch():
    """The scatter-add backward's own backward (a lookup) gives PyTorch's second-order
    gradients (gradcheck and gradgradcheck are the op table's)."""
    w0, v0 = randn(10, 3, seed=3), randn(3, 4, 3, seed=4)
    res = []
    for lib in (ag, torch):
        w = lib.tensor(w0, requires_grad=True)
        y = lib.nn.functional.embedding(lib.tensor(IDX), w, padding_idx=1)
        (g,) = lib.autograd.grad((y * y * lib.tensor(v0)).sum(), w, create_graph=True)
        (h,) = lib.autograd.grad((g * g).sum(), w)
        res.append((g.detach().numpy(), h.detach().numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-10)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-10)


# ---- one_hot ---------------------------------------------------------------------------------------
def test_one_hot_errors():
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(ag.tensor([-1, 0]), 3)
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(ag.tensor([3]), 3)
    with pytest.raises(RuntimeError, match="LongTensor"):
        F.one_hot(ag.tensor([1.0]))


# ---- a small model end to end ----------------------------------------------------------------------
def test_small_model_matches_torch():
    def make(lib):
        n = lib.nn
        return lambda: n.Sequential(n.Linear(4, 8, bias=False), n.BatchNorm1d(8), n.GELU(), n.Dropout(0.0),
                                    n.Linear(8, 6), n.LayerNorm(6), n.SiLU(), n.Linear(6, 2), n.LogSoftmax(dim=1))

    check_module(make(ag), make(torch), lambda s: X2 + s, steps=3)


# ---- the normalisation kernels against their NumPy references --------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_layer_norm_kernel_matches_numpy_reference(dtype):
    from autograd_lite.kernels import normalization as K
    from autograd_lite.ops import normalization as N

    tol = dict(rtol=1e-12, atol=1e-12) if dtype == np.float64 else dict(rtol=2e-5, atol=2e-5)
    rng = np.random.default_rng(0)
    for m, k in ((7, 5), (3, 64), (1, 1), (0, 4)):
        x = (rng.standard_normal((k, m)).T * 3 + 1).astype(dtype)  # a non-contiguous view
        w, b = rng.standard_normal(k).astype(dtype), rng.standard_normal(k).astype(dtype)
        g = rng.standard_normal((m, k)).astype(dtype)
        got = K.layer_norm_forward(x, w, b, 1e-5)
        want = N.layer_norm_forward_numpy(x, w, b, 1e-5)
        for a, r in zip(got, want):
            assert a.dtype == dtype
            np.testing.assert_allclose(a, r, **tol)
        for a, r in zip(K.layer_norm_backward(g, got[1], got[2], w),
                        N.layer_norm_backward_numpy(g, want[1], want[2], w)):
            assert a.dtype == dtype
            np.testing.assert_allclose(a, r, **tol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("shape", [(6, 4), (5, 3, 7), (2, 3, 4, 5), (3, 1)])
def test_batch_norm_kernel_matches_numpy_reference(shape, dtype):
    from autograd_lite.kernels import normalization as K
    from autograd_lite.ops import normalization as N

    tol = dict(rtol=1e-12, atol=1e-12) if dtype == np.float64 else dict(rtol=2e-5, atol=2e-5)
    rng = np.random.default_rng(1)
    x = (rng.standard_normal(shape[::-1]).T * 2 - 1).astype(dtype)  # non-contiguous
    g = rng.standard_normal(shape).astype(dtype)
    c = shape[1]
    w, b = rng.standard_normal(c).astype(dtype), rng.standard_normal(c).astype(dtype)
    for a, r in zip(K.batch_norm_stats(x), N.batch_norm_stats_numpy(x)):
        np.testing.assert_allclose(a, r, **tol)
    mean, var = N.batch_norm_stats_numpy(x)
    invstd = (1 / np.sqrt(var + 1e-5)).astype(dtype)
    out, xhat = K.batch_norm_forward(x, mean, invstd, w, b)
    r_out, r_xhat = N.batch_norm_forward_numpy(x, mean, invstd, w, b)
    np.testing.assert_allclose(out, r_out, **tol)
    np.testing.assert_allclose(xhat, r_xhat, **tol)
    scale = w * invstd
    for training in (True, False):
        gx_r, sg_r, sgx_r = N.batch_norm_backward_numpy(g, r_xhat, scale, training)
        sg, sgx = K.batch_norm_sums(g, xhat)
        np.testing.assert_allclose(sg, sg_r, **tol)
        np.testing.assert_allclose(sgx, sgx_r, **tol)
        n = g.size // c
        zeros = np.zeros(c, dtype)
        mg = (sg / n).astype(dtype) if training else zeros
        mgx = (sgx / n).astype(dtype) if training else zeros
        gx = K.batch_norm_grad_input(g, xhat, scale, mg, mgx)
        assert gx.dtype == dtype and gx.shape == shape
        np.testing.assert_allclose(gx, gx_r, **tol)


def test_norms_propagate_nan_per_row_and_channel():
    x = randn(4, 6, seed=1)
    x[1, 2] = np.nan
    y = F.layer_norm(ag.tensor(x), 6)._data
    assert np.all(np.isnan(y[1])) and np.all(np.isfinite(np.delete(y, 1, axis=0)))
    z = F.batch_norm(ag.tensor(x), None, None, training=True)._data
    assert np.all(np.isnan(z[:, 2])) and np.all(np.isfinite(np.delete(z, 2, axis=1)))


def test_norms_float16_use_the_numpy_path():
    x = randn(4, 6, seed=2)
    for fn in (lambda t: F.layer_norm(t, 6), lambda t: F.batch_norm(t, None, None, training=True)):
        h = ag.tensor(x.astype(np.float16), requires_grad=True)
        y = fn(h)
        assert y.dtype == np.float16
        np.testing.assert_allclose(y._data, fn(ag.tensor(x))._data, atol=2e-2)
        y.sum().backward()
        assert h.grad.dtype == np.float16


@pytest.mark.parametrize("fn", [lambda x, w: F.layer_norm(x, 4, w), lambda x, w: F.batch_norm(x, None, None, w, training=True)],
                         ids=["layer_norm", "batch_norm"])
def test_norm_backward_twice_and_after_inplace_change_raise(fn):
    x = ag.randn(3, 4, requires_grad=True)
    w = ag.ones(4, requires_grad=True)
    y = fn(x * 1, w).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()
    with ag.no_grad():
        w2 = w * 1
    w2.requires_grad_()
    y = fn(x, w2).sum()
    with ag.no_grad():
        w2.mul_(2)
    with pytest.raises(RuntimeError, match="in-place"):
        y.backward()
