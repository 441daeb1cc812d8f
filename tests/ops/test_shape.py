"""Shape ops beyond the op table (autograd_lite/ops/table/shape.py, which checks values,
gradients and every argument form against PyTorch): errors for bad shapes and
arguments, views sharing memory, copies, dtype promotion of cat/stack, the keyword
names the table can't express, and in-place shape changes (squeeze_, t_, ...)."""
import re

import numpy as np
import pytest
import torch

import autograd_lite as ag
from tests.helpers import assert_same, compare, gradcheck, randn

SHAPE_ERRORS = (RuntimeError, ValueError)


def r(*shape, seed=0):
    return randn(*shape, seed=seed)


def same_dtypes(fn, *arrays):
    """Like compare, but every array keeps its own dtype (for mixed-dtype ops)."""
    outs = [fn(lib, *[lib.tensor(a) for a in arrays]) for lib in (ag, torch)]
    assert_same(outs[0], outs[1])


# ---- reshape / view / flatten / unflatten / squeeze -----------------------------------------
@pytest.mark.parametrize("bad", [(5,), (4, -1), (-1, -1), (7, 3)])
def test_reshape_wrong_size_error(bad):
    x = ag.tensor(r(2, 3))
    with pytest.raises(SHAPE_ERRORS) as ours:
        x.reshape(bad)
    with pytest.raises(RuntimeError):
        torch.tensor(r(2, 3)).reshape(bad)
    assert "reshape" in str(ours.value)
    if -1 not in bad or bad.count(-1) == 1:
        assert "(2, 3)" in str(ours.value) or "[2, 3]" in str(ours.value)
    with pytest.raises(SHAPE_ERRORS, match="reshape"):  # -1 is ambiguous for 0 elements
        ag.tensor(r(0, 6)).reshape(0, -1)


def test_view_wrong_size_error():
    with pytest.raises(SHAPE_ERRORS, match=r"(view|reshape).*\(2, 3\)"):
        ag.tensor(r(2, 3)).view(4, 2)


@pytest.mark.parametrize("call", [
    lambda lib, x: x.reshape(2.0, 3), lambda lib, x: x.view((6.0,)), lambda lib, x: x.permute(1.0, 0),
    lambda lib, x: x.expand(2, 3.5), lambda lib, x: x.repeat(1, 2.0), lambda lib, x: x.flip(0.0),
])
def test_float_sizes_and_dims_are_refused_like_torch(call):
    with pytest.raises(TypeError):
        call(torch, torch.tensor(r(2, 3)))
    with pytest.raises(TypeError, match="(reshape|view|permute|expand|repeat|flip).*ints"):
        call(ag, ag.tensor(r(2, 3)))


def test_size_given_twice_is_an_error():
    with pytest.raises(TypeError, match="reshape.*shape"):
        ag.tensor(r(2, 3)).reshape(3, 2, shape=(6,))
    with pytest.raises(TypeError, match="permute.*dims"):
        ag.tensor(r(2, 3)).permute(1, 0, dims=(1, 0))


def test_split_keywords_differ_between_function_and_method_like_torch():
    """torch.split names the size `split_size_or_sections`, Tensor.split `split_size`."""
    x = r(5, 4)
    compare(lambda lib, x: lib.split(x, split_size_or_sections=[1, 3], dim=1), x)
    compare(lambda lib, x: x.split(split_size=2, dim=0), x)
    with pytest.raises(TypeError):
        ag.tensor(x).split(split_size_or_sections=2)


def test_flatten_and_unflatten_errors():
    with pytest.raises(SHAPE_ERRORS, match="flatten"):
        ag.tensor(r(2, 3, 4)).flatten(2, 1)
    with pytest.raises(IndexError, match="flatten"):
        ag.tensor(r(2, 3)).flatten(0, 5)
    with pytest.raises(SHAPE_ERRORS, match="unflatten"):
        ag.tensor(r(6, 4)).unflatten(0, (4, 2))
    with pytest.raises(SHAPE_ERRORS, match="unflatten"):
        ag.tensor(r(6, 4)).unflatten(0, (-1, -1))


def test_squeeze_and_unsqueeze_errors():
    with pytest.raises(IndexError, match="squeeze"):
        ag.tensor(r(1, 3)).squeeze(2)
    with pytest.raises(IndexError, match="squeeze"):
        ag.tensor(r(1, 3)).squeeze((0, 5))
    with pytest.raises(IndexError, match="unsqueeze"):
        ag.tensor(r(2, 3)).unsqueeze(3)
    with pytest.raises(IndexError, match="unsqueeze"):
        ag.tensor(r(2, 3)).unsqueeze(-4)


# ---- in-place shape changes: squeeze_, unsqueeze_, transpose_, t_, swapaxes_, swapdims_ -------
INPLACE_SHAPE_CALLS = [
    lambda x: x.unsqueeze_(0), lambda x: x.unsqueeze_(-1), lambda x: x.t_(),
    lambda x: x.transpose_(0, 1), lambda x: x.swapaxes_(1, 0), lambda x: x.swapdims_(0, -1),
    lambda x: x.unsqueeze_(1).squeeze_(), lambda x: x.unsqueeze_(0).squeeze_(0),
    lambda x: x.unsqueeze_(0).transpose_(0, 2).squeeze_((1, 2)),
]


@pytest.mark.parametrize("k", range(len(INPLACE_SHAPE_CALLS)))
def test_inplace_shape_change_like_torch(k):
    """The tensor itself takes the new shape (same memory, version bumped) and the
    gradient flows through the recorded view, as in torch."""
    call = INPLACE_SHAPE_CALLS[k]
    results = []
    for lib in (ag, torch):
        x = lib.tensor(r(2, 3), requires_grad=True)
        y = x * 1
        before = y._version
        out = call(y)
        assert out is y and y._version > before
        (y * lib.tensor(r(*tuple(y.shape), seed=1))).sum().backward()
        with lib.no_grad():  # no grad recorded: a plain shape change, memory shared
            z = lib.tensor(r(2, 3))
            w = call(z)
        results.append((y, x.grad, w))
    for a, t in zip(*results):
        assert_same(a, t)


def test_inplace_shape_change_of_a_leaf_that_requires_grad_is_refused():
    x = ag.tensor(r(2, 3), requires_grad=True)
    with pytest.raises(RuntimeError, match="t_.*leaf"):
        x.t_()
    with ag.no_grad():
        x.unsqueeze_(0)
    assert x.shape == (1, 2, 3) and x.is_leaf and x.requires_grad


def test_inplace_shape_change_keeps_views_in_step():
    x = ag.tensor(r(2, 3))
    v = x.view(6)
    x.t_()
    with ag.no_grad():
        x[0, 1] = 100.0  # element (1, 0) of the original layout
    assert v.numpy()[3] == 100.0 and x.shape == (3, 2)


# ---- transpose / permute / T / mT ---------------------------------------------------------
def test_transpose_and_permute_errors():
    with pytest.raises(IndexError, match="transpose"):
        ag.tensor(r(2, 3)).transpose(0, 2)
    x = ag.tensor(r(2, 3, 4))
    with pytest.raises(SHAPE_ERRORS, match="permute"):
        x.permute(0, 1)
    with pytest.raises(SHAPE_ERRORS, match="permute"):
        x.permute(0, 1, 1)
    with pytest.raises(IndexError, match="permute"):
        x.permute(0, 1, 3)
    with pytest.raises(SHAPE_ERRORS, match="movedim"):
        x.movedim((0, 1), (2,))
    with pytest.raises(SHAPE_ERRORS, match="t: "):
        x.t()


@pytest.mark.filterwarnings("ignore:.*Tensor.T is deprecated:UserWarning", "ignore:The use of `x.T`:UserWarning")
def test_T_and_mT():
    compare(lambda lib, x: x.T, r(2, 3))
    compare(lambda lib, x: x.T, r(4))
    compare(lambda lib, x: x.T, r())
    compare(lambda lib, x: x.mT, r(2, 3))
    compare(lambda lib, x: x.mT, r(4, 2, 3))
    compare(lambda lib, x: x.mT @ x, r(2, 3, 2))
    gradcheck(lambda x: x.T @ x, r(3, 2), second_order=True)
    gradcheck(lambda x: x.mT * 2, r(2, 2, 3), second_order=True)
    with pytest.raises(SHAPE_ERRORS, match="mT"):
        ag.tensor(r(3)).mT


# ---- expand / expand_as / repeat / tile ----------------------------------------------------


def test_expand_errors():
    x = ag.tensor(r(3, 2))
    with pytest.raises(SHAPE_ERRORS) as e:
        x.expand(3, 4)
    msg = str(e.value)
    assert "expand" in msg and "4" in msg and ("[3, 2]" in msg or "(3, 2)" in msg)
    with pytest.raises(RuntimeError):
        torch.tensor(r(3, 2)).expand(3, 4)
    with pytest.raises(SHAPE_ERRORS, match="expand"):
        x.expand(2)  # fewer sizes than dims
    with pytest.raises(SHAPE_ERRORS, match="expand"):
        x.expand(-1, 3, 2)  # -1 for a new leading dim


def test_expand_is_read_only_view():
    x = ag.tensor(r(3, 1))
    y = x.expand(3, 4)
    assert np.shares_memory(x._data, y._data)
    with ag.no_grad():
        with pytest.raises(RuntimeError, match="add_"):
            y.add_(1)


def test_repeat_errors():
    with pytest.raises(SHAPE_ERRORS, match="repeat"):
        ag.tensor(r(2, 3)).repeat(2)
    with pytest.raises(SHAPE_ERRORS, match="repeat"):
        ag.tensor(r(2, 3)).repeat(2, -1)


@pytest.mark.parametrize("repeats", [(1, 1), (3, 1), (1,), (2,)])
def test_repeat_and_tile_return_fresh_writable_memory(repeats):
    """torch's repeat/tile always copy: writing to the result leaves the input alone."""
    x_np = r(1, 3)
    outs = []
    for lib in (ag, torch):
        x = lib.tensor(x_np)
        y = x.repeat(*repeats) if len(repeats) == 2 else x.tile(repeats)
        with lib.no_grad():
            y.add_(1)
        outs.append((x.numpy().copy(), y.numpy().copy()))
    np.testing.assert_array_equal(outs[0][0], outs[1][0])
    np.testing.assert_array_equal(outs[0][1], outs[1][1])


# ---- flip / roll -------------------------------------------------------------------------------


def test_flip_errors():
    with pytest.raises(IndexError, match="flip"):
        ag.tensor(r(2, 3)).flip(2)


@pytest.mark.parametrize("name, shape", [("fliplr", (3,)), ("flipud", ())])
def test_fliplr_and_flipud_need_enough_dims_like_torch(name, shape):
    with pytest.raises(RuntimeError):
        getattr(torch, name)(torch.zeros(shape))
    with pytest.raises(RuntimeError, match=rf"{name}: .* got shape {re.escape(str(shape))}"):
        getattr(ag, name)(ag.zeros(shape))


def test_broadcast_shapes_and_tensors_like_torch():
    assert ag.broadcast_shapes((2, 1), (3,), 1) == torch.broadcast_shapes((2, 1), (3,), 1)
    assert isinstance(ag.broadcast_shapes((2, 1), (3,)), ag.Size)
    for lib in (ag, torch):
        with pytest.raises(RuntimeError):
            lib.broadcast_shapes((2,), (3,))
        with pytest.raises(RuntimeError):
            lib.broadcast_tensors(lib.zeros(2), lib.zeros(3))
    with pytest.raises(SHAPE_ERRORS, match=r"broadcast_tensors: shapes \(2,\), \(3,\)"):
        ag.broadcast_tensors(ag.zeros(2), ag.zeros(3))


def test_flip_returns_a_copy_like_torch():
    """torch.flip copies (unlike np.flip): writing into the result leaves the input alone."""
    outs = []
    for lib in (ag, torch):
        x = lib.tensor(r(2, 3))
        y = x.flip(1)
        with lib.no_grad():
            y.mul_(10)
            y[0, 0] = 5.0
        outs.append((x.numpy().copy(), y.numpy().copy()))
    np.testing.assert_array_equal(outs[0][0], outs[1][0])
    np.testing.assert_array_equal(outs[0][1], outs[1][1])


def test_roll_errors():
    with pytest.raises(SHAPE_ERRORS, match="roll"):
        ag.tensor(r(2, 3)).roll((1, 2), (0,))
    with pytest.raises(IndexError, match="roll"):
        ag.tensor(r(2, 3)).roll(1, 2)


# ---- contiguous -------------------------------------------------------------------------------


def test_contiguous_copies_only_when_needed_like_torch():
    for lib in (ag, torch):
        x = lib.tensor(r(2, 3))
        assert x.contiguous() is x
        y = x.t().contiguous()
        z = x[:, :1].expand(2, 4).contiguous()
        with lib.no_grad():
            y.mul_(10)  # a copy: x is untouched
            z.add_(1)  # writable, unlike the expanded view
        np.testing.assert_array_equal(x.numpy(), r(2, 3))
        np.testing.assert_array_equal(z.numpy(), np.repeat(r(2, 3)[:, :1], 4, 1) + 1)


# ---- cat / stack ---------------------------------------------------------------------------


def test_cat_single_input_result_is_not_the_input():
    # torch.cat always returns new memory
    x = ag.tensor(r(2, 3))
    y = ag.cat([x])
    with ag.no_grad():
        y.add_(1)
    np.testing.assert_array_equal(x._data, r(2, 3))


@pytest.mark.parametrize("dtypes", [
    (np.float32, np.float64), (np.int64, np.float32), (np.int32, np.int64), (np.bool_, np.int32),
    (np.float64, np.int64),
])
def test_cat_promotes_dtypes(dtypes):
    arrays = [(r(2, 3, seed=i) * 3).astype(dt) for i, dt in enumerate(dtypes)]
    same_dtypes(lambda lib, a, b: lib.cat([a, b], -1), *arrays)


def test_cat_mixed_dtype_grad():
    a = ag.tensor(r(2, 3).astype(np.float32), requires_grad=True)
    b = ag.tensor(r(1, 3), requires_grad=True)
    ta = torch.tensor(r(2, 3).astype(np.float32), requires_grad=True)
    tb = torch.tensor(r(1, 3), requires_grad=True)
    w = r(3, 3, seed=5)
    (ag.cat([a, b]) * ag.tensor(w)).sum().backward()
    (torch.cat([ta, tb]) * torch.tensor(w)).sum().backward()
    for ours, theirs in ((a, ta), (b, tb)):
        assert ours.grad.dtype == theirs.grad.numpy().dtype
        np.testing.assert_allclose(ours.grad._data, theirs.grad.numpy(), rtol=1e-6)


def test_cat_errors():
    a, b = ag.tensor(r(2, 3)), ag.tensor(r(3, 2))
    with pytest.raises(SHAPE_ERRORS) as e:
        ag.cat([a, b], 0)
    msg = str(e.value)
    assert "cat" in msg and "(2, 3)" in msg and "(3, 2)" in msg
    with pytest.raises(RuntimeError):
        torch.cat([torch.zeros(2, 3), torch.zeros(3, 2)], 0)
    with pytest.raises(SHAPE_ERRORS, match="cat"):
        ag.cat([a, ag.tensor(r(2, 3, 1))])
    with pytest.raises(SHAPE_ERRORS, match="cat"):
        ag.cat([ag.tensor(1.0), ag.tensor(2.0)])
    with pytest.raises(SHAPE_ERRORS, match="cat"):
        ag.cat([])
    with pytest.raises(IndexError, match="cat"):
        ag.cat([a, a], 2)


def test_stack_promotes_dtypes_and_errors():
    same_dtypes(lambda lib, a, b: lib.stack([a, b]), r(2).astype(np.float32), r(2))
    with pytest.raises(SHAPE_ERRORS) as e:
        ag.stack([ag.tensor(r(2, 3)), ag.tensor(r(3, 2))])
    assert "stack" in str(e.value) and "[2, 3]" in str(e.value) and "[3, 2]" in str(e.value)
    with pytest.raises(IndexError, match="stack"):
        ag.stack([ag.tensor(r(2)), ag.tensor(r(2))], 2)


# ---- split / chunk / unbind / narrow ------------------------------------------------------


def test_split_unused_outputs_and_errors():
    # only some outputs used: the others get zero gradient
    compare(lambda lib, x: x.split(2)[1], r(5, 2))
    with pytest.raises(SHAPE_ERRORS, match=r"split.*\(5, 4\)"):
        ag.tensor(r(5, 4)).split([2, 2], 0)
    with pytest.raises(SHAPE_ERRORS, match="split"):
        ag.tensor(r(5, 4)).split(0, 0)
    for lib in (ag, torch):  # sizes that sum right but include a negative one
        with pytest.raises(RuntimeError, match="split"):
            lib.split(lib.ones(4), [5, -1])


def test_chunk_errors():
    with pytest.raises(SHAPE_ERRORS, match="chunk"):
        ag.tensor(r(5)).chunk(0)


def test_iteration_unbinds_and_unbind_errors():
    compare(lambda lib, x: x.unbind(0)[1], r(3, 2))  # one output used
    compare(lambda lib, x: [t * 2 for t in x], r(3, 2))  # iteration unbinds
    with pytest.raises(IndexError, match="unbind"):
        ag.tensor(r(2)).unbind(1)


def test_narrow_errors():
    with pytest.raises(IndexError, match="narrow"):
        ag.tensor(r(4, 4)).narrow(0, 3, 2)
    with pytest.raises(IndexError, match="narrow"):
        ag.tensor(r(4, 4)).narrow(0, 5, 0)
    with pytest.raises(IndexError, match="narrow"):
        ag.tensor(r(4, 4)).narrow(2, 0, 1)
    for lib in (ag, torch):
        with pytest.raises(RuntimeError, match="narrow"):
            lib.tensor(1.0).narrow(0, 0, 1)


# ---- views: share memory and version counter as in torch -----------------------------------
VIEW_OPS = [
    lambda x: x.view(-1),
    lambda x: x.reshape(3, 2),
    lambda x: x.transpose(0, 1),
    lambda x: x.permute(1, 0),
    lambda x: x.unsqueeze(0),
    lambda x: x[0:1].squeeze(0),
    lambda x: x.flatten(),
    lambda x: x.narrow(1, 1, 2),
    lambda x: x.split(1, 0)[1],
    lambda x: x.chunk(3, 1)[2],
    lambda x: x.unbind(1)[0],
    lambda x: x.T,
    lambda x: x.unflatten(1, (3, 1)),
]


@pytest.mark.parametrize("k", range(len(VIEW_OPS)))
def test_views_write_through_and_share_version(k):
    fn = VIEW_OPS[k]
    results = []
    for lib in (ag, torch):
        x = lib.tensor(r(2, 3))
        v = fn(x)
        before = x._version
        with lib.no_grad():
            v.mul_(10)
        results.append(x.numpy().copy())
        assert x._version > before and v._version == x._version
    np.testing.assert_array_equal(results[0], results[1])


def test_view_chain_double_backward():
    # a chain of shape ops through create_graph: Hessian-vector product matches torch
    def f(lib, x):
        y = x.reshape(2, 3).t().unsqueeze(0).expand(2, 3, 2).flip(2).roll(1, 1)
        return (y * y * y).sum()

    xs = r(6)
    gs = []
    for lib in (ag, torch):
        x = lib.tensor(xs, requires_grad=True)
        (g,) = lib.autograd.grad(f(lib, x), [x], create_graph=True)
        (h,) = lib.autograd.grad((g * lib.tensor(r(6, seed=3))).sum(), [x])
        gs.append((g.detach().numpy(), h.numpy()))
    np.testing.assert_allclose(gs[0][0], gs[1][0], rtol=1e-10)
    np.testing.assert_allclose(gs[0][1], gs[1][1], rtol=1e-10)


# ---- repeat_interleave, tensor_split, select, diff (ops/slicing.py) ------------------------
@pytest.mark.parametrize("call,error,match", [
    (lambda lib: lib.repeat_interleave(lib.ones(2, 3), -1), RuntimeError, "negative"),
    (lambda lib: lib.repeat_interleave(lib.ones(2, 3), lib.tensor([1, 2, 3]), 0), RuntimeError,
     r"repeats must have the same size as input along dim"),
    (lambda lib: lib.repeat_interleave(lib.ones(2, 3), lib.tensor([1.0, 2.0]), 0), RuntimeError,
     "integer"),
    (lambda lib: lib.tensor_split(lib.tensor(1.0), 2), RuntimeError, "at least a 1-dimensional"),
    (lambda lib: lib.tensor_split(lib.ones(4), 0), RuntimeError, "larger than 0"),
    (lambda lib: lib.select(lib.ones(2, 3), 1, 3), IndexError, "out of range"),
    (lambda lib: lib.select(lib.ones(2, 3), 2, 0), IndexError, "out of range"),
    (lambda lib: lib.diff(lib.tensor(1.0)), RuntimeError, "at least one-dimensional"),
    (lambda lib: lib.diff(lib.ones(3), -1), RuntimeError, "non-negative"),
    (lambda lib: lib.diff(lib.ones(2, 3), prepend=lib.ones(3, 3)), RuntimeError,
     "match that of input except along the differencing dimension"),
    (lambda lib: lib.diff(lib.ones(2, 3), append=lib.ones(3)), RuntimeError, "same dimension"),
])
def test_slicing_errors_match_pytorch(call, error, match):
    with pytest.raises(error, match=match):
        call(ag)
    with pytest.raises(error):  # torch agrees it is an error of that kind
        call(torch)


def test_tensor_split_and_select_are_views():
    x = ag.arange(12.0).reshape(3, 4)
    parts = x.tensor_split([1, 3], dim=1)
    assert [tuple(p.shape) for p in parts] == [(3, 1), (3, 2), (3, 1)]
    assert all(np.shares_memory(p.numpy(), x.numpy()) for p in parts)
    assert np.shares_memory(x.select(0, -1).numpy(), x.numpy())


def test_repeat_interleave_output_size_must_agree():
    x = ag.ones(2, 3)
    assert x.repeat_interleave(2, 0, output_size=4).shape == (4, 3)
    with pytest.raises(ValueError, match="output_size 5"):
        x.repeat_interleave(2, 0, output_size=5)
