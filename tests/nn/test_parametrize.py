"""nn.utils.parametrize, nn.utils.parametrizations.weight_norm / spectral_norm and the
legacy nn.utils.weight_norm against PyTorch: state_dict keys, class names, values and
gradients (float64 and float32), right_inverse on assignment, caching, removal, errors."""
import copy
import pickle
import warnings

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.nn.utils import parametrize
from nn_helpers import check_module

P = nn.utils.parametrize
TP = torch.nn.utils.parametrize


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _symmetric(lib):
    class Symmetric(lib.nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).transpose(0, 1)

        def right_inverse(self, a):
            return a.triu()
    return Symmetric()


def _scale(lib, k=2.0):
    class Scale(lib.nn.Module):
        def forward(self, x):
            return x * k

        def right_inverse(self, a):
            return a / k
    return Scale()


def _sum_of_two(lib):
    """A parametrization from two originals (right_inverse returns a tuple)."""
    class SumOfTwo(lib.nn.Module):
        def forward(self, a, b):
            return a + 2 * b

        def right_inverse(self, w):
            return w * 0.5, w * 0.25
    return SumOfTwo()


def _parametrized(lib, *makers, linear=(3, 3)):
    m = lib.nn.Linear(*linear)
    mod = P if lib is ag else TP
    for make in makers:
        mod.register_parametrization(m, "weight", make(lib))
    return m


@pytest.mark.parametrize("makers", [(_symmetric,), (_symmetric, _scale), (_sum_of_two,), (_sum_of_two, _scale)])
def test_parametrized_linear_matches_torch(makers):
    check_module(lambda: _parametrized(ag, *makers), lambda: _parametrized(torch, *makers), _x(4, 3))


def test_structure_names_and_repr():
    a, t = _parametrized(ag, _symmetric, _scale), _parametrized(torch, _symmetric, _scale)
    assert type(a).__name__ == type(t).__name__ == "ParametrizedLinear"
    assert isinstance(a, nn.Linear) and P.type_before_parametrizations(a) is nn.Linear
    assert list(a.state_dict()) == list(t.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert [n for n, _ in a.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert repr(a) == repr(t)
    assert P.is_parametrized(a) and P.is_parametrized(a, "weight") and not P.is_parametrized(a, "bias")
    assert not P.is_parametrized(nn.Linear(2, 2))
    assert type(nn.Linear(3, 3)) is nn.Linear  # other instances keep their class
    two = _parametrized(ag, _sum_of_two)
    assert list(two.state_dict()) == list(_parametrized(torch, _sum_of_two).state_dict())


def test_assignment_goes_through_right_inverse():
    a, t = _parametrized(ag, _symmetric, _scale), _parametrized(torch, _symmetric, _scale)
    v = _x(3, 3)
    v = v + v.T
    original = a.parametrizations.weight.original
    a.weight = ag.tensor(v, dtype=ag.float32)
    t.weight = torch.tensor(v, dtype=torch.float32)
    assert a.parametrizations.weight.original is original  # the same Parameter, new values
    np.testing.assert_allclose(original._data, t.parametrizations.weight.original.detach().numpy(), rtol=1e-6)
    np.testing.assert_allclose(a.weight._data, v, rtol=1e-6)
    b = _parametrized(ag, _sum_of_two)
    b.weight = ag.ones(3, 3)
    np.testing.assert_allclose(b.parametrizations.weight.original0._data, 0.5)
    np.testing.assert_allclose(b.weight._data, 1.0)


def test_cached_computes_once():
    calls = []

    class Counting(nn.Module):
        def forward(self, x):
            calls.append(1)
            return x * 1.0

    m = nn.Linear(2, 2)
    P.register_parametrization(m, "weight", Counting())
    calls.clear()
    with P.cached():
        w1, w2 = m.weight, m.weight
        assert w1 is w2
    assert len(calls) == 1
    assert m.weight is not m.weight and len(calls) == 3


@pytest.mark.parametrize("leave", [True, False])
def test_remove_parametrizations(leave):
    a, t = _parametrized(ag, _symmetric, _scale), _parametrized(torch, _symmetric, _scale)
    a.load_state_dict({k: v.numpy() for k, v in t.state_dict().items()})
    original = a.parametrizations.weight.original
    P.remove_parametrizations(a, "weight", leave_parametrized=leave)
    TP.remove_parametrizations(t, "weight", leave_parametrized=leave)
    assert type(a) is nn.Linear and not hasattr(a, "parametrizations")
    assert a.weight is original and isinstance(a.weight, nn.Parameter)
    assert list(a.state_dict()) == list(t.state_dict()) == ["bias", "weight"]
    np.testing.assert_allclose(a.weight._data, t.weight.detach().numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        P.remove_parametrizations(a, "weight")
    b = _parametrized(ag, _sum_of_two)
    with pytest.raises(ValueError, match="Cannot leave unparametrized"):
        P.remove_parametrizations(b, "weight", leave_parametrized=False)
    P.remove_parametrizations(b, "weight")
    assert type(b) is nn.Linear and isinstance(b.weight, nn.Parameter)


def test_buffer_parametrization_and_deepcopy():
    m = nn.BatchNorm1d(3)
    P.register_parametrization(m, "running_var", _scale(ag, 3.0))
    assert "parametrizations.running_var.original" in m.state_dict()
    assert not isinstance(m.parametrizations.running_var.original, nn.Parameter)
    np.testing.assert_allclose(m.running_var._data, 1.0)
    c = copy.deepcopy(m)
    assert type(c).__name__ == "ParametrizedBatchNorm1d"
    assert c.parametrizations.running_var.original is not m.parametrizations.running_var.original
    np.testing.assert_allclose(c.running_var._data, 1.0)
    with pytest.raises((RuntimeError, TypeError)):
        pickle.dumps(m)


def test_errors():
    m = nn.Linear(3, 3)

    class Shrink(nn.Module):
        def forward(self, x):
            return x[:2]

    with pytest.raises(ValueError, match="may not change the shape"):
        P.register_parametrization(m, "weight", Shrink())
    assert type(m) is nn.Linear and isinstance(m.weight, nn.Parameter)
    P.register_parametrization(m, "weight", Shrink(), unsafe=True)
    assert tuple(m.weight.shape) == (2, 3)
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a parametrized element"):
        P.register_parametrization(nn.Linear(2, 2), "nope", Shrink())

    class Double(nn.Module):
        def forward(self, x):
            return x.double()

    with pytest.raises(ValueError, match="may not change the dtype"):
        P.register_parametrization(nn.Linear(2, 2), "weight", Double())
    s = _parametrized(ag, _symmetric)
    with pytest.raises(ValueError, match="may not change the shape"):
        P.register_parametrization(s, "weight", Shrink())

    class NoInverse(nn.Module):
        def forward(self, x):
            return x

    n = nn.Linear(2, 2)
    P.register_parametrization(n, "weight", NoInverse())
    with pytest.raises(RuntimeError, match="does not implement right_inverse"):
        n.weight = ag.zeros(2, 2)


# ---- weight_norm and spectral_norm ---------------------------------------------------------------------
@pytest.mark.parametrize("make, dim, shape", [
    (lambda lib: lib.nn.Linear(4, 3), 0, (5, 4)),
    (lambda lib: lib.nn.Linear(4, 3), 1, (5, 4)),
    (lambda lib: lib.nn.Linear(4, 3), None, (5, 4)),
    (lambda lib: lib.nn.Conv2d(2, 3, 3), 0, (2, 2, 5, 5)),
])
def test_weight_norm_parametrization_matches_torch(make, dim, shape):
    wn = nn.utils.parametrizations.weight_norm
    twn = torch.nn.utils.parametrizations.weight_norm
    check_module(lambda: wn(make(ag), dim=dim), lambda: twn(make(torch), dim=dim), _x(*shape), steps=2)
    a, t = wn(make(ag), dim=dim), twn(make(torch), dim=dim)
    assert list(a.state_dict()) == list(t.state_dict())
    assert repr(a) == repr(t)
    np.testing.assert_allclose(a.weight._data, a.parametrizations.weight.original1._data, rtol=1e-6)


@pytest.mark.parametrize("make, kwargs, shape", [
    (lambda lib: lib.nn.Linear(4, 3), {}, (5, 4)),
    (lambda lib: lib.nn.Linear(4, 6), {"n_power_iterations": 3}, (5, 4)),
    (lambda lib: lib.nn.Conv2d(2, 3, 3), {}, (2, 2, 5, 5)),
    (lambda lib: lib.nn.ConvTranspose2d(2, 3, 3), {}, (2, 2, 4, 4)),  # dim 1
    (lambda lib: lib.nn.Conv1d(2, 3, 3), {"dim": 1, "eps": 1e-6}, (2, 2, 6)),
])
@pytest.mark.parametrize("train", [True, False])
def test_spectral_norm_matches_torch(make, kwargs, shape, train):
    sn = nn.utils.parametrizations.spectral_norm
    tsn = torch.nn.utils.parametrizations.spectral_norm
    check_module(lambda: sn(make(ag), **kwargs), lambda: tsn(make(torch), **kwargs), _x(*shape), steps=2,
                 train=train)
    a, t = sn(make(ag), **kwargs), tsn(make(torch), **kwargs)
    assert list(a.state_dict()) == list(t.state_dict())
    assert repr(a) == repr(t)


def test_spectral_norm_sigma_is_close_to_the_top_singular_value():
    m = nn.utils.parametrizations.spectral_norm(nn.Linear(5, 4), n_power_iterations=5)
    m.weight  # noqa: B018 - a read runs the power iterations
    s = np.linalg.svd(m.parametrizations.weight.original._data, compute_uv=False)
    assert abs(np.linalg.svd(m.weight._data, compute_uv=False)[0] - 1) < 1e-3
    assert s[0] > 0


def test_spectral_norm_errors():
    sn = nn.utils.parametrizations.spectral_norm
    with pytest.raises(ValueError, match="has no parameter or buffer with name 'nope'"):
        sn(nn.Linear(2, 2), "nope")
    with pytest.raises(IndexError, match="Dimension out of range"):
        sn(nn.Linear(2, 2), dim=2)
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
        sn(nn.Linear(2, 2), n_power_iterations=0)


# ---- the legacy weight_norm -------------------------------------------------------------------------------
def _legacy(lib, make, dim):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return lib.nn.utils.weight_norm(make(lib), dim=dim)


@pytest.mark.parametrize("make, dim, shape", [
    (lambda lib: lib.nn.Linear(4, 3), 0, (5, 4)),
    (lambda lib: lib.nn.Linear(4, 3), None, (5, 4)),
    (lambda lib: lib.nn.Conv1d(2, 3, 3), 1, (2, 2, 6)),
])
def test_legacy_weight_norm_matches_torch(make, dim, shape):
    check_module(lambda: _legacy(ag, make, dim), lambda: _legacy(torch, make, dim), _x(*shape), steps=2)
    a, t = _legacy(ag, make, dim), _legacy(torch, make, dim)
    assert list(a.state_dict()) == list(t.state_dict())
    assert repr(a) == repr(t)


def test_legacy_weight_norm_warning_removal_and_errors():
    with pytest.warns(FutureWarning, match="`torch.nn.utils.weight_norm` is deprecated in favor of "
                                           "`torch.nn.utils.parametrizations.weight_norm`"):
        m = nn.utils.weight_norm(nn.Linear(3, 2))
    with pytest.raises(RuntimeError, match="Cannot register two weight_norm hooks on the same parameter weight"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            nn.utils.weight_norm(m)
    x = ag.randn(4, 3)
    y = m(x)
    nn.utils.remove_weight_norm(m)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        t = torch.nn.utils.remove_weight_norm(torch.nn.utils.weight_norm(torch.nn.Linear(3, 2)))
    assert isinstance(m.weight, nn.Parameter) and list(m.state_dict()) == list(t.state_dict()) == ["bias", "weight"]
    np.testing.assert_allclose(m(x)._data, y._data, rtol=1e-6)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in"):
        nn.utils.remove_weight_norm(m)


def test_module_paths():
    import autograd_lite.nn.utils.parametrizations as parametrizations
    assert parametrize is P and parametrizations.weight_norm is nn.utils.parametrizations.weight_norm
