"""Comparisons, logical ops and float tests beyond the op table (autograd_lite/ops/table/
compare.py, run by tests/ops/test_op_table.py): the operators (== < & | ^ ~ ...) against
PyTorch, Python numbers on either side, dtype promotion before comparing, nan and inf,
never differentiable, in-place forms on float tensors, clear shape errors."""
import operator

import numpy as np
import pytest
import torch

import autograd_lite as ag
from helpers import assert_same, compare

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

OPERATORS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
             ">": operator.gt, ">=": operator.ge}
FUNCTIONS = ["eq", "ne", "lt", "le", "gt", "ge"]

# values with many exact ties so == / <= / >= are all exercised
A = np.array([[1.0, 2.0, 3.0, -1.0], [0.0, 2.0, -2.5, 4.0], [1.0, 1.0, 1.0, 1.0]])


def tied(shape, seed=0):
    return np.asarray(np.random.default_rng(seed).integers(-2, 3, shape).astype(np.float64))


@pytest.mark.parametrize("op", sorted(OPERATORS))
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((4,), (2, 3, 4)),
                                    ((3, 4), ()), ((), (3, 4)), ((), ()), ((0, 3), (3,)), ((2, 3), (1,))],
                         ids=str)
def test_operators_broadcasting(op, shapes):
    sa, sb = shapes
    compare(lambda lib, a, b: OPERATORS[op](a, b), tied(sa, 1), tied(sb, 2))


@pytest.mark.parametrize("op", sorted(OPERATORS))
@pytest.mark.parametrize("scalar", [1, 1.0, -2.5, True])
def test_python_scalar_on_either_side(op, scalar):
    f = OPERATORS[op]
    compare(lambda lib, x: f(x, scalar), A)
    compare(lambda lib, x: f(scalar, x), A)  # reflected: 1 < x is x > 1


@pytest.mark.parametrize("op", sorted(OPERATORS))
def test_results_are_bool_and_not_differentiable(op):
    for dtype in (np.float32, np.float64):
        x = ag.tensor(A.astype(dtype), requires_grad=True)
        y = ag.tensor(np.ones(4, dtype), requires_grad=True)
        name = FUNCTIONS[list(OPERATORS).index(op)]
        for out in (OPERATORS[op](x, y), OPERATORS[op](x, 1.0), OPERATORS[op](2.0, x),
                    getattr(ag, name)(x, y), getattr(x, name)(y)):
            assert out.dtype == np.bool_
            assert out.requires_grad is False and out.grad_fn is None and out.is_leaf


def test_comparison_in_a_graph_does_not_block_gradients():
    def fn(lib, x, y):
        mask = (x > y) | (x == 0)
        return x * mask + y * (~mask)

    compare(fn, A, np.array([1.0, 2.0, 0.0, -1.0]))


@pytest.mark.parametrize("op", sorted(OPERATORS))
def test_mixed_dtypes_are_promoted_first(op):
    f = OPERATORS[op]
    ints = np.array([[1, 2, 3], [-1, 0, 7]], dtype=np.int64)
    compare(lambda lib, a, b: f(a, b), ints, np.array([1.5, 2.0, 2.9]))
    compare(lambda lib, a: f(a, 1.5), ints)
    compare(lambda lib, a: f(a, 2), ints)
    compare(lambda lib, a, b: f(a, b), ints, np.array([True, False, True]))
    compare(lambda lib, a, b: f(a, b), ints.astype(np.int32), ints)


def test_float32_against_python_float_compares_in_float32():
    # 0.1 is rounded to float32 before comparing, as PyTorch
    x = np.array([0.1, 0.2, 0.30000001], dtype=np.float32)
    compare(lambda lib, t: t == 0.1, x, dtypes=(np.float32,))
    compare(lambda lib, t: t < 0.1, x, dtypes=(np.float32,))
    compare(lambda lib, t: t >= 0.3, x, dtypes=(np.float32,))
    compare(lambda lib, t: t == lib.tensor(0.1, dtype=lib.float64), x, dtypes=(np.float32,))


def test_nan_and_inf():
    v = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0])
    w = np.array([np.nan, np.inf, np.inf, -0.0, 0.0, np.nan])
    for op in OPERATORS.values():
        compare(lambda lib, a, b: op(a, b), v, w)


def test_int_and_bool_tensors():
    ints = np.array([3, -1, 0, 7], dtype=np.int64)
    bools = np.array([True, False, False, True])
    for op in OPERATORS.values():
        compare(lambda lib, a, b: op(a, b), ints, ints[::-1].copy())
        compare(lambda lib, a, b: op(a, b), bools, bools[::-1].copy())


def test_eq_with_non_tensor_objects():
    x = ag.tensor([1.0, 2.0])
    assert (x == None) is False  # noqa: E711  (Python falls back to identity, as PyTorch)
    assert (x != None) is True  # noqa: E711
    assert (x == "a") is False


# ---- logical ops ---------------------------------------------------------------------------------------------
def test_bool_operators():
    a, b = np.array([True, False, True, False]), np.array([True, True, False, False])
    compare(lambda lib, x, y: (x & y, x | y, x ^ y, ~x), a, b)
    ints = np.array([6, 3, -1], dtype=np.int64)
    compare(lambda lib, x, y: (x & y, x | y, x ^ y, ~x), ints, np.array([3, 5, 1], dtype=np.int64))


def test_bitwise_of_float_raises_like_torch():
    for lib in (torch, ag):
        for fn in (lambda x: lib.bitwise_and(x, x), lambda x: lib.bitwise_not(x), lambda x: x | x):
            with pytest.raises(RuntimeError):  # NotImplementedError in torch
                fn(lib.ones(2))
    with pytest.raises(TypeError, match="bitwise_xor"):
        ag.bitwise_xor(ag.ones(2), 1)


def test_logical_of_differentiable_float_is_not_differentiable():
    x = ag.tensor([0.0, 1.5], requires_grad=True)
    for out in (ag.logical_and(x, x), ag.logical_or(x, 0.0), ag.logical_not(x)):
        assert out.dtype == np.bool_ and not out.requires_grad and out.grad_fn is None


# ---- isnan / isinf / isfinite ---------------------------------------------------------------------------------
SPECIAL = np.array([[np.nan, np.inf, -np.inf], [0.0, -3e38, 1.0]])


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite"])
def test_float_tests_after_a_narrowing_cast(name):
    # finite in float64, inf once cast to float32
    compare(lambda lib, x: getattr(lib, name)(x.float()), np.array([1.0, 1e300, -1e300]), dtypes=(np.float64,))


@pytest.mark.parametrize("name", ["isnan", "isinf", "isfinite"])
def test_float_tests_not_differentiable(name):
    x = ag.tensor(SPECIAL, requires_grad=True)
    out = getattr(ag, name)(x)
    assert out.dtype == np.bool_ and not out.requires_grad and out.grad_fn is None


def test_nan_to_mask_in_a_loss():
    # a common pattern: ignore nan targets
    target = np.array([1.0, np.nan, -2.0, np.nan])

    def fn(lib, pred, tgt):
        keep = ~lib.isnan(tgt)
        diff = lib.where(keep, pred - lib.where(keep, tgt, 0.0), 0.0)
        return (diff * diff).sum()

    compare(fn, np.array([0.5, 2.0, -1.0, 3.0]), target)


# ---- in-place forms on float tensors --------------------------------------------------------
@pytest.mark.parametrize("name", FUNCTIONS + ["not_equal", "less", "greater_equal", "logical_and",
                                              "logical_or", "logical_xor", "logical_not"])
def test_inplace_keeps_the_float_dtype(name):
    """x.eq_(y) writes 1.0/0.0 into x (the op table's generic in-place test runs these
    on int and bool tensors only, where the result's dtype is the tensor's)."""
    outs = []
    for lib in (ag, torch):
        x = lib.tensor(A.astype(np.float32))
        args = () if name == "logical_not" else (lib.tensor(np.array([1.0, 2.0, 0.0, -1.0])),)
        assert getattr(x, name + "_")(*args) is x
        outs.append(x)
    assert_same(outs[0], outs[1])


# ---- errors ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,fn", [(n, lambda a, b, n=n: getattr(ag, n)(a, b)) for n in FUNCTIONS] +
                         [(n, lambda a, b, n=n: getattr(ag, n)(a, b))
                          for n in ["logical_and", "logical_or", "logical_xor"]] +
                         [("lt", lambda a, b: a < b), ("eq", lambda a, b: a == b)])
def test_incompatible_shapes(name, fn):
    with pytest.raises(RuntimeError) as info:
        fn(ag.ones(2, 3), ag.ones(4))
    msg = str(info.value)
    assert name in msg and "(2, 3)" in msg and "(4,)" in msg, msg
