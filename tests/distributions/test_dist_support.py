"""constraints, transforms and the special functions behind the distributions,
against PyTorch; torch.distributions under the `as_torch` alias."""
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch
import torch.distributions as td

import autograd_lite as ag
import autograd_lite.distributions as agd
from autograd_lite.distributions import _special
from autograd_lite.distributions._dirichlet_grad import dirichlet_grad_array
from dist_helpers import check

C = agd.constraints
VALUES = np.array([[-1.0, 0.0, 0.5, 1.0], [2.0, 3.0, float("nan"), 0.25]])


@pytest.mark.parametrize("name", ["real", "positive", "nonnegative", "unit_interval", "boolean",
                                  "nonnegative_integer", "positive_integer", "simplex", "real_vector",
                                  "one_hot"])
def test_named_constraints_check_as_torch(name):
    ours, theirs = getattr(C, name), getattr(td.constraints, name)
    for v in (VALUES, np.array([[0.25, 0.75, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]])):
        got = ours.check(ag.tensor(v)).numpy()
        np.testing.assert_array_equal(got, theirs.check(torch.tensor(v)).numpy())
    assert ours.event_dim == theirs.event_dim and ours.is_discrete == theirs.is_discrete
    assert repr(ours) == repr(theirs)


def test_parameterised_constraints():
    v = ag.tensor(VALUES)
    t = torch.tensor(VALUES)
    pairs = [(C.integer_interval(0, 2), td.constraints.integer_interval(0, 2)),
             (C.interval(0.0, 1.0), td.constraints.interval(0.0, 1.0)),
             (C.half_open_interval(0.0, 1.0), td.constraints.half_open_interval(0.0, 1.0)),
             (C.greater_than(0.5), td.constraints.greater_than(0.5)),
             (C.greater_than_eq(0.5), td.constraints.greater_than_eq(0.5)),
             (C.less_than(0.5), td.constraints.less_than(0.5)),
             (C.independent(C.positive, 1), td.constraints.independent(td.constraints.positive, 1))]
    for ours, theirs in pairs:
        np.testing.assert_array_equal(ours.check(v).numpy(), theirs.check(t).numpy())
        assert repr(ours) == repr(theirs)
    eye, bad = np.eye(3), np.array([[1.0, 2.0, 0.0], [2.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    for m in (eye, bad, np.tril(bad), -eye):
        for name in ("lower_cholesky", "lower_triangular", "positive_definite", "positive_semidefinite",
                     "symmetric", "square"):
            got = getattr(C, name).check(ag.tensor(m)).numpy()
            np.testing.assert_array_equal(got, getattr(td.constraints, name).check(torch.tensor(m)).numpy())
    assert C.is_dependent(C.dependent) and not C.is_dependent(C.real)
    with pytest.raises(ValueError):
        C.dependent.check(v)
    cat = C.cat([C.positive, C.real], 1, [2, 2])
    np.testing.assert_array_equal(cat.check(v).numpy(), td.constraints.cat(
        [td.constraints.positive, td.constraints.real], 1, [2, 2]).check(t).numpy())
    stack = C.stack([C.positive, C.real], 0)
    np.testing.assert_array_equal(stack.check(v).numpy(), td.constraints.stack(
        [td.constraints.positive, td.constraints.real], 0).check(t).numpy())


@pytest.mark.parametrize("dtype", (np.float64, np.float32))
def test_transforms(dtype):
    x = np.random.default_rng(0).standard_normal((3, 4))

    def fn(lib, D, x, loc, scale):
        T = D.transforms
        out = []
        for t in (T.ExpTransform(), T.SigmoidTransform(), T.AffineTransform(loc, scale),
                  T.AffineTransform(1.5, -2.0)):
            y = t(x)
            out += [y, t.inv(y), t.log_abs_det_jacobian(x, y), t.inv.log_abs_det_jacobian(y, x)]
        return tuple(out)
    check(fn, [x, x[0], np.abs(x[1]) + 0.5], dtype)
    assert agd.transforms.ExpTransform() == agd.transforms.ExpTransform()
    assert agd.transforms.ExpTransform().inv.inv == agd.transforms.ExpTransform()
    assert agd.transforms.ExpTransform().sign == 1


@pytest.mark.parametrize("dtype", (np.float64, np.float32))
def test_transformed_distribution_with_affine(dtype):
    x = np.random.default_rng(1).standard_normal((2, 3))

    def fn(lib, D, loc, scale, x):
        d = D.TransformedDistribution(D.Normal(loc, scale), [D.transforms.AffineTransform(1.0, -2.0),
                                                               D.transforms.ExpTransform()])
        y = lib.exp(x)
        return d.log_prob(y), d.cdf(y), d.icdf(lib.sigmoid(x))
    check(fn, [x[0], np.abs(x[1]) + 0.5, x], dtype)


def test_special_functions():
    x = np.array([0.05, 0.3, 1.0, 2.5, 7.0, 30.0, 400.0])
    check(lambda lib, D, x: lib.lgamma(x) if lib is torch else _special.lgamma(x), [x])
    check(lambda lib, D, x: lib.digamma(x) if lib is torch else _special.digamma(x), [x])
    for n in (1, 2, 3):
        check(lambda lib, D, x, n=n: lib.polygamma(n, x) if lib is torch else _special.polygamma(n, x), [x],
              tol=dict(rtol=1e-8, atol=1e-10))
    check(lambda lib, D, x: lib.mvlgamma(x, 3) if lib is torch else _special.mvlgamma(x, 3), [x[3:]])
    edges = np.array([np.nan, np.inf, -np.inf, 0.0, -1.0, -2.5, 3.0])
    for ours, theirs in ((_special.lgamma, torch.lgamma), (_special.digamma, torch.digamma)):
        np.testing.assert_allclose(ours(ag.tensor(edges)).numpy(), theirs(torch.tensor(edges)).numpy(),
                                   rtol=1e-12)
    xt = ag.tensor(x[:4], requires_grad=True)
    (g,) = ag.autograd.grad(_special.digamma(xt).sum(), [xt], create_graph=True)
    (gg,) = ag.autograd.grad(g.sum(), [xt])
    np.testing.assert_allclose(gg.numpy(), torch.polygamma(2, torch.tensor(x[:4])).numpy(), rtol=1e-8)


def test_standard_gamma_gradient_matches_torch_in_all_regions():
    rng = np.random.default_rng(0)
    alpha = np.concatenate([rng.uniform(0.05, 8, 500), rng.uniform(8, 500, 500)])
    x = rng.gamma(alpha)
    got = _special.standard_gamma_grad_array(alpha, x)
    want = torch._standard_gamma_grad(torch.tensor(alpha), torch.tensor(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_dirichlet_gradient_matches_torch_in_all_regions():
    rng = np.random.default_rng(1)
    conc = np.concatenate([rng.uniform(0.05, 3, (300, 3)), rng.uniform(5, 60, (300, 3)),
                           rng.uniform(0.5, 10, (300, 3))])
    x = np.stack([rng.dirichlet(c) for c in conc])
    total = np.broadcast_to(conc.sum(-1, keepdims=True), conc.shape).copy()
    got = dirichlet_grad_array(x, conc, total)
    want = torch._dirichlet_grad(torch.tensor(x), torch.tensor(conc), torch.tensor(total)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_draws_repeat_after_manual_seed():
    def draw():
        ag.manual_seed(123)
        return [d.sample((3,)).numpy() for d in (
            agd.Normal(0.0, 1.0), agd.Gamma(2.0, 1.0), agd.Dirichlet(ag.ones(3)), agd.Exponential(1.0),
            agd.Laplace(0.0, 1.0), agd.Uniform(0.0, 1.0), agd.Bernoulli(0.3),
            agd.Categorical(logits=ag.zeros(4)), agd.MultivariateNormal(ag.zeros(2), ag.eye(2)),
            agd.Beta(2.0, 2.0), agd.LogNormal(0.0, 1.0))]
    for a, b in zip(draw(), draw()):
        np.testing.assert_array_equal(a, b)


def test_torch_distributions_under_the_alias(tmp_path):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent("""
        import torch
        import torch.nn as nn
        from torch.distributions import Categorical, Normal, kl_divergence
        import torch.distributions as D

        torch.manual_seed(0)
        policy = nn.Linear(4, 3)
        opt = torch.optim.Adam(policy.parameters(), lr=0.01)
        obs = torch.randn(16, 4)
        for _ in range(3):
            dist = Categorical(logits=policy(obs))
            a = dist.sample()
            loss = -(dist.log_prob(a) * torch.randn(16)).mean() - 0.01 * dist.entropy().mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
        mu = torch.zeros(5, requires_grad=True)
        q = Normal(mu, torch.ones(5))
        kl = kl_divergence(q, Normal(torch.zeros(5), torch.ones(5))).sum() + q.rsample().sum()
        kl.backward()
        print(type(dist).__module__, D.constraints.positive, mu.grad.tolist())
        """))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    result = subprocess.run([sys.executable, "-m", "autograd_lite.as_torch", str(script)],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["autograd_lite.distributions.categorical",
                                     "GreaterThan(lower_bound=0.0)", "[1.0,", "1.0,", "1.0,", "1.0,", "1.0]"]


def test_utils_as_torch():
    U = agd.utils
    TU = td.utils
    m = np.arange(16.0).reshape(4, 4)
    for diag in (0, -1):
        v = TU.tril_matrix_to_vec(torch.tensor(m), diag)
        np.testing.assert_array_equal(U.tril_matrix_to_vec(ag.tensor(m), diag).numpy(), v.numpy())
        np.testing.assert_array_equal(U.vec_to_tril_matrix(ag.tensor(v.numpy()), diag).numpy(),
                                      TU.vec_to_tril_matrix(v, diag).numpy())
    p = np.array([0.0, 0.2, 1.0])
    for binary in (True, False):
        np.testing.assert_allclose(U.probs_to_logits(ag.tensor(p), binary).numpy(),
                                   TU.probs_to_logits(torch.tensor(p), binary).numpy())
        np.testing.assert_allclose(U.logits_to_probs(ag.tensor(p), binary).numpy(),
                                   TU.logits_to_probs(torch.tensor(p), binary).numpy())
    x, y = U.broadcast_all(ag.tensor([1.0, 2.0], dtype=ag.float64), 3.0)
    assert y.dtype == ag.float64 and y.shape == (2,)
    with pytest.raises(ValueError, match="Input arguments must all be instances of numbers.Number"):
        U.broadcast_all([1.0])
