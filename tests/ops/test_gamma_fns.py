"""The gamma family (ops/gamma_fns.py) beyond the op table's samples: poles, large and
negative arguments, higher orders, PyTorch's errors, and the distributions' re-exports."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite.distributions import _special
from autograd_lite.ops import gamma_fns


def _both(fn_ag, fn_torch, values, dtype=np.float64):
    ours = fn_ag(ag.tensor(np.asarray(values, dtype))).numpy()
    theirs = fn_torch(torch.tensor(np.asarray(values, dtype))).numpy()
    return ours, theirs


def test_values_at_the_poles_and_non_finite_inputs():
    values = [0.0, -1.0, -2.0, -0.0, np.inf, -np.inf, np.nan, 1e-300, 1e300]
    for name in ("lgamma", "digamma"):
        ours, theirs = _both(getattr(ag, name), getattr(torch, name), values)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, equal_nan=True, err_msg=name)


def test_wide_ranges_against_torch():
    x = np.concatenate([np.linspace(0.01, 60, 300), np.linspace(-7.9, -0.1, 79) + 0.05])
    for name in ("lgamma", "digamma"):
        ours, theirs = _both(getattr(ag, name), getattr(torch, name), x)
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12, err_msg=name)
    for n in range(1, 6):
        ours, theirs = _both(lambda t, n=n: ag.polygamma(n, t),
                             lambda t, n=n: torch.polygamma(n, t), x[x > 0])
        np.testing.assert_allclose(ours, theirs, rtol=1e-9, err_msg=f"n={n}")
    ours, theirs = _both(lambda t: ag.polygamma(1, t), lambda t: torch.polygamma(1, t), x[x < 0])
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)


def test_trigamma_exact_values():
    x = ag.tensor([0.5, 1.0, 2.0], dtype=ag.float64)
    exact = [np.pi ** 2 / 2, np.pi ** 2 / 6, np.pi ** 2 / 6 - 1]
    np.testing.assert_allclose(ag.polygamma(1, x).numpy(), exact, rtol=1e-14)
    np.testing.assert_allclose(ag.polygamma(2, ag.tensor([1.0], dtype=ag.float64)).numpy(),
                               [-2 * 1.2020569031595942], rtol=1e-14)


def test_derivatives_chain_to_higher_orders():
    x = ag.tensor([0.7, 2.5, 9.0], dtype=ag.float64, requires_grad=True)
    xt = torch.tensor([0.7, 2.5, 9.0], dtype=torch.float64, requires_grad=True)
    g, gt = ag.lgamma(x).sum(), torch.lgamma(xt).sum()
    for _ in range(4):  # digamma, trigamma, polygamma(2), polygamma(3)
        (g,) = ag.autograd.grad(g, x, create_graph=True)
        (gt,) = torch.autograd.grad(gt, xt, create_graph=True)
        # PyTorch's trigamma errs by ~5e-10 relative (ours: test_trigamma_exact_values)
        np.testing.assert_allclose(g.detach().numpy(), gt.detach().numpy(), rtol=1e-8)
        g, gt = g.sum(), gt.sum()


def test_methods_and_inplace_variants():
    x = np.array([0.5, 1.5, 3.0])
    a, t = ag.tensor(x), torch.tensor(x)
    np.testing.assert_allclose(a.polygamma(2).numpy(), t.polygamma(2).numpy(), rtol=1e-12)
    np.testing.assert_allclose(a.mvlgamma(2).numpy(), t.mvlgamma(2).numpy(), rtol=1e-12)
    c = a.clone()
    c.lgamma_()
    np.testing.assert_allclose(c.numpy(), t.clone().lgamma_().numpy(), rtol=1e-12)
    b = a.clone()
    b.polygamma_(1)
    np.testing.assert_allclose(b.numpy(), t.clone().polygamma_(1).numpy(), rtol=1e-8)
    assert ag.lgamma(ag.tensor([1, 3])).dtype == ag.float32  # integers become the default float


def test_errors_as_pytorch():
    x = ag.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="does not support negative n"):
        ag.polygamma(-1, x)
    with pytest.raises(RuntimeError, match="does not support negative n"):
        torch.polygamma(-1, torch.tensor([1.0]))
    with pytest.raises(TypeError, match="'n' must be int"):
        ag.polygamma(1.5, x)
    below = np.array([1.0, 2.0, 0.2])  # PyTorch 2.13 no longer checks the domain
    np.testing.assert_allclose(ag.mvlgamma(ag.tensor(below), 3).numpy(),
                               torch.mvlgamma(torch.tensor(below), 3).numpy(), rtol=1e-12)
    with pytest.raises(RuntimeError, match="p has to be greater than or equal to 1"):
        ag.mvlgamma(x, 0)


def test_distributions_use_the_public_ops():
    assert _special.lgamma is ag.lgamma is gamma_fns.lgamma
    assert _special.digamma is ag.digamma and _special.polygamma is ag.polygamma
    assert _special.mvlgamma is ag.mvlgamma
    assert not hasattr(_special, "Lgamma")  # the Op classes live in ops/gamma_fns.py only
