"""InverseGamma, Kumaraswamy, LogisticNormal, FisherSnedecor and
OneHotCategoricalStraightThrough against torch.distributions: log_prob, entropy,
moments, cdf/icdf and rsample given the same noise, with gradients in float64 and
float32; draws' statistics; validation errors."""
from unittest import mock

import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.distributions as agd
from dist_helpers import check, raises_same

DTYPES = (np.float64, np.float32)
TOL32 = dict(rtol=1e-3, atol=1e-4)
R = np.random.default_rng(17)
A = R.uniform(0.4, 5.0, (3, 4))
B = R.uniform(0.4, 5.0, (3, 4))
POS = R.uniform(0.05, 4.0, (2, 3, 4))
UNIT = R.uniform(0.02, 0.98, (2, 3, 4))


def _tol(dtype):
    return None if dtype == np.float64 else TOL32


def _same_noise(make, dtype, patch_target, kind):
    agt = ag.float64 if dtype == np.float64 else ag.float32
    ag.manual_seed(8)
    noise = (ag.rand if kind == "rand" else ag.randn)((5, 3, 4), dtype=agt).numpy()

    def fn(lib, D, *params):
        if lib is ag:
            ag.manual_seed(8)
            return make(D, *params).rsample((5,))
        with mock.patch(patch_target, lambda *a, **k: torch.tensor(noise)):
            return make(D, *params).rsample((5,))
    return fn


@pytest.mark.parametrize("dtype", DTYPES)
def test_inverse_gamma(dtype):
    conc = np.concatenate([A[:2], np.array([[0.5, 1.5, 2.5, 4.0]])])

    def fn(lib, D, c, r, x, u):
        d = D.InverseGamma(c, r)
        return d.log_prob(x), d.entropy(), d.cdf(x), d.mean, d.mode, d.variance
    check(fn, [conc, B, POS, UNIT], dtype, grad=[1, 2], tol=_tol(dtype))
    check(lambda lib, D, c, r, x: D.InverseGamma(c, r).log_prob(x), [conc, B, POS], dtype, tol=_tol(dtype))
    ag.manual_seed(1)
    d = agd.InverseGamma(ag.tensor([5.0, 8.0]), ag.tensor([2.0, 14.0]))
    s = d.sample((40000,)).numpy()
    assert s.shape == (40000, 2) and (s > 0).all()
    np.testing.assert_allclose(s.mean(0), d.mean.numpy(), rtol=0.03)
    np.testing.assert_allclose(s.var(0), d.variance.numpy(), rtol=0.15)
    raises_same(lambda lib, D: D.InverseGamma(lib.tensor([-1.0]), lib.tensor([1.0])))


@pytest.mark.parametrize("dtype", DTYPES)
def test_kumaraswamy(dtype):
    def fn(lib, D, a, b, x, u):
        d = D.Kumaraswamy(a, b)
        return d.log_prob(x), d.entropy(), d.cdf(x), d.icdf(u), d.mean, d.mode, d.variance
    check(fn, [A, B, UNIT, UNIT[::-1].copy()], dtype, tol=_tol(dtype))
    check(_same_noise(lambda D, a, b: D.Kumaraswamy(a, b), dtype, "torch.rand", "rand"), [A, B], dtype,
          tol=_tol(dtype))
    ag.manual_seed(2)
    d = agd.Kumaraswamy(ag.tensor([2.0, 0.5]), ag.tensor([3.0, 0.7]))
    s = d.sample((40000,)).numpy()
    assert ((s >= 0) & (s <= 1)).all()
    np.testing.assert_allclose(s.mean(0), d.mean.numpy(), rtol=0.02)
    np.testing.assert_allclose(s.var(0), d.variance.numpy(), rtol=0.05)
    assert d.expand((3, 2)).sample((4,)).shape == (4, 3, 2)


@pytest.mark.parametrize("dtype", DTYPES)
def test_logistic_normal(dtype):
    loc, scale = R.standard_normal((3, 4)), R.uniform(0.5, 2.0, (3, 4))
    x = R.dirichlet(np.ones(5), size=(2, 3))

    def fn(lib, D, loc, scale, x):
        d = D.LogisticNormal(loc, scale)
        return d.log_prob(x), d.loc * 1, d.scale * 1
    check(fn, [loc, scale, x], dtype, tol=_tol(dtype))
    check(_same_noise(lambda D, loc, scale: D.LogisticNormal(loc, scale), dtype,
                      "torch.distributions.normal._standard_normal", "randn"), [loc, scale], dtype, tol=_tol(dtype))
    d = agd.LogisticNormal(ag.tensor(0.3), ag.tensor(1.0))
    assert d.batch_shape == () and d.event_shape == (2,)
    assert d.sample((7,)).shape == (7, 2)
    e = agd.LogisticNormal(ag.tensor(loc), ag.tensor(scale))
    assert e.batch_shape == (3,) and e.event_shape == (5,)
    s = e.sample((6,)).numpy()
    np.testing.assert_allclose(s.sum(-1), 1.0, rtol=1e-6)
    assert e.expand((2, 3)).sample().shape == (2, 3, 5)


@pytest.mark.parametrize("dtype", DTYPES)
def test_fisher_snedecor(dtype):
    df1 = np.concatenate([A[:2] * 3, np.array([[1.0, 2.5, 5.0, 12.0]])])
    df2 = np.concatenate([B[:2] * 3, np.array([[1.5, 3.0, 4.5, 30.0]])])

    def fn(lib, D, d1, d2, x):
        d = D.FisherSnedecor(d1, d2)
        return d.log_prob(x), d.mean, d.mode, d.variance
    check(fn, [df1, df2, POS], dtype, tol=_tol(dtype))
    ag.manual_seed(3)
    d1, d2 = ag.tensor([5.0, 10.0], requires_grad=True), ag.tensor([12.0, 20.0], requires_grad=True)
    dist = agd.FisherSnedecor(d1, d2)
    s = dist.rsample((40000,))
    assert s.shape == (40000, 2) and bool((s > 0).all())
    np.testing.assert_allclose(s.detach().numpy().mean(0), dist.mean.detach().numpy(), rtol=0.03)
    s.mean(0).sum().backward()
    # d E[X] / d df2 = -2 / (df2 - 2)**2, d E[X] / d df1 = 0
    np.testing.assert_allclose(d2.grad.numpy(), [-2 / 100, -2 / 324], rtol=0.3, atol=0.004)
    assert np.abs(d1.grad.numpy()).max() < 0.02
    raises_same(lambda lib, D: D.FisherSnedecor(lib.tensor([0.0]), lib.tensor([1.0])))


@pytest.mark.parametrize("dtype", DTYPES)
def test_one_hot_categorical_straight_through(dtype):
    logits = R.standard_normal((3, 5))
    w = R.standard_normal((4, 3, 5))
    lg = ag.tensor(logits.astype(dtype), requires_grad=True)
    ag.manual_seed(4)
    d = agd.OneHotCategoricalStraightThrough(logits=lg)
    assert d.has_rsample
    x = d.rsample((4,))
    assert x.shape == (4, 3, 5)
    np.testing.assert_allclose(x.detach().numpy().sum(-1), 1.0)
    assert set(np.unique(x.detach().numpy())) <= {0.0, 1.0}
    (x * ag.tensor(w.astype(dtype))).sum().backward()
    lt = torch.tensor(logits.astype(dtype), requires_grad=True)
    xt = torch.distributions.OneHotCategoricalStraightThrough(logits=lt).rsample((4,))
    (xt * torch.tensor(w.astype(dtype))).sum().backward()  # the gradient does not depend on the draw
    np.testing.assert_allclose(lg.grad.numpy(), lt.grad.numpy(), **(_tol(dtype) or dict(rtol=1e-10)))
