"""Shared by the optimizer tests: the same parameters and gradients in autograd_lite
and PyTorch, stepped together and compared after every step; state dicts compared
entry by entry and moved between the two libraries."""
import copy

import numpy as np
import torch

import autograd_lite as ag
from autograd_lite import optim
from autograd_lite.kernels import optim as kern

TOL = {np.float64: dict(rtol=1e-10, atol=1e-10), np.float32: dict(rtol=2e-5, atol=2e-6)}
SHAPES = [(3, 4), (5,), (), (2, 3, 2)]


def config_ids(configs):
    return [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}" for n, kw in configs]


def random_problem(dtype, steps, seed, shapes=SHAPES):
    """Starting values and `steps` lists of gradients (one parameter goes without a
    gradient at step 3, so the optimizer skips it once)."""
    rng = np.random.default_rng(seed)
    values = [rng.standard_normal(s).astype(dtype) for s in shapes]
    grads = [[rng.standard_normal(s).astype(dtype) for s in shapes] for _ in range(steps)]
    if steps > 2 and len(shapes) > 1:
        grads[2][1] = None
    return values, grads


def make_pair(name, kw, values):
    """The optimizer `name` with options `kw` in both libraries, over copies of `values`."""
    pa = [ag.tensor(v.copy(), requires_grad=True) for v in values]
    pt = [torch.tensor(v.copy(), requires_grad=True) for v in values]
    return getattr(optim, name)(pa, **kw), getattr(torch.optim, name)(pt, **kw), pa, pt


def set_grads(params, grads):
    for p, g in zip(params, grads):
        if isinstance(p, ag.Tensor):
            p.grad = None if g is None else ag.tensor(g.copy())
        else:
            p.grad = None if g is None else torch.tensor(g.copy())


def deviation(pa, pt):
    """The largest |ours - PyTorch's| over all parameters, absolute and relative to
    PyTorch's value (elements with |value| > 1e-3 only, to keep the ratio meaningful)."""
    worst_abs = worst_rel = 0.0
    for a, t in zip(pa, pt):
        x, y = a._data.astype(np.float64), t.detach().numpy().astype(np.float64)
        diff = np.abs(x - y)
        worst_abs = max(worst_abs, float(diff.max(initial=0.0)))
        big = np.abs(y) > 1e-3
        if big.any():
            worst_rel = max(worst_rel, float((diff[big] / np.abs(y[big])).max()))
    return worst_abs, worst_rel


def assert_params_close(pa, pt, dtype, what, tol=None):
    for i, (a, t) in enumerate(zip(pa, pt)):
        tn = t.detach().numpy()
        assert a._data.dtype == tn.dtype, what
        np.testing.assert_allclose(a._data, tn, err_msg=f"{what}, parameter {i}", **(tol or TOL[dtype]))


def run_pair(name, kw, values, grads, dtype, tol=None):
    """Step both optimizers through `grads`, comparing the parameters after each step
    (to `tol`, by default TOL[dtype]); returns (ours, PyTorch's, our params, PyTorch's
    params, max deviation seen)."""
    oa, ot, pa, pt = make_pair(name, kw, values)
    worst = (0.0, 0.0)
    for s, step_grads in enumerate(grads):
        set_grads(pa, step_grads)
        set_grads(pt, step_grads)
        oa.step()
        ot.step()
        assert_params_close(pa, pt, dtype, f"{name} {kw} step {s + 1}", tol)
        worst = tuple(max(w, d) for w, d in zip(worst, deviation(pa, pt)))
    return oa, ot, pa, pt, worst


def _assert_value_matches(ours, theirs, tol, what):
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, ag.Tensor), f"{what}: {type(ours).__name__} where PyTorch has a tensor"
        tn = theirs.detach().numpy()
        assert ours._data.shape == tn.shape, f"{what}: shape {ours._data.shape} vs {tn.shape}"
        assert ours._data.dtype == tn.dtype, f"{what}: dtype {ours._data.dtype} vs {tn.dtype}"
        np.testing.assert_allclose(ours._data, tn, err_msg=what, **tol)
    elif isinstance(theirs, (list, tuple)):
        assert type(ours) is type(theirs) and len(ours) == len(theirs), what
        for i, (a, t) in enumerate(zip(ours, theirs)):
            _assert_value_matches(a, t, tol, f"{what}[{i}]")
    elif isinstance(theirs, float):
        assert isinstance(ours, (int, float)) and not isinstance(ours, bool), what
        np.testing.assert_allclose(ours, theirs, err_msg=what, **tol)
    else:
        assert ours == theirs, f"{what}: {ours!r} vs {theirs!r}"


def assert_state_matches(oa, ot, dtype, tol=None):
    """Same parameter indices, state names in the same order, and values of the same
    kinds, shapes and dtypes (close to `tol`, by default TOL[dtype]); the same
    param_groups."""
    sa, st = oa.state_dict(), ot.state_dict()
    assert sorted(sa["state"]) == sorted(st["state"])
    for k, theirs in st["state"].items():
        ours = sa["state"][k]
        assert list(ours) == list(theirs), f"state names of parameter {k}: {list(ours)} vs {list(theirs)}"
        for key in theirs:
            _assert_value_matches(ours[key], theirs[key], tol or TOL[dtype], f"state[{k}][{key!r}]")
    assert sa["param_groups"] == st["param_groups"]


def _convert(value, tensor):
    if isinstance(value, ag.Tensor):
        return tensor(value._data.copy())
    if isinstance(value, torch.Tensor):
        return tensor(value.detach().numpy().copy())
    if isinstance(value, (list, tuple)):
        return type(value)(_convert(v, tensor) for v in value)
    return value


def to_torch_state(sd):
    """Our state dict with torch tensors in place of ours (lists included)."""
    return {"state": {k: {kk: _convert(v, torch.tensor) for kk, v in s.items()} for k, s in sd["state"].items()},
            "param_groups": [dict(g) for g in sd["param_groups"]]}


def to_numpy_state(sd):
    """PyTorch's state dict with NumPy arrays in place of its tensors."""
    return {"state": {k: {kk: _convert(v, np.array) for kk, v in s.items()} for k, s in sd["state"].items()},
            "param_groups": [dict(g) for g in sd["param_groups"]]}


# ---- the checks every optimizer goes through ------------------------------------------
def check_against_torch(name, kw, dtype, steps=25, seed=1, shapes=SHAPES, tol=None):
    """`steps` steps on random gradients: the parameters after each step, then the whole
    state and the param groups, equal PyTorch's (to `tol`, by default TOL[dtype]).
    Returns the max deviation."""
    values, grads = random_problem(dtype, steps, seed, shapes)
    oa, ot, pa, pt, worst = run_pair(name, kw, values, grads, dtype, tol)
    assert_state_matches(oa, ot, dtype, tol)
    return worst


def check_state_dict_both_ways(name, kw, dtype, shapes=SHAPES, before=8, after=6, tol=None):
    """Save both after `before` steps. Ours loaded into a fresh PyTorch optimizer and
    into a fresh one of ours continue alike, as do PyTorch's (as NumPy arrays) loaded
    into ours and into a fresh PyTorch one, and the uninterrupted pair. (Loading casts
    every state tensor but 'step' to the parameter's dtype, in PyTorch too: a loaded
    optimizer may round its scalar state differently from the uninterrupted one.)"""
    values, grads = random_problem(dtype, before + after, 7, shapes)
    oa, ot, pa, pt, _ = run_pair(name, kw, values, grads[:before], dtype, tol)
    sd_ours, sd_theirs = oa.state_dict(), ot.state_dict()

    def fresh(lib, sd):
        ps = [(ag.tensor if lib is optim else torch.tensor)(p._data.copy(), requires_grad=True) for p in pa]
        opt = getattr(lib, name)(ps, lr=0.123)  # its options come from the loaded dict
        opt.load_state_dict(sd)
        return opt, ps

    ob, pb = fresh(optim, sd_ours)
    ou, pu = fresh(torch.optim, to_torch_state(sd_ours))
    oc, pc = fresh(optim, to_numpy_state(sd_theirs))
    od, pd = fresh(torch.optim, copy.deepcopy(sd_theirs))  # PyTorch's load would alias ot's tensors
    pairs = [((oa, pa), (ot, pt), "uninterrupted"), ((ob, pb), (ou, pu), "ours loaded by both"),
             ((oc, pc), (od, pd), "PyTorch's loaded by both")]
    for (a, _), (t, _), what in pairs[1:]:
        assert_state_matches(a, t, dtype, tol)
    for s, step_grads in enumerate(grads[before:]):
        for (a, ps_a), (t, ps_t), what in pairs:
            set_grads(ps_a, step_grads)
            set_grads(ps_t, step_grads)
            a.step()
            t.step()
            assert_params_close(ps_a, ps_t, dtype, f"{what}, step {before + s + 1}", tol)
    for (a, _), (t, _), what in pairs:
        assert_state_matches(a, t, dtype, tol)


def check_layouts(name, kw):
    """F-contiguous parameters take the kernel through F-order views, strided ones the
    NumPy reference: both match PyTorch (float64)."""
    rng = np.random.default_rng(3)
    values = [rng.standard_normal((4, 6)), rng.standard_normal((5, 3))]
    grads = [[rng.standard_normal((4, 6)), rng.standard_normal((5, 3))] for _ in range(12)]
    oa, ot, pa, pt = make_pair(name, kw, values)
    pa[0]._data = np.asfortranarray(pa[0]._data)
    strided = np.zeros((5, 6))[:, ::2]
    strided[...] = pa[1]._data
    pa[1]._data = strided
    for s, step_grads in enumerate(grads):
        set_grads(pa, step_grads)
        set_grads(pt, step_grads)
        oa.step()
        ot.step()
        assert_params_close(pa, pt, np.float64, f"{name} {kw} layouts, step {s + 1}")
    assert pa[0]._data.flags.f_contiguous and not pa[1]._data.flags.c_contiguous


def check_big_parameter(name, kw, threads=2):
    """Past kernels.optim.PARALLEL_MIN elements (and with threads) the kernel runs on
    slices over the threads: it matches PyTorch too."""
    n = kern.PARALLEL_MIN + 7
    values, grads = random_problem(np.float32, 4, 2, [(n,)])
    previous = ag.get_num_threads()
    ag.set_num_threads(threads)
    try:
        run_pair(name, kw, values, grads, np.float32)
    finally:
        ag.set_num_threads(previous)
