"""Shape ops compared with PyTorch: values, shapes, dtypes, gradients (first and
second order), views, 0-d and empty tensors, and the errors for bad shapes."""
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


# ---- reshape / view / flatten / unflatten ----------------------------------------------
@pytest.mark.parametrize("shape", [(6, 4), (4, -1), (-1,), (2, 3, 4), (2, -1, 2), [24], (1, 24, 1)])
def test_reshape(shape):
    compare(lambda lib, x: x.reshape(shape), r(2, 3, 4))
    compare(lambda lib, x: lib.reshape(x, shape), r(2, 3, 4))


def test_reshape_varargs_and_view():
    compare(lambda lib, x: x.reshape(4, -1), r(2, 3, 4))
    compare(lambda lib, x: x.view(3, 8), r(2, 3, 4))
    compare(lambda lib, x: x.view(-1), r(2, 3, 4))
    compare(lambda lib, x, y: x.view_as(y), r(2, 3, 4), r(6, 4))
    compare(lambda lib, x, y: x.reshape_as(y), r(2, 3, 4), r(4, 6))


def test_reshape_0d_and_empty():
    compare(lambda lib, x: x.reshape(1, 1), r())
    compare(lambda lib, x: x.reshape(()), r(1, 1))
    compare(lambda lib, x: x.reshape(-1), r())
    compare(lambda lib, x: x.reshape(3, 0, 2), r(0, 6))
    compare(lambda lib, x: x.reshape(-1), r(0, 6))
    with pytest.raises(SHAPE_ERRORS, match="reshape"):  # -1 is ambiguous for 0 elements
        ag.tensor(r(0, 6)).reshape(0, -1)
    compare(lambda lib, x: x.reshape(2, 0), r(0))


def test_reshape_of_transposed_then_grad():
    # reshape of a non-contiguous tensor must copy, and its gradient must still be right
    compare(lambda lib, x: x.transpose(0, 1).reshape(-1) * lib.arange(6, dtype=x.dtype), r(2, 3))


def test_reshape_gradcheck():
    gradcheck(lambda x: x.reshape(3, -1) * x.reshape(3, -1), r(2, 3), second_order=True)
    gradcheck(lambda x: x.view(6).cumsum(0), r(2, 3), second_order=True)


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


def test_view_wrong_size_error():
    with pytest.raises(SHAPE_ERRORS, match=r"(view|reshape).*\(2, 3\)"):
        ag.tensor(r(2, 3)).view(4, 2)


@pytest.mark.parametrize("start,end", [(0, -1), (1, -1), (0, 1), (1, 2), (-2, -1), (2, 2), (-3, 0)])
def test_flatten(start, end):
    compare(lambda lib, x: x.flatten(start, end), r(2, 3, 4))
    compare(lambda lib, x: lib.flatten(x, start_dim=start, end_dim=end), r(2, 3, 4))


def test_flatten_0d_1d_empty_and_errors():
    compare(lambda lib, x: x.flatten(), r())
    compare(lambda lib, x: x.flatten(), r(5))
    compare(lambda lib, x: x.flatten(1), r(2, 0, 3))
    gradcheck(lambda x: x.flatten(1) ** 2, r(2, 2, 2), second_order=True)
    with pytest.raises(SHAPE_ERRORS, match="flatten"):
        ag.tensor(r(2, 3, 4)).flatten(2, 1)
    with pytest.raises(IndexError, match="flatten"):
        ag.tensor(r(2, 3)).flatten(0, 5)


@pytest.mark.parametrize("dim,sizes", [(0, (2, 3)), (1, (2, 2)), (-1, (-1, 2)), (1, (4, 1)), (0, (1, -1, 1))])
def test_unflatten(dim, sizes):
    x = r(6, 4)
    compare(lambda lib, x: x.unflatten(dim, sizes), x)
    compare(lambda lib, x: lib.unflatten(x, dim, sizes), x)


def test_unflatten_errors_and_gradcheck():
    gradcheck(lambda x: x.unflatten(1, (2, 2)).sum(-1) ** 2, r(3, 4), second_order=True)
    with pytest.raises(SHAPE_ERRORS, match="unflatten"):
        ag.tensor(r(6, 4)).unflatten(0, (4, 2))
    with pytest.raises(SHAPE_ERRORS, match="unflatten"):
        ag.tensor(r(6, 4)).unflatten(0, (-1, -1))


# ---- squeeze / unsqueeze ---------------------------------------------------------------
@pytest.mark.parametrize("dim", [None, 0, 1, 2, -1, -4, (0, 2), (1, -1), (0, 1, 3), ()])
def test_squeeze(dim):
    x = r(1, 3, 1, 1)
    if dim is None:
        compare(lambda lib, x: x.squeeze(), x)
        compare(lambda lib, x: lib.squeeze(x), x)
    else:
        compare(lambda lib, x: x.squeeze(dim), x)
        compare(lambda lib, x: lib.squeeze(x, dim=dim), x)


def test_squeeze_0d_empty_and_errors():
    compare(lambda lib, x: x.squeeze(), r())
    compare(lambda lib, x: x.squeeze(0), r())
    compare(lambda lib, x: x.squeeze(-1), r())
    compare(lambda lib, x: x.squeeze(), r(1, 0, 1))
    compare(lambda lib, x: x.squeeze(1), r(2, 0))  # a non-1 dim is left alone
    gradcheck(lambda x: x.squeeze(0) * 3, r(1, 3), second_order=True)
    with pytest.raises(IndexError, match="squeeze"):
        ag.tensor(r(1, 3)).squeeze(2)
    with pytest.raises(IndexError, match="squeeze"):
        ag.tensor(r(1, 3)).squeeze((0, 5))


@pytest.mark.parametrize("dim", [0, 1, 2, 3, -1, -2, -4])
def test_unsqueeze(dim):
    compare(lambda lib, x: x.unsqueeze(dim), r(2, 3, 4))
    compare(lambda lib, x: lib.unsqueeze(x, dim), r(2, 1, 4))


def test_unsqueeze_0d_empty_errors_gradcheck():
    compare(lambda lib, x: x.unsqueeze(0), r())
    compare(lambda lib, x: x.unsqueeze(-1), r())
    compare(lambda lib, x: x.unsqueeze(1), r(0, 2))
    gradcheck(lambda x: x.unsqueeze(-1) * x.unsqueeze(0), r(3), second_order=True)
    with pytest.raises(IndexError, match="unsqueeze"):
        ag.tensor(r(2, 3)).unsqueeze(3)
    with pytest.raises(IndexError, match="unsqueeze"):
        ag.tensor(r(2, 3)).unsqueeze(-4)


# ---- transpose / permute / T / mT ---------------------------------------------------------
@pytest.mark.parametrize("d0,d1", [(0, 1), (1, 0), (0, 2), (-1, -3), (1, 1), (-2, 2)])
def test_transpose_swapaxes(d0, d1):
    compare(lambda lib, x: x.transpose(d0, d1), r(2, 3, 4))
    compare(lambda lib, x: lib.transpose(x, d0, d1), r(2, 3, 4))
    compare(lambda lib, x: x.swapaxes(d0, d1), r(2, 3, 4))
    compare(lambda lib, x: lib.swapaxes(x, d0, d1), r(2, 3, 4))


def test_transpose_0d_1d_and_errors():
    compare(lambda lib, x: x.transpose(0, -1), r())
    compare(lambda lib, x: x.transpose(0, 0), r(3))
    compare(lambda lib, x: x.t(), r(3, 2))
    with pytest.raises(IndexError, match="transpose"):
        ag.tensor(r(2, 3)).transpose(0, 2)


@pytest.mark.parametrize("dims", [(0, 1, 2), (2, 0, 1), (1, 2, 0), (-1, 0, -2), [2, 1, 0]])
def test_permute(dims):
    compare(lambda lib, x: x.permute(*dims), r(2, 3, 4))
    compare(lambda lib, x: x.permute(dims), r(2, 3, 4))
    compare(lambda lib, x: lib.permute(x, tuple(dims)), r(2, 3, 4))


def test_permute_errors_and_0d():
    compare(lambda lib, x: x.permute(()), r())
    x = ag.tensor(r(2, 3, 4))
    with pytest.raises(SHAPE_ERRORS, match="permute"):
        x.permute(0, 1)
    with pytest.raises(SHAPE_ERRORS, match="permute"):
        x.permute(0, 1, 1)
    with pytest.raises(IndexError, match="permute"):
        x.permute(0, 1, 3)


def test_permute_transpose_gradcheck():
    gradcheck(lambda x: x.permute(2, 0, 1) * x.transpose(0, 2).transpose(1, 2), r(2, 3, 2), second_order=True)
    gradcheck(lambda x: x.swapaxes(0, 1) @ x, r(2, 3), second_order=True)


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
@pytest.mark.parametrize("shape,sizes", [
    ((3, 1), (3, 4)), ((3, 1), (-1, 4)), ((1, 3), (2, 5, 3)), ((1, 3), (2, -1, -1)),
    ((3,), (2, 3)), ((), (2, 3)), ((1,), (0,)), ((2, 1, 1), (2, 3, 4)), ((3, 1), (3, 1)),
    ((2, 1), (0, 2, 3)),
])
def test_expand(shape, sizes):
    compare(lambda lib, x: x.expand(*sizes), r(*shape))
    compare(lambda lib, x: x.expand(sizes), r(*shape))


def test_expand_as_and_gradcheck():
    compare(lambda lib, x, y: x.expand_as(y) * y, r(3, 1), r(2, 3, 4))
    gradcheck(lambda x: x.expand(2, 3, 4) * x.expand(2, 3, 4), r(3, 1), second_order=True)
    gradcheck(lambda x, y: x.expand_as(y) * y, r(1, 4), r(3, 4), second_order=True)


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


@pytest.mark.parametrize("shape,sizes", [
    ((2, 3), (2, 1)), ((2, 3), (1, 1)), ((2, 3), (3, 2, 2)), ((3,), (2, 2)), ((), (3,)),
    ((), (2, 1)), ((1, 3), (3, 1)), ((2, 3), (0, 1)), ((2, 1), (1, 3)),
])
def test_repeat(shape, sizes):
    compare(lambda lib, x: x.repeat(*sizes), r(*shape))
    compare(lambda lib, x: x.repeat(sizes), r(*shape))


def test_repeat_gradcheck_and_errors():
    gradcheck(lambda x: x.repeat(2, 1, 3) ** 2, r(2, 2), second_order=True)
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


@pytest.mark.parametrize("shape,dims", [
    ((2, 3), (2,)), ((2, 3), (2, 1)), ((2, 3), (2, 2, 2)), ((3,), (2, 2)), ((2, 3), ()), ((), (3,)),
])
def test_tile(shape, dims):
    compare(lambda lib, x: x.tile(dims), r(*shape))
    compare(lambda lib, x: lib.tile(x, dims), r(*shape))


def test_tile_gradcheck():
    gradcheck(lambda x: x.tile((2,)) * x.tile((2,)), r(2, 2), second_order=True)


# ---- flip / roll -------------------------------------------------------------------------------
@pytest.mark.parametrize("dims", [(0,), (1,), (-1,), (0, 1), (0, 2), (2, 0, 1), ()])
def test_flip(dims):
    compare(lambda lib, x: x.flip(dims), r(2, 3, 4))
    compare(lambda lib, x: lib.flip(x, dims), r(2, 3, 4))


def test_flip_misc():
    compare(lambda lib, x: x.flip(0, 1), r(2, 3))
    compare(lambda lib, x: x.flip(0), r(0, 3))
    compare(lambda lib, x: lib.fliplr(x), r(2, 3))
    compare(lambda lib, x: lib.flipud(x), r(2, 3))
    gradcheck(lambda x: x.flip(0) * x, r(3, 2), second_order=True)
    with pytest.raises(IndexError, match="flip"):
        ag.tensor(r(2, 3)).flip(2)


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


@pytest.mark.parametrize("shifts,dims", [
    (1, None), (-2, None), (7, None), (1, 0), (-1, 1), (2, -1), ((1, 2), (0, 1)), ((1, -1), (1, 0)),
    ([3], [2]), ((1, 1), (0, 0)), (0, 1),
])
def test_roll(shifts, dims):
    if dims is None:
        compare(lambda lib, x: x.roll(shifts), r(2, 3, 4))
        compare(lambda lib, x: lib.roll(x, shifts), r(2, 3, 4))
    else:
        compare(lambda lib, x: x.roll(shifts, dims), r(2, 3, 4))
        compare(lambda lib, x: lib.roll(x, shifts=shifts, dims=dims), r(2, 3, 4))


def test_roll_gradcheck_and_errors():
    gradcheck(lambda x: x.roll(1, 0) * x, r(3, 2), second_order=True)
    gradcheck(lambda x: x.roll((1, -1), (0, 1)) ** 2, r(3, 2), second_order=True)
    gradcheck(lambda x: x.roll(2) * x, r(3, 2), second_order=True)
    compare(lambda lib, x: x.roll(1), r())
    compare(lambda lib, x: x.roll(1, 0), r(0, 2))
    with pytest.raises(SHAPE_ERRORS, match="roll"):
        ag.tensor(r(2, 3)).roll((1, 2), (0,))
    with pytest.raises(IndexError, match="roll"):
        ag.tensor(r(2, 3)).roll(1, 2)


# ---- contiguous -------------------------------------------------------------------------------
def test_contiguous():
    compare(lambda lib, x: x.contiguous(), r(2, 3))
    compare(lambda lib, x: x.t().contiguous().view(-1), r(2, 3))
    gradcheck(lambda x: x.t().contiguous() * 2, r(2, 3), second_order=True)
    gradcheck(lambda x: x.expand(2, 3, 2).contiguous() ** 2, r(3, 1), second_order=True)


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
@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
def test_cat(dim):
    shapes = [[2, 3, 4], [2, 3, 4], [2, 3, 4]]
    for k, s in enumerate(shapes):
        s[dim] = k + 1
    compare(lambda lib, a, b, c: lib.cat([a, b, c], dim), *(r(*s, seed=i) for i, s in enumerate(shapes)))
    compare(lambda lib, a, b, c: lib.cat((a, b, c), dim=dim), *(r(*s, seed=i) for i, s in enumerate(shapes)))


def test_cat_single_and_empty_and_aliases():
    compare(lambda lib, a: lib.cat([a]), r(2, 3))
    compare(lambda lib, a, b: lib.cat([a, b], 1), r(2, 0), r(2, 3))
    compare(lambda lib, a, b: lib.cat([a, b]), r(0), r(2, 3))  # legacy empty 1-D is skipped
    compare(lambda lib, a, b: lib.concat([a, b], 1), r(2, 1), r(2, 3))
    compare(lambda lib, a, b: lib.concatenate([a, b], 0), r(2, 3), r(1, 3))


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


def test_cat_gradcheck():
    gradcheck(lambda a, b: ag.cat([a, b * b], 1) ** 2, r(2, 1), r(2, 2), second_order=True)
    gradcheck(lambda a, b: ag.cat([a, b, a], -1), r(2, 1), r(2, 2), second_order=True)


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


@pytest.mark.parametrize("dim", [0, 1, 2, -1, -3])
def test_stack(dim):
    compare(lambda lib, a, b, c: lib.stack([a, b, c], dim), r(2, 3), r(2, 3, seed=1), r(2, 3, seed=2))
    compare(lambda lib, a, b: lib.stack((a, b), dim=dim), r(2, 3), r(2, 3, seed=1))


def test_stack_0d_empty_gradcheck_errors():
    compare(lambda lib, a, b: lib.stack([a, b]), r(), r(seed=1))
    compare(lambda lib, a, b: lib.stack([a, b], 1), r(0, 2), r(0, 2))
    same_dtypes(lambda lib, a, b: lib.stack([a, b]), r(2).astype(np.float32), r(2))
    gradcheck(lambda a, b: ag.stack([a, b * a], 1) ** 2, r(2, 2), r(2, 2), second_order=True)
    with pytest.raises(SHAPE_ERRORS) as e:
        ag.stack([ag.tensor(r(2, 3)), ag.tensor(r(3, 2))])
    assert "stack" in str(e.value) and "[2, 3]" in str(e.value) and "[3, 2]" in str(e.value)
    with pytest.raises(IndexError, match="stack"):
        ag.stack([ag.tensor(r(2)), ag.tensor(r(2))], 2)


# ---- split / chunk / unbind / narrow ------------------------------------------------------
@pytest.mark.parametrize("size,dim", [(1, 0), (2, 0), (3, 0), (5, 0), (2, 1), (4, 1), (3, -1), (10, 1)])
def test_split_int(size, dim):
    compare(lambda lib, x: x.split(size, dim), r(5, 4))
    compare(lambda lib, x: lib.split(x, size, dim=dim), r(5, 4))


@pytest.mark.parametrize("sizes,dim", [([1, 4], 0), ([2, 0, 3], 0), ([5], 0), ((1, 1, 2), 1), ([4, 0], -1)])
def test_split_sections(sizes, dim):
    compare(lambda lib, x: x.split(sizes, dim), r(5, 4))
    compare(lambda lib, x: lib.split(x, list(sizes), dim), r(5, 4))


def test_split_gradcheck_unused_outputs_and_errors():
    gradcheck(lambda x: x.split(2, 0)[1] * x.split([1, 3], 0)[0], r(4, 2), second_order=True)
    gradcheck(lambda x: tuple(p * p for p in x.split(1, 1)), r(2, 3), second_order=True)
    # only some outputs used: the others get zero gradient
    compare(lambda lib, x: x.split(2)[1], r(5, 2))
    compare(lambda lib, x: x.split(2, 1), r(2, 0))
    with pytest.raises(SHAPE_ERRORS, match=r"split.*\(5, 4\)"):
        ag.tensor(r(5, 4)).split([2, 2], 0)
    with pytest.raises(SHAPE_ERRORS, match="split"):
        ag.tensor(r(5, 4)).split(0, 0)


@pytest.mark.parametrize("chunks,dim", [(1, 0), (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (2, 1), (3, -1), (3, 1)])
def test_chunk(chunks, dim):
    compare(lambda lib, x: x.chunk(chunks, dim), r(5, 4))
    compare(lambda lib, x: lib.chunk(x, chunks, dim=dim), r(5, 4))


def test_chunk_uneven_and_empty_and_errors():
    compare(lambda lib, x: x.chunk(4), r(6))  # torch gives 3 chunks of 2
    compare(lambda lib, x: x.chunk(3), r(7, 2))
    compare(lambda lib, x: x.chunk(2, 1), r(3, 0))
    gradcheck(lambda x: x.chunk(3)[0] * x.chunk(3)[2], r(5), second_order=True)
    with pytest.raises(SHAPE_ERRORS, match="chunk"):
        ag.tensor(r(5)).chunk(0)


@pytest.mark.parametrize("dim", [0, 1, 2, -1])
def test_unbind(dim):
    compare(lambda lib, x: x.unbind(dim), r(2, 3, 4))
    compare(lambda lib, x: lib.unbind(x, dim=dim), r(2, 3, 4))


def test_unbind_misc():
    compare(lambda lib, x: x.unbind(0)[1], r(3, 2))
    compare(lambda lib, x: [t * 2 for t in x], r(3, 2))  # iteration unbinds
    compare(lambda lib, x: x.unbind(1), r(0, 2))
    assert len(ag.tensor(r(2, 0)).unbind(1)) == len(torch.tensor(r(2, 0)).unbind(1))
    gradcheck(lambda x: tuple(t * t for t in x.unbind(1)), r(2, 3), second_order=True)
    with pytest.raises(IndexError, match="unbind"):
        ag.tensor(r(2)).unbind(1)


@pytest.mark.parametrize("dim,start,length", [
    (0, 0, 2), (0, 1, 3), (1, 2, 2), (-1, 0, 4), (1, -2, 2), (0, 4, 0), (1, 0, 0),
])
def test_narrow(dim, start, length):
    compare(lambda lib, x: x.narrow(dim, start, length), r(4, 4))
    compare(lambda lib, x: lib.narrow(x, dim, start, length), r(4, 4))


def test_narrow_gradcheck_and_errors():
    gradcheck(lambda x: x.narrow(1, 1, 2) ** 2, r(2, 4), second_order=True)
    with pytest.raises(IndexError, match="narrow"):
        ag.tensor(r(4, 4)).narrow(0, 3, 2)
    with pytest.raises(IndexError, match="narrow"):
        ag.tensor(r(4, 4)).narrow(0, 5, 0)
    with pytest.raises(IndexError, match="narrow"):
        ag.tensor(r(4, 4)).narrow(2, 0, 1)


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
