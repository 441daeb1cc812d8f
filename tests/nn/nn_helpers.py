"""Compare an autograd_lite Module with its PyTorch twin: same weights (loaded through
state_dict), same outputs, same parameter and input gradients."""
import numpy as np
import torch

import autograd_lite as ag
from helpers import torch_dtype

TOLS = {np.dtype("float64"): dict(rtol=1e-6, atol=1e-8), np.dtype("float32"): dict(rtol=1e-4, atol=1e-5)}


def load_from_torch(ours, theirs):
    """Load torch's state_dict into ours as NumPy arrays (the documented route)."""
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})


def assert_state_dict_like(ours, theirs):
    sd_o, sd_t = ours.state_dict(), theirs.state_dict()
    assert list(sd_o) == list(sd_t), f"keys {list(sd_o)} != torch's {list(sd_t)}"
    for k in sd_t:
        assert tuple(sd_o[k].shape) == tuple(sd_t[k].shape), f"{k}: {sd_o[k].shape} != {tuple(sd_t[k].shape)}"
        assert sd_o[k].dtype == sd_t[k].numpy().dtype, f"{k}: {sd_o[k].dtype} != {sd_t[k].dtype}"


def close(a, t, dtype, what, tol=None):
    tn = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    an = a._data if isinstance(a, ag.Tensor) else np.asarray(a)
    assert an.shape == tn.shape, f"{what}: shape {an.shape} != torch's {tn.shape}"
    assert an.dtype == tn.dtype, f"{what}: dtype {an.dtype} != torch's {tn.dtype}"
    np.testing.assert_allclose(an, tn, err_msg=what, **(tol or TOLS[np.dtype(dtype)]))


def check_module(make_ours, make_theirs, *inputs, dtypes=(np.float64, np.float32), grad=True,
                 train=True, steps=1, seed=0, tol=None, int_inputs=()):
    """Build both modules, copy torch's weights into ours, then for `steps` forward/
    backward passes compare outputs, every parameter's grad and each float input's
    grad, and finally the state_dicts (buffers such as running stats included).
    `inputs` are NumPy arrays; float ones are cast to each dtype and require grad."""
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)  # torch's init (which ours loads) is the same every run
    ag.manual_seed(seed)
    for dtype in dtypes:
        theirs = make_theirs().to(torch_dtype(dtype))
        ours = make_ours().to(dtype)
        assert_state_dict_like(ours, theirs)
        load_from_torch(ours, theirs)
        ours.train(train)
        theirs.train(train)
        for step in range(steps):
            a_in, t_in = [], []
            for x in inputs:
                x = x(step) if callable(x) else x
                if x.dtype.kind == "f":
                    x = x.astype(dtype)
                need = grad and x.dtype.kind == "f"
                a_in.append(ag.tensor(x, requires_grad=need))
                t_in.append(torch.tensor(x, requires_grad=need))
            out_a, out_t = ours(*a_in), theirs(*t_in)
            close(out_a, out_t, dtype, f"output ({np.dtype(dtype)}, step {step})", tol)
            if not grad:
                continue
            w = rng.standard_normal(tuple(out_t.shape)).astype(out_t.detach().numpy().dtype)
            (out_a * ag.tensor(w)).sum().backward()
            (out_t * torch.tensor(w)).sum().backward()
            params_t = dict(theirs.named_parameters())
            for name, p in ours.named_parameters():
                pt = params_t[name]
                if pt.grad is None:
                    assert p.grad is None or not np.any(p.grad._data), f"{name}: torch has no grad"
                    continue
                assert p.grad is not None, f"grad of {name} is None"
                close(p.grad, pt.grad, dtype, f"grad of {name} ({np.dtype(dtype)}, step {step})", tol)
            for k, (a, t) in enumerate(zip(a_in, t_in)):
                if t.requires_grad:
                    close(a.grad, t.grad, dtype, f"grad of input {k} ({np.dtype(dtype)})", tol)
            ours.zero_grad()
            theirs.zero_grad()
        sd_t = theirs.state_dict()
        for k, v in ours.state_dict().items():
            close(v, sd_t[k], dtype, f"state_dict[{k!r}] after {steps} steps", tol)
    return ours, theirs
