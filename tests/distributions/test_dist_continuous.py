"""Gamma, Beta, Dirichlet, Exponential, Laplace and LogNormal against
torch.distributions: values and gradients in float64 and float32, reparameterised
gradients against PyTorch's formula, draws' statistics."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.distributions as agd
from dist_helpers import check, raises_same

DTYPES = (np.float64, np.float32)
R = np.random.default_rng(2)
A = R.uniform(0.3, 5.0, (3, 4))
B = R.uniform(0.3, 5.0, (3, 4))
POS = R.uniform(0.1, 4.0, (2, 3, 4))
UNIT = R.uniform(0.02, 0.98, (2, 3, 4))
LOC = R.standard_normal((3, 4))
X = R.standard_normal((2, 3, 4)) * 2


@pytest.mark.parametrize("dtype", DTYPES)
def test_gamma(dtype):
    def fn(lib, D, c, r, x):
        d = D.Gamma(c, r)
        return d.log_prob(x), d.entropy(), d.mean, d.mode, d.variance, d.stddev
    check(fn, [A, B, POS], dtype, tol=None if dtype == np.float64 else dict(rtol=1e-3, atol=1e-4))


@pytest.mark.parametrize("dtype", DTYPES)
def test_gamma_cdf(dtype):
    def fn(lib, D, c, r, x):
        return D.Gamma(c, r).cdf(x)
    tol = {"rtol": 1e-7, "atol": 1e-9} if dtype == np.float64 else {"rtol": 1e-3, "atol": 1e-5}
    check(fn, [A, B, POS], dtype, grad=[1, 2], tol=tol)
    big = np.array([0.5, 3.0, 80.0, 700.0])
    check(fn, [big, np.ones(4), np.array([0.2, 4.0, 70.0, 720.0])], dtype, grad=[2], tol=tol)
    c = ag.tensor([2.0], requires_grad=True)
    y = agd.Gamma(c, ag.tensor([1.0])).cdf(ag.tensor([1.5]))
    with pytest.raises(NotImplementedError, match="igamma: input"):
        y.backward()


def test_gamma_rsample_gradient_is_torchs():
    alpha = np.array([0.2, 0.7, 1.5, 3.0, 7.9, 9.0, 30.0, 200.0])
    conc = ag.tensor(alpha, requires_grad=True)
    rate = ag.tensor(np.full(8, 2.0), requires_grad=True)
    ag.manual_seed(0)
    x = agd.Gamma(conc, rate).rsample((50,))
    assert x.shape == (50, 8) and x.dtype == ag.float64
    x.sum().backward()
    xs = x.detach().numpy() * 2.0
    expected = torch._standard_gamma_grad(torch.tensor(alpha).expand(50, 8), torch.tensor(xs)).numpy() / 2.0
    np.testing.assert_allclose(conc.grad.numpy(), expected.sum(0), rtol=1e-9)
    np.testing.assert_allclose(rate.grad.numpy(), -(x.detach().numpy() / 2.0).sum(0), rtol=1e-9)


def test_gamma_draws_statistics():
    ag.manual_seed(1)
    d = agd.Gamma(ag.tensor([0.5, 2.0, 9.0], dtype=ag.float32), ag.tensor([1.0, 3.0, 0.5], dtype=ag.float32))
    s = d.sample((40000,))
    assert s.dtype == ag.float32 and s.shape == (40000, 3)
    np.testing.assert_allclose(s.numpy().mean(0), [0.5, 2 / 3, 18.0], rtol=0.03)
    np.testing.assert_allclose(s.numpy().var(0), [0.5, 2 / 9, 36.0], rtol=0.06)
    assert (s.numpy() > 0).all()


@pytest.mark.parametrize("dtype", DTYPES)
def test_beta(dtype):
    def fn(lib, D, a, b, x):
        d = D.Beta(a, b)
        return (d.log_prob(x), d.entropy(), d.mean, d.variance, d.concentration1,
                d.concentration0)
    check(fn, [A, B, UNIT], dtype, tol=None if dtype == np.float64 else dict(rtol=1e-3, atol=1e-4))
    check(lambda lib, D, x: D.Beta(2.0, 3.0).log_prob(x), [UNIT], dtype)
    modes = [agd.Beta(ag.tensor(a), ag.tensor(b)).mode.numpy() for a, b in [(2.0, 3.0), (0.5, 0.7)]]
    for m, (a, b) in zip(modes, [(2.0, 3.0), (0.5, 0.7)]):
        np.testing.assert_allclose(m, torch.distributions.Beta(torch.tensor(a), torch.tensor(b)).mode.numpy())


def test_beta_draws_and_rsample_gradient_in_expectation():
    a = ag.tensor([2.0, 0.5], requires_grad=True)
    b = ag.tensor([3.0, 0.5], requires_grad=True)
    ag.manual_seed(2)
    x = agd.Beta(a, b).rsample((40000,))
    np.testing.assert_allclose(x.detach().numpy().mean(0), [0.4, 0.5], atol=0.01)
    x.mean(0).sum().backward()
    # d E[x] / d a = b / (a + b)**2, d E[x] / d b = -a / (a + b)**2
    np.testing.assert_allclose(a.grad.numpy(), [3 / 25, 0.5], rtol=0.06)
    np.testing.assert_allclose(b.grad.numpy(), [-2 / 25, -0.5], rtol=0.06)


@pytest.mark.parametrize("dtype", DTYPES)
def test_dirichlet(dtype):
    conc = R.uniform(0.3, 4.0, (2, 5))
    x = R.dirichlet(np.ones(5), size=(3, 2))

    def fn(lib, D, c, x):
        d = D.Dirichlet(c)
        return d.log_prob(x), d.entropy(), d.mean, d.variance, d.mode
    check(fn, [conc, x], dtype, tol=None if dtype == np.float64 else dict(rtol=1e-3, atol=1e-4))
    low = np.array([[0.3, 0.5, 0.2], [2.0, 3.0, 0.5]])
    check(lambda lib, D, c: D.Dirichlet(c).mode, [low], dtype)


def _torch_dirichlet_rule(x, conc, weights):
    """PyTorch's _Dirichlet backward on given draws: the gradient of (x * weights).sum()."""
    x, w = torch.tensor(x), torch.tensor(weights)
    c = torch.tensor(conc).expand_as(x)
    grad = torch._dirichlet_grad(x, c, c.sum(-1, True).expand_as(c))
    return grad * (w - (x * w).sum(-1, True))


@pytest.mark.parametrize("dtype", DTYPES)
def test_dirichlet_and_beta_rsample_gradients_are_torchs(dtype):
    conc = np.array([[1.0, 2.0, 5.0], [0.3, 0.4, 9.0], [7.0, 8.0, 20.0]])
    c = ag.tensor(conc.astype(dtype), requires_grad=True)
    ag.manual_seed(0)
    x = agd.Dirichlet(c).rsample((6,))
    assert x.shape == (6, 3, 3) and x.dtype == c.dtype
    w = R.standard_normal(x.shape)
    (x * ag.tensor(w.astype(dtype))).sum().backward()
    expected = _torch_dirichlet_rule(x.detach().numpy().astype(np.float64), conc, w).sum(0).numpy()
    np.testing.assert_allclose(c.grad.numpy(), expected, rtol=1e-9 if dtype == np.float64 else 1e-3, atol=1e-6)

    a = ag.tensor([2.0, 0.5, 30.0], dtype=ag.float64, requires_grad=True)
    b = ag.tensor([3.0, 0.5, 25.0], dtype=ag.float64, requires_grad=True)
    ag.manual_seed(1)
    y = agd.Beta(a, b).rsample((5,))
    y.sum().backward()
    pairs = np.stack([y.detach().numpy(), 1 - y.detach().numpy()], -1)
    weights = np.stack([np.ones(y.shape), np.zeros(y.shape)], -1)
    grad = _torch_dirichlet_rule(pairs, np.stack([a.detach().numpy(), b.detach().numpy()], -1), weights)
    np.testing.assert_allclose(a.grad.numpy(), grad[..., 0].sum(0).numpy(), rtol=1e-7)
    np.testing.assert_allclose(b.grad.numpy(), grad[..., 1].sum(0).numpy(), rtol=1e-7)


def test_dirichlet_draws():
    ag.manual_seed(3)
    c = ag.tensor([1.0, 2.0, 5.0], requires_grad=True)
    d = agd.Dirichlet(c)
    s = d.rsample((30000,))
    assert s.shape == (30000, 3) and d.event_shape == (3,) and d.batch_shape == ()
    np.testing.assert_allclose(s.detach().numpy().sum(-1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(s.detach().numpy().mean(0), [0.125, 0.25, 0.625], atol=0.005)
    s[:, 0].mean().backward()
    # d E[x0] / d c = (e0 * a0 - c0) / a0**2
    np.testing.assert_allclose(c.grad.numpy(), [7 / 64, -1 / 64, -1 / 64], atol=0.006)


@pytest.mark.parametrize("dtype", DTYPES)
def test_exponential(dtype):
    def fn(lib, D, r, x, u):
        d = D.Exponential(r)
        return (d.log_prob(x), d.entropy(), d.cdf(x), d.icdf(u), d.mean, d.mode, d.stddev,
                d.variance)
    check(fn, [A, POS, UNIT], dtype)
    ag.manual_seed(4)
    r = ag.tensor([0.5, 4.0], requires_grad=True)
    s = agd.Exponential(r).rsample((40000,))
    np.testing.assert_allclose(s.detach().numpy().mean(0), [2.0, 0.25], rtol=0.03)
    s[0].sum().backward()
    np.testing.assert_allclose(r.grad.numpy(), -s[0].detach().numpy() / r.detach().numpy())


@pytest.mark.parametrize("dtype", DTYPES)
def test_laplace(dtype):
    def fn(lib, D, loc, scale, x, u):
        d = D.Laplace(loc, scale)
        return (d.log_prob(x), d.entropy(), d.cdf(x), d.icdf(u), d.mean, d.mode, d.stddev,
                d.variance)
    check(fn, [LOC, A, X, UNIT], dtype)
    ag.manual_seed(5)
    loc = ag.tensor([1.0, -1.0], requires_grad=True)
    s = agd.Laplace(loc, ag.tensor([0.5, 2.0])).rsample((40000,))
    np.testing.assert_allclose(s.detach().numpy().mean(0), [1.0, -1.0], atol=0.04)
    np.testing.assert_allclose(s.detach().numpy().var(0), [0.5, 8.0], rtol=0.05)
    s.sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), 40000.0)


@pytest.mark.parametrize("dtype", DTYPES)
def test_lognormal(dtype):
    def fn(lib, D, loc, scale, x, u):
        d = D.LogNormal(loc, scale)
        return (d.log_prob(x), d.entropy(), d.cdf(x), d.icdf(u), d.mean, d.mode, d.variance)
    check(fn, [LOC, A, POS, UNIT], dtype, tol=None if dtype == np.float64 else dict(rtol=1e-3, atol=1e-5))
    d = agd.LogNormal(ag.tensor([0.0, 1.0]), ag.tensor([0.25, 0.5]))
    assert isinstance(d, agd.TransformedDistribution) and d.support is agd.constraints.positive
    ag.manual_seed(6)
    s = d.sample((40000,)).numpy()
    np.testing.assert_allclose(s.mean(0), d.mean.numpy(), rtol=0.02)
    loc = ag.tensor([0.3], requires_grad=True)
    x = agd.LogNormal(loc, 1.0).rsample()
    x.backward()
    np.testing.assert_allclose(loc.grad.numpy(), x.detach().numpy())
    assert agd.LogNormal(ag.tensor([0.0]), ag.tensor([1.0])).expand((3,)).sample().shape == (3,)


def test_validation_errors_match_torch():
    raises_same(lambda lib, D: D.Gamma(lib.tensor([1.0]), lib.tensor([0.0])))
    raises_same(lambda lib, D: D.Gamma(lib.tensor([1.0]), lib.tensor([1.0])).log_prob(lib.tensor([-1.0])))
    raises_same(lambda lib, D: D.Beta(lib.tensor([1.0]), lib.tensor([-1.0])))
    raises_same(lambda lib, D: D.Beta(lib.tensor([1.0]), lib.tensor([1.0])).log_prob(lib.tensor([1.5])))
    raises_same(lambda lib, D: D.Dirichlet(lib.tensor([1.0, -1.0])))
    raises_same(lambda lib, D: D.Dirichlet(lib.tensor(1.0)))
    raises_same(lambda lib, D: D.Dirichlet(lib.ones(3)).log_prob(lib.tensor([0.5, 0.5, 0.5])))
    raises_same(lambda lib, D: D.Exponential(lib.tensor([-1.0])))
    raises_same(lambda lib, D: D.Exponential(lib.tensor([1.0])).log_prob(lib.tensor([-1.0])))
    raises_same(lambda lib, D: D.Laplace(lib.tensor([0.0]), lib.tensor([0.0])))
    raises_same(lambda lib, D: D.LogNormal(lib.tensor([0.0]), lib.tensor([-2.0])))
    raises_same(lambda lib, D: D.LogNormal(lib.tensor([0.0]), lib.tensor([2.0])).log_prob(lib.tensor([-1.0])))
