"""Sorting, selection and scans beyond the op table's samples: float ties (where
gradcheck can't go) with PyTorch's indices and gradients, NaN ordering, unique's
missing derivative, namedtuple results, errors, and logcumsumexp at the edges."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from helpers import compare

TIES = np.array([[3.0, 1.0, 3.0, 2.0, 1.0, 3.0, 0.5, 2.0],
                 [0.0, 0.0, 1.0, 1.0, 0.0, 2.0, 2.0, 1.0]])
WITH_NAN = np.array([[1.0, np.nan, 0.0, 2.0, np.nan, 3.0, -1.0, 2.0]])


@pytest.mark.parametrize("k", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("sorted_", [True, False])
def test_topk_ties_pick_pytorchs_indices_and_gradients(k, largest, sorted_):
    compare(lambda lib, x: lib.topk(x, k, largest=largest, sorted=sorted_), TIES)


@pytest.mark.parametrize("k", range(1, 9))
def test_kthvalue_ties_pick_pytorchs_index(k):
    compare(lambda lib, x: lib.kthvalue(x, k, 1), TIES)
    compare(lambda lib, x: lib.kthvalue(x.t(), k, 0, True), TIES)


@pytest.mark.parametrize("descending", [False, True])
def test_stable_sort_of_ties_and_the_gradient_through_it(descending):
    compare(lambda lib, x: lib.sort(x, dim=1, descending=descending, stable=True), TIES)
    compare(lambda lib, x: lib.argsort(x, dim=0, descending=descending, stable=True), TIES,
            grad=False)


def test_unstable_sort_of_ties_gives_the_same_values_and_a_valid_permutation():
    x = ag.tensor(np.tile(TIES, 4))
    values, indices = ag.sort(x, descending=True)
    expected = torch.sort(torch.tensor(np.tile(TIES, 4)), descending=True)
    np.testing.assert_array_equal(values.numpy(), expected.values.numpy())
    np.testing.assert_array_equal(np.take_along_axis(x.numpy(), indices.numpy(), 1), values.numpy())


def test_nan_sorts_as_the_largest_value():
    for descending in (False, True):
        compare(lambda lib, x: lib.sort(x, descending=descending, stable=True), WITH_NAN,
                grad=False)
    compare(lambda lib, x: lib.topk(x, 3), WITH_NAN, grad=False)
    compare(lambda lib, x: lib.topk(x, 3, largest=False), WITH_NAN, grad=False)
    compare(lambda lib, x: lib.kthvalue(x, 7), WITH_NAN, grad=False)
    compare(lambda lib, x: lib.cummax(x, 1), WITH_NAN, grad=False)
    compare(lambda lib, x: lib.cummin(x, 1), WITH_NAN, grad=False)
    compare(lambda lib, x: lib.msort(x.t()), WITH_NAN, grad=False)


def test_cummax_ties_take_the_latest_index_and_scatter_the_gradient_there():
    compare(lambda lib, x: lib.cummax(x, 1), TIES)
    compare(lambda lib, x: lib.cummin(x, 1), TIES)


def test_results_are_namedtuples_with_pytorchs_fields():
    x = ag.tensor(TIES)
    assert ag.topk(x, 2).indices.dtype == np.int64
    assert ag.sort(x).values.shape == (2, 8)
    assert ag.kthvalue(x, 2).values.shape == (2,)
    assert ag.cummax(x, 1).indices.shape == (2, 8)
    assert type(ag.topk(x, 2)).__name__ == "topk"
    values, indices = x.topk(2, dim=0)
    assert values.shape == indices.shape == (2, 8)


def test_unique_has_no_derivative_and_sorts():
    x = ag.tensor([3.0, 1.0, 3.0], requires_grad=True)
    out = ag.unique(x)
    assert out.requires_grad  # as PyTorch's, whose backward then raises
    with pytest.raises(RuntimeError, match="not differentiable"):
        out.sum().backward()
    values, inverse, counts = ag.tensor([2, 0, 2, 1]).unique(sorted=False, return_inverse=True,
                                                              return_counts=True)
    np.testing.assert_array_equal(values.numpy(), [0, 1, 2])
    np.testing.assert_array_equal(inverse.numpy(), [2, 0, 2, 1])
    np.testing.assert_array_equal(counts.numpy(), [1, 1, 2])


def test_unique_keeps_every_nan_apart():
    out = ag.unique(ag.tensor([np.nan, 1.0, np.nan]))
    expected = torch.unique(torch.tensor([np.nan, 1.0, np.nan])).numpy()
    np.testing.assert_array_equal(out.numpy(), expected)


@pytest.mark.parametrize("call, error, match", [
    (lambda: ag.topk(ag.ones(3), 4), RuntimeError, "out of range"),
    (lambda: ag.topk(ag.ones(3), -1), RuntimeError, "out of range"),
    (lambda: ag.topk(ag.ones(3, dtype=ag.bool), 1), RuntimeError, "bool"),
    (lambda: ag.kthvalue(ag.ones(3), 0), RuntimeError, "out of range"),
    (lambda: ag.kthvalue(ag.ones(0), 1), IndexError, "no elements"),
    (lambda: ag.kthvalue(ag.ones(3, dtype=ag.bool), 1), NotImplementedError, "bool"),
    (lambda: ag.sort(ag.ones(3), 1), IndexError, "out of range"),
    (lambda: ag.unique(ag.ones(2, 0, 3), dim=0), RuntimeError, "0 sized dimensions"),
    (lambda: ag.logcumsumexp(ag.tensor([1, 2]), 0), NotImplementedError, "logcumsumexp"),
])
def test_errors_name_the_op(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_logcumsumexp_with_infinities_and_large_values():
    x = np.array([[-np.inf, 0.5, -1.0], [-np.inf, -np.inf, 2.0], [800.0, 799.0, -800.0]])
    with np.errstate(invalid="ignore"):
        ours = ag.logcumsumexp(ag.tensor(x), 1).numpy()
    np.testing.assert_allclose(ours, torch.logcumsumexp(torch.tensor(x), 1).numpy())
    compare(lambda lib, t: lib.logcumsumexp(t, 1), x[2:])


def test_logcumsumexp_second_derivative_matches_pytorch():
    x = np.random.default_rng(0).standard_normal((2, 5))
    w = np.random.default_rng(1).standard_normal((2, 5))
    grads = []
    for lib in (ag, torch):
        t = lib.tensor(x, requires_grad=True)
        (g,) = lib.autograd.grad((lib.logcumsumexp(t, 1) * lib.tensor(w)).sum(), t,
                                 create_graph=True)
        (h,) = lib.autograd.grad((g * g).sum(), t)
        grads.append(h.detach().numpy())
    np.testing.assert_allclose(*grads, rtol=1e-10)


# ---- isin, argwhere, bincount, searchsorted, bucketize (ops/search.py): errors --------------
@pytest.mark.parametrize("call,match", [
    (lambda lib: lib.bincount(lib.tensor([0, -1, 2])), "non-negative"),
    (lambda lib: lib.bincount(lib.tensor([[0, 1]])), "1-d"),
    (lambda lib: lib.bincount(lib.tensor([0.0, 1.0])), "integral"),
    (lambda lib: lib.bincount(lib.tensor([0, 1]), lib.ones(3)), "same length"),
    (lambda lib: lib.bincount(lib.tensor([0, 1]), minlength=-1), "minlength"),
    (lambda lib: lib.searchsorted(lib.tensor([1.0, 2.0]), lib.ones(2), side="middle"), "side"),
    (lambda lib: lib.searchsorted(lib.tensor([1.0, 2.0]), lib.ones(2), right=True, side="left"),
     "opposites"),
    (lambda lib: lib.searchsorted(lib.ones(2, 3), lib.ones(3, 2)), "first N-1 dimensions"),
    (lambda lib: lib.searchsorted(lib.tensor(1.0), lib.ones(2)), "positive dimension"),
    (lambda lib: lib.bucketize(lib.ones(2), lib.ones(2, 2)), "1 dimension"),
])
def test_search_errors_match_pytorch(call, match):
    with pytest.raises(RuntimeError, match=match):
        call(ag)
    with pytest.raises(RuntimeError):  # torch agrees it is an error
        call(torch)


def test_isin_takes_one_number_not_two():
    assert ag.isin(ag.tensor([1, 2, 3]), 2).tolist() == [False, True, False]
    assert ag.isin(2, ag.tensor([1, 2])).item() is True
    with pytest.raises(TypeError, match="isin"):
        ag.isin(1, 2)
