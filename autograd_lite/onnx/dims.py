"""Shape-dependent attributes written so the dynamic axes stay dynamic.

Each value's size is known in both traces; a dim whose size differs follows a
dynamic axis. Reshape targets use 0 (copy the input's dim) and -1 (infer) there, or
a Shape op of a graph input that has the same sizes; slice bounds count from the
end of the axis."""
from .builder import INT64_MAX, ExportError


def dim_from_inputs(b, n, n_twin, what):
    """A 1-element int64 value holding the size that is `n` in this trace and
    `n_twin` in the other, read from the Shape of a graph input that has it."""
    for name, shape, twin_shape in b.input_shapes:
        for d, (s, t) in enumerate(zip(shape, twin_shape)):
            if s == n and t == n_twin:
                return b.shape_of(name, d, d + 1)
    raise ExportError(f"{b.record.label}: its {what} target has a size ({n} in one trace, {n_twin} in another) "
                      f"that follows the dynamic axes but is no input's dim; ONNX export can't express it")


def reshape_target(b, x):
    """The Reshape shape input for the current op (input 0 to output 0)."""
    in_a, out_a = b.in_shape(0), b.out_shape()
    in_b, out_b = b.in_shape(0, twin=True), b.out_shape(twin=True)
    if out_b is None:
        return b.ints(out_a)
    target, inferred = [], []
    for i, (n, nb) in enumerate(zip(out_a, out_b)):
        if n == nb:
            target.append(int(n))
        elif i < len(in_a) and in_a[i] == n and in_b[i] == nb:
            target.append(0)  # copy the input's size at the same index
        else:
            target.append(-1)
            inferred.append(i)
    if len(inferred) <= 1:
        return b.ints(target)
    pieces = []
    for i, t in enumerate(target):
        if t != -1:
            pieces.append(b.ints([t]))
            continue
        same = [d for d in range(len(in_a)) if in_a[d] == out_a[i] and in_b[d] == out_b[i]]
        pieces.append(b.shape_of(x, same[0], same[0] + 1) if same else
                      dim_from_inputs(b, out_a[i], out_b[i], "reshape"))
    return b.op("Concat", pieces, axis=0)


def slice_bound(b, v, v_twin, n, n_twin, is_stop):
    """A start, stop or index in [0, n] (this trace) and [0, n_twin] (the other) as a
    constant that is right in both (as it is, or counted from the end of the axis), or
    as the Shape of the graph input whose dim it equals (a 1-element value name)."""
    if v == v_twin and (n == n_twin or not (is_stop and v == n)):
        return INT64_MAX if is_stop and v == n else int(v)
    if v - n == v_twin - n_twin:
        return INT64_MAX if is_stop and v == n else int(v - n)
    if any(s == v and t == v_twin for _, shape, twin in b.input_shapes for s, t in zip(shape, twin)):
        return dim_from_inputs(b, v, v_twin, "slice")  # x[:, :tokens.shape[1]]
    raise ExportError(f"{b.record.label}: a slice bound or index ({v} of {n} in one trace, {v_twin} of {n_twin} "
                      f"in another) depends on the size of a dynamic axis in a way ONNX export can't express")
