"""The transforms beyond exp/sigmoid/affine (tanh, abs, power, softmax, stick-breaking,
composition, affine over event dimensions) and TransformedDistribution with them,
against torch.distributions.transforms: values, inverses, log |det J| and gradients in
float64 and float32; domains, codomains, shapes, signs and equality."""
import numpy as np
import pytest
import torch
import torch.distributions as td

import autograd_lite as ag
import autograd_lite.distributions as agd
from dist_helpers import check

DTYPES = (np.float64, np.float32)
R = np.random.default_rng(14)
X = R.standard_normal((3, 4))
TOL32 = dict(rtol=2e-4, atol=5e-5)


def _tol(dtype):
    return None if dtype == np.float64 else TOL32


@pytest.mark.parametrize("dtype", DTYPES)
def test_elementwise_transforms(dtype):
    def fn(lib, D, x, e, loc, scale):
        T = D.transforms
        out = []
        for t in (T.TanhTransform(), T.PowerTransform(e), T.ComposeTransform([T.ExpTransform(), T.PowerTransform(e)]),
                  T.ComposeTransform([T.AffineTransform(loc, scale), T.TanhTransform(), T.AffineTransform(1.0, 3.0)])):
            arg = x.exp() if isinstance(t, T.PowerTransform) else x
            y = t(arg)
            out += [y, t.inv(y), t.log_abs_det_jacobian(arg, y), t.inv.log_abs_det_jacobian(y, arg)]
        a = T.AbsTransform()
        return tuple(out) + (a(x), a.inv(a(x)))
    check(fn, [X * 0.8, np.abs(X[0]) + 0.3, X[1], np.abs(X[2]) + 0.5], dtype, tol=_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_simplex_transforms(dtype):
    def fn(lib, D, x, loc, scale):
        T = D.transforms
        sb, sm = T.StickBreakingTransform(), T.SoftmaxTransform()
        y = sb(x)
        aff = T.AffineTransform(loc, scale, event_dim=1)
        z = aff(x)
        comp = T.ComposeTransform([aff, sb])
        w = comp(x)
        return (y, sb.inv(y), sb.log_abs_det_jacobian(x, y), sb.inv.log_abs_det_jacobian(y, x),
                sm(x), sm.inv(sm(x)), z, aff.inv(z), aff.log_abs_det_jacobian(x, z), w,
                comp.log_abs_det_jacobian(x, w), comp.inv(w))
    check(fn, [X, X[0], np.abs(X[1]) + 0.5], dtype, tol=_tol(dtype))


def test_transform_properties_match_torch():
    x = ag.tensor(X)
    ours = agd.transforms
    pairs = [(ours.TanhTransform(), td.transforms.TanhTransform()),
             (ours.AbsTransform(), td.transforms.AbsTransform()),
             (ours.PowerTransform(ag.tensor(2.0)), td.transforms.PowerTransform(td.utils.broadcast_all(2.0)[0])),
             (ours.SoftmaxTransform(), td.transforms.SoftmaxTransform()),
             (ours.StickBreakingTransform(), td.transforms.StickBreakingTransform()),
             (ours.AffineTransform(0.0, 2.0, event_dim=2), td.transforms.AffineTransform(0.0, 2.0, event_dim=2)),
             (ours.ComposeTransform([ours.ExpTransform(), ours.StickBreakingTransform()]),
              td.transforms.ComposeTransform([td.transforms.ExpTransform(), td.transforms.StickBreakingTransform()])),
             (ours.ComposeTransform([ours.StickBreakingTransform(), ours.ExpTransform()]),
              td.transforms.ComposeTransform([td.transforms.StickBreakingTransform(), td.transforms.ExpTransform()])),
             (ours.identity_transform, td.transforms.identity_transform)]
    for a, b in pairs:
        for side in ("domain", "codomain"):
            ca, cb = getattr(a, side), getattr(b, side)
            assert repr(ca) == repr(cb) and ca.event_dim == cb.event_dim, (a, side)
        assert a.bijective == b.bijective, a
        for shape in ((3, 4), (2, 5)):
            assert tuple(a.forward_shape(shape)) == tuple(b.forward_shape(shape)), a
            assert tuple(a.inverse_shape(shape)) == tuple(b.inverse_shape(shape)), a
    assert ours.TanhTransform().sign == 1 and ours.PowerTransform(ag.tensor(-2.0)).sign.item() == -1
    assert ours.ComposeTransform([ours.AffineTransform(0.0, -1.0), ours.ExpTransform()]).sign == -1
    assert ours.TanhTransform() == ours.TanhTransform() and ours.TanhTransform() != ours.AbsTransform()
    assert ours.PowerTransform(ag.tensor(2.0)) == ours.PowerTransform(ag.tensor(2.0))
    assert ours.PowerTransform(ag.tensor(2.0)) != ours.PowerTransform(ag.tensor(3.0))
    compose = ours.ComposeTransform([ours.ExpTransform(), ours.TanhTransform()])
    assert compose == ours.ComposeTransform([ours.ExpTransform(), ours.TanhTransform()])
    assert compose.inv.inv is compose and compose.inv.parts[0] == ours.TanhTransform().inv
    assert ours.identity_transform(x) is x
    np.testing.assert_array_equal(ours.identity_transform.log_abs_det_jacobian(x, x).numpy(), 0.0)
    with pytest.raises(ValueError, match="Too few dimensions"):
        ours.SoftmaxTransform().forward_shape(())


@pytest.mark.parametrize("dtype", DTYPES)
def test_transformed_distributions(dtype):
    v = R.standard_normal((2, 3, 4)) * 0.9
    s = R.dirichlet(np.ones(5), size=(2, 3))

    def fn(lib, D, loc, scale, v, s):
        T = D.transforms
        base = D.Normal(loc, scale)
        tanh = D.TransformedDistribution(base, [T.TanhTransform()])
        y = lib.tanh(v)
        chain = D.TransformedDistribution(base, T.ComposeTransform([T.AffineTransform(0.5, 2.0), T.ExpTransform()]))
        simplex = D.TransformedDistribution(D.Normal(loc, scale), T.StickBreakingTransform())
        return (tanh.log_prob(y), tanh.cdf(y), chain.log_prob(lib.exp(v)), simplex.log_prob(s))
    check(fn, [X, np.abs(X) + 0.5, v, s], dtype, tol=_tol(dtype))


def test_transformed_distribution_shapes_match_torch():
    ours = agd.TransformedDistribution(agd.Normal(ag.zeros(3, 4), ag.ones(3, 4)),
                                       agd.transforms.StickBreakingTransform())
    theirs = td.TransformedDistribution(td.Normal(torch.zeros(3, 4), torch.ones(3, 4)),
                                        td.transforms.StickBreakingTransform())
    assert ours.batch_shape == theirs.batch_shape and ours.event_shape == theirs.event_shape
    s = ours.sample((2,))
    assert s.shape == (2, 3, 5) and np.allclose(s.numpy().sum(-1), 1.0, atol=1e-5)
    assert repr(ours.support) == repr(theirs.support)
    e = ours.expand((2, 3))
    assert e.batch_shape == (2, 3) and e.base_dist.batch_shape == (2, 3)
    # the base is expanded to the shape a transform's parameters broadcast it to
    loc = ag.zeros(2, 3)
    p = agd.TransformedDistribution(agd.Normal(0.0, 1.0), agd.transforms.AffineTransform(loc, 2.0))
    q = td.TransformedDistribution(td.Normal(0.0, 1.0), td.transforms.AffineTransform(torch.zeros(2, 3), 2.0))
    assert p.batch_shape == q.batch_shape == (2, 3) and p.sample().shape == (2, 3)
    # an inverse transform's shapes are the inverted ones
    inv = agd.TransformedDistribution(agd.Dirichlet(ag.ones(3, 5)), agd.transforms.StickBreakingTransform().inv)
    tinv = td.TransformedDistribution(td.Dirichlet(torch.ones(3, 5)), td.transforms.StickBreakingTransform().inv)
    assert inv.batch_shape == tinv.batch_shape and inv.event_shape == tinv.event_shape == (4,)
    x = ag.tensor(np.random.default_rng(3).dirichlet(np.ones(5), 3))
    np.testing.assert_allclose(inv.log_prob(inv.transforms[0](x)).numpy(),
                               tinv.log_prob(tinv.transforms[0](torch.tensor(x.numpy()))).numpy(), rtol=1e-10)
    with pytest.raises(ValueError, match="base_distribution needs to have shape"):
        agd.TransformedDistribution(agd.Normal(0.0, 1.0), agd.transforms.StickBreakingTransform())


@pytest.mark.parametrize("dtype", DTYPES)
def test_structural_transforms(dtype):
    m = R.standard_normal((2, 3, 3))

    def fn(lib, D, x, loc, scale, m):
        T = D.transforms
        out = []
        cases = [(T.SoftplusTransform(), x), (T.IndependentTransform(T.ExpTransform(), 1), x),
                 (T.ReshapeTransform((3, 4), (2, 6)), x),
                 (T.CatTransform([T.ExpTransform(), T.SoftplusTransform(), T.AffineTransform(1.0, 2.0)],
                                 dim=1, lengths=[1, 2, 1]), x),
                 (T.CatTransform([T.ExpTransform(), T.TanhTransform()], dim=0, lengths=[1, 2]), x),
                 (T.StackTransform([T.ExpTransform(), T.SoftplusTransform(), T.TanhTransform()], dim=0), x),
                 (T.CumulativeDistributionTransform(D.Normal(loc, scale)), x)]
        for t, arg in cases:
            y = t(arg)
            out += [y, t.inv(y), t.log_abs_det_jacobian(arg, y)]
        for t in (T.LowerCholeskyTransform(), T.PositiveDefiniteTransform()):
            y = t(m)
            out += [y, t.inv(y)]
        return tuple(out)
    check(fn, [X, X[0], np.abs(X[1]) + 0.5, m], dtype, tol=_tol(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_biject_to_and_transform_to_match_torch(dtype):
    C, tC = agd.constraints, td.constraints
    pairs = [(C.real, tC.real), (C.positive, tC.positive), (C.nonnegative, tC.nonnegative),
             (C.greater_than(1.5), tC.greater_than(1.5)), (C.greater_than_eq(-2.0), tC.greater_than_eq(-2.0)),
             (C.less_than(0.5), tC.less_than(0.5)), (C.unit_interval, tC.unit_interval),
             (C.interval(-1.0, 3.0), tC.interval(-1.0, 3.0)),
             (C.half_open_interval(0.0, 2.0), tC.half_open_interval(0.0, 2.0)),
             (C.simplex, tC.simplex), (C.independent(C.positive, 1), tC.independent(tC.positive, 1)),
             (C.cat([C.positive, C.real], 1, [1, 3]), tC.cat([tC.positive, tC.real], 1, [1, 3])),
             (C.stack([C.positive, C.real, C.unit_interval], 0), tC.stack([tC.positive, tC.real, tC.unit_interval], 0))]
    matrix_pairs = [(C.lower_cholesky, tC.lower_cholesky), (C.positive_definite, tC.positive_definite),
                    (C.positive_semidefinite, tC.positive_semidefinite)]
    for registry in ("biject_to", "transform_to"):
        for i, (ours, theirs) in enumerate(pairs):
            def fn(lib, D, x):
                c = ours if lib is ag else theirs
                t = getattr(D, registry)(c)
                y = t(x)
                return (y, t.inv(y), t.log_abs_det_jacobian(x, y)) if t.bijective else (y,)
            x = X if i < 11 else X.reshape(3, 4)
            check(fn, [x], dtype, tol=_tol(dtype))
            assert ours.check(getattr(agd, registry)(ours)(ag.tensor(x))).all()
        assert type(getattr(agd, registry)(C.simplex)).__name__ == type(getattr(td, registry)(tC.simplex)).__name__
    for ours, theirs in matrix_pairs:
        m = R.standard_normal((2, 3, 3))
        check(lambda lib, D, x: D.transform_to(ours if lib is ag else theirs)(x), [m], dtype, tol=_tol(dtype))
        with pytest.raises(NotImplementedError, match="Cannot transform"):
            agd.biject_to(ours)
    with pytest.raises(NotImplementedError, match="Cannot transform _Boolean constraints"):
        agd.transform_to(C.boolean)
    with pytest.raises(TypeError, match="Expected constraint"):
        agd.biject_to.register(3, lambda c: agd.transforms.ExpTransform())


def test_constraint_registry_register():
    registry = agd.constraint_registry.ConstraintRegistry()

    @registry.register(agd.constraints.positive)
    def _exp(constraint):
        return agd.transforms.ExpTransform()
    assert registry(agd.constraints.greater_than(2.0)) == agd.transforms.ExpTransform()
    with pytest.raises(NotImplementedError):
        registry(agd.constraints.real)
