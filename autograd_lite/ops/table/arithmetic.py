"""Table entries of the arithmetic ops (ops/arithmetic.py). Integer and bool operands
come as `kind="index"`/`kind="bool"` arguments where a sample mixes them with floats or
needs values only one dtype takes (a nonzero integer divisor)."""
import numpy as np

from .. import arithmetic as ops
from .. import inplace
from ..opinfo import BF16, BF16_CANCELLING, FLOATS, INTS, OpInfo, S, T, binary, onnx_op, onnx_scalar, unary


def pairs(a=None, b=None, scalar=1.5, empty=True):
    """`binary()`'s shapes with T options of their own for each operand (`a`, `b`)."""
    a, b = a or {}, b or {}
    out = [S(T(3, 4, **a), T(3, 4, **b)), S(T(2, 3, 4, **a), T(4, **b)),
           S(T(3, 1, **a), T(1, 4, **b)), S(T(**a), T(2, 3, **b)),
           S(T(4, 3, layout="transposed", **a), T(4, 3, **b)),
           S(T(2, 6, layout="strided", **a), T(2, 6, layout="strided", **b))]
    if scalar is not None:
        out.append(S(T(2, 3, **a), scalar))
    if empty:
        out.append(S(T(0, 3, **a), T(3, **b)))
    return out


INT = dict(kind="index", low=-4, high=5)
INT_DIVISOR = dict(kind="index", values=[[-3, -1, 2, 3], [4, 1, -2, 5]])
DIVISOR = dict(margin=0.4)
MIXED = [  # promotion: int with float, bool with int, int with a Python float
    S(T(3, 4, **INT), T(4)), S(T(3, 4), T(3, 4, **INT)), S(T(2, 3, kind="bool"), T(2, 3, **INT)),
    S(T(2, 3, **INT), 2.5), S(T(2, 3, **INT), 2), S(T(2, 3, kind="bool"), T(3, kind="bool")),
]


ADDC = [S(T(3, 4), T(3, 4), T(3, 4)), S(T(2, 3, 4), T(4), T(3, 1)), S(T(), T(2, 3), T(3)),
        S(T(3, 4), T(3, 4), T(3, 4), value=0.5), S(T(3, 4), T(4), T(3, 1), value=-2),
        S(T(4, 3, layout="transposed"), T(4, 3), T(4, 3, layout="strided"), value=1.5),
        S(T(2, 3), T(), T(), value=0), S(T(0, 3), T(3), T(0, 1), value=2.0)]


# ---- ONNX converters (autograd_lite.onnx): converter(builder, node, inputs) -> output ----------------
def convert_copysign(b, node, inputs):
    """|a| negated where b < 0 (ONNX has no sign-bit test: -0.0 and NaN count as positive)."""
    magnitude = b.op("Abs", [inputs[0]])
    negative = b.op("Less", [inputs[1], onnx_scalar(b, 0)])
    return b.op("Where", [negative, b.op("Neg", [magnitude]), magnitude])


def convert_pow_scalar(b, node, inputs):
    """x ** c for a constant c (x * x for c = 2)."""
    c = node.c
    if c == 2:
        return b.op("Mul", [inputs[0], inputs[0]])
    if c == 1:
        return inputs[0]
    return b.op("Pow", [inputs[0], onnx_scalar(b, c)])


def convert_remainder(b, node, inputs):
    """a - floor(a / b) * b (Python's sign convention; ONNX Mod needs fmod=1 for floats)."""
    a, d = inputs[0], inputs[1]
    q = b.op("Floor", [b.op("Div", [a, d])])
    return b.op("Sub", [a, b.op("Mul", [q, d])])


def convert_rounding_divide(b, node, inputs):
    """floor(a / b), or trunc(a / b) = sign * floor(|a / b|) (ONNX has no Trunc)."""
    q = b.op("Div", [inputs[0], inputs[1]])
    if inputs.arg(2) == "trunc":
        return _trunc(b, q)
    return b.op("Floor", [q])


def convert_scale_wide(b, node, inputs):
    """A bfloat16 tensor times or divided by a number (`mul`/`div`'s bfloat16 form)."""
    return b.op("Div" if node.divide else "Mul", [inputs[0], onnx_scalar(b, float(node.factor))])


def _trunc(b, x):
    return b.op("Mul", [b.op("Sign", [x]), b.op("Floor", [b.op("Abs", [x])])])


ENTRIES = [
    OpInfo("add", ops.add, binary() + MIXED + [
        S(T(3, 4), T(4), alpha=2), S(T(2, 3), 1.5, alpha=-3), S(T(2, 3), T(2, 3), alpha=-0.5),
        S(T(3, 4, **INT), T(4, **INT), alpha=-2)],
        inplace="add_", inplace_fn=inplace.add_, onnx={"Add": onnx_op("Add")},
        doc="`input + alpha * other`, broadcast, with PyTorch's type promotion (`other` may be a "
            "number). A float `alpha` with integer operands, or a bool `alpha` with non-bool "
            "ones, raises RuntimeError."),
    OpInfo("sub", ops.sub, binary() + MIXED[:2] + MIXED[3:5] + [
        S(T(3, 4), T(4), alpha=2), S(T(2, 3), 1.5, alpha=-3), S(T(2, 3), T(2, 3), alpha=0.5),
        S(T(3, 4, **INT), T(4, **INT), alpha=3)],
        aliases=("subtract",), methods=("sub", "subtract"), inplace="sub_",
        inplace_aliases=("subtract_",), inplace_fn=inplace.sub_, onnx={"Sub": onnx_op("Sub")},
        doc="`input - alpha * other` (alias `subtract`), broadcast, with type promotion. A bool "
            "operand raises RuntimeError (use `logical_xor`)."),
    OpInfo("rsub", ops.rsub, [S(T(3, 4), T(3, 4)), S(T(2, 3, 4), T(4)), S(T(2, 3), 1.5),
                              S(T(3, 4), T(3, 4), alpha=2), S(T(0, 3), T(3))] + MIXED[:2],
           methods=(), dtypes=FLOATS + BF16 + INTS, onnx={"Sub": onnx_op("Sub")},
           doc="`other - alpha * input`: `sub` with its operands swapped."),
    OpInfo("mul", ops.mul, binary() + MIXED, aliases=("multiply",), methods=("mul", "multiply"),
           inplace="mul_", inplace_aliases=("multiply_",), inplace_fn=inplace.mul_,
           dtypes=FLOATS + BF16 + INTS, onnx={"Mul": onnx_op("Mul"), "ScaleWide": convert_scale_wide},
           doc="`input * other` (alias `multiply`), broadcast, with type promotion (`other` may "
               "be a number)."),
    OpInfo("div", ops.div, pairs(b=DIVISOR) + [
        S(T(3, 4), T(4, **DIVISOR), rounding_mode="floor"),
        S(T(3, 4, low=-8, high=8), T(3, 4, **DIVISOR), rounding_mode="trunc"),
        S(T(2, 3), -1.5, rounding_mode="floor"), S(T(2, 3), T(3, **DIVISOR), rounding_mode=None),
        S(T(2, 4, **INT), T(2, 4, **INT_DIVISOR)),  # int / int is float
        S(T(2, 4, **INT), T(2, 4, **INT_DIVISOR), rounding_mode="floor"),
        S(T(2, 4, **INT), T(2, 4, **INT_DIVISOR), rounding_mode="trunc"),
        S(T(2, 4, **INT), -2, rounding_mode="trunc"), S(T(2, 4, **INT), T(4, **DIVISOR)),
    ], aliases=("divide",), methods=("div", "divide"), inplace="div_", inplace_aliases=("divide_",),
        inplace_fn=inplace.div_, onnx={"Div": onnx_op("Div"), "RoundingDivide": convert_rounding_divide,
                                       "ScaleWide": convert_scale_wide},
        doc="`input / other` (alias `divide`), broadcast. Without `rounding_mode` this is true "
            "division: integer operands give the default float dtype. `rounding_mode='trunc'` "
            "rounds the quotient toward zero and `'floor'` down, keeping integer dtypes; both "
            "have a zero gradient, and integer division by zero raises ZeroDivisionError (also a "
            "RuntimeError). Another `rounding_mode` raises ValueError."),
    OpInfo("true_divide", ops.true_divide, pairs(b=DIVISOR) + [
        S(T(2, 4, **INT), T(2, 4, **INT_DIVISOR)), S(T(2, 4, **INT), -2)],
        inplace="true_divide_", inplace_fn=inplace.true_divide_, onnx={"Div": onnx_op("Div")}),
    OpInfo("floor_divide", ops.floor_divide, pairs(b=DIVISOR, scalar=-1.5) + [
        S(T(2, 4, **INT), T(2, 4, **INT_DIVISOR)), S(T(2, 4, **INT), 3),
        S(T(2, 4, **INT), T(4, **DIVISOR))],
        inplace="floor_divide_", differentiable=False,
        note="PyTorch has no derivative for floor_divide; ours is zero, as div(rounding_mode="
             "'floor') (whose entry checks that gradient)", onnx={"RoundingDivide": convert_rounding_divide},
             doc="`input // other`: the quotient rounded down, as `div(input, other, "
                 "rounding_mode='floor')`; integers stay integers. Integer division by zero "
                 "raises ZeroDivisionError (also a RuntimeError), bool operands "
                 "NotImplementedError. The gradient is zero (PyTorch has none and raises at "
                 "backward)."),
    OpInfo("remainder", ops.remainder, pairs(b=DIVISOR, scalar=-1.5) + [
        S(T(2, 4, **INT), T(2, 4, **INT_DIVISOR)), S(T(2, 4, **INT), -3),
        S(T(2, 4, **INT), T(4, **DIVISOR))],
        inplace="remainder_", onnx={"Remainder": convert_remainder},
        doc="`input % other` as Python's modulus: the result has the sign of `other`. Integer "
            "division by zero raises ZeroDivisionError (also a RuntimeError), bool operands "
            "NotImplementedError. The gradient is 1 for `input` and `-floor(input / other)` for "
            "`other`."),
    OpInfo("neg", ops.neg, unary(), aliases=("negative",), methods=("neg", "negative"),
           inplace="neg_", inplace_aliases=("negative_",), dtypes=FLOATS + BF16 + INTS, onnx={"Neg": onnx_op("Neg")},
           doc="`-input` (alias `negative`); a bool tensor raises RuntimeError (use "
               "`logical_not`)."),
    OpInfo("pow", ops.pow, [
        S(T(3, 4), 2), S(T(3, 4), 3), S(T(3, 4, margin=0.3), -1), S(T(3, 4, margin=0.3), -2),
        S(T(3, 4, low=0.3, high=2), 0.5), S(T(3, 4, low=0.3, high=2), -2.5), S(T(2, 3), 0),
        S(T(2, 3), 1.0), S(T(2, 3), 1), S(T(2, 3, low=0.3, high=2), 2.5), S(T(), 2), S(T(4, 3, layout="transposed"), 3), S(T(0, 3), 2),
        S(T(3, 4, low=0.3, high=2), T(3, 4)), S(T(2, 3, 4, low=0.3, high=2), T(4)),
        S(T(3, 1, low=0.3, high=2), T(1, 4)), S(T(low=0.3, high=2), T(2, 3)),
        S(T(2, 3, margin=0.3), T(3, kind="index", low=-2, high=3)),
        S(T(2, 3, kind="index", low=-3, high=4), 2), S(T(2, 3, kind="index", low=0, high=4), 0.5),
        S(T(2, 3, kind="index", low=-3, high=4), T(3, kind="index", low=0, high=3)),
        S(T(2, 3, kind="index", low=1, high=4), T(2, 3)), S(T(2, 3, kind="bool"), 2),
    ], inplace="pow_", onnx={"Pow": onnx_op("Pow"), "PowScalar": convert_pow_scalar},
    doc="`input ** exponent`: a tensor to a number or tensor power, or a number to a tensor "
        "power; broadcast, with type promotion. Integers to negative integer powers raise "
        "RuntimeError."),
    OpInfo("square", ops.square, unary() + [S(T(2, 3, **INT)), S(T(2, 3, kind="bool"))],
           inplace="square_", dtypes=FLOATS + BF16 + INTS, onnx={"PowScalar": convert_pow_scalar},
           doc="`input * input`; a bool tensor gives int64, as in PyTorch."),
    OpInfo("addcmul", ops.addcmul, ADDC + [S(T(2, 3, **INT), T(2, 3, **INT), T(3, **INT), value=2)],
           inplace="addcmul_"),
    OpInfo("addcdiv", ops.addcdiv, [S(a, b, T(*c.shape, **DIVISOR), **kw) for (a, b, c), kw in
                                    ((s.args, s.kwargs) for s in ADDC)] + [
        S(T(2, 3), T(2, 3, **INT), T(3, **DIVISOR))], inplace="addcdiv_", tol=BF16_CANCELLING,
        note="bfloat16: PyTorch scales 1/tensor2 by value before summing a broadcast gradient, "
             "we after; where the sum cancels the last bits differ"),
    OpInfo("copysign", ops.copysign, pairs() + [
        S(T(2, 4, values=[[0.0, -0.0, 1.5, -2.0], [0.0, 1.0, -0.0, 3.0]], grad=False),
          T(2, 4, values=[[-1.0, 1.0, -0.0, 0.0], [np.inf, -np.inf, -1.0, 2.0]], grad=False)),
        S(T(2, 3), -1), S(T(2, 3), -0.0), S(T(2, 3), 0.0), S(T(3, 4, **INT), T(4)),
        S(T(2, 3), T(2, 3, **INT)), S(T(2, 3, **INT), -2)], inplace="copysign_",
        onnx={"Copysign": convert_copysign}),
]
