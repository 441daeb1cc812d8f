"""Max, average and adaptive pooling against PyTorch (values, indices, gradients;
float64 and float32), gradcheck and gradgradcheck, and argument errors."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.nn.functional as F
from helpers import compare, gradcheck, randn


def _fn(name, *args, **kw):
    return lambda lib, x: getattr(lib.nn.functional, name)(x, *args, **kw)


MAX2D = [
    ((2, 3, 7, 8), (2,), {}),
    ((2, 3, 7, 8), (3, 2, 1), dict(return_indices=True)),
    ((2, 3, 7, 8), ((3, 2), (2, 1), 1, 2, True), dict(return_indices=True)),  # dilation + ceil_mode
    ((2, 2, 9, 9), (3,), dict(stride=2, padding=1, ceil_mode=True, return_indices=True)),
    ((2, 2, 5, 6), (2,), dict(stride=2, ceil_mode=True)),
    ((3, 7, 8), (2,), dict(return_indices=True)),  # unbatched
]


@pytest.mark.parametrize("xs,args,kw", MAX2D, ids=[str(i) for i in range(len(MAX2D))])
def test_max_pool2d_matches_torch(xs, args, kw):
    compare(_fn("max_pool2d", *args, **kw), randn(*xs, seed=0))


MAX1D = [
    ((2, 3, 9), (3, 2, 1), dict(ceil_mode=True, return_indices=True)),
    ((2, 3, 10), (2,), {}),
    ((3, 11), (3,), dict(stride=2, dilation=2, return_indices=True)),
]


@pytest.mark.parametrize("xs,args,kw", MAX1D, ids=[str(i) for i in range(len(MAX1D))])
def test_max_pool1d_matches_torch(xs, args, kw):
    compare(_fn("max_pool1d", *args, **kw), randn(*xs, seed=0))


def test_max_pool_ties_and_nan_follow_torch():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 1, 1] = np.nan
    compare(_fn("max_pool2d", 2, return_indices=True), x, grad=False)
    compare(_fn("max_pool2d", 2, 1, return_indices=True), np.ones((1, 2, 3, 3)))


AVG2D = [
    ((2, 3, 7, 8), (2,), {}),
    ((2, 3, 7, 8), (3, 2, 1), {}),
    ((2, 3, 7, 8), (3, 2, 1), dict(count_include_pad=False)),
    ((2, 3, 7, 8), (3, 2, 1, True), {}),
    ((2, 3, 7, 8), (3, 2, 1, True, False), {}),
    ((2, 3, 7, 8), ((3, 2), None, (1, 1), False, True, 5), {}),
    ((3, 9, 6), ((2, 3), (2, 3)), dict(ceil_mode=True)),
]


@pytest.mark.parametrize("xs,args,kw", AVG2D, ids=[str(i) for i in range(len(AVG2D))])
def test_avg_pool2d_matches_torch(xs, args, kw):
    compare(_fn("avg_pool2d", *args, **kw), randn(*xs, seed=0))


@pytest.mark.parametrize("args,kw", [((3, 2, 1, True, False), {}), ((2,), {}), ((4, 3), dict(padding=2))])
def test_avg_pool1d_matches_torch(args, kw):
    compare(_fn("avg_pool1d", *args, **kw), randn(2, 3, 9, seed=0))


@pytest.mark.parametrize("xs,size", [((2, 3, 7, 9), (3, 4)), ((2, 3, 7, 9), 1), ((3, 5, 5), (None, 7)),
                                     ((1, 2, 4, 6), (4, 6)), ((2, 2, 3, 4), (5, 9))])
def test_adaptive_avg_pool2d_matches_torch(xs, size):
    compare(_fn("adaptive_avg_pool2d", size), randn(*xs, seed=0))


def test_adaptive_avg_pool1d_matches_torch():
    compare(_fn("adaptive_avg_pool1d", 4), randn(2, 3, 9, seed=0))


def test_pooling_gradcheck_and_gradgradcheck():
    x = randn(1, 2, 5, 6, seed=1)
    gradcheck(lambda t: F.max_pool2d(t, 2, 1, padding=1), x, second_order=True)
    gradcheck(lambda t: F.max_pool1d(t, 3, 2, ceil_mode=True), randn(2, 2, 8, seed=2), second_order=True)
    gradcheck(lambda t: F.avg_pool2d(t, 3, 2, 1, ceil_mode=True, count_include_pad=False), x, second_order=True)
    gradcheck(lambda t: F.avg_pool1d(t, 2), randn(2, 2, 7, seed=3), second_order=True)
    gradcheck(lambda t: F.adaptive_avg_pool2d(t, (3, 4)), x, second_order=True)


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
    with pytest.raises(TypeError, match="float32 or float64"):
        F.max_pool2d(ag.ones(1, 2, 4, 4, dtype=ag.int64), 2)
    with pytest.raises(ValueError, match="adaptive_avg_pool2d: output_size"):
        F.adaptive_avg_pool2d(x, (0, 2))
