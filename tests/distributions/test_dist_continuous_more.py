"""StudentT, Cauchy, HalfNormal, HalfCauchy, Chi2, Gumbel, Weibull, Pareto and VonMises against
torch.distributions: log_prob, entropy, cdf, icdf and moments with their gradients in
float64 and float32; rsample's reparameterised values and gradients given the same
noise (torch's noise source patched to return ours); draws' statistics; validation."""
from unittest import mock

import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.distributions as agd
from autograd_lite import random as ag_random
from dist_helpers import check, raises_same

DTYPES = (np.float64, np.float32)
TOL32 = dict(rtol=1e-3, atol=1e-4)
R = np.random.default_rng(12)
LOC = R.standard_normal((3, 4))
A = R.uniform(0.4, 4.0, (3, 4))
B = R.uniform(0.4, 4.0, (3, 4))
X = R.standard_normal((2, 3, 4)) * 2
POS = R.uniform(0.05, 5.0, (2, 3, 4))
UNIT = R.uniform(0.02, 0.98, (2, 3, 4))
SHAPE = (5, 3, 4)


def _tol(dtype):
    return None if dtype == np.float64 else TOL32


def _noise(kind, dtype, seed=7):
    """The raw draws our rsample takes after `manual_seed(seed)`, as an ndarray."""
    ag.manual_seed(seed)
    if kind == "rand":
        return ag.rand(SHAPE, dtype=ag.float64 if dtype == np.float64 else ag.float32).numpy()
    if kind == "randn":
        return ag.randn(SHAPE, dtype=ag.float64 if dtype == np.float64 else ag.float32).numpy()
    if kind == "exponential":
        return ag_random.generator().standard_exponential(SHAPE).astype(dtype)
    raise ValueError(kind)


def _rsample_fn(make, kind, dtype, torch_patch):
    """fn for `check`: ours draws after manual_seed, torch's draws the same noise
    through `torch_patch(noise)` (a context manager)."""
    noise = _noise(kind, dtype)

    def fn(lib, D, *params):
        if lib is ag:
            ag.manual_seed(7)
            return make(D, *params).rsample(SHAPE[:1])
        with torch_patch(torch.tensor(noise)):
            return make(D, *params).rsample(SHAPE[:1])
    return fn


def _patch_rand(noise):
    return mock.patch("torch.rand", lambda *a, **k: noise.clone())


def _patch_exponential(noise):
    return mock.patch.object(torch.Tensor, "exponential_", lambda self: self.copy_(noise), create=True)


def _patch_normal(noise):
    return mock.patch("torch.distributions.normal._standard_normal", lambda *a, **k: noise.clone())


def _patch_cauchy(noise):
    eps = torch.tan(np.pi * (noise - 0.5))
    return mock.patch.object(torch.Tensor, "cauchy_", lambda self: self.copy_(eps), create=True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_student_t(dtype):
    df = np.concatenate([R.uniform(0.3, 6.0, (2, 4)), np.array([[0.5, 1.5, 2.5, 30.0]])])

    def fn(lib, D, df, loc, scale, x):
        d = D.StudentT(df, loc, scale)
        return d.log_prob(x), d.entropy(), d.mean, d.mode, d.variance
    check(fn, [df, LOC, A, X], dtype, tol=_tol(dtype))
    check(lambda lib, D, df, x: D.StudentT(df).log_prob(x), [df, X], dtype, tol=_tol(dtype))
    check(lambda lib, D, x: D.StudentT(3.0, 1.0, 2.0).log_prob(x), [X], dtype, tol=_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_student_t_rsample_gradient_is_torchs(dtype):
    df = np.array([0.7, 2.0, 5.0, 40.0])
    loc, scale = LOC[0], A[0]
    tdf = ag.tensor(df.astype(dtype), requires_grad=True)
    tloc = ag.tensor(loc.astype(dtype), requires_grad=True)
    tscale = ag.tensor(scale.astype(dtype), requires_grad=True)
    ag.manual_seed(3)
    x = agd.StudentT(tdf, tloc, tscale).rsample((6,))
    assert x.shape == (6, 4) and x.dtype == tdf.dtype
    w = R.standard_normal((6, 4))
    (x * ag.tensor(w.astype(dtype))).sum().backward()
    # the same normal and standard-gamma draws, the gamma's gradient by torch's rule
    ag.manual_seed(3)
    normal = ag.randn((6, 4), dtype=tdf.dtype).numpy().astype(np.float64)
    gamma = ag_random.generator().standard_gamma(np.broadcast_to(0.5 * df, (6, 4)))
    gamma = np.maximum(gamma.astype(dtype), np.finfo(dtype).tiny).astype(np.float64)
    t_df, t_loc, t_scale = (torch.tensor(v, requires_grad=True) for v in (df, loc, scale))
    alpha = (0.5 * t_df).expand(6, 4)
    g = torch.tensor(gamma)
    g = g + (alpha - alpha.detach()) * torch._standard_gamma_grad(alpha.detach(), g)
    z = g / 0.5
    xt = t_loc + t_scale * (torch.tensor(normal) * torch.rsqrt(z / t_df))
    (xt * torch.tensor(w)).sum().backward()
    tol = dict(rtol=1e-8, atol=1e-10) if dtype == np.float64 else dict(rtol=2e-3, atol=1e-4)
    np.testing.assert_allclose(x.detach().numpy(), xt.detach().numpy(), **tol)
    for ours, theirs in ((tdf, t_df), (tloc, t_loc), (tscale, t_scale)):
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), **tol)


@pytest.mark.parametrize("dtype", DTYPES)
def test_chi2(dtype):
    def fn(lib, D, df, x):
        d = D.Chi2(df)
        return d.log_prob(x), d.entropy(), d.mean, d.mode, d.variance, d.df
    check(fn, [A * 2, POS], dtype, tol=_tol(dtype))
    check(lambda lib, D, df, x: D.Chi2(df).cdf(x), [A * 2, POS], dtype, grad=[1], tol=_tol(dtype))
    d = agd.Chi2(3.0)
    assert isinstance(d, agd.Gamma) and d.batch_shape == () and d.expand((2,)).df.shape == (2,)
    ag.manual_seed(5)
    s = agd.Chi2(ag.tensor([1.0, 4.0, 10.0])).sample((40000,)).numpy()
    np.testing.assert_allclose(s.mean(0), [1.0, 4.0, 10.0], rtol=0.03)
    np.testing.assert_allclose(s.var(0), [2.0, 8.0, 20.0], rtol=0.08)


@pytest.mark.parametrize("dtype", DTYPES)
def test_cauchy(dtype):
    def fn(lib, D, loc, scale, x, u):
        d = D.Cauchy(loc, scale)
        return d.log_prob(x), d.entropy(), d.cdf(x), d.icdf(u), d.mean, d.mode, d.variance
    check(fn, [LOC, A, X, UNIT], dtype, tol=_tol(dtype))
    check(_rsample_fn(lambda D, loc, scale: D.Cauchy(loc, scale), "rand", dtype, _patch_cauchy),
          [LOC, A], dtype, tol=_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_half_normal_and_half_cauchy(dtype):
    for name in ("HalfNormal", "HalfCauchy"):
        def fn(lib, D, scale, x, u):
            d = getattr(D, name)(scale)
            return d.log_prob(x), d.entropy(), d.cdf(x), d.icdf(u), d.mean, d.mode, d.variance
        check(fn, [A, POS, UNIT], dtype, tol=_tol(dtype))
        # below the support: -inf, without validation
        check(lambda lib, D, s, x: getattr(D, name)(s, validate_args=False).log_prob(x), [A, X], dtype,
              tol=_tol(dtype))
    check(_rsample_fn(lambda D, s: D.HalfNormal(s), "randn", dtype, _patch_normal), [A], dtype,
          tol=_tol(dtype))
    check(_rsample_fn(lambda D, s: D.HalfCauchy(s), "rand", dtype, _patch_cauchy), [A], dtype,
          tol=_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_gumbel(dtype):
    def fn(lib, D, loc, scale, x, u):
        d = D.Gumbel(loc, scale)
        return (d.log_prob(x), d.entropy(), d.cdf(x), d.icdf(u), d.mean, d.mode, d.stddev,
                d.variance)
    check(fn, [LOC, A, X, UNIT], dtype, tol=_tol(dtype))
    check(lambda lib, D, x: D.Gumbel(0.5, 2.0).log_prob(x), [X], dtype, tol=_tol(dtype))
    check(_rsample_fn(lambda D, loc, s: D.Gumbel(loc, s), "rand", dtype, _patch_rand), [LOC, A], dtype,
          tol=_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_weibull(dtype):
    def fn(lib, D, scale, conc, x, u):
        d = D.Weibull(scale, conc)
        return d.log_prob(x), d.entropy(), d.cdf(x), d.icdf(u), d.mean, d.mode, d.variance
    check(fn, [A, B, POS, UNIT], dtype, tol=_tol(dtype))
    check(_rsample_fn(lambda D, s, c: D.Weibull(s, c), "exponential", dtype, _patch_exponential), [A, B],
          dtype, tol=_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_pareto(dtype):
    alpha = np.concatenate([B[:2], np.array([[0.5, 1.0, 1.5, 2.0]])])

    def fn(lib, D, scale, alpha, x, u):
        d = D.Pareto(scale, alpha)
        return d.log_prob(x), d.entropy(), d.cdf(x), d.icdf(u), d.mode

    def moments(lib, D, scale, alpha):
        d = D.Pareto(scale, alpha)
        return d.mean, d.variance
    check(fn, [A, alpha, A + POS, UNIT], dtype, tol=_tol(dtype))
    check(moments, [A, B + 2.0], dtype, tol=_tol(dtype))
    # alpha <= 1 (mean inf) and <= 2 (variance inf): values only (our clamp's gradient
    # times an infinite one is NaN where PyTorch's is 0)
    check(moments, [A, alpha], dtype, grad=[], tol=_tol(dtype))
    check(_rsample_fn(lambda D, s, a: D.Pareto(s, a), "exponential", dtype, _patch_exponential), [A, alpha],
          dtype, tol=_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_von_mises(dtype):
    # concentrations on both sides of the approximations' switch at 3.75
    conc = np.concatenate([A[:2], np.array([[0.01, 3.7, 3.8, 60.0]])])

    def fn(lib, D, loc, conc, x):
        d = D.VonMises(loc, conc)
        return d.log_prob(x), d.mean, d.mode, d.variance
    check(fn, [LOC * 3, conc, X * 2], dtype, tol=_tol(dtype))
    # a tiny concentration: PyTorch's gradient of the variance is NaN there (the
    # approximation not taken overflows); ours is the limit, -1/2
    c = ag.tensor(np.array([1e-6], dtype=dtype), requires_grad=True)
    agd.VonMises(ag.zeros(1, dtype=c.dtype), c).variance.sum().backward()
    np.testing.assert_allclose(c.grad.numpy(), [-0.5], rtol=1e-4)


def test_von_mises_draws():
    ag.manual_seed(9)
    loc, conc = np.array([0.5, -3.0, 2.0, 1.0]), np.array([2.0, 10.0, 1e-6, 0.3])
    d = agd.VonMises(ag.tensor(loc, dtype=ag.float32), ag.tensor(conc, dtype=ag.float32))
    s = d.sample((20000,))
    assert s.shape == (20000, 4) and s.dtype == ag.float32 and not d.has_rsample
    s = s.numpy()
    assert np.all((s >= -np.pi) & (s < np.pi))
    resultant = np.exp(1j * s).mean(0)
    np.testing.assert_allclose(1 - np.abs(resultant), d.variance.numpy(), atol=0.012)
    angle_error = np.angle(resultant * np.exp(-1j * loc))
    assert np.all(np.abs(angle_error[[0, 1, 3]]) < 0.05), angle_error
    e = d.expand((2, 4))
    assert e.batch_shape == (2, 4) and e.sample((3,)).shape == (3, 2, 4)
    assert agd.VonMises(0.0, 1.0).sample((5,)).shape == (5,)
    raises_same(lambda lib, D: D.VonMises(lib.tensor([0.0]), lib.tensor([0.0])))


def test_draws_statistics_shapes_and_expand():
    ag.manual_seed(11)
    n = 40000
    cases = [
        (agd.StudentT(ag.tensor([5.0]), ag.tensor([1.0]), ag.tensor([2.0])), [1.0], [4.0 * 5 / 3]),
        (agd.HalfNormal(ag.tensor([2.0])), [2.0 * np.sqrt(2 / np.pi)], [4.0 * (1 - 2 / np.pi)]),
        (agd.Gumbel(ag.tensor([1.0]), ag.tensor([2.0])), [1.0 + 2.0 * 0.5772156649], [np.pi ** 2 / 6 * 4]),
        (agd.Weibull(ag.tensor([2.0]), ag.tensor([1.5])), None, None),
        (agd.Pareto(ag.tensor([1.0]), ag.tensor([5.0])), [1.25], [5 / (16 * 3)]),
    ]
    for d, mean, var in cases:
        s = d.sample((n,))
        assert s.shape == (n, 1) and s.dtype == ag.float32 and not s.requires_grad
        assert bool(d.support.check(s).all())
        mean = d.mean.numpy() if mean is None else mean
        var = d.variance.numpy() if var is None else var
        np.testing.assert_allclose(s.numpy().mean(0), mean, rtol=0.03, atol=0.02)
        np.testing.assert_allclose(s.numpy().var(0), var, rtol=0.1)
        e = d.expand((2, 3))
        assert e.batch_shape == (2, 3) and e.sample((4,)).shape == (4, 2, 3)
        assert e.log_prob(e.sample()).shape == (2, 3)
    c = agd.Cauchy(ag.tensor([1.0]), ag.tensor([2.0])).sample((n,)).numpy()
    np.testing.assert_allclose(np.median(c), 1.0, atol=0.06)
    np.testing.assert_allclose(np.percentile(c, 75) - np.percentile(c, 25), 4.0, rtol=0.05)
    h = agd.HalfCauchy(ag.tensor([2.0])).sample((n,)).numpy()
    assert (h >= 0).all()
    np.testing.assert_allclose(np.median(h), 2.0, rtol=0.05)
    for d in (agd.StudentT(3.0), agd.Cauchy(0.0, 1.0), agd.Gumbel(0.0, 1.0), agd.HalfNormal(1.0)):
        assert d.batch_shape == () and d.sample((3,)).shape == (3,) and d.has_rsample
    assert not agd.Gumbel(0.0, 1.0).has_enumerate_support


def test_validation_errors_match_torch():
    t = lambda lib, v: lib.tensor([v])  # noqa: E731
    raises_same(lambda lib, D: D.StudentT(t(lib, -1.0)))
    raises_same(lambda lib, D: D.StudentT(t(lib, 1.0), t(lib, 0.0), t(lib, 0.0)))
    raises_same(lambda lib, D: D.Cauchy(t(lib, 0.0), t(lib, -1.0)))
    raises_same(lambda lib, D: D.HalfNormal(t(lib, -1.0)))
    raises_same(lambda lib, D: D.HalfNormal(t(lib, 1.0)).log_prob(t(lib, -1.0)))
    raises_same(lambda lib, D: D.HalfCauchy(t(lib, 0.0)))
    raises_same(lambda lib, D: D.HalfCauchy(t(lib, 1.0)).log_prob(t(lib, -1.0)))
    raises_same(lambda lib, D: D.Chi2(t(lib, 0.0)))
    raises_same(lambda lib, D: D.Gumbel(t(lib, 0.0), t(lib, 0.0)))
    raises_same(lambda lib, D: D.Weibull(t(lib, 1.0), t(lib, -1.0)))
    raises_same(lambda lib, D: D.Weibull(t(lib, 1.0), t(lib, 1.0)).log_prob(t(lib, -1.0)))
    raises_same(lambda lib, D: D.Pareto(t(lib, -1.0), t(lib, 1.0)))
    raises_same(lambda lib, D: D.Pareto(t(lib, 2.0), t(lib, 1.0)).log_prob(t(lib, 1.0)))
