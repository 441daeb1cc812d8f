"""LBFGS against PyTorch on a Rosenbrock function and a small nonlinear regression
(an exponential fit): the same closure calls (count and losses) and the same
parameters after each step, with and without the strong Wolfe line search, for
several history sizes, iteration limits and tolerances; the state (on the first
parameter, PyTorch's names and kinds) loaded both ways; and the errors.

Both libraries get the same gradients (computed in NumPy), so the comparison is of
the optimizers alone. LBFGS amplifies rounding differences (its dot products are
NumPy's, PyTorch's are MKL's) on ill-conditioned problems, so the Rosenbrock runs
are two steps (10-14 iterations) long, and float32 runs two steps on each problem."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import optim
from optim_helpers import TOL, assert_state_matches, to_numpy_state, to_torch_state

RNG = np.random.default_rng(0)
XS = np.linspace(0.0, 2.0, 30)
YS = 2.0 * np.exp(-1.3 * XS) + 0.5 + 0.02 * RNG.standard_normal(30)


def rosenbrock(x):
    """f and df/dx of the Rosenbrock function of a vector."""
    f = np.sum((1 - x[:-1]) ** 2) + np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2)
    g = np.zeros_like(x)
    g[:-1] += -2 * (1 - x[:-1]) - 400 * x[:-1] * (x[1:] - x[:-1] ** 2)
    g[1:] += 200 * (x[1:] - x[:-1] ** 2)
    return f, [g]


def exponential_fit(amplitude, rate_and_offset):
    """Mean squared error of y = a exp(-b x) + c on (XS, YS), and its gradients."""
    (a,), (b, c) = amplitude, rate_and_offset
    xs, ys = XS.astype(amplitude.dtype), YS.astype(amplitude.dtype)
    e = np.exp(-b * xs)
    r = a * e + c - ys
    dr = 2 * r / r.size
    return np.mean(r * r), [np.array([np.sum(dr * e)]), np.array([np.sum(dr * (-a * xs * e)), np.sum(dr)])]


PROBLEMS = {
    "rosenbrock": (rosenbrock, [np.array([-1.2, 1.0, -0.5, 0.8])], 2),
    "exponential_fit": (exponential_fit, [np.array([1.0]), np.array([0.5, 0.0])], 8),
}
CONFIGS = [
    dict(max_iter=5),
    dict(max_iter=5, line_search_fn="strong_wolfe"),
    dict(history_size=3, max_iter=7, lr=0.5),
    dict(line_search_fn="strong_wolfe", history_size=2, max_iter=6, tolerance_change=1e-6, tolerance_grad=1e-4),
    dict(max_iter=10, max_eval=6, line_search_fn="strong_wolfe"),
]


def _run(lib, problem, kw, dtype):
    """(optimizer, params, closure, losses seen by the closure) of `lib` on `problem`."""
    fn, x0, _ = PROBLEMS[problem]
    wrap = ag.tensor if lib is optim else torch.tensor
    params = [wrap(v.astype(dtype), requires_grad=True) for v in x0]
    losses = []

    def closure():
        f, grads = fn(*[np.array(p.detach().numpy()) for p in params])
        for p, g in zip(params, grads):
            p.grad = wrap(np.asarray(g, dtype))
        losses.append(float(f))
        return wrap(np.asarray(f, dtype))

    return lib.LBFGS(params, **kw), params, closure, losses


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kw", CONFIGS, ids=[str(i) for i in range(len(CONFIGS))])
@pytest.mark.parametrize("problem", PROBLEMS)
def test_trajectory_and_losses_match_torch(problem, kw, dtype):
    oa, pa, ca, la = _run(optim, problem, kw, dtype)
    ot, pt, ct, lt = _run(torch.optim, problem, kw, dtype)
    steps = PROBLEMS[problem][2] if dtype == np.float64 else 2
    tol = TOL[dtype] if dtype == np.float64 else dict(rtol=1e-4, atol=1e-6)
    for s in range(steps):
        ra, rt = oa.step(ca), ot.step(ct)
        assert isinstance(ra, ag.Tensor)  # the closure's first loss of the step
        np.testing.assert_allclose(float(ra), float(rt), **tol)
        assert len(la) == len(lt), f"closure calls after step {s + 1}"
        np.testing.assert_allclose(la, lt, err_msg=f"losses, step {s + 1}", **tol)
        for a, t in zip(pa, pt):
            np.testing.assert_allclose(a._data, t.detach().numpy(), err_msg=f"params, step {s + 1}", **tol)
    # the state's kinds, shapes and dtypes, and its values more loosely than the parameters
    # ('al', 'ro', 'H_diag' come from differences of close numbers)
    assert_state_matches(oa, ot, dtype, dict(rtol=1e-7, atol=1e-9) if dtype == np.float64 else dict(rtol=1e-2, atol=1e-5))


def test_converges_with_each_librarys_autograd():
    """Ours with autograd_lite's gradients, PyTorch's with its own: the same minimum of
    a least-squares problem."""
    x = RNG.standard_normal((20, 3))
    y = x @ np.array([1.0, -2.0, 0.5]) + 0.3
    w_a, w_t = ag.zeros(3, dtype=ag.float64, requires_grad=True), torch.zeros(3, dtype=torch.float64, requires_grad=True)
    b_a, b_t = ag.zeros(1, dtype=ag.float64, requires_grad=True), torch.zeros(1, dtype=torch.float64, requires_grad=True)
    oa = optim.LBFGS([w_a, b_a], line_search_fn="strong_wolfe")
    ot = torch.optim.LBFGS([w_t, b_t], line_search_fn="strong_wolfe")

    def closure_a():
        oa.zero_grad()
        loss = ((ag.tensor(x) @ w_a + b_a - ag.tensor(y)) ** 2).mean()
        loss.backward()
        return loss

    def closure_t():
        ot.zero_grad()
        loss = ((torch.tensor(x) @ w_t + b_t - torch.tensor(y)) ** 2).mean()
        loss.backward()
        return loss

    for _ in range(3):
        oa.step(closure_a)
        ot.step(closure_t)
    np.testing.assert_allclose(w_a._data, [1.0, -2.0, 0.5], atol=1e-4)
    np.testing.assert_allclose(w_a._data, w_t.detach().numpy(), atol=1e-9)
    np.testing.assert_allclose(b_a._data, [0.3], atol=1e-4)


@pytest.mark.parametrize("kw", [CONFIGS[1], CONFIGS[2]], ids=["wolfe", "fixed"])
def test_state_dict_both_ways(kw):
    """Save after 2 steps; each library's state, loaded into a fresh optimizer of each
    (parameters copied over), continues as PyTorch's uninterrupted run does."""
    oa, pa, ca, _ = _run(optim, "exponential_fit", kw, np.float64)
    ot, pt, ct, _ = _run(torch.optim, "exponential_fit", kw, np.float64)
    for _ in range(2):
        oa.step(ca)
        ot.step(ct)
    sd_ours, sd_theirs = oa.state_dict(), ot.state_dict()
    assert set(sd_ours["state"][0]) == {"func_evals", "n_iter", "d", "t", "old_dirs", "old_stps", "ro", "H_diag",
                                        "prev_flat_grad", "prev_loss", "al"}
    resumed = []
    for lib, sd in ((optim, sd_ours), (optim, to_numpy_state(sd_theirs)), (torch.optim, to_torch_state(sd_ours))):
        opt, params, closure, _ = _run(lib, "exponential_fit", kw, np.float64)
        for p, src in zip(params, pt):
            if lib is torch.optim:
                with torch.no_grad():
                    p.copy_(src)
            else:
                np.copyto(p._data, src.detach().numpy())
        opt.load_state_dict(sd)
        resumed.append((opt, params, closure))
    ot.step(ct)
    for opt, params, closure in resumed:
        opt.step(closure)
        for p, t in zip(params, pt):
            np.testing.assert_allclose(np.array(p.detach().numpy()), t.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_errors():
    a, b = ag.zeros(2, requires_grad=True), ag.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        optim.LBFGS([{"params": [a]}, {"params": [b]}])
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.LBFGS([a], lr=-1)
    opt = optim.LBFGS([a], line_search_fn="backtracking")

    def closure():
        a.grad = ag.ones(2)
        return ag.tensor(1.0)

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)
    with pytest.raises(TypeError):
        optim.LBFGS([a]).step()
    oa, ot = optim.LBFGS([a]), torch.optim.LBFGS([torch.zeros(2, requires_grad=True)])
    assert oa.defaults == ot.defaults and repr(oa) == repr(ot)


def test_optimal_start_returns_at_once():
    """A gradient already below tolerance_grad: one closure call, no move."""
    p = ag.ones(3, requires_grad=True)
    opt = optim.LBFGS([p], tolerance_grad=10.0)
    calls = []

    def closure():
        calls.append(1)
        p.grad = ag.full((3,), 0.5)
        return ag.tensor(2.0)

    assert float(opt.step(closure)) == 2.0
    assert len(calls) == 1 and np.all(p._data == 1.0)
    assert opt.state[p] == {"func_evals": 1, "n_iter": 0}
