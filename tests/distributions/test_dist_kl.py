"""kl_divergence and register_kl against torch.distributions.kl: values and gradients
for every registered pair, in float64 and float32."""
import numpy as np
import pytest

import autograd_lite as ag
import autograd_lite.distributions as agd
from dist_helpers import check

DTYPES = (np.float64, np.float32)
R = np.random.default_rng(4)
S = (3, 4)
A1, A2 = R.uniform(0.3, 4.0, S), R.uniform(0.3, 4.0, S)
B1, B2 = R.uniform(0.3, 4.0, S), R.uniform(0.3, 4.0, S)
L1, L2 = R.standard_normal(S), R.standard_normal(S)
TOL32 = dict(rtol=1e-3, atol=1e-4)


def _pair(make):
    def fn(lib, D, *params):
        p, q = make(D, *params)
        return D.kl_divergence(p, q)
    return fn


CASES = {
    "normal": (lambda D, a, b, c, d: (D.Normal(a, b), D.Normal(c, d)), [L1, A1, L2, A2]),
    "laplace": (lambda D, a, b, c, d: (D.Laplace(a, b), D.Laplace(c, d)), [L1, A1, L2, A2]),
    "gamma": (lambda D, a, b, c, d: (D.Gamma(a, b), D.Gamma(c, d)), [A1, B1, A2, B2]),
    "beta": (lambda D, a, b, c, d: (D.Beta(a, b), D.Beta(c, d)), [A1, B1, A2, B2]),
    "exponential": (lambda D, a, b: (D.Exponential(a), D.Exponential(b)), [A1, A2]),
    "dirichlet": (lambda D, a, b: (D.Dirichlet(a), D.Dirichlet(b)), [A1, A2]),
    "categorical": (lambda D, a, b: (D.Categorical(logits=a), D.Categorical(logits=b)), [L1, L2]),
    "categorical_probs": (lambda D, a, b: (D.Categorical(probs=a), D.Categorical(probs=b)),
                          [np.array([[0.0, 0.3, 0.7], [0.2, 0.2, 0.6]]), np.array([[0.1, 0.4, 0.5], [0.3, 0.3, 0.4]])]),
    "one_hot": (lambda D, a, b: (D.OneHotCategorical(logits=a), D.OneHotCategorical(logits=b)), [L1, L2]),
    "bernoulli": (lambda D, a, b: (D.Bernoulli(logits=a), D.Bernoulli(logits=b)), [L1, L2]),
    "bernoulli_probs": (lambda D, a, b: (D.Bernoulli(probs=a), D.Bernoulli(probs=b)),
                        [np.array([0.0, 0.3, 1.0, 0.5]), np.array([0.2, 0.0, 0.9, 1.0])]),
    "uniform": (lambda D, a, b, c, d: (D.Uniform(a, a + b), D.Uniform(c, c + d)), [L1, A1, L1 - 0.5, A1 + 1.0]),
    "uniform_outside": (lambda D, a, b, c, d: (D.Uniform(a, a + b), D.Uniform(c, c + d)), [L1, A1, L2, A2]),
    "independent": (lambda D, a, b, c, d: (D.Independent(D.Normal(a, b), 1), D.Independent(D.Normal(c, d), 1)),
                    [L1, A1, L2, A2]),
    "lognormal": (lambda D, a, b, c, d: (D.LogNormal(a, b), D.LogNormal(c, d)), [L1, A1, L2, A2]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_kl_pairs(case, dtype):
    make, params = CASES[case]
    check(_pair(make), params, dtype, tol=None if dtype == np.float64 else TOL32)


@pytest.mark.parametrize("dtype", DTYPES)
def test_kl_multivariate_normal(dtype):
    m1, m2 = R.standard_normal((2, 3, 3)), R.standard_normal((3, 3))
    cov1 = m1 @ m1.transpose(0, 2, 1) + np.eye(3)
    tril2 = np.linalg.cholesky(m2 @ m2.T + np.eye(3))

    def make(D, loc1, c1, loc2, t2):
        return (D.MultivariateNormal(loc1, (c1 + c1.transpose(-2, -1)) / 2),
                D.MultivariateNormal(loc2, scale_tril=t2))
    check(_pair(make), [R.standard_normal((2, 3)), cov1, R.standard_normal(3), tril2], dtype,
          tol=None if dtype == np.float64 else TOL32)


def test_register_kl_and_missing_pairs():
    class MyNormal(agd.Normal):
        pass

    with pytest.raises(NotImplementedError):
        agd.kl_divergence(agd.Normal(0.0, 1.0), agd.Poisson(1.0))  # not registered in PyTorch either
    # a subclass uses its base's registration until it registers its own
    p, q = MyNormal(ag.tensor(0.0), ag.tensor(1.0)), agd.Normal(ag.tensor(1.0), ag.tensor(1.0))
    assert agd.kl_divergence(p, q).item() == pytest.approx(0.5)

    @agd.register_kl(MyNormal, agd.Normal)
    def _kl(p, q):
        return ag.tensor(42.0)
    assert agd.kl_divergence(p, q).item() == 42.0
    assert agd.kl_divergence(q, q).item() == 0.0
    with pytest.raises(NotImplementedError):
        agd.kl_divergence(agd.Independent(agd.Normal(ag.zeros(2, 2), ag.ones(2, 2)), 1),
                          agd.Independent(agd.Normal(ag.zeros(2, 2), ag.ones(2, 2)), 2))
