"""The activations added after the first set (threshold, rrelu, hardtanh, relu6,
hardsigmoid, hardswish, mish, selu, celu, glu, hardshrink, softshrink, prelu, softsign,
tanhshrink, softmin, Softmax2d) beyond the op table's generic tests: values and
gradients at the kinks and at NaN against PyTorch, second derivatives against
PyTorch's, in-place forms, rrelu's random slopes, modules (repr, PReLU's parameter
and state_dict both ways) and errors."""
import warnings

import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.nn.functional as F
from autograd_lite import nn
from helpers import compare, randn
from nn_helpers import check_module

X = randn(3, 6, seed=1) * 3
# the kinks of every piecewise function here, and points next to them
KINKS = np.array([-6.0, -3.0, -2.999, -1.0, -0.5, -0.2, 0.0, 0.2, 0.5, 1.0, 2.999, 3.0, 6.0, 7.0])

PIECEWISE = [
    ("hardtanh", {}), ("hardtanh", {"min_val": -0.5, "max_val": 0.2}), ("relu6", {}),
    ("hardsigmoid", {}), ("hardswish", {}), ("threshold", {"threshold": 0.2, "value": -4.0}),
    ("hardshrink", {}), ("hardshrink", {"lambd": 1.0}), ("softshrink", {}), ("softshrink", {"lambd": 0.2}),
    ("rrelu", {}), ("selu", {}), ("celu", {"alpha": 0.5}), ("softsign", {}),
]
SMOOTH = [("mish", {}), ("selu", {}), ("celu", {}), ("celu", {"alpha": 2.0}), ("softsign", {}),
          ("tanhshrink", {}), ("hardswish", {})]


def _fn(lib, name):
    return getattr(F if lib is ag else torch.nn.functional, name)


def _id(p):
    return p[0] + "".join(f"-{k}={v}" for k, v in p[1].items())


@pytest.mark.parametrize("case", PIECEWISE, ids=_id)
def test_values_and_gradients_at_the_kinks_are_torchs(case):
    name, kw = case
    compare(lambda lib, x: _fn(lib, name)(x, **kw), KINKS)


@pytest.mark.parametrize("name", ["hardtanh", "relu6", "hardsigmoid", "hardswish", "threshold",
                                  "hardshrink", "softshrink", "mish", "selu", "celu"])
def test_nan_propagates_as_in_torch(name):
    kw = {"threshold": 0.0, "value": 1.0} if name == "threshold" else {}
    x = np.array([np.nan, 1.0, -1.0])
    got = _fn(ag, name)(ag.tensor(x), **kw).numpy()
    want = _fn(torch, name)(torch.tensor(x), **kw).numpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))


@pytest.mark.parametrize("case", SMOOTH, ids=_id)
def test_second_derivative_matches_torch(case):
    name, kw = case
    x0 = randn(9, seed=5) * 3
    v = randn(9, seed=6)
    out = []
    for lib in (ag, torch):
        x = lib.tensor(x0, requires_grad=True)
        (g,) = lib.autograd.grad(_fn(lib, name)(x, **kw), x, lib.tensor(v), create_graph=True)
        (h,) = lib.autograd.grad((g * g).sum(), x)
        out.append((g.detach().numpy(), h.detach().numpy()))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-7, atol=1e-10)


def test_extreme_inputs_stay_finite():
    x = np.array([-1e4, -800.0, -60.0, 0.0, 60.0, 800.0, 1e4])
    for name in ("mish", "selu", "celu", "softsign", "tanhshrink", "hardswish"):
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            compare(lambda lib, t: _fn(lib, name)(t), x)


INPLACE = [("hardtanh", {"min_val": -0.5, "max_val": 1.5}), ("relu6", {}), ("hardsigmoid", {}),
           ("hardswish", {}), ("mish", {}), ("selu", {}), ("celu", {"alpha": 0.7}),
           ("threshold", {"threshold": 0.1, "value": 2.0}), ("rrelu", {})]


@pytest.mark.parametrize("case", INPLACE, ids=_id)
def test_inplace_functional(case):
    name, kw = case

    def fn(lib, x):
        h = x * 1.5
        out = _fn(lib, name)(h, inplace=True, **kw)
        assert out is h
        return h * 2

    compare(fn, X)
    with pytest.raises(RuntimeError, match="leaf"):
        getattr(F, name)(ag.tensor(X, requires_grad=True), inplace=True, **kw)


@pytest.mark.parametrize("name,args", [("hardtanh_", (-0.5, 0.5)), ("selu_", ()), ("celu_", (0.5,)),
                                       ("threshold_", (0.3, -1.0)), ("rrelu_", ())])
def test_underscore_functions(name, args):
    compare(lambda lib, x: _fn(lib, name)(x.detach().clone(), *args), X, grad=False)


def test_rrelu_training_slopes():
    ag.manual_seed(0)
    x = ag.tensor(np.concatenate([-np.ones(4000), np.ones(10)]), requires_grad=True)
    y = F.rrelu(x, 0.1, 0.3, training=True)
    slopes = y.detach().numpy()[:4000] * -1
    assert 0.1 <= slopes.min() and slopes.max() <= 0.3 and abs(slopes.mean() - 0.2) < 0.005
    np.testing.assert_array_equal(y.detach().numpy()[4000:], 1.0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy()[:4000], slopes)  # the gradient is the slope
    ag.manual_seed(0)
    again = F.rrelu(ag.tensor(x.detach().numpy()), 0.1, 0.3, training=True)
    np.testing.assert_array_equal(again.numpy(), y.detach().numpy())
    m = nn.RReLU(0.1, 0.3)
    m.eval()
    np.testing.assert_allclose(m(ag.tensor([-2.0, 3.0])).numpy(), [-0.4, 3.0])


def test_prelu_weight_shapes():
    for xs, ws in [((3, 4), (1,)), ((3, 4), (4,)), ((4,), (1,)), ((2, 3, 4, 2), (3,)), ((), (1,)),
                   ((2, 3), ())]:
        compare(lambda lib, x, w: _fn(lib, "prelu")(x, w), randn(*xs, seed=2), randn(*ws, seed=3))


def test_errors():
    x = ag.tensor(X)
    with pytest.raises(RuntimeError, match="channel size"):
        F.prelu(x, ag.ones(4))
    with pytest.raises(RuntimeError, match="1D"):
        F.prelu(x, ag.ones((6, 1)))
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        F.glu(x, 0)
    with pytest.raises(RuntimeError, match="scalars"):
        F.glu(ag.tensor(1.0))
    with pytest.raises(RuntimeError, match="lambda"):
        F.softshrink(x, -0.5)
    with pytest.raises(RuntimeError, match="alpha cannot be 0"):
        F.celu(x, 0.0)
    with pytest.raises(RuntimeError, match="lower bound"):
        F.rrelu(x, 0.5, 0.1)
    with pytest.raises(AssertionError, match="max_val"):
        nn.Hardtanh(1.0, 0.5)
    with pytest.raises(ValueError, match="3D or 4D"):
        nn.Softmax2d()(ag.randn(2, 3))


def test_softmin_implicit_dim_warns():
    with pytest.warns(UserWarning, match="Implicit dimension"):
        got = F.softmin(ag.tensor(X))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        want = torch.nn.functional.softmin(torch.tensor(X)).numpy()
    np.testing.assert_allclose(got.numpy(), want, rtol=1e-12)


# ---- modules ---------------------------------------------------------------------------------------
MODULES = [
    ("Threshold", (0.1, 20.0), {}), ("Threshold", (0.0, -1.0), {"inplace": True}), ("RReLU", (), {}),
    ("RReLU", (0.2, 0.4), {"inplace": True}), ("Hardtanh", (), {}), ("Hardtanh", (-2.0, 0.5), {"inplace": True}),
    ("ReLU6", (), {}), ("ReLU6", (), {"inplace": True}), ("Hardsigmoid", (), {}),
    ("Hardsigmoid", (), {"inplace": True}), ("Hardswish", (), {}), ("Hardswish", (True,), {}),
    ("Mish", (), {}), ("Mish", (), {"inplace": True}), ("SELU", (), {}), ("SELU", (True,), {}),
    ("CELU", (), {}), ("CELU", (0.5,), {"inplace": True}), ("GLU", (), {}), ("GLU", (0,), {}),
    ("Hardshrink", (), {}), ("Hardshrink", (1.2,), {}), ("Softshrink", (), {}), ("Softshrink", (0.1,), {}),
    ("Softsign", (), {}), ("Tanhshrink", (), {}), ("Softmin", (1,), {}), ("Softmin", (), {"dim": 0}),
]


@pytest.mark.parametrize("case", MODULES, ids=lambda c: c[0] + str(c[1]) + str(c[2]))
def test_module_matches_torch(case):
    cls, args, kw = case
    ours = getattr(nn, cls)(*args, **kw)
    theirs = getattr(torch.nn, cls)(*args, **kw)
    assert repr(ours) == repr(theirs)
    assert ours.state_dict() == {} and not list(ours.parameters())
    inplace = kw.get("inplace") or (args == (True,))
    ours.eval()
    theirs.eval()  # RReLU: the mean slope

    def fn(lib, x):
        m = ours if lib is ag else theirs
        return m(x * 1.0) if inplace else m(x)

    compare(fn, X if cls != "GLU" or args != (0,) else X[:2])


def test_softmax2d():
    compare(lambda lib, x: (nn.Softmax2d() if lib is ag else torch.nn.Softmax2d())(x), randn(2, 3, 4, 2, seed=4))
    compare(lambda lib, x: (nn.Softmax2d() if lib is ag else torch.nn.Softmax2d())(x), randn(3, 4, 2, seed=4))
    assert repr(nn.Softmax2d()) == repr(torch.nn.Softmax2d())


def test_hardtanh_deprecated_names_warn():
    with pytest.warns(FutureWarning, match="min_val"):
        m = nn.Hardtanh(min_value=-0.5)
    assert m.min_val == -0.5 and repr(m) == "Hardtanh(min_val=-0.5, max_val=1.0)"


@pytest.mark.parametrize("num", [1, 3])
def test_prelu_module(num):
    ours, theirs = nn.PReLU(num, init=0.1), torch.nn.PReLU(num, init=0.1)
    assert repr(ours) == repr(theirs)
    assert ours.weight.dtype == np.float32 and ours.weight.shape == (num,)
    np.testing.assert_array_equal(ours.weight.detach().numpy(), theirs.weight.detach().numpy())
    x = randn(4, 3, 5, seed=7)
    check_module(lambda: nn.PReLU(num), lambda: torch.nn.PReLU(num), x)
    # ours loaded into torch's
    ours = nn.PReLU(num, dtype=ag.float64)
    with ag.no_grad():
        ours.weight.copy_(ag.tensor(np.linspace(-0.5, 0.5, num)))
    theirs = torch.nn.PReLU(num).double()
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    np.testing.assert_allclose(ours(ag.tensor(x)).detach().numpy(), theirs(torch.tensor(x)).detach().numpy(), rtol=1e-12)
