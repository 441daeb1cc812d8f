"""Module hooks next to PyTorch's: full backward hooks and pre-hooks (what they receive,
their order, replacements, modules whose inputs don't require grad, in-place changes,
handles, global hooks), and the forward hooks' `prepend`, `with_kwargs`, `always_call`.
Each scenario runs the same code on autograd_lite and on torch and compares a log of
what the hooks saw (values, shapes, dtypes, None) and the gradients."""
import collections
import warnings

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.nn.module_hooks import GLOBAL_HOOKS
from helpers import torch_dtype
from nn_helpers import load_from_torch

DTYPES = [np.float64, np.float32]
TOL = {np.dtype("float64"): dict(rtol=1e-10, atol=1e-12), np.dtype("float32"): dict(rtol=1e-5, atol=1e-6)}


def _np(t):
    if t is None:
        return None
    if isinstance(t, torch.Tensor):
        return t.detach().numpy()
    return t.numpy(force=True) if isinstance(t, ag.Tensor) else t


def _record(log, tag, grads):
    log.append((tag, None if grads is None else tuple(_np(g) for g in grads)))


def assert_same_log(ours, theirs, dtype):
    assert [e[0] for e in ours] == [e[0] for e in theirs]
    for (tag, a), (_, t) in zip(ours, theirs):
        if t is None or not isinstance(t, tuple):
            assert a == t, tag
            continue
        assert len(a) == len(t), tag
        for x, y in zip(a, t):
            if y is None or not isinstance(y, np.ndarray):
                assert x == y, tag
            else:
                assert x is not None and x.shape == y.shape and x.dtype == y.dtype, (tag, x, y)
                np.testing.assert_allclose(x, y, err_msg=tag, **TOL[np.dtype(dtype)])


def _tensor(lib, array, dtype, requires_grad=True):
    if lib is ag:
        return ag.tensor(array.astype(dtype), requires_grad=requires_grad)
    return torch.tensor(array.astype(dtype), requires_grad=requires_grad)


def _pair(make, dtype):
    """(ours, theirs): `make(lib)` in both libraries with torch's weights."""
    torch.manual_seed(0)
    theirs = make(torch).to(torch_dtype(dtype))
    ours = make(ag).to(dtype)
    load_from_torch(ours, theirs)
    return ours, theirs


def _both(scenario, make, dtype, **kw):
    """Run scenario(lib, module, log) in both libraries; compare the logs."""
    ours, theirs = _pair(make, dtype)
    log_a, log_t = [], []
    out_a = scenario(ag, ours, log_a, dtype, **kw)
    out_t = scenario(torch, theirs, log_t, dtype, **kw)
    assert_same_log(log_a, log_t, dtype)
    return out_a, out_t


RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4))
Y = RNG.standard_normal((3, 4))


# ---- modules used by the scenarios ------------------------------------------------------------
def mlp(lib):
    return lib.nn.Sequential(lib.nn.Linear(4, 5), lib.nn.Tanh(), lib.nn.Linear(5, 2))


def two_inputs(lib):
    class Mix(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = lib.nn.Linear(4, 4)

        def forward(self, a, k, b, *, c=None):
            out = self.fc(a) * b * k
            return out if c is None else out + c

    return Mix()


def two_outputs(lib):
    class Split(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = lib.nn.Linear(4, 4)

        def forward(self, a):
            h = self.fc(a)
            return h.tanh(), 7, h * 3

    return Split()


# ---- full backward hooks ---------------------------------------------------------------------------
def _grads_scenario(lib, model, log, dtype, target="0", input_grad=True):
    mod = model.get_submodule(target)
    mod.register_full_backward_pre_hook(lambda m, go: _record(log, "pre", go))
    mod.register_full_backward_hook(lambda m, gi, go: _record(log, "full", gi) or _record(log, "full_go", go))
    x = _tensor(lib, X, dtype, input_grad)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        out = model(x)
        (out * out).sum().backward()
    log.append(("warned", any("no inputs require gradients" in str(m.message) for m in w)))
    log.append(("params", tuple(_np(p.grad) for p in model.parameters())))
    if input_grad:
        log.append(("x.grad", (_np(x.grad),)))
    return out


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("target", ["", "0", "1", "2"])
@pytest.mark.parametrize("input_grad", [True, False])
def test_full_backward_hook_sees_pytorchs_gradients(dtype, target, input_grad):
    out_a, out_t = _both(_grads_scenario, mlp, dtype, target=target, input_grad=input_grad)
    assert out_a.grad_fn.name() == out_t.grad_fn.name() or target != ""


def _mixed_inputs_scenario(lib, model, log, dtype, b_grad):
    model.register_full_backward_pre_hook(lambda m, go: _record(log, "pre", go))
    model.register_full_backward_hook(lambda m, gi, go: _record(log, "full", gi) or _record(log, "go", go))
    a = _tensor(lib, X, dtype)
    b = _tensor(lib, Y, dtype, b_grad)
    c = _tensor(lib, Y, dtype)  # a keyword argument: not in grad_input
    model(a, 2.5, b, c=c).pow(2).sum().backward()
    log.append(("grads", (_np(a.grad), _np(b.grad), _np(c.grad))))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("b_grad", [True, False])
def test_grad_input_has_none_for_non_tensors_and_zeros_for_tensors_without_grad(dtype, b_grad):
    # PyTorch passes zeros (not None) for a tensor input that doesn't require grad
    _both(_mixed_inputs_scenario, two_inputs, dtype, b_grad=b_grad)


def _outputs_scenario(lib, model, log, dtype, use_both):
    model.register_full_backward_pre_hook(lambda m, go: _record(log, "pre", go))
    model.register_full_backward_hook(lambda m, gi, go: _record(log, "full", gi) or _record(log, "go", go))
    a = _tensor(lib, X, dtype)
    t, k, s = model(a)
    log.append(("k", k))
    loss = t.sum() + (s.sum() if use_both else 0)
    loss.backward()
    log.append(("a.grad", (_np(a.grad),)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("use_both", [True, False])
def test_grad_output_has_none_for_non_tensors_and_unused_outputs(dtype, use_both):
    _both(_outputs_scenario, two_outputs, dtype, use_both=use_both)


def _order_scenario(lib, model, log, dtype):
    lin = model[0]
    lin.register_full_backward_pre_hook(lambda m, go: log.append(("pre1", None)))
    lin.register_full_backward_pre_hook(lambda m, go: log.append(("pre0", None)), prepend=True)
    lin.register_full_backward_hook(lambda m, gi, go: log.append(("full1", None)))
    lin.register_full_backward_hook(lambda m, gi, go: log.append(("full0", None)), prepend=True)
    model[2].register_full_backward_hook(lambda m, gi, go: log.append(("last layer", None)))
    x = _tensor(lib, X, dtype) * 1
    x.register_hook(lambda g: log.append(("x hook", None)))
    y = lin(x)
    y.register_hook(lambda g: log.append(("y hook", None)))
    model[2](model[1](y)).sum().backward()


@pytest.mark.parametrize("dtype", DTYPES)
def test_hook_order(dtype):
    _both(_order_scenario, mlp, dtype)


def _replace_scenario(lib, model, log, dtype):
    lin = model[0]
    lin.register_full_backward_pre_hook(lambda m, go: (go[0] * 2,))
    lin.register_full_backward_hook(lambda m, gi, go: _record(log, "go seen", go) or (gi[0] * 10,))
    model[2].register_full_backward_hook(lambda m, gi, go: [gi[0] - 1])  # a list works too
    x = _tensor(lib, X, dtype)
    model(x).sum().backward()
    log.append(("grads", tuple(_np(p.grad) for p in model.parameters()) + (_np(x.grad),)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_hooks_replace_gradients(dtype):
    _both(_replace_scenario, mlp, dtype)


def _drop_scenario(lib, model, log, dtype):
    model[0].register_full_backward_hook(lambda m, gi, go: (None,))
    x = _tensor(lib, X, dtype)
    model(x).sum().backward()
    log.append(("x.grad is None", x.grad is None))


@pytest.mark.parametrize("dtype", DTYPES)
def test_returning_none_drops_the_gradient(dtype):
    _both(_drop_scenario, mlp, dtype)


def _repeat_scenario(lib, model, log, dtype):
    lin = model[0]
    calls = []
    lin.register_full_backward_hook(lambda m, gi, go: calls.append(_np(gi[0])))
    x = _tensor(lib, X[:, :4], dtype)
    h = lin(x)
    y = lin(lib.cat([h, h[:, :1] * 0 + 1, h[:, :2]], 1)[:, :4])  # the module called twice
    y.sum().backward(retain_graph=True)
    y.sum().backward()
    log.append(("calls", len(calls)))
    for i, c in enumerate(calls):
        log.append((f"call {i}", (c,)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_fires_once_per_call_and_backward(dtype):
    _both(_repeat_scenario, lambda lib: lib.nn.Sequential(lib.nn.Linear(4, 5)), dtype)


def _same_tensor_twice(lib, model, log, dtype):
    class Mul(lib.nn.Module):
        def forward(self, p, q):
            return p * q

    m = Mul()
    m.register_full_backward_hook(lambda mod, gi, go: _record(log, "gi", gi))
    a = _tensor(lib, X, dtype)
    m(a, a).sum().backward()
    log.append(("a.grad", (_np(a.grad),)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_same_tensor_in_two_positions(dtype):
    _both(_same_tensor_twice, mlp, dtype)


def _int_input(lib, model, log, dtype):
    class Gather(lib.nn.Module):
        def forward(self, a, idx):
            return a[idx] * 2

    m = Gather()
    m.register_full_backward_hook(lambda mod, gi, go: _record(log, "gi", gi) or _record(log, "go", go))
    a = _tensor(lib, X, dtype)
    m(a, lib.tensor([2, 0, 2])).sum().backward()


@pytest.mark.parametrize("dtype", DTYPES)
def test_integer_tensor_input_gets_integer_zeros(dtype):
    _both(_int_input, mlp, dtype)


def _maxpool_indices(lib, model, log, dtype):
    pool = lib.nn.MaxPool2d(2, return_indices=True)
    pool.register_full_backward_hook(lambda mod, gi, go: _record(log, "gi", gi) or _record(log, "go", go))
    x = _tensor(lib, RNG.standard_normal((1, 2, 4, 4)), dtype)
    out, idx = pool(x)
    log.append(("idx", (idx.requires_grad, idx.grad_fn is None)))
    out.sum().backward()


@pytest.mark.parametrize("dtype", DTYPES)
def test_non_differentiable_output(dtype):
    RNG.bit_generator.state = np.random.default_rng(5).bit_generator.state
    ours, theirs = _pair(mlp, dtype)
    la, lt = [], []
    rng_state = RNG.bit_generator.state
    _maxpool_indices(ag, ours, la, dtype)
    RNG.bit_generator.state = rng_state
    _maxpool_indices(torch, theirs, lt, dtype)
    assert_same_log(la, lt, dtype)


def _pre_hook_only_without_input_grad(lib, model, log, dtype):
    model[0].register_full_backward_pre_hook(lambda m, go: _record(log, "pre", go))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        model(_tensor(lib, X, dtype, False)).sum().backward()
    log.append(("warned", [type(m.message).__name__ for m in w]))


@pytest.mark.parametrize("dtype", DTYPES)
def test_pre_hook_alone_warns_when_no_input_requires_grad(dtype):
    _both(_pre_hook_only_without_input_grad, mlp, dtype)


def _nested_output(lib, model, log, dtype, kind):
    class Out(lib.nn.Module):
        def forward(self, x):
            y = x * 2
            if kind == "dict":
                return {"y": y}
            if kind == "list":
                return [y]
            return collections.namedtuple("P", "u v")(y, 3)

    m = Out()
    m.register_full_backward_hook(lambda mod, gi, go: _record(log, "gi", gi) or _record(log, "go", go))
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = m(_tensor(lib, X, dtype))
    log.append(("warned", [str(m.message).split(" but")[0] for m in w]))
    log.append(("type", type(r).__name__))
    (r["y"] if kind == "dict" else r[0]).sum().backward()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["dict", "list", "namedtuple"])
def test_outputs_that_are_not_tensors_or_tuples(dtype, kind):
    _both(_nested_output, mlp, dtype, kind=kind)


# ---- errors, handles, no grad ---------------------------------------------------------------------------
def _errors(lib):
    out = []
    x = lib.ones(2, 4, requires_grad=True)
    cases = [
        ("full", lambda m, gi, go: (None, None), x),
        ("pre", lambda m, go: (None, None), x),
        ("full", lambda m, gi, go: (lib.zeros(2, 4),), lib.ones(2, 4)),  # no input requires grad
    ]
    for kind, hook, inp in cases:
        lin = lib.nn.Linear(4, 3)
        getattr(lin, f"register_full_backward_{'pre_' if kind == 'pre' else ''}hook")(hook)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                lin(inp).sum().backward()
                out.append(None)
            except RuntimeError as e:
                out.append(str(e))
    lin = lib.nn.Linear(4, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lin.register_backward_hook(lambda m, gi, go: None)
    try:
        lin.register_full_backward_hook(lambda m, gi, go: None)
    except RuntimeError as e:
        out.append(str(e))
    return out


def test_errors_match_pytorch():
    assert _errors(ag) == _errors(torch)


def test_wrong_shape_from_a_hook_raises():
    lin = nn.Linear(4, 3)
    lin.register_full_backward_hook(lambda m, gi, go: (ag.ones(4),))
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        lin(ag.ones(2, 4, requires_grad=True)).sum().backward()
    lin = nn.Linear(4, 3)
    lin.register_full_backward_pre_hook(lambda m, go: (ag.ones(3),))
    with pytest.raises(RuntimeError, match="has changed the size of value"):
        lin(ag.ones(2, 4, requires_grad=True)).sum().backward()
    with pytest.raises(TypeError, match="callable"):
        lin.register_full_backward_hook(3)


def test_handle_remove_and_no_grad():
    lin = nn.Linear(4, 3)
    calls = []
    h = lin.register_full_backward_hook(lambda m, gi, go: calls.append("full"))
    hp = lin.register_full_backward_pre_hook(lambda m, go: calls.append("pre"))
    x = ag.ones(2, 4, requires_grad=True)
    lin(x).sum().backward()
    assert calls == ["pre", "full"]
    with ag.no_grad():
        y = lin(x)
    assert y.grad_fn is None
    h.remove()
    hp.remove()
    h.remove()  # twice is harmless
    y = lin(x)
    assert y.grad_fn.name() == "AddmmBackward" or "BackwardHook" not in y.grad_fn.name()
    y.sum().backward()
    assert calls == ["pre", "full"]


def test_legacy_backward_hook_runs_as_full_hook_with_a_warning():
    lin = nn.Linear(4, 3)
    seen = []
    with pytest.warns(FutureWarning, match="register_full_backward_hook"):
        lin.register_backward_hook(lambda m, gi, go: seen.append(len(gi)))
    lin(ag.ones(2, 4, requires_grad=True)).sum().backward()
    assert seen == [1]
    with pytest.raises(RuntimeError, match="Cannot use both"):
        lin.register_full_backward_hook(lambda m, gi, go: None)


def _inplace(lib, where):
    class M(lib.nn.Module):
        def forward(self, x):
            return x.relu_() if where in ("input", "slice") else x * 2

    m = M() if where != "relu" else lib.nn.ReLU(inplace=True)
    m.register_full_backward_hook(lambda mod, gi, go: None)
    x = lib.ones(3, requires_grad=True)
    base = x * 1
    try:
        y = m(base[1:] if where == "slice" else base)
        if where == "output":
            y.add_(1)
        elif where == "base":
            base.add_(1)
        y.sum().backward()
        return "ok"
    except RuntimeError as e:
        return "error" if "BackwardHookFunction" in str(e) and "modified inplace" in str(e) else str(e)


@pytest.mark.parametrize("where", ["input", "output", "relu", "slice"])
def test_in_place_change_of_a_hooked_tensor_raises(where):
    # PyTorch: "Output 0 of BackwardHookFunction is a view and is being modified inplace..."
    assert _inplace(ag, where) == _inplace(torch, where) == "error"


def test_in_place_change_of_a_hooked_input_after_the_call_raises_at_backward_as_torch():
    """The caller may change the input in place after the call; backward raises where
    the graph reads it (Linear's saved input), as PyTorch's does."""
    for lib in (ag, torch):
        lin = lib.nn.Linear(3, 3)
        lin.register_full_backward_hook(lambda mod, gi, go: None)
        x = lib.ones(3, requires_grad=True) * 1
        y = lin(x)
        x.add_(1)
        with pytest.raises(RuntimeError, match="(?i)modified by an in-?place|has been modified inplace"):
            y.sum().backward()


def test_in_place_change_without_recording_is_allowed():
    lin = nn.Linear(3, 3)
    lin.register_full_backward_hook(lambda mod, gi, go: None)
    y = lin(ag.ones(3, requires_grad=True))
    with ag.no_grad():
        y.add_(1)  # PyTorch too; it raises later, where y's history is read
    y2 = lin(ag.ones(3, requires_grad=True)).clone()
    y2.add_(1)  # a clone is the documented way out
    y2.sum().backward()


def _double_backward(lib, model, log, dtype):
    lin = model[0]
    lin.register_full_backward_hook(lambda m, gi, go: _record(log, "gi", gi) or _record(log, "go", go))
    lin.register_full_backward_pre_hook(lambda m, go: _record(log, "pre", go))
    x = _tensor(lib, X, dtype)
    y = model(x).pow(2).sum()
    (gx,) = lib.autograd.grad(y, x, create_graph=True)
    log.append(("first", len(log)))
    gx.pow(2).sum().backward()  # through the output view pow saved: the hooks fire again
    log.append(("x.grad", (_np(x.grad),)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_create_graph_and_double_backward(dtype):
    _both(_double_backward, mlp, dtype)


def test_conv_relu_fusion_keeps_backward_hooks():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU())
    calls = []
    model[1].register_full_backward_hook(lambda m, gi, go: calls.append("relu"))
    model[0].register_full_backward_pre_hook(lambda m, go: calls.append("conv pre"))
    model(ag.ones(1, 1, 5, 5, requires_grad=True)).sum().backward()
    assert calls == ["relu", "conv pre"]


# ---- forward hooks' options ----------------------------------------------------------------------------
def _forward_options(lib):
    log = []

    class K(lib.nn.Module):
        def forward(self, x, scale=1.0):
            return x * scale

    k = K()

    def pre(m, args, kwargs):
        log.append(("pre kw", _np(args[0]).tolist(), dict(kwargs)))
        return (args[0] + 1,), {"scale": 10.0}

    def post(m, args, kwargs, out):
        log.append(("post kw", _np(args[0]).tolist(), dict(kwargs), _np(out).tolist()))
        return out + 1

    k.register_forward_pre_hook(pre, with_kwargs=True)
    k.register_forward_hook(post, with_kwargs=True)
    k.register_forward_pre_hook(lambda m, args: log.append("plain pre first"), prepend=True)
    k.register_forward_hook(lambda m, args, out: log.append("plain post first"), prepend=True)
    k.register_forward_pre_hook(lambda m, args: args[0] * 2)  # not a tuple: wrapped
    log.append(_np(k(lib.zeros(1), scale=2.0)).tolist())
    bad = K()
    bad.register_forward_pre_hook(lambda m, a, kw: 5, with_kwargs=True)
    try:
        bad(lib.zeros(1))
    except RuntimeError as e:
        log.append(str(e))
    try:
        bad.register_forward_hook(lambda *a: None, True)
    except TypeError as e:
        log.append(type(e).__name__)
    return log


def test_forward_hook_options():
    assert _forward_options(ag) == _forward_options(torch)


def _always_call(lib):
    log = []

    class Boom(lib.nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    b = Boom()
    b.register_forward_hook(lambda m, a, o: log.append(("always", o)), always_call=True)
    b.register_forward_hook(lambda m, a, o: log.append("not always"))
    b.register_forward_hook(lambda m, a, kw, o: log.append(("always kw", kw, o)), always_call=True,
                            with_kwargs=True)
    b.register_forward_hook(lambda m, a, o: 1 / 0, always_call=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            b(lib.zeros(1))
        except ValueError as e:
            log.append(str(e))
    log.append([str(m.message) for m in w])
    c = lib.nn.Linear(1, 1)
    c.register_forward_hook(lambda m, a, o: log.append(("ran once", tuple(o.shape))), always_call=True)
    h = c.register_forward_hook(lambda m, a, o: 1 / 0)
    try:
        c(lib.zeros(1))
    except ZeroDivisionError:
        log.append("zero division")
    h.remove()
    c(lib.zeros(1))
    return log


def test_always_call_forward_hooks():
    assert _always_call(ag) == _always_call(torch)


def _global_hooks(lib):
    mm = lib.nn.modules.module
    log = []
    lin = lib.nn.Linear(2, 2)
    lin.register_forward_hook(lambda m, a, o: log.append("own forward"))
    lin.register_full_backward_hook(lambda m, gi, go: log.append("own full"))
    handles = [
        mm.register_module_forward_pre_hook(lambda m, a: log.append(("global pre", type(m).__name__))),
        mm.register_module_forward_hook(lambda m, a, o: log.append(("global forward", type(m).__name__))),
        mm.register_module_full_backward_pre_hook(lambda m, go: log.append(("global bw pre", type(m).__name__))),
        mm.register_module_full_backward_hook(lambda m, gi, go: log.append(("global full", len(gi)))),
    ]
    try:
        model = lib.nn.Sequential(lin, lib.nn.Tanh())
        model(lib.ones(1, 2, requires_grad=True)).sum().backward()
    finally:
        for h in handles:
            h.remove()
    log.append("removed")
    model(lib.ones(1, 2, requires_grad=True)).sum().backward()
    return log


def test_global_module_hooks():
    assert _global_hooks(ag) == _global_hooks(torch)
    assert not GLOBAL_HOOKS
