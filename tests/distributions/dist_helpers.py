"""Run one distribution computation in autograd_lite and in PyTorch on the same
parameters and compare values, shapes, dtypes and the gradients of every input."""
import numpy as np
import torch

import autograd_lite as ag
import autograd_lite.distributions as agd
import torch.distributions as td

TOL = {np.float64: {"rtol": 1e-7, "atol": 1e-9}, np.float32: {"rtol": 2e-4, "atol": 2e-5}}
LIBS = ((ag, agd), (torch, td))


def _t(lib, a, dtype, requires_grad):
    if lib is ag:
        return ag.tensor(np.asarray(a, dtype=dtype), requires_grad=requires_grad)
    return torch.tensor(np.asarray(a, dtype=dtype), requires_grad=requires_grad)


def _np(t):
    return t.detach().numpy()


def check(fn, arrays, dtype=np.float64, grad=None, tol=None, seed=0):
    """fn(lib, dist_module, *tensors) -> a tensor (or a tuple of them), in both
    libraries; `grad` lists the positions of `arrays` that require grad (default:
    every floating one). Compares outputs and the gradients of a random weighting of
    the finite outputs."""
    if grad is None:
        grad = [i for i, a in enumerate(arrays) if np.asarray(a).dtype.kind == "f"]
    results = []
    for lib, dist in LIBS:
        inputs = [_t(lib, a, dtype if np.asarray(a).dtype.kind == "f" else np.asarray(a).dtype, i in grad)
                  for i, a in enumerate(arrays)]
        out = fn(lib, dist, *inputs)
        outs = out if isinstance(out, tuple) else (out,)
        results.append((inputs, outs))
    (ag_in, ag_out), (t_in, t_out) = results
    tol = tol or TOL[dtype]
    rng = np.random.default_rng(seed)
    loss_a, loss_t = 0, 0
    for a, t in zip(ag_out, t_out):
        assert tuple(a.shape) == tuple(t.shape), (a.shape, t.shape)
        assert str(a.dtype).split(".")[-1] == str(t.dtype).split(".")[-1], (a.dtype, t.dtype)
        np.testing.assert_allclose(_np(a), _np(t), equal_nan=True, **tol)
        if a.requires_grad and t.requires_grad:
            finite = np.isfinite(_np(t))
            w = rng.standard_normal(tuple(t.shape)) * finite
            loss_a = loss_a + (ag.where(ag.tensor(finite), a, 0.0) * ag.tensor(w.astype(dtype))).sum()
            loss_t = loss_t + (torch.where(torch.tensor(finite), t, 0.0) * torch.tensor(w.astype(dtype))).sum()
    if grad and isinstance(loss_t, torch.Tensor):
        grads_a = ag.autograd.grad(loss_a, [ag_in[i] for i in grad], allow_unused=True)
        grads_t = torch.autograd.grad(loss_t, [t_in[i] for i in grad], allow_unused=True)
        for i, ga, gt in zip(grad, grads_a, grads_t):
            if gt is None:
                assert ga is None or np.all(_np(ga) == 0), i
                continue
            assert ga is not None, f"no gradient for input {i}"
            np.testing.assert_allclose(_np(ga), _np(gt), err_msg=f"gradient of input {i}", **tol)
    return ag_out, t_out


def raises_same(fn):
    """fn(lib, dist_module) raises ValueError with the same message in both libraries
    (up to the name of the Size class)."""
    messages = []
    for lib, dist in LIBS:
        try:
            fn(lib, dist)
        except ValueError as e:
            messages.append(str(e).replace("autograd_lite.Size", "torch.Size"))
        else:
            messages.append(None)
    assert messages[0] is not None and messages[1] is not None, messages
    assert messages[0] == messages[1], messages
    return messages[0]
