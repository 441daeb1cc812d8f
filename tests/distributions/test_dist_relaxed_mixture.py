"""RelaxedBernoulli, LogitRelaxedBernoulli, RelaxedOneHotCategorical,
ExpRelaxedCategorical, ContinuousBernoulli and MixtureSameFamily against torch.distributions: log_prob,
moments, cdf and rsample (given the same uniforms) with gradients in float64 and
float32; draws' shapes and statistics; errors."""
from unittest import mock

import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.distributions as agd
from dist_helpers import check, raises_same

DTYPES = (np.float64, np.float32)
TOL32 = dict(rtol=1e-3, atol=1e-4)
R = np.random.default_rng(13)
P = R.uniform(0.05, 0.95, (3, 4))
LOGITS = R.standard_normal((3, 4)) * 2
TEMP = np.array(0.7)


def _tol(dtype):
    return None if dtype == np.float64 else TOL32


def _rsample_fn(make, shape, dtype):
    """Ours after manual_seed; torch's with torch.rand returning our uniforms."""
    ag.manual_seed(5)
    noise = torch.tensor(ag.rand(shape, dtype=ag.float64 if dtype == np.float64 else ag.float32).numpy())

    def fn(lib, D, *params):
        if lib is ag:
            ag.manual_seed(5)
            return make(D, *params).rsample(shape[:1])
        with mock.patch("torch.rand", lambda *a, **k: noise.clone()):
            return make(D, *params).rsample(shape[:1])
    return fn


@pytest.mark.parametrize("dtype", DTYPES)
def test_relaxed_bernoulli(dtype):
    x = R.uniform(0.01, 0.99, (2, 3, 4))
    y = R.standard_normal((2, 3, 4))

    def fn(lib, D, t, p, x, y):
        d = D.RelaxedBernoulli(t, probs=p)
        base = d.base_dist
        return d.log_prob(x), base.log_prob(y), d.logits, d.temperature * 1
    check(fn, [TEMP, P, x, y], dtype, tol=_tol(dtype))
    check(lambda lib, D, t, lg, x: D.RelaxedBernoulli(t, logits=lg).log_prob(x), [TEMP, LOGITS, x], dtype,
          tol=_tol(dtype))
    check(_rsample_fn(lambda D, t, p: D.RelaxedBernoulli(t, probs=p), (5, 3, 4), dtype), [TEMP, P], dtype,
          tol=_tol(dtype))
    check(_rsample_fn(lambda D, t, lg: D.RelaxedBernoulli(t, logits=lg).base_dist, (5, 3, 4), dtype),
          [TEMP, LOGITS], dtype, tol=_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_relaxed_one_hot_categorical(dtype):
    logits = R.standard_normal((3, 5))
    x = R.dirichlet(np.ones(5), size=(2, 3))

    def fn(lib, D, t, lg, x):
        d = D.RelaxedOneHotCategorical(t, logits=lg)
        base = d.base_dist
        return d.log_prob(x), base.log_prob(x.log()), d.probs, d.logits
    check(fn, [TEMP, logits, x], dtype, tol=_tol(dtype))
    check(lambda lib, D, t, p, x: D.RelaxedOneHotCategorical(t, probs=p).log_prob(x), [TEMP, np.exp(logits), x],
          dtype, tol=_tol(dtype))
    check(_rsample_fn(lambda D, t, lg: D.RelaxedOneHotCategorical(t, logits=lg), (4, 3, 5), dtype),
          [TEMP, logits], dtype, tol=_tol(dtype))


def test_relaxed_draws_shapes_and_errors():
    ag.manual_seed(0)
    t = ag.tensor(0.1)
    d = agd.RelaxedBernoulli(t, probs=ag.tensor([0.2, 0.8]))
    s = d.rsample((20000,))
    assert s.shape == (20000, 2) and s.dtype == ag.float32 and d.has_rsample
    s = s.numpy()
    assert np.all((s >= 0) & (s <= 1))
    np.testing.assert_allclose((s > 0.5).mean(0), [0.2, 0.8], atol=0.015)  # near-Bernoulli at low temperature
    c = agd.RelaxedOneHotCategorical(t, probs=ag.tensor([0.1, 0.3, 0.6]))
    assert c.batch_shape == () and c.event_shape == (3,)
    s = c.sample((20000,)).numpy()
    np.testing.assert_allclose(s.sum(-1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(np.bincount(s.argmax(-1), minlength=3) / 20000, [0.1, 0.3, 0.6], atol=0.015)
    assert d.expand((3, 2)).sample((4,)).shape == (4, 3, 2)
    assert c.expand((2,)).sample((4,)).shape == (4, 2, 3)
    assert agd.relaxed_bernoulli.LogitRelaxedBernoulli(t, probs=0.3).batch_shape == ()
    assert isinstance(c.base_dist, agd.relaxed_categorical.ExpRelaxedCategorical)
    raises_same(lambda lib, D: D.RelaxedBernoulli(lib.tensor(1.0), probs=lib.tensor([1.5])))
    raises_same(lambda lib, D: D.RelaxedBernoulli(lib.tensor(1.0), probs=lib.tensor([0.5])).log_prob(lib.tensor([2.0])))
    raises_same(lambda lib, D: D.RelaxedOneHotCategorical(lib.tensor(1.0), probs=lib.tensor([0.5, -0.5])))
    raises_same(lambda lib, D: D.RelaxedOneHotCategorical(lib.tensor(1.0), probs=lib.tensor([0.5, 0.5]))
                .log_prob(lib.tensor([0.5, 0.6])))


@pytest.mark.parametrize("dtype", DTYPES)
def test_continuous_bernoulli(dtype):
    # probabilities across (0, 1), some inside the Taylor region around 1/2
    p = np.concatenate([P[:2], np.array([[0.4995, 0.5, 0.5008, 0.9999]])])
    x = R.uniform(0.0, 1.0, (2, 3, 4))
    u = R.uniform(0.01, 0.99, (2, 3, 4))

    def fn(lib, D, p, x, u):
        d = D.ContinuousBernoulli(probs=p)
        return (d.log_prob(x), d.entropy(), d.cdf(x), d.icdf(u), d.mean, d.variance, d.stddev,
                d.logits)
    tol = None if dtype == np.float64 else dict(rtol=3e-3, atol=3e-4)
    check(fn, [p, x, u], dtype, tol=tol)
    check(lambda lib, D, lg, x: D.ContinuousBernoulli(logits=lg).log_prob(x), [LOGITS, x], dtype, tol=tol)
    check(lambda lib, D, p, x: D.ContinuousBernoulli(p, validate_args=False).cdf(x),
          [np.array([0.3, 0.7, 0.3]), np.array([-0.5, 1.5, 0.5])], dtype, tol=tol)
    check(_rsample_fn(lambda D, p: D.ContinuousBernoulli(p), (5, 3, 4), dtype), [P], dtype, tol=tol)
    ag.manual_seed(2)
    d = agd.ContinuousBernoulli(ag.tensor([0.1, 0.5, 0.8]))
    s = d.sample((40000,))
    assert s.shape == (40000, 3) and not s.requires_grad and bool(d.support.check(s).all())
    np.testing.assert_allclose(s.numpy().mean(0), d.mean.numpy(), atol=0.006)
    np.testing.assert_allclose(s.numpy().var(0), d.variance.numpy(), rtol=0.04)
    assert d.expand((2, 3)).sample((4,)).shape == (4, 2, 3)
    # without validate_args given, probs are clamped into (0, 1) before validation (as PyTorch)
    clamped = agd.ContinuousBernoulli(ag.tensor([1.5])).probs.numpy()
    np.testing.assert_array_equal(clamped, torch.distributions.ContinuousBernoulli(torch.tensor([1.5])).probs.numpy())
    raises_same(lambda lib, D: D.ContinuousBernoulli(lib.tensor([1.5]), validate_args=True))
    raises_same(lambda lib, D: D.ContinuousBernoulli(lib.tensor([0.5])).log_prob(lib.tensor([1.5])))


@pytest.mark.parametrize("dtype", DTYPES)
def test_mixture_same_family(dtype):
    mix = R.standard_normal((2, 3))
    loc, scale = R.standard_normal((2, 3)) * 3, R.uniform(0.5, 2.0, (2, 3))
    x = R.standard_normal((4, 2)) * 3

    def fn(lib, D, mix, loc, scale, x):
        d = D.MixtureSameFamily(D.Categorical(logits=mix), D.Normal(loc, scale))
        return d.log_prob(x), d.cdf(x), d.mean, d.variance, d.stddev
    check(fn, [mix, loc, scale, x], dtype, tol=_tol(dtype))

    # a batch-less mixture of batched components, multivariate components
    def fn2(lib, D, mix, loc, scale, x):
        comp = D.Independent(D.Normal(loc, scale), 1)
        d = D.MixtureSameFamily(D.Categorical(logits=mix), comp)
        return d.log_prob(x), d.mean, d.variance
    check(fn2, [mix[0], R.standard_normal((2, 3, 4)), R.uniform(0.5, 2.0, (2, 3, 4)),
                R.standard_normal((5, 2, 4))], dtype, tol=_tol(dtype))


def test_mixture_draws_shapes_and_errors():
    ag.manual_seed(1)
    d = agd.MixtureSameFamily(agd.Categorical(probs=ag.tensor([0.3, 0.7])),
                              agd.Normal(ag.tensor([-5.0, 5.0]), ag.tensor([1.0, 1.0])))
    assert d.batch_shape == () and d.event_shape == () and not d.has_rsample
    s = d.sample((20000,)).numpy()
    assert s.shape == (20000,)
    np.testing.assert_allclose((s > 0).mean(), 0.7, atol=0.015)
    np.testing.assert_allclose(s.mean(), d.mean.item(), atol=0.1)
    np.testing.assert_allclose(s.var(), d.variance.item(), rtol=0.05)
    mv = agd.MixtureSameFamily(agd.Categorical(logits=ag.zeros(3)),
                               agd.Independent(agd.Normal(ag.zeros(4, 3, 2), ag.ones(4, 3, 2)), 1))
    assert mv.batch_shape == (4,) and mv.event_shape == (2,)
    assert mv.sample((5,)).shape == (5, 4, 2) and mv.log_prob(mv.sample((5,))).shape == (5, 4)
    e = d.expand((3,))
    assert e.batch_shape == (3,) and e.sample((2,)).shape == (2, 3)
    assert e.component_distribution.batch_shape == (3, 2)
    mix = d.mixture_distribution
    assert isinstance(mix, agd.Categorical) and d.component_distribution.batch_shape == (2,)
    assert repr(d.support) == repr(torch.distributions.MixtureSameFamily(
        torch.distributions.Categorical(probs=torch.tensor([0.3, 0.7])),
        torch.distributions.Normal(torch.tensor([-5.0, 5.0]), torch.tensor([1.0, 1.0]))).support)
    raises_same(lambda lib, D: D.MixtureSameFamily(D.Normal(0.0, 1.0), D.Normal(lib.zeros(2), lib.ones(2))))
    raises_same(lambda lib, D: D.MixtureSameFamily(D.Categorical(logits=lib.zeros(2)), "normal"))
    raises_same(lambda lib, D: D.MixtureSameFamily(D.Categorical(logits=lib.zeros(3)),
                                                   D.Normal(lib.zeros(2), lib.ones(2))))
    raises_same(lambda lib, D: D.MixtureSameFamily(D.Categorical(logits=lib.zeros(3, 2)),
                                                   D.Normal(lib.zeros(4, 2), lib.ones(4, 2))))
    bounded = agd.MixtureSameFamily(agd.Categorical(logits=ag.zeros(2)), agd.Exponential(ag.ones(2)))
    with pytest.raises(ValueError, match="support"):
        bounded.log_prob(ag.tensor([-1.0]))
