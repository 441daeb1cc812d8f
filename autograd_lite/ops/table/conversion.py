"""Table entries of the Tensor methods that convert or make tensors (ops/conversion.py:
casts, `to`, `x.where`, the `new_*` factories) and the in-place fills of
ops/inplace.py (`zero_`, `fill_`, `copy_`, the random fills)."""
from .. import conversion as ops
from .. import elementwise, inplace
from ..opinfo import BF16, FLOATS, INTS, Dtype, OpInfo, S, T, onnx_op

CAST_DTYPES = FLOATS + BF16 + INTS + ("bool",)


def _cast_onnx(b, node, inputs):
    """A float-to-float cast (casts to integers record no node: their results are constants)."""
    return b.cast(inputs[0], b.out_dtype())


def _cast(name):
    float_target = name in ("float", "double", "half", "bfloat16")
    return OpInfo(name, ops.caster(name), [S(T(3, 4)), S(T()), S(T(0, 2)), S(T(4, 3, layout="transposed"))],
                  namespace="Tensor", dtypes=CAST_DTYPES, differentiable=float_target,
                  gradcheck=name == "double", twice=name == "double",  # no finite differences
                  # through float32/float16 rounding; the gradient is still compared with torch's
                  tol={"float64": dict(rtol=1e-3, atol=1e-3)} if name == "half" else (
                      {"float64": dict(rtol=1e-2, atol=1e-2), "float32": dict(rtol=1e-2, atol=1e-2)}
                      if name == "bfloat16" else None),
                  onnx={"To": _cast_onnx})


ENTRIES = [
    OpInfo("to", elementwise.to, [
        S(T(3, 4), Dtype("float64")), S(T(3, 4), dtype=Dtype("float32")), S(T(2, 3), Dtype("int64")),
        S(T(2, 3), T(1, kind="index")), S(T(2, 3), "cpu"), S(T(2, 3), "cpu", Dtype("float64")),
        S(T(2, 3), Dtype("float64"), copy=True), S(T(0, 2), Dtype("float32")),
    ], namespace="Tensor", dtypes=FLOATS + BF16 + INTS, gradcheck=False, twice=False,
        note="gradients compared with torch's; no finite differences through float32 rounding",
        onnx={"To": _cast_onnx}),
    *[_cast(name) for name in ops.CASTS],
    OpInfo("type_as", ops.type_as, [
        S(T(3, 4), T(2, grad=False)), S(T(3, 4), T(2, kind="index")), S(T(2, 3), T(kind="bool")),
        S(T(), T(0, grad=False)), S(T(0, 2), T(1, kind="index")),
        S(T(4, 3, layout="transposed"), T(1, grad=False))],
        namespace="Tensor", dtypes=CAST_DTYPES, onnx={"To": _cast_onnx}),
    OpInfo("where", ops.where, [
        S(T(3, 4), T(3, 4, kind="bool"), T(3, 4)), S(T(2, 3), T(3, kind="bool"), 0.5),
    ], namespace="Tensor", onnx={"Where": onnx_op("Where")}),
    OpInfo("new_tensor", ops.new_tensor, [S(T(2), [[1.0, 2.0], [3.0, 4.0]]), S(T(2), [1, 2], dtype=Dtype("int64"))],
           namespace="Tensor", dtypes=FLOATS + BF16 + INTS, differentiable=False),
    OpInfo("new_zeros", ops.new_zeros, [S(T(2), 2, 3), S(T(2), (3,)), S(T(2), size=(1, 2)),
                                        S(T(2), 2, dtype=Dtype("int64"))],
           namespace="Tensor", dtypes=FLOATS + BF16 + INTS, differentiable=False),
    OpInfo("new_ones", ops.new_ones, [S(T(2), 2, 3), S(T(2), (0, 3))],
           namespace="Tensor", dtypes=FLOATS + BF16 + INTS, differentiable=False),
    OpInfo("new_empty", ops.new_empty, [S(T(2), 2, 3), S(T(2), (4,))],
           namespace="Tensor", dtypes=FLOATS + BF16 + INTS, differentiable=False, random=True),
    OpInfo("new_full", ops.new_full, [S(T(2), (2, 3), 1.5), S(T(2), (0,), 2.0)],
           namespace="Tensor", dtypes=FLOATS + BF16 + INTS, differentiable=False),
    OpInfo("zero_", inplace.zero_, [S(T(3, 4)), S(T()), S(T(0, 2))], namespace="Tensor",
           dtypes=FLOATS + BF16 + INTS, differentiable=False),
    OpInfo("fill_", inplace.fill_, [S(T(3, 4), 2.5), S(T(2, 2), T(low=-1, high=1))], namespace="Tensor",
           differentiable=False),
    OpInfo("copy_", inplace.copy_, [S(T(3, 4), T(3, 4)), S(T(3, 4), T(4)), S(T(2, 3), T(2, 3, kind="index"))],
           namespace="Tensor", dtypes=FLOATS + BF16 + INTS, differentiable=False),
    OpInfo("normal_", inplace.normal_, [S(T(3, 4)), S(T(2, 2), 1.0, 0.5)], namespace="Tensor",
           differentiable=False, random=True),
    OpInfo("uniform_", inplace.uniform_, [S(T(3, 4)), S(T(5), -1.0, 3.0)], namespace="Tensor",
           differentiable=False, random=True),
    OpInfo("bernoulli_", inplace.bernoulli_, [S(T(3, 4)), S(T(5), 0.25)], namespace="Tensor",
           differentiable=False, random=True),
    OpInfo("resize_", inplace.resize_, [
        S(T(3, 4), 2, 6), S(T(3, 4), (12,)), S(T(3, 4), 5), S(T(3, 4), [2, 2]),
        S(T(4, 3, layout="transposed"), 12), S(T(3, 4), 0), S(T(), 1), S(T(2, 6, layout="strided"), 3, 2)],
        namespace="Tensor", dtypes=FLOATS + BF16 + INTS, differentiable=False,
        note="growing (uninitialised memory) is in tests/ops/test_strided.py"),
    # tests/ops/test_random_fills.py checks the distributions, ranges and generator=
    OpInfo("exponential_", inplace.exponential_, [S(T(3, 4)), S(T(5), 2.5), S(T(0, 2), lambd=0.5)],
           namespace="Tensor", differentiable=False, random=True),
    OpInfo("geometric_", inplace.geometric_, [S(T(3, 4), 0.3), S(T(5), p=0.9), S(T(0, 2), 0.5)],
           namespace="Tensor", dtypes=FLOATS + BF16 + INTS, differentiable=False, random=True),
    OpInfo("cauchy_", inplace.cauchy_, [S(T(3, 4)), S(T(5), 1.0, 0.5), S(T(2), median=-1.0, sigma=2.0)],
           namespace="Tensor", differentiable=False, random=True),
    OpInfo("log_normal_", inplace.log_normal_, [S(T(3, 4)), S(T(5), 0.0, 0.5), S(T(2), mean=-1.0, std=0.25)],
           namespace="Tensor", differentiable=False, random=True),
    OpInfo("random_", inplace.random_, [S(T(3, 4)), S(T(5), 7), S(T(5), -3, 4), S(T(4), 2, None),
                                        S(T(4), to=9), S(T(0, 2))],
           namespace="Tensor", dtypes=FLOATS + BF16 + INTS, differentiable=False, random=True),
    OpInfo("random_", inplace.random_, [S(T(3, 4)), S(T(5), 2), S(T(5), 0, 2), S(T(4), 1, 2),
                                        S(T(4), 0, None)],
           namespace="Tensor", dtypes=("bool",), differentiable=False, random=True),
]
