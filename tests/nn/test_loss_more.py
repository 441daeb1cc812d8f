"""The margin, embedding and likelihood losses beyond the op table (values, gradients,
gradcheck and gradgradcheck per reduction there): the modules (signatures, defaults,
reprs, weight buffers, outputs and gradients), gradients at the hinges' kinks against
PyTorch's, duplicate and -1-terminated multilabel targets, PyTorch's checks and
errors, the legacy size_average/reduce arguments."""
import inspect

import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.nn.functional as F
from autograd_lite import nn
from helpers import compare, randn

REDUCTIONS = ["mean", "sum", "none"]
MODULES = ["PoissonNLLLoss", "GaussianNLLLoss", "MarginRankingLoss", "HingeEmbeddingLoss", "SoftMarginLoss",
           "MultiLabelSoftMarginLoss", "CosineEmbeddingLoss", "TripletMarginLoss",
           "TripletMarginWithDistanceLoss", "MultiMarginLoss", "MultiLabelMarginLoss", "NLLLoss2d", "CTCLoss"]
SIGNS = np.array([1.0, -1.0, 1.0, -1.0, -1.0])
CLASSES = np.array([0, 3, 1, 2, 3])
ML_TARGET = np.array([[0, 3, -1, 0], [1, -1, 2, 2], [3, 2, 1, 0], [2, 2, -1, -1], [-1, 0, 1, 2]])


def _lib_nn(lib):
    return nn if lib is ag else torch.nn


def _tensor(lib, a):
    return lib.tensor(a)


@pytest.mark.parametrize("name", MODULES)
def test_module_signature_defaults_and_repr(name):
    ours = inspect.signature(getattr(nn, name).__init__).parameters
    theirs = inspect.signature(getattr(torch.nn, name).__init__).parameters
    assert list(ours) == list(theirs)
    for k in theirs:
        assert ours[k].default == theirs[k].default, k
        assert ours[k].kind == theirs[k].kind, k
    with pytest.warns(FutureWarning) if name == "NLLLoss2d" else _no_warning():
        mod = getattr(nn, name)()
    with pytest.warns(FutureWarning) if name == "NLLLoss2d" else _no_warning():
        ref = getattr(torch.nn, name)()
    assert repr(mod) == repr(ref) and mod.reduction == ref.reduction == "mean"
    for attr in ("margin", "p", "eps", "swap", "full", "log_input", "ignore_index"):
        if hasattr(ref, attr):
            assert getattr(mod, attr) == getattr(ref, attr), attr


class _no_warning:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_modules_match_torch(reduction):
    x1, x2, x3 = randn(5, 4, seed=1), randn(5, 4, seed=2), randn(5, 4, seed=3)
    r = dict(reduction=reduction)
    compare(lambda lib, a, b: _lib_nn(lib).MarginRankingLoss(0.3, **r)(a[:, 0], b[:, 0], _tensor(lib, SIGNS).to(a.dtype)),
            x1, x2)
    compare(lambda lib, a: _lib_nn(lib).HingeEmbeddingLoss(0.5, **r)(a[:, 0], _tensor(lib, SIGNS)), x1)
    compare(lambda lib, a: _lib_nn(lib).SoftMarginLoss(**r)(a[:, 0], _tensor(lib, SIGNS)), x1)
    compare(lambda lib, a: _lib_nn(lib).MultiLabelSoftMarginLoss(
        weight=_tensor(lib, np.array([0.5, 1.0, 2.0, 1.5])).to(a.dtype), **r)(a, _tensor(lib, (x2 > 0) * 1.0).to(a.dtype)), x1)
    compare(lambda lib, a, b: _lib_nn(lib).CosineEmbeddingLoss(0.1, **r)(a, b, _tensor(lib, SIGNS)), x1, x2)
    compare(lambda lib, a, b, c: _lib_nn(lib).TripletMarginLoss(0.5, 1.0, swap=True, **r)(a, b, c), x1, x2, x3)
    compare(lambda lib, a, b, c: _lib_nn(lib).TripletMarginWithDistanceLoss(
        distance_function=_lib_nn(lib).CosineSimilarity(), margin=0.4, **r)(a, b, c), x1, x2, x3)
    compare(lambda lib, a: _lib_nn(lib).MultiMarginLoss(2, 0.7, weight=_tensor(lib, np.array([1.0, 2, 3, 4])).to(a.dtype),
                                                        **r)(a, _tensor(lib, CLASSES)), x1)
    compare(lambda lib, a: _lib_nn(lib).MultiLabelMarginLoss(**r)(a, _tensor(lib, ML_TARGET)), x1)
    compare(lambda lib, a: _lib_nn(lib).PoissonNLLLoss(full=True, **r)(a, _tensor(lib, np.abs(x2) * 3).to(a.dtype)), x1)
    compare(lambda lib, a, b, v: _lib_nn(lib).GaussianNLLLoss(full=True, eps=1e-3, **r)(a, b, v),
            x1, x2, np.abs(x3[:, :1]))


def test_weight_buffers():
    w = np.array([0.5, 1.0, 2.0])
    for name in ("MultiLabelSoftMarginLoss", "MultiMarginLoss"):
        mod, ref = getattr(nn, name)(weight=ag.tensor(w)), getattr(torch.nn, name)(weight=torch.tensor(w))
        assert list(mod.state_dict()) == list(ref.state_dict()) == ["weight"]
        assert mod.float().weight.dtype == np.float32


# ---- kinks: PyTorch's gradient where a hinge is exactly at its corner ---------------------------------
def test_hinge_kinks_are_torchs():
    x = np.array([[0.5, 0.5, -0.5, 1.5], [1.0, 0.0, 0.0, 0.0]])
    compare(lambda lib, a: lib.nn.functional.multi_margin_loss(a, _tensor(lib, np.array([0, 1]))), x)
    compare(lambda lib, a: lib.nn.functional.multi_margin_loss(a, _tensor(lib, np.array([0, 1])), p=2), x)
    compare(lambda lib, a: lib.nn.functional.multilabel_margin_loss(
        a, _tensor(lib, np.array([[0, -1, 0, 0], [0, 2, -1, 0]]))), x)
    v = np.array([1.0, 2.0, 2.0])
    compare(lambda lib, a, b: lib.nn.functional.margin_ranking_loss(a, b, _tensor(lib, np.array([1.0, -1, 1]))),
            v, np.array([1.0, 2.0, 1.5]))
    compare(lambda lib, a: lib.nn.functional.hinge_embedding_loss(a, _tensor(lib, -np.ones(3)), margin=2.0), v)


def test_multilabel_margin_targets_stop_at_minus_one_and_count_duplicates():
    x = randn(3, 5, seed=4)
    t = np.array([[1, 1, 4, -1, 0], [-1, 2, 3, 4, 0], [4, 3, 2, 1, 0]])
    compare(lambda lib, a: lib.nn.functional.multilabel_margin_loss(a, _tensor(lib, t), reduction="none"), x)
    compare(lambda lib, a: lib.nn.functional.multilabel_margin_loss(a[0], _tensor(lib, t[0]), reduction="none"),
            x)


def test_unbatched_class_losses_shapes():
    x = randn(4, seed=5)
    for target in (np.array(2), np.array([2])):
        compare(lambda lib, a: lib.nn.functional.multi_margin_loss(a, _tensor(lib, target), reduction="none"), x)


def test_poisson_full_at_small_targets():
    t = np.array([0.0, 0.5, 1.0, 1.5, 4.0])
    compare(lambda lib, a: lib.nn.functional.poisson_nll_loss(a, _tensor(lib, t), full=True, reduction="none"),
            randn(5, seed=6))
    compare(lambda lib, a: lib.nn.functional.poisson_nll_loss(a, _tensor(lib, t), log_input=False, full=True),
            np.abs(randn(5, seed=7)) + 0.1)


def test_gaussian_variance_floor_passes_the_gradient():
    """Variances below eps are floored, and their gradient passes as if they were not
    (PyTorch clamps a clone of var under no_grad)."""
    var = np.array([1e-9, 0.5, 2.0, 0.0])
    compare(lambda lib, a, b, v: lib.nn.functional.gaussian_nll_loss(a, b, v, reduction="sum"),
            randn(4, seed=8), randn(4, seed=9), var, dtypes=(np.float64,))


@pytest.mark.parametrize("var_shape", [(5, 4), (5,), (5, 1), (1, 4)])
def test_gaussian_variance_shapes(var_shape):
    compare(lambda lib, a, b, v: lib.nn.functional.gaussian_nll_loss(a, b, v, reduction="none"),
            randn(5, 4, seed=10), randn(5, 4, seed=11), np.abs(randn(*var_shape, seed=12)) + 0.1)


def test_triplet_with_custom_distance_and_3d_inputs():
    def dist(a, b):
        return ((a - b) ** 2).sum(-1)

    compare(lambda lib, a, b, c: lib.nn.functional.triplet_margin_with_distance_loss(
        a, b, c, distance_function=dist, swap=True), randn(5, 4, seed=13), randn(5, 4, seed=14),
        randn(5, 4, seed=15))
    compare(lambda lib, a, b, c: lib.nn.functional.triplet_margin_loss(a, b, c, reduction="none"),
            randn(2, 3, 4, seed=16), randn(2, 3, 4, seed=17), randn(2, 3, 4, seed=18))


def test_legacy_size_average_and_reduce():
    x, y = randn(5, 4, seed=19), randn(5, 4, seed=20)
    for kw in (dict(size_average=False), dict(reduce=False)):
        with pytest.warns(UserWarning, match="deprecated"):
            got = F.soft_margin_loss(ag.tensor(x), ag.tensor(np.sign(y)), **kw)
        with pytest.warns(UserWarning):
            want = torch.nn.functional.soft_margin_loss(torch.tensor(x), torch.tensor(np.sign(y)), **kw)
        np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)


def test_soft_margin_extreme_inputs_stay_finite():
    x = np.array([-800.0, -30.0, 0.0, 30.0, 800.0])
    y = ag.tensor([1.0, -1.0, 1.0, -1.0, -1.0])
    out = F.soft_margin_loss(ag.tensor(x, requires_grad=True), y, reduction="none")
    assert np.all(np.isfinite(out.detach().numpy()))
    np.testing.assert_allclose(out.detach().numpy()[1:4], torch.nn.functional.soft_margin_loss(
        torch.tensor(x), torch.tensor(y.numpy()), reduction="none").numpy()[1:4], rtol=1e-12)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: F.margin_ranking_loss(ag.randn(3), ag.randn(3, 1), ag.randn(3)), RuntimeError, "same dimension"),
    (lambda: F.cosine_embedding_loss(ag.randn(2, 3, 4), ag.randn(2, 3, 4), ag.ones(2)), RuntimeError,
     "1D target tensor expects 2D input"),
    (lambda: F.cosine_embedding_loss(ag.randn(3, 4), ag.randn(3, 4), ag.ones((1, 3))), RuntimeError,
     "0D or 1D target"),
    (lambda: F.triplet_margin_loss(ag.randn(3, 4), ag.randn(4), ag.randn(3, 4)), RuntimeError, "same number"),
    (lambda: F.triplet_margin_loss(ag.randn(3, 4), ag.randn(3, 4), ag.randn(3, 4), margin=0), ValueError,
     "margin must be greater than 0"),
    (lambda: F.multi_margin_loss(ag.randn(3, 4), ag.tensor([0, 3, 1]), p=3), ValueError, "only p == 1 and p == 2"),
    (lambda: F.multi_margin_loss(ag.randn(3, 4), ag.tensor([0, 4, 1])), IndexError, "out of range"),
    (lambda: F.multi_margin_loss(ag.randn(3, 4), ag.tensor([0.0, 3, 1])), RuntimeError, "Long"),
    (lambda: F.multi_margin_loss(ag.randn(2, 3, 4), ag.tensor([0, 3])), RuntimeError, "vector or matrix"),
    (lambda: F.multi_margin_loss(ag.randn(3, 4), ag.tensor([0, 3])), RuntimeError, "inconsistent target size"),
    (lambda: F.multilabel_margin_loss(ag.randn(3, 4), ag.zeros((3, 3), dtype=ag.int64)), RuntimeError,
     "inconsistent target size"),
    (lambda: F.multilabel_margin_loss(ag.randn(2, 4), ag.tensor([[0, 4, -1, 0], [1, -1, 2, 2]])), IndexError,
     "out of range"),
    (lambda: F.gaussian_nll_loss(ag.randn(3, 4), ag.randn(3, 4), -ag.ones((3, 4))), ValueError, "negative"),
    (lambda: F.gaussian_nll_loss(ag.randn(3, 4), ag.randn(3, 4), ag.ones(4)), ValueError, "incorrect size"),
    (lambda: F.poisson_nll_loss(ag.randn(3), ag.randn(3), reduction="x"), ValueError, "reduction"),
    (lambda: nn.TripletMarginLoss(margin=-1), ValueError, "greater than 0"),
    (lambda: nn.MultiMarginLoss(p=3), ValueError, "only p == 1 and p == 2"),
])
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
