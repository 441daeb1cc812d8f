"""nn.DataParallel against PyTorch's on a machine without GPUs: it runs the module
(values and gradients as the module's, float64 and float32), keeps it as `.module`,
prefixes state_dict keys with `module.` (loading both ways), takes and ignores
device_ids / output_device / dim as PyTorch does, and is exported as nn.DataParallel."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn

DTYPES = [(ag.float64, torch.float64, 1e-12), (ag.float32, torch.float32, 1e-5)]


def _pair(ag_dtype, torch_dtype, **kw):
    torch.manual_seed(0)
    inner_t = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4), torch.nn.Tanh(),
                                  torch.nn.Linear(4, 2)).to(torch_dtype)
    inner_o = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 2)).to(ag_dtype)
    theirs, ours = torch.nn.DataParallel(inner_t, **kw), nn.DataParallel(inner_o, **kw)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


@pytest.mark.parametrize("kw", [{}, dict(device_ids=[0, 1], output_device=1, dim=1), dict(device_ids=[0])])
@pytest.mark.parametrize("ag_dtype, torch_dtype, tol", DTYPES)
def test_data_parallel_matches_torch(kw, ag_dtype, torch_dtype, tol):
    ours, theirs = _pair(ag_dtype, torch_dtype, **kw)
    assert ours.device_ids == theirs.device_ids == []
    for attr in ("dim", "output_device", "src_device_obj"):  # not set without devices, as PyTorch's
        assert hasattr(ours, attr) == hasattr(theirs, attr)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert all(k.startswith("module.") for k in ours.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(1).standard_normal((5, 3))
    for train in (True, False):
        ours.train(train)
        theirs.train(train)
        assert ours.module.training == train
        xo = ag.tensor(x, dtype=ag_dtype, requires_grad=True)
        xt = torch.tensor(x, dtype=torch_dtype, requires_grad=True)
        yo, yt = ours(xo), theirs(input=xt)
        assert yo.dtype == ag_dtype and tuple(yo.shape) == tuple(yt.shape)
        np.testing.assert_allclose(yo.detach().numpy(), yt.detach().numpy(), rtol=tol, atol=tol)
        if not train:  # (in training mode a second call would move the running statistics again)
            np.testing.assert_array_equal(yo.detach().numpy(), ours.module(xo).detach().numpy())
        yo.pow(2).sum().backward()
        yt.pow(2).sum().backward()
        np.testing.assert_allclose(xo.grad.numpy(), xt.grad.numpy(), rtol=tol, atol=tol)
        for (n, po), pt in zip(ours.named_parameters(), theirs.parameters()):
            np.testing.assert_allclose(po.grad.numpy(), pt.grad.numpy(), rtol=tol * 10, atol=tol * 10, err_msg=n)
        ours.zero_grad()
        theirs.zero_grad()
    # running statistics live in the wrapped module; state loads back into PyTorch
    fresh = torch.nn.DataParallel(torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4),
                                                      torch.nn.Tanh(), torch.nn.Linear(4, 2))).to(torch_dtype)
    fresh.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    for k, v in fresh.state_dict().items():
        np.testing.assert_allclose(v.numpy(), theirs.state_dict()[k].numpy(), rtol=tol, atol=tol, err_msg=k)


def test_data_parallel_exports_and_errors():
    assert nn.DataParallel is nn.parallel.DataParallel
    assert nn.parallel.DistributedDataParallel.__name__ == "DistributedDataParallel"
    inner = nn.Linear(2, 2)
    assert nn.DataParallel(inner).module is inner
    with pytest.raises(TypeError, match="DataParallel: expected an nn.Module, got int"):
        nn.DataParallel(3)
    # keyword arguments and several inputs pass through
    bil = nn.Bilinear(2, 3, 1)
    x1, x2 = ag.randn(4, 2), ag.randn(4, 3)
    np.testing.assert_array_equal(nn.DataParallel(bil)(x1, input2=x2).detach().numpy(), bil(x1, x2).detach().numpy())
