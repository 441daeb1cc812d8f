"""nn.Sequential runs a Conv2d and the ReLU after it as one op (Conv2dReLU): the same
values and gradients as the two modules apart and as PyTorch, second derivatives,
and no fusion where it would change what the user sees (hooks, overridden forwards,
other padding modes, unbatched input)."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.ops.conv import Conv2dReLU
from helpers import randn


def _stack(lib, **kw):
    return lib.nn.Sequential(lib.nn.Conv2d(3, 5, 3, padding=1, **kw), lib.nn.ReLU(),
                             lib.nn.Conv2d(5, 4, 3, stride=2), lib.nn.ReLU(inplace=True))


def _grads(model, x):
    out = model(x)
    (out * out).sum().backward()
    return out, [p.grad for p in model.parameters()], x.grad


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fused_stack_matches_the_modules_apart_and_torch(dtype):
    x_np = randn(4, 3, 9, 9, seed=0).astype(dtype)
    ag.manual_seed(0)
    model = _stack(ag)
    tm = _stack(torch)
    if dtype == np.float64:
        model, tm = model.double(), tm.double()
    tm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
    x = ag.tensor(x_np, requires_grad=True)
    out, grads, gx = _grads(model, x)
    assert type(out.grad_fn) is Conv2dReLU
    xa = ag.tensor(x_np, requires_grad=True)
    apart = xa
    for m in model:  # the same modules called one by one: no fusion
        apart = m(apart)
    assert type(apart.grad_fn) is not Conv2dReLU
    model.zero_grad()
    (apart * apart).sum().backward()
    np.testing.assert_array_equal(out.detach().numpy(), apart.detach().numpy())
    np.testing.assert_array_equal(gx.numpy(), xa.grad.numpy())
    for p, g in zip(model.parameters(), grads):
        rtol = 1e-12 if dtype == np.float64 else 1e-5
        np.testing.assert_allclose(g.numpy(), p.grad.numpy(), rtol=rtol, atol=rtol)
    xt = torch.tensor(x_np, requires_grad=True)
    ot, gt, gxt = _grads(tm, xt)
    tol = dict(rtol=1e-10, atol=1e-10) if dtype == np.float64 else dict(rtol=2e-4, atol=2e-4)
    np.testing.assert_allclose(out.detach().numpy(), ot.detach().numpy(), **tol)
    np.testing.assert_allclose(gx.numpy(), gxt.numpy(), **tol)
    for g, t in zip(grads, gt):
        np.testing.assert_allclose(g.numpy(), t.numpy(), **tol)


def test_second_derivatives_through_the_fused_op():
    x_np = randn(2, 3, 6, 6, seed=1)
    ag.manual_seed(1)
    model = _stack(ag).double()
    tm = _stack(torch).double()
    tm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})
    results = []
    for lib, m in ((ag, model), (torch, tm)):
        x = lib.tensor(x_np, requires_grad=True)
        out = m(x)
        g, = lib.autograd.grad((out ** 3).sum(), x, create_graph=True)
        (g * g).sum().backward()
        results.append([g.detach().numpy()] + [p.grad.numpy() for p in m.parameters()])
    for a, t in zip(*results):
        np.testing.assert_allclose(a, t, rtol=1e-9, atol=1e-9)
    x = ag.tensor(x_np, requires_grad=True)
    assert ag.autograd.gradgradcheck(lambda t: model(t), (x,))


def test_no_fusion_where_the_user_would_see_it():
    x = ag.tensor(randn(2, 3, 7, 7, seed=2).astype(np.float32))
    model = _stack(ag)
    assert type(model(x).grad_fn) is Conv2dReLU
    seen = []
    handle = model[0].register_forward_hook(lambda m, i, o: seen.append(o))
    out = model(x)
    assert len(seen) == 1 and seen[0].min().item() < 0  # the hook saw the convolution's own output
    handle.remove()
    handle = model[1].register_forward_pre_hook(lambda m, i: seen.append(i))
    model(x)
    assert len(seen) == 2
    handle.remove()

    class Shifted(nn.Conv2d):
        def forward(self, input):
            return super().forward(input) + 1

    shifted = nn.Sequential(Shifted(3, 2, 3), nn.ReLU())
    assert type(shifted(x).grad_fn) is not Conv2dReLU
    reflect = nn.Sequential(nn.Conv2d(3, 2, 3, padding=1, padding_mode="reflect"), nn.ReLU())
    assert type(reflect(x).grad_fn) is not Conv2dReLU
    unbatched = nn.Sequential(nn.Conv2d(3, 2, 3), nn.ReLU())
    assert unbatched(x[0]).shape == (2, 5, 5)
    np.testing.assert_array_equal(out.detach().numpy(), model(x).detach().numpy())
