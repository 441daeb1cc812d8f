"""Table entries of the shape ops (ops/shape.py). Where PyTorch's function takes one
tuple and its Tensor method also varargs (`x.permute(1, 0)`), the reference is the
method (`torch.Tensor.permute`), so both forms are checked. PyTorch's method-only ops
that autograd_lite did not export before (view, reshape_as, sum_to_size) stay methods
(namespace "Tensor"); expand, expand_as, view_as, repeat and contiguous keep their
`ag.` functions."""
import numpy as np

from .. import inplace
from .. import shape as ops
from .. import strided
from ..opinfo import BF16, FLOATS, INTS, OpInfo, S, T, onnx_identity
from .index import onnx_index  # narrow is a slice

ALL = FLOATS + BF16 + INTS + ("bool",)


def _strided(*shape):
    return T(*shape, layout="strided")


def _transposed(*shape):
    return T(*shape, layout="transposed")


def _other(*shape):
    """A tensor that gives only its shape (no gradient flows to it)."""
    return T(*shape, grad=False)


# ---- ONNX converters (autograd_lite.onnx): converter(builder, node, inputs) -> output ----------------
# Shape-dependent attributes keep the dynamic axes dynamic: a dim that differs between
# the export's two traces becomes 0 (copy), -1, 1 (keep, for Expand), a bound counted
# from the end, or a Shape op (Builder.reshape_target).
INT64_MAX = np.iinfo(np.int64).max
INT64_MIN = np.iinfo(np.int64).min


def convert_reshape(b, node, inputs):
    x = inputs[0]
    in_a, out_a = b.in_shape(0), b.out_shape()
    if in_a == out_a and b.in_shape(0, twin=True) == b.out_shape(twin=True):
        return x
    return b.op("Reshape", [x, b.reshape_target(x)])


def convert_permute(b, node, inputs):
    return b.op("Transpose", [inputs[0]], perm=[int(d) for d in node.dims])


def convert_expand(b, node, inputs):
    in_a, out_a = b.in_shape(0), b.out_shape()
    in_b, out_b = b.in_shape(0, twin=True), b.out_shape(twin=True)
    lead = len(out_a) - len(in_a)
    pieces, dynamic = [], False
    for i, n in enumerate(out_a):
        nb = out_b[i] if out_b is not None else n
        j = i - lead
        if j >= 0 and in_a[j] == n and (in_b is None or in_b[j] == nb):
            pieces.append(1)  # Expand broadcasts both ways: 1 keeps the input's size
        elif n == nb:
            pieces.append(int(n))
        else:
            pieces.append(b.dim_from_inputs(n, nb, "Expand"))
            dynamic = True
    if not dynamic:
        return b.op("Expand", [inputs[0], b.ints(pieces)])
    parts = [p if isinstance(p, str) else b.ints([p]) for p in pieces]
    return b.op("Expand", [inputs[0], b.op("Concat", parts, axis=0)])


def convert_sum_to(b, node, inputs):
    in_a, out_a = b.in_shape(0), b.out_shape()
    lead = len(in_a) - len(out_a)
    axes = list(range(lead)) + [i + lead for i, s in enumerate(out_a) if s == 1 and in_a[i + lead] != 1]
    twin_in, twin_out = b.in_shape(0, twin=True), b.out_shape(twin=True)
    if twin_in is not None:
        axes_b = list(range(lead)) + [i + lead for i, s in enumerate(twin_out) if s == 1 and twin_in[i + lead] != 1]
        b.same_in_both("summed axes", axes, axes_b)
    if not axes:
        return inputs[0]
    y = b.reduce("ReduceSum", inputs[0], axes, keepdims=True)
    return b.squeeze(y, list(range(lead))) if lead else y


def convert_flip(b, node, inputs):
    k = len(node.dims)
    return b.op("Slice", [inputs[0], b.ints([-1] * k), b.ints([INT64_MIN] * k), b.ints(node.dims),
                          b.ints([-1] * k)])


def convert_roll(b, node, inputs):
    x = inputs[0]
    shifts, dims = node.shifts, node.dims
    shape = b.in_shape(0)
    if dims is None:
        flat = b.op("Reshape", [x, b.ints([-1])])
        rolled = _roll_axis(b, flat, int(shifts), int(np.prod(shape, dtype=np.int64)), 0)
        return b.op("Reshape", [rolled, b.op("Shape", [x])])
    for s, d in zip(shifts, dims):
        x = _roll_axis(b, x, int(s), shape[d], d)
    return x


def _roll_axis(b, x, shift, n, axis):
    if n == 0 or shift % n == 0:
        return x
    shift %= n
    tail = b.op("Slice", [x, b.ints([-shift]), b.ints([INT64_MAX]), b.ints([axis])])
    head = b.op("Slice", [x, b.ints([0]), b.ints([-shift]), b.ints([axis])])
    return b.op("Concat", [tail, head], axis=axis)


def convert_repeat(b, node, inputs):
    x = inputs[0]
    extra = len(node.sizes) - len(node.in_shape)
    if extra:
        x = b.unsqueeze(x, list(range(extra)))
    return b.op("Tile", [x, b.ints(node.sizes)])


def convert_cat(b, node, inputs):
    parts = [inputs[i] for i, size in enumerate(node.sizes) if size is not None]
    if len(parts) == 1:
        return parts[0]
    return b.op("Concat", parts, axis=int(node.dim))


def convert_split(b, node, inputs):
    sizes = list(inputs.arg(1))
    b.same_in_both("split sizes", sizes, list(b.twin.args[1]) if b.twin is not None else sizes)
    return b.split(inputs[0], sizes, int(node.dim))


def convert_unbind(b, node, inputs):
    n = b.in_shape(0)[node.dim]
    b.same_in_both("numbers of pieces", n, b.in_shape(0, twin=True)[node.dim] if b.twin else n)
    return tuple(b.squeeze(p, [node.dim]) for p in b.split(inputs[0], [1] * n, int(node.dim)))


ENTRIES = [
    # ---- reshape family ----
    OpInfo("reshape", ops.reshape, [
        S(T(2, 3, 4), (6, 4)), S(T(2, 3, 4), 4, -1), S(T(2, 3, 4), -1), S(T(2, 3, 4), [2, -1, 2]),
        S(T(2, 3, 4), shape=(1, 24, 1)), S(T(), (1, 1)), S(T(1, 1), ()), S(T(), -1),
        S(T(0, 6), (3, 0, 2)), S(_transposed(4, 3), 12), S(_strided(2, 3), (3, 2)),
    ], torch="torch.Tensor.reshape", dtypes=ALL, onnx={"Reshape": convert_reshape},
    doc="`input` with another shape of as many elements (`-1` infers one size): `x.reshape(2, "
        "3)`, `reshape(x, (2, 3))` or `shape=`. A view sharing `input`'s memory when the layout "
        "allows, else a copy. A shape that doesn't fit raises ShapeError (a ValueError and a "
        "RuntimeError)."),
    OpInfo("view", strided.view, [
        S(T(2, 3, 4), 6, 4), S(T(2, 3, 4), (3, 8)), S(T(2, 3, 4), -1), S(T(2, 3, 4), [4, -1]),
        S(T(2, 3, 4), size=(2, 12)), S(T(), 1), S(T(1, 1), ()), S(T(0, 6), 3, 0, 2),
    ], namespace="Tensor", dtypes=ALL, onnx={"Reshape": convert_reshape},
    doc="`reshape` as a method: sizes as varargs, a tuple or `size=`. Unlike PyTorch, a tensor "
        "whose layout can't be viewed that way is copied rather than refused. `view(dtype)` "
        "reads the same bytes as another dtype, sharing memory and outside autograd (no "
        "gradient, as PyTorch); with another element size the last dim must have stride 1 "
        "and, to a larger one, a size and offset divisible by the ratio (RuntimeError "
        "otherwise)."),
    OpInfo("view_as", ops.view_as, [S(T(2, 3, 4), _other(6, 4)), S(T(), _other(1, 1)),
                                    S(T(0, 3), _other(3, 0))],
           torch="torch.Tensor.view_as", onnx={"Reshape": convert_reshape},
           doc="`input.view(other.shape)`."),
    OpInfo("reshape_as", ops.reshape_as, [S(T(2, 3, 4), _other(4, 6)), S(T(1), _other()),
                                          S(_transposed(4, 3), _other(12))],
           namespace="Tensor", onnx={"Reshape": convert_reshape},
           doc="`input.reshape(other.shape)`."),
    OpInfo("flatten", ops.flatten, [
        S(T(2, 3, 4)), S(T(2, 3, 4), 1), S(T(2, 3, 4), 0, 1), S(T(2, 3, 4), -2, -1),
        S(T(2, 3, 4), start_dim=1, end_dim=1), S(T()), S(T(5)), S(T(2, 0, 3), 1),
        S(_transposed(2, 4, 3)),
    ], dtypes=ALL, onnx={"Reshape": convert_reshape},
    doc="Dims `start_dim` to `end_dim` (by default all) merged into one, as `reshape` (a view "
        "when the layout allows); a 0-d tensor becomes 1-d."),
    OpInfo("unflatten", ops.unflatten, [
        S(T(6, 4), 0, (2, 3)), S(T(6, 4), -1, (-1, 2)), S(T(6, 4), dim=1, sizes=(4, 1)),
        S(T(6, 4), 0, [1, -1, 1]), S(T(0, 4), 1, (2, 2)), S(_transposed(6, 4), 0, (3, 2)),
    ], dtypes=ALL, onnx={"Reshape": convert_reshape},
    doc="Dim `dim` split into dims of `sizes`, whose product must be its size (one of them may be "
        "-1)."),
    OpInfo("squeeze", ops.squeeze, [
        S(T(1, 3, 1, 1)), S(T(1, 3, 1, 1), 0), S(T(1, 3, 1, 1), -1), S(T(1, 3, 1, 1), 1),
        S(T(1, 3, 1, 1), (0, 2)), S(T(1, 3, 1, 1), dim=(1, -1)), S(T(1, 3, 1, 1), 0, 2),
        S(T(1, 3, 1, 1), ()), S(T()), S(T(), 0), S(T(1, 0, 1)), S(T(2, 0), 1), S(T(3, 3)),
        S(_transposed(3, 1)),
    ], torch="torch.Tensor.squeeze", dtypes=ALL,
        inplace="squeeze_", inplace_fn=inplace.view_inplace(ops.squeeze, "squeeze_"), onnx={"Reshape": convert_reshape}),
    OpInfo("unsqueeze", ops.unsqueeze, [
        S(T(2, 3), 0), S(T(2, 3), -1), S(T(2, 3), dim=1), S(T(2, 3), -3), S(T(), 0), S(T(), -1),
        S(T(0, 2), 1), S(_transposed(4, 3), 1),
    ], dtypes=ALL,
        inplace="unsqueeze_", inplace_fn=inplace.view_inplace(ops.unsqueeze, "unsqueeze_"), onnx={"Reshape": convert_reshape},
        doc="A view with a new dim of size 1 at position `dim` (negative counts from the end of "
            "the result)."),
    # ---- transposes ----
    OpInfo("transpose", ops.transpose, [
        S(T(2, 3, 4), 0, 1), S(T(2, 3, 4), -1, -3), S(T(2, 3, 4), 1, 1), S(T(3, 3), dim0=1, dim1=0),
        S(T(), 0, -1), S(T(0, 3), 0, 1), S(_transposed(4, 3), 0, 1), S(_strided(3, 3), 1, 0),
    ], aliases=("swapdims",), methods=("transpose", "swapdims"), dtypes=ALL,
        inplace="transpose_", inplace_aliases=("swapdims_",),
        inplace_fn=inplace.view_inplace(ops.transpose, "transpose_"), onnx={"Reshape": convert_reshape, "Permute": convert_permute},
        doc="A view with dims `dim0` and `dim1` swapped (alias `swapdims`); a 0-d tensor comes "
            "back as it is."),
    OpInfo("swapaxes", ops.swapaxes, [S(T(2, 3, 4), 0, 2), S(T(3, 3), axis0=-1, axis1=0)],
           inplace="swapaxes_", inplace_fn=inplace.view_inplace(ops.swapaxes, "swapaxes_"), onnx={"Reshape": convert_reshape, "Permute": convert_permute}),
    OpInfo("permute", ops.permute, [
        S(T(2, 3, 4), (2, 0, 1)), S(T(2, 3, 4), 1, 2, 0), S(T(2, 3, 4), [-1, 0, -2]),
        S(T(2, 3, 4), dims=(0, 2, 1)), S(T(2, 3, 4), 0, 1, 2), S(T(), ()), S(T(0, 3), 1, 0),
        S(_transposed(4, 3), 1, 0),
    ], torch="torch.Tensor.permute", dtypes=ALL, onnx={"Reshape": convert_reshape, "Permute": convert_permute},
    doc="A view with the dims in the order `dims`: `x.permute(2, 0, 1)`, `permute(x, (2, 0, 1))` "
        "or `dims=`. Each dim must appear once (ShapeError otherwise)."),
    OpInfo("t", ops.t, [S(T(2, 3)), S(T(3)), S(T()), S(T(0, 2)), S(_transposed(4, 3)), S(T(3, 3))],
           dtypes=ALL, inplace="t_", inplace_fn=inplace.view_inplace(ops.t, "t_"), onnx={"Reshape": convert_reshape, "Permute": convert_permute},
           doc="The transpose of a matrix (a view); 0-d and 1-d tensors come back as they are, "
               "and more than 2 dims raise ShapeError."),
    OpInfo("movedim", ops.movedim, [
        S(T(2, 3, 4), 0, 2), S(T(2, 3, 4), -1, 0), S(T(2, 3, 4), (0, 1), (2, 0)),
        S(T(2, 3, 4), source=[0], destination=[-1]), S(T(), 0, 0), S(T(0, 3), 0, 1),
        S(_transposed(4, 3), 0, 1),
    ], aliases=("moveaxis",), methods=("movedim", "moveaxis"), dtypes=ALL, onnx={"Reshape": convert_reshape, "Permute": convert_permute},
    doc="A view with dims `source` (an int or a tuple) moved to positions `destination`, the "
        "other dims keeping their order (alias `moveaxis`)."),
    # ---- broadcasting ----
    OpInfo("expand", ops.expand, [
        S(T(3, 1), 3, 4), S(T(3, 1), (-1, 4)), S(T(1, 3), 2, 5, 3), S(T(1, 3), [2, -1, -1]),
        S(T(), (2, 3)), S(T(1), 0), S(T(3, 1), size=(2, 3, 4)), S(T(3, 1), 3, 1),
        S(_transposed(1, 3), 2, 3, 3),
    ], torch="torch.Tensor.expand", dtypes=ALL, onnx={"Expand": convert_expand, "Reshape": convert_reshape},
    doc="A view with size-1 dims repeated to `sizes` without copying: `x.expand(3, 4)`, -1 "
        "keeping a size; new leading dims may be added. Elements share memory, so the view is "
        "read-only (an in-place op raises: `clone()` first). Sizes that don't fit raise "
        "ShapeError."),
    OpInfo("expand_as", ops.expand_as, [S(T(3, 1), _other(2, 3, 4)), S(T(), _other(2, 2)),
                                        S(T(1, 2), _other(0, 2))],
           torch="torch.Tensor.expand_as", onnx={"Expand": convert_expand, "Reshape": convert_reshape},
           doc="`input.expand(other.shape)`."),
    OpInfo("broadcast_to", ops.broadcast_to, [
        S(T(3, 1), (3, 4)), S(T(3), 2, 3), S(T(3, 1), size=(2, -1, 4)), S(T(), ()), S(T(1, 2), (0, 2)),
    ], torch="torch.Tensor.broadcast_to", dtypes=ALL, onnx={"Expand": convert_expand, "Reshape": convert_reshape},
    doc="`input` expanded to `size`: a read-only view, as `expand`."),
    OpInfo("broadcast_tensors", ops.broadcast_tensors, [
        S(T(3, 1), T(1, 4)), S(T(2, 3, 4), T(4), T()), S(T(3)), S(T(0, 3), T(3)),
        S(_transposed(4, 3), T(4, 1)),
    ], methods=(), dtypes=ALL, onnx={"Expand": convert_expand, "Reshape": convert_reshape},
    doc="The tensors expanded to their common broadcast shape (read-only views), as a tuple; "
        "shapes that don't broadcast raise ShapeError."),
    OpInfo("broadcast_shapes", ops.broadcast_shapes, [
        S((2, 1), (3,)), S((), (4, 1), (1, 5)), S(3, (2, 1)), S((0, 1), (1, 4)), S((2, 3)),
    ], methods=(), dtypes=("float64",), differentiable=False,
    doc="The shape that `shapes` broadcast to, as a `Size` (an int stands for a 1-D shape); "
        "shapes that don't broadcast raise ShapeError."),
    OpInfo("sum_to_size", ops.sum_to_size, [
        S(T(2, 3), 1, 3), S(T(2, 3), (2, 1)), S(T(2, 3, 4), [3, 1]), S(T(2, 3), size=(1, 1)),
        S(T(2, 3), 2, 3), S(T(), ()), S(T(0, 3), 1, 3), S(_transposed(4, 3), 1, 3),
    ], namespace="Tensor", onnx={"SumTo": convert_sum_to}),
    # ---- copies: repeat, tile, flip, roll, contiguous ----
    OpInfo("repeat", ops.repeat, [
        S(T(2, 3), 2, 1), S(T(2, 3), (3, 2, 2)), S(T(3), [2, 2]), S(T(), 3), S(T(), (2, 1)),
        S(T(2, 3), repeats=(1, 2)), S(T(2, 3), (0, 1)), S(_transposed(4, 3), 1, 2),
    ], torch="torch.Tensor.repeat", dtypes=ALL, onnx={"Repeat": convert_repeat},
    doc="A copy of `input` repeated `sizes[i]` times along dim i (sizes as varargs or a tuple); "
        "more sizes than dims add leading dims, fewer raise ShapeError."),
    OpInfo("tile", ops.tile, [
        S(T(2, 3), (2,)), S(T(2, 3), 2, 1), S(T(2, 3), dims=(2, 2, 2)), S(T(), (3,)), S(T(2, 3), ()),
        S(_strided(2, 3), (2,)), S(T(0, 2), (2, 2)),
    ], torch="torch.Tensor.tile", dtypes=ALL, onnx={"Repeat": convert_repeat},
    doc="`repeat` that also takes fewer `dims` than `input` has: the missing leading ones are 1."),
    OpInfo("flip", ops.flip, [
        S(T(2, 3, 4), (0,)), S(T(2, 3, 4), 0, 2), S(T(2, 3, 4), [-1]), S(T(2, 3, 4), dims=(2, 0, 1)),
        S(T(2, 3), ()), S(T(0, 3), 0), S(T(), ()), S(_transposed(4, 3), 1),
    ], torch="torch.Tensor.flip", dtypes=ALL, onnx={"Flip": convert_flip},
    doc="A copy with the order of the elements reversed along `dims` (varargs or a tuple)."),
    OpInfo("fliplr", ops.fliplr, [S(T(2, 3)), S(T(2, 3, 2)), S(_transposed(4, 3)), S(T(0, 2))],
           dtypes=ALL, onnx={"Flip": convert_flip},
           doc="`input` flipped along dim 1 (left-right), a copy; needs at least 2 dims."),
    OpInfo("flipud", ops.flipud, [S(T(2, 3)), S(T(3)), S(_strided(2, 3)), S(T(0, 2))], dtypes=ALL, onnx={"Flip": convert_flip},
           doc="`input` flipped along dim 0 (up-down), a copy; needs at least 1 dim."),
    OpInfo("roll", ops.roll, [
        S(T(2, 3, 4), 1), S(T(2, 3, 4), -2), S(T(2, 3, 4), 7), S(T(2, 3, 4), 1, 0),
        S(T(2, 3, 4), (1, 2), (0, 1)), S(T(2, 3, 4), shifts=(1, -1), dims=(1, 0)),
        S(T(2, 3, 4), [3], [2]), S(T(2, 3, 4), (1, 1), (0, 0)), S(T(), 1), S(T(0, 2), 1, 0),
        S(_transposed(4, 3), 1, 1),
    ], dtypes=ALL, onnx={"Roll": convert_roll},
    doc="The elements shifted by `shifts` along `dims`, wrapping around (several of each as "
        "tuples of one length); without `dims` the tensor is rolled flattened and keeps its "
        "shape."),
    OpInfo("contiguous", ops.contiguous, [S(T(2, 3)), S(_transposed(4, 3)), S(_strided(2, 3)),
                                          S(T()), S(T(0, 3))],
           torch="torch.Tensor.contiguous", dtypes=ALL, onnx={"Contiguous": onnx_identity}),
    # ---- joining ----
    OpInfo("cat", ops.cat, [
        S([T(2, 3), T(1, 3)]), S([T(2, 3), T(2, 1), T(2, 2)], 1), S((T(2, 3), T(2, 3)), dim=-1),
        S([T(2, 3)]), S([T(2, 0), T(2, 3)], 1), S([T(0), T(2, 3)]), S([_transposed(4, 3), T(1, 3)]),
        S([T(2, 3), T(2, 3)], axis=1),
    ], aliases=("concat", "concatenate"), methods=(), dtypes=ALL, onnx={"Cat": convert_cat}),
    OpInfo("stack", ops.stack, [
        S([T(2, 3), T(2, 3), T(2, 3)]), S([T(2, 3), T(2, 3)], 1), S((T(2, 3), T(2, 3)), dim=-1),
        S([T(), T()]), S([T(0, 2), T(0, 2)], 1), S([_transposed(4, 3), T(4, 3)], 2),
    ], methods=(), dtypes=ALL, onnx={"Cat": convert_cat, "Reshape": convert_reshape},
    doc="The tensors, all of one shape, joined along a new dim `dim`; mixed dtypes are promoted. "
        "An empty list or different shapes raise ShapeError."),
    OpInfo("hstack", ops.hstack, [
        S([T(2, 3), T(2, 1)]), S([T(3), T(2)]), S([T(), T()]), S((T(2, 3, 2), T(2, 1, 2))),
        S([T(0), T(2)]), S([_transposed(4, 3), T(4, 2)]),
    ], methods=(), dtypes=ALL, onnx={"Cat": convert_cat, "Reshape": convert_reshape},
    doc="The tensors joined along dim 1, or along dim 0 when they are 1-D (0-d tensors count as "
        "1-D)."),
    OpInfo("vstack", ops.vstack, [
        S([T(2, 3), T(1, 3)]), S([T(3), T(3)]), S([T(), T()]), S((T(2, 3, 2), T(1, 3, 2))),
        S([T(3), T(2, 3)]), S([T(0, 3), _transposed(2, 3)]),
    ], methods=(), dtypes=ALL, onnx={"Cat": convert_cat, "Reshape": convert_reshape},
    doc="The tensors joined along dim 0, 1-D (and 0-d) ones taken as rows of shape (1, n)."),
    # ---- splitting ----
    OpInfo("split", ops.split, [
        S(T(5, 4), 2), S(T(5, 4), 2, 1), S(T(5, 4), [1, 4]), S(T(5, 4), [2, 0, 3], 0),
        S(T(5, 4), (1, 1, 2), dim=1), S(T(5, 4), 10, -1), S(T(2, 0), 2, 1), S(T(0, 3), 1),
        S(_transposed(4, 3), 2, 1),
    ], method_fn=ops.split_method, dtypes=ALL,
        note="the method's size keyword is split_size, the function's split_size_or_sections "
             "(as PyTorch); tests/ops/test_shape.py checks both keywords", onnx={"Split": convert_split},
             doc="`tensor` cut along `dim` into views. With an int `split_size_or_sections`, "
                 "pieces of that many elements (the last may be shorter); with a list, pieces of "
                 "those sizes, which must be non-negative and add up to the dim's size "
                 "(ShapeError otherwise)."),
    OpInfo("chunk", ops.chunk, [
        S(T(5, 4), 2), S(T(5, 4), 3, 1), S(T(6), 4), S(T(5, 4), chunks=3, dim=-1), S(T(7, 2), 3),
        S(T(3, 0), 2, 1), S(_transposed(4, 3), 2, 1),
    ], dtypes=ALL, onnx={"Split": convert_split},
    doc="`input` cut along `dim` into views of ceil(n / `chunks`) elements each (the last may be "
        "shorter, so there may be fewer than `chunks`)."),
    OpInfo("unbind", ops.unbind, [
        S(T(2, 3, 4)), S(T(2, 3, 4), 1), S(T(2, 3, 4), dim=-1), S(T(0, 2), 1), S(T(2, 0), 1),
        S(_transposed(4, 3), 0),
    ], dtypes=ALL, onnx={"Unbind": convert_unbind},
    doc="The slices of `input` along `dim`, a tuple of views without that dim."),
    OpInfo("narrow", ops.narrow, [
        S(T(4, 4), 0, 1, 3), S(T(4, 4), 1, -2, 2), S(T(4, 4), dim=-1, start=0, length=4),
        S(T(4, 4), 0, 4, 0), S(T(4, 4), 1, T(kind="index", values=1), 2),
        S(_transposed(4, 3), 1, 1, 2),
    ], dtypes=ALL, onnx={"Index": onnx_index},
    doc="A view of `length` elements of dim `dim` from `start` (an int or a 0-d tensor; negative "
        "counts from the end). Out-of-range bounds raise IndexError."),
]
