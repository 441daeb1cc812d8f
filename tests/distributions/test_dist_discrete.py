"""Binomial, Poisson, Geometric, NegativeBinomial and Multinomial against
torch.distributions: log_prob, entropy and moments with their gradients in float64
and float32, enumerate_support, draws' shapes, dtypes, support and moments,
validation errors."""
import numpy as np
import pytest

import autograd_lite as ag
import autograd_lite.distributions as agd
from dist_helpers import check, raises_same

DTYPES = (np.float64, np.float32)
TOL32 = dict(rtol=1e-4, atol=1e-4)
R = np.random.default_rng(11)
P = R.uniform(0.05, 0.95, (3, 4))
LOGITS = R.standard_normal((3, 4)) * 2
N = R.integers(0, 12, (3, 4)).astype(float)


def _tol(dtype):
    return None if dtype == np.float64 else TOL32


@pytest.mark.parametrize("dtype", DTYPES)
def test_binomial(dtype):
    k = np.floor(R.uniform(0, 1, (2, 3, 4)) * (N + 1))

    def from_probs(lib, D, n, p, k):
        d = D.Binomial(n, probs=p)
        return d.log_prob(k), d.mean, d.mode, d.variance, d.logits
    check(from_probs, [N, P, k], dtype, grad=[1], tol=_tol(dtype))

    def from_logits(lib, D, n, logits, k):
        d = D.Binomial(n, logits=logits)
        return d.log_prob(k), d.mean, d.variance, d.probs
    check(from_logits, [N, LOGITS, k], dtype, grad=[1], tol=_tol(dtype))
    check(from_logits, [N, np.zeros((3, 4)), k], dtype, grad=[1], tol=_tol(dtype))

    def entropy(lib, D, p, k):
        d = D.Binomial(7, probs=p)
        return d.entropy(), d.log_prob(k), d.enumerate_support(), d.enumerate_support(False)
    check(entropy, [P, np.full((3, 4), 3.0)], dtype, grad=[0], tol=_tol(dtype))
    check(lambda lib, D, p: D.Binomial(5, p).entropy(), [np.array([0.0, 1.0, 0.3])], dtype, grad=[])


def test_binomial_draws_and_errors():
    ag.manual_seed(0)
    d = agd.Binomial(ag.tensor([3.0, 10.0, 50.0]), ag.tensor([0.5, 0.1, 0.8]))
    s = d.sample((20000,))
    assert s.shape == (20000, 3) and s.dtype == ag.float32 and not s.requires_grad
    s = s.numpy()
    assert np.all(s == np.round(s)) and np.all(s >= 0) and np.all(s <= [3, 10, 50])
    np.testing.assert_allclose(s.mean(0), [1.5, 1.0, 40.0], rtol=0.03)
    np.testing.assert_allclose(s.var(0), [0.75, 0.9, 8.0], rtol=0.06)
    assert d.expand((2, 3)).sample((4,)).shape == (4, 2, 3)
    assert agd.Binomial(10, ag.tensor(0.5, dtype=ag.float64)).sample().dtype == ag.float64
    with pytest.raises(NotImplementedError, match="Inhomogeneous total count"):
        d.entropy()
    with pytest.raises(NotImplementedError, match="Inhomogeneous total count"):
        d.enumerate_support()
    raises_same(lambda lib, D: D.Binomial(lib.tensor([2.5]), lib.tensor([0.5])))
    raises_same(lambda lib, D: D.Binomial(3, lib.tensor([1.5])))
    raises_same(lambda lib, D: D.Binomial(3, lib.tensor([0.5])).log_prob(lib.tensor([4.0])))
    raises_same(lambda lib, D: D.Binomial(3, lib.tensor([0.5])).log_prob(lib.tensor([1.5])))
    raises_same(lambda lib, D: D.Binomial(3))


@pytest.mark.parametrize("dtype", DTYPES)
def test_poisson(dtype):
    rate = R.uniform(0.1, 8.0, (3, 4))
    k = np.floor(R.uniform(0, 10, (2, 3, 4)))

    def fn(lib, D, rate, k):
        d = D.Poisson(rate)
        return d.log_prob(k), d.mean, d.mode, d.variance
    check(fn, [rate, k], dtype, grad=[0], tol=_tol(dtype))
    check(lambda lib, D, k: D.Poisson(2.5).log_prob(k), [k], dtype, grad=[])
    check(lambda lib, D, r, k: D.Poisson(r).log_prob(k), [np.array([0.0, 0.0, 1.0]), np.array([0.0, 1.0, 0.0])],
          dtype, grad=[])


def test_poisson_draws_and_errors():
    ag.manual_seed(1)
    d = agd.Poisson(ag.tensor([0.5, 4.0, 30.0], dtype=ag.float64))
    s = d.sample((20000,))
    assert s.shape == (20000, 3) and s.dtype == ag.float64
    s = s.numpy()
    assert np.all(s == np.round(s)) and np.all(s >= 0)
    np.testing.assert_allclose(s.mean(0), [0.5, 4.0, 30.0], rtol=0.03)
    np.testing.assert_allclose(s.var(0), [0.5, 4.0, 30.0], rtol=0.06)
    assert agd.Poisson(3.0).sample((2, 5)).shape == (2, 5)
    assert d.expand((4, 3)).batch_shape == (4, 3)
    assert not d.has_rsample
    raises_same(lambda lib, D: D.Poisson(lib.tensor([-1.0])))
    raises_same(lambda lib, D: D.Poisson(lib.tensor([1.0])).log_prob(lib.tensor([0.5])))


@pytest.mark.parametrize("dtype", DTYPES)
def test_geometric(dtype):
    k = np.floor(R.uniform(0, 8, (2, 3, 4)))

    def from_probs(lib, D, p, k):
        d = D.Geometric(probs=p)
        return d.log_prob(k), d.entropy(), d.mean, d.mode, d.variance, d.logits
    check(from_probs, [P, k], dtype, grad=[0], tol=_tol(dtype))

    def from_logits(lib, D, logits, k):
        d = D.Geometric(logits=logits)
        return d.log_prob(k), d.entropy(), d.mean, d.variance, d.probs
    check(from_logits, [LOGITS, k], dtype, grad=[0], tol=_tol(dtype))
    check(lambda lib, D, p, k: D.Geometric(p).log_prob(k), [np.array([1.0, 1.0]), np.array([0.0, 2.0])],
          dtype, grad=[0])


def test_geometric_draws_and_errors():
    ag.manual_seed(2)
    d = agd.Geometric(ag.tensor([0.2, 0.5, 0.9]))
    s = d.sample((40000,))
    assert s.shape == (40000, 3) and s.dtype == ag.float32
    s = s.numpy()
    assert np.all(s == np.round(s)) and np.all(s >= 0)
    np.testing.assert_allclose(s.mean(0), [4.0, 1.0, 1 / 9], rtol=0.04)
    np.testing.assert_allclose(s.var(0), [20.0, 2.0, 0.1 / 0.81], rtol=0.08)
    raises_same(lambda lib, D: D.Geometric(lib.tensor([0.0, 0.5])))
    raises_same(lambda lib, D: D.Geometric(lib.tensor([1.5])))
    raises_same(lambda lib, D: D.Geometric(lib.tensor([0.5])).log_prob(lib.tensor([-1.0])))


@pytest.mark.parametrize("dtype", DTYPES)
def test_negative_binomial(dtype):
    total = R.uniform(0.5, 6.0, (3, 4))
    k = np.floor(R.uniform(0, 10, (2, 3, 4)))

    def from_probs(lib, D, n, p, k):
        d = D.NegativeBinomial(n, probs=p)
        return d.log_prob(k), d.mean, d.mode, d.variance, d.logits
    check(from_probs, [total, P, k], dtype, grad=[0, 1], tol=_tol(dtype))

    def from_logits(lib, D, n, logits, k):
        d = D.NegativeBinomial(n, logits=logits)
        return d.log_prob(k), d.mean, d.variance, d.probs
    check(from_logits, [total, LOGITS, k], dtype, grad=[0, 1], tol=_tol(dtype))
    check(lambda lib, D, n, p, k: D.NegativeBinomial(n, p).log_prob(k),
          [np.array([0.0, 0.0, 2.0]), np.array([0.3, 0.3, 0.0]), np.array([0.0, 1.0, 0.0])], dtype, grad=[1])


def test_negative_binomial_draws_and_errors():
    ag.manual_seed(3)
    n, p = np.array([2.0, 5.5, 0.7]), np.array([0.3, 0.6, 0.5])
    d = agd.NegativeBinomial(ag.tensor(n), probs=ag.tensor(p))
    s = d.sample((40000,))
    assert s.shape == (40000, 3) and s.dtype == ag.float64
    s = s.numpy()
    assert np.all(s == np.round(s)) and np.all(s >= 0)
    mean = n * p / (1 - p)
    np.testing.assert_allclose(s.mean(0), mean, rtol=0.04)
    np.testing.assert_allclose(s.var(0), mean / (1 - p), rtol=0.08)
    assert d.expand((2, 3)).sample((5,)).shape == (5, 2, 3)
    raises_same(lambda lib, D: D.NegativeBinomial(lib.tensor([-1.0]), lib.tensor([0.5])))
    raises_same(lambda lib, D: D.NegativeBinomial(lib.tensor([1.0]), lib.tensor([1.0])))
    raises_same(lambda lib, D: D.NegativeBinomial(lib.tensor([1.0]), lib.tensor([0.5])).log_prob(lib.tensor([0.5])))


@pytest.mark.parametrize("dtype", DTYPES)
def test_multinomial(dtype):
    logits = R.standard_normal((2, 3, 4))
    counts = R.multinomial(6, np.full(4, 0.25), size=(5, 2, 3)).astype(float)

    def from_logits(lib, D, logits, x):
        d = D.Multinomial(6, logits=logits)
        return d.log_prob(x), d.mean, d.variance, d.probs, d.logits
    check(from_logits, [logits, counts], dtype, grad=[0], tol=_tol(dtype))

    def from_probs(lib, D, probs, x):
        d = D.Multinomial(6, probs=probs)
        return d.log_prob(x), d.mean, d.variance
    check(from_probs, [np.exp(logits), counts], dtype, grad=[0], tol=_tol(dtype))
    # log_prob scores any counts, whatever total_count
    check(lambda lib, D, p, x: D.Multinomial(probs=p, validate_args=False).log_prob(x), [np.exp(logits), counts], dtype,
          grad=[0], tol=_tol(dtype))
    # zero probabilities with zero counts; torch's lgamma of an integer n is float32, hence the tolerance
    check(lambda lib, D, p: D.Multinomial(10, probs=p).entropy(),
          [np.array([[0.2, 0.3, 0.5], [0.0, 0.4, 0.6]])], dtype,
          tol=dict(rtol=1e-6, atol=1e-6) if dtype == np.float64 else TOL32)
    check(lambda lib, D, p, x: D.Multinomial(3, probs=p).log_prob(x),
          [np.array([0.0, 0.4, 0.6]), np.array([0.0, 1.0, 2.0])], dtype, grad=[], tol=_tol(dtype))


def test_multinomial_draws_and_errors():
    ag.manual_seed(4)
    probs = np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])
    d = agd.Multinomial(20, ag.tensor(probs, dtype=ag.float32))
    assert d.batch_shape == (2,) and d.event_shape == (3,)
    s = d.sample((10000,))
    assert s.shape == (10000, 2, 3) and s.dtype == ag.float32
    s = s.numpy()
    assert np.all(s.sum(-1) == 20) and np.all(s >= 0)
    np.testing.assert_allclose(s.mean(0), 20 * probs, rtol=0.03)
    np.testing.assert_allclose(s.var(0), 20 * probs * (1 - probs), rtol=0.08)
    e = d.expand((4, 2))
    assert e.batch_shape == (4, 2) and e.sample((3,)).shape == (3, 4, 2, 3)
    with pytest.raises(NotImplementedError, match="inhomogeneous total_count"):
        agd.Multinomial(ag.tensor([2, 3]), ag.tensor([0.5, 0.5]))
    raises_same(lambda lib, D: D.Multinomial(3, lib.tensor([0.5, -0.5])))
    raises_same(lambda lib, D: D.Multinomial(3, lib.tensor([0.5, 0.5])).log_prob(lib.tensor([2.0, 2.0])))
    raises_same(lambda lib, D: D.Multinomial(3, lib.tensor([0.5, 0.5])).log_prob(lib.tensor([2.0, 2.0, 0.0])))
