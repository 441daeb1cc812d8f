"""autograd.functional against torch.autograd.functional: vjp, jvp, jacobian, hessian,
vhp and hvp give the same structures (tuples vs tensors), shapes, dtypes, values and
requires_grad flags, in float64 and float32; create_graph results differentiate alike;
the strict-mode and argument errors say what PyTorch's say."""
import numpy as np
import pytest
import torch
import torch.autograd.functional as TF

import autograd_lite as ag
import autograd_lite.autograd.functional as F
from autograd_lite.as_torch import aliased
from tests.helpers import FLOAT_DTYPES, TOL, assert_same

RNG = np.random.default_rng(0)
A, B, C = RNG.standard_normal((3,)), RNG.standard_normal((2, 3)), RNG.standard_normal((2,))


def conv(lib, value, dtype):
    """NumPy arrays (nested in tuples) as lib tensors of dtype."""
    if isinstance(value, tuple):
        return tuple(conv(lib, v, dtype) for v in value)
    return lib.tensor(np.asarray(value, dtype=dtype))


def check_same(a, t, dtype, what="result"):
    """Same nesting (tuple vs Tensor), shapes, dtypes, values and requires_grad."""
    if isinstance(t, (tuple, list)):
        assert type(a) is type(t) and len(a) == len(t), f"{what}: {type(a).__name__} vs torch's {type(t).__name__}"
        for i, (x, y) in enumerate(zip(a, t)):
            check_same(x, y, dtype, f"{what}[{i}]")
        return
    assert isinstance(t, torch.Tensor), what
    assert isinstance(a, ag.Tensor), f"{what}: {type(a).__name__} where torch gives a Tensor"
    assert a.requires_grad == t.requires_grad, f"{what}: requires_grad {a.requires_grad} != {t.requires_grad}"
    assert_same(a, t, TOL[np.dtype(dtype)], what)


# functions of (lib) -> callable, with the inputs they take
def f_one_one(lib):
    return lambda x: (x.exp() * x.sin()).reshape(3, 1) * x


def f_tuple_one(lib):
    return lambda x, y: (y * x).tanh().sum(0) * x


def f_one_tuple(lib):
    return lambda x: (x.cos(), (x * x).sum())


def f_tuple_tuple(lib):
    return lambda x, y: ((x * y).sin(), (y ** 3).sum(1))


def f_unused(lib):
    return lambda x, y: x.exp()  # y unused


JAC_CASES = [(f_one_one, A), (f_tuple_one, (A, B)), (f_one_tuple, A), (f_tuple_tuple, (A, B)),
             (f_unused, (A, B))]


def both(name, make, inputs, dtype, *args, **kwargs):
    out = []
    for lib, mod in ((ag, F), (torch, TF)):
        out.append(getattr(mod, name)(make(lib), conv(lib, inputs, dtype),
                                      *(conv(lib, a, dtype) if a is not None else None for a in args), **kwargs))
    return out


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("make,inputs", JAC_CASES)
@pytest.mark.parametrize("vectorize", [False, True])
def test_jacobian_matches_torch(make, inputs, dtype, vectorize):
    ours, theirs = both("jacobian", make, inputs, dtype, vectorize=vectorize)
    check_same(ours, theirs, dtype)


@pytest.mark.parametrize("make,inputs", JAC_CASES)
def test_jacobian_forward_mode_strategy_gives_the_same_values(make, inputs):
    ours, theirs = both("jacobian", make, inputs, np.float64, vectorize=True, strategy="forward-mode")
    check_same(ours, theirs, np.float64)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("make,inputs", JAC_CASES[:4])
def test_jacobian_create_graph_differentiates_as_torch(make, inputs, dtype):
    grads, flags = [], []
    for lib, mod in ((ag, F), (torch, TF)):
        xs = conv(lib, inputs, dtype)
        xs_t = xs if isinstance(xs, tuple) else (xs,)
        for x in xs_t:
            x.requires_grad_(True)
        jac = mod.jacobian(make(lib), xs, create_graph=True)
        flat = [jac] if not isinstance(jac, tuple) else [j for row in jac for j in (row if isinstance(row, tuple) else (row,))]
        total = sum(((j ** 2).sum() for j in flat), lib.zeros((), dtype=xs_t[0].dtype))
        grads.append(lib.autograd.grad(total, xs_t, allow_unused=True))
        flags.append([j.requires_grad for j in flat])
    assert flags[0] == flags[1]
    for a, t in zip(*grads):
        assert_same(a, t, TOL[np.dtype(dtype)], "grad of the jacobian")


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("make,inputs,v", [
    (f_one_one, A, np.ones((3, 3))), (f_tuple_one, (A, B), RNG.standard_normal(3)),
    (f_one_tuple, A, (RNG.standard_normal(3), 2.0)), (f_tuple_tuple, (A, B), (B, C)), (f_unused, (A, B), A),
])
@pytest.mark.parametrize("create_graph", [False, True])
def test_vjp_matches_torch(make, inputs, v, dtype, create_graph):
    ours, theirs = both("vjp", make, inputs, dtype, v, create_graph=create_graph)
    check_same(ours, theirs, dtype)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("make,inputs,v", [
    (f_one_one, A, C[:1].repeat(3)), (f_tuple_one, (A, B), (C.repeat(2)[:3], B)),
    (f_one_tuple, A, A), (f_tuple_tuple, (A, B), (A, B)), (f_unused, (A, B), (A, B)),
])
@pytest.mark.parametrize("create_graph", [False, True])
def test_jvp_matches_torch(make, inputs, v, dtype, create_graph):
    ours, theirs = both("jvp", make, inputs, dtype, v, create_graph=create_graph)
    check_same(ours, theirs, dtype)


def scalar_one(lib):
    return lambda x: (x.exp() * x.sin()).sum() + (x.prod() ** 2)


def scalar_tuple(lib):
    return lambda x, y: (y * x).tanh().sum() * (x ** 2).sum()


def scalar_linear(lib):
    return lambda x, y: (x * 2).sum() + y.sum()  # a zero hessian


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("make,inputs", [(scalar_one, A), (scalar_tuple, (A, B)), (scalar_linear, (A, B))])
@pytest.mark.parametrize("create_graph", [False, True])
def test_hessian_matches_torch(make, inputs, dtype, create_graph):
    ours, theirs = both("hessian", make, inputs, dtype, create_graph=create_graph)
    check_same(ours, theirs, dtype)


@pytest.mark.parametrize("name", ["hvp", "vhp"])
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("make,inputs,v", [(scalar_one, A, C.repeat(2)[:3]), (scalar_tuple, (A, B), (A, B)),
                                           (scalar_linear, (A, B), (A, B))])
@pytest.mark.parametrize("create_graph", [False, True])
def test_hvp_and_vhp_match_torch(name, make, inputs, v, dtype, create_graph):
    ours, theirs = both(name, make, inputs, dtype, v, create_graph=create_graph)
    check_same(ours, theirs, dtype)


def test_v_may_be_none_for_one_element_as_torch():
    for name, fn in [("vjp", lambda x: (x * x).sum()), ("jvp", lambda x: x * 3), ("hvp", lambda x: (x ** 3).sum()),
                     ("vhp", lambda x: (x ** 3).sum())]:
        ours, theirs = both(name, lambda lib: fn, np.array([0.7]), np.float64)
        check_same(ours, theirs, np.float64, name)


def error_of(call):
    try:
        call()
    except Exception as e:  # noqa: BLE001 - compared by type and text
        # torch's texts are compared without whitespace: one of them lacks a space ("isonly")
        return type(e).__name__, "".join(str(e).replace("autograd_lite.Size", "torch.Size").split())
    return None


def same_error(name, make, inputs, *args, **kwargs):
    errors = []
    for lib, mod in ((ag, F), (torch, TF)):
        raw = isinstance(inputs, str) or isinstance(inputs, tuple) and any(isinstance(i, str) for i in inputs)
        xs = inputs if raw else conv(lib, inputs, np.float64)
        errors.append(error_of(lambda: getattr(mod, name)(make(lib), xs, *(
            conv(lib, a, np.float64) if isinstance(a, (np.ndarray, tuple)) else a for a in args), **kwargs)))
    assert errors[1] is not None, "torch raised nothing"
    assert errors[0] == errors[1]


@pytest.mark.parametrize("name,make,inputs,args,kwargs", [
    ("jacobian", f_unused, (A, B), (), dict(strict=True)),
    ("jacobian", lambda lib: (lambda x: x.detach() * 2), A, (), dict(strict=True)),
    ("jacobian", f_one_one, A, (), dict(strict=True, vectorize=True)),
    ("jacobian", f_one_one, A, (), dict(strategy="forward-mode")),
    ("jacobian", f_one_one, A, (), dict(strategy="forward-mode", vectorize=True, create_graph=True)),
    ("jacobian", f_one_one, A, (), dict(strategy="forward-mode", vectorize=True, strict=True)),
    ("jacobian", lambda lib: (lambda x: 3), A, (), {}),
    ("jacobian", f_one_one, "not a tensor", (), {}),
    ("jacobian", f_tuple_one, ("not a tensor",), (), {}),
    ("vjp", f_unused, (A, B), (A,), dict(strict=True)),
    ("vjp", f_one_one, A, (), {}),
    ("vjp", f_one_one, A, (A,), {}),
    ("vjp", f_one_tuple, A, ((A,),), {}),
    ("vjp", f_one_tuple, A, ((A, A),), {}),
    ("vjp", f_one_one, A, ((A, A),), {}),
    ("jvp", f_one_one, A, (), {}),
    ("jvp", f_one_one, A, (B,), {}),
    ("jvp", f_unused, (A, B), ((A, B),), dict(strict=True)),
    ("hessian", f_one_tuple, A, (), {}),
    ("hessian", f_one_one, A, (), {}),
    ("hessian", scalar_linear, (A, B), (), dict(strict=True)),
    ("hvp", f_one_one, A, (A,), {}),
    ("hvp", f_one_tuple, A, (A,), {}),
    ("vhp", scalar_linear, (A, B), ((A, B),), dict(strict=True)),
    ("hvp", scalar_linear, (A, B), ((A, B),), dict(strict=True)),
    ("vhp", scalar_one, A, (), {}),
])
def test_errors_match_torch(name, make, inputs, args, kwargs):
    same_error(name, make, inputs, *args, **kwargs)


def test_a_bad_strategy_raises_a_value_error():
    with pytest.raises(ValueError, match='Expected strategy to be either "forward-mode" or "reverse-mode"'):
        F.jacobian(f_one_one(ag), ag.tensor(A), strategy="sideways")
    with pytest.raises(ValueError, match='Expected strategy to be either "forward-mode" or "reverse-mode"'):
        F.hessian(scalar_one(ag), ag.tensor(A), outer_jacobian_strategy="sideways")


def test_an_output_with_no_elements_gives_an_empty_jacobian():
    jac = F.jacobian(lambda x: x[:0] * 2, ag.tensor(A))
    assert tuple(jac.shape) == (0, 3) and jac.dtype == ag.float64
    with pytest.raises(RuntimeError):
        TF.jacobian(lambda x: x[:0] * 2, torch.tensor(A))  # torch can't stack no rows


def test_inputs_are_not_changed_and_get_no_grad():
    x = ag.tensor(A, requires_grad=True)
    F.jacobian(f_one_one(ag), x)
    F.hessian(scalar_one(ag), x)
    assert x.grad is None and x.is_leaf


def test_under_the_torch_alias():
    with aliased():
        import torch as t
        import torch.autograd.functional as tf
        assert t.autograd.functional.jacobian is F.jacobian and tf.hessian is F.hessian
        assert ag.autograd.functional is F
