"""ONNX nodes for the values a trace noted (trace.Comparison): comparisons, logical
ops, isnan/isinf, where, argmax/argmin, casts and shape ops of tensors that need no
grad. They record no graph node, so the exporter writes them from the note: the
operator and its operands, each already an ONNX value (name, dtype) or a number
(None, value)."""
import numpy as np


def note_nodes(b, note, twin, operands):
    """The output name of the nodes that make `note`'s array (`twin`: the same note in
    the second trace, for shapes that follow the dynamic axes)."""
    x = operands[0][0]
    if note.kind == "Cast":
        return b.cast(x, note.array.dtype)
    if note.kind == "Where":
        return _where_nodes(b, operands, note.array.dtype)
    if note.kind in ("ArgMax", "ArgMin"):
        return _arg_nodes(b, note, x)
    if note.kind == "Reshape":
        target = b.reshape_target_for(x, tuple(note.args[0].shape), tuple(twin.args[0].shape),
                                      note.array.shape, twin.array.shape)
        return b.op("Reshape", [x, target])
    if note.kind in _SHAPE_NOTES:
        return _SHAPE_NOTES[note.kind](b, x, note.args[0].ndim, [v for _, v in operands[1:]], note.kwargs,
                                       note.args[0].shape)
    return _comparison_nodes(b, note.kind, operands)


def _comparison_nodes(b, kind, operands):
    """A comparison's ONNX nodes over (name, dtype) operands and (None, number) ones,
    all brought to one dtype first (ONNX compares like types)."""
    common = np.result_type(*[dtype_or_number for _, dtype_or_number in operands])
    names = []
    for name, dtype_or_number in operands:
        if name is None:
            names.append(b.const(np.asarray(dtype_or_number, common)))
        else:
            names.append(name if dtype_or_number == common else b.cast(name, common))
    if kind == "NotEqual":
        return b.op("Not", [b.op("Equal", names)])
    if kind == "IsFinite":
        return b.op("Not", [b.op("Or", [b.op("IsNaN", names), b.op("IsInf", names)])])
    return b.op(kind, names)


def _where_nodes(b, operands, dtype):
    """where(condition, x, y) making a tensor of `dtype` with no graph node."""
    (cond, _), *values = operands
    names = [b.const(np.asarray(v, dtype)) if name is None else name if v == dtype else b.cast(name, dtype)
             for name, v in values]
    return b.op("Where", [cond] + names)


def _arg_nodes(b, note, x):
    """argmax/argmin (the first of equal values, as PyTorch's), int64."""
    args, kwargs = note.args, note.kwargs
    dim = args[1] if len(args) > 1 else kwargs.get("dim")
    keepdim = bool(args[2] if len(args) > 2 else kwargs.get("keepdim", False))
    if dim is None:  # over the flattened tensor, in the result's shape (0-d, or ones)
        flat = b.op(note.kind, [b.op("Reshape", [x, b.ints([-1])])], axis=0, keepdims=0)
        return b.op("Reshape", [flat, b.ints(note.array.shape)])
    return b.op(note.kind, [x], axis=int(dim), keepdims=int(keepdim))


def _dims_arg(args, kwargs):
    """The dims of squeeze/permute given as ints, one tuple, or dim=."""
    dims = kwargs.get("dim", args[0] if len(args) == 1 else tuple(args) if args else None)
    return dims


def _unsqueeze_note(b, x, nd, args, kwargs, shape):
    d = _dims_arg(args, kwargs)
    return b.unsqueeze(x, [d % (nd + 1)])


def _squeeze_note(b, x, nd, args, kwargs, shape):
    dims = _dims_arg(args, kwargs)
    dims = range(nd) if dims is None else [dims] if isinstance(dims, int) else dims
    axes = sorted({d % nd for d in dims if shape[d % nd] == 1}) if nd else []
    return b.squeeze(x, axes) if axes else x


def _transpose_note(b, x, nd, args, kwargs, shape):
    perm = list(range(nd))
    d0, d1 = (a % nd for a in args)
    perm[d0], perm[d1] = perm[d1], perm[d0]
    return b.op("Transpose", [x], perm=perm)


def _permute_note(b, x, nd, args, kwargs, shape):
    dims = _dims_arg(args, kwargs)
    return b.op("Transpose", [x], perm=[d % nd for d in dims])


_SHAPE_NOTES = {"Unsqueeze": _unsqueeze_note, "Squeeze": _squeeze_note, "Transpose": _transpose_note,
                "Permute": _permute_note}
