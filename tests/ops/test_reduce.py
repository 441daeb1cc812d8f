"""Reductions beyond the op table (autograd_lite/ops/table/reduce.py, run by
tests/ops/test_op_table.py): ties (split gradients, first index), nan and inf,
degenerate corrections, zeros in prod's Hessian, dtype rules (int32/uint8/bool), the
namedtuple of max/min, the errors PyTorch raises, and a property test over random dims."""
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import autograd_lite as ag
from helpers import compare, gradcheck, randn

X = randn(2, 3, 4, seed=1)   # distinct values: no ties
X0 = np.array(0.7)           # 0-d
KEEP = [False, True]


def _kw(dim, keepdim):
    return dict(dim=dim, keepdim=keepdim)


def _fn_and_method(name, dim, keepdim, **extra):
    """fn(lib, x) -> (lib.NAME(x, ...), x.NAME(...)): both forms are compared."""
    def fn(lib, x):
        kw = dict(_kw(dim, keepdim), **extra)
        return getattr(lib, name)(x, **kw), getattr(x, name)(**kw)
    return fn


# ---- sum ------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8, np.bool_])
@pytest.mark.parametrize("dim", [None, 0, (0, 1)])
def test_sum_int_and_bool_give_int64(dtype, dim):
    a = (np.arange(6).reshape(2, 3) % 3).astype(dtype)
    compare(lambda lib, x: lib.sum(x) if dim is None else lib.sum(x, dim), a, grad=False)
    out = ag.sum(ag.tensor(a))
    assert out.dtype == np.int64


def test_sum_empty():
    compare(lambda lib, x: (lib.sum(x), lib.sum(x, 0), lib.sum(x, 1), lib.sum(x, 0, keepdim=True)),
            np.zeros((0, 3)))
    compare(lambda lib, x: (lib.sum(x, 1), lib.sum(x, (0, 1))), np.zeros((2, 0)))


# ---- mean -----------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_mean_of_int_raises_like_torch(dtype):
    a = np.arange(4).astype(dtype)
    with pytest.raises(RuntimeError):
        torch.mean(torch.tensor(a))
    with pytest.raises(RuntimeError, match="mean"):
        ag.mean(ag.tensor(a))
    with pytest.raises(RuntimeError):
        ag.tensor(a).mean(0)


# ---- prod -----------------------------------------------------------------------------
def test_prod_rejects_a_dim_tuple_like_torch():
    with pytest.raises(TypeError):
        torch.prod(torch.tensor(X), (0, 1))
    with pytest.raises(TypeError):
        ag.prod(ag.tensor(X), (0, 1))


def test_prod_second_order_with_zero_matches_torch():
    """The Hessian of prod at a point with one zero (d2/dxi dxj = product of the rest)."""
    a = np.array([3.0, 0.0, 2.0, -1.5])

    def hess(lib):
        x = lib.tensor(a, requires_grad=True)
        (g,) = lib.autograd.grad(lib.prod(x), x, create_graph=True)
        rows = [lib.autograd.grad(g[i], x, retain_graph=True)[0] for i in range(4)]
        return np.stack([np.asarray(r.detach().numpy()) for r in rows])

    np.testing.assert_allclose(hess(ag), hess(torch), rtol=1e-12)


def test_prod_int32_gives_int64():
    compare(lambda lib, x: (lib.prod(x), lib.prod(x, 1)), np.array([[1, 2, 3], [4, 5, 6]], np.int32),
            grad=False)


# ---- var / std ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize("keepdim", KEEP)
def test_var_std_empty_dim_tuple_reduces_all(name, keepdim):
    # torch 2.13's backward for dim=() gives nan, so compare values with torch and the
    # gradient with that of dim=None
    compare(_fn_and_method(name, (), keepdim), X, grad=False)
    grads = []
    for dim in [(), None]:
        x = ag.tensor(X, requires_grad=True)
        getattr(ag, name)(x, dim, keepdim=keepdim).sum().backward()
        grads.append(x.grad._data)
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-12)


@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std_both_correction_and_unbiased_raises(name):
    with pytest.raises(RuntimeError):
        getattr(ag, name)(ag.tensor(X), 0, unbiased=True, correction=1)


@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std_degenerate(name):
    """Too few elements for the correction: inf/nan values as torch."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(lambda lib, x: getattr(lib, name)(x, 1), np.array([[1.0], [2.0]]), grad=False)
        compare(lambda lib, x: getattr(lib, name)(x, correction=2), np.array([1.0, 3.0]), grad=False)
        compare(lambda lib, x: getattr(lib, name)(x, correction=3), np.array([1.0, 3.0]), grad=False)


@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std_0d_and_empty(name):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(lambda lib, x: getattr(lib, name)(x, correction=0), X0)
        compare(lambda lib, x: getattr(lib, name)(x), X0)
        compare(lambda lib, x: getattr(lib, name)(x, 0), np.zeros((0, 3)))


def test_std_of_constant_has_zero_gradient_like_torch():
    a = np.array([[2.0, 2.0, 2.0], [1.0, 2.0, 4.0]])
    compare(lambda lib, x: (lib.std(x, 1), lib.std(x, 1, correction=0, keepdim=True)), a)
    x = ag.tensor(a, requires_grad=True)
    ag.std(x, 1).sum().backward()
    assert np.all(x.grad._data[0] == 0) and np.all(np.isfinite(x.grad._data))
    gradcheck(lambda x: ag.std(x, 1), a[1:], second_order=True)


@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std_of_int_raises_like_torch(name):
    a = np.arange(4)
    with pytest.raises(RuntimeError):
        getattr(torch, name)(torch.tensor(a))
    with pytest.raises(RuntimeError, match=name):
        getattr(ag, name)(ag.tensor(a))


@pytest.mark.parametrize("name", ["var_mean", "std_mean"])
def test_var_mean_std_mean_empty_dim_tuple(name):
    compare(lambda lib, x: getattr(lib, name)(x, ()), X, grad=False)  # torch's dim=() backward is nan


# ---- logsumexp ------------------------------------------------------------------------
def test_logsumexp_neg_inf():
    inf = np.inf
    a = np.array([[-inf, 0.5, 1.0], [-inf, -inf, -inf], [-inf, -inf, 2.0]])
    with np.errstate(all="ignore"):
        compare(lambda lib, x: lib.logsumexp(x, 1), a)
        compare(lambda lib, x: lib.logsumexp(x, 1, keepdim=True), a[[0, 2]])
        compare(lambda lib, x: lib.logsumexp(x, 0), a[:, 1:])


def test_logsumexp_pos_inf():
    a = np.array([[np.inf, 0.5, 1.0], [0.0, 1.0, 2.0]])
    with np.errstate(all="ignore"):
        compare(lambda lib, x: lib.logsumexp(x, 1), a)


# ---- norm -----------------------------------------------------------------------------
@pytest.mark.parametrize("p", ["fro", 2, 1, 3, np.inf, -np.inf, 0, 2.5])
def test_norm_of_zero_vector_has_zero_gradient(p):
    z = np.zeros((2, 3))
    compare(lambda lib, x: lib.norm(x, p, 1), z)
    compare(lambda lib, x: lib.norm(x, p), z)
    x = ag.tensor(z, requires_grad=True)
    ag.norm(x, p).backward()
    assert np.all(x.grad._data == 0)


def test_norm_zero_row_among_nonzero():
    a = np.array([[0.0, 0.0, 0.0], [1.0, -2.0, 0.5]])
    for p in [2, 3, 1, np.inf]:
        compare(lambda lib, x: lib.norm(x, p, 1), a)


def test_norm_ties_for_inf():
    a = np.array([[1.0, -3.0, 3.0], [2.0, 2.0, 0.5]])
    compare(lambda lib, x: (lib.norm(x, np.inf, 1), lib.norm(x, np.inf)), a)
    compare(lambda lib, x: lib.norm(x, -np.inf, 1), np.array([[1.0, -1.0, 3.0], [2.0, 2.0, 4.0]]))


def test_norm_inf_of_empty_raises():
    for p, dim in [(np.inf, None), (np.inf, 0), (-np.inf, None)]:
        with pytest.raises(RuntimeError):
            torch.norm(torch.zeros(0, 3), p, dim)
        with pytest.raises(RuntimeError):
            ag.norm(ag.zeros(0, 3), p, dim)


# ---- max / min ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_no_dim_ties_split_gradient(name):
    a = np.array([[1.0, 3.0, 3.0], [-2.0, 3.0, 2.0], [-2.0, 0.5, -2.0]])
    compare(lambda lib, x: getattr(lib, name)(x), a)
    compare(lambda lib, x: getattr(lib, name)(x), np.full((2, 2), 1.5))


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_dim_returns_values_indices(name):
    x = ag.tensor(X)
    t = torch.tensor(X)
    r = getattr(ag, name)(x, 1)
    rt = getattr(torch, name)(t, 1)
    assert isinstance(r, tuple) and len(r) == 2
    values, indices = r
    assert r.values is values and r.indices is indices
    assert r[0] is values and r[1] is indices
    assert indices.dtype == np.int64 and not indices.requires_grad
    np.testing.assert_array_equal(r.values._data, rt.values.numpy())
    np.testing.assert_array_equal(r.indices._data, rt.indices.numpy())


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_dim_ties_first_index_like_torch(name):
    a = np.array([[1.0, 3.0, 3.0, 0.0], [-2.0, -2.0, 2.0, -2.0], [5.0, 5.0, 5.0, 5.0]])
    compare(lambda lib, x: getattr(lib, name)(x, 1), a)
    compare(lambda lib, x: getattr(lib, name)(x, 0, keepdim=True), a)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_nan(name):
    with np.errstate(all="ignore"):
        compare(lambda lib, x: (getattr(lib, name)(x), getattr(lib, name)(x, 1)),
                np.array([[1.0, np.nan, 2.0], [0.0, 1.0, 2.0]]), grad=False)


@pytest.mark.parametrize("name", ["max", "min", "amax", "amin"])
def test_max_min_nan_gradient(name):
    """A NaN wins; max()/min() send the gradient to the NaNs, amax/amin give NaN (as torch)."""
    a = np.array([[1.0, np.nan, 2.0], [0.0, 1.0, 2.0]])
    with np.errstate(all="ignore"):
        compare(lambda lib, x: getattr(lib, name)(x), a)
        compare(lambda lib, x: getattr(lib, name)(x), np.array([np.nan, 1.0, np.nan]))
        if name in ("amax", "amin"):
            compare(lambda lib, x: getattr(lib, name)(x, 1), a)


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_empty_raise_like_torch(name):
    z = np.zeros((0, 3))
    with pytest.raises(RuntimeError):
        getattr(torch, name)(torch.tensor(z))
    with pytest.raises(RuntimeError):
        getattr(ag, name)(ag.tensor(z))
    with pytest.raises(IndexError):
        getattr(torch, name)(torch.tensor(z), 0)
    with pytest.raises(IndexError):
        getattr(ag, name)(ag.tensor(z), 0)


# ---- amax / amin ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["amax", "amin"])
@pytest.mark.parametrize("dim", [1, (0, 1), (1, -1), (), 0])
def test_amax_amin_ties_split_evenly(name, dim):
    a = np.array([[[1.0, 3.0], [3.0, 0.0], [3.0, 3.0]],
                  [[-2.0, -2.0], [0.0, -2.0], [3.0, -1.0]]])
    compare(lambda lib, x: getattr(lib, name)(x, dim), a)


@pytest.mark.parametrize("name", ["amax", "amin"])
def test_amax_amin_of_empty_raise_like_torch(name):
    for dim in [0, (1, 0)]:
        with pytest.raises(IndexError):
            getattr(torch, name)(torch.zeros(0, 3), dim)
        with pytest.raises(IndexError):
            getattr(ag, name)(ag.zeros(0, 3), dim)
    with pytest.raises(RuntimeError):
        getattr(torch, name)(torch.zeros(0, 3))
    with pytest.raises(RuntimeError):
        getattr(ag, name)(ag.zeros(0, 3))


# ---- argmax / argmin ------------------------------------------------------------------
@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin_ties_first_index_and_int(name):
    a = np.array([[1.0, 3.0, 3.0, 0.0], [-2.0, -2.0, 2.0, -2.0], [5.0, 5.0, 5.0, 5.0]])
    compare(lambda lib, x: (getattr(lib, name)(x), getattr(lib, name)(x, 1), getattr(lib, name)(x, 0)),
            a, grad=False)
    compare(lambda lib, x: (getattr(lib, name)(x), getattr(lib, name)(x, 1, True)),
            np.array([[3, 1, 3], [2, 7, 7]]), grad=False)


@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin_of_empty_raise_like_torch(name):
    with pytest.raises(IndexError):
        getattr(torch, name)(torch.zeros(0, 3), 0)
    with pytest.raises(IndexError):
        getattr(ag, name)(ag.zeros(0, 3), 0)
    with pytest.raises(IndexError):
        getattr(torch, name)(torch.zeros(0, 3))
    with pytest.raises(IndexError):
        getattr(ag, name)(ag.zeros(0, 3))


def test_argmax_does_not_require_grad():
    x = ag.tensor(X, requires_grad=True)
    assert not ag.argmax(x, 1).requires_grad


# ---- all / any ------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["all", "any"])
def test_all_any_keep_uint8(name):
    compare(lambda lib, x: (getattr(lib, name)(x), getattr(lib, name)(x, 1)),
            np.array([[0, 3], [1, 255]], np.uint8), grad=False)


# ---- cumsum ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.int64, np.uint8, np.bool_])
def test_cumsum_and_cumprod_of_ints_give_int64(name, dtype):
    a = (np.arange(6).reshape(2, 3) % 4).astype(dtype)
    op = getattr(ag, name)
    compare(lambda lib, x: (getattr(lib, name)(x, 1), getattr(lib, name)(x, 0)), a, grad=False)
    assert op(ag.tensor(a), 0).dtype == np.int64


# ---- errors across reductions ---------------------------------------------------------
@pytest.mark.parametrize("name", ["sum", "mean", "prod", "var", "std", "logsumexp", "amax", "amin", "argmax",
                                  "argmin", "max", "min", "cumsum", "all", "any"])
def test_dim_out_of_range_raises_index_error(name):
    with pytest.raises(IndexError):
        getattr(torch, name)(torch.tensor(X), 3)
    with pytest.raises(IndexError, match=name):
        getattr(ag, name)(ag.tensor(X), 3)
    with pytest.raises(IndexError):
        getattr(ag, name)(ag.tensor(X), -4)


@pytest.mark.parametrize("name", ["sum", "mean", "var", "amax", "logsumexp"])
def test_repeated_dim_raises(name):
    with pytest.raises(RuntimeError):
        getattr(torch, name)(torch.tensor(X), (0, 0))
    with pytest.raises(RuntimeError):
        getattr(ag, name)(ag.tensor(X), (0, -3))


def test_reductions_accumulate_through_reuse():
    """One input through several reductions: the gradients add up as in torch."""
    compare(lambda lib, x: lib.sum(x, 0) * lib.mean(x, 0) + lib.amax(x, 0) - lib.logsumexp(x, 0)
            + lib.var(x, 0) * lib.norm(x, 2, 0), X)


# ---- a property test over random shapes and dims --------------------------------------
@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 3), min_size=1, max_size=3),
       data=st.data(), keepdim=st.booleans(),
       name=st.sampled_from(["sum", "mean", "var", "std", "amax", "amin", "logsumexp", "norm"]))
def test_property_random_dims(shape, data, keepdim, name):
    nd = len(shape)
    dims = data.draw(st.lists(st.integers(-nd, nd - 1), min_size=1, max_size=nd,
                              unique_by=lambda d: d % nd))
    dim = tuple(dims) if len(dims) > 1 or data.draw(st.booleans()) else dims[0]
    a = randn(*shape, seed=len(shape) + sum(shape))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        extra = dict(p=2) if name == "norm" else {}  # torch's 'fro' refuses a 3-tuple dim
        compare(lambda lib, x: getattr(lib, name)(x, dim=dim, keepdim=keepdim, **extra), a)


# ---- nansum, nanmean, aminmax -----------------------------------------------------------
def test_nanmean_of_an_all_nan_slice_is_nan_with_a_nan_gradient():
    """As PyTorch: nansum / count is 0 / 0 there, and the gradient g / 0 * (x not NaN)."""
    x = np.array([[np.nan, np.nan, np.nan], [1.0, np.nan, 2.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        compare(lambda lib, a: lib.nanmean(a, 1), x, dtypes=(np.float64, np.float32))
        compare(lambda lib, a: lib.nansum(a, 1), x, dtypes=(np.float64, np.float32))


def test_nanmean_and_aminmax_errors():
    with pytest.raises(RuntimeError, match="nanmean.*floating point.*int64"):
        ag.nanmean(ag.ones(3, dtype=ag.int64))
    with pytest.raises(RuntimeError, match="aminmax.*empty"):
        ag.aminmax(ag.ones(0, 3))
    with pytest.raises(RuntimeError, match=r"aminmax.*empty.*\(0, 3\)"):
        ag.aminmax(ag.ones(0, 3), dim=0)
    with pytest.raises(IndexError):
        ag.aminmax(ag.ones(2, 3), dim=2)
    out = ag.aminmax(ag.tensor([[1.0, 5.0], [-2.0, 3.0]]), dim=1)
    assert type(out).__name__ == "aminmax" and out._fields == ("min", "max")
    assert out.min.tolist() == [1.0, -2.0] and out.max.tolist() == [5.0, 3.0]
