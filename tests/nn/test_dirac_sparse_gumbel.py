"""nn.init.dirac_ and nn.init.sparse_, and F.gumbel_softmax, next to PyTorch's: dirac_'s
values exactly (it draws nothing; a dirac-initialised convolution passes its input
through, in both libraries); sparse_'s zeros per column and the spread of the rest;
gumbel_softmax's shapes, dtypes, sample statistics (the Gumbel-max trick: a hard
sample's argmax is distributed as softmax(logits)), its straight-through gradient and
its errors. Random values are compared as statistics, not bit for bit."""
import warnings

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from helpers import torch_dtype

DTYPES = [np.float64, np.float32]


# ---- dirac_ ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,groups", [((4, 2, 3), 1), ((6, 4, 3, 3), 2), ((2, 5, 3, 3, 3), 1),
                                          ((6, 2, 4, 4), 3), ((3, 16, 5, 5), 1), ((4, 4, 2, 2), 4)])
def test_dirac_matches_pytorch(dtype, shape, groups):
    ours = ag.full(shape, 7.0, dtype=dtype)
    theirs = torch.full(shape, 7.0, dtype=torch_dtype(dtype))
    out = nn.init.dirac_(ours, groups)
    torch.nn.init.dirac_(theirs, groups)
    assert out is ours
    assert ours.dtype == dtype
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("dtype", DTYPES)
def test_dirac_convolution_is_the_identity(dtype):
    conv = nn.Conv2d(3, 3, 3, padding=1, bias=False).to(dtype)
    nn.init.dirac_(conv.weight)
    x = ag.randn(2, 3, 5, 5, dtype=dtype, requires_grad=True)
    y = conv(x)
    np.testing.assert_allclose(y.detach().numpy(), x.detach().numpy(), rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.ones(x.shape), rtol=1e-6)


def test_dirac_errors_match_pytorch():
    for lib in (nn, torch.nn):
        t = ag if lib is nn else torch
        with pytest.raises(ValueError, match="Only tensors with 3, 4, or 5 dimensions are supported"):
            lib.init.dirac_(t.empty(3, 3))
        with pytest.raises(ValueError, match="dim 0 must be divisible by groups"):
            lib.init.dirac_(t.empty(5, 2, 3), 2)


def test_dirac_leaves_the_graph_alone():
    w = nn.Parameter(ag.randn(4, 4, 3))
    version = w._version
    nn.init.dirac_(w)
    assert w.requires_grad and w.grad_fn is None and w._version > version


# ---- sparse_ -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,sparsity", [((10, 6), 0.3), ((7, 40), 0.5), ((5, 3), 0.0), ((4, 4), 1.0),
                                            ((3, 8), 0.1)])
def test_sparse_zeros_per_column_match_pytorch(dtype, shape, sparsity):
    ours = nn.init.sparse_(ag.empty(*shape, dtype=dtype), sparsity)
    theirs = torch.nn.init.sparse_(torch.empty(*shape, dtype=torch_dtype(dtype)), sparsity)
    assert ours.dtype == dtype and tuple(ours.shape) == tuple(theirs.shape)
    # the normal draws are never exactly 0, so each column has exactly ceil(sparsity * rows) zeros
    np.testing.assert_array_equal((ours.numpy() == 0).sum(0), (theirs.numpy() == 0).sum(0))


def test_sparse_values_and_zero_positions_are_spread_as_pytorch():
    rows, cols, std = 20, 4000, 0.05
    ours = nn.init.sparse_(ag.empty(rows, cols), 0.25, std=std).numpy()
    theirs = torch.nn.init.sparse_(torch.empty(rows, cols), 0.25, std=std).numpy()
    for w in (ours, theirs):
        nonzero = w[w != 0]
        assert abs(nonzero.std() - std) < 0.02 * std * 5
        assert abs(nonzero.mean()) < 0.01 * std * 5
        # each row is zero in about a quarter of the columns
        np.testing.assert_allclose((w == 0).mean(1), 0.25, atol=0.05)


def test_sparse_generator_and_errors():
    a = nn.init.sparse_(ag.empty(6, 5), 0.5, generator=np.random.default_rng(3)).numpy()
    b = nn.init.sparse_(ag.empty(6, 5), 0.5, generator=np.random.default_rng(3)).numpy()
    np.testing.assert_array_equal(a, b)
    for lib, t in ((nn, ag), (torch.nn, torch)):
        with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
            lib.init.sparse_(t.empty(2, 3, 4), 0.1)


# ---- gumbel_softmax ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("hard", [False, True])
@pytest.mark.parametrize("shape,dim", [((3, 5), -1), ((2, 3, 4), 1), ((4,), 0), ((0, 3), -1)])
def test_gumbel_softmax_shapes_dtypes_and_sums(dtype, hard, shape, dim):
    logits = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    ours = nn.functional.gumbel_softmax(ag.tensor(logits, requires_grad=True), tau=0.7, hard=hard, dim=dim)
    theirs = torch.nn.functional.gumbel_softmax(torch.tensor(logits, requires_grad=True), tau=0.7, hard=hard,
                                                dim=dim)
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.dtype == dtype and theirs.dtype == torch_dtype(dtype)
    assert ours.requires_grad == theirs.requires_grad
    np.testing.assert_allclose(ours.detach().numpy().sum(dim), 1.0, rtol=1e-5)
    if hard:
        assert set(np.unique(ours.detach().numpy())) <= {0.0, 1.0}


def _frequencies(lib, logits, n, hard, tau):
    x = lib.tensor(np.tile(logits, (n, 1)))
    y = lib.nn.functional.gumbel_softmax(x, tau=tau, hard=hard)
    y = y.detach().numpy() if lib is torch else y.numpy()
    return np.bincount(y.argmax(1), minlength=logits.size) / n, y.mean(0)


def test_gumbel_max_statistics_match_softmax_and_pytorch():
    ag.manual_seed(0)
    torch.manual_seed(0)
    logits = np.array([1.0, 0.0, -1.0, 2.0])
    expected = np.exp(logits) / np.exp(logits).sum()
    n = 40000
    for hard in (True, False):
        fa, mean_a = _frequencies(ag, logits, n, hard, tau=1.0)
        ft, mean_t = _frequencies(torch, logits, n, hard, tau=1.0)
        # the argmax of (logits + Gumbel noise) is distributed as softmax(logits)
        np.testing.assert_allclose(fa, expected, atol=0.01)
        np.testing.assert_allclose(ft, expected, atol=0.01)
        np.testing.assert_allclose(mean_a, mean_t, atol=0.01)  # soft means, or one-hot frequencies
    # a lower temperature makes soft samples closer to one-hot: the same trend as torch's
    _, sharp_a = _frequencies(ag, logits, n, False, tau=0.1)
    _, sharp_t = _frequencies(torch, logits, n, False, tau=0.1)
    np.testing.assert_allclose(sharp_a, sharp_t, atol=0.015)


@pytest.mark.parametrize("dtype", DTYPES)
def test_straight_through_gradient_is_the_soft_samples(dtype):
    logits = np.random.default_rng(1).standard_normal((4, 6)).astype(dtype)
    weights = np.random.default_rng(2).standard_normal((4, 6)).astype(dtype)
    grads = {}
    for lib in (ag, torch):
        for hard in (True, False):
            lib.manual_seed(5)  # the same noise for the hard and the soft sample
            x = lib.tensor(logits, requires_grad=True)
            y = lib.nn.functional.gumbel_softmax(x, tau=0.5, hard=hard)
            (y * lib.tensor(weights)).sum().backward()
            grads[lib, hard] = (y.detach().numpy(), x.grad.numpy())
        (y_hard, g_hard), (y_soft, g_soft) = grads[lib, True], grads[lib, False]
        np.testing.assert_array_equal(y_hard.argmax(1), y_soft.argmax(1))
        np.testing.assert_array_equal(y_hard, np.eye(6, dtype=dtype)[y_soft.argmax(1)])
        np.testing.assert_allclose(g_hard, g_soft, rtol=1e-5, atol=1e-6)
        assert g_hard.dtype == dtype


def test_gumbel_softmax_gradient_formula_matches_pytorch_given_the_noise():
    """With the noise fixed (read back from a soft sample at tau=1: log y = logits + g -
    logsumexp), the soft sample's gradient is softmax's, as in PyTorch."""
    logits = np.random.default_rng(3).standard_normal((3, 5))
    ag.manual_seed(9)
    x = ag.tensor(logits, requires_grad=True)
    y = nn.functional.gumbel_softmax(x, tau=2.0)
    g = np.log(y.detach().numpy()) * 2.0 - logits  # (logits + noise) up to a constant per row
    t = torch.tensor(logits, requires_grad=True)
    ty = torch.softmax((t + torch.tensor(g)) / 2.0, -1)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-10)
    w = np.random.default_rng(4).standard_normal((3, 5))
    (y * ag.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-8, atol=1e-12)


def test_gumbel_softmax_eps_warning_and_errors():
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
        nn.functional.gumbel_softmax(ag.zeros(2, 3), eps=1e-5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.functional.gumbel_softmax(ag.zeros(2, 3))
    with pytest.raises(TypeError, match="floating point"):
        nn.functional.gumbel_softmax(ag.zeros(2, 3, dtype=ag.int64))
    with pytest.raises(IndexError):
        nn.functional.gumbel_softmax(ag.zeros(2, 3), dim=2)
