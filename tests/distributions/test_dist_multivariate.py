"""MultivariateNormal (covariance, precision, scale_tril), OneHotCategorical and
Independent against torch.distributions."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.distributions as agd
from dist_helpers import check, raises_same

DTYPES = (np.float64, np.float32)
R = np.random.default_rng(3)
LOC = R.standard_normal((2, 3))
M = R.standard_normal((2, 3, 3))
COV = M @ M.transpose(0, 2, 1) + np.eye(3)
TRIL = np.linalg.cholesky(COV)
X = R.standard_normal((4, 2, 3))
TOL32 = dict(rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("param", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_mvn(dtype, param):
    matrix = {"covariance_matrix": COV, "precision_matrix": np.linalg.inv(COV), "scale_tril": TRIL}[param]

    def fn(lib, D, loc, m, x):
        if param != "scale_tril":
            m = (m + m.transpose(-2, -1)) / 2  # both libraries differentiate the symmetric part
        d = D.MultivariateNormal(loc, **{param: m})
        return (d.log_prob(x), d.entropy(), d.mean, d.mode, d.variance, d.covariance_matrix,
                d.precision_matrix, d.scale_tril)
    check(fn, [LOC, matrix, X], dtype, tol=None if dtype == np.float64 else TOL32)


def test_mvn_broadcasting_batch_shapes():
    def fn(lib, D, loc, tril, x):
        d = D.MultivariateNormal(loc, scale_tril=tril)
        return d.log_prob(x), d.entropy()
    check(fn, [LOC[0], TRIL, X], np.float64)
    check(fn, [LOC, TRIL[0], X[:, :1]], np.float64)
    d = agd.MultivariateNormal(ag.tensor(LOC[0]), scale_tril=ag.tensor(TRIL))
    assert d.batch_shape == (2,) and d.event_shape == (3,)
    assert d.expand((5, 2)).sample().shape == (5, 2, 3)


def test_mvn_rsample():
    loc = ag.tensor(LOC, requires_grad=True)
    tril = ag.tensor(TRIL, requires_grad=True)
    ag.manual_seed(0)
    d = agd.MultivariateNormal(loc, scale_tril=tril)
    x = d.rsample((30000,))
    assert x.shape == (30000, 2, 3) and x.dtype == ag.float64
    xs = x.detach().numpy()
    np.testing.assert_allclose(xs.mean(0), LOC, atol=0.06)
    for b in range(2):
        np.testing.assert_allclose(np.cov(xs[:, b].T), COV[b], atol=0.15 * np.abs(COV[b]).max())
    x[0].sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), 1.0)
    eps = np.linalg.solve(TRIL, (xs[0] - LOC)[..., None])[..., 0]
    expected = np.ones((2, 3))[..., :, None] * eps[..., None, :]  # torch's matmul: all of L
    np.testing.assert_allclose(tril.grad.numpy(), expected, rtol=1e-8, atol=1e-10)


def test_mvn_errors_match_torch():
    raises_same(lambda lib, D: D.MultivariateNormal(lib.zeros(2)))
    raises_same(lambda lib, D: D.MultivariateNormal(lib.zeros(2), lib.eye(2), scale_tril=lib.eye(2)))
    raises_same(lambda lib, D: D.MultivariateNormal(lib.tensor(0.0), lib.eye(2)))
    raises_same(lambda lib, D: D.MultivariateNormal(lib.zeros(2), scale_tril=lib.ones(2)))
    raises_same(lambda lib, D: D.MultivariateNormal(lib.zeros(2), lib.tensor([[1.0, 2.0], [2.0, 1.0]])))
    raises_same(lambda lib, D: D.MultivariateNormal(lib.zeros(2), scale_tril=lib.tensor([[1.0, 1.0], [0.0, 1.0]])))
    raises_same(lambda lib, D: D.MultivariateNormal(lib.zeros(2), lib.eye(2)).log_prob(lib.zeros(3)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_one_hot_categorical(dtype):
    logits = R.standard_normal((2, 4))
    v = np.eye(4)[[[0, 3], [2, 2], [1, 0]]]

    def fn(lib, D, logits, v):
        d = D.OneHotCategorical(logits=logits)
        return d.log_prob(v), d.entropy(), d.mean, d.mode, d.variance, d.probs, d.logits
    check(fn, [logits, v], dtype)
    check(lambda lib, D, p, v: D.OneHotCategorical(probs=p).log_prob(v), [np.exp(logits), v], dtype)
    ag.manual_seed(1)
    d = agd.OneHotCategorical(probs=ag.tensor([[0.2, 0.8], [0.6, 0.4]]))
    s = d.sample((20000,))
    assert s.shape == (20000, 2, 2) and s.dtype == ag.float32
    np.testing.assert_array_equal(s.numpy().sum(-1), 1.0)
    np.testing.assert_allclose(s.numpy().mean(0), [[0.2, 0.8], [0.6, 0.4]], atol=0.015)
    es = d.enumerate_support()
    assert es.shape == (2, 2, 2)
    np.testing.assert_array_equal(es.numpy(), torch.distributions.OneHotCategorical(
        probs=torch.tensor([[0.2, 0.8], [0.6, 0.4]])).enumerate_support().numpy())
    assert d.enumerate_support(expand=False).shape == (2, 1, 2)
    raises_same(lambda lib, D: D.OneHotCategorical(probs=lib.tensor([0.5, 0.5])).log_prob(lib.tensor([1.0, 1.0])))


@pytest.mark.parametrize("dtype", DTYPES)
def test_independent(dtype):
    loc, scale = R.standard_normal((2, 3)), R.uniform(0.5, 2.0, (2, 3))
    x = R.standard_normal((4, 2, 3))

    def fn(lib, D, loc, scale, x):
        d = D.Independent(D.Normal(loc, scale), 1)
        return d.log_prob(x), d.entropy(), d.mean, d.variance, d.mode
    check(fn, [loc, scale, x], dtype)
    d = agd.Independent(agd.Normal(ag.tensor(loc), ag.tensor(scale)), 2)
    assert d.batch_shape == () and d.event_shape == (2, 3) and d.has_rsample
    assert d.rsample((5,)).shape == (5, 2, 3)
    assert repr(d) == "Independent(Normal(loc: autograd_lite.Size([2, 3]), scale: autograd_lite.Size([2, 3])), 2)"
    assert d.expand((4,)).sample().shape == (4, 2, 3)
    assert not agd.Independent(agd.Bernoulli(probs=ag.ones(2, 3) / 2), 1).has_enumerate_support
    with pytest.raises(NotImplementedError):
        agd.Independent(agd.Bernoulli(probs=ag.ones(2, 3) / 2), 1).enumerate_support()
    raises_same(lambda lib, D: D.Independent(D.Normal(lib.zeros(2), lib.ones(2)), 2))
    raises_same(lambda lib, D: D.Independent(D.Normal(lib.zeros(2), lib.ones(2)), 1).log_prob(lib.zeros(3)))


def _build(lib, D):
    t = lib.tensor
    p = t([[0.2, 0.3, 0.5], [0.1, 0.1, 0.8]])
    return [D.Normal(t([0.0, 1.0]), t([1.0, 2.0])), D.Uniform(t([0.0, 1.0]), t([1.0, 3.0])),
            D.Bernoulli(probs=t([0.2, 0.7])), D.Bernoulli(logits=t(0.3)), D.Categorical(probs=p),
            D.Categorical(logits=t([0.0, 1.0, 2.0])), D.OneHotCategorical(probs=p),
            D.Gamma(t([1.0, 2.0]), t([1.0, 0.5])), D.Beta(t([1.0, 2.0]), t([3.0, 0.5])),
            D.Dirichlet(p), D.Exponential(t([1.0, 2.0])), D.Laplace(t([0.0, 1.0]), t(1.0)),
            D.LogNormal(t([0.0, 1.0]), t(1.0)), D.Independent(D.Normal(t([[0.0, 1.0]]), t(1.0)), 1),
            D.MultivariateNormal(t([[0.0, 1.0]]), lib.eye(2)), D.Normal(0.0, 1.0), D.Gamma(2.0, 1.0)]


def test_shapes_flags_and_supports_match_torch():
    ours, theirs = _build(ag, agd), _build(torch, torch.distributions)
    for a, t in zip(ours, theirs):
        name = type(t).__name__
        assert type(a).__name__ == name
        assert tuple(a.batch_shape) == tuple(t.batch_shape), name
        assert tuple(a.event_shape) == tuple(t.event_shape), name
        assert a.has_rsample == t.has_rsample and a.has_enumerate_support == t.has_enumerate_support, name
        assert repr(a.support) == repr(t.support), name
        assert tuple(a.sample((2, 3)).shape) == tuple(t.sample((2, 3)).shape), name
        assert str(a.sample().dtype).split(".")[-1] == str(t.sample().dtype).split(".")[-1], name
        assert tuple(a.expand((4,) + tuple(a.batch_shape)).sample().shape) == \
            tuple(t.expand((4,) + tuple(t.batch_shape)).sample().shape), name
        assert tuple(a.entropy().shape) == tuple(t.entropy().shape), name
        assert tuple(a.log_prob(a.sample((5,))).shape) == tuple(t.log_prob(t.sample((5,))).shape), name
        if t.has_enumerate_support:
            for expand in (True, False):
                assert tuple(a.enumerate_support(expand).shape) == tuple(t.enumerate_support(expand).shape)
        if t.has_rsample:
            assert tuple(a.rsample((3,)).shape) == tuple(t.rsample((3,)).shape), name
