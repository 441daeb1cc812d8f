"""The losses beyond the op table's generic tests (tests/ops/test_op_table.py: values,
gradients, gradcheck and gradgradcheck of every functional loss and reduction):
extreme inputs, kinks, all-ignored and empty batches, broadcast warnings, dtype
promotion, third-order gradients, clear errors, the modules' defaults and reprs."""
import inspect
import warnings

import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.nn.functional as F
from autograd_lite import nn
from helpers import compare, gradcheck, randn

REDUCTIONS = ["mean", "sum", "none"]
rng = np.random.default_rng(1234)


def _w(lib, w, like):
    """A constant (no-grad) weight of `like`'s dtype: PyTorch does not differentiate the
    class weights of nll_loss/cross_entropy/binary_cross_entropy."""
    return None if w is None else lib.tensor(w).to(like.dtype)


def _int(a):
    return np.asarray(a, dtype=np.int64)


# ---- regression losses ---------------------------------------------------------------------
X45 = randn(4, 5, seed=1) * 2
Y45 = randn(4, 5, seed=2) * 2
W45 = rng.uniform(0.1, 2.0, (4, 5))


@pytest.mark.parametrize("name", ["l1_loss", "smooth_l1_loss", "huber_loss", "mse_loss"])
def test_zero_difference_gradient(name):
    # |d| has gradient sign(0) = 0 at d = 0, as PyTorch
    x = np.array([1.0, -2.0, 0.5, 3.0])
    compare(lambda lib, a: getattr(lib.nn.functional, name)(a, lib.tensor(x).to(a.dtype)), x.copy())


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_broadcast_target_warns_like_torch(name):
    x, y = randn(4, 3, seed=5), randn(3, seed=6)
    with pytest.warns(UserWarning, match=name):
        getattr(F, name)(ag.tensor(x), ag.tensor(y))
    with pytest.warns(UserWarning):
        getattr(torch.nn.functional, name)(torch.tensor(x), torch.tensor(y))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(lambda lib, a, b: getattr(lib.nn.functional, name)(a, b, reduction="none"), x, y)
        compare(lambda lib, a, b: getattr(lib.nn.functional, name)(a, b), y, x)


def test_same_shape_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.mse_loss(ag.tensor(X45), ag.tensor(Y45))
        F.l1_loss(ag.tensor(X45), ag.tensor(Y45), weight=ag.tensor(W45))


def test_mixed_float_dtypes_promote():
    # float32 input, float64 target: the loss is float64, as PyTorch
    compare(lambda lib, x: lib.nn.functional.mse_loss(x, lib.tensor(Y45)), X45,
            dtypes=(np.float32,))


# ---- cross entropy / nll with class indices --------------------------------------------------
C = 5
TARGET6 = _int([0, 4, 2, 2, 1, 3])  # classes of a (6, C) batch
CLASS_W = rng.uniform(0.2, 2.0, C)


@pytest.mark.parametrize("label_smoothing", [0.0, 0.25])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(6, C), (C,), (2, C, 3)])
def test_cross_entropy_extreme_logits(shape, reduction, label_smoothing):
    x = np.where(randn(*shape, seed=13) > 0, 1e4, -1e4) * rng.uniform(0.5, 1, shape)
    t = rng.integers(0, C, shape[:1] + shape[2:]) if len(shape) > 1 else _int(2)
    compare(lambda lib, a, b: lib.nn.functional.cross_entropy(
        a, b, reduction=reduction, label_smoothing=label_smoothing), x, t)
    out = F.cross_entropy(ag.tensor(x), ag.tensor(t), reduction=reduction,
                          label_smoothing=label_smoothing)
    assert np.all(np.isfinite(out._data))


def test_cross_entropy_int32_and_uint8_targets():
    # an extension: any integer dtype holds class indices (PyTorch takes int64/uint8)
    x = ag.tensor(randn(6, C, seed=14))
    t = TARGET6
    ref = F.cross_entropy(x, ag.tensor(t))
    for dt in (np.int32, np.uint8, np.int16):
        np.testing.assert_allclose(F.cross_entropy(x, ag.tensor(t.astype(dt)))._data, ref._data)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_empty_batch_and_all_ignored(reduction):
    compare(lambda lib, a, b: lib.nn.functional.cross_entropy(a, b, reduction=reduction),
            np.zeros((0, C)), _int(np.zeros(0)))
    compare(lambda lib, a, b: lib.nn.functional.cross_entropy(a, b, reduction=reduction),
            randn(4, C, seed=15), _int([-100] * 4))
    compare(lambda lib, a, b: lib.nn.functional.nll_loss(a, b, reduction=reduction),
            randn(4, C, seed=16), _int([-100] * 4))


# ---- cross entropy with class probabilities ---------------------------------------------------
def _probs(shape, seed, class_dim):
    p = np.exp(randn(*shape, seed=seed))
    return p / p.sum(axis=class_dim, keepdims=True)


def test_cross_entropy_probabilities_extreme_logits():
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, 1e4]])
    p = np.array([[0.5, 0.25, 0.25], [0.0, 0.0, 1.0]])
    compare(lambda lib, a, b: lib.nn.functional.cross_entropy(a, b), x, p)


# ---- binary cross entropy -----------------------------------------------------------------------
P34 = rng.uniform(0.05, 0.95, (3, 4))
T34 = rng.uniform(0, 1, (3, 4))


def test_binary_cross_entropy_log_clamped_at_minus_100():
    x = np.array([0.0, 1.0, 0.0, 1.0, 0.5, 1e-50])
    y = np.array([0.0, 1.0, 1.0, 0.0, 0.3, 1.0])
    # the target is a constant: its gradient at x = 0 or 1 is infinite in both libraries
    compare(lambda lib, a: lib.nn.functional.binary_cross_entropy(
        a, lib.tensor(y).to(a.dtype), reduction="none"), x)
    out = F.binary_cross_entropy(ag.tensor(x), ag.tensor(y), reduction="none")._data
    assert out[2] == 100 and out[3] == 100


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits_extreme(reduction):
    x = np.array([1e4, -1e4, 1e4, -1e4, 1e4, -1e4, 800.0, -800.0])
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.3, 0.7, 0.0, 1.0])
    pw = np.full(8, 3.0)
    for pos in (None, pw):
        compare(lambda lib, a, b: lib.nn.functional.binary_cross_entropy_with_logits(
            a, b, reduction=reduction,
            pos_weight=None if pos is None else lib.tensor(pos).to(a.dtype)), x, y)
        out = F.binary_cross_entropy_with_logits(
            ag.tensor(x), ag.tensor(y), reduction=reduction,
            pos_weight=None if pos is None else ag.tensor(pos))
        assert np.all(np.isfinite(out._data))


# ---- KL divergence ---------------------------------------------------------------------------
def test_kl_div_mean_warns():
    x, t = ag.tensor(np.log(_probs((2, 3), 25, 1))), ag.tensor(_probs((2, 3), 26, 1))
    with pytest.warns(UserWarning, match="batchmean"):
        F.kl_div(x, t)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.kl_div(x, t, reduction="batchmean")


def test_cross_entropy_third_order():
    # the gradient of the fused op is itself an op whose backward uses Tensor ops
    x0 = randn(3, 4, seed=36)
    t = ag.tensor(_int([1, 0, 3]))

    def grad_of_grad(x):
        (g,) = ag.autograd.grad(F.cross_entropy(x, t, label_smoothing=0.1), x, create_graph=True)
        (gg,) = ag.autograd.grad((g * g).sum(), x, create_graph=True)
        return gg

    gradcheck(grad_of_grad, x0)


def test_fused_cross_entropy_matches_composition():
    x0 = randn(8, 6, seed=37)
    t = ag.tensor(rng.integers(0, 6, 8))
    w = ag.tensor(rng.uniform(0.5, 2, 6))
    outs = []
    for fused in (True, False):
        x = ag.tensor(x0, requires_grad=True)
        if fused:
            loss = F.cross_entropy(x, t, weight=w)
        else:
            loss = F.nll_loss(ag.log_softmax(x, 1), t, weight=w)
        (g,) = ag.autograd.grad(loss, x, create_graph=True)
        (gg,) = ag.autograd.grad((g ** 2).sum(), x)
        outs.append((loss._data, g._data, gg._data))
    for a, b in zip(*outs):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("rows", [7, 2000])  # small logits: one kernel call; larger: NumPy's
def test_plain_cross_entropy_matches_the_general_path(reduction, dtype, rows):
    """Logits (N, C), class indices and nothing else take a shorter path (one kernel
    call, or half the NumPy calls); an ignore_index that is a class (here unused) takes
    the general one. Same values, gradients and second gradients."""
    x0 = (randn(rows, 5, seed=39) * 3).astype(dtype)
    t = ag.tensor(rng.integers(0, 4, rows))
    outs = []
    for ignore_index in (-100, 4):
        x = ag.tensor(x0, requires_grad=True)
        loss = F.cross_entropy(x, t, ignore_index=ignore_index, reduction=reduction)
        assert getattr(loss.grad_fn, "plain", False) == (ignore_index == -100)
        (g,) = ag.autograd.grad(loss.sum(), x, create_graph=True)
        (gg,) = ag.autograd.grad((g ** 2).sum(), x)
        outs.append((loss, g, gg))
    tol = 1e-12 if dtype == np.float64 else 1e-5
    for a, b in zip(*outs):
        assert a.dtype == b.dtype == ag.tensor(x0).dtype and a.shape == b.shape
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


def test_cross_entropy_backward_twice_needs_retain_graph():
    x = ag.tensor(randn(3, 4, seed=38), requires_grad=True)
    loss = F.cross_entropy(x, ag.tensor(_int([0, 1, 2])))
    loss.backward(retain_graph=True)
    g1 = x.grad._data.copy()
    loss.backward()
    np.testing.assert_allclose(x.grad._data, 2 * g1)
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()


# ---- errors --------------------------------------------------------------------------------
X_CE = ag.tensor(randn(4, 3, seed=40))


@pytest.mark.parametrize("fn", [F.cross_entropy, F.nll_loss])
def test_class_index_errors(fn):
    name = fn.__name__
    with pytest.raises(ValueError, match=rf"{name}.*\(5,\).*\(4, 3\)"):
        fn(X_CE, ag.tensor(_int([0, 1, 2, 0, 1])))
    with pytest.raises(ValueError, match=rf"{name}.*\(2, 4\).*\(2, 4, 3\).*\(2, 3\)"):
        fn(ag.tensor(randn(2, 4, 3, seed=41)), ag.tensor(_int(np.zeros((2, 4)))))
    with pytest.raises(TypeError, match=rf"{name}.*integer.*float64"):
        fn(X_CE, ag.tensor(np.array([0.0, 1.0, 2.0, 0.0])))
    with pytest.raises(TypeError, match=rf"{name}.*bool"):
        fn(X_CE, ag.tensor(np.array([True, False, True, True])))
    with pytest.raises(IndexError, match=rf"{name}.*3.*3 classes"):
        fn(X_CE, ag.tensor(_int([0, 1, 3, 0])))
    with pytest.raises(IndexError, match=rf"{name}.*-1"):
        fn(X_CE, ag.tensor(_int([0, -1, 2, 0])))
    with pytest.raises(IndexError, match=name):  # -100 only counts as ignored by default
        fn(X_CE, ag.tensor(_int([0, -100, 2, 0])), ignore_index=1)
    with pytest.raises(ValueError, match=rf"{name}.*weight.*\(3,\).*\(2,\)"):
        fn(X_CE, ag.tensor(_int([0, 1, 2, 0])), weight=ag.ones(2))
    with pytest.raises(TypeError, match=rf"{name}.*int64"):
        fn(ag.tensor(_int(np.zeros((4, 3)))), ag.tensor(_int([0, 1, 2, 0])))
    with pytest.raises(ValueError, match=rf"{name}.*\(\)"):
        fn(ag.tensor(1.0), ag.tensor(_int(0)))
    with pytest.raises(ValueError, match=rf"{name}.*reduction"):
        fn(X_CE, ag.tensor(_int([0, 1, 2, 0])), reduction="avg")


def test_cross_entropy_specific_errors():
    t = ag.tensor(_int([0, 1, 2, 0]))
    with pytest.raises(ValueError, match="cross_entropy.*label_smoothing"):
        F.cross_entropy(X_CE, t, label_smoothing=1.5)
    with pytest.raises(TypeError, match=r"cross_entropy.*probabilities.*int64"):
        F.cross_entropy(X_CE, ag.tensor(_int(np.zeros((4, 3)))))
    with pytest.raises(ValueError, match="cross_entropy.*ignore_index"):
        F.cross_entropy(X_CE, ag.tensor(_probs((4, 3), 42, 1)), ignore_index=1)


def test_regression_errors():
    x = ag.tensor(randn(4, 3, seed=43))
    with pytest.raises(RuntimeError, match=r"mse_loss.*\(4, 3\).*\(5,\)"):
        F.mse_loss(x, ag.tensor(randn(5, seed=44)))
    with pytest.raises(ValueError, match=r"l1_loss.*weight.*\(3,\)"):
        F.l1_loss(x, x, weight=ag.ones(3))
    with pytest.raises(ValueError, match="smooth_l1_loss.*beta"):
        F.smooth_l1_loss(x, x, beta=-1.0)
    with pytest.raises(ValueError, match="huber_loss.*delta"):
        F.huber_loss(x, x, delta=0.0)
    with pytest.raises(ValueError, match="mse_loss.*'avg'"):
        F.mse_loss(x, x, reduction="avg")
    with pytest.raises(TypeError, match="mse_loss.*int64"):
        F.mse_loss(ag.tensor(_int([1, 2])), ag.tensor(_int([1, 2])))
    with pytest.raises(ValueError, match="kl_div.*reduction"):
        F.kl_div(x, x, reduction="batchsum")


def test_binary_errors():
    x = ag.tensor(P34)
    for lib in (ag, torch):  # input and target alike: PyTorch raises for both (NaN too)
        bce = lib.nn.functional.binary_cross_entropy
        for bad in ([0.5, 1.5], [-0.1, 0.5], [0.5, np.nan]):
            for name, args in (("input", (bad, [0.0, 1.0])), ("target", ([0.5, 0.5], bad))):
                with pytest.raises(RuntimeError, match=f"all elements of {name} should be between 0 and 1"):
                    bce(*(lib.tensor(np.array(a)) for a in args))
                with pytest.raises(RuntimeError, match=f"all elements of {name} should be between 0 and 1"):
                    lib.nn.BCELoss(reduction="sum")(*(lib.tensor(np.array(a)) for a in args))
    with pytest.raises(RuntimeError, match=r"binary_cross_entropy.*input.*1 NaN.*with_logits"):
        F.binary_cross_entropy(ag.tensor(np.array([0.5, np.nan])), ag.tensor(np.array([0.0, 1.0])))
    with pytest.raises(RuntimeError, match=r"binary_cross_entropy.*target.*from -0.5 to 1.0"):
        F.binary_cross_entropy(ag.tensor(np.array([0.5, 0.5])), ag.tensor(np.array([-0.5, 1.0])))
    F.binary_cross_entropy_with_logits(ag.tensor([0.5]), ag.tensor([1.5]))  # no range there, as PyTorch
    for fn in (F.binary_cross_entropy, F.binary_cross_entropy_with_logits):
        name = fn.__name__
        with pytest.raises(ValueError, match=rf"{name}.*\(3, 4, 1\).*\(3, 4\)"):
            fn(x, ag.tensor(T34[..., None]))
        with pytest.raises(TypeError, match=rf"{name}.*floating.*int64"):
            fn(x, ag.tensor(_int(np.ones((3, 4)))))
        with pytest.raises(RuntimeError, match=rf"{name}.*weight.*\(3,\)"):
            fn(x, ag.tensor(T34), weight=ag.ones(3))
    with pytest.raises(RuntimeError, match=r"with_logits.*pos_weight.*\(3,\)"):
        F.binary_cross_entropy_with_logits(x, ag.tensor(T34), pos_weight=ag.ones(3))


def test_legacy_size_average_and_reduce():
    x, y = ag.tensor(X45), ag.tensor(Y45)
    tx, ty = torch.tensor(X45), torch.tensor(Y45)
    for kw in (dict(size_average=False), dict(reduce=False), dict(size_average=True, reduce=True)):
        with pytest.warns(UserWarning, match="mse_loss.*reduction"):
            ours = F.mse_loss(x, y, **kw)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = torch.nn.functional.mse_loss(tx, ty, **kw)
        np.testing.assert_allclose(ours._data, ref.numpy())
    with pytest.warns(UserWarning):
        assert nn.NLLLoss(size_average=False).reduction == "sum"


# ---- modules -----------------------------------------------------------------------------------
MODULES = ["MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "CrossEntropyLoss", "NLLLoss",
           "BCELoss", "BCEWithLogitsLoss", "KLDivLoss"]


def test_every_loss_is_exported():
    for name in MODULES:
        assert name in nn.loss.__all__ and getattr(nn, name) is getattr(nn.loss, name)
    for name in ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "cross_entropy",
                 "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
                 "kl_div"]:
        home = F.classification_loss if name in F.classification_loss.__all__ else F.regression_loss
        assert name in home.__all__ and getattr(F, name) is getattr(home, name)


@pytest.mark.parametrize("name", MODULES)
def test_module_signature_and_defaults(name):
    ours = inspect.signature(getattr(nn, name).__init__).parameters
    theirs = inspect.signature(getattr(torch.nn, name).__init__).parameters
    assert list(ours) == list(theirs)
    for k in theirs:
        assert ours[k].default == theirs[k].default, k
    mod, ref = getattr(nn, name)(), getattr(torch.nn, name)()
    assert mod.reduction == ref.reduction == "mean"
    for attr in ("ignore_index", "label_smoothing", "beta", "delta", "log_target", "weight",
                 "pos_weight"):
        if hasattr(ref, attr):
            assert getattr(mod, attr) == getattr(ref, attr), attr


@pytest.mark.parametrize("name,kw", [
    ("MSELoss", dict(reduction="sum")), ("L1Loss", {}), ("SmoothL1Loss", dict(beta=0.5)),
    ("HuberLoss", dict(delta=2.0)), ("CrossEntropyLoss", dict(label_smoothing=0.1)),
    ("NLLLoss", dict(ignore_index=0)), ("BCELoss", {}), ("BCEWithLogitsLoss", {}),
    ("KLDivLoss", dict(log_target=True, reduction="batchmean")),
])
def test_module_repr(name, kw):
    assert repr(getattr(nn, name)(**kw)) == repr(getattr(torch.nn, name)(**kw))
    assert repr(getattr(nn, name)()) == repr(getattr(torch.nn, name)())


def test_weight_buffers_as_torch():
    w = rng.uniform(0.5, 2, 3)
    for name in ("CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss"):
        mod = getattr(nn, name)(weight=ag.tensor(w))
        ref = getattr(torch.nn, name)(weight=torch.tensor(w))
        assert list(mod.state_dict()) == list(ref.state_dict()), name
        assert [k for k, _ in mod.named_buffers()] == [k for k, _ in ref.named_buffers()]
        assert list(getattr(nn, name)().state_dict()) == []
        assert list(getattr(torch.nn, name)().state_dict()) == []
        assert mod.double().weight.dtype == np.float64
        assert mod.float().weight.dtype == np.float32
    mod = nn.BCEWithLogitsLoss(pos_weight=ag.tensor(w))
    ref = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(w))
    assert list(mod.state_dict()) == list(ref.state_dict()) == ["pos_weight"]
    both = nn.BCEWithLogitsLoss(weight=ag.tensor(w), pos_weight=ag.tensor(w))
    ref = torch.nn.BCEWithLogitsLoss(weight=torch.tensor(w), pos_weight=torch.tensor(w))
    assert list(both.state_dict()) == list(ref.state_dict()) == ["weight", "pos_weight"]
    assert nn.CrossEntropyLoss(weight=w).weight.dtype == np.float64  # a NumPy weight is accepted


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_modules_match_torch(reduction):
    x, y = X45, Y45
    for name, kw in (("MSELoss", {}), ("L1Loss", {}), ("SmoothL1Loss", dict(beta=0.5)),
                     ("HuberLoss", dict(delta=0.7))):
        compare(lambda lib, a, b: getattr(lib.nn, name)(reduction=reduction, **kw)(a, b), x, y)
    logits, t = randn(6, C, seed=50), TARGET6
    compare(lambda lib, a, b: lib.nn.CrossEntropyLoss(
        weight=_w(lib, CLASS_W, a), ignore_index=2, reduction=reduction, label_smoothing=0.2)(a, b),
        logits, t)
    compare(lambda lib, a, b: lib.nn.NLLLoss(weight=_w(lib, CLASS_W, a), reduction=reduction)(
        lib.log_softmax(a, 1), b), logits, t)
    compare(lambda lib, a, b: lib.nn.BCELoss(weight=_w(lib, np.ones(4) * 0.5, a),
                                             reduction=reduction)(a, b), P34, T34)
    compare(lambda lib, a, b: lib.nn.BCEWithLogitsLoss(
        weight=_w(lib, np.arange(1.0, 5.0), a), pos_weight=_w(lib, np.full(4, 2.0), a),
        reduction=reduction)(a, b), X45[:3, :4], T34)
    compare(lambda lib, a, b: lib.nn.KLDivLoss(reduction="batchmean" if reduction == "mean"
                                               else reduction, log_target=True)(a, b),
            np.log(_probs((3, 4), 51, 1)), np.log(_probs((3, 4), 52, 1)))
