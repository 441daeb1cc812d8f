"""Fold and Unfold beyond the op table: the modules (repr, outputs, gradients), fold as
unfold's adjoint, a convolution written as unfold + matmul, PyTorch's errors, dtypes."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.nn.functional as F
from autograd_lite import nn
from helpers import compare, randn


@pytest.mark.parametrize("args,kw", [((2,), {}), ((3,), {"dilation": 2, "padding": 1, "stride": 3}),
                                     (((2, 3),), {"stride": (2, 1)})])
def test_unfold_module(args, kw):
    ours, theirs = nn.Unfold(*args, **kw), torch.nn.Unfold(*args, **kw)
    assert repr(ours) == repr(theirs) and ours.state_dict() == {}
    compare(lambda lib, x: (ours if lib is ag else theirs)(x), randn(2, 3, 7, 8, seed=1))


@pytest.mark.parametrize("args,kw,cols", [(((5, 6), 2), {}, (2, 12, 20)),
                                          ((4, 3), {"padding": 1, "stride": 2}, (27, 4)),
                                          (((5, 6), (2, 3)), {"dilation": 2, "padding": 1, "stride": (2, 1)},
                                           (1, 12, 12))])
def test_fold_module(args, kw, cols):
    ours, theirs = nn.Fold(*args, **kw), torch.nn.Fold(*args, **kw)
    assert repr(ours) == repr(theirs)
    compare(lambda lib, x: (ours if lib is ag else theirs)(x), randn(*cols, seed=2))


def test_fold_is_the_adjoint_of_unfold():
    """<unfold(x), c> == <x, fold(c)> for any x and c, to rounding."""
    x, c = randn(2, 3, 6, 7, seed=3), randn(2, 3 * 6, 4 * 3, seed=4)
    kw = dict(kernel_size=(3, 2), dilation=(1, 2), padding=1, stride=2)
    u = F.unfold(ag.tensor(x), **kw).numpy()
    f = F.fold(ag.tensor(c), (6, 7), **kw).numpy()
    assert u.shape == c.shape
    np.testing.assert_allclose((u * c).sum(), (x * f).sum(), rtol=1e-12)


def test_convolution_as_unfold_and_matmul():
    x, w = randn(2, 3, 6, 6, seed=5), randn(4, 3, 3, 3, seed=6)
    xt, wt = ag.tensor(x, requires_grad=True), ag.tensor(w, requires_grad=True)
    cols = F.unfold(xt, 3, padding=1)  # (N, C * 9, 36)
    y = (wt.reshape(4, -1) @ cols).reshape(2, 4, 6, 6)
    np.testing.assert_allclose(y.detach().numpy(), F.conv2d(ag.tensor(x), ag.tensor(w), padding=1).numpy(),
                               rtol=1e-12, atol=1e-12)
    (y * y).sum().backward()
    xr, wr = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    (torch.nn.functional.conv2d(xr, wr, padding=1) ** 2).sum().backward()
    np.testing.assert_allclose(xt.grad.numpy(), xr.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(wt.grad.numpy(), wr.grad.numpy(), rtol=1e-10)


def test_half_precision_goes_through_float32():
    x = randn(1, 2, 4, 4, seed=7).astype(np.float16)
    out = F.unfold(ag.tensor(x), 2)
    assert out.dtype == np.float16
    np.testing.assert_array_equal(out.numpy(), torch.nn.functional.unfold(torch.tensor(x), 2).numpy())
    back = F.fold(out, (4, 4), 2)
    assert back.dtype == np.float16


@pytest.mark.parametrize("call,exc,match", [
    (lambda: F.unfold(ag.randn(1, 2, 3, 5, 6), 2), RuntimeError, "3D or 4D"),
    (lambda: F.unfold(ag.randn(2, 0, 5, 6), 2), RuntimeError, "3D or 4D"),
    (lambda: F.unfold(ag.randn(2, 3, 2, 2), 3), RuntimeError, "must be at least one"),
    (lambda: F.unfold(ag.randn(2, 3, 5, 6), 0), RuntimeError, "kernel size should be greater than zero"),
    (lambda: F.unfold(ag.randn(2, 3, 5, 6), 2, stride=0), RuntimeError, "stride should be greater"),
    (lambda: F.unfold(ag.randn(2, 3, 5, 6), 2, padding=-1), RuntimeError, "non-negative"),
    (lambda: F.unfold(ag.randn(2, 3, 5, 6), 2, dilation=0), RuntimeError, "dilation should be greater"),
    (lambda: F.unfold(ag.ones((2, 3, 5, 6), dtype=ag.int64), 2), NotImplementedError, "int64"),
    (lambda: F.unfold(ag.randn(2, 3, 5, 6), (2, 2, 2)), ValueError, "kernel_size"),
    (lambda: F.fold(ag.randn(2, 12, 19), (5, 6), 2), RuntimeError, "sliding blocks 4 \\* 5 = 20"),
    (lambda: F.fold(ag.randn(2, 11, 20), (5, 6), 2), RuntimeError, "divisible by the product"),
    (lambda: F.fold(ag.randn(2, 3, 12, 20), (5, 6), 2), RuntimeError, "2D or 3D"),
    (lambda: F.fold(ag.randn(2, 12, 4), (1, 1), 2), RuntimeError, "must be at least one"),
])
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
