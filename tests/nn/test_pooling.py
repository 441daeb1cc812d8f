"""Max, average and adaptive pooling beyond the op table's generic tests
(tests/ops/test_op_table.py: values, indices, gradients, gradcheck, gradgradcheck):
ties and NaN, indices that carry no gradient, argument errors."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.nn.functional as F
from autograd_lite.kernels import pool as pool_kernels
from helpers import compare, randn


def _fn(name, *args, **kw):
    return lambda lib, x: getattr(lib.nn.functional, name)(x, *args, **kw)


def test_max_pool_ties_and_nan_follow_torch():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 1, 1] = np.nan
    compare(_fn("max_pool2d", 2, return_indices=True), x, grad=False)
    compare(_fn("max_pool2d", 2, 1, return_indices=True), np.ones((1, 2, 3, 3)))
    y = randn(2, 2, 6, 6, seed=1)
    y[0, 1, 4, 2] = y[1, 0, 0, 0] = np.nan  # the dense kernel (3x3 windows) meets a NaN
    compare(_fn("max_pool2d", 3, return_indices=True), y, grad=False)


def test_max_pool_indices_are_torch_indices():
    x = randn(2, 3, 9, 7, seed=4)
    _, ia = F.max_pool2d(ag.tensor(x), 3, 2, 1, return_indices=True)
    _, it = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1, return_indices=True)
    assert ia.dtype == np.int64 and not ia.requires_grad
    np.testing.assert_array_equal(ia._data, it.numpy())


def test_pooling_errors_are_clear():
    x = ag.randn(1, 2, 4, 4)
    with pytest.raises(ValueError, match="max_pool2d: pad should be at most half"):
        F.max_pool2d(x, 2, padding=2)
    with pytest.raises(RuntimeError, match="max_pool2d: Given input size.*Output size is too small"):
        F.max_pool2d(x, 5)
    with pytest.raises(RuntimeError, match="max_pool2d: Expected 3D or 4D"):
        F.max_pool2d(ag.randn(4, 4), 2)
    with pytest.raises(ValueError, match="stride must be greater than zero"):
        F.avg_pool2d(x, 2, stride=0)
    with pytest.raises(ValueError, match="kernel_size"):
        F.avg_pool2d(x, (2, 2, 2))
    with pytest.raises(ValueError, match="divisor must be not zero"):
        F.avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(TypeError, match="float32, float64 or bfloat16"):
        F.max_pool2d(ag.ones(1, 2, 4, 4, dtype=ag.int64), 2)
    with pytest.raises(ValueError, match="adaptive_avg_pool2d: output_size"):
        F.adaptive_avg_pool2d(x, (0, 2))


def test_max_pool_backward_checks_only_indices_a_user_holds(monkeypatch):
    """Indices returned to the user may be changed in place, so the backward's scatter
    checks their range (a clean error, no write out of bounds); indices no one else
    holds skip that scan."""
    x = ag.tensor(randn(2, 3, 6, 6, seed=5), requires_grad=True)
    y, idx = F.max_pool2d(x, 2, return_indices=True)
    idx._data[0, 0, 0, 0] = 999  # past the 6 x 6 plane
    with pytest.raises(ValueError, match="indices out of range"):
        y.sum().backward()
    seen = []
    original = pool_kernels.max_pool2d_backward
    monkeypatch.setattr(pool_kernels, "max_pool2d_backward",
                        lambda *a, checked=False: seen.append(checked) or original(*a, checked=checked))
    for return_indices in (False, True):
        x.grad = None
        out = F.max_pool2d(x, 2, return_indices=return_indices)
        (out[0] if return_indices else out).sum().backward()
        assert x.grad.sum().item() == 2 * 3 * 3 * 3  # one gradient per window
    assert seen == [True, False]
