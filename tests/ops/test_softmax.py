"""softmax and log_softmax beyond the op table (autograd_lite/ops/table/softmaxes.py, run
by tests/ops/test_op_table.py): -inf entries, finite results far from the max, dim
errors, gradients inside larger graphs and second derivatives against PyTorch."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from helpers import compare, randn

X = randn(2, 3, 4, seed=3)
NAMES = ["softmax", "log_softmax"]


@pytest.mark.parametrize("name", NAMES)
def test_large_inputs_stay_finite(name):
    a = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1002.0, -1001.0], [1000.0, -1000.0, 0.0]])
    for dtype in (np.float32, np.float64):
        x = ag.tensor(a.astype(dtype), requires_grad=True)
        y = getattr(ag, name)(x, -1)
        assert np.all(np.isfinite(y._data))  # log_softmax 2000 below the max is finite, not -inf
        (y * ag.tensor(np.arange(9.0).reshape(3, 3).astype(dtype))).sum().backward()
        assert np.all(np.isfinite(x.grad._data))


@pytest.mark.parametrize("name", NAMES)
def test_neg_inf_entries(name):
    a = np.array([[-np.inf, 0.5, 1.0], [2.0, -np.inf, -np.inf]])
    with np.errstate(all="ignore"):
        compare(lambda lib, x: getattr(lib, name)(x, 1), a)


@pytest.mark.parametrize("name", NAMES)
def test_all_neg_inf_row_is_nan_like_torch(name):
    a = np.array([[-np.inf, -np.inf, -np.inf], [0.0, 1.0, 2.0]])
    with np.errstate(all="ignore"):
        compare(lambda lib, x: getattr(lib, name)(x, 1), a, grad=False)


@pytest.mark.parametrize("name", NAMES)
def test_dim_out_of_range(name):
    with pytest.raises(IndexError):
        getattr(torch, name)(torch.tensor(X), 3)
    with pytest.raises(IndexError, match=name):
        getattr(ag, name)(ag.tensor(X), 3)
    with pytest.raises(IndexError):
        getattr(ag, name)(ag.tensor(X), -4)


@pytest.mark.parametrize("name", NAMES)
def test_composed_with_other_ops(name):
    """Gradients through softmax inside a larger graph (reused input, broadcasting)."""
    w = randn(4, seed=9)
    compare(lambda lib, x, w: (getattr(lib, name)(x * w, -1) * x).sum(1), X, w)


def test_softmax_log_softmax_second_order_matches_torch():
    """Hessian-vector products through softmax and log_softmax, against torch."""
    a = randn(2, 3, seed=10)
    v = randn(2, 3, seed=11)
    c = randn(2, 3, seed=12)

    def hvp(lib):
        x = lib.tensor(a, requires_grad=True)
        y = (lib.softmax(x, 1) * lib.tensor(c)).sum() + (lib.log_softmax(x, 0) ** 2).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (h,) = lib.autograd.grad((g * lib.tensor(v)).sum(), x)
        return h.detach().numpy()

    np.testing.assert_allclose(hvp(ag), hvp(torch), rtol=1e-10, atol=1e-12)
