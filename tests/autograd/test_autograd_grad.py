"""autograd.grad (grad_outputs, allow_unused, non-leaf inputs, higher order:
Hessian-vector products, gradient penalties, third derivatives) and
backward(inputs=...), against PyTorch."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from tests.helpers import assert_same


def _pair(arr, requires_grad=True):
    """The same data as an autograd_lite tensor and a torch tensor."""
    arr = np.asarray(arr)
    return (ag.tensor(arr, requires_grad=requires_grad),
            torch.tensor(arr, requires_grad=requires_grad))


# ---- autograd.grad -------------------------------------------------------------------------
def test_grad_returns_gradients_and_leaves_dot_grad_alone(rng):
    a, b = rng.standard_normal(3), rng.standard_normal(3)
    x, xt = _pair(a)
    y, yt = _pair(b)
    gx, gy = ag.autograd.grad((x * y * y).sum(), [x, y])
    gxt, gyt = torch.autograd.grad((xt * yt * yt).sum(), [xt, yt])
    assert_same(gx, gxt)
    assert_same(gy, gyt)
    assert x.grad is None and y.grad is None
    assert not gx.requires_grad


def test_grad_single_tensor_input_gives_tuple():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    out = ag.autograd.grad((x * x).sum(), x)
    assert isinstance(out, tuple) and len(out) == 1
    np.testing.assert_array_equal(out[0]._data, [2.0, 4.0])


def test_grad_with_grad_outputs(rng):
    a, v = rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    x, xt = _pair(a)
    (g,) = ag.autograd.grad(ag.tanh(x) * x, x, grad_outputs=ag.tensor(v))
    (gt,) = torch.autograd.grad(torch.tanh(xt) * xt, xt, grad_outputs=torch.tensor(v))
    assert_same(g, gt)


def test_grad_with_respect_to_non_leaf(rng):
    a = rng.standard_normal(3)
    x, xt = _pair(a)
    res = []
    for lib, t in ((ag, x), (torch, xt)):
        h = lib.exp(t)
        res.append(lib.autograd.grad((h * h).sum(), h)[0])
    assert_same(*res)


def test_grad_of_a_tensor_with_respect_to_itself():
    res = {}
    for lib in (ag, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        res[lib] = (lib.autograd.grad(y, y, lib.tensor([1.0, 5.0]))[0].tolist(),
                    lib.autograd.grad(x, x, lib.tensor([2.0, 5.0]))[0].tolist())
    assert res[ag] == res[torch] == ([1.0, 5.0], [2.0, 5.0])


def test_several_roots_from_one_multi_output_node():
    res = []
    for lib in (ag, torch):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        a, b = x.unbind(0)
        lib.autograd.backward([a, b], [lib.tensor([1.0, 1.0]), lib.tensor([2.0, 3.0])])
        res.append(x.grad)
    assert_same(*res)
    x = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    x.unbind(0)[1].sum().backward()  # the unused output gets zeros
    np.testing.assert_array_equal(x.grad._data, [[0.0, 0.0], [1.0, 1.0]])


def test_grad_allow_unused():
    x = ag.tensor([1.0], requires_grad=True)
    u = ag.tensor([2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused"):
        ag.autograd.grad((x * 2.0).sum(), [x, u])
    gx, gu = ag.autograd.grad((x * 2.0).sum(), [x, u], allow_unused=True)
    assert gu is None
    np.testing.assert_array_equal(gx._data, [2.0])
    xt = torch.tensor([1.0], requires_grad=True)
    ut = torch.tensor([2.0], requires_grad=True)
    assert torch.autograd.grad((xt * 2.0).sum(), [xt, ut], allow_unused=True)[1] is None
    _, gu = ag.autograd.grad((x * 2.0).sum(), [x, u], materialize_grads=True)
    np.testing.assert_array_equal(gu._data, [0.0])


def test_grad_input_not_requiring_grad_raises():
    x = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        ag.autograd.grad((x * 2.0).sum(), ag.tensor([1.0]))


def test_grad_of_non_scalar_without_grad_outputs_raises():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"\(2,\)"):
        ag.autograd.grad(x * 2.0, x)


def test_hessian_vector_product(rng):
    a, v = rng.standard_normal(4), rng.standard_normal(4)
    x, xt = _pair(a)
    res = []
    for lib, t in ((ag, x), (torch, xt)):
        y = (lib.sin(t) * t * t).sum() + (t.sum()) ** 3
        (g,) = lib.autograd.grad(y, t, create_graph=True)
        assert g.requires_grad
        (hv,) = lib.autograd.grad((g * lib.tensor(v)).sum(), t)
        res.append(hv)
    assert_same(*res)


def test_full_hessian_matches_torch(rng):
    a = rng.standard_normal(3)
    x, xt = _pair(a)
    hs = []
    for lib, t in ((ag, x), (torch, xt)):
        (g,) = lib.autograd.grad((lib.exp(t) * t.sum()).sum(), t, create_graph=True)
        rows = [lib.autograd.grad(g[i], t, retain_graph=True)[0] for i in range(3)]
        hs.append(lib.stack(rows))
    assert_same(*hs)


def test_gradient_penalty(rng):
    xa, wa, ba = rng.standard_normal((5, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    res = []
    for lib in (ag, torch):
        x = lib.tensor(xa, requires_grad=True)
        w = lib.tensor(wa, requires_grad=True)
        b = lib.tensor(ba, requires_grad=True)
        out = lib.tanh(x @ w + b).sum(1) ** 2
        (gx,) = lib.autograd.grad(out.sum(), x, create_graph=True)
        penalty = ((gx.norm(2, dim=1) - 1) ** 2).mean()
        loss = out.mean() + 10 * penalty
        loss.backward()
        res.append((loss, x.grad, w.grad, b.grad))
    for a, t in zip(*res):
        assert_same(a, t)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_backward_create_graph_then_grad_of_grad():
    x, xt = _pair([0.3, -1.2])
    res = []
    for lib, t in ((ag, x), (torch, xt)):
        (t ** 3).sum().backward(create_graph=True)
        g = t.grad
        assert g.requires_grad
        (g2,) = lib.autograd.grad(g.sum(), t)
        res.append(g2)
    assert_same(*res)
    np.testing.assert_allclose(res[0]._data, 6 * x._data)


@pytest.mark.parametrize("fn, d3", [
    (lambda lib, t: t ** 4, lambda a: 24 * a),
    (lambda lib, t: lib.sin(t), lambda a: -np.cos(a)),
    (lambda lib, t: lib.exp(t * 2.0), lambda a: 8 * np.exp(2 * a)),
])
def test_third_derivative(fn, d3):
    a = np.array([0.7, -1.3, 2.0])
    res = []
    for lib in (ag, torch):
        t = lib.tensor(a, requires_grad=True)
        y = fn(lib, t).sum()
        (g1,) = lib.autograd.grad(y, t, create_graph=True)
        (g2,) = lib.autograd.grad(g1.sum(), t, create_graph=True)
        (g3,) = lib.autograd.grad(g2.sum(), t)
        res.append(g3)
    assert_same(*res)
    np.testing.assert_allclose(res[0]._data, d3(a), rtol=1e-10)


def test_first_order_grad_without_create_graph_is_constant():
    x = ag.tensor([1.0], requires_grad=True)
    (g,) = ag.autograd.grad((x ** 3).sum(), x)
    assert not g.requires_grad and g.grad_fn is None


# ---- backward(inputs=...) ------------------------------------------------------------------------
def test_backward_inputs_accumulates_only_into_given(rng):
    a, b = rng.standard_normal(3), rng.standard_normal(3)
    x, xt = _pair(a)
    y, yt = _pair(b)
    (x * y).sum().backward(inputs=[x])
    (xt * yt).sum().backward(inputs=[xt])
    assert_same(x.grad, xt.grad)
    assert y.grad is None and yt.grad is None
    ag.autograd.backward((x * y).sum(), inputs=y)
    np.testing.assert_array_equal(y.grad._data, a)


def test_backward_inputs_non_leaf():
    x, xt = _pair([1.0, 2.0])
    res = []
    for t in (x, xt):
        h = t * 2.0
        (h * h).sum().backward(inputs=[h])
        res.append(h.grad)
        assert t.grad is None
    assert res[0] is not None
    assert_same(*res)


def test_backward_empty_inputs_raises():
    x = ag.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        (x * 2.0).sum().backward(inputs=[])
