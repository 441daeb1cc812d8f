"""Integer and bool tensors an op keeps for backward (indices, targets, masks) are
version-checked like every saved tensor: changing one in place between forward and
backward raises "modified by an in-place operation", as in PyTorch, instead of giving
a gradient scattered to the wrong places. (The op table's generic test changes every
integer and bool input of every entry; these are the issue's cases, side by side with
PyTorch, and the paths the table can't express.)"""
import pytest
import torch

import autograd_lite as ag
import autograd_lite.nn.functional as F

CASES = {
    "getitem": lambda lib, x, i: x[i],
    "getitem after an int": lambda lib, x, i: x[None, 1, i] if lib is ag else x[None, 1, i],
    "gather": lambda lib, x, i: lib.gather(x, 0, i[:, None].expand(4, 3)),
    "index_select": lambda lib, x, i: lib.index_select(x, 0, i),
    "take_along_dim": lambda lib, x, i: lib.take_along_dim(x, i),
    "scatter_add": lambda lib, x, i: lib.scatter_add(x, 0, i[:, None].expand(4, 3), x * 1),
    "index_add": lambda lib, x, i: lib.index_add(x, 0, i, x * 2),
    "embedding": lambda lib, x, i: _functional(lib).embedding(i, x),
    "cross_entropy": lambda lib, x, i: _functional(lib).cross_entropy(x, i),
    "nll_loss": lambda lib, x, i: _functional(lib).nll_loss(x, i),
}


def _functional(lib):
    return F if lib is ag else torch.nn.functional


def _run(lib, make, change):
    x = lib.tensor([[0.1, 0.2, 0.3], [1.0, -1.0, 2.0], [0.5, 0.25, -2.0], [3.0, 1.0, 0.0]],
                   requires_grad=True)
    i = lib.tensor([0, 1, 1, 2])
    y = make(lib, x, i)
    if change:
        with lib.no_grad():
            i.add_(1)
    (y * lib.arange(y.numel(), dtype=y.dtype).reshape(y.shape)).sum().backward()
    return x.grad


@pytest.mark.parametrize("name", list(CASES))
def test_changing_an_index_after_forward_raises_as_torch(name):
    make = CASES[name]
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        _run(torch, make, change=True)
    with pytest.raises(RuntimeError, match="modified by an in-place operation") as e:
        _run(ag, make, change=True)
    assert "int64 tensor" in str(e.value)
    # unchanged, the gradients agree with PyTorch's
    torch_grad = _run(torch, make, change=False)
    assert ag.allclose(_run(ag, make, change=False), ag.tensor(torch_grad.numpy()))


def test_a_changed_mask_is_caught_or_harmless():
    for op in ("masked_fill", "masked_select", "where"):
        x = ag.arange(6.0, requires_grad=True)
        m = ag.tensor([True, False, True, False, False, True])
        if op == "masked_fill":
            y = x.masked_fill(m, 0.0)
        elif op == "masked_select":
            y = x.masked_select(m)
        else:
            y = ag.where(m, x, -x)
        m.copy_(m.roll(1, 0))
        with pytest.raises(RuntimeError, match="modified by an in-place operation"):
            y.sum().backward()


def test_setitem_with_an_index_tensor_keeps_it():
    x = ag.zeros(5, 2, requires_grad=True)
    v = ag.ones(3, 2, requires_grad=True)
    i = ag.tensor([0, 2, 4])
    y = x * 1
    y[i] = v
    i.sub_(0)  # moves the version only: still caught, as PyTorch
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.sum().backward()


def test_the_second_derivative_checks_the_index_too():
    x = ag.tensor([1.0, 2.0, 3.0], requires_grad=True)
    i = ag.tensor([2, 0, 0])
    y = (x[i] ** 3).sum()
    (g,) = ag.autograd.grad(y, x, create_graph=True)
    i.mul_(1)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        g.sum().backward()


def test_a_list_or_array_index_still_works_and_a_change_after_backward_is_fine():
    x = ag.arange(4.0, requires_grad=True)
    x[[0, 0, 3]].sum().backward()
    assert x.grad.tolist() == [2.0, 0.0, 0.0, 1.0]
    i = ag.tensor([1, 1])
    y = x[i].sum()
    y.backward()
    i.add_(1)  # after backward: nothing left to check
    assert x.grad.tolist() == [2.0, 2.0, 0.0, 1.0]
