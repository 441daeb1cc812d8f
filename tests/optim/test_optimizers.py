"""Optimizers against PyTorch: the same parameters and gradients give the same
parameters after every step, for every option; param groups, state_dict (ours and
PyTorch's), closures, zero_grad, add_param_group, errors and repr."""
import copy
import warnings

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn, optim
from autograd_lite.kernels import optim as kern
from autograd_lite.optim.adagrad import adagrad_numpy
from autograd_lite.optim.adam import adam_numpy
from autograd_lite.optim.rmsprop import rmsprop_numpy
from autograd_lite.optim.sgd import sgd_numpy

TOL = {np.float64: dict(rtol=1e-10, atol=1e-10), np.float32: dict(rtol=1e-5, atol=1e-5)}

CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.05)),
    ("SGD", dict(lr=0.1, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.02, weight_decay=0.1, eps=1e-3)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.6), maximize=True, weight_decay=0.05, amsgrad=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True)),
    ("AdamW", dict(lr=0.01, betas=(0.6, 0.9), maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, alpha=0.3, centered=True, momentum=0.5, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.1, weight_decay=0.05, initial_accumulator_value=0.3)),
    ("Adagrad", dict(lr=0.1, eps=1e-3, maximize=True)),
]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for n, kw in CONFIGS]
SHAPES = [(3, 4), (5,), (), (2, 3, 2)]


def _pair(values):
    """The same starting values as autograd_lite and PyTorch leaf tensors."""
    pa = [ag.tensor(v.copy(), requires_grad=True) for v in values]
    pt = [torch.tensor(v.copy(), requires_grad=True) for v in values]
    return pa, pt


def _set_grads(pa, pt, grads):
    for a, t, g in zip(pa, pt, grads):
        if g is None:
            a.grad, t.grad = None, None
        else:
            a.grad, t.grad = ag.tensor(g.copy()), torch.tensor(g.copy())


def _assert_params(pa, pt, dtype, what):
    for i, (a, t) in enumerate(zip(pa, pt)):
        tn = t.detach().numpy()
        assert a._data.dtype == tn.dtype, what
        np.testing.assert_allclose(a._data, tn, err_msg=f"{what}, parameter {i}", **TOL[dtype])


def _run_pair(name, kw, values, grads_per_step, dtype, data_hook=None):
    pa, pt = _pair(values)
    if data_hook is not None:
        data_hook(pa)
    oa = getattr(optim, name)(pa, **kw)
    ot = getattr(torch.optim, name)(pt, **kw)
    for s, grads in enumerate(grads_per_step):
        _set_grads(pa, pt, grads)
        oa.step()
        ot.step()
        _assert_params(pa, pt, dtype, f"{name} {kw} step {s + 1}")
    return oa, ot, pa, pt


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,kw", CONFIGS, ids=IDS)
def test_steps_match_torch(name, kw, dtype):
    rng = np.random.default_rng(1)
    values = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(5)]
    grads[2][1] = None  # a parameter without a gradient is skipped for a step
    oa, ot, pa, pt = _run_pair(name, kw, values, grads, dtype)
    # the state has PyTorch's keys, shapes and values
    sa, st = oa.state_dict(), ot.state_dict()
    assert sorted(sa["state"]) == sorted(st["state"])
    for k in st["state"]:
        assert list(sa["state"][k]) == list(st["state"][k]), f"state keys of parameter {k}"
        for key, tv in st["state"][k].items():
            av = sa["state"][k][key]
            assert isinstance(av, ag.Tensor), key
            np.testing.assert_allclose(av._data, tv.numpy(), err_msg=key, **TOL[dtype])
            assert av._data.dtype == tv.numpy().dtype, key
    assert sa["param_groups"] == st["param_groups"]


@pytest.mark.parametrize("name,kw", [CONFIGS[i] for i in (2, 4, 8, 11, 15, 17)])
def test_big_parameter(name, kw):
    """Parameters past kernels.optim.PARALLEL_MIN (on one thread here)."""
    rng = np.random.default_rng(2)
    n = kern.PARALLEL_MIN + 7
    values = [rng.standard_normal(n).astype(np.float32)]
    grads = [[rng.standard_normal(n).astype(np.float32)] for _ in range(3)]
    _run_pair(name, kw, values, grads, np.float32)


@pytest.mark.parametrize("name,kw", [CONFIGS[i] for i in (3, 8, 10, 15, 17)])
def test_fortran_and_strided_parameters(name, kw):
    """F-contiguous parameters take the kernel through F-order views; strided views
    (and float16-free odd layouts) take the NumPy path; both match PyTorch."""
    rng = np.random.default_rng(3)
    values = [rng.standard_normal((4, 6)), rng.standard_normal((5, 3))]
    grads = [[rng.standard_normal((4, 6)), rng.standard_normal((5, 3))] for _ in range(4)]
    base = rng.standard_normal((5, 6))

    def layouts(pa):
        pa[0]._data = np.asfortranarray(pa[0]._data)
        view = base.copy()[:, ::2]  # (5, 3), not contiguous
        view[...] = pa[1]._data
        pa[1]._data = view

    oa, _, pa, _ = _run_pair(name, kw, values, grads, np.float64, data_hook=layouts)
    assert pa[0]._data.flags.f_contiguous and not pa[1]._data.flags.c_contiguous


def test_gradients_from_each_librarys_autograd():
    """A small model trained with each library's own gradients of the same loss."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((8, 5))
    y = rng.standard_normal((8, 2))
    init = [rng.standard_normal((5, 4)), rng.standard_normal(4), rng.standard_normal((4, 2)), rng.standard_normal(2)]
    for name, kw in [("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)), ("Adam", dict(lr=0.01, amsgrad=True)),
                     ("AdamW", dict(lr=0.01)), ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
                     ("Adagrad", dict(lr=0.1, lr_decay=0.01))]:
        pa = [nn.Parameter(ag.tensor(v.copy())) for v in init]
        pt = [torch.nn.Parameter(torch.tensor(v.copy())) for v in init]
        oa, ot = getattr(optim, name)(pa, **kw), getattr(torch.optim, name)(pt, **kw)

        def loss(lib, p, xx, yy):
            h = lib.tanh(xx @ p[0] + p[1])
            return ((h @ p[2] + p[3] - yy) ** 2).mean()

        for s in range(5):
            oa.zero_grad()
            ot.zero_grad()
            loss(ag, pa, ag.tensor(x), ag.tensor(y)).backward()
            loss(torch, pt, torch.tensor(x), torch.tensor(y)).backward()
            oa.step()
            ot.step()
            _assert_params(pa, pt, np.float64, f"{name} step {s + 1}")


def test_param_groups_with_their_own_options():
    rng = np.random.default_rng(5)
    values = [rng.standard_normal((3, 3)) for _ in range(3)]
    pa, pt = _pair(values)
    for name, groups_kw, kw in [
        ("SGD", [dict(), dict(lr=0.5, momentum=0.0), dict(lr=0.01, nesterov=True, momentum=0.7)], dict(lr=0.1, momentum=0.9)),
        ("Adam", [dict(), dict(lr=0.1, betas=(0.5, 0.9)), dict(amsgrad=True, weight_decay=0.1)], dict(lr=0.01)),
        ("RMSprop", [dict(centered=True), dict(lr=0.001), dict(momentum=0.9)], dict(lr=0.01)),
        ("Adagrad", [dict(lr_decay=0.5), dict(lr=1.0), dict()], dict(lr=0.1)),
    ]:
        pa, pt = _pair(values)
        oa = getattr(optim, name)([dict(params=[p], **g) for p, g in zip(pa, groups_kw)], **kw)
        ot = getattr(torch.optim, name)([dict(params=[p], **g) for p, g in zip(pt, groups_kw)], **kw)
        assert [dict((k, v) for k, v in g.items() if k != "params") for g in oa.param_groups] == \
               [dict((k, v) for k, v in g.items() if k != "params") for g in ot.param_groups]
        for s in range(5):
            _set_grads(pa, pt, [rng.standard_normal((3, 3)) for _ in range(3)])
            oa.step()
            ot.step()
            _assert_params(pa, pt, np.float64, f"{name} groups step {s + 1}")


def _to_torch_state(sd):
    out = copy.deepcopy({"param_groups": sd["param_groups"]})
    out["state"] = {k: {kk: torch.tensor(v._data.copy()) if isinstance(v, ag.Tensor) else v for kk, v in st.items()}
                    for k, st in sd["state"].items()}
    return out


@pytest.mark.parametrize("name,kw", [CONFIGS[i] for i in (1, 3, 6, 8, 11, 14, 15, 17)])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_state_dict_round_trip(name, kw, dtype):
    """Save after 3 steps, load into a fresh optimizer, continue 2 steps: equal to an
    uninterrupted run (ours exactly; PyTorch's to rounding). State dicts move between
    the libraries both ways."""
    rng = np.random.default_rng(6)
    values = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(5)]
    oa, ot, pa, pt = _run_pair(name, kw, values, grads[:3], dtype)
    sd = oa.state_dict()
    # a fresh optimizer (other default options: they come from the state dict)
    pb = [ag.tensor(p._data.copy(), requires_grad=True) for p in pa]
    ob = getattr(optim, name)(pb, lr=123.0)
    ob.load_state_dict(sd)
    assert ob.param_groups[0]["lr"] == kw["lr"]
    # PyTorch's state dict (its tensors as NumPy arrays) into another fresh one
    pc = [ag.tensor(p._data.copy(), requires_grad=True) for p in pa]
    oc = getattr(optim, name)(pc)
    oc.load_state_dict({"state": {k: {kk: (v.numpy() if torch.is_tensor(v) else v) for kk, v in s.items()}
                                  for k, s in ot.state_dict()["state"].items()},
                        "param_groups": ot.state_dict()["param_groups"]})
    # and ours into a fresh PyTorch optimizer
    pu = [torch.tensor(p._data.copy(), requires_grad=True) for p in pa]
    ou = getattr(torch.optim, name)(pu)
    ou.load_state_dict(_to_torch_state(sd))
    for s in range(3, 5):
        for opt, ps in ((oa, pa), (ob, pb), (oc, pc)):
            for p, g in zip(ps, grads[s]):
                p.grad = ag.tensor(g.copy())
            opt.step()
        for opt, ps in ((ot, pt), (ou, pu)):
            for p, g in zip(ps, grads[s]):
                p.grad = torch.tensor(g.copy())
            opt.step()
        for a, b in zip(pa, pb):
            np.testing.assert_array_equal(a._data, b._data)
        _assert_params(pa, pt, dtype, f"uninterrupted vs torch, step {s + 1}")
        _assert_params(pc, pt, dtype, f"loaded from torch, step {s + 1}")
        _assert_params(pa, pu, dtype, f"torch loaded from ours, step {s + 1}")


def test_load_state_dict_copies_and_casts():
    rng = np.random.default_rng(7)
    pa = [ag.tensor(rng.standard_normal((2, 3)).astype(np.float32), requires_grad=True)]
    oa = optim.Adam(pa)
    pa[0].grad = ag.ones(2, 3)
    oa.step()
    sd = oa.state_dict()
    sd64 = {"state": {0: {k: (ag.tensor(v._data.astype(np.float64)) if k != "step" else v)
                          for k, v in sd["state"][0].items()}},
            "param_groups": sd["param_groups"]}
    ob = optim.Adam([ag.tensor(pa[0]._data.copy(), requires_grad=True)])
    ob.load_state_dict(sd64)
    st = ob.state[ob.param_groups[0]["params"][0]]
    assert st["exp_avg"].dtype == np.float32  # cast to the parameter's dtype
    assert st["step"].dtype == sd["state"][0]["step"].dtype  # 'step' keeps its own
    assert st["exp_avg"]._data is not sd["state"][0]["exp_avg"]._data
    # a numeric step (older formats) becomes a tensor
    oc = optim.Adam([ag.tensor(pa[0]._data.copy(), requires_grad=True)])
    oc.load_state_dict({"state": {0: dict(sd["state"][0], step=1)}, "param_groups": sd["param_groups"]})
    assert isinstance(oc.state[oc.param_groups[0]["params"][0]]["step"], ag.Tensor)


def test_load_state_dict_errors():
    p = [ag.zeros(3, requires_grad=True), ag.zeros(2, requires_grad=True)]
    opt = optim.SGD(p, lr=0.1, momentum=0.9)
    for q in p:
        q.grad = ag.ones_like(q)
    opt.step()
    sd = opt.state_dict()
    with pytest.raises(ValueError, match="number of parameter groups"):
        optim.SGD([{"params": [p[0]]}, {"params": [p[1]]}], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="doesn't match the size"):
        optim.SGD([p[0]], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match=r"momentum_buffer.*shape \(3,\).*shape \(2,\)"):
        optim.SGD([p[1], p[0]], lr=0.1).load_state_dict(sd)
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        optim.SGD(p, lr=0.1).load_state_dict({"state": {}})


def test_step_closure():
    rng = np.random.default_rng(8)
    x, w0 = rng.standard_normal((6, 3)), rng.standard_normal(3)
    pa, pt = _pair([w0])
    oa, ot = optim.SGD(pa, lr=0.1, momentum=0.9), torch.optim.SGD(pt, lr=0.1, momentum=0.9)
    calls = []

    def closure_a():
        calls.append(ag.is_grad_enabled())
        oa.zero_grad()
        loss = ((ag.tensor(x) @ pa[0]) ** 2).sum()
        loss.backward()
        return loss

    def closure_t():
        ot.zero_grad()
        loss = ((torch.tensor(x) @ pt[0]) ** 2).sum()
        loss.backward()
        return loss

    for s in range(4):
        with ag.no_grad():  # the closure still runs with grad mode on
            la = oa.step(closure_a)
        lt = ot.step(closure_t)
        assert isinstance(la, ag.Tensor)
        np.testing.assert_allclose(la.item(), lt.item(), rtol=1e-12)
        _assert_params(pa, pt, np.float64, f"closure step {s + 1}")
    assert calls == [True] * 4
    assert oa.step() is None


def test_zero_grad():
    p = [ag.ones(3, requires_grad=True), ag.ones(2, requires_grad=True), ag.ones(1, requires_grad=True)]
    opt = optim.SGD(p, lr=0.1)
    (p[0].sum() * 2 + p[1].sum()).backward()
    g0 = p[0].grad
    opt.zero_grad(set_to_none=False)
    assert p[0].grad is g0 and np.all(g0._data == 0) and np.all(p[1].grad._data == 0)
    assert p[2].grad is None
    v = p[0].grad._version
    (p[0].sum() * 3).backward()  # accumulates into the zeroed gradient
    np.testing.assert_array_equal(p[0].grad._data, np.full(3, 3.0))
    assert p[0].grad._version > v
    opt.zero_grad()
    assert all(q.grad is None for q in p)


def test_step_bumps_version_and_records_nothing():
    p = ag.ones(3, requires_grad=True)
    opt = optim.Adam([p], lr=0.1)
    p.grad = ag.ones(3)
    v = p._version
    opt.step()
    assert p._version == v + 1 and p.grad_fn is None and p.is_leaf


def test_add_param_group_and_construction_errors():
    a, b, c = (ag.zeros(2, requires_grad=True) for _ in range(3))
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": b, "lr": 0.5})
    assert opt.param_groups[1]["lr"] == 0.5 and opt.param_groups[1]["momentum"] == 0.9
    assert opt.param_groups[1]["params"][0] is b
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [c, a]})
    with pytest.raises(TypeError, match="ordered collections"):
        opt.add_param_group({"params": {c}})
    with pytest.raises(ValueError, match="non-leaf"):
        opt.add_param_group({"params": [c * 2]})
    with pytest.raises(TypeError, match="only optimize Tensors"):
        optim.SGD([np.zeros(2)], lr=0.1)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(a, lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.Adam([])
    with pytest.raises(ValueError, match="Invalid learning rate"):
        optim.Adam([a], lr=-1)
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD([a], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="beta parameter at index 1"):
        optim.AdamW([a], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="foreach=True is not supported"):
        optim.Adam([a], foreach=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        optim.Adam([a], foreach=None, fused=False, capturable=False, differentiable=False)
    # the new group takes part in the step
    b.grad = ag.ones(2)
    opt.step()
    np.testing.assert_allclose(b._data, -0.5 * np.ones(2))
    # Adagrad creates its state when a parameter joins, as PyTorch's
    d = ag.zeros(2, requires_grad=True)
    ada = optim.Adagrad([a], initial_accumulator_value=0.5)
    ada.add_param_group({"params": [d]})
    assert np.all(ada.state[d]["sum"]._data == 0.5)


def test_named_parameters_and_repr_and_defaults():
    rng = np.random.default_rng(9)
    v = rng.standard_normal(3)
    for name, kw in CONFIGS[::3] + [("AdamW", {}), ("RMSprop", {}), ("Adagrad", {})]:
        pa, pt = _pair([v, v])
        oa = getattr(optim, name)([("w", pa[0]), ("b", pa[1])], **kw)
        ot = getattr(torch.optim, name)([("w", pt[0]), ("b", pt[1])], **kw)
        assert repr(oa) == repr(ot)
        assert oa.defaults == ot.defaults
        assert oa.state_dict()["param_groups"] == ot.state_dict()["param_groups"]
    multi_a = optim.SGD([{"params": [pa[0]]}, {"params": [pa[1]], "lr": 0.3}], lr=0.1)
    multi_t = torch.optim.SGD([{"params": [pt[0]]}, {"params": [pt[1]], "lr": 0.3}], lr=0.1)
    assert repr(multi_a) == repr(multi_t)


def test_step_hooks():
    p = ag.zeros(2, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    seen = []
    h1 = opt.register_step_pre_hook(lambda o, a, k: seen.append("pre"))
    h2 = opt.register_step_post_hook(lambda o, a, k: seen.append("post"))
    opt.step()
    h1.remove()
    h2.remove()
    opt.step()
    assert seen == ["pre", "post"]


def test_bad_gradient_shape_is_an_error_not_a_crash():
    p = ag.zeros(4, requires_grad=True)
    opt = optim.Adam([p])
    for lib, q in ((ag, p), (torch, torch.zeros(4, requires_grad=True))):  # refused on assignment
        with pytest.raises(RuntimeError, match=r"attempting to assign a gradient of size '\[3\]' to a tensor "
                                               r"of size '\[4\]'"):
            q.grad = lib.zeros(3)
    p.grad = ag.zeros(4)
    p.grad.data = ag.zeros(3)  # .data may change the shape: the step still checks
    with pytest.raises(RuntimeError, match=r"gradient of a parameter of shape \(4,\) has shape \(3,\)"):
        opt.step()


# ---- the fused kernels against the NumPy reference path ---------------------------------
def _kernel_vs_numpy_cases(rng, n, dt):
    f = dt.type
    for mom, damp, wd, nest, maxi, init in [(0.0, 0.0, 0.0, False, False, False), (0.9, 0.2, 0.1, False, True, False),
                                            (0.9, 0.0, 0.1, True, False, True)]:
        yield ("sgd", lambda a: sgd_numpy(a[0], a[1], a[2] if mom else None, init, 0.1, wd, mom, damp, nest, maxi),
               lambda a, k: k(a[0], a[1], a[2], f(-0.1), f(wd), f(mom), f(1 - damp), maxi, wd != 0, mom != 0, init, nest),
               kern.sgd_serial, 3)
    for b1, wd, dec, ams, maxi in [(0.9, 0.0, False, False, False), (0.3, 0.1, False, True, True), (0.9, 0.1, True, True, False)]:
        w = f(1 - b1)
        mode = 0 if wd == 0 else (2 if dec else 1)
        yield ("adam", lambda a: adam_numpy(a[0], a[1], a[2], a[3], a[4], 3.0, 0.01, b1, 0.99, 1e-8, wd, dec, ams, maxi),
               lambda a, k: k(a[0], a[1], a[2], a[3], a[4], f(1 - 0.01 * wd), f(wd), w, f(1) - w, f(0.99), f(1 - 0.99),
                              f((1 - 0.99**3) ** 0.5), f(1e-8), f(-(0.01 / (1 - b1**3))), maxi, mode, ams, not abs(w) < 0.5),
               kern.adam_serial, 5)
    for alpha, wd, cen, mom, maxi in [(0.99, 0.0, False, 0.0, False), (0.3, 0.1, True, 0.9, True), (0.9, 0.0, True, 0.0, False)]:
        w = f(1 - alpha)
        yield ("rmsprop", lambda a: rmsprop_numpy(a[0], a[1], a[2], a[3], a[4], 0.01, alpha, 1e-8, wd, mom, cen, maxi),
               lambda a, k: k(a[0], a[1], a[2], a[3], a[4], f(-0.01), f(wd), f(alpha), f(1 - alpha), w, f(1) - w, f(1e-8),
                              f(mom), maxi, wd != 0, cen, mom > 0, not abs(w) < 0.5),
               kern.rmsprop_serial, 5)
    for wd, maxi in [(0.0, False), (0.1, True)]:
        yield ("adagrad", lambda a: adagrad_numpy(a[0], a[1], a[2], 0.05, 1e-10, wd, maxi),
               lambda a, k: k(a[0], a[1], a[2], f(-0.05), f(wd), f(1e-10), maxi, wd != 0),
               kern.adagrad_serial, 3)


@pytest.mark.parametrize("dtype,n", [(np.float64, 37), (np.float32, 37), (np.float32, kern.PARALLEL_MIN + 3)])
def test_kernels_match_numpy_reference(dtype, n):
    """Each kernel (on one thread, and split over two for big arrays) against the NumPy
    path: equal to a rounding (the kernels fuse multiply-adds as PyTorch does)."""
    dt = np.dtype(dtype)
    rng = np.random.default_rng(10)
    for name, ref, run, serial, n_arrays in _kernel_vs_numpy_cases(rng, n, dt):
        arrays = [rng.standard_normal(n).astype(dt) for _ in range(2)]  # p, g
        arrays += [(np.abs(rng.standard_normal(n)) * (0.5 if i == 0 else 0.2) + (3 if i == 0 else 0)).astype(dt)
                   for i in range(n_arrays - 2)]
        expect = [a.copy() for a in arrays]
        ref(expect)
        for threads in ([1, 2] if n >= kern.PARALLEL_MIN else [1]):
            got = [a.copy() for a in arrays]
            before = ag.get_num_threads()
            ag.set_num_threads(threads)
            try:
                k = kern.pick(serial, n)
                assert (k is serial) == (threads == 1)
                run(got, k)
            finally:
                ag.set_num_threads(before)
            for i, (x, y) in enumerate(zip(got, expect)):
                np.testing.assert_allclose(x, y, rtol=1e-12 if dt == np.float64 else 2e-6, atol=1e-12 if dt == np.float64 else 1e-6,
                                           err_msg=f"{name} array {i}")
            np.testing.assert_array_equal(got[1], arrays[1])  # the gradient is read only


def test_big_updates_split_over_the_threads():
    """An update of PARALLEL_MIN elements or more runs in several slices on 2 threads
    (the split was once asked with a constant too small to ever split)."""
    n = kern.PARALLEL_MIN + 3
    slices = []

    def serial(p, g, *rest):
        slices.append(p.size)

    before = ag.get_num_threads()
    ag.set_num_threads(2)
    try:
        kern.pick(serial, n)(np.zeros(n, np.float32), np.zeros(n, np.float32), np.float32(0.1))
    finally:
        ag.set_num_threads(before)
    assert len(slices) > 1 and sum(slices) == n
