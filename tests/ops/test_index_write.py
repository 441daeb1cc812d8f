"""scatter_reduce, index_fill, index_copy, masked_scatter, put, fill_diagonal_ and the
`*_scatter` ops beyond the op table's generic tests: amax/amin ties (PyTorch splits the
gradient evenly, counting the input's own value even with include_self=False), src
larger than index, integer means, fill_diagonal_'s gradient and wrap, the in-place
variants through views, and the errors."""
import numpy as np
import pytest
import torch

import autograd_lite as ag


def _pair(values, dtype="float64", grad=True):
    a = np.asarray(values, dtype)
    x = ag.tensor(a.copy(), requires_grad=grad)
    t = torch.tensor(a.copy(), requires_grad=grad)
    return x, t


def _grads_match(fn_ag, fn_t, inputs_ag, inputs_t, weight):
    out_a, out_t = fn_ag(*inputs_ag), fn_t(*inputs_t)
    np.testing.assert_allclose(out_a.detach().numpy(), out_t.detach().numpy(), rtol=1e-12)
    (out_a * ag.tensor(weight)).sum().backward()
    (out_t * torch.tensor(weight)).sum().backward()
    for a, t in zip(inputs_ag, inputs_t):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("reduce", ["amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_ties_share_the_gradient_as_pytorch(reduce, include_self):
    x_v = [[1.0, 2.0, 2.0, 0.0], [2.0, 1.0, 1.0, 2.0]]
    s_v = [[2.0, 2.0, 1.0, 2.0], [1.0, 2.0, 2.0, 1.0]]
    idx = [[0, 1, 1, 1], [2, 2, 3, 2]]  # three-way and two-way ties, with and without the input
    x, xt = _pair(x_v)
    s, st = _pair(s_v)
    w = np.arange(1.0, 9.0).reshape(2, 4)
    _grads_match(lambda a, b: ag.scatter_reduce(a, 1, ag.tensor(idx), b, reduce, include_self=include_self),
                 lambda a, b: torch.scatter_reduce(a, 1, torch.tensor(idx), b, reduce,
                                                   include_self=include_self),
                 [x, s], [xt, st], w)


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
def test_src_larger_than_index_values_match(reduce):
    rng = np.random.default_rng(0)
    x_v, s_v = rng.standard_normal((3, 4)), rng.standard_normal((3, 5))
    idx = rng.integers(0, 4, (2, 3))
    out = ag.scatter_reduce(ag.tensor(x_v), 1, ag.tensor(idx), ag.tensor(s_v), reduce)
    ref = torch.scatter_reduce(torch.tensor(x_v), 1, torch.tensor(idx), torch.tensor(s_v), reduce)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-12)


def test_integer_mean_rounds_down_as_pytorch():
    x = np.array([-1, 2, 3, 4, 7])
    s = np.array([-6, -6, 1, 7, -2, 5])
    idx = np.array([0, 0, 1, 3, 4, 4])
    for include_self in (True, False):
        out = ag.scatter_reduce(ag.tensor(x), 0, ag.tensor(idx), ag.tensor(s), "mean",
                                include_self=include_self)
        ref = torch.tensor(x).scatter_reduce(0, torch.tensor(idx), torch.tensor(s), "mean",
                                             include_self=include_self)
        np.testing.assert_array_equal(out.numpy(), ref.numpy())


def test_scatter_reduce_in_place_through_a_view_records_the_gradient():
    base, base_t = _pair(np.arange(12.0).reshape(3, 4) / 7)
    s, st = _pair([[0.5, 9.0], [1.5, -2.0]])
    idx = [[0, 0], [3, 1]]
    ya, yt = base * 1, base_t * 1
    ya[1:].scatter_reduce_(1, ag.tensor(idx), s, "amax", include_self=True)
    yt[1:].scatter_reduce_(1, torch.tensor(idx), st, "amax", include_self=True)
    np.testing.assert_allclose(ya.detach().numpy(), yt.detach().numpy())
    w = np.arange(12.0).reshape(3, 4)
    (ya * ag.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(base.grad.numpy(), base_t.grad.numpy())
    np.testing.assert_allclose(s.grad.numpy(), st.grad.numpy())


def test_scatter_reduce_errors():
    x = ag.zeros(3, 4)
    idx = ag.tensor([[0, 1]])
    with pytest.raises(RuntimeError, match="reduce argument must be one of"):
        ag.scatter_reduce(x, 1, idx, ag.ones(1, 2), "max")
    with pytest.raises(RuntimeError, match="float64"):
        ag.scatter_reduce(x, 1, idx, ag.ones(1, 2, dtype=ag.float64), "sum")
    with pytest.raises(IndexError, match="out of bounds"):
        ag.scatter_reduce(x, 1, ag.tensor([[0, 4]]), ag.ones(1, 2), "sum")
    with pytest.raises(TypeError, match="src must be a Tensor"):
        ag.scatter_reduce(x, 1, idx, 1.0, "sum")


def test_fill_diagonal_wrap_and_gradient_match_pytorch():
    for shape, wrap in (((7, 3), True), ((7, 3), False), ((3, 5), True), ((4, 4, 4), False)):
        x, xt = _pair(np.random.default_rng(1).standard_normal(shape))
        ya, yt = x * 1, xt * 1
        ya.fill_diagonal_(2.5, wrap=wrap)
        yt.fill_diagonal_(2.5, wrap=wrap)
        np.testing.assert_array_equal(ya.detach().numpy(), yt.detach().numpy())
        w = np.random.default_rng(2).standard_normal(shape)
        (ya * ag.tensor(w)).sum().backward()
        (yt * torch.tensor(w)).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), xt.grad.numpy())


def test_fill_diagonal_errors():
    with pytest.raises(RuntimeError, match="equal length"):
        ag.zeros(2, 3, 4).fill_diagonal_(1.0)
    with pytest.raises(RuntimeError, match="larger than 1"):
        ag.zeros(3).fill_diagonal_(1.0)
    with pytest.raises(RuntimeError, match="leaf"):
        ag.zeros(3, 3, requires_grad=True).fill_diagonal_(1.0)


def test_index_fill_value_tensor_gets_the_gradient_of_each_filled_position_once():
    x, xt = _pair(np.ones((3, 4)))
    v, vt = _pair(2.0)
    _grads_match(lambda a, b: a.index_fill(1, ag.tensor([0, 2, 2]), b),
                 lambda a, b: a.index_fill(1, torch.tensor([0, 2, 2]), b),
                 [x, v], [xt, vt], np.arange(12.0).reshape(3, 4))


def test_index_ops_errors():
    x = ag.zeros(3, 4)
    with pytest.raises(IndexError, match="index 4 is out of range for dim 1"):
        x.index_fill(1, ag.tensor([4]), 1.0)
    with pytest.raises(IndexError, match="0-D or 1-D"):
        x.index_fill(1, ag.tensor([[0]]), 1.0)
    with pytest.raises(RuntimeError, match="0-dimensional value"):
        x.index_fill(1, ag.tensor([0]), ag.ones(2))
    with pytest.raises(ag.ShapeError, match="source of shape"):
        x.index_copy(1, ag.tensor([0, 1]), ag.zeros(3, 3))
    with pytest.raises(IndexError, match="index -1 is out of range"):
        x.index_copy(1, ag.tensor([-1]), ag.zeros(3, 1))  # PyTorch's index_copy refuses them too
    with pytest.raises(RuntimeError, match="same scalar type"):
        x.index_copy(1, ag.tensor([0]), ag.zeros(3, 1, dtype=ag.float64))
    with pytest.raises(RuntimeError, match="at least 9 elements"):
        x.masked_scatter(ag.tensor([True, True, True, False]).expand(1, 4), ag.zeros(2))
    with pytest.raises(TypeError, match="bool"):
        x.masked_scatter(ag.ones(3, 4), ag.zeros(12))
    with pytest.raises(IndexError, match="out of range"):
        x.put(ag.tensor([12]), ag.zeros(1))
    with pytest.raises(RuntimeError, match="same number of elements"):
        x.put(ag.tensor([1, 2]), ag.zeros(3))
    with pytest.raises(RuntimeError, match="long"):
        x.put(ag.tensor([1], dtype=ag.int32), ag.zeros(1))


def test_put_accumulates_repeated_indices_in_place():
    x, xt = ag.zeros(2, 3), torch.zeros(2, 3)
    idx = [0, 0, -1, 5]
    x.put_(ag.tensor(idx), ag.tensor([1.0, 2.0, 3.0, 4.0]), accumulate=True)
    xt.put_(torch.tensor(idx), torch.tensor([1.0, 2.0, 3.0, 4.0]), accumulate=True)
    np.testing.assert_array_equal(x.numpy(), xt.numpy())


def test_scatter_ops_shape_errors_name_the_slice():
    x = ag.zeros(3, 4)
    with pytest.raises(ag.ShapeError, match=r"slice of shape \(3,\)"):
        ag.diagonal_scatter(x, ag.zeros(4))
    with pytest.raises(ag.ShapeError, match=r"slice of shape \(3,\)"):
        ag.select_scatter(x, ag.zeros(4), 1, 0)
    with pytest.raises(IndexError, match="out of range"):
        ag.select_scatter(x, ag.zeros(4), 0, 3)
    with pytest.raises(RuntimeError, match="step must be positive"):
        ag.slice_scatter(x, ag.zeros(3, 2), 1, 0, 4, 0)
    with pytest.raises(RuntimeError, match="dtype"):
        ag.slice_scatter(x, ag.zeros(3, 2, dtype=ag.float64), 1, 0, 2)
    with pytest.raises(RuntimeError, match="identical"):
        ag.diagonal_scatter(x, ag.zeros(3), 0, 1, 1)
