"""nn.RNN / LSTM / GRU with some parameters frozen, against PyTorch: the input weights
and the biases share one GEMM in backward (the bias as the weight of a column of ones),
so freezing either must leave the other's gradient right."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from helpers import torch_dtype
from nn_helpers import load_from_torch

TOL = {np.dtype("float64"): dict(rtol=1e-6, atol=1e-8), np.dtype("float32"): dict(rtol=1e-4, atol=1e-5)}
KINDS = ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"]


def _make(lib, kind):
    if kind.startswith("RNN"):
        return lib.RNN(3, 4, nonlinearity=kind[4:].lower(), bidirectional=True)
    return getattr(lib, kind)(3, 4, bidirectional=True)


def _close(a, t, what):
    tn = t.detach().numpy()
    assert a.shape == tuple(tn.shape) and a.dtype == tn.dtype, what
    np.testing.assert_allclose(a._data, tn, err_msg=what, **TOL[a.dtype])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("frozen", ["weight_ih", "bias", "bias_ih", "bias_hh", "weight"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_frozen_parameters_leave_the_other_gradients_right(kind, frozen, dtype):
    theirs = _make(torch.nn, kind).to(torch_dtype(dtype))
    ours = _make(nn, kind).to(dtype)
    load_from_torch(ours, theirs)
    for m in (ours, theirs):
        for name, p in m.named_parameters():
            if name.startswith(frozen):
                p.requires_grad_(False)
    x = np.random.default_rng(1).standard_normal((5, 2, 3)).astype(dtype)
    xa = ag.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    w = np.random.default_rng(4).standard_normal((5, 2, 8)).astype(dtype)
    (ours(xa)[0] * ag.tensor(w)).sum().backward()
    (theirs(xt)[0] * torch.tensor(w)).sum().backward()
    params_t = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        if name.startswith(frozen):
            assert p.grad is None and params_t[name].grad is None, name
        else:
            _close(p.grad, params_t[name].grad, f"grad of {name}")
    _close(xa.grad, xt.grad, "grad of the input")
