"""Arithmetic beyond the op table (autograd_lite/ops/table/arithmetic.py, run by
tests/ops/test_op_table.py): the operators (+ - * / // % **, reflected forms, unary -
and +) against PyTorch with gradcheck, Python numbers and NumPy arrays as operands,
special values (x / 0, 0 ** x, integer division by zero), gradients of empty operands,
the bool and alpha rules and the errors a user hits."""
import functools

import numpy as np
import pytest
import torch

import autograd_lite as ag
from helpers import assert_same, compare, gradcheck

# NumPy warnings (overflow, divide by zero, invalid) are noise PyTorch never makes.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def normal(shape, seed=0):
    return np.asarray(np.random.default_rng(seed).standard_normal(shape))


def away_from_zero(shape, seed=1, lo=0.5, hi=2.0):
    """Values of either sign with |v| in [lo, hi]: safe divisors."""
    rng = np.random.default_rng(seed)
    return np.asarray(rng.uniform(lo, hi, shape) * rng.choice([-1.0, 1.0], shape))


def positive(shape, seed=2, lo=0.5, hi=2.0):
    return np.asarray(np.random.default_rng(seed).uniform(lo, hi, shape))


def check(fn, *inputs, grad=True, second_order=True, **kw):
    """compare with torch (float64 and float32) and gradcheck + gradgradcheck."""
    compare(fn, *inputs, grad=grad, **kw)
    if grad:
        gradcheck(functools.partial(fn, ag), *inputs, second_order=second_order)


# ---- binary ops over broadcasting shapes ------------------------------------------------
# (left shape, right shape): equal, broadcasting in BOTH operands, suffix broadcasting,
# scalar-shaped (1,) and 0-d operands on either side.
SHAPES = [
    ((3, 4), (3, 4)),
    ((3, 1), (1, 4)),
    ((1, 4), (3, 1)),
    ((2, 3, 4), (4,)),
    ((4,), (2, 3, 4)),
    ((2, 1, 4), (3, 1)),
    ((2, 3), (1,)),
    ((1,), (2, 3)),
    ((2, 3), ()),
    ((), (2, 3)),
    ((), ()),
    ((1,), ()),
]

BINARY = {  # the operators: + - * take a shortcut past the functions for float operands
    "add": lambda lib, a, b: a + b,
    "sub": lambda lib, a, b: a - b,
    "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / b,
}


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_binary_broadcasting(name, shapes):
    sa, sb = shapes
    a = normal(sa, seed=3)
    b = away_from_zero(sb, seed=4) if "div" in name else normal(sb, seed=5)
    check(BINARY[name], a, b)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div"])
def test_same_tensor_both_operands(name):
    # x op x: both edges lead to the same leaf, gradients must accumulate
    fn = BINARY[name]
    check(lambda lib, x: fn(lib, x, x), away_from_zero((2, 3)))


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div"])
@pytest.mark.parametrize("side", ["left", "right"])
def test_only_one_operand_requires_grad(name, side):
    fn = BINARY[name]
    const = away_from_zero((3,), seed=7)
    if side == "left":
        check(lambda lib, x: fn(lib, x, lib.tensor(const, dtype=x.dtype)), normal((2, 3)))
    else:
        check(lambda lib, x: fn(lib, lib.tensor(const, dtype=x.dtype), x), away_from_zero((2, 3)))


# ---- Python scalars on either side (reflected forms) ---------------------------------------
SCALAR_FORMS = {
    "x+2": lambda lib, x: x + 2,
    "2+x": lambda lib, x: 2 + x,
    "x-2.5": lambda lib, x: x - 2.5,
    "2-x": lambda lib, x: 2 - x,
    "2.5-x": lambda lib, x: 2.5 - x,
    "x*3": lambda lib, x: x * 3,
    "-1.5*x": lambda lib, x: -1.5 * x,
    "x/4": lambda lib, x: x / 4,
    "2/x": lambda lib, x: 2 / x,
    "-0.5/x": lambda lib, x: -0.5 / x,
    "x**2": lambda lib, x: x ** 2,
    "x**3": lambda lib, x: x ** 3,
    "x**-1": lambda lib, x: x ** -1,
    "x**-2.5(abs)": lambda lib, x: x.abs() ** -2.5,
    "abs(x)**0.5": lambda lib, x: x.abs() ** 0.5,
    "2**x": lambda lib, x: 2 ** x,
    "0.5**x": lambda lib, x: 0.5 ** x,
    "1.5**x": lambda lib, x: 1.5 ** x,
    "rsub": lambda lib, x: lib.rsub(x, 2.0),
}


@pytest.mark.parametrize("form", sorted(SCALAR_FORMS))
@pytest.mark.parametrize("shape", [(2, 3), (), (1,)], ids=str)
def test_python_scalar_operand(form, shape):
    check(SCALAR_FORMS[form], away_from_zero(shape, seed=8), second_order=shape == (2, 3))


@pytest.mark.parametrize("form", ["x+2", "2-x", "x*3", "2**x", "x**2", "x**3"])
def test_python_scalar_with_int_tensor(form):
    ints = np.array([[1, -2, 3], [0, 4, -5]], dtype=np.int64)
    if form == "2**x":
        ints = np.abs(ints)
    compare(SCALAR_FORMS[form], ints, grad=False)


@pytest.mark.parametrize("fn", [
    lambda lib, x: 7 // x, lambda lib, x: 7 % x, lambda lib, x: -7 // x,
    lambda lib, x: -7 % x, lambda lib, x: 2 / x,
], ids=["7//x", "7%x", "-7//x", "-7%x", "2/x"])
def test_reflected_with_int_tensor(fn):
    compare(fn, np.array([1, -2, 3, -4, 5], dtype=np.int64), grad=False)


def test_numpy_array_on_the_left_gives_a_tensor():
    # NumPy defers to the tensor: ndarray + Tensor is a Tensor, and gradients flow.
    arr = np.array([[1.0, -2.0, 3.0]])
    for lib_op, np_op in [(lambda a, t: a + t, lambda a, t: torch.tensor(a) + t),
                          (lambda a, t: a - t, lambda a, t: torch.tensor(a) - t),
                          (lambda a, t: a * t, lambda a, t: torch.tensor(a) * t),
                          (lambda a, t: a / t, lambda a, t: torch.tensor(a) / t)]:
        x = ag.tensor(away_from_zero((2, 1)), requires_grad=True)
        xt = torch.tensor(x._data, requires_grad=True)
        out = lib_op(arr, x)
        ref = np_op(arr, xt)
        assert isinstance(out, ag.Tensor)
        assert out.dtype == np.float64 and out.shape == tuple(ref.shape)
        np.testing.assert_allclose(out._data, ref.detach().numpy(), rtol=1e-12)
        out.sum().backward()
        ref.sum().backward()
        np.testing.assert_allclose(x.grad._data, xt.grad.numpy(), rtol=1e-12)


def test_numpy_array_on_the_right():
    arr = np.array([1.5, -2.0, 3.0])
    check(lambda lib, x: x * (arr if lib is ag else torch.tensor(arr)) - (arr if lib is ag else torch.tensor(arr)),
          normal((2, 3)))


def test_numpy_float32_array_keeps_float32():
    arr = np.array([1.0, 2.0], dtype=np.float32)
    x = ag.tensor([3.0, 4.0])
    assert (arr + x).dtype == np.float32
    assert (x * arr).dtype == np.float32
    assert (arr - x).dtype == (torch.tensor(arr) - torch.tensor([3.0, 4.0])).numpy().dtype


# ---- unary minus -----------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [lambda lib, x: -x, lambda lib, x: -(-x) * 2], ids=["-x", "double"])
@pytest.mark.parametrize("shape", [(2, 3), ()], ids=str)
def test_neg(fn, shape):
    check(fn, normal(shape))


def test_neg_int_and_bool():
    compare(lambda lib, x: -x, np.array([1, -2, 0], dtype=np.int64), grad=False)
    with pytest.raises(RuntimeError, match="neg"):
        -ag.tensor([True, False])
    with pytest.raises(RuntimeError):
        -torch.tensor([True, False])


def test_bool_subtraction_is_refused():
    a, b = ag.tensor([True, False]), ag.tensor([True, True])
    with pytest.raises(RuntimeError, match="sub"):
        a - b
    with pytest.raises(RuntimeError):
        torch.tensor([True, False]) - torch.tensor([True, True])
    # PyTorch refuses any subtraction with a bool operand, whatever the other one is
    for fn in (lambda lib: lib.tensor([True]) - 1, lambda lib: lib.tensor([1]) - lib.tensor([True]),
               lambda lib: 1.5 - lib.tensor([True]), lambda lib: lib.tensor([2.0]) - True,
               lambda lib: lib.sub(lib.tensor([2]), lib.tensor([True]), alpha=2),
               lambda lib: lib.rsub(lib.tensor([True]), 1)):
        with pytest.raises(RuntimeError):
            fn(torch)
        with pytest.raises(RuntimeError, match="sub"):
            fn(ag)


def test_bool_floor_divide_remainder_pow_like_torch():
    """No bool kernel in PyTorch for these (NumPy would answer in int8); a Python bool
    exponent of a bool tensor gives a bool."""
    for fn in (lambda lib, a, b: a // b, lambda lib, a, b: a % b, lambda lib, a, b: a ** b,
               lambda lib, a, b: lib.div(a, b, rounding_mode="trunc"), lambda lib, a, b: a // True):
        with pytest.raises(NotImplementedError):
            fn(torch, torch.tensor([True, False]), torch.tensor([True, True]))
        with pytest.raises(NotImplementedError):
            fn(ag, ag.tensor([True, False]), ag.tensor([True, True]))
    compare(lambda lib, a: (a ** True, a ** False, a // 2, a % 2, a ** 2), np.array([True, False]),
            grad=False)


def test_unary_plus_is_identity():
    x = ag.tensor([1.0, -2.0], requires_grad=True)
    y = +x
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._data, [1.0, 1.0])


# ---- add / sub with alpha ------------------------------------------------------------------
def test_alpha_type_rules_like_torch():
    """A float alpha needs a float result, a bool alpha a bool one (values: the table)."""
    ints, bools = np.array([1, 2, 3]), np.array([True, False, True])
    for fn in (lambda lib: lib.add(lib.tensor(ints), lib.tensor(ints), alpha=0.5),
               lambda lib: lib.sub(lib.tensor(ints), 2, alpha=1.5),
               lambda lib: lib.tensor(ints).add_(lib.tensor(ints), alpha=0.5),
               lambda lib: lib.add(lib.tensor(ints), lib.tensor(ints), alpha=False)):
        with pytest.raises(RuntimeError):
            fn(torch)
        with pytest.raises(RuntimeError, match="alpha"):
            fn(ag)
    compare(lambda lib, x: lib.add(x, 2.5, alpha=0.5), ints, grad=False)  # float result: fine
    compare(lambda lib, x, y: lib.add(x, y, alpha=True), bools, bools[::-1].copy(), grad=False)


# ---- division ------------------------------------------------------------------------------
DIV_VALUES = np.array([[7.0, -7.0, 7.5, -7.5, 0.0, 3.0], [1.0, -1.0, 5.0, -6.0, 2.5, -2.5]])
DIVISORS = np.array([2.0, 2.0, -2.0, -2.0, 3.0, 0.5])


def test_div_bad_rounding_mode():
    with pytest.raises((ValueError, RuntimeError), match="rounding_mode"):
        ag.div(ag.tensor([1.0]), 2, rounding_mode="round")
    for lib in (torch, ag):  # true_divide has no rounding mode
        with pytest.raises(TypeError):
            lib.true_divide(lib.tensor([1.0]), 2, rounding_mode="floor")


def test_true_division_by_zero_float():
    # IEEE: inf, -inf and nan, as PyTorch; no exception
    compare(lambda lib, a, b: a / b, np.array([1.0, -1.0, 0.0, 2.0]), np.array([0.0, 0.0, 0.0, -0.0]))


def test_integer_division_by_zero_raises():
    x = ag.tensor([1, 2])
    for op in (lambda: x // 0, lambda: x % 0, lambda: ag.div(x, ag.tensor([1, 0]), rounding_mode="trunc")):
        with pytest.raises(ZeroDivisionError):
            op()
        # PyTorch raises RuntimeError("ZeroDivisionError"); code written for it must catch ours
        with pytest.raises(RuntimeError):
            op()


def test_integer_true_division_by_zero_is_float():
    compare(lambda lib, a, b: a / b, np.array([1, -1, 0], dtype=np.int64), np.array([0, 0, 0], dtype=np.int64),
            grad=False)


# ---- floor division and remainder -------------------------------------------------------------
def test_floordiv_values():
    compare(lambda lib, a, b: a // b, DIV_VALUES, DIVISORS, grad=False)
    compare(lambda lib, a: a // 2.5, DIV_VALUES, grad=False)
    compare(lambda lib, a: -7.5 // a, away_from_zero((2, 3)), grad=False)


def test_floordiv_gradient_is_zero():
    # PyTorch leaves floor_divide's derivative unimplemented; div(rounding_mode='floor')
    # is the same function and has zero gradients. Ours equals that.
    compare(lambda lib, a, b: a // b if lib is ag else torch.div(a, b, rounding_mode="floor"),
            DIV_VALUES, DIVISORS)


REMAINDER_A = np.array([[5.3, -5.3, 5.3, -5.3], [0.7, 2.2, -3.9, 8.1]])
REMAINDER_B = np.array([2.0, 2.0, -2.0, -2.0])


def test_remainder():
    # sign of the result follows the divisor (Python's %), as PyTorch
    check(lambda lib, a, b: a % b, REMAINDER_A, REMAINDER_B)
    check(lambda lib, a: a % 1.5, REMAINDER_A)
    # PyTorch has no derivative for Scalar % Tensor; ours is checked numerically
    divisors = np.array([2.0, -2.0, 3.1, -1.7])
    compare(lambda lib, b: 7.3 % b, divisors, grad=False)
    gradcheck(lambda b: 7.3 % b, divisors, second_order=True)


def test_remainder_ints():
    compare(lambda lib, a, b: a % b, np.array([7, -7, 7, -7, 0], dtype=np.int64),
            np.array([3, 3, -3, -3, 5], dtype=np.int64), grad=False)


# ---- pow ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("c", [0, 1, 2, 3, -1, 0.5, 2.5, 0.0, -0.5])
def test_pow_scalar_exponent_at_zero_base(c):
    # PyTorch: d/dx x**0 is 0 everywhere (also at 0); x**0.5 has an inf gradient at 0;
    # x**-1 gives inf values and -inf gradient at 0.
    # (one zero only: inf + -inf in the test's weighted sum would be nan)
    x = np.array([0.0, 1.5, -2.0 if float(c).is_integer() else 2.0])
    compare(lambda lib, t: t ** c, x)


def test_pow_zero_exponent_double_backward_at_zero():
    x = np.array([0.0, 1.0, -3.0])
    for lib in (ag, torch):
        t = lib.tensor(x, requires_grad=True)
        (g,) = lib.autograd.grad((t ** 0).sum(), t, create_graph=True)
        assert not np.any(np.asarray(g.detach()))


def test_pow_tensor_base_and_exponent_special_cases():
    # base 0 with exponent 0 / positive / negative, negative base with integer exponent:
    # PyTorch masks d/da where b == 0 and d/db where a == 0 and b >= 0.
    a = np.array([0.0, 0.0, 0.0, 0.0, -2.0, -1.5, 2.0, 1.0])
    b = np.array([0.0, 2.0, 0.5, -1.0, 3.0, 2.0, 0.0, -3.0])
    compare(lambda lib, x, y: x ** y, a, b)
    compare(lambda lib, x, y: lib.pow(x, y), a, b)


@pytest.mark.parametrize("base", [2.0, 0.5, 2, 3.5])
def test_pow_scalar_base(base):
    check(lambda lib, x: base ** x, normal((2, 3)))
    check(lambda lib, x: lib.pow(base, x), normal((2, 3)), second_order=False)


@pytest.mark.parametrize("base", [0.0, 0, -2.0, 1.0])
def test_pow_special_scalar_base(base):
    # 0 ** x: zero gradient where x >= 0; -inf where x < 0 (0**x is inf there)
    x = np.array([-1.0, 0.0, 0.5, 2.0, 3.0])
    compare(lambda lib, t: base ** t, x)


def test_pow_scalar_base_int_tensors():
    a = np.array([[1, 2, 3], [-2, 0, 5]], dtype=np.int64)
    compare(lambda lib, x: 2 ** x, np.abs(a), grad=False)
    compare(lambda lib, x: 2.5 ** x, a, grad=False)


def test_pow_int_tensor_negative_scalar_exponent_raises():
    with pytest.raises(RuntimeError, match="negative"):
        ag.tensor([1, 2, 3]) ** -1
    with pytest.raises(RuntimeError):
        torch.tensor([1, 2, 3]) ** -1


def test_square_via_pow_second_order_chain():
    # (x**2)**3 and x**2 * x**3 exercise PowScalar's double backward
    check(lambda lib, x: (x ** 2) ** 3 - x ** 2 * x ** 3 + x ** 4, normal((2, 2)))


# ---- in-place forms ----------------------------------------------------------------------------------
@pytest.mark.parametrize("op,fn", [
    ("pow_", lambda x, y: x.pow_(y)), ("remainder_", lambda x, y: x.remainder_(y)),
    ("div_", lambda x, y: x.div_(y, rounding_mode="floor")), ("add_", lambda x, y: x.add_(y, alpha=2)),
    ("mul_", lambda x, y: x.mul_(y)), ("sub_", lambda x, y: x.sub_(y, alpha=-0.5)),
])
def test_inplace_records_when_only_the_other_operand_requires_grad(op, fn):
    """x.op_(y) with a plain x and a y that requires grad: x joins the graph, as torch."""
    base, other = positive((2, 3)), positive((3,), seed=5)
    grads = []
    for lib in (ag, torch):
        x, y = lib.tensor(base), lib.tensor(other, requires_grad=True)
        out = fn(x, y)
        assert out is x and x.requires_grad and x.grad_fn is not None, op
        (x * lib.tensor(base)).sum().backward()
        grads.append(y.grad)
    assert_same(grads[0], grads[1], what=f"{op}: gradient of the operand")


def test_inplace_keyword_only_arguments_like_torch():
    for lib in (torch, ag):
        x = lib.ones(3)
        with pytest.raises(TypeError):
            x.add_(x, 2)  # alpha is keyword-only
        with pytest.raises(TypeError):
            x.mul_(x, alpha=2)  # mul_ has no alpha


def test_inplace_float32_keeps_dtype_with_float64_operand():
    outs = []
    for lib in (ag, torch):
        t = lib.tensor(normal((2, 3)).astype(np.float32))
        t.add_(lib.tensor(normal((3,))))
        t.mul_(lib.tensor(normal((3,), seed=1)))
        outs.append(t)
    assert_same(outs[0], outs[1])


def test_iadd_keeps_identity_and_aliases_see_it():
    for lib in (ag, torch):
        x = lib.tensor(normal((3,)))
        y = x
        y += 1
        assert y is x
        np.testing.assert_array_equal(x.numpy(), normal((3,)) + 1)
        y -= lib.tensor(normal((3,)))
        y *= 4
        y /= 2
        assert y is x and x._version == 4
        np.testing.assert_allclose(x.numpy(), 2.0, rtol=1e-12)


# ---- longer expressions: chains, mixing ops, repeated use -------------------------------------------
def test_composite_expression():
    def fn(lib, a, b, c):
        return (a * b - c / (b * b + 1)) ** 2 + 3 / (a * a + 1) - (2 - c) * a

    check(fn, normal((3, 1)), normal((1, 4), seed=4), normal((4,), seed=5))


def test_result_as_both_operands():
    def fn(lib, x):
        y = x * 2 + 1
        return y * y - y / (y * y + 1)

    check(fn, normal((2, 3)))


# ---- empty tensors ---------------------------------------------------------------------------------------
EMPTY = [((0, 3), (3,)), ((0, 3), (1, 3)), ((0, 3), ()), ((0, 1), (1, 4)), ((2, 0), (2, 1))]


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "pow"])
@pytest.mark.parametrize("shapes", EMPTY, ids=str)
def test_empty_operands(name, shapes):
    sa, sb = shapes
    fn = {**BINARY, "pow": lambda lib, a, b: a ** b}[name]
    a, b = positive(sa), positive(sb, seed=3)
    compare(fn, a, b, grad=False)
    # gradients: the (broadcast-summed) zeros of torch, with the operand's shape
    for dtype in (np.float64, np.float32):
        xa = ag.tensor(a.astype(dtype), requires_grad=True)
        xb = ag.tensor(b.astype(dtype), requires_grad=True)
        ta = torch.tensor(a.astype(dtype), requires_grad=True)
        tb = torch.tensor(b.astype(dtype), requires_grad=True)
        fn(ag, xa, xb).sum().backward()
        fn(torch, ta, tb).sum().backward()
        for ours, theirs in ((xa, ta), (xb, tb)):
            assert ours.grad is not None
            assert ours.grad.shape == tuple(theirs.grad.shape)
            assert ours.grad.dtype == theirs.grad.numpy().dtype
            np.testing.assert_array_equal(ours.grad._data, theirs.grad.numpy())


def test_empty_unary():
    compare(lambda lib, x: (-x) * 2 + 1, np.zeros((0, 3)), grad=False)
    x = ag.tensor(np.zeros((0, 3)), requires_grad=True)
    (x * 3 - 1).sum().backward()
    assert x.grad.shape == (0, 3)


# ---- errors ---------------------------------------------------------------------------------------------
BAD = [((2, 3), (4,)), ((3, 1), (2, 1, 4, 2)), ((0, 3), (2, 3)), ((2, 3), (3, 2))]


@pytest.mark.parametrize("name,fn", [
    ("add", lambda lib, a, b: a + b), ("sub", lambda lib, a, b: a - b),
    ("mul", lambda lib, a, b: a * b), ("div", lambda lib, a, b: a / b),
    ("pow", lambda lib, a, b: a ** b), ("remainder", lambda lib, a, b: a % b),
    ("floor_divide", lambda lib, a, b: a // b), ("add", lambda lib, a, b: lib.add(a, b, alpha=2)),
    ("sub", lambda lib, a, b: lib.sub(a, b, alpha=2)),
    ("div", lambda lib, a, b: lib.div(a, b, rounding_mode="trunc")),
    ("div", lambda lib, a, b: lib.div(a, b, rounding_mode="floor")),
], ids=["+", "-", "*", "/", "**", "%", "//", "add_alpha", "sub_alpha", "div_trunc", "div_floor"])
@pytest.mark.parametrize("shapes", BAD, ids=str)
def test_incompatible_shapes_error(name, fn, shapes):
    sa, sb = shapes
    a = ag.tensor(positive(sa), requires_grad=True)
    b = ag.tensor(positive(sb))
    with pytest.raises(RuntimeError) as info:
        fn(ag, a, b)
    msg = str(info.value)
    assert name in msg and str(sa) in msg and str(sb) in msg, msg
    with pytest.raises(RuntimeError):  # torch agrees it is an error
        fn(torch, torch.tensor(positive(sa)), torch.tensor(positive(sb)))


def test_incompatible_shapes_with_numpy_operand():
    with pytest.raises(RuntimeError, match=r"mul.*\(2, 3\).*\(4,\)"):
        ag.ones(2, 3) * np.ones(4)


def test_unsupported_operand_type():
    with pytest.raises(TypeError):
        ag.tensor([1.0]) + "a"
    with pytest.raises(TypeError):
        ag.tensor([1.0]) * object()


def test_copysign_gradient_at_zero_and_infinity_is_pytorchs():
    """0 where input is 0 (either sign), NaN where it is infinite; `other` gets zeros."""
    x = np.array([0.0, -0.0, 1.5, -np.inf, -2.0])
    y = np.array([-1.0, 1.0, -0.0, 2.0, np.nan])
    compare(lambda lib, a, b: lib.copysign(a, b), x, y, dtypes=(np.float64, np.float32))


def test_addcmul_addcdiv_errors():
    with pytest.raises(RuntimeError, match=r"addcmul: shapes \(2, 3\), \(4,\) and \(3,\)"):
        ag.addcmul(ag.ones(2, 3), ag.ones(4), ag.ones(3))
    ints = ag.ones(3, dtype=ag.int64)
    with pytest.raises(RuntimeError, match="addcdiv: integer division"):
        ag.addcdiv(ag.ones(3), ints, ints)
    with pytest.raises(RuntimeError):  # torch agrees
        torch.addcdiv(torch.ones(3), torch.ones(3, dtype=torch.long), torch.ones(3, dtype=torch.long))
