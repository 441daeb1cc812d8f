"""nn.AdaptiveMaxPool1d/2d and F.adaptive_max_pool1d/2d against PyTorch: values,
indices (and their use by MaxUnpool), input gradients with ties and NaN (PyTorch's
rule: the first maximum of a window, the last NaN), shapes, dtypes, repr and errors."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.nn import functional as F
from nn_helpers import check_module


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


class _Values:
    """Wraps a pooling module that returns (values, indices) so check_module sees values."""

    def __init__(self, lib, module):
        class First(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.pool = module

            def forward(self, x):
                return self.pool(x)[0]
        self.module = First()


@pytest.mark.parametrize("make, shape", [
    (lambda lib: lib.nn.AdaptiveMaxPool2d(3), (2, 3, 7, 5)),
    (lambda lib: lib.nn.AdaptiveMaxPool2d((2, None)), (2, 2, 5, 6)),
    (lambda lib: lib.nn.AdaptiveMaxPool2d((4, 9)), (2, 2, 3, 4)),  # overlapping windows
    (lambda lib: lib.nn.AdaptiveMaxPool2d(1), (3, 5, 5)),  # unbatched
    (lambda lib: lib.nn.AdaptiveMaxPool1d(4), (2, 3, 9)),
    (lambda lib: lib.nn.AdaptiveMaxPool1d(5), (3, 3)),  # unbatched, overlapping
    (lambda lib: lib.nn.AdaptiveMaxPool2d(2), (0, 2, 4, 4)),  # an empty batch
    (lambda lib: lib.nn.AdaptiveMaxPool1d(2), (0, 2, 4)),
    (lambda lib: _Values(lib, lib.nn.AdaptiveMaxPool2d((2, 3), return_indices=True)).module, (2, 2, 5, 7)),
])
def test_modules_match_torch(make, shape):
    check_module(lambda: make(ag), lambda: make(torch), _x(*shape))


@pytest.mark.parametrize("fn, tfn, shape, size", [
    (F.adaptive_max_pool2d, torch.nn.functional.adaptive_max_pool2d, (2, 3, 7, 5), (3, 2)),
    (F.adaptive_max_pool2d, torch.nn.functional.adaptive_max_pool2d, (3, 4, 5), (None, 3)),
    (F.adaptive_max_pool1d, torch.nn.functional.adaptive_max_pool1d, (2, 3, 8), 3),
    (F.adaptive_max_pool1d, torch.nn.functional.adaptive_max_pool1d, (3, 8), 11),
])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_indices_values_and_dtypes(fn, tfn, shape, size, dtype):
    x = _x(*shape).astype(dtype)
    y, i = fn(ag.tensor(x), size, return_indices=True)
    yt, it = tfn(torch.tensor(x), size, return_indices=True)
    assert y.dtype == dtype and i.dtype == np.int64 and tuple(i.shape) == tuple(it.shape)
    np.testing.assert_array_equal(y._data, yt.numpy())
    np.testing.assert_array_equal(i._data, it.numpy())
    assert not i.requires_grad


def test_ties_and_nan_follow_torch():
    rows = np.array([[1.0, 3, 3, 2, 2, 1, 5, 5], [0, 0, 0, 0, 7, 7, 7, 7],
                     [np.nan, 1, np.nan, 2, 4, np.nan, 3, 3], [2, 2, 2, 2, 2, 2, 2, 2]])
    for size in (1, 2, 3, 5):
        x = ag.tensor(rows[None], requires_grad=True)
        xt = torch.tensor(rows[None], requires_grad=True)
        y, i = F.adaptive_max_pool1d(x, size, return_indices=True)
        yt, it = torch.nn.functional.adaptive_max_pool1d(xt, size, return_indices=True)
        np.testing.assert_array_equal(i._data, it.numpy())
        np.testing.assert_array_equal(y._data, yt.detach().numpy())
        w = np.arange(1.0, 1 + y.numel()).reshape(tuple(y.shape))
        (y * ag.tensor(w)).sum().backward()  # NaN values: the gradient is still w at the argmax
        (yt * torch.tensor(w)).sum().backward()
        np.testing.assert_array_equal(x.grad._data, xt.grad.numpy())
    x2 = np.zeros((1, 1, 4, 4))
    x2[0, 0, 1:3, 1:3] = 1.0
    y, i = F.adaptive_max_pool2d(ag.tensor(x2), (3, 3), return_indices=True)
    _, it = torch.nn.functional.adaptive_max_pool2d(torch.tensor(x2), (3, 3), return_indices=True)
    np.testing.assert_array_equal(i._data, it.numpy())


@pytest.mark.parametrize("shape, size, k, s, k1, s1", [((2, 3, 6, 4), (3, 2), 2, 2, 2, 1),
                                                       ((2, 2, 5, 5), (2, 2), 3, 2, 1, 2)])
def test_indices_feed_max_unpool_as_torch(shape, size, k, s, k1, s1):
    """Unpooling with a geometry whose default output size is the pooled input's."""
    x = _x(*shape)
    y, i = nn.AdaptiveMaxPool2d(size, return_indices=True)(ag.tensor(x))
    yt, it = torch.nn.AdaptiveMaxPool2d(size, return_indices=True)(torch.tensor(x))
    u = F.max_unpool2d(y, i, k, s, output_size=shape[-2:])
    ut = torch.nn.functional.max_unpool2d(yt, it, k, s, output_size=shape[-2:])
    np.testing.assert_array_equal(u._data, ut.numpy())
    y1, i1 = nn.AdaptiveMaxPool1d(3, return_indices=True)(ag.tensor(x[0]))
    yt1, it1 = torch.nn.AdaptiveMaxPool1d(3, return_indices=True)(torch.tensor(x[0]))
    u1 = F.max_unpool1d(y1, i1, k1, s1, output_size=(shape[-1],))
    ut1 = torch.nn.functional.max_unpool1d(yt1, it1, k1, s1, output_size=(shape[-1],))
    np.testing.assert_array_equal(u1._data, ut1.numpy())


def test_bfloat16():
    x = _x(2, 3, 5, 5)
    y = F.adaptive_max_pool2d(ag.tensor(x, dtype=ag.bfloat16), 3)
    yt = torch.nn.functional.adaptive_max_pool2d(torch.tensor(x, dtype=torch.bfloat16), 3)
    assert y.dtype == ag.bfloat16
    np.testing.assert_array_equal(y.float()._data, yt.float().numpy())


def test_second_derivatives():
    x = ag.tensor(_x(2, 2, 5, 4), requires_grad=True)
    assert ag.autograd.gradcheck(lambda x: F.adaptive_max_pool2d(x, (3, 3)), (x,))
    assert ag.autograd.gradgradcheck(lambda x: F.adaptive_max_pool2d(x, (3, 3)) ** 2, (x,))


def test_repr_and_attributes():
    for args in [(3,), ((2, None),), ((4, 5), True)]:
        assert repr(nn.AdaptiveMaxPool2d(*args)) == repr(torch.nn.AdaptiveMaxPool2d(*args))
    assert repr(nn.AdaptiveMaxPool1d(3, True)) == repr(torch.nn.AdaptiveMaxPool1d(3, True))
    m = nn.AdaptiveMaxPool2d(3)
    assert m.output_size == 3 and m.return_indices is False and list(m.state_dict()) == []
    from autograd_lite.nn.modules.pooling import AdaptiveMaxPool1d, AdaptiveMaxPool2d, _AdaptiveMaxPoolNd
    assert AdaptiveMaxPool2d is nn.AdaptiveMaxPool2d and AdaptiveMaxPool1d is nn.AdaptiveMaxPool1d
    assert isinstance(m, _AdaptiveMaxPoolNd)


def test_errors():
    with pytest.raises(ValueError, match="adaptive_max_pool2d: Expected 3D or 4D input"):
        F.adaptive_max_pool2d(ag.zeros(2, 3), 2)
    with pytest.raises(ValueError, match="adaptive_max_pool1d: Expected 2D or 3D input"):
        nn.AdaptiveMaxPool1d(2)(ag.zeros(2, 3, 4, 5))
    with pytest.raises(ValueError, match="adaptive_max_pool2d: output_size must be"):
        F.adaptive_max_pool2d(ag.zeros(2, 3, 4), (1, 2, 3))
    with pytest.raises(ValueError, match="adaptive_max_pool2d: output_size must be positive"):
        F.adaptive_max_pool2d(ag.zeros(2, 3, 4), 0)
    with pytest.raises(ValueError, match="adaptive_max_pool2d: Expected input with non-zero spatial"):
        F.adaptive_max_pool2d(ag.zeros(2, 3, 0), 2)
    with pytest.raises(TypeError, match="adaptive_max_pool2d: expected a float32, float64 or bfloat16"):
        F.adaptive_max_pool2d(ag.zeros(2, 3, 4, dtype=ag.int64), 2)
