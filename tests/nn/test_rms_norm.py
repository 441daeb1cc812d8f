"""nn.RMSNorm and F.rms_norm against PyTorch: values, input and weight gradients in
float64 and float32, eps=None (the dtype's epsilon), parameters, state_dict, repr, errors."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.nn import functional as F
from nn_helpers import check_module


def _x(*shape, seed=0, scale=1.0):
    return np.random.default_rng(seed).standard_normal(shape) * scale


def _random_weight(lib, m):
    """Give the affine weight values other than ones, so its gradient matters."""
    with lib.no_grad():
        if m.weight is not None:
            m.weight.copy_(lib.tensor(np.linspace(-1.5, 2.0, m.weight.numel()).reshape(tuple(m.weight.shape))))
    return m


@pytest.mark.parametrize("args, kwargs, shape", [
    ((4,), {}, (3, 4)),
    (((3, 4),), {}, (2, 3, 4)),
    ([[4]], {"eps": 1e-2}, (2, 5, 4)),
    ((4,), {"elementwise_affine": False}, (2, 4)),
    ((5,), {"eps": 0.3}, (5,)),
    ((4,), {}, (0, 4)),  # an empty batch
])
def test_module_matches_torch(args, kwargs, shape):
    check_module(lambda: _random_weight(ag, nn.RMSNorm(*args, **kwargs)),
                 lambda: _random_weight(torch, torch.nn.RMSNorm(*args, **kwargs)), _x(*shape))


@pytest.mark.parametrize("dtype, tdtype", [(ag.float64, torch.float64), (ag.float32, torch.float32)])
def test_default_eps_is_the_dtype_epsilon(dtype, tdtype):
    # tiny inputs: mean(x^2) is of the order of eps, so the default eps shows in the values
    x = _x(2, 6, scale=1e-4)
    if dtype == ag.float64:
        x = x * 1e-4
    a = F.rms_norm(ag.tensor(x, dtype=dtype), (6,))
    t = torch.nn.functional.rms_norm(torch.tensor(x, dtype=tdtype), (6,))
    np.testing.assert_allclose(a._data, t.numpy(), rtol=1e-5 if dtype == ag.float32 else 1e-12)
    without = F.rms_norm(ag.tensor(x, dtype=dtype), (6,), eps=0.0)
    assert not np.allclose(without._data, a._data, rtol=1e-3)


def test_parameters_state_dict_and_repr():
    for args, kwargs in [((4,), {}), (((2, 3),), {"eps": 1e-5}), ((3,), {"elementwise_affine": False})]:
        a, t = nn.RMSNorm(*args, **kwargs), torch.nn.RMSNorm(*args, **kwargs)
        assert repr(a) == repr(t)
        assert list(a.state_dict()) == list(t.state_dict())
        assert [(n, tuple(p.shape)) for n, p in a.named_parameters()] == \
               [(n, tuple(p.shape)) for n, p in t.named_parameters()]
        assert a.normalized_shape == t.normalized_shape and a.eps == t.eps
        if a.weight is not None:
            np.testing.assert_array_equal(a.weight._data, t.weight.detach().numpy())
            assert a.weight.dtype == np.float32
        else:
            assert t.weight is None
    assert nn.RMSNorm(3, dtype=ag.float64).weight.dtype == np.float64


def test_int_normalized_shape_and_bfloat16():
    x = _x(2, 3, 4)
    a = F.rms_norm(ag.tensor(x), 4)
    t = torch.nn.functional.rms_norm(torch.tensor(x), (4,))
    np.testing.assert_allclose(a._data, t.numpy(), rtol=1e-12)
    m = nn.RMSNorm(4).to(ag.bfloat16)
    y = m(ag.tensor(x, dtype=ag.bfloat16))
    yt = torch.nn.RMSNorm(4).to(torch.bfloat16)(torch.tensor(x, dtype=torch.bfloat16))
    assert y.dtype == ag.bfloat16
    np.testing.assert_array_equal(y.float()._data, yt.float().detach().numpy())


def test_errors_name_the_function_and_problem():
    with pytest.raises(RuntimeError, match=r"rms_norm: Given normalized_shape=\[4\], expected input with shape "
                                           r"\[\*, 4\], but got input of size\[2, 3\]"):
        F.rms_norm(ag.zeros(2, 3), (4,))
    with pytest.raises(RuntimeError, match="rms_norm: Expected weight to be of same shape as normalized_shape"):
        F.rms_norm(ag.zeros(2, 4), (4,), ag.ones(3))
    with pytest.raises(RuntimeError, match="at least 1-dimensional"):
        F.rms_norm(ag.zeros(2, 4), ())
    with pytest.raises(RuntimeError, match="rms_norm: expected a floating point input"):
        F.rms_norm(ag.zeros(2, 4, dtype=ag.int64), (4,))
    with pytest.raises(RuntimeError, match="expected input with shape"):
        nn.RMSNorm(5)(ag.zeros(2, 4))


def test_second_derivatives():
    x = ag.tensor(_x(2, 4), requires_grad=True)
    w = ag.tensor(_x(4, seed=1), requires_grad=True)
    assert ag.autograd.gradcheck(lambda x, w: F.rms_norm(x, (4,), w, 1e-3), (x, w))
    assert ag.autograd.gradgradcheck(lambda x, w: F.rms_norm(x, (4,), w, 1e-3), (x, w))


def test_module_path():
    from autograd_lite.nn.modules.normalization import RMSNorm
    assert RMSNorm is nn.RMSNorm
