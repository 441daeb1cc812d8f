"""In-place changes of views and of bases with live views while gradients are
recorded (ops/view_inplace.py), against PyTorch: values, gradients, which tensors
require grad, versions, and the errors for what can't be followed."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from tests.helpers import assert_same


def _x(lib, dtype, shape=(3, 4)):
    data = np.arange(np.prod(shape), dtype=dtype).reshape(shape) / 7 + 0.5
    return lib.tensor(data, requires_grad=True)


def _iadd_row(lib, x):
    y = x * 2
    y[1] += 5
    return y


def _imul_column_by_tensor(lib, x):
    y = x * 2
    y[:, 0] *= x[:, 1]
    return y


def _copy_into_slice_of_a_buffer(lib, x):
    buf = lib.zeros(3, 6, dtype=x.dtype)
    buf[:, :4].copy_(x * x)
    buf[:, 4:] = x[:, :2].sin()
    return buf


def _transposed_view(lib, x):
    y = x * 2
    y.t().mul_(x.t())
    return y


def _flat_view(lib, x):
    y = x * 2
    y.view(-1).add_(x.reshape(-1).cos())
    return y


def _base_changed_with_a_live_view(lib, x):
    y = x * 2
    w = y[0]
    y.add_(x)
    return y.sum() + (w * lib.arange(4, dtype=x.dtype)).sum()


def _overlapping_views_follow(lib, x):
    y = x * 2
    a, b = y[0], y[:, 1]
    a.mul_(x[0])
    return (b * 3).sum() + (a ** 2).sum() + y.sum()


def _setitem_with_a_live_view(lib, x):
    y = x * 2
    z = y[0]
    y[1:, 1:] = x[:2, :3] * 5
    return y.sum() + z.sum()


def _nested_views(lib, x):
    y = x * 2
    v = y[1:]
    u = v[:, 1:]
    u.add_(1).mul_(x[1:, 1:])
    return (y * y).sum() + v.sum()


def _narrow_clamp(lib, x):
    y = x * 3
    y.narrow(1, 1, 2).clamp_(max=4.0)
    return y


def _one_view_reads_another(lib, x):
    y = x * 2
    y[0] += 1
    y[1] *= y[0].clone()  # without the clone the saved y[0] changes: both libraries raise
    return y


def _buffer_without_grad_takes_one(lib, x):
    buf = lib.ones(3, 4, dtype=x.dtype)
    buf[1] += x[0]
    return buf


def _diagonal_zeroed(lib, x):
    y = x[:3, :3] * 2
    y.diagonal().zero_()
    return y


CASES = {f.__name__[1:]: f for f in (
    _iadd_row, _imul_column_by_tensor, _copy_into_slice_of_a_buffer, _transposed_view, _flat_view,
    _base_changed_with_a_live_view, _overlapping_views_follow, _setitem_with_a_live_view, _nested_views,
    _narrow_clamp, _one_view_reads_another, _buffer_without_grad_takes_one, _diagonal_zeroed)}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(CASES))
def test_in_place_through_views_as_torch(name, dtype):
    fn = CASES[name]
    results = []
    for lib in (ag, torch):
        x = _x(lib, dtype)
        out = fn(lib, x)
        weights = lib.tensor(np.linspace(-1, 2, out.numel()).reshape(tuple(out.shape)).astype(dtype))
        (out * weights).sum().backward()
        results.append((out.detach(), out.requires_grad, x.grad))
    (out_a, req_a, grad_a), (out_t, req_t, grad_t) = results
    assert_same(out_a, out_t)
    assert req_a == req_t
    assert_same(grad_a, grad_t)


@pytest.mark.parametrize("name", ["iadd_row", "imul_column_by_tensor", "base_changed_with_a_live_view",
                                  "overlapping_views_follow", "nested_views", "one_view_reads_another"])
def test_in_place_through_views_gradcheck_and_gradgradcheck(name):
    fn = CASES[name]

    def f(x):
        return fn(ag, x * 1)

    x = _x(ag, np.float64)
    assert ag.autograd.gradcheck(f, (x,))
    assert ag.autograd.gradgradcheck(f, (x,))


def test_a_saved_tensor_changed_through_a_view_is_caught_as_torch():
    for lib in (ag, torch):
        x = _x(lib, np.float64)
        y = x * 2
        z = y * y  # saves y
        y[0] += 1
        with pytest.raises(RuntimeError, match="(?i)in-?place"):
            z.sum().backward()


def test_a_view_saved_by_an_in_place_op_on_its_base_is_caught_as_torch():
    for lib in (ag, torch):
        x = _x(lib, np.float64)
        y = x * 2
        y[1] *= y[0]
        with pytest.raises(RuntimeError, match="(?i)modified by an in-?place"):
            y.sum().backward()


def test_a_view_of_a_leaf_that_requires_grad_cant_change_as_torch():
    for lib in (ag, torch):
        x = _x(lib, np.float64)
        with pytest.raises(RuntimeError, match="leaf"):
            x[0].add_(1)


def test_what_cant_be_followed_raises_clearly():
    x = _x(ag, np.float64)
    y = x * 2
    e = y[0].expand(3, 4)  # overlapping elements: PyTorch follows it, we don't
    with pytest.raises(RuntimeError, match="can't be followed"):
        y.add_(1)
    assert e.shape == (3, 4)


def test_unrecorded_writes_through_views_are_unchanged():
    x = _x(ag, np.float64)
    with ag.no_grad():
        y = x * 2
        v = y[0]
        v.add_(1)
    np.testing.assert_array_equal(y.numpy()[0], (x.detach() * 2 + 1).numpy()[0])
    assert y.grad_fn is None and not y.requires_grad
