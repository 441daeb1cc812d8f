"""autograd.Variable against PyTorch's: Variable(t) is a Tensor sharing t's memory and
version counter, detached, requiring grad as asked; isinstance(t, Variable) for every
tensor; the errors and the volatile warning."""
import numpy as np
import pytest
import torch
from torch.autograd import Variable as TorchVariable

import autograd_lite as ag
from autograd_lite.autograd import Variable


@pytest.mark.parametrize("lib, V", [(ag, Variable), (torch, TorchVariable)])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_variable_is_a_detached_alias(lib, V, dtype):
    t = lib.tensor([1.0, 2.0, 3.0], dtype=getattr(lib, dtype))
    v = V(t)
    assert type(v) is lib.Tensor and v is not t and isinstance(t, V) and isinstance(v, V)
    assert not v.requires_grad and v.grad_fn is None and v.is_leaf and v.dtype == t.dtype
    v.add_(1)  # shares memory and the version counter
    assert t.tolist() == [2.0, 3.0, 4.0] and t._version == v._version == 1
    x = lib.tensor([1.5, -2.0], dtype=getattr(lib, dtype), requires_grad=True)
    y = x * 3
    w = V(y, requires_grad=True)
    assert w.requires_grad and w.is_leaf and w.grad_fn is None and not V(y).requires_grad
    (w * w).sum().backward()
    assert x.grad is None
    np.testing.assert_array_equal(w.grad.numpy(), 2 * y.detach().numpy())
    assert w.grad.dtype == w.dtype
    p = lib.nn.Parameter(lib.ones(2, dtype=getattr(lib, dtype)))
    assert isinstance(p, V) and type(V(p)) is lib.Tensor and not issubclass(type(p), V)
    assert not isinstance(3.0, V) and not isinstance(np.ones(2), V)


@pytest.mark.parametrize("lib, V", [(ag, Variable), (torch, TorchVariable)])
def test_variable_defaults_and_errors(lib, V):
    empty = V()
    assert tuple(empty.shape) == (0,) and empty.dtype == lib.float32
    with pytest.raises(TypeError, match="Variable data has to be a tensor, but got list"):
        V([1, 2])
    with pytest.raises(RuntimeError, match="floating point"):
        V(lib.ones(2, dtype=lib.int64), requires_grad=True)
    with pytest.raises(TypeError, match="_grad_fn has to be a Function object or None, but got int"):
        V(lib.ones(2), False, False, 3)
    with pytest.warns(UserWarning, match="volatile was removed and now has no effect"):
        assert V(lib.ones(2), volatile=True).tolist() == [1.0, 1.0]
    assert V(lib.ones(2, dtype=lib.int64)).dtype == lib.int64


def test_exported_as_torch():
    assert ag.autograd.Variable is Variable
    assert "Variable" in ag.autograd.__all__
