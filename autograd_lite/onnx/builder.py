"""The small API converters write ONNX with (`b.op`, `b.const`, shapes of the current
node's inputs and outputs in both traces), so that the converter functions in the op
table never import `onnx` themselves.

A converter is `convert(b, node, inputs) -> output name(s)`: `node` is the autograd
node (its attributes are what its forward stored), `inputs[i]` the ONNX value of its
i-th forward argument (a tensor, or a constant array made an initializer on first
use; None for anything else), and it returns one value name per node output. It uses
only this object (and NumPy), raising `b.error(...)`, so converters can live in the
op table without importing onnx.
"""
import numpy as np
import onnx
from onnx import helper, numpy_helper

INT64_MAX = np.iinfo(np.int64).max


class ExportError(RuntimeError):
    """The model can't be exported as it is; the message names the op and why."""


class UnsupportedOperatorError(ExportError):
    """An op with no ONNX mapping (its name is in the message and in `.op`)."""

    def __init__(self, op, message):
        super().__init__(message)
        self.op = op


def tensor_type(dtype):
    return helper.np_dtype_to_tensor_dtype(np.dtype(dtype))


class Inputs:
    """The ONNX values of a node's forward arguments, materialised on first use."""

    def __init__(self, builder, record, twin):
        self._b, self._record, self._twin = builder, record, twin
        self._names = {}

    def __len__(self):
        return len(self._record.args)

    def __getitem__(self, i):
        if i < 0:
            i += len(self)
        if i not in self._names:
            self._names[i] = self._b.resolver(self._record, self._twin, i)
        return self._names[i]

    def is_const(self, i):
        """The argument is an array constant (not a tensor of the graph)."""
        return self._record.edge(i) is None and isinstance(self._record.args[i], np.ndarray)

    def const(self, i):
        """The constant array at argument i (None for a graph tensor or a non-array)."""
        return self._record.args[i] if self.is_const(i) else None

    def arg(self, i):
        """The forward's raw argument i (an array, a parameter, or None)."""
        return self._record.args[i] if i < len(self._record.args) else None

    def optional(self, i):
        """Input i, or None when the op got None there (an optional bias)."""
        return None if self.arg(i) is None else self[i]


class Builder:
    """Collects ONNX nodes and initializers; `scope` names the nodes as PyTorch's
    exporter does (`/encoder/fc1/Gemm`)."""

    def __init__(self, opset, names_in_use):
        self.opset = opset
        self.nodes = []
        self.initializers = {}
        self._shared = {}  # small constants by value -> name
        self.used = set(names_in_use)
        self.scope = ""
        self.record = None  # the op being converted (exporter.OpRecord), and its twin
        self.twin = None
        self.resolver = None  # set by the exporter: (record, twin, i) -> value name
        self.state_lookup = None  # set by the exporter: state_dict key -> (name thunk, array)
        self.input_shapes = []  # [(graph input name, shape, shape in the second trace)]

    # ---- names -------------------------------------------------------------------------
    def unique(self, base):
        name, k = base, 0
        while name in self.used:
            k += 1
            name = f"{base}_{k}"
        self.used.add(name)
        return name

    # ---- nodes and constants -------------------------------------------------------------
    def op(self, op_type, inputs, outputs=1, domain=None, **attrs):
        """Add a node; returns its output name (a tuple of names for outputs > 1).
        None among `inputs` is an omitted optional input."""
        node_name = self.unique(f"{self.scope}/{op_type}")
        outs = [self.unique(f"{node_name}_output_{k}") for k in range(outputs)]
        attrs = {k: v for k, v in attrs.items() if v is not None}
        inputs = list(inputs)
        while inputs and inputs[-1] is None:  # omitted trailing optional inputs
            inputs.pop()
        node = helper.make_node(op_type, ["" if i is None else i for i in inputs], outs,
                                name=node_name, domain=domain, **attrs)
        self.nodes.append(node)
        return outs[0] if outputs == 1 else tuple(outs)

    def const(self, value, name=None, dtype=None):
        """An initializer holding `value` (an array or number); returns its name."""
        arr = np.asarray(value, dtype=dtype)
        if arr.dtype == np.intp and arr.dtype != np.int64:
            arr = arr.astype(np.int64)
        name = self.unique(name or f"{self.scope}/Constant_output_0")
        self.initializers[name] = numpy_helper.from_array(np.array(arr, order="C"), name)  # keeps 0-d
        return name

    def ints(self, values):
        """A 1-D int64 constant (shapes, axes, starts...), shared by every op that uses it."""
        return self._small(np.asarray(list(values), np.int64).reshape(-1), "Constant_ints")

    def scalar(self, value, dtype):
        """A 0-d constant of `dtype`, shared by every op that uses it."""
        return self._small(np.asarray(value, dtype=dtype), "Constant_scalar")

    def _small(self, arr, kind):
        key = (arr.dtype.str, arr.shape, arr.tobytes())
        name = self._shared.get(key)
        if name is None:
            name = self._shared[key] = self.const(arr, name=f"{self.scope}/{kind}")
        return name

    # ---- the current op's shapes ---------------------------------------------------------------
    def out_shape(self, k=0, twin=False):
        rec = self.twin if twin else self.record
        return None if rec is None else tuple(rec.outputs[k].shape)

    def out_dtype(self, k=0):
        return self.record.outputs[k].dtype

    def in_shape(self, i, twin=False):
        rec = self.twin if twin else self.record
        return None if rec is None else rec.arg_shape(i)

    def in_dtype(self, i):
        return self.record.arg_dtype(i)

    def dynamic_out(self, k=0):
        """Dims of output k whose size follows the inputs' dynamic axes."""
        return _differing(self.out_shape(k), self.out_shape(k, twin=True))

    def dynamic_in(self, i):
        return _differing(self.in_shape(i), self.in_shape(i, twin=True))

    def twin_attr(self, name, default=None):
        """An attribute of the twin node (the same op in the second trace)."""
        return getattr(self.twin.node, name, default) if self.twin is not None else default

    def state_tensor(self, attr):
        """(a function returning the initializer's name, its array) of the converted op's
        module's parameter or buffer `attr` (e.g. "running_var"), or None."""
        owner = self.record.module
        key = f"{owner}.{attr}" if owner else attr
        return self.state_lookup(key)

    def same_in_both(self, what, a, b):
        """Raise unless `a` (this trace) equals `b` (the second trace): a value the op
        took from Python that must not depend on the inputs."""
        if self.twin is not None and not _equal(a, b):
            raise self.error(
                f"the {what} differ between two traces with other input sizes or values ({_short(a)} in "
                f"one, {_short(b)} in the other), which ONNX can't express for this op; export with static "
                f"shapes there, or compute it from recorded tensor ops")

    # ---- shapes that stay dynamic ------------------------------------------------------------------
    # Each value's size is known in both traces; a dim whose size differs follows a
    # dynamic axis. Reshape targets use 0 (copy the input's dim) and -1 (infer) there,
    # or a Shape op of a graph input with the same sizes; slice bounds count from the end.
    def error(self, message):
        """An ExportError naming the converted op (for converters to raise)."""
        label = self.record.label if self.record is not None else "onnx.export"
        return ExportError(f"{label}: {message}")

    def dim_from_inputs(self, n, n_twin, what):
        """A 1-element int64 value holding the size that is `n` in this trace and
        `n_twin` in the other, read from the Shape of a graph input that has it."""
        for name, shape, twin_shape in self.input_shapes:
            for d, (s, t) in enumerate(zip(shape, twin_shape)):
                if s == n and t == n_twin:
                    return self.shape_of(name, d, d + 1)
        raise self.error(f"its {what} target has a size ({n} in one trace, {n_twin} in another) that follows "
                         f"the dynamic axes but is no input's dim; ONNX export can't express it")

    def reshape_target(self, x):
        """The Reshape shape input for the current op (input 0 to output 0)."""
        return self.reshape_target_for(x, self.in_shape(0), self.in_shape(0, twin=True), self.out_shape(),
                                       self.out_shape(twin=True))

    def reshape_target_for(self, x, in_a, in_b, out_a, out_b):
        """The Reshape shape input taking `x` (in_a here, in_b in the other trace) to
        out_a (out_b there)."""
        if out_b is None:
            return self.ints(out_a)
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
            return self.ints(target)
        pieces = []
        for i, t in enumerate(target):
            if t != -1:
                pieces.append(self.ints([t]))
                continue
            same = [d for d in range(len(in_a)) if in_a[d] == out_a[i] and in_b[d] == out_b[i]]
            pieces.append(self.shape_of(x, same[0], same[0] + 1) if same else
                          self.dim_from_inputs(out_a[i], out_b[i], "reshape"))
        return self.op("Concat", pieces, axis=0)

    def slice_bound(self, v, v_twin, n, n_twin, is_stop):
        """A start, stop or index in [0, n] (this trace) and [0, n_twin] (the other) as
        a constant that is right in both (as it is, or counted from the end of the
        axis), or as the Shape of the graph input whose dim it equals (a value name)."""
        if v == v_twin and (n == n_twin or not (is_stop and v == n)):
            return INT64_MAX if is_stop and v == n else int(v)
        if v - n == v_twin - n_twin:
            return INT64_MAX if is_stop and v == n else int(v - n)
        if any(s == v and t == v_twin for _, shape, twin in self.input_shapes for s, t in zip(shape, twin)):
            return self.dim_from_inputs(v, v_twin, "slice")  # x[:, :tokens.shape[1]]
        raise self.error(f"a slice bound or index ({v} of {n} in one trace, {v_twin} of {n_twin} in another) "
                         f"depends on the size of a dynamic axis in a way ONNX export can't express")

    # ---- helpers for opset-dependent forms -----------------------------------------------------------
    def unsqueeze(self, x, axes):
        return self.op("Unsqueeze", [x, self.ints(axes)])

    def squeeze(self, x, axes):
        return self.op("Squeeze", [x, self.ints(axes)])

    def reduce(self, op_type, x, axes, keepdims):
        """ReduceSum/Mean/Max/Min/Prod/L1/L2/LogSumExp over `axes` (an input for
        ReduceSum, and for the others from opset 18; an attribute before)."""
        axes = [int(a) for a in axes]
        if op_type == "ReduceSum" or self.opset >= 18:
            return self.op(op_type, [x, self.ints(axes)], keepdims=int(keepdims))
        return self.op(op_type, [x], axes=axes, keepdims=int(keepdims))

    def split(self, x, sizes, axis):
        sizes = [int(s) for s in sizes]
        if len(sizes) == 1:
            return (x,)
        return self.op("Split", [x, self.ints(sizes)], outputs=len(sizes), axis=axis)

    def cast(self, x, dtype):
        return self.op("Cast", [x], to=tensor_type(dtype))

    def shape_of(self, x, start=None, end=None):
        if start is None and end is None:
            return self.op("Shape", [x])
        if self.opset >= 15:
            return self.op("Shape", [x], start=start, end=end)
        s = self.op("Shape", [x])
        return self.op("Slice", [s, self.ints([start or 0]), self.ints([INT64_MAX if end is None else end])])

    # ---- used by the exporter ------------------------------------------------------------------
    def graph(self, name, inputs, outputs):
        return helper.make_graph(self.nodes, name, inputs, outputs, list(self.initializers.values()))


def value_info(name, dtype, shape):
    """A graph input/output: `shape` entries are ints or dim names."""
    return helper.make_tensor_value_info(name, tensor_type(dtype), list(shape))


def _differing(a, b):
    if a is None or b is None or len(a) != len(b):
        return set()
    return {d for d, (x, y) in enumerate(zip(a, b)) if x != y}


def _equal(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, slice) and isinstance(b, slice):
        return (a.start, a.stop, a.step) == (b.start, b.stop, b.step)
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return a is b


def _short(v):
    if isinstance(v, np.ndarray):
        return f"an array of shape {v.shape}"
    text = repr(v)
    return text if len(text) < 60 else text[:57] + "..."


def check_opset(opset):
    latest = onnx.defs.onnx_opset_version()
    if not isinstance(opset, int) or not 13 <= opset <= latest:
        raise ValueError(f"onnx.export: opset_version must be an int from 13 to {latest} (this onnx "
                         f"package's latest), got {opset!r}")
    return opset
