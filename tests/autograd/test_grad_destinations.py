"""Gradient destinations (autograd/destinations.py): an op writes a leaf's gradient
straight into memory its owner provided (DDP's bucket slots), the leaf takes that
array as its .grad without a copy, and nothing changes where that would be wrong."""
import numpy as np
import pytest

import autograd_lite as ag
import autograd_lite.nn.functional as F
from autograd_lite.extend import clear_grad_destination, set_grad_destination


def _setup(dtype=np.float64, bias=True):
    rng = np.random.default_rng(0)
    x = ag.tensor(rng.standard_normal((5, 4)).astype(dtype))
    w = ag.tensor(rng.standard_normal((3, 4)).astype(dtype), requires_grad=True)
    b = ag.tensor(rng.standard_normal(3).astype(dtype), requires_grad=True) if bias else None
    return x, w, b


def _reference(x, w, b):
    wr = ag.tensor(w.detach().numpy().copy(), requires_grad=True)
    F.linear(x, wr, b).pow(2).sum().backward()
    return wr.grad.numpy()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_linear_writes_its_weight_gradient_into_the_destination(dtype):
    x, w, b = _setup(dtype)
    slot = np.full(w.shape, np.nan, dtype)
    asked = []
    set_grad_destination(w, lambda: asked.append(1) or slot)
    F.linear(x, w, b).pow(2).sum().backward()
    assert asked == [1]
    assert w.grad.numpy() is slot  # taken without a copy
    np.testing.assert_allclose(slot, _reference(x, w, b), rtol=1e-6 if dtype == np.float32 else 1e-12)
    w.grad = None  # a registration serves one backward
    F.linear(x, w, b).pow(2).sum().backward()
    assert w.grad.numpy() is not slot and asked == [1]


def test_a_leaf_with_a_gradient_accumulates_as_before():
    x, w, b = _setup()
    F.linear(x, w, b).pow(2).sum().backward()
    first = w.grad.numpy().copy()
    slot = np.zeros(w.shape)
    set_grad_destination(w, lambda: slot)
    F.linear(x, w, b).pow(2).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * first, rtol=1e-12)
    assert not slot.any()
    clear_grad_destination(w)


def test_not_for_autograd_grad_hooks_or_wrong_arrays():
    x, w, b = _setup()
    slot = np.zeros(w.shape)
    set_grad_destination(w, lambda: slot)
    g, = ag.autograd.grad(F.linear(x, w, b).pow(2).sum(), w)  # returned to the caller: its own memory
    assert not np.shares_memory(g.numpy(), slot) and not slot.any()
    w.register_hook(lambda grad: grad * 1)
    F.linear(x, w, b).pow(2).sum().backward()
    assert not slot.any()
    clear_grad_destination(w)
    x, w, b = _setup()
    for wrong in (np.zeros((4, 3)), np.zeros(w.shape, np.float32), np.zeros((3, 8))[:, ::2], None):
        set_grad_destination(w, lambda wrong=wrong: wrong)
        F.linear(x, w, b).pow(2).sum().backward()
        assert wrong is None or not wrong.any()
        np.testing.assert_allclose(w.grad.numpy(), _reference(x, w, b), rtol=1e-12)
        w.grad = None


def test_a_second_gradient_for_the_leaf_sums_into_new_memory():
    x, w, b = _setup()
    slot = np.zeros(w.shape)
    set_grad_destination(w, lambda: slot)
    (F.linear(x, w, b).pow(2).sum() + (w * 3).sum()).backward()
    assert w.grad.numpy() is not slot
    np.testing.assert_allclose(w.grad.numpy(), _reference(x, w, b) + 3, rtol=1e-12)


def test_an_error_in_backward_leaves_nothing_behind():
    """Linear runs (and writes the slot), then an op before it raises: the slot was
    not taken, and what was given is forgotten (a reused id can't be taken later)."""
    from autograd_lite.autograd import destinations

    x, w, b = _setup()
    xin = ag.tensor(x.detach().numpy(), requires_grad=True)
    c = ag.ones(5, 4, dtype=ag.float64, requires_grad=True) * 1
    x2 = xin * c  # saves c
    c.mul_(2)  # ...which then changes: this node's backward raises
    slot = np.zeros(w.shape)
    set_grad_destination(w, lambda: slot)
    with pytest.raises(RuntimeError, match="in-place"):
        F.linear(x2, w, b).pow(2).sum().backward()
    assert slot.any() and w.grad is None  # written, never taken
    assert not destinations._given and not destinations._active[0]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("relu", [False, True], ids=["conv", "conv_relu"])
def test_conv2d_writes_its_weight_gradient_into_the_destination(dtype, relu):
    rng = np.random.default_rng(1)
    x = ag.tensor(rng.standard_normal((3, 2, 7, 7)).astype(dtype))
    conv = ag.nn.Conv2d(2, 4, 3, padding=1).to(dtype)
    model = ag.nn.Sequential(conv, ag.nn.ReLU()) if relu else conv  # Sequential fuses the ReLU
    ref = ag.nn.Conv2d(2, 4, 3, padding=1).to(dtype)
    ref.load_state_dict(conv.state_dict())
    (ag.nn.Sequential(ref, ag.nn.ReLU()) if relu else ref)(x).pow(2).sum().backward()
    slot = np.full(conv.weight.shape, np.nan, dtype)
    set_grad_destination(conv.weight, lambda: slot)
    model(x).pow(2).sum().backward()
    assert conv.weight.grad.numpy() is slot
    np.testing.assert_array_equal(slot, ref.weight.grad.numpy())  # the same sums, in the slot
    np.testing.assert_array_equal(conv.bias.grad.numpy(), ref.bias.grad.numpy())
