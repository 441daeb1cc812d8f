"""Table entries of the comparisons, logical and bitwise ops and float tests
(ops/compare.py): bool results, never differentiable. On float inputs the in-place
variants (`x.eq_(y)`) keep x's dtype, so the generic in-place test runs them on the
int and bool samples; tests/ops/test_compare.py checks the float case."""
import numpy as np

from .. import compare as ops
from ..opinfo import BF16, FLOATS, INTS, OpInfo, S, T

BOOL = ("bool",)
ALL = FLOATS + BF16 + INTS + BOOL
TIES = dict(values=[[1.0, 2.0, 0.0, -1.0], [0.0, 2.0, -2.0, 1.0], [1.0, 1.0, 1.0, 1.0]])
NUMBERS = dict(low=-3, high=4)


def relation(name, aliases=()):
    """eq, lt, ...: every dtype, broadcasting both ways, exact ties, Python numbers,
    mixed dtypes (promoted before comparing)."""
    samples = [
        S(T(3, 4, **NUMBERS), T(3, 4, **NUMBERS)), S(T(2, 3, 4, **NUMBERS), T(4, **NUMBERS)),
        S(T(3, 1, **NUMBERS), T(1, 4, **NUMBERS)), S(T(**NUMBERS), T(2, 3, **NUMBERS)),
        S(T(4, 3, layout="transposed", **NUMBERS), T(4, 3, **NUMBERS)),
        S(T(2, 6, layout="strided", **NUMBERS), T(6, **NUMBERS)), S(T(0, 3), T(3)),
        S(T(3, 4, **TIES), T(4, values=[1.0, 2.0, 0.0, -1.0])), S(T(3, 4, **TIES), 1),
        S(T(2, 3, **NUMBERS), 1.5), S(T(2, 3), True),
        S(T(2, 3, kind="index", low=-2, high=3), T(3, values=[1.5, 0.0, -1.0])),
        S(T(2, 3, kind="bool"), T(2, 3, kind="index", low=-1, high=2)),
    ]
    inplace = [a + "_" for a in aliases]
    return OpInfo(name, getattr(ops, name), samples, aliases=aliases, methods=(name,) + aliases,
                  inplace=name + "_", inplace_aliases=tuple(inplace), dtypes=ALL,
                  differentiable=False)


def logical(name, doc):
    samples = [
        S(T(3, 4, low=-1, high=2), T(3, 4, low=-1, high=2)), S(T(2, 3, 4), T(4, low=-1, high=2)),
        S(T(3, 1), T(1, 4, low=-1, high=2)), S(T(), T(2, 3)), S(T(0, 3), T(3)),
        S(T(4, 3, layout="transposed", low=-1, high=2), T(4, 3, kind="bool")),
        S(T(2, 3, kind="index", low=-1, high=2), T(3, values=[0.0, 0.5, -0.0])),
        S(T(2, 2, values=[[np.nan, 0.0], [1.0, -0.0]]), T(2, 2, kind="bool")),
    ]
    return OpInfo(name, getattr(ops, name), samples, inplace=name + "_", dtypes=FLOATS + BOOL,
                  differentiable=False, doc=doc)


def bitwise(name, doc):
    samples = [
        S(T(3, 4, low=-8, high=8), T(3, 4, low=-8, high=8)), S(T(2, 3, 4, low=0, high=16), T(4)),
        S(T(3, 1, low=-4, high=4), T(1, 4, low=-4, high=4)), S(T(), T(2, 3)),
        S(T(4, 3, layout="transposed", low=-4, high=4), T(4, 3, low=-4, high=4)),
        S(T(2, 3, low=0, high=8), 5), S(T(2, 3, kind="bool"), T(3, kind="index", low=0, high=8)),
        S(T(0, 3), T(3)),
    ]
    return OpInfo(name, getattr(ops, name), samples, inplace=name + "_", dtypes=INTS + BOOL,
                  differentiable=False, doc=doc)


SPECIAL = T(2, 4, values=[[np.nan, np.inf, -np.inf, 0.0], [-0.0, 3e38, -1.5, 1e-30]])


def float_test(name, doc):
    """isnan, isinf, isfinite: special values, ints and bools (never nan or inf)."""
    return OpInfo(name, getattr(ops, name), [
        S(SPECIAL), S(T()), S(T(4, 3, layout="transposed")), S(T(0, 2)),
        S(T(2, 3, kind="index", low=-5, high=5)), S(T(2, 3, kind="bool")),
    ], differentiable=False, doc=doc)


CLOSE_A = dict(values=[[1.0, 1.0, 1.0, np.nan], [0.0, 1e-9, -2.0, np.inf]])
CLOSE_B = dict(values=[[1.0, 1.00001, 1.001, np.nan], [1e-8, 0.0, -2.00003, np.inf]])

ENTRIES = [
    relation("eq"), relation("ne", ("not_equal",)), relation("lt", ("less",)),
    relation("le", ("less_equal",)), relation("gt", ("greater",)),
    relation("ge", ("greater_equal",)),
    logical("logical_and",
            doc="Elementwise AND of the truth values of `input` and `other` (nonzero is True), "
                "broadcast; a bool tensor."),
    logical("logical_or",
            doc="Elementwise OR of the truth values of `input` and `other` (nonzero is True), "
                "broadcast; a bool tensor."),
    logical("logical_xor",
            doc="Elementwise XOR of the truth values of `input` and `other` (nonzero is True), "
                "broadcast; a bool tensor."),
    OpInfo("logical_not", ops.logical_not, [
        S(T(3, 4, low=-1, high=2)), S(T()), S(T(4, 3, layout="transposed", low=-1, high=2)),
        S(T(0, 3)), S(T(2, 2, values=[[np.nan, 0.0], [1.0, -0.0]])),
        S(T(2, 3, kind="index", low=-1, high=2))],
        inplace="logical_not_", dtypes=FLOATS + BOOL, differentiable=False,
        doc="Elementwise NOT of the truth values of `input` (zero becomes True); a bool tensor."),
    bitwise("bitwise_and",
            doc="Elementwise bitwise AND (`&`) of integer or bool tensors (or a number), "
                "broadcast, with type promotion. Float operands raise NotImplementedError (also a "
                "TypeError)."),
    bitwise("bitwise_or",
            doc="Elementwise bitwise OR (`|`) of integer or bool tensors (or a number), "
                "broadcast, with type promotion. Float operands raise NotImplementedError (also a "
                "TypeError)."),
    bitwise("bitwise_xor",
            doc="Elementwise bitwise XOR (`^`) of integer or bool tensors (or a number), "
                "broadcast, with type promotion. Float operands raise NotImplementedError (also a "
                "TypeError)."),
    *[OpInfo(name, getattr(ops, name), [
        S(T(3, 4, low=-8, high=8), T(3, 4, low=0, high=8)), S(T(2, 3, 4, low=0, high=16), T(4, low=0, high=70)),
        S(T(3, 1, low=-4, high=4), T(1, 4, low=60, high=66)), S(T(), T(2, 3, low=0, high=4)),
        S(T(4, 3, layout="transposed", low=-4, high=4), T(4, 3, low=0, high=4)),
        S(T(2, 3, low=-9, high=8), 5), S(T(0, 3), T(3, low=0, high=3))],
        inplace=name + "_", dtypes=INTS, differentiable=False)
      for name in ("bitwise_left_shift", "bitwise_right_shift")],
    OpInfo("bitwise_not", ops.bitwise_not, [
        S(T(3, 4, low=-8, high=8)), S(T()), S(T(4, 3, layout="transposed", low=-8, high=8)),
        S(T(0, 3))], inplace="bitwise_not_", dtypes=INTS + BOOL, differentiable=False,
        doc="Elementwise bitwise NOT (`~`) of an integer tensor, logical NOT of a bool one. A "
            "float tensor raises NotImplementedError (also a TypeError)."),
    float_test("isnan",
               doc="True where an element is NaN; a bool tensor (integers and bools are never "
                   "NaN)."),
    float_test("isinf",
               doc="True where an element is +inf or -inf; a bool tensor."),
    float_test("isfinite",
               doc="True where an element is neither NaN nor infinite; a bool tensor."),
    OpInfo("isclose", ops.isclose, [
        S(T(2, 4, **CLOSE_A), T(2, 4, **CLOSE_B)), S(T(2, 4, **CLOSE_A), T(4, values=[1, 1, 1, 0])),
        S(T(2, 4, **CLOSE_A), T(2, 4, **CLOSE_B), rtol=1e-3, atol=1e-7),
        S(T(2, 4, **CLOSE_A), T(2, 4, **CLOSE_B), equal_nan=True),
        S(T(2, 4, **CLOSE_A), T(values=1.0), rtol=0.0, atol=0.01),
        S(T(2, 3, kind="index", low=-2, high=3), T(2, 3, kind="index", low=-2, high=3)),
        S(T(0, 3), T(3)),
    ], differentiable=False,
    doc="True where `|input - other| <= atol + rtol * |other|`, broadcast; equal infinities are "
        "close, NaNs only with `equal_nan=True`. Mixed dtypes are promoted (PyTorch raises)."),
    OpInfo("allclose", ops.allclose, [
        S(T(2, 4, **CLOSE_A), T(2, 4, **CLOSE_A)),
        S(T(2, 4, **CLOSE_A), T(2, 4, **CLOSE_A), equal_nan=True),
        S(T(2, 2, values=[[1.0, 2.0], [3.0, 4.0]]), T(2, values=[1.00001, 2.0])),
        S(T(2, 2, values=[[1.0, 2.0], [3.0, 4.0]]), T(2, values=[1.001, 2.0]), rtol=1e-2),
        S(T(2, 2, values=[[1.0, 2.0], [3.0, 4.0]]), T(2, values=[1.001, 2.0]), atol=0.0),
        S(T(0, 3), T(0, 3)),
    ], differentiable=False,
    doc="Whether `isclose(input, other, rtol, atol, equal_nan)` holds everywhere, as a Python "
        "bool."),
    OpInfo("equal", ops.equal, [
        S(T(2, 3, values=[[1, 2, 3], [4, 5, 6]]), T(2, 3, values=[[1, 2, 3], [4, 5, 6]])),
        S(T(2, 3, values=[[1, 2, 3], [4, 5, 6]]), T(2, 3, values=[[1, 2, 3], [4, 5, 7]])),
        S(T(2, 3), T(3)), S(T(0, 3), T(0, 3)), S(T(), T()),
        S(T(4, 3, layout="transposed", values=np.ones((4, 3))), T(4, 3, values=np.ones((4, 3)))),
        S(T(2, 2, values=[[1, 2], [3, 4]]), T(2, 2, kind="index", values=[[1, 2], [3, 4]])),
    ], dtypes=ALL, differentiable=False,
    doc="Whether the two tensors have the same shape and values, as a Python bool. NaN never "
        "equals NaN; the dtypes may differ."),
    OpInfo("nonzero", ops.nonzero, [
        S(T(3, 4, low=-1, high=2)), S(T(2, 3, 2, values=np.arange(12).reshape(2, 3, 2) % 3)),
        S(T(3, 4, low=-1, high=2), as_tuple=True),
        S(T(4, 3, layout="transposed", low=-1, high=2)), S(T(0, 3)), S(T(0, 3), as_tuple=True),
        S(T(values=0)), S(T(values=2)), S(T(values=2), as_tuple=True),
        S(T(2, 3, kind="bool")),
    ], dtypes=ALL, differentiable=False,
    doc="The indices of the nonzero elements, in row-major order. An int64 tensor of shape "
        "(count, input.ndim), or with `as_tuple=True` one 1-D index tensor per dim (what "
        "`input[...]` takes). Not differentiable."),
]
