"""Table entries of the matrix products (ops/linalg.py)."""
from .. import linalg as ops
from ..opinfo import BF16, FLOATS, INTS, OpInfo, S, T, onnx_op

INT = dict(kind="index", low=-3, high=4)


def products(*shapes):
    return [S(T(*a), T(*b)) for a, b in shapes]


MATMUL = products(
    ((3,), (3,)), ((3,), (3, 2)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((2, 3, 4), (2, 4, 2)),
    ((2, 3, 4), (4, 2)), ((3, 4), (2, 4, 2)), ((2, 3, 4), (4,)), ((4,), (2, 4, 3)),
    ((2, 1, 2, 3), (3, 3, 2)), ((2, 1, 2, 3), (1, 2, 3, 2)), ((2, 2, 1, 3), (3,)),
    ((2, 0), (0, 3)), ((0, 3), (3, 2)), ((0, 2, 3), (3,)),
) + [
    S(T(4, 3, layout="transposed"), T(3, 2)), S(T(2, 3), T(3, 4, layout="transposed")),
    S(T(2, 3, 2, layout="transposed"), T(2, 4, layout="strided")),
    S(T(2, 3, **INT), T(3, 2, **INT)),
]

EINSUM = [
    S("ij,jk->ik", T(2, 3), T(3, 4)), S("bij,bjk->bik", T(2, 2, 3), T(2, 3, 2)),
    S("i,j->ij", T(3), T(4)), S("i,i->", T(4), T(4)), S("ij,j->i", T(2, 3), T(3)),
    S("ij,ij->ij", T(2, 3), T(2, 3)), S("ij->ji", T(2, 3)), S("ij->", T(2, 3)),
    S("ij->i", T(2, 3)), S("ii->", T(3, 3)), S("ii->i", T(3, 3)), S("ii", T(3, 3)),
    S("bi,ij,bj->b", T(2, 3), T(3, 4), T(2, 4)),
    S("...ij,...jk->...ik", T(2, 2, 3), T(2, 3, 2)),
    S("...ij,...jk->...ik", T(2, 1, 2, 3), T(3, 3, 2)), S("...ij->...ji", T(2, 3, 2)),
    S("...ij,jk->...ik", T(2, 2, 3), T(3, 2)), S("...,...->...", T(2, 3), T(3)),
    S("i...->...", T(2, 3, 2)), S("...ij,...jk", T(2, 2, 3), T(2, 3, 2)),
    S("ij,jk", T(2, 3), T(3, 4)), S("ba", T(2, 3)), S("i j , j k -> i k", T(2, 3), T(3, 2)),
    S("Ab,bC->AC", T(2, 3), T(3, 2)), S("ii,i->i", T(3, 3), T(3)),
    S("ij,k->ik", T(2, 3), T(4)), S("iij->j", T(2, 2, 3)), S("bii->bi", T(2, 3, 3)),
    S("ij,jk->ik", [T(2, 3), T(3, 4)]), S("ij,jk->ik", T(4, 3, layout="transposed"), T(3, 2)),
    S("ij,jk->ik", T(0, 3), T(3, 2)), S("ij,jk->ik", T(2, 3, **INT), T(3, 2, **INT)),
]


# ---- ONNX converters (autograd_lite.onnx): converter(builder, node, inputs) -> output ----------------
def convert_einsum(b, node, inputs):
    """Einsum with the op's explicit subscripts ('...' already expanded)."""
    equation = ",".join(b.record.kwargs["subs"]) + "->" + b.record.kwargs["out_sub"]
    return b.op("Einsum", [inputs[i] for i in range(len(inputs))], equation=equation)


ENTRIES = [
    OpInfo("matmul", ops.matmul, MATMUL, onnx={"Matmul": onnx_op("MatMul"), "Dot": onnx_op("MatMul")},
           doc="The matrix product, with PyTorch's rules. Two 1-D tensors give their dot product, "
               "a 1-D operand acts as a row (first) or column (second) vector, and leading batch "
               "dims broadcast. Mixed dtypes are promoted (PyTorch raises). Inner sizes that "
               "differ raise ShapeError."),
    OpInfo("mm", ops.mm, products(((2, 3), (3, 4)), ((1, 3), (3, 1)), ((2, 0), (0, 3)),
                                  ((0, 3), (3, 2))) + [
        S(T(4, 3, layout="transposed"), T(3, 2)), S(T(2, 3), T(3, 2, layout="strided"))],
        dtypes=FLOATS + BF16 + INTS, onnx={"Matmul": onnx_op("MatMul")},
        doc="The product of two matrices, (n, m) @ (m, p) -> (n, p); other shapes raise "
            "ShapeError (no broadcasting)."),
    OpInfo("bmm", ops.bmm, products(((3, 2, 4), (3, 4, 2)), ((1, 2, 3), (1, 3, 1)),
                                    ((0, 2, 3), (0, 3, 4)), ((2, 2, 0), (2, 0, 3))) + [
        S(T(2, 4, 3, layout="transposed"), T(2, 3, 2))], dtypes=FLOATS + BF16 + INTS, onnx={"Matmul": onnx_op("MatMul")},
        doc="The batched matrix product (b, n, m) @ (b, m, p) -> (b, n, p); other shapes raise "
            "ShapeError (no broadcasting)."),
    OpInfo("dot", ops.dot, products(((5,), (5,)), ((1,), (1,)), ((0,), (0,))) + [
        S(T(6, layout="strided"), T(6))], dtypes=FLOATS + BF16 + INTS, onnx={"Dot": onnx_op("MatMul")},
        doc="The dot product of two 1-D tensors of one length, a 0-d tensor. `vdot` is the same "
            "function (no complex dtypes, so nothing to conjugate). Mixed dtypes are promoted "
            "(PyTorch raises)."),
    OpInfo("vdot", ops.vdot, products(((5,), (5,)), ((0,), (0,))) + [
        S(T(6, layout="strided"), T(6))], dtypes=FLOATS + BF16 + INTS, onnx={"Dot": onnx_op("MatMul")}),
    OpInfo("inner", ops.inner, products(
        ((5,), (5,)), ((2, 3), (3,)), ((3,), (4, 3)), ((2, 3), (4, 3)), ((2, 2, 3), (2, 3)),
        ((0, 3), (2, 3)), ((), (2, 3)), ((2, 3), ())) + [
        S(T(4, 3, layout="transposed"), T(2, 3))], dtypes=FLOATS + BF16 + INTS),
    OpInfo("outer", ops.outer, products(((3,), (4,)), ((1,), (2,)), ((0,), (3,))) + [
        S(T(6, layout="strided"), T(2))],
        aliases=("ger",), methods=("outer", "ger"), dtypes=FLOATS + BF16 + INTS,
        doc="The outer product of two 1-D tensors, (n,) and (m,) -> (n, m) (alias `ger`)."),
    OpInfo("einsum", ops.einsum, EINSUM, methods=(), onnx={"Einsum": convert_einsum},
           doc="Einstein summation: `einsum('bij,bjk->bik', a, b)`. The operands come as "
               "arguments or one list, or in PyTorch's sublist form (`einsum(a, [0, 1], b, [1, "
               "2])`). `...` stands for broadcast dims; without `->` the output has the letters "
               "used once, in alphabetical order. Differentiable in every operand, to any order; "
               "mixed dtypes are promoted."),
]
