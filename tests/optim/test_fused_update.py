"""The one dispatcher of elementwise updates (optim/fused_update.py): every
elementwise optimizer goes through it, its kernels exist in both forms, shapes are
checked before a kernel runs, every written tensor's version moves on exactly once,
the NumPy reference agrees with the kernel, and the per-(dtype, args) cache of kernel
arguments stays bounded."""
import inspect

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import optim
from autograd_lite.kernels import lazy
from autograd_lite.optim.fused_update import FusedUpdate, flat_views

ELEMENTWISE = {  # optimizer -> (options that use every buffer, the state tensors it writes)
    "SGD": (dict(lr=0.1, momentum=0.9), ["momentum_buffer"]),
    "Adam": (dict(amsgrad=True), ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"]),
    "AdamW": (dict(amsgrad=True), ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"]),
    "RMSprop": (dict(momentum=0.5, centered=True), ["square_avg", "grad_avg", "momentum_buffer"]),
    "Adagrad": (dict(), ["sum"]),
    "Adadelta": (dict(), ["square_avg", "acc_delta"]),
    "Adamax": (dict(), ["exp_avg", "exp_inf"]),
    "NAdam": (dict(), ["exp_avg", "exp_avg_sq"]),
    "RAdam": (dict(), ["exp_avg", "exp_avg_sq"]),
    "ASGD": (dict(), ["ax"]),
    "Rprop": (dict(), ["prev", "step_size"]),
}


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_every_elementwise_optimizer_uses_the_dispatcher(name):
    """Its FusedUpdate names a kernel that exists, and a real step's arguments fit it:
    the reference's arrays plus kernel_args' values are exactly the kernel's
    parameters."""
    update = getattr(optim, name)._update
    assert isinstance(update, FusedUpdate) and update.optimizer == name
    module = getattr(lazy, update.module)
    serial = getattr(module, update.kernel + "_serial")
    n_kernel = len(serial.parameters)  # the kernel's arrays and scalars, then its flags
    captured, original = [], update.kernel_args
    update.kernel_args = lambda dt, *args: captured.append(args) or original(dt, *args)
    update._args_cache.clear()
    try:
        p = ag.ones(4, dtype=ag.float64, requires_grad=True)
        opt = getattr(optim, name)([p], **ELEMENTWISE[name][0])
        p.grad = ag.ones(4, dtype=ag.float64)
        opt.step()
    finally:
        update.kernel_args = original
        update._args_cache.clear()
    args = captured[0]
    n_arrays = len(inspect.signature(update.reference).parameters) - len(args)
    assert n_arrays >= 3  # parameter, gradient, at least one state buffer
    assert n_arrays + len(original(np.float64, *args)) == n_kernel


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_each_written_tensor_is_marked_dirty_once(name):
    kw, written = ELEMENTWISE[name]
    p = ag.ones(4, requires_grad=True)
    opt = getattr(optim, name)([p], **kw)
    p.grad = ag.full((4,), 0.5)
    opt.step()
    state = opt.state[p]
    versions = {k: state[k]._version for k in written}
    v = p._version
    p.grad = ag.full((4,), -0.25)
    opt.step()
    assert p._version == v + 1
    for k in written:
        assert state[k]._version == versions[k] + 1, k
    assert p.grad_fn is None and p.is_leaf


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_shapes_are_checked_before_a_kernel_runs(name):
    kw, written = ELEMENTWISE[name]
    p = ag.ones(4, requires_grad=True)
    opt = getattr(optim, name)([p], **kw)
    with pytest.raises(RuntimeError, match="attempting to assign a gradient of size"):
        p.grad = ag.ones(3)
    p.grad = ag.ones(4)
    p.grad.data = ag.ones(3)  # .data may change a tensor's shape (as PyTorch's): the step checks
    with pytest.raises(RuntimeError, match=rf"{name}.step: the gradient of a parameter of shape \(4,\) has shape \(3,\)"):
        opt.step()
    p.grad = ag.ones(4)
    opt.step()
    state = opt.state[p]
    state[written[-1]]._data = np.zeros(5, np.float32)  # a corrupted buffer
    with pytest.raises(RuntimeError, match=rf"{name}.step: a state buffer of shape \(5,\) does not match"):
        opt.step()


def test_read_only_parameter_is_an_error():
    p = ag.ones(3, requires_grad=True)
    p._data.flags.writeable = False
    opt = optim.Adamax([p])
    p.grad = ag.ones(3)
    with pytest.raises(RuntimeError, match="Adamax.step: a parameter's data .* is read-only"):
        opt.step()


@pytest.mark.parametrize("name", [*ELEMENTWISE, "Adafactor"])
def test_integer_parameters_and_gradients(name):
    """An integer parameter is refused with the optimizer's name (PyTorch fails with
    messages from deep inside, or not at all for some); an integer gradient can't be
    assigned (PyTorch's error), and one put in through .grad.data is cast to the
    parameter's dtype, as PyTorch's Adagrad and SGD do."""
    kw = ELEMENTWISE[name][0] if name in ELEMENTWISE else {}
    p = ag.zeros(3, dtype=ag.int64)
    opt = getattr(optim, name)([p], **kw)
    p.grad = ag.ones(3, dtype=ag.int64)
    with pytest.raises(RuntimeError, match=rf"{name}.step: can only update floating point parameters, got a "
                                           r"int64 parameter of shape \(3,\)"):
        opt.step()
    steps = []
    for lib in (ag, torch):
        q = lib.nn.Parameter(lib.zeros(2, 3))
        with pytest.raises(RuntimeError, match="attempting to assign a gradient with dtype"):
            q.grad = lib.ones(2, 3, dtype=lib.int64)
        if name not in ("Adagrad", "SGD"):
            continue
        opt = getattr(lib.optim, name)([q], **kw)
        q.grad = lib.ones(2, 3)
        q.grad.data = lib.ones(2, 3, dtype=lib.int64)
        opt.step()
        steps.append(q.detach().numpy())
    if steps:
        np.testing.assert_allclose(steps[0], steps[1], rtol=1e-6)
    q = ag.nn.Parameter(ag.zeros(2, 3))
    opt = getattr(optim, name)([q], **kw)
    q.grad = ag.ones(2, 3)
    q.grad.data = ag.ones(2, 3, dtype=ag.int64)
    opt.step()
    assert q.dtype == np.float32 and all(b.dtype != np.int64 for b in opt.state[q].values() if b.ndim)


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("layout", ["fortran", "strided", "float16"])
def test_reference_path_agrees_with_the_kernel(name, layout):
    """The same steps on a C-contiguous float64 parameter (kernel) and on one the
    kernel can't take (NumPy reference, or F-order views): equal to rounding; float16
    runs the reference in float16."""
    kw, _ = ELEMENTWISE[name]
    rng = np.random.default_rng(11)
    start = rng.standard_normal((4, 6))
    grads = [rng.standard_normal((4, 6)) for _ in range(6)]
    dtype = np.float16 if layout == "float16" else np.float64
    a = ag.tensor(start.copy(), requires_grad=True)
    b = ag.tensor(start.astype(dtype), requires_grad=True)
    if layout == "fortran":
        b._data = np.asfortranarray(b._data)
    elif layout == "strided":
        holder = np.zeros((4, 12))
        holder[:, ::2] = b._data
        b._data = holder[:, ::2]
    oa, ob = getattr(optim, name)([a], **kw), getattr(optim, name)([b], **kw)
    assert (flat_views([b._data, b._data]) is None) == (layout != "fortran")
    for g in grads:
        a.grad, b.grad = ag.tensor(g.copy()), ag.tensor(g.astype(dtype))
        oa.step()
        ob.step()
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == np.float64 else dict(rtol=2e-2, atol=2e-2)
    np.testing.assert_allclose(b._data.astype(np.float64), a._data, **tol)
    assert b._data.dtype == dtype


def test_kernel_arguments_are_cached_per_dtype_and_args_and_bounded():
    update = optim.Adagrad._update
    update._args_cache.clear()
    params = [ag.ones(3, requires_grad=True) for _ in range(4)]
    opt = optim.Adagrad(params, lr_decay=0.1)
    for p in params:
        p.grad = ag.ones(3)
    opt.step()
    assert len(update._args_cache) == 1  # four parameters, one step: one set of arguments
    for _ in range(100):
        opt.step()
    assert 1 <= len(update._args_cache) <= 64  # the decaying rate changes every step


def test_flat_views():
    c = np.zeros((2, 3))
    f = np.asfortranarray(c)
    assert [v.shape for v in flat_views([c, c.copy()])] == [(6,), (6,)]
    assert flat_views([f, np.asfortranarray(c)])[0].base is not None
    assert flat_views([c, f]) is None  # mixed layouts
    assert flat_views([c, c.astype(np.float32)]) is None  # mixed dtypes
    assert flat_views([c.astype(np.float16)]) is None
    v = flat_views([c, c])[0]
    v[0] = 1.0
    assert c[0, 0] == 1.0  # views, not copies
