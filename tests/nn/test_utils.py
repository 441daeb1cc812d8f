"""nn.utils against torch.nn.utils on identical gradients: clip_grad_norm_ (norm types
2, 1, inf and others), clip_grad_value_, parameters_to_vector, vector_to_parameters."""
import math

import numpy as np
import pytest
import torch
import torch.nn.utils as tu

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.nn import utils as au
from helpers import assert_same, torch_dtype

SHAPES = [(3, 4), (5,), (), (2, 1, 3)]


def make_params(rng, dtype=np.float32, scale=1.0, shapes=SHAPES, with_grad=(True, True, True, False)):
    """The same parameters and gradients in both libraries (the last one has no grad)."""
    ours, theirs = [], []
    for shape, has_grad in zip(shapes, with_grad):
        w = rng.standard_normal(shape).astype(dtype)
        p, tp = nn.Parameter(ag.tensor(w)), torch.nn.Parameter(torch.tensor(w))
        if has_grad:
            g = (scale * rng.standard_normal(shape)).astype(dtype)
            p.grad, tp.grad = ag.tensor(g), torch.tensor(g)
        ours.append(p)
        theirs.append(tp)
    return ours, theirs


def assert_grads_equal(ours, theirs):
    for k, (p, tp) in enumerate(zip(ours, theirs)):
        if tp.grad is None:
            assert p.grad is None
        else:
            assert_same(p.grad, tp.grad, what=f"grad {k}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("norm_type", [2.0, 1, math.inf, 3.0, 0.5, 0, -math.inf, "inf"])
@pytest.mark.parametrize("max_norm", [0.1, 1.0, 1e6])
def test_clip_grad_norm_matches_torch(rng, dtype, norm_type, max_norm):
    ours, theirs = make_params(rng, dtype)
    tn = float(norm_type)
    total = au.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    t_total = tu.clip_grad_norm_(theirs, max_norm, norm_type=tn)
    assert_same(total, t_total, what="total norm")
    assert_grads_equal(ours, theirs)
    if max_norm < 1e6 and tn not in (0, -math.inf):  # something was actually clipped
        assert float(total) > max_norm


def test_clip_grad_norm_really_clips_and_leaves_small_grads_unchanged(rng):
    ours, _ = make_params(rng, np.float64)
    before = [p.grad._data.copy() for p in ours if p.grad is not None]
    total = float(au.clip_grad_norm_(ours, 0.5))
    after = [p.grad._data for p in ours if p.grad is not None]
    new_total = math.sqrt(sum(float((g ** 2).sum()) for g in after))
    assert new_total == pytest.approx(0.5, rel=1e-5) and total > 0.5
    for b, a in zip(before, after):
        np.testing.assert_allclose(a, b * 0.5 / (total + 1e-6), rtol=1e-12)
    ours, _ = make_params(rng, np.float64)
    before = [p.grad._data.copy() for p in ours if p.grad is not None]
    au.clip_grad_norm_(ours, 1e9)
    for b, p in zip(before, [p for p in ours if p.grad is not None]):
        np.testing.assert_array_equal(p.grad._data, b)


def test_clip_grad_norm_mixed_dtypes_and_single_tensor_and_generators(rng):
    p32, t32 = make_params(rng, np.float32, shapes=[(4,)], with_grad=[True])
    p64, t64 = make_params(rng, np.float64, shapes=[(3,)], with_grad=[True])
    assert_same(au.clip_grad_norm_(p32 + p64, 0.3), tu.clip_grad_norm_(t32 + t64, 0.3), what="mixed")
    assert_grads_equal(p32 + p64, t32 + t64)
    assert_same(au.clip_grad_norm_(p32[0], 0.01), tu.clip_grad_norm_(t32[0], 0.01), what="single tensor")
    ours, theirs = make_params(rng)
    assert_same(au.clip_grad_norm_((p for p in ours), 0.2), tu.clip_grad_norm_((p for p in theirs), 0.2),
                what="generator")
    assert_grads_equal(ours, theirs)


def test_clip_grad_norm_without_grads(rng):
    assert_same(au.clip_grad_norm_([], 1.0), tu.clip_grad_norm_([], 1.0))
    ours, theirs = make_params(rng, with_grad=(False,) * 4)
    assert_same(au.clip_grad_norm_(ours, 1.0), tu.clip_grad_norm_(theirs, 1.0))


def test_clip_grad_norm_nonfinite(rng):
    ours, theirs = make_params(rng, np.float64)
    ours[0].grad._data[0, 0] = np.nan
    theirs[0].grad[0, 0] = float("nan")
    with pytest.raises(RuntimeError, match="non-finite"):
        au.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError, match="non-finite"):
        tu.clip_grad_norm_(theirs, 1.0, error_if_nonfinite=True)
    assert_same(au.clip_grad_norm_(ours, 1.0), tu.clip_grad_norm_(theirs, 1.0))
    assert_grads_equal(ours, theirs)


def test_get_total_norm_and_clip_grads_with_norm(rng):
    ours, theirs = make_params(rng)
    total = au.get_total_norm([p.grad for p in ours if p.grad is not None], 1.0)
    t_total = tu.get_total_norm([p.grad for p in theirs if p.grad is not None], 1.0)
    assert_same(total, t_total)
    au.clip_grads_with_norm_(ours, 0.7, total)
    tu.clip_grads_with_norm_(theirs, 0.7, t_total)
    assert_grads_equal(ours, theirs)


def test_clip_grad_norm_changes_grads_in_place(rng):
    ours, _ = make_params(rng)
    grad_obj, grad_arr = ours[0].grad, ours[0].grad._data
    au.clip_grad_norm_(ours, 0.01)
    assert ours[0].grad is grad_obj and ours[0].grad._data is grad_arr


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("clip_value", [0.0, 0.3, 1, 100.0])
def test_clip_grad_value_matches_torch(rng, dtype, clip_value):
    ours, theirs = make_params(rng, dtype, scale=2.0)
    assert au.clip_grad_value_(ours, clip_value) is None
    tu.clip_grad_value_(theirs, clip_value)
    assert_grads_equal(ours, theirs)
    assert all(np.abs(p.grad._data).max() <= clip_value for p in ours if p.grad is not None)
    p, tp = make_params(rng, dtype, shapes=[(6,)], with_grad=[True])
    au.clip_grad_value_(p[0], clip_value)
    tu.clip_grad_value_(tp[0], clip_value)
    assert_grads_equal(p, tp)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_parameters_to_vector_matches_torch_with_gradients(rng, dtype):
    ours, theirs = make_params(rng, dtype)
    for p, tp in zip(ours, theirs):
        p.grad = tp.grad = None
    vec, t_vec = au.parameters_to_vector(ours), tu.parameters_to_vector(theirs)
    assert_same(vec, t_vec, what="vector")
    w = rng.standard_normal(vec.shape).astype(dtype)
    (vec * ag.tensor(w)).sum().backward()
    (t_vec * torch.tensor(w)).sum().backward()
    assert_grads_equal(ours, theirs)


def test_parameters_to_vector_of_a_module(rng):
    model = nn.Module()
    model.a = nn.Parameter(ag.tensor(rng.standard_normal((2, 3))))
    model.b = nn.Parameter(ag.tensor(rng.standard_normal(4)))
    vec = au.parameters_to_vector(model.parameters())
    np.testing.assert_array_equal(vec._data, np.concatenate([model.a._data.ravel(), model.b._data]))


@pytest.mark.parametrize("dtypes", [(np.float32, np.float32), (np.float64, np.float64), (np.float32, np.float64)])
def test_vector_to_parameters_matches_torch_and_shares_memory(rng, dtypes):
    vdtype, pdtype = dtypes
    ours, theirs = make_params(rng, pdtype)
    n = sum(p.numel() for p in ours)
    v = rng.standard_normal(n).astype(vdtype)
    vec, t_vec = ag.tensor(v), torch.tensor(v)
    au.vector_to_parameters(vec, ours)
    tu.vector_to_parameters(t_vec, theirs)
    for p, tp in zip(ours, theirs):
        assert_same(p, tp, what="parameter")
        assert p.requires_grad and isinstance(p, nn.Parameter)
    vec._data[0] = 123.0  # the parameters are views of vec, as in PyTorch
    t_vec[0] = 123.0
    for p, tp in zip(ours, theirs):
        assert_same(p, tp, what="parameter after writing to vec")
    assert ours[0]._data.flat[0] == 123.0


def test_vector_to_parameters_errors(rng):
    ours, theirs = make_params(rng)
    n = sum(p.numel() for p in ours)
    before = [p._data.copy() for p in ours]
    with pytest.raises(RuntimeError):
        au.vector_to_parameters(ag.zeros(n - 1), ours)
    with pytest.raises(RuntimeError):
        tu.vector_to_parameters(torch.zeros(n - 1), theirs)
    for b, p in zip(before, ours):  # nothing was changed by the failed call
        np.testing.assert_array_equal(p._data, b)
    with pytest.raises(TypeError):
        au.vector_to_parameters(np.zeros(n), ours)
    with pytest.raises(TypeError):
        tu.vector_to_parameters(np.zeros(n), theirs)


def test_clip_then_step_matches_torch(rng):
    """A training step with clipping gives the same weights in both libraries."""
    x = rng.standard_normal((8, 3)).astype(np.float32)
    w0 = rng.standard_normal((3, 2)).astype(np.float32)
    w, tw = nn.Parameter(ag.tensor(w0)), torch.nn.Parameter(torch.tensor(w0))
    ((ag.tensor(x) @ w) ** 2).sum().backward()
    ((torch.tensor(x) @ tw) ** 2).sum().backward()
    assert_same(au.clip_grad_norm_([w], 1.0), tu.clip_grad_norm_([tw], 1.0))
    with ag.no_grad():
        w -= 0.1 * w.grad
    with torch.no_grad():
        tw -= 0.1 * tw.grad
    assert_same(w, tw)
    assert w.dtype == np.float32 and torch_dtype(w.dtype) == tw.dtype


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
def test_clip_grad_norm_with_an_empty_gradient(rng, norm_type):
    ours, theirs = make_params(rng, shapes=[(0,), (3,)], with_grad=[True, True])
    if math.isinf(norm_type):
        with pytest.raises(RuntimeError):
            tu.clip_grad_norm_(theirs[:1], 1.0, norm_type)
        with pytest.raises(RuntimeError):
            au.clip_grad_norm_(ours[:1], 1.0, norm_type)
    else:
        assert_same(au.clip_grad_norm_(ours[:1], 1.0, norm_type), tu.clip_grad_norm_(theirs[:1], 1.0, norm_type))
    assert_same(au.clip_grad_norm_(ours[1:], 0.1, norm_type), tu.clip_grad_norm_(theirs[1:], 0.1, norm_type))
    assert_grads_equal(ours, theirs)
