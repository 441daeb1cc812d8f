"""kl_divergence for the pairs `kl_cross` registers (the newer distributions' own
pairs and the cross-family closed forms) against torch.distributions.kl: values and
gradients in float64 and float32, +inf where a support is not inside the other's."""
import numpy as np
import pytest
import torch.distributions.kl as tkl

import autograd_lite as ag
import autograd_lite.distributions as agd
from autograd_lite.distributions import kl as agkl
from dist_helpers import check

DTYPES = (np.float64, np.float32)
R = np.random.default_rng(15)
S = (3, 4)
POS1, POS2 = R.uniform(0.4, 4.0, S), R.uniform(0.4, 4.0, S)
POS3, POS4 = R.uniform(0.4, 4.0, S), R.uniform(0.4, 4.0, S)
L1, L2 = R.standard_normal(S), R.standard_normal(S)
P1, P2 = R.uniform(0.05, 0.95, S), R.uniform(0.05, 0.95, S)
LOW = R.uniform(0.05, 0.4, S)      # a Uniform inside (0, 1): LOW .. LOW + WIDTH
WIDTH = R.uniform(0.1, 0.5, S)
TOL32 = dict(rtol=2e-3, atol=2e-4)

# name: (make(D, *params) -> (p, q), params)
CASES = {
    "binomial": (lambda D, a, b: (D.Binomial(5, a), D.Binomial(5, b)), [P1, P2]),
    "binomial_inf": (lambda D, a, b: (D.Binomial(D.Binomial(5, a).total_count + 2, a), D.Binomial(5, b)), [P1, P2]),
    "poisson": (lambda D, a, b: (D.Poisson(a), D.Poisson(b)), [POS1, POS2]),
    "geometric": (lambda D, a, b: (D.Geometric(a), D.Geometric(b)), [P1, P2]),
    "gumbel": (lambda D, a, b, c, d: (D.Gumbel(a, b), D.Gumbel(c, d)), [L1, POS1, L2, POS2]),
    "half_normal": (lambda D, a, b: (D.HalfNormal(a), D.HalfNormal(b)), [POS1, POS2]),
    "pareto": (lambda D, a, b, c, d: (D.Pareto(a, b), D.Pareto(c, d)), [POS1, POS2, POS3, POS4]),
    "cauchy": (lambda D, a, b, c, d: (D.Cauchy(a, b), D.Cauchy(c, d)), [L1, POS1, L2, POS2]),
    "cb": (lambda D, a, b: (D.ContinuousBernoulli(a), D.ContinuousBernoulli(b)), [P1, P2]),
    "beta_cb": (lambda D, a, b, c: (D.Beta(a, b), D.ContinuousBernoulli(c)), [POS1, POS2, P1]),
    "cb_exponential": (lambda D, a, b: (D.ContinuousBernoulli(a), D.Exponential(b)), [P1, POS1]),
    "cb_normal": (lambda D, a, b, c: (D.ContinuousBernoulli(a), D.Normal(b, c)), [P1, L1, POS1]),
    "cb_uniform": (lambda D, a, b, c: (D.ContinuousBernoulli(a), D.Uniform(b - 1.0, c + 1.0)), [P1, LOW, WIDTH]),
    "cb_uniform_inf": (lambda D, a, b, c: (D.ContinuousBernoulli(a), D.Uniform(b, b + c)), [P1, LOW, WIDTH]),
    "cb_inf": (lambda D, a, b, c: (D.ContinuousBernoulli(a), D.Pareto(b, c)), [P1, POS1, POS2]),
    "normal_cb_inf": (lambda D, a, b, c: (D.Normal(a, b), D.ContinuousBernoulli(c)), [L1, POS1, P1]),
    "uniform_cb": (lambda D, a, b, c: (D.Uniform(a, a + b), D.ContinuousBernoulli(c)), [LOW, WIDTH, P1]),
    "uniform_cb_inf": (lambda D, a, b, c: (D.Uniform(a - 1.0, a + b), D.ContinuousBernoulli(c)), [LOW, WIDTH, P1]),
    "bernoulli_poisson": (lambda D, a, b: (D.Bernoulli(a), D.Poisson(b)), [P1, POS1]),
    "beta_exponential": (lambda D, a, b, c: (D.Beta(a, b), D.Exponential(c)), [POS1, POS2, POS3]),
    "beta_gamma": (lambda D, a, b, c, d: (D.Beta(a, b), D.Gamma(c, d)), [POS1, POS2, POS3, POS4]),
    "beta_normal": (lambda D, a, b, c, d: (D.Beta(a, b), D.Normal(c, d)), [POS1, POS2, L1, POS3]),
    "beta_uniform": (lambda D, a, b, c, d: (D.Beta(a, b), D.Uniform(c - 1.0, d + 1.0)), [POS1, POS2, LOW, WIDTH]),
    "beta_uniform_inf": (lambda D, a, b, c, d: (D.Beta(a, b), D.Uniform(c, c + d)), [POS1, POS2, LOW, WIDTH]),
    "beta_pareto": (lambda D, a, b, c, d: (D.Beta(a, b), D.Pareto(c, d)), [POS1, POS2, POS3, POS4]),
    "exponential_gamma": (lambda D, a, b, c: (D.Exponential(a), D.Gamma(b, c)), [POS1, POS2, POS3]),
    "exponential_gumbel": (lambda D, a, b, c: (D.Exponential(a), D.Gumbel(b, c)), [POS1, L1, POS2]),
    "exponential_normal": (lambda D, a, b, c: (D.Exponential(a), D.Normal(b, c)), [POS1, L1, POS2]),
    "exponential_inf": (lambda D, a, b, c: (D.Exponential(a), D.Uniform(b, b + c)), [POS1, L1, POS2]),
    "gamma_exponential": (lambda D, a, b, c: (D.Gamma(a, b), D.Exponential(c)), [POS1, POS2, POS3]),
    "gamma_gumbel": (lambda D, a, b, c, d: (D.Gamma(a, b), D.Gumbel(c, d)), [POS1, POS2, L1, POS3]),
    "gamma_normal": (lambda D, a, b, c, d: (D.Gamma(a, b), D.Normal(c, d)), [POS1, POS2, L1, POS3]),
    "chi2_normal": (lambda D, a, c, d: (D.Chi2(a), D.Normal(c, d)), [POS1, L1, POS3]),
    "gamma_inf": (lambda D, a, b, c: (D.Gamma(a, b), D.Beta(c, c)), [POS1, POS2, POS3]),
    "gumbel_normal": (lambda D, a, b, c, d: (D.Gumbel(a, b), D.Normal(c, d)), [L1, POS1, L2, POS2]),
    "gumbel_inf": (lambda D, a, b, c: (D.Gumbel(a, b), D.Exponential(c)), [L1, POS1, POS2]),
    "laplace_normal": (lambda D, a, b, c, d: (D.Laplace(a, b), D.Normal(c, d)), [L1, POS1, L2, POS2]),
    "laplace_inf": (lambda D, a, b, c, d: (D.Laplace(a, b), D.Gamma(c, d)), [L1, POS1, POS2, POS3]),
    "normal_gumbel": (lambda D, a, b, c, d: (D.Normal(a, b), D.Gumbel(c, d)), [L1, POS1, L2, POS2]),
    "normal_laplace": (lambda D, a, b, c, d: (D.Normal(a, b), D.Laplace(c, d)), [L1, POS1, L2, POS2]),
    "normal_inf": (lambda D, a, b, c, d: (D.Normal(a, b), D.Pareto(c, d)), [L1, POS1, POS2, POS3]),
    "pareto_exponential": (lambda D, a, b, c: (D.Pareto(a, b + 1.0), D.Exponential(c)), [POS1, POS2, POS3]),
    "pareto_gamma": (lambda D, a, b, c, d: (D.Pareto(a, b + 1.0), D.Gamma(c, d)), [POS1, POS2, POS3, POS4]),
    "pareto_normal": (lambda D, a, b, c, d: (D.Pareto(a, b + 2.0), D.Normal(c, d)), [POS1, POS2, L1, POS3]),
    "pareto_alpha_small": (lambda D, a, b, c, d: (D.Pareto(a, b), D.Normal(c, d)), [POS1, POS2, L1, POS3]),
    "pareto_inf": (lambda D, a, b, c: (D.Pareto(a, b), D.Uniform(c, c + 1.0)), [POS1, POS2, L1]),
    "poisson_inf": (lambda D, a, b: (D.Poisson(a), D.Binomial(3, b)), [POS1, P1]),
    "poisson_bernoulli_inf": (lambda D, a, b: (D.Poisson(a), D.Bernoulli(b)), [POS1, P1]),
    "uniform_beta": (lambda D, a, b, c, d: (D.Uniform(a, a + b), D.Beta(c, d)), [LOW, WIDTH, POS1, POS2]),
    "uniform_exponential": (lambda D, a, b, c: (D.Uniform(a, a + b), D.Exponential(c)), [LOW, WIDTH, POS1]),
    "uniform_exponential_inf": (lambda D, a, b, c: (D.Uniform(a, a + b), D.Exponential(c)), [L1, WIDTH, POS1]),
    "uniform_gamma": (lambda D, a, b, c, d: (D.Uniform(a, a + b), D.Gamma(c, d)), [LOW, WIDTH, POS1, POS2]),
    "uniform_gumbel": (lambda D, a, b, c, d: (D.Uniform(a, a + b), D.Gumbel(c, d)), [L1, WIDTH, L2, POS1]),
    "uniform_normal": (lambda D, a, b, c, d: (D.Uniform(a, a + b), D.Normal(c, d)), [L1, WIDTH, L2, POS1]),
    "uniform_pareto": (lambda D, a, b, c, d: (D.Uniform(a + c, a + b + c), D.Pareto(c, d)), [LOW, WIDTH, POS1, POS2]),
    "uniform_pareto_inf": (lambda D, a, b, c, d: (D.Uniform(a, a + b), D.Pareto(c, d)), [LOW, WIDTH, POS1, POS2]),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", sorted(CASES))
def test_kl_cross_pairs(case, dtype):
    make, params = CASES[case]

    def fn(lib, D, *params):
        p, q = make(D, *params)
        return D.kl_divergence(p, q)
    out, _ = check(fn, params, dtype, tol=None if dtype == np.float64 else TOL32)
    if case.endswith("_inf"):
        assert np.isinf(out[0].detach().numpy()).any()


def test_binomial_kl_refuses_a_larger_q_total_count():
    with pytest.raises(NotImplementedError, match="q.total_count > p.total_count"):
        agd.kl_divergence(agd.Binomial(3, ag.tensor([0.5])), agd.Binomial(5, ag.tensor([0.5])))


def test_transformed_pairs_dispatch_as_torch():
    # HalfNormal and Gumbel are TransformedDistributions with their own pairs; other
    # TransformedDistribution pairs need equal transforms
    p, q = agd.HalfNormal(ag.tensor([1.0])), agd.HalfNormal(ag.tensor([2.0]))
    np.testing.assert_allclose(agd.kl_divergence(p, q).numpy(),
                               agd.kl_divergence(p.base_dist, q.base_dist).numpy())
    with pytest.raises(NotImplementedError):
        agd.kl_divergence(agd.Weibull(ag.tensor([1.0]), ag.tensor([2.0])),
                          agd.Weibull(ag.tensor([1.0]), ag.tensor([3.0])))
    with pytest.raises(NotImplementedError):
        agd.kl_divergence(agd.StudentT(ag.tensor([3.0])), agd.Normal(ag.tensor([0.0]), ag.tensor([1.0])))


def test_every_torch_pair_between_our_distributions_is_registered():
    missing = []
    for type_p, type_q in tkl._KL_REGISTRY:
        ours_p, ours_q = getattr(agd, type_p.__name__, None), getattr(agd, type_q.__name__, None)
        if ours_p is None or ours_q is None:
            continue
        if (ours_p, ours_q) not in agkl._KL_REGISTRY:
            missing.append((type_p.__name__, type_q.__name__))
    # the Bregman-divergence fallback between two members of one exponential family
    # (it needs each family's natural parameters and log-normaliser) is not here
    assert missing == [("ExponentialFamily", "ExponentialFamily")], missing
