"""MaxUnpool1d/2d and F.max_unpool1d/2d next to PyTorch's: with the indices of
autograd_lite's own MaxPool1d/2d(return_indices=True), values, gradients (through the
unpooling and the pooling before it), shapes and dtypes in float64 and float32; output
sizes, repeated indices, reprs, errors."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from helpers import torch_dtype
from nn_helpers import close

DTYPES = [np.float64, np.float32]


def _round_trip(lib, x, nd, pool_args, unpool_args, output_size=None, shape_from_input=False):
    n = lib.nn
    pool = (n.MaxPool1d if nd == 1 else n.MaxPool2d)(*pool_args, return_indices=True)
    unpool = (n.MaxUnpool1d if nd == 1 else n.MaxUnpool2d)(*unpool_args)
    y, idx = pool(x)
    size = x.shape if shape_from_input else output_size
    out = unpool(y, idx, output_size=size) if size is not None else unpool(y, idx)
    return out, idx


CASES = [  # nd, input shape, pool args, unpool args, output_size
    (2, (2, 3, 6, 6), (2,), (2,), None),
    (2, (2, 2, 7, 5), (3, 2, 1), (3, 2, 1), "input"),
    (2, (2, 2, 5, 5), (2, 2), (2, 2), (5, 5)),
    (2, (3, 5, 5), ((2, 3), (2, 1)), ((2, 3), (2, 1)), None),  # unbatched
    (2, (1, 2, 5, 5), (3, 1), (3, 1), None),  # overlapping windows: repeated indices
    (1, (2, 3, 8), (2,), (2,), None),
    (1, (2, 2, 9), (3, 2, 1), (3, 2, 1), "input"),
    (1, (3, 7), (2,), (2,), [7]),  # unbatched
    (1, (2, 2, 6), (3, 1), (3, 1), None),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CASES, ids=[f"{c[0]}d-{c[1]}-{c[4]}" for c in CASES])
def test_round_trip_matches_pytorch(dtype, case):
    nd, shape, pool_args, unpool_args, size = case
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape).astype(dtype)
    g = None
    results = {}
    for lib in (ag, torch):
        t = lib.tensor(x, requires_grad=True)
        out, idx = _round_trip(lib, t, nd, pool_args, unpool_args, None if size == "input" else size,
                               shape_from_input=size == "input")
        if g is None:
            g = rng.standard_normal(tuple(out.shape)).astype(dtype)
        (out * lib.tensor(g)).sum().backward()
        results[lib] = out, idx, t.grad
    (oa, ia, ga), (ot, it, gt) = results[ag], results[torch]
    np.testing.assert_array_equal(ia.numpy(), it.numpy())
    close(oa, ot, dtype, "output")
    close(ga, gt, dtype, "input grad")
    assert oa.dtype == dtype and ot.dtype == torch_dtype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_gradient_gathers_at_repeated_indices(dtype):
    x = np.array([[[[1.0, 2.0], [3.0, 4.0]]]], dtype)
    idx = [[[[0, 0], [5, 5]]]]
    g = np.arange(16, dtype=dtype).reshape(1, 1, 4, 4)
    outs = []
    for lib in (ag, torch):
        t = lib.tensor(x, requires_grad=True)
        out = lib.nn.functional.max_unpool2d(t, lib.tensor(idx), 2)
        out.backward(lib.tensor(g))
        outs.append((out, t.grad))
    close(outs[0][0], outs[1][0], dtype, "output: the later value wins")
    close(outs[0][1], outs[1][1], dtype, "grad: both gather")


def test_second_derivative_and_gradcheck():
    x = ag.randn(2, 2, 3, 3, dtype=ag.float64, requires_grad=True)
    idx = nn.MaxPool2d(2, return_indices=True)(ag.randn(2, 2, 6, 6))[1]
    assert ag.autograd.gradcheck(lambda a: nn.functional.max_unpool2d(a, idx, 2), (x,))
    assert ag.autograd.gradgradcheck(lambda a: nn.functional.max_unpool2d(a, idx, 2).pow(2), (x,))


def test_output_size_forms_and_repr():
    for lib in (ag, torch):
        u = lib.nn.MaxUnpool2d(2)
        y, idx = lib.nn.MaxPool2d(2, return_indices=True)(lib.ones(1, 1, 5, 5))
        assert tuple(u(y, idx, output_size=(1, 1, 5, 5)).shape) == (1, 1, 5, 5)
        assert tuple(u(y, idx, output_size=[5, 4]).shape) == (1, 1, 5, 4)
        assert tuple(u(y, idx).shape) == (1, 1, 4, 4)
    for args in [(2,), (3, 2, 1), ((2, 3), (1, 2), (0, 1))]:
        assert repr(nn.MaxUnpool2d(*args)) == repr(torch.nn.MaxUnpool2d(*args))
    for args in [(2,), (3, 2, 1)]:
        assert repr(nn.MaxUnpool1d(*args)) == repr(torch.nn.MaxUnpool1d(*args))
    assert dict(nn.MaxUnpool2d(2).state_dict()) == {}


def _error(lib, fn):
    try:
        fn(lib)
    except (RuntimeError, ValueError, TypeError, NotImplementedError) as e:
        return type(e).__name__ if not isinstance(e, (TypeError, NotImplementedError)) else "type", str(e)
    return None


ERRORS = [
    ("bad index", lambda lib: lib.nn.functional.max_unpool2d(lib.ones(1, 1, 2, 2), lib.tensor([[[[0, 1], [2, 16]]]]), 2),
     "Found an invalid max index: 16 (output volumes are of size 4x4)"),
    ("negative index", lambda lib: lib.nn.functional.max_unpool2d(lib.ones(1, 1, 1, 1), lib.tensor([[[[-1]]]]), 2),
     "Found an invalid max index: -1 (output volumes are of size 2x2)"),
    ("int32 indices", lambda lib: lib.nn.functional.max_unpool2d(lib.ones(1, 1, 2, 2),
                                                                 lib.zeros(1, 1, 2, 2, dtype=lib.int32), 2),
     "elements in indices should be type int64 but got"),
    ("shape", lambda lib: lib.nn.functional.max_unpool2d(lib.ones(1, 1, 2, 2),
                                                         lib.zeros(1, 1, 4, dtype=lib.int64), 2),
     "Expected shape of indices to be same as that of the input tensor ([1, 1, 2, 2]) but got indices tensor "
     "with shape: [1, 1, 4]"),
    ("output_size range", lambda lib: lib.nn.functional.max_unpool2d(lib.ones(1, 1, 2, 2),
                                                                     lib.zeros(1, 1, 2, 2, dtype=lib.int64), 2,
                                                                     output_size=(9, 9)),
     'invalid output_size "(9, 9)" (dim 0 must be between 2 and 6)'),
    ("output_size length", lambda lib: lib.nn.functional.max_unpool2d(lib.ones(1, 1, 2, 2),
                                                                      lib.zeros(1, 1, 2, 2, dtype=lib.int64), 2,
                                                                      output_size=(4, 4, 4)),
     "output_size should be a sequence containing 2 or 4 elements, but it has a length of '3'"),
    ("2-d input", lambda lib: lib.nn.functional.max_unpool2d(lib.ones(2, 2), lib.zeros(2, 2, dtype=lib.int64), 2),
     "Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with 2 dimensions."),
    ("empty channels", lambda lib: lib.nn.functional.max_unpool2d(lib.ones(1, 0, 2, 2),
                                                                  lib.zeros(1, 0, 2, 2, dtype=lib.int64), 2),
     "Expected input to have non-zero size for non-batch dimensions, but got [1, 0, 2, 2] with dimension 1 "
     "being empty."),
    ("1-d bad index", lambda lib: lib.nn.functional.max_unpool1d(lib.ones(1, 1, 2), lib.tensor([[[0, 9]]]), 2),
     "Found an invalid max index: 9 (output volumes are of size 4x1)"),
    ("integer input", lambda lib: lib.nn.functional.max_unpool2d(lib.ones(1, 1, 2, 2, dtype=lib.int64),
                                                                 lib.zeros(1, 1, 2, 2, dtype=lib.int64), 2),
     "\"max_unpool2d\" not implemented for"),
]


@pytest.mark.parametrize("name,fn,message", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_match_pytorch(name, fn, message):
    ours, theirs = _error(ag, fn), _error(torch, fn)
    assert ours is not None and theirs is not None
    assert ours[0] == theirs[0]
    assert message in ours[1] and message in theirs[1]


def test_changed_indices_are_caught():
    x = ag.randn(1, 1, 2, 2, requires_grad=True)
    idx = ag.tensor([[[[0, 3], [8, 15]]]])
    out = nn.functional.max_unpool2d(x, idx, 2)
    idx.add_(0)
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        out.sum().backward()
