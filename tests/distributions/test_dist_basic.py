"""Normal, Uniform, Bernoulli and Categorical against torch.distributions: values and
gradients of log_prob, entropy, cdf, icdf and moments in float64 and float32, draws'
shapes, dtypes and statistics, validation errors."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.distributions as agd
from dist_helpers import check, raises_same

DTYPES = (np.float64, np.float32)
R = np.random.default_rng(1)
LOC = R.standard_normal((3, 4))
SCALE = R.uniform(0.5, 2.0, (3, 4))
X = R.standard_normal((2, 3, 4)) * 2
P = R.uniform(0.05, 0.95, (3, 4))
LOGITS = R.standard_normal((3, 5)) * 2


@pytest.mark.parametrize("dtype", DTYPES)
def test_normal_values_and_gradients(dtype):
    def fn(lib, D, loc, scale, x):
        d = D.Normal(loc, scale)
        return (d.log_prob(x), d.entropy(), d.cdf(x), d.mean, d.mode, d.stddev, d.variance,
                d.icdf(lib.sigmoid(x)), d.perplexity())
    check(fn, [LOC, SCALE, X], dtype)


def test_normal_number_parameters_and_broadcasting():
    def fn(lib, D, x):
        d = D.Normal(0.5, 2.0)
        return d.log_prob(x), d.entropy(), d.cdf(x)
    check(fn, [X], np.float32)
    check(lambda lib, D, loc, x: D.Normal(loc, 1.5).log_prob(x), [LOC[0], X])
    d = agd.Normal(0.0, 1.0)
    assert d.batch_shape == () and d.event_shape == ()
    assert d.sample().shape == () and d.sample().dtype == ag.float32


def test_normal_rsample_gradient_is_the_reparameterisation():
    loc = ag.tensor(LOC, requires_grad=True)
    scale = ag.tensor(SCALE, requires_grad=True)
    ag.manual_seed(3)
    x = agd.Normal(loc, scale).rsample((5,))
    assert x.shape == (5, 3, 4) and x.dtype == ag.float64
    x.sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), 5.0)
    eps = (x.detach().numpy() - LOC) / SCALE
    np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0), rtol=1e-10)


def test_normal_draws_statistics_and_seed():
    ag.manual_seed(0)
    d = agd.Normal(ag.tensor([1.0, -2.0]), ag.tensor([0.5, 3.0]))
    s = d.sample((20000,)).numpy()
    np.testing.assert_allclose(s.mean(0), [1.0, -2.0], atol=0.06)
    np.testing.assert_allclose(s.std(0), [0.5, 3.0], rtol=0.03)
    ag.manual_seed(5)
    a = d.sample((3,))
    ag.manual_seed(5)
    b = d.rsample((3,))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not a.requires_grad


@pytest.mark.parametrize("dtype", DTYPES)
def test_uniform(dtype):
    low, high = LOC, LOC + SCALE
    x = LOC + SCALE * R.uniform(0.01, 0.99, (2, 3, 4))

    def fn(lib, D, lo, hi, x):
        d = D.Uniform(lo, hi)
        return d.log_prob(x), d.entropy(), d.cdf(x), d.icdf(lib.sigmoid(x)), d.mean, d.stddev, d.variance
    check(fn, [low, high, x], dtype)
    ag.manual_seed(1)
    s = agd.Uniform(ag.tensor(low), ag.tensor(high)).sample((20000,)).numpy()
    assert s.shape == (20000, 3, 4)
    assert np.all(s >= low) and np.all(s < high)
    np.testing.assert_allclose(s.mean(0), (low + high) / 2, atol=0.03)
    np.testing.assert_allclose(s.var(0), SCALE ** 2 / 12, rtol=0.08)
    assert np.isnan(agd.Uniform(0.0, 1.0).mode.numpy())
    outside = agd.Uniform(ag.tensor([0.0]), ag.tensor([1.0]), validate_args=False)
    assert outside.log_prob(ag.tensor([2.0])).item() == -np.inf


def test_uniform_rsample_gradient():
    lo = ag.tensor([0.0, 1.0], requires_grad=True)
    hi = ag.tensor([1.0, 4.0], requires_grad=True)
    ag.manual_seed(2)
    x = agd.Uniform(lo, hi).rsample()
    x.sum().backward()
    u = (x.detach().numpy() - [0.0, 1.0]) / [1.0, 3.0]
    np.testing.assert_allclose(hi.grad.numpy(), u)
    np.testing.assert_allclose(lo.grad.numpy(), 1 - u)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bernoulli_probs_and_logits(dtype):
    v = (R.uniform(size=(2, 3, 4)) < 0.5).astype(float)

    def from_probs(lib, D, p, v):
        d = D.Bernoulli(probs=p)
        return d.log_prob(v), d.entropy(), d.mean, d.variance, d.logits, d.mode
    check(from_probs, [P, v], dtype, grad=[0])

    def from_logits(lib, D, logit, v):
        d = D.Bernoulli(logits=logit)
        return d.log_prob(v), d.entropy(), d.mean, d.variance, d.probs
    check(from_logits, [R.standard_normal((3, 4)), v], dtype, grad=[0])
    check(from_logits, [np.zeros((3, 4)), v], dtype, grad=[0])  # logits 0: smooth gradient


def test_bernoulli_draws_support_and_mode():
    ag.manual_seed(0)
    d = agd.Bernoulli(probs=ag.tensor([0.2, 0.5, 0.9]))
    s = d.sample((20000,))
    assert s.shape == (20000, 3) and s.dtype == ag.float32
    np.testing.assert_allclose(s.numpy().mean(0), [0.2, 0.5, 0.9], atol=0.015)
    np.testing.assert_array_equal(d.enumerate_support().numpy(), [[0, 0, 0], [1, 1, 1]])
    assert d.enumerate_support(expand=False).shape == (2, 1)
    mode = d.mode.numpy()
    assert mode[0] == 0 and np.isnan(mode[1]) and mode[2] == 1
    assert not d.has_rsample and d.has_enumerate_support
    with pytest.raises(NotImplementedError):
        d.rsample()


@pytest.mark.parametrize("dtype", DTYPES)
def test_categorical(dtype):
    v = np.array([[0, 4, 2], [1, 1, 3]])
    probs = np.exp(LOGITS) * 3.0

    def from_logits(lib, D, logits, v):
        d = D.Categorical(logits=logits)
        return d.log_prob(v), d.entropy(), d.probs, d.logits, d.mean, d.variance
    check(from_logits, [LOGITS, v], dtype)

    def from_probs(lib, D, probs, v):
        d = D.Categorical(probs=probs)
        return d.log_prob(v), d.entropy(), d.probs, d.logits
    check(from_probs, [probs, v], dtype)
    check(lambda lib, D, p: D.Categorical(probs=p).entropy(), [np.array([0.0, 0.3, 0.7])], dtype)


def test_categorical_draws_support_and_mode():
    ag.manual_seed(0)
    probs = np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])
    d = agd.Categorical(probs=ag.tensor(probs))
    s = d.sample((20000,))
    assert s.shape == (20000, 2) and s.dtype == ag.int64
    for row in range(2):
        freq = np.bincount(s.numpy()[:, row], minlength=3) / 20000
        np.testing.assert_allclose(freq, probs[row], atol=0.015)
    np.testing.assert_array_equal(d.mode.numpy(), [2, 0])
    es = d.enumerate_support()
    assert es.shape == (3, 2) and es.dtype == ag.int64
    assert d.enumerate_support(expand=False).shape == (3, 1)
    assert tuple(d.sample((4, 5)).shape) == (4, 5, 2)
    assert agd.Categorical(logits=ag.zeros(4)).sample().shape == ()
    ag.manual_seed(9)
    a = d.sample((7,))
    ag.manual_seed(9)
    np.testing.assert_array_equal(a.numpy(), d.sample((7,)).numpy())


def test_expand():
    d = agd.Normal(ag.tensor([0.0, 1.0]), ag.tensor([1.0, 2.0])).expand((3, 2))
    assert d.batch_shape == (3, 2) and d.sample().shape == (3, 2)
    c = agd.Categorical(logits=ag.zeros(4)).expand((5,))
    assert c.batch_shape == (5,) and c.sample().shape == (5,)
    b = agd.Bernoulli(probs=ag.tensor(0.3)).expand((2,))
    assert b.sample((3,)).shape == (3, 2)
    u = agd.Uniform(ag.tensor(0.0), ag.tensor(1.0)).expand([4])
    assert u.log_prob(ag.tensor(0.5)).shape == (4,)


def test_validation_errors_match_torch():
    raises_same(lambda lib, D: D.Normal(lib.tensor([0.0, 1.0]), lib.tensor([1.0, -1.0])))
    raises_same(lambda lib, D: D.Normal(lib.tensor([0.0]), lib.tensor([1.0])).log_prob(lib.tensor([float("nan")])))
    raises_same(lambda lib, D: D.Normal(lib.zeros(3), lib.ones(3)).log_prob(lib.zeros(2)))
    raises_same(lambda lib, D: D.Bernoulli(probs=lib.tensor([1.5])))
    raises_same(lambda lib, D: D.Bernoulli(probs=lib.tensor([0.5]), logits=lib.tensor([0.0])))
    raises_same(lambda lib, D: D.Bernoulli(probs=lib.tensor([0.5])).log_prob(lib.tensor([0.5])))
    raises_same(lambda lib, D: D.Categorical(probs=lib.tensor([0.5, -0.1])))
    raises_same(lambda lib, D: D.Categorical(probs=lib.tensor(0.5)))
    raises_same(lambda lib, D: D.Categorical(logits=lib.zeros(3)).log_prob(lib.tensor(3)))
    raises_same(lambda lib, D: D.Uniform(1.0, 0.0))
    raises_same(lambda lib, D: D.Uniform(0.0, 1.0).log_prob(lib.tensor(1.5)))
    raises_same(lambda lib, D: D.Normal(0.0, 1.0).log_prob(1.0))


def test_validate_args_off_and_default_switch():
    d = agd.Normal(ag.tensor([0.0]), ag.tensor([-1.0]), validate_args=False)
    assert np.isnan(d.log_prob(ag.tensor([0.0])).numpy()).all()
    agd.Distribution.set_default_validate_args(False)
    try:
        d = agd.Normal(ag.tensor([0.0]), ag.tensor([-1.0]))
        assert not d._validate_args
        assert agd.Uniform(0.0, 1.0).log_prob(ag.tensor(2.0)).item() == -np.inf
    finally:
        agd.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        agd.Normal(ag.tensor([0.0]), ag.tensor([-1.0]))
    with pytest.raises(ValueError):
        agd.Distribution.set_default_validate_args(3)


def test_repr_and_shapes():
    d = agd.Normal(ag.tensor([0.0, 1.0]), ag.tensor([1.0, 2.0]))
    assert repr(d).startswith("Normal(loc: ")
    assert repr(agd.Normal(0.0, 1.0)) == repr(torch.distributions.Normal(0.0, 1.0))
    assert d._extended_shape((4,)) == (4, 2)
    assert agd.Normal.arg_constraints["scale"] is agd.constraints.positive
