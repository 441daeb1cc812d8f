"""autograd_lite.func.vmap (a loop over the batch) against torch.func.vmap: results,
shapes and dtypes for in_dims/out_dims given as ints, None, negative dims and nested
tuples/lists/dicts; keyword arguments; nested vmap; vmap over grad; gradients through
vmap; randomness modes and chunk_size; empty batches; and PyTorch's errors."""
import numpy as np
import pytest
import torch
import torch.func as TF

import autograd_lite as ag
import autograd_lite.func as F
from tests.autograd.func_helpers import check_tree, conv
from tests.helpers import FLOAT_DTYPES

RNG = np.random.default_rng(5)
A, B, V = RNG.standard_normal((4, 3)), RNG.standard_normal((3, 4)), RNG.standard_normal(3)

CASES = {
    "default": (lambda f, L: f.vmap(lambda a: a.sin() * a.sum()), (A,)),
    "two_args": (lambda f, L: f.vmap(lambda a, b: a * b), (A, A)),
    "in_dims_none": (lambda f, L: f.vmap(lambda a, v: (a * v).sum(), in_dims=(0, None)), (A, V)),
    "in_dim_1": (lambda f, L: f.vmap(lambda a, b: a + b, in_dims=(0, 1)), (A, B)),
    "negative_in_dim": (lambda f, L: f.vmap(lambda b: b.cumsum(0), in_dims=-1), (B,)),
    "out_dim_1": (lambda f, L: f.vmap(lambda a: L.outer(a, a), out_dims=1), (A,)),
    "negative_out_dim": (lambda f, L: f.vmap(lambda a: L.outer(a, a), out_dims=-1), (A,)),
    "tuple_out": (lambda f, L: f.vmap(lambda a: (a.exp(), a.sum()), out_dims=(1, 0)), (A,)),
    "list_out_dims": (lambda f, L: f.vmap(lambda a: [a, a.sum()], out_dims=[1, 0]), (A,)),
    "dict_out": (lambda f, L: f.vmap(lambda a: {"x": a * 2, "y": (a.max(),)}), (A,)),
    "dict_in_dims": (lambda f, L: f.vmap(lambda d: d["a"] * d["v"], in_dims=({"a": 0, "v": None},)),
                     ({"a": A, "v": V},)),
    "nested_in": (lambda f, L: f.vmap(lambda p: p[0] + p[1][0], in_dims=((0, [1]),)), ((A, [B]),)),
    "prefix_in_dims": (lambda f, L: f.vmap(lambda p: p[0] * p[1], in_dims=(0,)), ((A, A),)),
    "unbatched_out": (lambda f, L: f.vmap(lambda a, v: v * 2, in_dims=(0, None)), (A, V)),
    "out_dims_none": (lambda f, L: f.vmap(lambda a, v: (a * 2, v * 3), in_dims=(0, None),
                                                     out_dims=(0, None)), (A, V)),
    "nontensor_arg": (lambda f, L: f.vmap(lambda a, s: a * s, in_dims=(0, None)), (A, 2.5)),
    "nested": (lambda f, L: f.vmap(f.vmap(lambda x, y: x * y, in_dims=(0, None)), in_dims=(None, 0)), (V, A)),
    "nested_matmul": (lambda f, L: f.vmap(f.vmap(L.dot)), (A[None].repeat(2, 0), A[None].repeat(2, 0))),
    "vmap_grad": (lambda f, L: f.vmap(f.grad(lambda a, v: (a.sin() * v).sum()), in_dims=(0, None)), (A, V)),
    "vmap_jacrev": (lambda f, L: f.vmap(f.jacrev(lambda a: a.sin() * a.sum())), (A,)),
    "chunked": (lambda f, L: f.vmap(lambda a: a.cos(), chunk_size=3), (A,)),
}


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("case", list(CASES))
def test_vmap_matches_torch(case, dtype):
    make, values = CASES[case]
    ours = make(F, ag)(*conv(ag, values, dtype))
    theirs = make(TF, torch)(*conv(torch, values, dtype))
    check_tree(ours, theirs, dtype, case)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
@pytest.mark.parametrize("case", ["default", "in_dim_1", "tuple_out", "nested", "vmap_grad", "dict_in_dims"])
def test_gradients_flow_through_vmap(case, dtype):
    make, values = CASES[case]
    a_in, t_in = conv(ag, values, dtype, True), conv(torch, values, dtype, True)
    ours, theirs = make(F, ag)(*a_in), make(TF, torch)(*t_in)
    check_tree(ours, theirs, dtype, case)
    a_out = [v for v in F._pytree.flatten(ours)[0] if v.requires_grad]
    t_out = [v for v in F._pytree.flatten(theirs)[0] if v.requires_grad]
    sum(((v.sin() * v).sum() for v in a_out), ag.tensor(0.0, dtype=dtype)).backward()
    sum(((v.sin() * v).sum() for v in t_out), torch.tensor(0.0, dtype=t_out[0].dtype)).backward()
    a_leaves = [v for v in F._pytree.flatten(a_in)[0] if isinstance(v, ag.Tensor)]
    t_leaves = [v for v in F._pytree.flatten(t_in)[0] if isinstance(v, torch.Tensor)]
    for i, (a, t) in enumerate(zip(a_leaves, t_leaves)):
        check_tree(a.grad, t.grad, dtype, f"{case}: input {i} grad", grad_flag=False)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_keyword_arguments_are_not_mapped(dtype):
    ours = F.vmap(lambda a, scale=None: a * scale)(conv(ag, A, dtype), scale=conv(ag, V, dtype))
    theirs = TF.vmap(lambda a, scale=None: a * scale)(conv(torch, A, dtype), scale=conv(torch, V, dtype))
    check_tree(ours, theirs, dtype)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES)
def test_empty_batch(dtype):
    for fn, od in ((lambda a: a.sum(), 0), (lambda a: ag.outer(a, a) if isinstance(a, ag.Tensor)
                                             else torch.outer(a, a), 1)):
        ours = F.vmap(fn, out_dims=od)(ag.zeros((0, 3), dtype=dtype))
        theirs = TF.vmap(fn, out_dims=od)(torch.zeros((0, 3), dtype=conv(torch, V, dtype).dtype))
        check_tree(ours, theirs, dtype)


def test_randomness_modes():
    x = ag.zeros((4, 3))
    with pytest.raises(RuntimeError, match="vmap: called random operation while in randomness error mode"):
        F.vmap(lambda a: a + ag.randn(3))(x)
    same = F.vmap(lambda a: a + ag.randn(3), randomness="same")(x)
    assert all(np.array_equal(same[0].numpy(), same[i].numpy()) for i in range(4))
    ag.manual_seed(0)
    diff = F.vmap(lambda a: a + ag.randn(3), randomness="different")(x)
    assert not np.array_equal(diff[0].numpy(), diff[1].numpy())
    ag.manual_seed(0)
    first = ag.randn(3)  # "same" leaves the generator where one element's draws leave it
    ag.manual_seed(0)
    F.vmap(lambda a: a + ag.randn(3), randomness="same")(x)
    ag.manual_seed(0)
    ag.randn(3)
    after_one = ag.randn(1)
    ag.manual_seed(0)
    F.vmap(lambda a: a + ag.randn(3), randomness="same")(x)
    assert np.array_equal(ag.randn(1).numpy(), after_one.numpy()) and first.shape == (3,)
    with pytest.raises(RuntimeError, match="Only allowed values for randomness are 'error', 'different', or "
                                           "'same'. Got x"):
        F.vmap(lambda a: a, randomness="x")(x)


def test_errors_match_torch():
    a, b = ag.zeros((2, 3)), ag.zeros((3, 3))

    def f(x, *rest):
        return x
    cases = [
        (lambda: F.vmap(lambda x, y: x + y)(a, b), ValueError,
         "vmap: Expected all tensors to have the same size in the mapped dimension, got sizes [2, 3] for the mapped "
         "dimension"),
        (lambda: F.vmap(f, in_dims=[0])(a), ValueError,
         "vmap(f, in_dims=[0], ...)(<inputs>): expected `in_dims` to be int or a (potentially nested) tuple "
         "matching the structure of inputs, got: <class 'list'>."),
        (lambda: F.vmap(f, in_dims=(0, 0))(a), ValueError,
         "vmap(f, in_dims=(0, 0), ...)(<inputs>): in_dims is not compatible with the structure of `inputs`."),
        (lambda: F.vmap(f, in_dims=2)(a), ValueError,
         "vmap(f, in_dims=2, ...)(<inputs>): Got in_dim=2 for some input, but that input is a Tensor of "
         "dimensionality 2 so expected in_dim to satisfy -2 <= in_dim < 2."),
        (lambda: F.vmap(f, in_dims=(0, 0))(a, 3), ValueError,
         "Got in_dim=0 for an input but the input is of type <class 'int'>. We cannot vmap over non-Tensor "
         "arguments, please use None as the respective in_dim"),
        (lambda: F.vmap(f, in_dims=(None,))(a), ValueError, "vmap: Expected at least one Tensor to vmap over"),
        (lambda: F.vmap(f, in_dims=None)(a), ValueError, "expected `in_dims` to be int or a (potentially nested) "
                                                          "tuple"),
        (lambda: F.vmap(lambda: ag.ones(2))(), ValueError, "got no inputs. Maybe you forgot to add inputs"),
        (lambda: F.vmap(lambda x: 1.0)(a), ValueError,
         "must only return Tensors, got type <class 'float'>. Did you mean to set out_dims= to None for output?"),
        (lambda: F.vmap(f, out_dims=3)(a), IndexError,
         "Dimension out of range (expected to be in range of [-2, 1], but got 3)"),
        (lambda: F.vmap(lambda x: (x, x), out_dims=(0, 0, 0))(a), ValueError,
         "out_dims is not compatible with the structure of `outputs`"),
        (lambda: F.vmap(f, out_dims=None)(ag.randn(2, 3)), ValueError,
         "can not return a BatchedTensor when out_dim is None"),
        (lambda: F.vmap(f, out_dims=0.5)(a), ValueError, "`out_dims` must be an int, None or a python collection"),
        (lambda: F.vmap(f, chunk_size=0), ValueError, "vmap: chunk_size should be None or greater than 0. (got 0)"),
        (lambda: F.vmap(lambda d: d["a"], in_dims=({"a": 0, "c": None},))({"a": a, "b": a}), ValueError,
         "in_dims is not compatible with the structure of `inputs`"),
        (lambda: F.vmap(f)(ag.tensor(1.0)), ValueError, "expected in_dim to satisfy -0 <= in_dim < 0."),
    ]
    for fn, exc, msg in cases:
        with pytest.raises(exc) as info:
            fn()
        assert msg in str(info.value), str(info.value)
    # the same inputs raise in torch too (same exception class)
    ta, tb = torch.zeros((2, 3)), torch.zeros((3, 3))
    for fn in (lambda: TF.vmap(lambda x, y: x + y)(ta, tb), lambda: TF.vmap(f, in_dims=2)(ta),
               lambda: TF.vmap(f, in_dims=(None,))(ta), lambda: TF.vmap(lambda x: 1.0)(ta)):
        with pytest.raises(ValueError):
            fn()
