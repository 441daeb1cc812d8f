"""LowRankMultivariateNormal and its KL pairs against torch.distributions: log_prob,
entropy, moments, covariance/precision/scale_tril, rsample given the same normal
draws, with gradients in float64 and float32; shapes, draws' statistics, errors."""
from unittest import mock

import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.distributions as agd
from dist_helpers import check, raises_same

DTYPES = (np.float64, np.float32)
R = np.random.default_rng(16)
LOC = R.standard_normal((2, 4))
W = R.standard_normal((2, 4, 2))
D_ = R.uniform(0.3, 2.0, (2, 4))
X = R.standard_normal((3, 2, 4))
TOL32 = dict(rtol=1e-3, atol=1e-4)


def _tol(dtype):
    return None if dtype == np.float64 else TOL32


@pytest.mark.parametrize("dtype", DTYPES)
def test_low_rank_mvn(dtype):
    def fn(lib, D, loc, w, d, x):
        dist = D.LowRankMultivariateNormal(loc, w, d)
        return (dist.log_prob(x), dist.entropy(), dist.mean, dist.mode, dist.variance, dist.stddev,
                dist.covariance_matrix, dist.precision_matrix, dist.scale_tril)
    check(fn, [LOC, W, D_, X], dtype, tol=_tol(dtype))
    # broadcast batch shapes: one factor for a batch of locations
    check(fn, [LOC, W[0], D_[0], X], dtype, tol=_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_low_rank_rsample_given_the_same_noise(dtype):
    agt = ag.float64 if dtype == np.float64 else ag.float32
    ag.manual_seed(4)
    eps_w, eps_d = ag.randn((5, 2, 2), dtype=agt).numpy(), ag.randn((5, 2, 4), dtype=agt).numpy()
    draws = iter([torch.tensor(eps_w), torch.tensor(eps_d)])

    def fn(lib, D, loc, w, d):
        if lib is ag:
            ag.manual_seed(4)
            return D.LowRankMultivariateNormal(loc, w, d).rsample((5,))
        with mock.patch("torch.distributions.lowrank_multivariate_normal._standard_normal",
                        lambda *a, **k: next(draws)):
            return D.LowRankMultivariateNormal(loc, w, d).rsample((5,))
    check(fn, [LOC, W, D_], dtype, tol=_tol(dtype))


def test_low_rank_draws_shapes_and_errors():
    ag.manual_seed(6)
    d = agd.LowRankMultivariateNormal(ag.tensor(LOC[0]), ag.tensor(W[0]), ag.tensor(D_[0]))
    s = d.sample((40000,))
    assert s.shape == (40000, 4) and s.dtype == ag.float64 and not s.requires_grad
    np.testing.assert_allclose(s.numpy().mean(0), LOC[0], atol=0.05)
    np.testing.assert_allclose(np.cov(s.numpy().T), d.covariance_matrix.numpy(), atol=0.08)
    e = d.expand((3,))
    assert e.batch_shape == (3,) and e.event_shape == (4,) and e.sample((2,)).shape == (2, 3, 4)
    assert e.log_prob(e.sample()).shape == (3,) and e.entropy().shape == (3,)
    raises_same(lambda lib, D: D.LowRankMultivariateNormal(lib.tensor(0.0), lib.ones(1, 1), lib.ones(1)))
    raises_same(lambda lib, D: D.LowRankMultivariateNormal(lib.zeros(3), lib.ones(3), lib.ones(3)))
    raises_same(lambda lib, D: D.LowRankMultivariateNormal(lib.zeros(3), lib.ones(2, 1), lib.ones(3)))
    raises_same(lambda lib, D: D.LowRankMultivariateNormal(lib.zeros(3), lib.ones(3, 1), lib.ones(2)))
    raises_same(lambda lib, D: D.LowRankMultivariateNormal(lib.zeros(3), lib.ones(3, 1), lib.ones(3) * 2)
                .log_prob(lib.tensor([[0.0, float("nan"), 0.0]])))
    with pytest.raises(ValueError, match="Incompatible batch shapes"):
        agd.LowRankMultivariateNormal(ag.zeros(2, 3), ag.ones(4, 3, 1), ag.ones(3))


@pytest.mark.parametrize("dtype", DTYPES)
def test_low_rank_kl_pairs(dtype):
    m = R.standard_normal((2, 4, 4))
    tril = np.linalg.cholesky(m @ m.transpose(0, 2, 1) + np.eye(4))
    W2, D2 = R.standard_normal((4, 3)), R.uniform(0.3, 2.0, 4)

    def fn(lib, D, loc, w, d, loc2, w2, d2, tril):
        p = D.LowRankMultivariateNormal(loc, w, d)
        q = D.LowRankMultivariateNormal(loc2, w2, d2)
        mvn = D.MultivariateNormal(loc2, scale_tril=tril)
        return (D.kl_divergence(p, q), D.kl_divergence(q, p), D.kl_divergence(p, mvn),
                D.kl_divergence(mvn, p), D.kl_divergence(mvn, q))
    check(fn, [LOC, W, D_, LOC[0] + 0.5, W2, D2, tril], dtype, tol=_tol(dtype))
    with pytest.raises(ValueError, match="different event shapes"):
        agd.kl_divergence(agd.LowRankMultivariateNormal(ag.zeros(3), ag.ones(3, 1), ag.ones(3)),
                          agd.LowRankMultivariateNormal(ag.zeros(2), ag.ones(2, 1), ag.ones(2)))
