"""autograd_lite.func's differentiation transforms against torch.func: grad,
grad_and_value (argnums, has_aux, pytree arguments), vjp, jvp, jacrev, jacfwd and
hessian give the same structures, shapes, dtypes, values and requires_grad flags in
float64 and float32; they nest, stay connected to the caller's graph where PyTorch's
do, and raise PyTorch's errors."""
import numpy as np
import pytest
import torch
import torch.func as TF

import autograd_lite as ag
import autograd_lite.func as F
from tests.autograd.func_helpers import check_tree, conv
from tests.helpers import FLOAT_DTYPES

RNG = np.random.default_rng(3)
X, Y, M = RNG.standard_normal(3), RNG.standard_normal(3), RNG.standard_normal((2, 3))


def lib_of(mod):
    return ag if mod is F else torch


def both(make, *values, dtype, requires_grad=False):
    """`make(func_module, lib, *inputs)` in both libraries."""
    return (make(F, ag, *conv(ag, values, dtype, requires_grad)),
            make(TF, torch, *conv(torch, values, dtype, requires_grad)))


# ---- grad, grad_and_value -------------------------------------------------------------------
GRAD_CASES = {
    "one": (lambda f, L, x, y: f.grad(lambda a: (a.sin() * a).sum())(x), (X, Y)),
    "argnum1": (lambda f, L, x, y: f.grad(lambda a, b: (a * b.exp()).sum(), argnums=1)(x, y), (X, Y)),
    "argnums_tuple": (lambda f, L, x, y: f.grad(lambda a, b: (a * b.tanh()).sum(), argnums=(0, 1))(x, y), (X, Y)),
    "negative": (lambda f, L, x, y: f.grad(lambda a, b: (a * b).sum(), argnums=-1)(x, y), (X, Y)),
    "unused": (lambda f, L, x, y: f.grad(lambda a, b: a.sum(), argnums=1)(x, y), (X, Y)),
    "dict_arg": (lambda f, L, x, y: f.grad(lambda p, z: ((p["w"] * z).sin().sum() + p["b"][0].exp()))(
        {"w": x, "b": y}, y), (X, Y)),
    "nested_tuple_list": (lambda f, L, x, y: f.grad(lambda p: (p[0] * p[1][0]).cos().sum())((x, [y])), (X, Y)),
    "aux": (lambda f, L, x, y: f.grad(lambda a: ((a * a).sum(), {"s": a.sin()}), has_aux=True)(x), (X, Y)),
    "value": (lambda f, L, x, y: f.grad_and_value(lambda a, b: (a * b).sum(), argnums=(0, 1))(x, y), (X, Y)),
    "value_aux": (lambda f, L, x, y: f.grad_and_value(lambda a: (a.exp().sum(), (a, [a * 2])), has_aux=True)(x),
                  (X, Y)),
    "kwargs": (lambda f, L, x, y: f.grad(lambda a, scale=1.0: (a * scale).sum())(x, scale=y), (X, Y)),
    "second": (lambda f, L, x, y: f.grad(lambda a: f.grad(lambda b: (b.sin() * b).sum())(a).sum())(x), (X, Y)),
    "third": (lambda f, L, x, y: f.grad(f.grad(f.grad(lambda a: a.sin().sum() * 0 + (a ** 3).sum())))(x[0]),
              (X, Y)),
}


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("case", list(GRAD_CASES))
def test_grad_matches_torch(case, dtype):
    make, values = GRAD_CASES[case]
    ours, theirs = both(make, *values, dtype=dtype)
    check_tree(ours, theirs, dtype, case)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("case", ["one", "argnums_tuple", "dict_arg", "second", "value"])
def test_grad_results_connect_to_the_callers_graph(case, dtype):
    """Inputs that require grad: the transform's results carry the graph (requires_grad
    as torch's), and backward through them gives torch's gradients."""
    make, values = GRAD_CASES[case]
    a_in = conv(ag, values, dtype, requires_grad=True)
    t_in = conv(torch, values, dtype, requires_grad=True)
    ours, theirs = make(F, ag, *a_in), make(TF, torch, *t_in)
    check_tree(ours, theirs, dtype, case)
    a_leaves = [v for v in ag.func._pytree.flatten(ours)[0] if isinstance(v, ag.Tensor) and v.requires_grad]
    t_leaves = [v for v in ag.func._pytree.flatten(theirs)[0] if isinstance(v, torch.Tensor) and v.requires_grad]
    assert len(a_leaves) == len(t_leaves)
    sum(((v * v).sum() for v in a_leaves), ag.tensor(0.0, dtype=dtype)).backward()
    sum(((v * v).sum() for v in t_leaves), torch.tensor(0.0, dtype=t_leaves[0].dtype)).backward()
    for i, (a, t) in enumerate(zip(a_in, t_in)):
        check_tree(a.grad, t.grad, dtype, f"{case}: input {i} grad", grad_flag=False)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_grad_of_a_captured_tensor_stays_connected(dtype):
    x = conv(ag, X, dtype)
    w = conv(ag, Y, dtype, requires_grad=True)
    tx, tw = conv(torch, X, dtype), conv(torch, Y, dtype, requires_grad=True)
    g = F.grad(lambda a: (a * w).sin().sum())(x)
    tg = TF.grad(lambda a: (a * tw).sin().sum())(tx)
    check_tree(g, tg, dtype)
    g.sum().backward()
    tg.sum().backward()
    check_tree(w.grad, tw.grad, dtype)
    with ag.no_grad():
        assert not F.grad(lambda a: (a * w).sin().sum())(x).requires_grad


def test_grad_errors_match_torch():
    x = ag.tensor(X)
    cases = [
        (lambda: F.grad(lambda a: a.sin())(x), RuntimeError, "Expected f(*args) to return a scalar Tensor, got tensor "
                                                             "with 1 dims"),
        (lambda: F.grad(lambda a: 1.0)(x), RuntimeError, "Expected f(*args) to return a Tensor, got <class 'float'>"),
        (lambda: F.grad(lambda a: a.sum(), has_aux=True)(x), RuntimeError, "should be a tuple: (output, aux)"),
        (lambda: F.grad(lambda a: (a.sum(), 2), has_aux=True)(x), RuntimeError, "Expected tensors"),
        (lambda: F.grad(lambda a: a.sum(), argnums=2)(x), RuntimeError, "Got argnum=2, but only 1 positional inputs"),
        (lambda: F.grad(lambda a, b: a.sum(), argnums=(0, 0))(x, x), RuntimeError,
         "argnums elements must be unique, got (0, 0)"),
        (lambda: F.grad(lambda a, b: a.sum(), argnums=0.5)(x, x), RuntimeError,
         "argnums must be int or Tuple[int, ...], got: <class 'float'>"),
        (lambda: F.grad(lambda a, b: a.sum(), argnums=())(x, x), RuntimeError, "argnums must be non-empty"),
        (lambda: F.grad(lambda a: a.sum())(ag.arange(3)), RuntimeError, "floating point"),
        (lambda: F.grad(lambda a: 3.0)(3.0), ValueError, "Thing passed to transform API must be Tensor"),
        (lambda: F.grad(lambda: x.sum())(), RuntimeError, "Got argnum=0, but only 0 positional inputs"),
    ]
    for fn, exc, msg in cases:
        with pytest.raises(exc) as info:
            fn()
        assert msg in str(info.value)


# ---- vjp, jvp ----------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("requires_grad", [False, True])
def test_vjp_matches_torch(dtype, requires_grad):
    def run(f, L, x, m, ct):
        out, fn = f.vjp(lambda a, b: {"p": (b * a).tanh(), "q": [a.sin().sum()]}, x, m)
        first = fn(ct)
        second = fn(ct)  # vjp_fn can be called again
        return out, first, second
    cts = {"p": RNG.standard_normal((2, 3)), "q": [np.asarray(0.7)]}
    ours = run(F, ag, *conv(ag, (X, M), dtype, requires_grad), conv(ag, cts, dtype))
    theirs = run(TF, torch, *conv(torch, (X, M), dtype, requires_grad), conv(torch, cts, dtype))
    check_tree(ours, theirs, dtype)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_vjp_has_aux_and_errors(dtype):
    x, tx = conv(ag, X, dtype), conv(torch, X, dtype)
    out, fn, aux = F.vjp(lambda a: (a.exp(), a.cos()), x, has_aux=True)
    tout, tfn, taux = TF.vjp(lambda a: (a.exp(), a.cos()), tx, has_aux=True)
    check_tree((out, fn(x), aux), (tout, tfn(tx), taux), dtype)
    _, fn2 = F.vjp(lambda a: (a, a * 2), x)
    with pytest.raises(RuntimeError, match="Expected pytree structure of cotangents to be the same"):
        fn2(x)
    with pytest.raises(RuntimeError, match=r"cotangent 1 has shape \(2,\)"):
        fn2((x, ag.ones(2, dtype=dtype)))
    with pytest.raises(ValueError, match="Thing passed to transform API must be Tensor"):
        F.vjp(lambda a: a, 3.0)
    with pytest.raises(RuntimeError, match="should be a tuple: \\(output, aux\\)"):
        F.vjp(lambda a: a, x, has_aux=True)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("requires_grad", [False, True])
def test_jvp_matches_torch(dtype, requires_grad):
    def run(f, L, x, m, tx, tm):
        return f.jvp(lambda a, b: ((b * a).tanh(), {"s": (a * a).sum(), "k": b.detach() * 0 + 1}), (x, m), (tx, tm))
    vals = (X, M, RNG.standard_normal(3), RNG.standard_normal((2, 3)))
    ours = run(F, ag, *conv(ag, vals[:2], dtype, requires_grad), *conv(ag, vals[2:], dtype))
    theirs = run(TF, torch, *conv(torch, vals[:2], dtype, requires_grad), *conv(torch, vals[2:], dtype))
    check_tree(ours, theirs, dtype)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_jvp_aux_identity_and_errors(dtype):
    x, tx = conv(ag, X, dtype), conv(torch, X, dtype)
    check_tree(F.jvp(lambda a: (a, a.sum()), (x,), (x,), has_aux=True),
               TF.jvp(lambda a: (a, a.sum()), (tx,), (tx,), has_aux=True), dtype)
    check_tree(F.jvp(lambda a: a, (x,), (x * 2,)), TF.jvp(lambda a: a, (tx,), (tx * 2,)), dtype)
    with pytest.raises(RuntimeError, match="Expected primals to be a tuple"):
        F.jvp(lambda a: a, x, x)
    with pytest.raises(RuntimeError, match="Expected primals and tangents to have the same python structure"):
        F.jvp(lambda a: a, (x,), (x, x))
    with pytest.raises(RuntimeError, match="different size than that of the original Tensor"):
        F.jvp(lambda a: a, (x,), (ag.ones(2, dtype=dtype),))
    with pytest.raises(RuntimeError, match="expected f\\(\\*primals\\) to return only tensors"):
        F.jvp(lambda a: 3.0, (x,), (x,))


# ---- jacrev, jacfwd, hessian ---------------------------------------------------------------------
JAC_FUNCS = {
    "one": (lambda a, b: (a.sin() * b[0]), 0),
    "tuple_argnums": (lambda a, b: (b @ a).exp(), (0, 1)),
    "pytree_out": (lambda a, b: {"o": a * b[1], "p": (a.sum(),)}, (0, 1)),
    "scalar_out": (lambda a, b: (a * b).sum(), 1),
}


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("api", ["jacrev", "jacfwd"])
@pytest.mark.parametrize("case", list(JAC_FUNCS))
def test_jacobians_match_torch(case, api, dtype):
    fn, argnums = JAC_FUNCS[case]
    for rg in (False, True):
        ours = getattr(F, api)(fn, argnums)(*conv(ag, (X, M), dtype, rg))
        theirs = getattr(TF, api)(fn, argnums)(*conv(torch, (X, M), dtype, rg))
        check_tree(ours, theirs, dtype, f"{case} requires_grad={rg}")


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_jacobian_aux_chunk_and_errors(dtype):
    x, tx = conv(ag, X, dtype), conv(torch, X, dtype)
    check_tree(F.jacrev(lambda a: (a.sin(), a.cos()), has_aux=True, chunk_size=2)(x),
               TF.jacrev(lambda a: (a.sin(), a.cos()), has_aux=True, chunk_size=2)(tx), dtype)
    check_tree(F.jacfwd(lambda a: (a.sin(), {"c": a.cos()}), has_aux=True)(x),
               TF.jacfwd(lambda a: (a.sin(), {"c": a.cos()}), has_aux=True)(tx), dtype)
    check_tree(F.jacrev(lambda a: a[:0] * 2)(x), TF.jacrev(lambda a: a[:0] * 2)(tx), dtype)  # empty output
    with pytest.raises(ValueError, match="jacrev: `chunk_size` should be greater than 0."):
        F.jacrev(lambda a: a, chunk_size=0)
    with pytest.raises(RuntimeError, match="Only allowed values for randomness"):
        F.jacfwd(lambda a: a, randomness="bad")
    with pytest.raises(RuntimeError, match="randomness error mode"):
        F.jacfwd(lambda a: a + ag.randn(3, dtype=dtype))(x)
    with pytest.raises(RuntimeError, match="return only tensors"):
        F.jacrev(lambda a: 3.0)(x)
    with pytest.raises(ValueError, match="Thing passed to transform API must be Tensor"):
        F.jacrev(lambda a: a)(3.0)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_hessian_matches_torch(dtype):
    def f(a, b):
        return ((a * a).sum() * b.sin()).sum() + (a.exp() * b[1]).sum()
    for argnums in (0, 1, (0, 1)):
        ours = F.hessian(f, argnums)(*conv(ag, (X, M), dtype))
        theirs = TF.hessian(f, argnums)(*conv(torch, (X, M), dtype))
        check_tree(ours, theirs, dtype, f"argnums={argnums}")
    # the Hessian of an MLP's loss with respect to a dict of parameters
    w = {"w": RNG.standard_normal((2, 3)), "b": RNG.standard_normal(2)}

    def loss(L):
        return lambda p, x: (L.tanh(p["w"] @ x + p["b"]) ** 2).sum()
    ours = F.hessian(loss(ag))(conv(ag, w, dtype), conv(ag, X, dtype))
    theirs = TF.hessian(loss(torch))(conv(torch, w, dtype), conv(torch, X, dtype))
    check_tree(ours, theirs, dtype, "dict hessian")


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_hessian_gradients_flow_to_inputs(dtype):
    x, tx = conv(ag, X, dtype, True), conv(torch, X, dtype, True)
    h = F.hessian(lambda a: (a.sin() * a).sum())(x)
    th = TF.hessian(lambda a: (a.sin() * a).sum())(tx)
    check_tree(h, th, dtype)
    h.sum().backward()
    th.sum().backward()
    check_tree(x.grad, tx.grad, dtype)
