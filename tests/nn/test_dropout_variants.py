"""Dropout1d/2d/3d, AlphaDropout and FeatureAlphaDropout (and the functional forms)
beyond the op table (which compares shapes of the random calls and values of the
deterministic ones): which elements a mask covers, the kept values and the gradient,
the statistics, PyTorch's dims rules and warnings, in-place forms, modules."""
import warnings

import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.nn.functional as F
from autograd_lite import nn

ALPHA = 1.7580993408473766  # SELU's -scale * alpha


def _channels_all_or_nothing(y, x, channel_axes):
    """Every (sample, channel) slice is either all zeros or x / (1 - p)."""
    y2 = np.moveaxis(y, channel_axes, range(len(channel_axes))).reshape(
        int(np.prod([y.shape[a] for a in channel_axes])), -1)
    zero = np.all(y2 == 0, axis=1)
    kept = np.all(y2 != 0, axis=1)
    assert np.all(zero | kept)
    return zero.mean()


@pytest.mark.parametrize("fn,shape,channel_axes", [
    (F.dropout1d, (40, 50, 6), (0, 1)), (F.dropout1d, (400, 6), (0,)),
    (F.dropout2d, (40, 50, 3, 2), (0, 1)), (F.dropout2d, (40, 50, 6), (0, 1)),
    (F.dropout3d, (40, 50, 2, 2, 2), (0, 1)), (F.dropout3d, (400, 2, 3, 1), (0,)),
])
def test_channel_dropout_masks_whole_channels(fn, shape, channel_axes):
    ag.manual_seed(1)
    x = ag.tensor(np.random.default_rng(0).uniform(1, 2, shape), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        y = fn(x, 0.3)
    frac = _channels_all_or_nothing(y.detach().numpy(), x.detach().numpy(), channel_axes)
    assert abs(frac - 0.3) < 0.05
    kept = y.detach().numpy() != 0
    np.testing.assert_allclose(y.detach().numpy()[kept], x.detach().numpy()[kept] / 0.7)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), kept / 0.7)


def test_channel_dropout_is_repeatable_and_identity_in_eval():
    x = ag.randn(4, 5, 3)
    ag.manual_seed(3)
    a = F.dropout1d(x, 0.5)
    ag.manual_seed(3)
    np.testing.assert_array_equal(F.dropout1d(x, 0.5).numpy(), a.numpy())
    assert F.dropout1d(x, 0.5, training=False) is x and F.dropout1d(x, 0.0) is x
    np.testing.assert_array_equal(F.dropout3d(ag.randn(2, 3, 2, 2, 2), 1.0).numpy(), 0)


def test_dims_rules_and_warnings_are_torchs():
    with pytest.raises(RuntimeError, match="Expected 2D or 3D input"):
        F.dropout1d(ag.randn(2, 3, 4, 5))
    for fn, shape in ((F.dropout2d, (2, 3, 4)), (F.dropout2d, (2, 3)), (F.dropout3d, (2, 3, 4))):
        with warnings.catch_warnings(record=True) as ours:
            warnings.simplefilter("always")
            fn(ag.randn(*shape), 0.5)
        with warnings.catch_warnings(record=True) as theirs:
            warnings.simplefilter("always")
            getattr(torch.nn.functional, fn.__name__)(torch.randn(*shape), 0.5)
        assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        F.feature_alpha_dropout(ag.randn(3), 0.5, True)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout2d(ag.randn(2, 3, 4, 4), 1.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        nn.AlphaDropout(-0.1)


@pytest.mark.parametrize("feature", [False, True])
def test_alpha_dropout_values_gradient_and_statistics(feature):
    p = 0.2
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((200, 300, 4)) if feature else rng.standard_normal((400, 500))
    x = ag.tensor(x0, requires_grad=True)
    ag.manual_seed(0)
    fn = F.feature_alpha_dropout if feature else F.alpha_dropout
    y = fn(x, p, True)
    a = 1 / np.sqrt((ALPHA * ALPHA * p + 1) * (1 - p))
    kept_value = a * x0 + ALPHA * a * p
    dropped_value = -ALPHA * a + ALPHA * a * p
    out = y.detach().numpy()
    kept = np.isclose(out, kept_value, rtol=0, atol=1e-12)
    assert np.all(kept | np.isclose(out, dropped_value, rtol=0, atol=1e-12))
    if feature:  # whole channels
        assert np.all(kept.all(axis=2) | (~kept).all(axis=2))
    assert abs((~kept).mean() - p) < 0.01
    assert abs(out.mean()) < 0.02 and abs(out.std() - 1) < 0.02  # SELU's fixed point kept
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), kept * a)


def test_alpha_dropout_matches_torch_given_torchs_mask():
    """PyTorch's output on ones reveals its mask; ours, from the same mask, must agree."""
    torch.manual_seed(0)
    p = 0.35
    t = torch.nn.functional.alpha_dropout(torch.full((50,), 2.0, dtype=torch.float64), p, True).numpy()
    a = 1 / np.sqrt((ALPHA * ALPHA * p + 1) * (1 - p))
    keep = np.isclose(t, 2 * a + ALPHA * a * p)
    np.testing.assert_allclose(t, np.where(keep, 2 * a, 0) + (keep - 1) * ALPHA * a + ALPHA * a * p)


def test_alpha_dropout_edge_cases():
    x = ag.randn(3, 4)
    assert F.alpha_dropout(x, 0.5) is x  # PyTorch's default: training=False
    assert F.alpha_dropout(x, 0.0, True) is x
    np.testing.assert_array_equal(F.alpha_dropout(x, 1.0, True).numpy(), 0)
    np.testing.assert_array_equal(F.feature_alpha_dropout(x, 1.0, True).numpy(), 0)


@pytest.mark.parametrize("name", ["dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
                                  "feature_alpha_dropout"])
def test_inplace(name):
    shape = {"dropout1d": (3, 4, 5), "dropout3d": (2, 3, 2, 2, 2)}.get(name, (3, 4, 5, 2))
    x = ag.randn(*shape, requires_grad=True)
    h = x * 1.0
    ag.manual_seed(5)
    out = getattr(F, name)(h, 0.5, True, inplace=True)
    assert out is h
    ag.manual_seed(5)
    want = getattr(F, name)(x * 1.0, 0.5, True)
    np.testing.assert_array_equal(h.detach().numpy(), want.detach().numpy())
    h.sum().backward()
    assert x.grad is not None
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(F, name)(ag.randn(*shape, requires_grad=True), 0.5, True, inplace=True)


@pytest.mark.parametrize("cls", ["Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
                                 "FeatureAlphaDropout"])
def test_modules(cls):
    for args in ((), (0.2,), (0.3, True)):
        ours, theirs = getattr(nn, cls)(*args), getattr(torch.nn, cls)(*args)
        assert repr(ours) == repr(theirs) and ours.state_dict() == {}
    m = getattr(nn, cls)(0.5)
    shape = {"Dropout1d": (4, 6, 5), "Dropout3d": (4, 6, 2, 2, 2)}.get(cls, (4, 6, 3, 3))
    x = ag.randn(*shape)
    assert not np.array_equal(m(x).numpy(), x.numpy())
    m.eval()
    assert m(x) is x
