"""autograd.graph's Node, GradientEdge/get_gradient_edge, register_multi_grad_hook and
increment_version against torch.autograd.graph's."""
import numpy as np
import pytest
import torch

import autograd_lite as ag


def test_node_is_the_type_of_every_grad_fn():
    class Double(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    for lib, fn in ((ag, Double), (torch, None)):
        x = lib.ones(3, requires_grad=True)
        outs = [x.clone(), x * x, x.exp(), x.sum(), x[1:]]
        if fn is not None:
            outs.append(fn.apply(x))
        for y in outs:
            assert isinstance(y.grad_fn, lib.autograd.graph.Node)
        assert not isinstance(x, lib.autograd.graph.Node)


@pytest.mark.parametrize("dt", [(np.float64, torch.float64), (np.float32, torch.float32)])
def test_gradient_edges_as_grad_inputs(dt):
    a = np.random.default_rng(0).standard_normal((2, 3)).astype(dt[0])
    res = []
    for lib, x in ((ag, ag.tensor(a, requires_grad=True)), (torch, torch.tensor(a, requires_grad=True))):
        G = lib.autograd.graph
        y = x.tanh()
        u, v = y.split([1, 1], dim=0)  # a multi-output node's second output
        z = (y * y).sum() + (v * 3).sum()
        e_y, e_x, e_v = G.get_gradient_edge(y), G.get_gradient_edge(x), G.get_gradient_edge(v)
        assert e_y.node is y.grad_fn and e_y.output_nr == 0 and e_v.output_nr == 1
        gs = lib.autograd.grad(z, [e_y, e_x, e_v], retain_graph=True)
        assert [g.dtype for g in gs] == [x.dtype] * 3
        res.append([g.detach().numpy() for g in gs] + [lib.autograd.grad(z, e_x)[0].numpy()])
    for ours, theirs in zip(*res):
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)


def test_get_gradient_edge_errors():
    for lib in (ag, torch):
        with pytest.raises(RuntimeError, match="does not require gradients"):
            lib.autograd.graph.get_gradient_edge(lib.ones(2))


def test_increment_version_as_torch():
    for lib in (ag, torch):
        x = lib.ones(3, requires_grad=True)
        y = x * 1
        z = y * y
        v = y._version
        lib.autograd.graph.increment_version(y)
        lib.autograd.graph.increment_version([y])
        assert y._version == v + 2
        with pytest.raises(RuntimeError, match="modified by an inplace operation|modified by an in-place operation"):
            z.sum().backward()


def _multi(lib, mode, calls):
    a = lib.tensor([[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], requires_grad=True)
    b = lib.tensor([[0.7, 0.8, 0.9], [1.0, 1.1, 1.2]], requires_grad=True)
    c = a * b
    d = a * b
    out = []
    if mode == "all":
        fn = lambda grads: out.append([None if g is None else g.numpy().tolist() for g in grads])  # noqa: E731
    else:
        fn = lambda g: out.append(g.numpy().tolist())  # noqa: E731
    h = lib.autograd.graph.register_multi_grad_hook((a, b, c, d), fn, mode=mode)
    for call in calls:
        call(lib, a, b, c, d)
        out.append("|")
    h.remove()
    c.sum().backward()
    out.append("removed")
    return out


CALLS = [
    lambda lib, a, b, c, d: c.sum().backward(retain_graph=True),
    lambda lib, a, b, c, d: c.sum().backward(inputs=(a,), retain_graph=True),
    lambda lib, a, b, c, d: (c.sum() * 2 + d.sum()).backward(retain_graph=True),
    lambda lib, a, b, c, d: lib.autograd.grad((c * 3).sum(), c, retain_graph=True),
]


@pytest.mark.parametrize("mode", ["all", "any"])
def test_register_multi_grad_hook_as_torch(mode):
    assert _multi(ag, mode, CALLS) == _multi(torch, mode, CALLS)


def test_register_multi_grad_hook_mode_error():
    for lib in (ag, torch):
        with pytest.raises(ValueError, match="Expects mode to be one of|expects mode to be one of"):
            lib.autograd.graph.register_multi_grad_hook([lib.ones(1, requires_grad=True)], print, mode="some")
