"""Activation functions and layers against PyTorch beyond the op table's generic tests
(tests/ops/test_op_table.py: values, gradients, gradcheck, gradgradcheck): second
and third derivatives against PyTorch's, numerical stability at large inputs,
gradients through the in-place forms, implicit softmax dims, modules and reprs."""
import warnings

import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.nn.functional as F
from autograd_lite import nn
from helpers import compare, gradcheck, randn

X = randn(3, 5, seed=1) * 2
XS = randn(2, 3, seed=2) * 1.5
# values at and around the kinks and far into the tails
EDGES = np.array([-1e4, -800.0, -60.0, -30.0, -21.0, -1e-3, 0.0, 1e-3, 1.0, 19.9, 20.1, 30.0, 60.0, 800.0, 1e4])

# (name, kwargs): autograd_lite and torch take the same functional call
FUNCTIONAL = [
    ("relu", {}), ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.2}),
    ("leaky_relu", {"negative_slope": -0.5}), ("elu", {}), ("elu", {"alpha": 0.3}), ("gelu", {}),
    ("gelu", {"approximate": "tanh"}), ("silu", {}), ("tanh", {}), ("sigmoid", {}), ("softplus", {}),
    ("softplus", {"beta": 2.0, "threshold": 5.0}), ("softplus", {"beta": 0.5}), ("logsigmoid", {}),
]
SMOOTH = [(n, k) for n, k in FUNCTIONAL if n not in ("relu", "leaky_relu")]


def _fn(lib, name):
    return getattr(F if lib is ag else torch.nn.functional, name)


def _id(p):
    return p[0] + "".join(f"-{k}={v}" for k, v in p[1].items())


@pytest.mark.parametrize("case", FUNCTIONAL, ids=_id)
def test_extreme_inputs_finite_and_equal(case):
    name, kw = case
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no overflow, no NaN
        compare(lambda lib, x: _fn(lib, name)(x, **kw), EDGES)
    for dtype in (np.float32, np.float64):
        x = ag.tensor(EDGES.astype(dtype), requires_grad=True)
        y = getattr(F, name)(x, **kw)
        y.sum().backward()
        assert np.all(np.isfinite(y._data)) and np.all(np.isfinite(x.grad._data))


@pytest.mark.parametrize("case", SMOOTH, ids=_id)
def test_second_derivative_matches_torch(case):
    """d/dx of (dy/dx . v) with create_graph, against PyTorch's."""
    name, kw = case
    x0 = randn(7, seed=5) * 3
    v = randn(7, seed=6)
    out = []
    for lib in (ag, torch):
        x = lib.tensor(x0, requires_grad=True)
        y = _fn(lib, name)(x, **kw)
        (g,) = lib.autograd.grad(y, x, lib.tensor(v), create_graph=True)
        (h,) = lib.autograd.grad((g * g).sum(), x)
        out.append((g.detach().numpy(), h.detach().numpy()))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_third_order(approximate):
    gradcheck(lambda t: F.gelu(t, approximate=approximate), XS, second_order=True)
    x = ag.tensor(randn(4, seed=7), requires_grad=True)
    xt = torch.tensor(randn(4, seed=7), requires_grad=True)
    res = []
    for lib, t in ((ag, x), (torch, xt)):
        y = _fn(lib, "gelu")(t, approximate=approximate).sum()
        (g1,) = lib.autograd.grad(y, t, create_graph=True)
        (g2,) = lib.autograd.grad(g1.sum(), t, create_graph=True)
        (g3,) = lib.autograd.grad(g2.sum(), t)
        res.append(g3.detach().numpy())
    np.testing.assert_allclose(res[0], res[1], rtol=1e-7, atol=1e-10)


def test_relu_like_gradient_at_zero_is_torchs():
    z = np.array([0.0, -0.0, 1.0, -1.0])
    for name, kw in (("relu", {}), ("leaky_relu", {"negative_slope": 0.1}), ("elu", {"alpha": 0.7})):
        compare(lambda lib, x: _fn(lib, name)(x, **kw), z)


def test_integer_input_becomes_float():
    assert F.gelu(ag.tensor([1, 2])).dtype == np.float32
    assert F.softplus(ag.tensor([1, 2])).dtype == np.float32


def test_gelu_bad_approximate():
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(ag.tensor([1.0]), approximate="fast")


@pytest.mark.parametrize("shape", [(4,), (2, 3), (2, 3, 4), (2, 3, 4, 2)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_implicit_dim_warns_and_picks_torchs_dim(name, shape):
    x = randn(*shape, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = _fn(torch, name)(torch.tensor(x)).numpy()
    with pytest.warns(UserWarning, match="Implicit dimension"):
        got = getattr(F, name)(ag.tensor(x))
    np.testing.assert_allclose(got._data, want, rtol=1e-12)


# ---- in-place forms ---------------------------------------------------------------------------
INPLACE = [("relu", {}), ("leaky_relu", {"negative_slope": 0.1}), ("elu", {"alpha": 0.5}), ("silu", {})]


@pytest.mark.parametrize("case", INPLACE, ids=_id)
def test_inplace_functional(case):
    name, kw = case

    def fn(lib, x):
        h = x * 1.5  # a non-leaf, so the in-place change is allowed
        out = _fn(lib, name)(h, inplace=True, **kw)
        assert out is h
        return h * 2

    compare(fn, X)


@pytest.mark.parametrize("case", INPLACE, ids=_id)
def test_inplace_on_leaf_requiring_grad_is_refused(case):
    name, kw = case
    x = ag.tensor(X, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(F, name)(x, inplace=True, **kw)


# ---- modules --------------------------------------------------------------------------------------
MODULES = [
    ("ReLU", (), {}), ("ReLU", (), {"inplace": True}), ("LeakyReLU", (), {}),
    ("LeakyReLU", (0.2,), {"inplace": True}), ("ELU", (), {}), ("ELU", (0.5,), {"inplace": True}),
    ("GELU", (), {}), ("GELU", (), {"approximate": "tanh"}), ("SiLU", (), {}), ("SiLU", (), {"inplace": True}),
    ("Tanh", (), {}), ("Sigmoid", (), {}), ("Softplus", (), {}), ("Softplus", (2, 10), {}),
    ("Softplus", (), {"beta": 0.5, "threshold": 3.0}), ("LogSigmoid", (), {}), ("Softmax", (), {"dim": 1}),
    ("Softmax", (0,), {}), ("LogSoftmax", (), {"dim": -1}), ("LogSoftmax", (1,), {}),
]


@pytest.mark.parametrize("case", MODULES, ids=lambda c: c[0] + str(c[1]) + str(c[2]))
def test_module_matches_torch(case):
    cls, args, kw = case
    ours = getattr(nn, cls)(*args, **kw)
    theirs = getattr(torch.nn, cls)(*args, **kw)
    assert repr(ours) == repr(theirs)
    assert ours.state_dict() == {} and not list(ours.parameters())

    def fn(lib, x):
        m = ours if lib is ag else theirs
        return m(x * 1.0) if kw.get("inplace") else m(x)

    compare(fn, X)


@pytest.mark.parametrize("cls", ["Softmax", "LogSoftmax"])
def test_softmax_module_default_dim(cls):
    assert repr(getattr(nn, cls)()) == repr(getattr(torch.nn, cls)())
    with pytest.warns(UserWarning):
        y = getattr(nn, cls)()(ag.tensor(X))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = getattr(torch.nn, cls)()(torch.tensor(X)).numpy()
    np.testing.assert_allclose(y._data, want, rtol=1e-12)


# ---- the GELU kernel against a NumPy reference ---------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gelu_erf_kernel_matches_reference(dtype):
    import math

    from autograd_lite.kernels import activations

    x = (randn(6, 7, seed=9) * 3).astype(dtype)
    for arr in (x, x.T, x[:, ::2], np.asarray(x[1, 2]), np.zeros((0, 3), dtype)):
        out, cdf = activations.gelu_erf(arr)
        ref_cdf = 0.5 * (1 + np.vectorize(math.erf, otypes=[np.float64])(arr.astype(np.float64) / math.sqrt(2)))
        assert out.dtype == cdf.dtype == dtype and out.shape == cdf.shape == arr.shape
        tol = 1e-15 if dtype == np.float64 else 1e-6
        np.testing.assert_allclose(cdf, ref_cdf, rtol=tol, atol=tol)
        np.testing.assert_allclose(out, arr * ref_cdf, rtol=tol, atol=tol)
