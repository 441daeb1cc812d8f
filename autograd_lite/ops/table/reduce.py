"""Table entries of the reductions and scans (ops/reduce.py). Float32 results are
compared with the harness's default tolerances, which the current (non-pairwise along
every axis) summation meets on these small samples. Ties (max/min/amax/amin, norm inf)
are kept out of the table, where gradcheck can't differentiate them: tests/ops/
test_reduce.py compares their split gradients with PyTorch's."""
import numpy as np

from .. import reduce as ops
from ..opinfo import BF16, FLOATS, INTS, Dtype, OpInfo, S, T, reduction
from .elementwise import onnx_max_min  # max(x, other) is maximum

BOOL = ("bool",)
INT = dict(kind="index", low=-3, high=4)
# zeros for prod and cumprod: one, two in a row, a whole row
ZEROS = dict(values=[[2.0, 0.0, 3.0, -1.5], [1.5, 2.0, -0.5, 1.2], [0.0, 0.7, 0.0, 1.0]])
ZERO_ROW = dict(values=[[0.0, 0.0, 0.0], [1.5, -2.0, 0.5]])


def one_dim(low=-2.0, high=2.0):
    """Reductions over no dim or one int dim (prod, max/min with dim, argmax...)."""
    def t(*shape, **kw):
        return T(*shape, low=low, high=high, **kw)
    return [S(t(3, 4)), S(t()), S(t(3, 4, 2), 1), S(t(3, 4), -1), S(t(3, 4, 2), -3),
            S(t(4, 3, layout="transposed"), 0), S(t(2, 6, layout="strided"), 1),
            S(t(3, 4, 2), 1, keepdim=True), S(t(3, 4), dim=0, keepdim=True), S(t(), 0),
            S(t(), -1, True), S(t(0, 3), 1)]


def var_like():
    """var, std, var_mean, std_mean: dims, correction, unbiased, the (input, unbiased)
    overload. Not dim=(): torch 2.13's gradient for it is nan (test_reduce.py checks
    ours against dim=None)."""
    everything, zero_d, *rest = reduction()
    return [everything] + rest + [
        S(T(3, 4, 2), (-1, 0)), S(T(3, 4), 1, correction=0),
        S(T(3, 4, 2), (0, 2), correction=2, keepdim=True), S(T(3, 4), dim=None, correction=0),
        S(T(3, 4), 1, unbiased=False), S(T(3, 4), -1, True, True), S(T(3, 4), False),
        S(T(3, 4), unbiased=True), S(T(), correction=0),  # a 0-d var with correction 1 is nan
    ]


def max_min(name, doc):
    return OpInfo(name, getattr(ops, name), one_dim() + [
        S(T(3, 4), T(3, 4)), S(T(2, 3, 4), T(4)), S(T(3, 4), other=T(3, 1)),
        S(T(2, 3, kind="index", low=-5, high=5)), S(T(2, 3, kind="index", low=-5, high=5), 1),
    ], dtypes=FLOATS + BF16 + INTS, onnx={"MaxMinDim": convert_max_min_dim, "AMaxMin": convert_amax_amin,
                                   "MaxMin": onnx_max_min}, doc=doc)


def amax_amin(name, doc):
    return OpInfo(name, getattr(ops, name), reduction() + [
        S(T(3, 4)), S(T(3, 4, 2), ()), S(T(3, 4), keepdim=True), S(T(3, 4, 2), (-1, 0))],
        dtypes=FLOATS + BF16 + INTS, onnx={"AMaxMin": convert_amax_amin}, doc=doc)


def argmax_argmin(name, doc):
    return OpInfo(name, getattr(ops, name), one_dim(low=-5, high=5)[:-1] + [
        S(T(3, 4), keepdim=True), S(T(3, 4, values=np.arange(12).reshape(3, 4) % 3), 1),
        S(T(3, 4, values=np.arange(12).reshape(3, 4) % 3))],
        dtypes=FLOATS + BF16 + INTS, differentiable=False, doc=doc)


def all_any(name, doc):
    return OpInfo(name, getattr(ops, name), [
        S(T(3, 4, low=-1, high=2)), S(T()), S(T(3, 4, 2, low=-1, high=2), 1),
        S(T(3, 4, low=-1, high=2), -1), S(T(3, 4, 2, low=-1, high=2), (0, 2), keepdim=True),
        S(T(3, 4, low=-1, high=2), dim=1, keepdim=True),
        S(T(4, 3, layout="transposed", low=-1, high=2), 0), S(T(0, 3)), S(T(0, 3), 1),
        S(T(0, 3), 0), S(T(2, 3, values=[[0.0, 1.5, -2.0], [0.5, 1.0, 3.0]]), 1),
    ], dtypes=FLOATS + BF16 + INTS + BOOL, differentiable=False, doc=doc)


def scan(name, extra):
    return [S(T(3, 4), 1), S(T(3, 4, 2), 0), S(T(3, 4, 2), -1), S(T(), 0), S(T(), -1),
            S(T(4, 3, layout="transposed"), 1), S(T(2, 6, layout="strided"), -2),
            S(T(0, 3), 1), S(T(0, 3), 0), S(T(3, 4), 1, dtype=Dtype("float64")),
            S(T(2, 3, **INT), 1), S(T(2, 3, kind="bool"), 0),
            S(T(2, 3, **INT), 1, dtype=Dtype("float32"))] + extra



# ---- ONNX converters (autograd_lite.onnx): converter(builder, node, inputs) -> output ----------------
def _reduction(op_type):
    """ReduceSum/Mean/Prod/... over the op's axes (an empty axis tuple: a 0-d input)."""
    def convert(b, node, inputs):
        axes = list(node.axes)
        if not axes:
            return inputs[0]
        return b.reduce(op_type, inputs[0], axes, node.keepdim)

    return convert


def convert_sum(b, node, inputs):
    """ReduceSum, cast when sum(dtype=) asked for another dtype."""
    y = _reduction("ReduceSum")(b, node, inputs)
    return b.cast(y, b.out_dtype()) if b.out_dtype() != b.in_dtype(0) else y


def _variance(b, node, x):
    """sum((x - mean)^2) / (n - correction), as the op computes it."""
    axes = list(node.axes)
    mean = b.reduce("ReduceMean", x, axes, True)
    d = b.op("Sub", [x, mean])
    s = b.reduce("ReduceSum", b.op("Mul", [d, d]), axes, node.keepdim)
    return b.op("Div", [s, b.scalar(node.denom, b.out_dtype())])


def convert_var(b, node, inputs):
    return _variance(b, node, inputs[0])


def convert_std(b, node, inputs):
    return b.op("Sqrt", [_variance(b, node, inputs[0])])


def convert_norm(b, node, inputs):
    x, p, axes, keep = inputs[0], node.p, list(node.axes), node.keepdim
    if p == 2:
        return b.reduce("ReduceL2", x, axes, keep)
    if p == 1:
        return b.reduce("ReduceL1", x, axes, keep)
    if p in (np.inf, -np.inf):
        return b.reduce("ReduceMax" if p > 0 else "ReduceMin", b.op("Abs", [x]), axes, keep)
    if p == 0:
        nonzero = b.cast(b.op("Not", [b.op("Equal", [x, b.scalar(0, b.out_dtype())])]), b.out_dtype())
        return b.reduce("ReduceSum", nonzero, axes, keep)
    powered = b.op("Pow", [b.op("Abs", [x]), b.scalar(p, b.out_dtype())])
    return b.op("Pow", [b.reduce("ReduceSum", powered, axes, keep), b.scalar(1.0 / p, b.out_dtype())])


def convert_cumsum(b, node, inputs):
    y = b.op("CumSum", [inputs[0], b.const(np.asarray(node.axis, np.int64))])
    return b.cast(y, b.out_dtype()) if b.out_dtype() != b.in_dtype(0) else y


def convert_amax_amin(b, node, inputs):
    return b.reduce("ReduceMax" if inputs.arg(3) else "ReduceMin", inputs[0], list(node.axes), node.keepdim)


def convert_max_min_dim(b, node, inputs):
    x, axis, keep, is_max = inputs[0], int(node.axis), int(node.keepdim), inputs.arg(3)
    if not node.in_shape:
        return x, b.const(np.zeros((), np.int64))
    values = b.reduce("ReduceMax" if is_max else "ReduceMin", x, [axis], keep)
    indices = b.op("ArgMax" if is_max else "ArgMin", [x], axis=axis, keepdims=keep)
    return values, indices



_mean_onnx = _reduction("ReduceMean")  # mean, var_mean and std_mean record Mean


ENTRIES = [
    OpInfo("sum", ops.sum, reduction() + [
        S(T(3, 4, 2), (-1, 0)), S(T(3, 4), ()), S(T(3, 4), dim=None, keepdim=True),
        S(T(3, 4), 1, dtype=Dtype("float64")), S(T(2, 6, layout="strided"), 1),
        S(T(2, 3, **INT)), S(T(2, 3, **INT), 0, dtype=Dtype("float32")),
        S(T(2, 3, kind="bool"), 1), S(T(0, 3)), S(T(0, 3), 0)],
        dtypes=FLOATS + BF16 + INTS, onnx={"Sum": convert_sum},
        doc="The sum over `dim`, the summed dims kept as size 1 with `keepdim`. `dim` is an int "
            "or a tuple (every dim when None or empty). Integer and bool tensors sum in int64; "
            "`dtype` gives the result's dtype (the input is cast first)."),
    OpInfo("mean", ops.mean, reduction() + [
        S(T(3, 4, 2), (-1, 0)), S(T(3, 4), ()), S(T(3, 4), dim=None, keepdim=True),
        S(T(3, 4), 1, dtype=Dtype("float64")), S(T(2, 6, layout="strided"), 1),
        S(T(2, 3, **INT), dtype=Dtype("float32")), S(T(0, 3)), S(T(0, 3), 0)], onnx={"Mean": _mean_onnx},
        doc="The mean over `dim`, with `keepdim`; an empty reduction gives NaN. `dim` is an int "
            "or a tuple (every dim when None or empty). An integer tensor raises RuntimeError "
            "unless `dtype` names a float dtype to cast it to."),
    OpInfo("prod", ops.prod, one_dim(low=0.5, high=1.5) + [
        S(T(3, 4, **ZEROS)), S(T(3, 4, **ZEROS), 1), S(T(3, 4, **ZEROS), 0, keepdim=True),
        S(T(2, 3, **ZERO_ROW), 1), S(T(2, 3, **ZERO_ROW)), S(T(3, 4), 1, dtype=Dtype("float64")),
        S(T(2, 3, **INT), 1), S(T(2, 3, kind="bool")), S(T(2, 3, **INT), dtype=Dtype("float32")),
        S(T(0, 3)), S(T(0, 3), 0)], onnx={"Prod": _reduction("ReduceProd")},
        doc="The product of every element, or over one `dim` with `keepdim` (a tuple raises "
            "TypeError, as in PyTorch). Integer and bool tensors multiply in int64; `dtype` casts "
            "the input first. The gradient stays exact where the input has zeros."),
    OpInfo("var", ops.var, var_like(), onnx={"Var": convert_var},
           doc="The variance over `dim`, dividing by N - `correction`, with `keepdim`. `dim` is "
               "an int or a tuple (every dim by default); `correction` defaults to 1 (Bessel's), "
               "and `unbiased=False` means 0. Float tensors only (RuntimeError otherwise); "
               "`correction` and `unbiased` together raise RuntimeError. `var(x, False)` is the "
               "old `(input, unbiased)` form."),
    OpInfo("std", ops.std, var_like(), onnx={"Std": convert_std},
           doc="The standard deviation, `sqrt(var(...))` with `var`'s arguments; where it is 0 "
               "the gradient is 0, as in PyTorch."),
    OpInfo("var_mean", ops.var_mean, var_like(), methods=(), onnx={"Var": convert_var, "Mean": _mean_onnx},
           doc="`(var, mean)` over the same dims, with `var`'s arguments."),
    OpInfo("std_mean", ops.std_mean, var_like(), methods=(), onnx={"Std": convert_std, "Mean": _mean_onnx},
           doc="`(std, mean)` over the same dims, with `var`'s arguments."),
    OpInfo("logsumexp", ops.logsumexp, [
        S(T(3, 4), 1), S(T(3, 4, 2), (0, 2)), S(T(3, 4), -1, keepdim=True), S(T(), 0),
        S(T(4, 3, layout="transposed"), 0), S(T(3, 4, 2), (-1, 0), True), S(T(0, 3), 1),
        S(T(2, 3, low=500, high=1000), 1), S(T(2, 3, **INT), 1),
        S(T(2, 3, values=[[-np.inf, 0.5, 1.0], [-np.inf, -np.inf, 2.0]]), 1)], onnx={"LogSumExp": _reduction("ReduceLogSumExp")},
        doc="`log(sum(exp(input)))` over `dim` (an int or a tuple, required), with `keepdim`, "
            "computed stably (the maximum is taken out first). Integer tensors become the default "
            "float dtype."),
    OpInfo("norm", ops.norm, [
        S(T(3, 4)), S(T(3, 4), 1), S(T(3, 4), 3), S(T(3, 4), np.inf), S(T(3, 4), -np.inf),
        S(T(3, 4), 0), S(T(3, 4), 2.5), S(T(3, 4), 0.5), S(T(3, 4), "fro", (0, 1)),
        S(T(3, 4, 2), 2, 1), S(T(3, 4, 2), 1, (0, 2), True), S(T(3, 4), np.inf, -1),
        S(T(3, 4), p=3, dim=0, keepdim=True), S(T(3, 4), "fro", 1),
        S(T(4, 3, layout="transposed"), 2, 0), S(T()), S(T(), 1), S(T(0, 3)), S(T(0, 3), 2, 1),
        S(T(3, 4), dim=1, dtype=Dtype("float64"))], onnx={"Norm": convert_norm},
        doc="The p-norm of the elements over `dim` (every dim by default), with `keepdim`. `p` is "
            "a number, `inf`, `-inf`, or 'fro' (the 2-norm, the default); p = 0 counts the "
            "nonzero elements. Integer tensors become the default float dtype and `dtype` casts "
            "the input first. 'nuc' raises ValueError: use `linalg.matrix_norm(x, 'nuc')`. At a "
            "zero norm the gradient is 0."),
    max_min("max",
            doc="`max(input)`: the largest element, a 0-d tensor (NaN if there is one; equal "
                "maxima share the gradient). `max(input, dim, keepdim=False)`: a named tuple "
                "`(values, indices)` along one dim (an int), the gradient going to the index "
                "returned. `max(input, other)`: the elementwise `maximum`. An empty reduction "
                "raises."),
    max_min("min",
            doc="`min(input)`: the smallest element, a 0-d tensor (NaN if there is one; equal "
                "minima share the gradient). `min(input, dim, keepdim=False)`: a named tuple "
                "`(values, indices)` along one dim (an int), the gradient going to the index "
                "returned. `min(input, other)`: the elementwise `minimum`. An empty reduction "
                "raises."),
    amax_amin("amax",
              doc="The maximum over `dim`, with `keepdim`; values only. `dim` is an int or a "
                  "tuple (every dim by default). Equal maxima share the gradient evenly. Reducing "
                  "over a dim of size 0 raises."),
    amax_amin("amin",
              doc="The minimum over `dim`, with `keepdim`; values only. `dim` is an int or a "
                  "tuple (every dim by default). Equal minima share the gradient evenly. Reducing "
                  "over a dim of size 0 raises."),
    argmax_argmin("argmax",
                  doc="The index of the largest element (the first on ties), int64: into the "
                      "flattened tensor by default, or along `dim` with `keepdim`. An empty "
                      "reduction raises IndexError."),
    argmax_argmin("argmin",
                  doc="The index of the smallest element (the first on ties), int64: into the "
                      "flattened tensor by default, or along `dim` with `keepdim`. An empty "
                      "reduction raises IndexError."),
    all_any("all",
            doc="Whether every element over `dim` is nonzero, with `keepdim`. `dim` is an int or "
                "a tuple (every dim by default). The result is bool, except uint8 in, uint8 out "
                "(as PyTorch)."),
    all_any("any",
            doc="Whether any element over `dim` is nonzero, with `keepdim`. `dim` is an int or a "
                "tuple (every dim by default). The result is bool, except uint8 in, uint8 out (as "
                "PyTorch)."),
    OpInfo("count_nonzero", ops.count_nonzero, [
        S(T(3, 4, low=-1, high=2)), S(T(2, 3, 2, low=-1, high=2), 1),
        S(T(2, 3, 2, low=-1, high=2), (0, 2)), S(T(2, 3, 2, low=-1, high=2), -1),
        S(T(3, 4, low=-1, high=2), ()), S(T()), S(T(0, 3), 0),
        S(T(4, 3, layout="transposed", low=-1, high=2), dim=0)],
        dtypes=FLOATS + BF16 + INTS + BOOL, differentiable=False,
        doc="The number of nonzero elements over `dim`, int64. `dim` is an int or a tuple (every "
            "dim by default)."),
    OpInfo("cumsum", ops.cumsum, scan("cumsum", []), inplace="cumsum_", onnx={"Cumsum": convert_cumsum},
           doc="The running sum along `dim` (required); integer and bool tensors accumulate in "
               "int64, and `dtype` casts the input first."),
    OpInfo("cumprod", ops.cumprod, scan("cumprod", [
        S(T(3, 4, **ZEROS), 1), S(T(3, 4, **ZEROS), 0), S(T(2, 3, **ZERO_ROW), -1),
        S(T(2, 3, **ZERO_ROW), 0)]), inplace="cumprod_",
        doc="The running product along `dim` (required); integer and bool tensors give int64, and "
            "`dtype` casts the input first. The gradient stays exact where the input has zeros."),
]
