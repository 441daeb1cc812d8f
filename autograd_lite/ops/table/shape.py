"""Table entries of the shape ops (ops/shape.py). Where PyTorch's function takes one
tuple and its Tensor method also varargs (`x.permute(1, 0)`), the reference is the
method (`torch.Tensor.permute`), so both forms are checked. PyTorch's method-only ops
that autograd_lite did not export before (view, reshape_as, sum_to_size) stay methods
(namespace "Tensor"); expand, expand_as, view_as, repeat and contiguous keep their
`ag.` functions."""
from .. import inplace
from .. import shape as ops
from ..opinfo import FLOATS, INTS, OpInfo, S, T

ALL = FLOATS + INTS + ("bool",)


def _strided(*shape):
    return T(*shape, layout="strided")


def _transposed(*shape):
    return T(*shape, layout="transposed")


def _other(*shape):
    """A tensor that gives only its shape (no gradient flows to it)."""
    return T(*shape, grad=False)


ENTRIES = [
    # ---- reshape family ----
    OpInfo("reshape", ops.reshape, [
        S(T(2, 3, 4), (6, 4)), S(T(2, 3, 4), 4, -1), S(T(2, 3, 4), -1), S(T(2, 3, 4), [2, -1, 2]),
        S(T(2, 3, 4), shape=(1, 24, 1)), S(T(), (1, 1)), S(T(1, 1), ()), S(T(), -1),
        S(T(0, 6), (3, 0, 2)), S(_transposed(4, 3), 12), S(_strided(2, 3), (3, 2)),
    ], torch="torch.Tensor.reshape", dtypes=ALL),
    OpInfo("view", ops.view, [
        S(T(2, 3, 4), 6, 4), S(T(2, 3, 4), (3, 8)), S(T(2, 3, 4), -1), S(T(2, 3, 4), [4, -1]),
        S(T(2, 3, 4), size=(2, 12)), S(T(), 1), S(T(1, 1), ()), S(T(0, 6), 3, 0, 2),
    ], namespace="Tensor", dtypes=ALL),
    OpInfo("view_as", ops.view_as, [S(T(2, 3, 4), _other(6, 4)), S(T(), _other(1, 1)),
                                    S(T(0, 3), _other(3, 0))],
           torch="torch.Tensor.view_as"),
    OpInfo("reshape_as", ops.reshape_as, [S(T(2, 3, 4), _other(4, 6)), S(T(1), _other()),
                                          S(_transposed(4, 3), _other(12))],
           namespace="Tensor"),
    OpInfo("flatten", ops.flatten, [
        S(T(2, 3, 4)), S(T(2, 3, 4), 1), S(T(2, 3, 4), 0, 1), S(T(2, 3, 4), -2, -1),
        S(T(2, 3, 4), start_dim=1, end_dim=1), S(T()), S(T(5)), S(T(2, 0, 3), 1),
        S(_transposed(2, 4, 3)),
    ], dtypes=ALL),
    OpInfo("unflatten", ops.unflatten, [
        S(T(6, 4), 0, (2, 3)), S(T(6, 4), -1, (-1, 2)), S(T(6, 4), dim=1, sizes=(4, 1)),
        S(T(6, 4), 0, [1, -1, 1]), S(T(0, 4), 1, (2, 2)), S(_transposed(6, 4), 0, (3, 2)),
    ], dtypes=ALL),
    OpInfo("squeeze", ops.squeeze, [
        S(T(1, 3, 1, 1)), S(T(1, 3, 1, 1), 0), S(T(1, 3, 1, 1), -1), S(T(1, 3, 1, 1), 1),
        S(T(1, 3, 1, 1), (0, 2)), S(T(1, 3, 1, 1), dim=(1, -1)), S(T(1, 3, 1, 1), 0, 2),
        S(T(1, 3, 1, 1), ()), S(T()), S(T(), 0), S(T(1, 0, 1)), S(T(2, 0), 1), S(T(3, 3)),
        S(_transposed(3, 1)),
    ], torch="torch.Tensor.squeeze", dtypes=ALL,
        inplace="squeeze_", inplace_fn=inplace.view_inplace(ops.squeeze, "squeeze_")),
    OpInfo("unsqueeze", ops.unsqueeze, [
        S(T(2, 3), 0), S(T(2, 3), -1), S(T(2, 3), dim=1), S(T(2, 3), -3), S(T(), 0), S(T(), -1),
        S(T(0, 2), 1), S(_transposed(4, 3), 1),
    ], dtypes=ALL,
        inplace="unsqueeze_", inplace_fn=inplace.view_inplace(ops.unsqueeze, "unsqueeze_")),
    # ---- transposes ----
    OpInfo("transpose", ops.transpose, [
        S(T(2, 3, 4), 0, 1), S(T(2, 3, 4), -1, -3), S(T(2, 3, 4), 1, 1), S(T(3, 3), dim0=1, dim1=0),
        S(T(), 0, -1), S(T(0, 3), 0, 1), S(_transposed(4, 3), 0, 1), S(_strided(3, 3), 1, 0),
    ], aliases=("swapdims",), methods=("transpose", "swapdims"), dtypes=ALL,
        inplace="transpose_", inplace_aliases=("swapdims_",),
        inplace_fn=inplace.view_inplace(ops.transpose, "transpose_")),
    OpInfo("swapaxes", ops.swapaxes, [S(T(2, 3, 4), 0, 2), S(T(3, 3), axis0=-1, axis1=0)],
           inplace="swapaxes_", inplace_fn=inplace.view_inplace(ops.swapaxes, "swapaxes_")),
    OpInfo("permute", ops.permute, [
        S(T(2, 3, 4), (2, 0, 1)), S(T(2, 3, 4), 1, 2, 0), S(T(2, 3, 4), [-1, 0, -2]),
        S(T(2, 3, 4), dims=(0, 2, 1)), S(T(2, 3, 4), 0, 1, 2), S(T(), ()), S(T(0, 3), 1, 0),
        S(_transposed(4, 3), 1, 0),
    ], torch="torch.Tensor.permute", dtypes=ALL),
    OpInfo("t", ops.t, [S(T(2, 3)), S(T(3)), S(T()), S(T(0, 2)), S(_transposed(4, 3)), S(T(3, 3))],
           dtypes=ALL, inplace="t_", inplace_fn=inplace.view_inplace(ops.t, "t_")),
    OpInfo("movedim", ops.movedim, [
        S(T(2, 3, 4), 0, 2), S(T(2, 3, 4), -1, 0), S(T(2, 3, 4), (0, 1), (2, 0)),
        S(T(2, 3, 4), source=[0], destination=[-1]), S(T(), 0, 0), S(T(0, 3), 0, 1),
        S(_transposed(4, 3), 0, 1),
    ], aliases=("moveaxis",), methods=("movedim", "moveaxis"), dtypes=ALL),
    # ---- broadcasting ----
    OpInfo("expand", ops.expand, [
        S(T(3, 1), 3, 4), S(T(3, 1), (-1, 4)), S(T(1, 3), 2, 5, 3), S(T(1, 3), [2, -1, -1]),
        S(T(), (2, 3)), S(T(1), 0), S(T(3, 1), size=(2, 3, 4)), S(T(3, 1), 3, 1),
        S(_transposed(1, 3), 2, 3, 3),
    ], torch="torch.Tensor.expand", dtypes=ALL),
    OpInfo("expand_as", ops.expand_as, [S(T(3, 1), _other(2, 3, 4)), S(T(), _other(2, 2)),
                                        S(T(1, 2), _other(0, 2))],
           torch="torch.Tensor.expand_as"),
    OpInfo("broadcast_to", ops.broadcast_to, [
        S(T(3, 1), (3, 4)), S(T(3), 2, 3), S(T(3, 1), size=(2, -1, 4)), S(T(), ()), S(T(1, 2), (0, 2)),
    ], torch="torch.Tensor.broadcast_to", dtypes=ALL),
    OpInfo("broadcast_tensors", ops.broadcast_tensors, [
        S(T(3, 1), T(1, 4)), S(T(2, 3, 4), T(4), T()), S(T(3)), S(T(0, 3), T(3)),
        S(_transposed(4, 3), T(4, 1)),
    ], methods=(), dtypes=ALL),
    OpInfo("broadcast_shapes", ops.broadcast_shapes, [
        S((2, 1), (3,)), S((), (4, 1), (1, 5)), S(3, (2, 1)), S((0, 1), (1, 4)), S((2, 3)),
    ], methods=(), dtypes=("float64",), differentiable=False),
    OpInfo("sum_to_size", ops.sum_to_size, [
        S(T(2, 3), 1, 3), S(T(2, 3), (2, 1)), S(T(2, 3, 4), [3, 1]), S(T(2, 3), size=(1, 1)),
        S(T(2, 3), 2, 3), S(T(), ()), S(T(0, 3), 1, 3), S(_transposed(4, 3), 1, 3),
    ], namespace="Tensor"),
    # ---- copies: repeat, tile, flip, roll, contiguous ----
    OpInfo("repeat", ops.repeat, [
        S(T(2, 3), 2, 1), S(T(2, 3), (3, 2, 2)), S(T(3), [2, 2]), S(T(), 3), S(T(), (2, 1)),
        S(T(2, 3), repeats=(1, 2)), S(T(2, 3), (0, 1)), S(_transposed(4, 3), 1, 2),
    ], torch="torch.Tensor.repeat", dtypes=ALL),
    OpInfo("tile", ops.tile, [
        S(T(2, 3), (2,)), S(T(2, 3), 2, 1), S(T(2, 3), dims=(2, 2, 2)), S(T(), (3,)), S(T(2, 3), ()),
        S(_strided(2, 3), (2,)), S(T(0, 2), (2, 2)),
    ], torch="torch.Tensor.tile", dtypes=ALL),
    OpInfo("flip", ops.flip, [
        S(T(2, 3, 4), (0,)), S(T(2, 3, 4), 0, 2), S(T(2, 3, 4), [-1]), S(T(2, 3, 4), dims=(2, 0, 1)),
        S(T(2, 3), ()), S(T(0, 3), 0), S(T(), ()), S(_transposed(4, 3), 1),
    ], torch="torch.Tensor.flip", dtypes=ALL),
    OpInfo("fliplr", ops.fliplr, [S(T(2, 3)), S(T(2, 3, 2)), S(_transposed(4, 3)), S(T(0, 2))],
           dtypes=ALL),
    OpInfo("flipud", ops.flipud, [S(T(2, 3)), S(T(3)), S(_strided(2, 3)), S(T(0, 2))], dtypes=ALL),
    OpInfo("roll", ops.roll, [
        S(T(2, 3, 4), 1), S(T(2, 3, 4), -2), S(T(2, 3, 4), 7), S(T(2, 3, 4), 1, 0),
        S(T(2, 3, 4), (1, 2), (0, 1)), S(T(2, 3, 4), shifts=(1, -1), dims=(1, 0)),
        S(T(2, 3, 4), [3], [2]), S(T(2, 3, 4), (1, 1), (0, 0)), S(T(), 1), S(T(0, 2), 1, 0),
        S(_transposed(4, 3), 1, 1),
    ], dtypes=ALL),
    OpInfo("contiguous", ops.contiguous, [S(T(2, 3)), S(_transposed(4, 3)), S(_strided(2, 3)),
                                          S(T()), S(T(0, 3))],
           torch="torch.Tensor.contiguous", dtypes=ALL),
    # ---- joining ----
    OpInfo("cat", ops.cat, [
        S([T(2, 3), T(1, 3)]), S([T(2, 3), T(2, 1), T(2, 2)], 1), S((T(2, 3), T(2, 3)), dim=-1),
        S([T(2, 3)]), S([T(2, 0), T(2, 3)], 1), S([T(0), T(2, 3)]), S([_transposed(4, 3), T(1, 3)]),
        S([T(2, 3), T(2, 3)], axis=1),
    ], aliases=("concat", "concatenate"), methods=(), dtypes=ALL),
    OpInfo("stack", ops.stack, [
        S([T(2, 3), T(2, 3), T(2, 3)]), S([T(2, 3), T(2, 3)], 1), S((T(2, 3), T(2, 3)), dim=-1),
        S([T(), T()]), S([T(0, 2), T(0, 2)], 1), S([_transposed(4, 3), T(4, 3)], 2),
    ], methods=(), dtypes=ALL),
    OpInfo("hstack", ops.hstack, [
        S([T(2, 3), T(2, 1)]), S([T(3), T(2)]), S([T(), T()]), S((T(2, 3, 2), T(2, 1, 2))),
        S([T(0), T(2)]), S([_transposed(4, 3), T(4, 2)]),
    ], methods=(), dtypes=ALL),
    OpInfo("vstack", ops.vstack, [
        S([T(2, 3), T(1, 3)]), S([T(3), T(3)]), S([T(), T()]), S((T(2, 3, 2), T(1, 3, 2))),
        S([T(3), T(2, 3)]), S([T(0, 3), _transposed(2, 3)]),
    ], methods=(), dtypes=ALL),
    # ---- splitting ----
    OpInfo("split", ops.split, [
        S(T(5, 4), 2), S(T(5, 4), 2, 1), S(T(5, 4), [1, 4]), S(T(5, 4), [2, 0, 3], 0),
        S(T(5, 4), (1, 1, 2), dim=1), S(T(5, 4), 10, -1), S(T(2, 0), 2, 1), S(T(0, 3), 1),
        S(_transposed(4, 3), 2, 1),
    ], method_fn=ops.split_method, dtypes=ALL,
        note="the method's size keyword is split_size, the function's split_size_or_sections "
             "(as PyTorch); tests/ops/test_shape.py checks both keywords"),
    OpInfo("chunk", ops.chunk, [
        S(T(5, 4), 2), S(T(5, 4), 3, 1), S(T(6), 4), S(T(5, 4), chunks=3, dim=-1), S(T(7, 2), 3),
        S(T(3, 0), 2, 1), S(_transposed(4, 3), 2, 1),
    ], dtypes=ALL),
    OpInfo("unbind", ops.unbind, [
        S(T(2, 3, 4)), S(T(2, 3, 4), 1), S(T(2, 3, 4), dim=-1), S(T(0, 2), 1), S(T(2, 0), 1),
        S(_transposed(4, 3), 0),
    ], dtypes=ALL),
    OpInfo("narrow", ops.narrow, [
        S(T(4, 4), 0, 1, 3), S(T(4, 4), 1, -2, 2), S(T(4, 4), dim=-1, start=0, length=4),
        S(T(4, 4), 0, 4, 0), S(T(4, 4), 1, T(kind="index", values=1), 2),
        S(_transposed(4, 3), 1, 1, 2),
    ], dtypes=ALL),
]
