"""The generic op tests, one set per entry of the op table (autograd_lite/ops/table/):
values and gradients against PyTorch in every dtype the entry lists, the Tensor
method forms, gradcheck and gradgradcheck, fast_backward against backward bit for
bit, the in-place variant, and the version-counter check."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from op_table import Case, compare_outputs, dense, entries, entry_id, flatten, weighted_sum

CASES = [(e, i, s, d) for e in entries() for d in e.dtypes for i, s in enumerate(e.samples)]
IDS = [f"{entry_id(e)}-{d}-{i}" for e, i, s, d in CASES]
F64_CASES = [(e, i, s) for e in entries() if e.differentiable and "float64" in e.dtypes
             for i, s in enumerate(e.samples)]
F64_IDS = [f"{entry_id(e)}-{i}" for e, i, s in F64_CASES]


@pytest.mark.parametrize("entry,i,sample,dtype", CASES, ids=IDS)
def test_values_and_gradients_match_torch(entry, i, sample, dtype):
    case = Case(entry, sample, dtype, seed=i)
    leaves_a, leaves_t = case.leaves(ag), case.leaves(torch)
    out_a, out_t = case.call(ag, leaves_a), case.call(torch, leaves_t)
    flat_a, flat_t = compare_outputs(case, out_a, out_t)
    for method in entry.methods:  # the Tensor method forms give the same values
        fresh_a, fresh_t = case.leaves(ag, grad=False), case.leaves(torch, grad=False)
        compare_outputs(case, case.call(ag, fresh_a, method), case.call(torch, fresh_t, method),
                        what=f"method {method}")
    rng = np.random.default_rng(100 + i)
    loss_t = weighted_sum(torch, flat_t, rng)
    if loss_t is None:
        return
    loss_a = weighted_sum(ag, flat_a, np.random.default_rng(100 + i))
    assert loss_a is not None, "torch's outputs carry a gradient, ours don't"
    loss_a.backward()
    loss_t.backward()
    for k, (a, t) in enumerate(zip(leaves_a, leaves_t)):
        if not t.requires_grad:
            continue
        if t.grad is None:
            assert a.grad is None or not np.any(a.grad.numpy()), f"grad {k}: torch has none"
            continue
        assert a.grad is not None, f"grad of input {k} is None; torch's is not"
        compare_outputs(case, a.grad, t.grad, what=f"grad of input {k}")


def _change_in_place(t):
    """A change of `t` that moves its version: floats shift, integer and bool tensors
    rotate their values (still valid indices, targets and masks)."""
    if t.dtype.kind == "f":
        t.add_(0.5)
    else:
        t.copy_(t.flatten().roll(1, 0).reshape(t.shape))


def _float_leaves(case, leaves):
    return [t for t in leaves if t.requires_grad]


def _float_outputs(fn):
    def only_floats(*xs):
        outs = map(dense, flatten(fn(*xs)))
        return tuple(o for o in outs if isinstance(o, ag.Tensor) and o.is_floating_point())
    return only_floats


def _graph_fn(case, leaves):
    """fn(*float leaves) running the case with those leaves in place of the originals."""
    positions = [k for k, t in enumerate(leaves) if t.requires_grad]

    def fn(*xs):
        full = list(leaves)
        for k, x in zip(positions, xs):
            full[k] = x
        return case.call(ag, full)
    return fn


@pytest.mark.parametrize("entry,i,sample", F64_CASES, ids=F64_IDS)
def test_gradcheck_and_gradgradcheck(entry, i, sample):
    case = Case(entry, sample, "float64", seed=i)
    leaves = case.leaves(ag)
    inputs = _float_leaves(case, leaves)
    if not inputs or not any(t.numel() for t in inputs):
        pytest.skip("no float input with elements to differentiate")
    fn = _float_outputs(_graph_fn(case, leaves))
    if not any(o.requires_grad and o.numel() for o in fn(*inputs)):
        pytest.skip("no output depends on a float input")
    if entry.gradcheck:
        assert ag.autograd.gradcheck(fn, inputs)
    if entry.twice:
        assert ag.autograd.gradgradcheck(fn, inputs)


@pytest.mark.parametrize("entry,i,sample,dtype", CASES, ids=IDS)
def test_fast_backward_matches_backward_bit_for_bit(entry, i, sample, dtype):
    """The engine takes each node's `fast_backward` (arrays) when no graph is built and
    its `backward` (Tensor ops) under create_graph: both give the same bits."""
    case = Case(entry, sample, dtype, seed=i)
    results = []
    for create_graph in (False, True):
        leaves = case.leaves(ag)
        inputs = _float_leaves(case, leaves)
        if not inputs:
            pytest.skip("nothing to differentiate")
        loss = weighted_sum(ag, flatten(case.call(ag, leaves)), np.random.default_rng(i))
        if loss is None:
            pytest.skip("no output carries a gradient")
        grads = ag.autograd.grad(loss, inputs, create_graph=create_graph, allow_unused=True)
        results.append([None if g is None else g.numpy(force=True) for g in grads])
    for fast, slow in zip(*results):
        if fast is None or slow is None:
            assert fast is None and slow is None
            continue
        assert fast.dtype == slow.dtype and fast.shape == slow.shape
        if fast.dtype == ag.bfloat16:  # exact in float32, where NumPy compares natively
            fast, slow = fast.astype(np.float32), slow.astype(np.float32)
        np.testing.assert_array_equal(fast, slow)


INPLACE_CASES = [(e, i, s, d) for e, i, s, d in CASES if e.inplace]


@pytest.mark.parametrize("entry,i,sample,dtype", INPLACE_CASES,
                         ids=[f"{entry_id(e)}-{d}-{i}" for e, i, s, d in INPLACE_CASES])
def test_inplace_variant(entry, i, sample, dtype):
    """`x.op_(...)` writes the out-of-place result into x, returns x, bumps its version,
    and matches torch's in-place op (values, and gradients through it when recorded)."""
    case = Case(entry, sample, dtype, seed=i)
    expected = case.call(ag, case.leaves(ag, grad=False))
    leaves = case.leaves(ag, grad=False)
    args, kwargs = case.arguments(leaves)
    target = args[0]
    if not isinstance(expected, ag.Tensor) or expected.shape != target.shape \
            or expected.dtype != target.dtype:
        pytest.skip("the result doesn't fit the input's shape and dtype")
    version = target._version
    result = getattr(target, entry.inplace)(*args[1:], **kwargs)
    assert result is target and target._version > version
    np.testing.assert_array_equal(target.float().numpy(), expected.float().numpy())
    leaves_t = case.leaves(torch, grad=False)
    args_t, kwargs_t = case.arguments(leaves_t)
    getattr(args_t[0], entry.inplace)(*args_t[1:], **kwargs_t)
    compare_outputs(case, target, args_t[0], what=f"in-place {entry.inplace}")
    recordable = case.specs and case.specs[0].layout == "contiguous"  # views refuse it
    if entry.differentiable and entry.inplace_grad and (case.dtype.kind == "f" or case.dtype == ag.bfloat16) \
            and recordable:  # the gradient flows
        grads = []
        for lib in (ag, torch):
            leaves = case.leaves(lib)
            inputs = [t for t in leaves if t.requires_grad]
            if not inputs:
                return
            args, kwargs = case.arguments([t * 1 if t.requires_grad else t for t in leaves])
            getattr(args[0], entry.inplace)(*args[1:], **kwargs)
            (args[0] * 2).sum().backward()
            grads.append([t.grad for t in inputs])
        for a, t in zip(*grads):
            compare_outputs(case, a, t, what="gradient through the in-place op")


@pytest.mark.parametrize("entry,i,sample", F64_CASES, ids=F64_IDS)
def test_changing_a_saved_input_is_caught_or_harmless(entry, i, sample):
    """After the op, each input is changed in place. Backward then either raises
    "modified by an in-place operation" or gives the gradient the unchanged inputs
    give: never a silently wrong gradient. Float inputs get `add_(0.5)`; integer and
    bool inputs (indices, targets, masks) get their values rotated by one place, a
    change that keeps every value valid (in range, the same count of True)."""
    case = Case(entry, sample, "float64", seed=i)
    leaves = case.leaves(ag)
    inputs = _float_leaves(case, leaves)
    if not inputs:
        pytest.skip("nothing to differentiate")
    rng_seed = 200 + i
    reference = None
    loss = weighted_sum(ag, flatten(case.call(ag, leaves)), np.random.default_rng(rng_seed))
    if loss is None:
        pytest.skip("no output carries a gradient")
    reference = [g for g in ag.autograd.grad(loss, inputs, allow_unused=True)]
    for k in range(len(leaves)):
        changeable = leaves[k].requires_grad or leaves[k].dtype.kind in "iub"
        if not changeable or not leaves[k].numel():
            continue
        fresh = case.leaves(ag)
        staged = [t * 1 if t.requires_grad else t for t in fresh]  # non-leaves: changeable
        positions = [j for j, t in enumerate(fresh) if t.requires_grad]
        loss = weighted_sum(ag, flatten(case.call(ag, staged)), np.random.default_rng(rng_seed))
        with ag.no_grad():
            _change_in_place(staged[k])
        try:
            grads = ag.autograd.grad(loss, [fresh[j] for j in positions], allow_unused=True)
        except RuntimeError as e:
            assert "modified by an in-place operation" in str(e)
            continue
        for g, r in zip(grads, reference):
            if r is None or g is None:
                continue
            np.testing.assert_allclose(g.numpy(), r.numpy(), rtol=1e-12, atol=1e-12,
                                       err_msg=f"input {k} changed: silently wrong gradient")
