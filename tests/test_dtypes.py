"""PyTorch's type promotion and dtype inference: each case runs the same expression in
autograd_lite and in PyTorch and compares result dtypes (and values), and gradient
dtypes where the inputs are differentiable."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from helpers import assert_same, numpy_dtype, torch_dtype

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float32", "float64"]


def make(lib, values, dtype=None, shape=None):
    """The same tensor in either library; dtype is a name like 'float32'."""
    arr = np.asarray(values)
    if dtype is not None:
        arr = arr.astype(dtype)
    if shape is not None:
        arr = arr.reshape(shape)
    return lib.tensor(arr) if lib is ag else torch.from_numpy(arr.copy())


def both(fn):
    out_a, out_t = fn(ag), fn(torch)
    assert_same(out_a, out_t, tol=dict(rtol=1e-6, atol=1e-6))
    return out_a, out_t


# ---- the rules named in the API contract -------------------------------------------------------------------
CASES = {
    # a Python scalar does not promote a float tensor
    "f32 + py float": lambda lib: make(lib, [1, 2], "float32") + 2.5,
    "f32 * py int": lambda lib: make(lib, [1, 2], "float32") * 3,
    "py float - f32": lambda lib: 2.5 - make(lib, [1, 2], "float32"),
    "f32 / py float": lambda lib: make(lib, [1, 2], "float32") / 3.0,
    "f32 ** py float": lambda lib: make(lib, [1, 2], "float32") ** 1.5,
    "py float ** f32": lambda lib: 1.5 ** make(lib, [1, 2], "float32"),
    "f64 + py float": lambda lib: make(lib, [1, 2], "float64") + 2.5,
    "f32 + huge py float": lambda lib: make(lib, [1, 2], "float32") * 1e30,
    # an integer tensor and a Python float give the default float dtype
    "i64 + py float": lambda lib: make(lib, [1, 2], "int64") + 0.5,
    "i32 * py float": lambda lib: make(lib, [1, 2], "int32") * 0.5,
    "u8 - py float": lambda lib: make(lib, [1, 2], "uint8") - 0.5,
    "py float * i64": lambda lib: 0.5 * make(lib, [1, 2], "int64"),
    "i64 ** py float": lambda lib: make(lib, [1, 4], "int64") ** 0.5,
    # a Python int keeps the integer dtype of a tensor
    "i32 + py int": lambda lib: make(lib, [1, 2], "int32") + 7,
    "i8 * py int": lambda lib: make(lib, [1, 2], "int8") * 3,
    "u8 + py int": lambda lib: make(lib, [1, 2], "uint8") + 3,
    "i16 // py int": lambda lib: make(lib, [7, -7], "int16") // 2,
    "i32 % py int": lambda lib: make(lib, [7, -7], "int32") % 3,
    # true division of integers gives the default float dtype
    "i64 / i64": lambda lib: make(lib, [1, 2]) / make(lib, [2, 3]),
    "i32 / i32": lambda lib: make(lib, [1, 2], "int32") / make(lib, [2, 3], "int32"),
    "i64 / py int": lambda lib: make(lib, [1, 2]) / 2,
    "py int / i64": lambda lib: 1 / make(lib, [1, 2]),
    "bool / bool": lambda lib: make(lib, [True, True]) / make(lib, [True, True]),
    "i64 div fn": lambda lib: lib.div(make(lib, [1, 2]), 4),
    "i64 div floor": lambda lib: lib.div(make(lib, [7, -7]), 2, rounding_mode="floor"),
    "i64 div trunc": lambda lib: lib.div(make(lib, [7, -7]), 2, rounding_mode="trunc"),
    "i64 / f64 0-d": lambda lib: make(lib, [1, 2]) / make(lib, 2.0, "float64"),
    "i64 / f16": lambda lib: make(lib, [1, 2]) / make(lib, [2, 2], "float16"),
    # 0-d tensors do not promote tensors with dims of the same category...
    "f32 + 0-d f64": lambda lib: make(lib, [1, 2, 3], "float32") + make(lib, 1.5, "float64"),
    "0-d f64 * f32": lambda lib: make(lib, 1.5, "float64") * make(lib, [1, 2, 3], "float32"),
    "i32 + 0-d i64": lambda lib: make(lib, [1, 2], "int32") + make(lib, 5, "int64"),
    "u8 + 0-d i64": lambda lib: make(lib, [1, 2], "uint8") + make(lib, 5, "int64"),
    # ...but a higher category wins even from a 0-d tensor
    "i64 + 0-d f64": lambda lib: make(lib, [1, 2], "int64") + make(lib, 1.5, "float64"),
    "i32 + 0-d f32": lambda lib: make(lib, [1, 2], "int32") + make(lib, 1.5, "float32"),
    "bool + 0-d i32": lambda lib: make(lib, [True, False]) + make(lib, 2, "int32"),
    "0-d + 0-d": lambda lib: make(lib, 1.5, "float32") + make(lib, 2.5, "float64"),
    "0-d i64 + py float": lambda lib: make(lib, 2, "int64") + 0.5,
    "0-d f64 + py float": lambda lib: make(lib, 2.0, "float64") + 0.5,
    # tensors with dims promote as usual
    "f32 + f64": lambda lib: make(lib, [1, 2], "float32") + make(lib, [1, 2], "float64"),
    "f32 + (1,) f64": lambda lib: make(lib, [1, 2], "float32") + make(lib, [1], "float64"),
    "i64 + f32": lambda lib: make(lib, [1, 2], "int64") + make(lib, [1, 2], "float32"),
    "i32 * f16": lambda lib: make(lib, [1, 2], "int32") * make(lib, [1, 2], "float16"),
    "i32 + i64": lambda lib: make(lib, [1, 2], "int32") + make(lib, [1, 2], "int64"),
    "u8 + i8": lambda lib: make(lib, [1, 2], "uint8") + make(lib, [1, 2], "int8"),
    "u8 + i16": lambda lib: make(lib, [1, 2], "uint8") + make(lib, [1, 2], "int16"),
    # bool
    "bool + i64": lambda lib: make(lib, [True, False]) + make(lib, [1, 2]),
    "bool + i8": lambda lib: make(lib, [True, False]) + make(lib, [1, 2], "int8"),
    "bool * f32": lambda lib: make(lib, [True, False]) * make(lib, [1.5, 2], "float32"),
    "bool + py int": lambda lib: make(lib, [True, False]) + 1,
    "bool + py float": lambda lib: make(lib, [True, False]) + 1.5,
    "bool + py bool": lambda lib: make(lib, [True, False]) + True,
    "bool + bool": lambda lib: make(lib, [True, False]) + make(lib, [True, True]),
    "bool * bool": lambda lib: make(lib, [True, False]) * make(lib, [True, True]),
    "i64 + py bool": lambda lib: make(lib, [1, 2]) + True,
    "f32 * py bool": lambda lib: make(lib, [1, 2], "float32") * False,
    # NumPy scalars count as Python scalars, on either side
    "np f64 scalar + f32": lambda lib: np.float64(2.5) + make(lib, [1, 2], "float32"),
    "f32 * np f64 scalar": lambda lib: make(lib, [1, 2], "float32") * np.float64(2.5),
    "i64 + np f64 scalar": lambda lib: make(lib, [1, 2]) + np.float64(0.5),
    "i32 * np i64 scalar": lambda lib: make(lib, [1, 2], "int32") * np.int64(3),
    # other binary ops follow the same rules
    "maximum i64 f32": lambda lib: lib.maximum(make(lib, [1, 5]), make(lib, [2, 2], "float32")),
    "minimum f32 0-d f64": lambda lib: lib.minimum(make(lib, [1, 5], "float32"), make(lib, 3.0, "float64")),
    "where i64 py float": lambda lib: lib.where(make(lib, [True, False]), make(lib, [1, 2]), 0.5),
    "where f32 f64": lambda lib: lib.where(make(lib, [True, False]), make(lib, [1, 2], "float32"),
                                           make(lib, [3, 4], "float64")),
    "where f32 0-d f64": lambda lib: lib.where(make(lib, [True, False]), make(lib, [1, 2], "float32"),
                                               make(lib, 3, "float64")),
    "pow i64 f32": lambda lib: make(lib, [1, 2]) ** make(lib, [0.5, 2], "float32"),
    "pow f32 i64": lambda lib: make(lib, [1, 2], "float32") ** make(lib, [2, 3]),
    "pow py int i32": lambda lib: 2 ** make(lib, [1, 2], "int32"),
    "remainder i32 f32": lambda lib: make(lib, [5, 7], "int32") % make(lib, [2, 3], "float32"),
    "clamp i64 py float": lambda lib: lib.clamp(make(lib, [1, 5]), min=1.5),
    "sub alpha i64": lambda lib: lib.sub(make(lib, [1, 5]), make(lib, [1, 1]), alpha=2),
    # unary float functions of integers and bools
    "exp i64": lambda lib: lib.exp(make(lib, [1, 2])),
    "sqrt i32": lambda lib: lib.sqrt(make(lib, [1, 4], "int32")),
    "sigmoid u8": lambda lib: lib.sigmoid(make(lib, [1, 4], "uint8")),
    "log bool": lambda lib: lib.log(make(lib, [True, True])),
    "tanh i16": lambda lib: lib.tanh(make(lib, [1, 4], "int16")),
    "exp f16": lambda lib: lib.exp(make(lib, [1, 2], "float16")),
    # dtype-preserving ops
    "neg i32": lambda lib: -make(lib, [1, 2], "int32"),
    "abs i8": lambda lib: lib.abs(make(lib, [-1, 2], "int8")),
    "relu i32": lambda lib: lib.relu(make(lib, [-1, 2], "int32")),
    "square i32": lambda lib: lib.square(make(lib, [-1, 2], "int32")),
    "square bool": lambda lib: lib.square(make(lib, [True, False])),
    "sign i64": lambda lib: lib.sign(make(lib, [-3, 0, 2])),
    "floor i32": lambda lib: lib.floor(make(lib, [-3, 2], "int32")),
    "round f64": lambda lib: lib.round(make(lib, [-3.5, 2.5], "float64")),
}


@pytest.mark.parametrize("case", list(CASES))
def test_promotion(case):
    both(CASES[case])


# ---- every pair of dtypes, tensors with dims and 0-d ---------------------------------------------------------
@pytest.mark.parametrize("da", DTYPES)
@pytest.mark.parametrize("db", DTYPES)
@pytest.mark.parametrize("ndim_b", [1, 0])
def test_all_pairs_add_and_mul(da, db, ndim_b):
    def fn(lib):
        a = make(lib, [1, 0, 1], da)
        b = make(lib, 1 if ndim_b == 0 else [1, 1, 0], db)
        return [a + b, a * b, lib.maximum(a, b), a == b, a / b]

    for oa, ot in zip(fn(ag), fn(torch)):
        assert_same(oa, ot)


@pytest.mark.parametrize("da", DTYPES)
@pytest.mark.parametrize("scalar", [2, 2.5, True])
def test_all_dtypes_with_python_scalars(da, scalar):
    def fn(lib):
        a = make(lib, [1, 0, 1], da)
        return [a * scalar, scalar * a, a / 2, lib.maximum(a, make(lib, scalar)), a > scalar]

    for oa, ot in zip(fn(ag), fn(torch)):
        assert_same(oa, ot)


def test_result_type_and_promote_types():
    for da in DTYPES:
        for db in DTYPES:
            ours = ag.promote_types(np.dtype(da), np.dtype(db))
            assert ours == numpy_dtype(torch.promote_types(torch_dtype(da), torch_dtype(db))), (da, db)
    for a_vals, b in [([1, 2], 2.5), ([1.0, 2.0], 3), ([True], 1), ([1, 2], True)]:
        ta = torch.tensor(a_vals)
        assert ag.result_type(ag.tensor(a_vals), b) == numpy_dtype(torch.result_type(ta, b))
    f32, f64_0d = ag.tensor([1.0]), ag.tensor(np.float64(2.0))
    assert ag.result_type(f32, f64_0d) == numpy_dtype(torch.result_type(torch.tensor([1.0]),
                                                                        torch.tensor(2.0, dtype=torch.float64)))


# ---- gradient dtypes ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "maximum", "pow", "where"])
@pytest.mark.parametrize("b_shape", [(3,), ()], ids=str)
def test_mixed_float_gradients_keep_each_operands_dtype(op, b_shape):
    # float32 (3,) with float64 (3,) -> float64 result; with float64 0-d -> float32 result.
    # Either way each operand's .grad has the operand's own dtype, as PyTorch.
    a_np = np.array([0.5, 1.5, 2.0], np.float32)
    b_np = (np.array([1.5, -0.5, 0.25]) if b_shape else np.array(0.75)).astype(np.float64)
    fns = {"add": lambda lib, a, b: a + b, "sub": lambda lib, a, b: a - b, "mul": lambda lib, a, b: a * b,
           "div": lambda lib, a, b: a / b, "maximum": lambda lib, a, b: lib.maximum(a, b),
           "pow": lambda lib, a, b: a ** b,
           "where": lambda lib, a, b: lib.where(a > 1.0, a, b)}
    res = {}
    for lib in (ag, torch):
        a = lib.tensor(a_np, requires_grad=True)
        b = lib.tensor(b_np, requires_grad=True)
        out = fns[op](lib, a, b)
        out.sum().backward()
        res[lib] = (out, a.grad, b.grad)
    for what, x, y in zip(["result", "grad a", "grad b"], res[ag], res[torch]):
        assert_same(x, y, tol=dict(rtol=1e-6, atol=1e-6), what=what)
    assert res[ag][1].dtype == np.float32 and res[ag][2].dtype == np.float64


def test_float32_tensor_times_python_float_gradient_is_float32():
    x = ag.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 0.1 + 1e-3) / 3.0 - 2.0 ** x
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_int_tensor_in_float_graph_gradient_dtype():
    w = ag.tensor([0.5, 1.5], requires_grad=True)
    wt = torch.tensor([0.5, 1.5], requires_grad=True)
    out_a = (w * ag.tensor([1, 2]) + ag.tensor([3, 4]) / 2).sum()
    out_t = (wt * torch.tensor([1, 2]) + torch.tensor([3, 4]) / 2).sum()
    assert_same(out_a, out_t)
    out_a.backward()
    out_t.backward()
    assert_same(w.grad, wt.grad)


def test_to_and_casts_carry_gradients_back_in_the_source_dtype():
    for lib in (ag, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = (x.double() * 3).to(lib.float32).sum() + x.to(lib.float64).sum()
        y.backward()
        assert x.grad.dtype == (np.float32 if lib is ag else torch.float32)
        np.testing.assert_allclose(np.asarray(x.grad), [4.0, 4.0])


# ---- tensor construction ---------------------------------------------------------------------------------------------
CONSTRUCT = {
    "list of floats": lambda lib: lib.tensor([1.0, 2.0]),
    "list of ints": lambda lib: lib.tensor([1, 2]),
    "mixed list": lambda lib: lib.tensor([1, 2.5]),
    "list of bools": lambda lib: lib.tensor([True, False]),
    "bools and ints": lambda lib: lib.tensor([True, 2]),
    "python float": lambda lib: lib.tensor(1.5),
    "python int": lambda lib: lib.tensor(3),
    "python bool": lambda lib: lib.tensor(True),
    "nested": lambda lib: lib.tensor([[1.0, 2.0], [3.0, 4.0]]),
    "np float64 array": lambda lib: lib.tensor(np.array([1.0, 2.0])),
    "np float32 array": lambda lib: lib.tensor(np.array([1.0, 2.0], np.float32)),
    "np int32 array": lambda lib: lib.tensor(np.array([1, 2], np.int32)),
    "np uint8 array": lambda lib: lib.tensor(np.array([1, 2], np.uint8)),
    "np bool array": lambda lib: lib.tensor(np.array([True, False])),
    "np float64 0-d": lambda lib: lib.tensor(np.array(2.5)),
    "np float64 scalar": lambda lib: lib.tensor(np.float64(2.5)),
    "np float32 scalar": lambda lib: lib.tensor(np.float32(2.5)),
    "np int32 scalar": lambda lib: lib.tensor(np.int32(2)),
    "dtype argument": lambda lib: lib.tensor([1, 2], dtype=lib.float64),
    "dtype argument int": lambda lib: lib.tensor([1.7, -2.7], dtype=lib.int32),
    "empty list": lambda lib: lib.tensor([]),
    "from_numpy f64": lambda lib: lib.from_numpy(np.array([1.0, 2.0])),
    "from_numpy i32": lambda lib: lib.from_numpy(np.array([1, 2], np.int32)),
    "zeros": lambda lib: lib.zeros(2, 3),
    "ones int": lambda lib: lib.ones(2, dtype=lib.int64),
    "full float": lambda lib: lib.full((2,), 1.5),
    "full int": lambda lib: lib.full((2,), 7),
    "full bool": lambda lib: lib.full((2,), True),
    "arange int": lambda lib: lib.arange(5),
    "arange float": lambda lib: lib.arange(0, 1, 0.25),
    "linspace": lambda lib: lib.linspace(0, 1, 5),
    "eye": lambda lib: lib.eye(3),
}


@pytest.mark.parametrize("case", list(CONSTRUCT))
def test_constructor_dtypes(case):
    both(CONSTRUCT[case])


def test_tensor_of_float64_array_keeps_float64_and_copies():
    arr = np.array([1.0, 2.0])
    t = ag.tensor(arr)
    assert t.dtype == np.float64
    arr[0] = 5.0
    assert t._data[0] == 1.0  # a copy
    s = ag.from_numpy(arr)
    arr[1] = 7.0
    assert s.dtype == np.float64 and s._data[1] == 7.0  # shared


def test_only_floats_can_require_grad():
    for lib in (ag, torch):
        with pytest.raises(RuntimeError):
            lib.tensor([1, 2], requires_grad=True)
    assert ag.tensor([1.0], requires_grad=True).requires_grad


# ---- default dtype --------------------------------------------------------------------------------------------------
@pytest.fixture
def float64_default():
    before_ag, before_t = ag.get_default_dtype(), torch.get_default_dtype()
    ag.set_default_dtype(ag.float64)
    torch.set_default_dtype(torch.float64)
    try:
        yield
    finally:
        ag.set_default_dtype(before_ag)
        torch.set_default_dtype(before_t)


@pytest.mark.parametrize("case", ["list of floats", "python float", "mixed list", "i64 / i64", "i64 + py float",
                                  "exp i64", "f32 + py float", "bool / bool", "linspace"])
def test_default_dtype_float64(float64_default, case):
    both({**CASES, **CONSTRUCT}[case])


def test_default_dtype_is_float32_and_restored():
    assert ag.get_default_dtype() == np.float32
    with pytest.raises(TypeError):
        ag.set_default_dtype(ag.int64)
    assert ag.get_default_dtype() == np.float32


# ---- finfo, iinfo, dtype -------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["float16", "bfloat16", "float32", "float64", None])
def test_finfo_as_torch(name):
    ours = ag.finfo(getattr(ag, name)) if name else ag.finfo()
    theirs = torch.finfo(getattr(torch, name)) if name else torch.finfo()
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert getattr(ours, field) == getattr(theirs, field) and type(getattr(ours, field)) is type(getattr(theirs, field))
    assert ours.dtype == theirs.dtype
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo_as_torch(name):
    ours, theirs = ag.iinfo(getattr(ag, name)), torch.iinfo(getattr(torch, name))
    assert (ours.bits, ours.min, ours.max, ours.dtype) == (theirs.bits, theirs.min, theirs.max, theirs.dtype)
    assert type(ours.max) is int and repr(ours) == repr(theirs)


def test_finfo_and_iinfo_refuse_the_other_kind_as_torch():
    for lib in (ag, torch):
        with pytest.raises(TypeError, match="floating point"):
            lib.finfo(lib.int32)
        with pytest.raises(TypeError, match="integer"):
            lib.iinfo(lib.float32)
        with pytest.raises(TypeError, match="bool"):
            lib.iinfo(lib.bool)


def test_dtype_is_the_type_of_every_dtype():
    """`torch.dtype` in annotations and isinstance checks (it was missing)."""
    for name in ("float16", "bfloat16", "float32", "float64", "int64", "bool"):
        assert isinstance(getattr(ag, name), ag.dtype)
    assert isinstance(ag.ones(2).dtype, ag.dtype)
