"""`export`: trace the model, map each recorded op to ONNX nodes, write the model.

The model runs twice: once on the given inputs, and once on inputs whose dynamic
axes have another size (and whose values differ). Dims that differ between the two
traces follow the dynamic axes, so shape-dependent attributes (reshape targets,
slice bounds) are written with -1/0/Shape ops there. An array an op read that no
graph node made is a comparison's (or another op the trace noted, written by
notes.py), an input, a parameter, or a constant; one that differs between the traces
otherwise was computed from the inputs outside the graph (sort indices, `.numpy()`)
and makes the export fail with the op's name rather than bake one input's values into
the model.
"""
import inspect
import io
import os
from types import SimpleNamespace

import numpy as np
import onnx
from onnx import helper

from autograd_lite import Tensor, __version__

from . import folding, notes, registry, trace
from .builder import Builder, ExportError, Inputs, UnsupportedOperatorError, check_opset, value_info

DEFAULT_OPSET = 17


class OpRecord:
    """One recorded op of a trace: its node, forward arguments and outputs."""

    def __init__(self, graph_op):
        node = graph_op.node
        self.node = node
        self.module = graph_op.module
        self.cls = type(node).__name__
        name = node.name()
        self.label = name[: -len("Backward")] if name.endswith("Backward") else name
        call = node.__dict__.get(trace.CALL)
        if call is None:
            raise UnsupportedOperatorError(
                self.label, f"onnx.export: {self.label} has no ONNX mapping (a custom autograd.Function or an "
                            f"op recorded outside the export's trace); write the model with built-in ops")
        self.args, self.kwargs, self.outputs = call
        self.edges = tuple(node.next_functions or ())

    def edge(self, i):
        return self.edges[i] if i < len(self.edges) else None

    def arg_shape(self, i):
        a = self.args[i] if i < len(self.args) else None
        return None if a is None else tuple(np.shape(a))

    def arg_dtype(self, i):
        return np.asarray(self.args[i]).dtype


def _split_args(args):
    if isinstance(args, Tensor):
        return (args,), {}
    if not isinstance(args, (tuple, list)):
        raise TypeError(f"onnx.export: args must be a Tensor or a tuple of inputs, got {type(args).__name__}")
    args = tuple(args)
    if args and isinstance(args[-1], dict):
        return args[:-1], dict(args[-1])
    return args, {}


def _argument_names(model, n):
    try:
        params = [p.name for p in inspect.signature(model.forward).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"input.{i}" for i in range(n)]


def _dynamic_spec(dynamic_axes, names):
    """{value name: {axis: dim name}} from PyTorch's dict-or-list form."""
    spec = {}
    for key, axes in (dynamic_axes or {}).items():
        if key not in names:
            raise ValueError(f"onnx.export: dynamic_axes names {key!r}, which is neither an input nor an "
                             f"output name ({', '.join(names)})")
        if isinstance(axes, dict):
            spec[key] = {int(a): str(n) for a, n in axes.items()}
        elif isinstance(axes, (list, tuple)):
            spec[key] = {int(a): f"{key}_dynamic_axes_{k + 1}" for k, a in enumerate(axes)}
        else:
            raise TypeError(f"onnx.export: dynamic_axes[{key!r}] must be a dict or a list of axes, got "
                            f"{type(axes).__name__}")
    return spec


def _second_trace(model, args, kwargs, input_names, spec):
    """Trace again with each dynamic axis resized (n + 1 + k, else 2n + k for the k-th
    dim name, so that no two named dims share both sizes; else n + 1 or 2n for all, for
    differently named axes the model needs equal) and the values changed."""
    values = list(args) + list(kwargs.values())
    dim_names = sorted({d for axes in spec.values() for d in axes.values()})
    errors = []
    tries = (lambda n, k: n + 1 + k, lambda n, k: 2 * n + k, lambda n, k: n + 1, lambda n, k: 2 * n)
    for grow in tries:
        new = []
        for name, v in zip(input_names, values):
            axes = spec.get(name, {})
            if isinstance(v, Tensor):
                picked = {a % v.ndim: dim_names.index(d) for a, d in axes.items() if -v.ndim <= a < v.ndim}
                order = sorted(picked)
                new.append(trace.resized(v, order, [grow(v.shape[a], picked[a]) for a in order], perturb=True))
            else:
                new.append(v)
        try:
            return trace.run(model, new[:len(args)], dict(zip(kwargs, new[len(args):])))
        except Exception as e:  # the model may not accept this size: try the next one
            errors.append(e)
            if not spec:
                break
    raise ExportError(f"onnx.export: running the model a second time (with the dynamic axes resized and the "
                      f"input values changed, to tell apart what follows the inputs) failed: {errors[-1]!r}")


def _check_same_graph(a, b):
    sig_a = [(r.cls, len(r.edges)) for r in a]
    sig_b = [(r.cls, len(r.edges)) for r in b]
    if sig_a != sig_b:
        k = next((i for i, (x, y) in enumerate(zip(sig_a, sig_b)) if x != y), min(len(sig_a), len(sig_b)))
        what = f"op {k} is {sig_a[k][0]} in one and {sig_b[k][0]} in the other" if k < min(len(a), len(b)) \
            else f"{len(a)} ops in one and {len(b)} in the other"
        raise ExportError(f"onnx.export: the model records a different graph for other input sizes or values "
                          f"({what}): its forward branches on the inputs' values or loops over a dynamic axis (a Python loop "
                          f"over time steps), which ONNX export can't follow")


class _Values:
    """Names of the graph's values: inputs, parameters, op outputs, constants."""

    def __init__(self, builder, model, first, second, input_names):
        input_leaves, input_leaves_b = first.inputs, second.inputs
        self.notes_a, self.notes_b = first.comparisons, second.comparisons
        self.b = builder
        self.named = {}  # id(leaf tensor) or (id(node), nr) -> value name
        self.inputs_a = {id(t): (n, t) for n, t in zip(input_names, input_leaves) if isinstance(t, Tensor)}
        self.inputs = [(n, ta, tb) for n, ta, tb in zip(input_names, input_leaves, input_leaves_b)
                       if isinstance(ta, Tensor)]
        self.params = {}
        for key, t in model.state_dict(keep_vars=True).items():
            self.params.setdefault(id(t), (key, t))
            self.params.setdefault(id(_array(t)), (key, t))
        self.by_key = model.state_dict(keep_vars=True)
        for n, t in self.inputs_a.values():
            self.named[id(t)] = n
        self.consts = {}  # id(array) -> (array, name)

    def leaf(self, t, twin_t):
        if id(t) in self.named:
            return self.named[id(t)]
        if id(t) in self.params:
            key, p = self.params[id(t)]
            name = self.b.const(_array(p), name=key)
        else:  # a tensor requiring grad that is neither an input nor a parameter
            self.b.same_in_both("values of a tensor that requires grad", _array(t), _array(twin_t) if twin_t is not None
                                else _array(t))
            name = self.b.const(_array(t), name="tensor")
        self.named[id(t)] = name
        return name

    def state_tensor(self, key):
        t = self.by_key.get(key)
        if t is None:
            return None
        return (lambda: self.leaf(t, None)), _array(t)

    def constant(self, rec, twin, i):
        a = rec.args[i]
        if isinstance(a, np.generic):
            a = np.asarray(a)
        if not isinstance(a, np.ndarray):
            return None
        return self.array(a, twin.args[i] if twin is not None else None, rec)

    def array(self, a, a_twin, rec):
        """The value of an array an op read: a comparison's result, an input or
        parameter, a constant, or an error when it was computed from the inputs
        outside the recorded graph."""
        hit = self.consts.get(id(a))
        if hit is not None:
            return hit[1]
        name = self._compared(a, a_twin, rec)
        if name is None:
            name = self._input_or_param(a, a_twin)
        if name is None:
            b_arr = a if a_twin is None else np.asarray(a_twin)
            name = self._filled(a, b_arr)
        if name is None:
            if not _same_array(a, b_arr):
                raise ExportError(
                    f"onnx.export: {rec.label} (in {rec.module or 'the model'}) reads an array of shape "
                    f"{a.shape} ({a.dtype}) computed from the inputs outside the recorded graph (by sort/topk "
                    f"indices, arithmetic on tensors that need no grad, or .numpy()); ONNX export would bake one "
                    f"input's values into the model. Compute it with tensor ops and comparisons, or pass it as "
                    f"an input")
            name = self.b.const(a)
        self.consts[id(a)] = (a, name)
        return name

    # ---- noted values (trace.Comparison): comparisons, masks, argmax, with no graph node ------------
    def _compared(self, a, a_twin, rec):
        """The noted op that made the array `a` (and `a_twin` in the second trace),
        written as ONNX nodes (notes.py); None if no noted op made it."""
        note = self.notes_a.get(id(a))
        if note is None or not np.array_equal(a, note.snapshot):  # none, or changed in place since
            return None
        twin = note if a_twin is None else self.notes_b.get(id(a_twin))
        if twin is None or twin.kind != note.kind or len(twin.args) != len(note.args):
            return None
        operands = [self._operand(x, y, rec) for x, y in zip(note.args, twin.args)]
        return notes.note_nodes(self.b, note, twin, operands)

    def _operand(self, x, x_twin, rec):
        """(value name, dtype) of a noted op's tensor operand, or (None, number)."""
        if not isinstance(x, Tensor):
            return None, np.asarray(x).item() if isinstance(x, np.ndarray) and x.ndim == 0 else x
        dtype = _array(x).dtype
        if x.grad_fn is not None:
            name = self.named.get((id(x.grad_fn), x.output_nr))
            if name is None:
                raise ExportError(f"onnx.export: {rec.label} (in {rec.module or 'the model'}) reads a comparison of "
                                  f"a value the exported graph doesn't compute (it leads to no output)")
            return name, dtype
        if id(x) in self.named:
            return self.named[id(x)], dtype
        if id(x) in self.params or x.requires_grad:
            return self.leaf(x, x_twin if isinstance(x_twin, Tensor) else None), dtype
        return self.array(_array(x), _array(x_twin) if isinstance(x_twin, Tensor) else None, rec), dtype

    def _filled(self, a, a_twin):
        """A constant holding one value whose shape follows the dynamic axes (the zeros
        of an initial state, `ag.zeros(x.shape[0], n)`): that value expanded to a shape
        read from the inputs' Shapes. None for anything else."""
        if a.shape == a_twin.shape or a.ndim != a_twin.ndim or not a.size or not a_twin.size:
            return None
        v = a.reshape(-1)[0]
        if not (np.all(a == v) and np.all(a_twin == v) and a.dtype == a_twin.dtype):
            return None
        pieces = [self.b.ints([n]) if n == m else self.b.dim_from_inputs(n, m, "filled constant")
                  for n, m in zip(a.shape, a_twin.shape)]
        shape = self.b.op("Concat", pieces, axis=0)
        return self.b.op("Expand", [self.b.const(np.asarray(v, a.dtype)), shape])

    def _input_or_param(self, a, a_twin):
        """The name of the input or parameter array `a` is (or copies, in both traces)."""
        for name, ta, tb in self.inputs:
            x = _array(ta)
            if a is x or (a.shape == x.shape and np.shares_memory(a, x)):
                return name if a.dtype == x.dtype else self.b.cast(name, a.dtype)
        if id(a) in self.params:
            key, p = self.params[id(a)]
            return self.leaf(p, None)
        if a_twin is not None:
            for name, ta, tb in self.inputs:
                x, xb = _array(ta), _array(tb)
                if (x.dtype.kind in "iub" and a.shape == x.shape and np.asarray(a_twin).shape == xb.shape
                        and np.array_equal(a, x) and np.array_equal(a_twin, xb)):
                    return self.b.cast(name, a.dtype) if a.dtype != x.dtype else name
        return None


def _array(t):
    """A tensor's array (shared, not copied)."""
    return t.detach().numpy()


def _same_array(a, b):
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")


def _dims(shape, declared):
    """A value's shape for its value_info: dim names where declared, else sizes."""
    return [declared.get(d, int(n)) for d, n in enumerate(shape)]


def export(model, args, f, input_names=None, output_names=None, dynamic_axes=None, opset_version=None,
           do_constant_folding=True, verbose=False, export_params=True):
    """Export `model` (an nn.Module) as an ONNX model, as torch.onnx.export does.

    The model runs in eval mode on `args` (a Tensor, or a tuple of inputs ending
    with an optional dict of keyword inputs); every recorded op becomes ONNX nodes,
    parameters and buffers initializers named as in the state_dict. `f` is a path
    or a binary file object (None: only return the model). `dynamic_axes` maps input
    and output names to the axes (a list, or {axis: name}) whose size may change.
    Returns the onnx.ModelProto."""
    if not export_params:
        raise NotImplementedError("onnx.export: export_params=False is not supported (the parameters are "
                                  "always stored as initializers)")
    opset = check_opset(DEFAULT_OPSET if opset_version is None else opset_version)
    if not (callable(model) and hasattr(model, "state_dict") and hasattr(model, "train")):
        raise TypeError(f"onnx.export: expected an nn.Module, got {type(model).__name__}")
    args, kwargs = _split_args(args)
    n_inputs = len(args) + len(kwargs)
    default_names = _argument_names(model, len(args)) + list(kwargs)
    in_names = list(input_names or []) + default_names[len(input_names or []):]
    in_names = in_names[:n_inputs]

    first = trace.run(model, args, kwargs)
    n_out = len(first.outputs)
    out_names = list(output_names or [])
    out_names += ["output" if n_out == 1 else f"output.{k}" for k in range(len(out_names), n_out)]
    out_names = out_names[:n_out]
    spec = _dynamic_spec(dynamic_axes, in_names + out_names)
    second = _second_trace(model, args, kwargs, in_names, spec)

    recs_a = [OpRecord(op) for op in first.ops]
    recs_b = [OpRecord(op) for op in second.ops]
    _check_same_graph(recs_a, recs_b)

    b = Builder(opset, in_names + out_names)
    values = _Values(b, model, first, second, in_names)
    _convert_ops(b, values, first, second, recs_a, recs_b, verbose)
    graph_outputs = _graph_outputs(b, values, first, second, out_names, spec)
    graph_inputs = [value_info(name, ta.dtype, _dims(ta.shape, spec.get(name, {})))
                    for name, ta, tb in values.inputs]
    graph = b.graph(type(model).__name__, graph_inputs, graph_outputs)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="autograd_lite", producer_version=__version__)
    proto.ir_version = min(proto.ir_version, _ir_for_opset(opset))
    folding.prune(proto)
    if do_constant_folding:
        folding.fold_constants(proto)
    onnx.checker.check_model(proto)
    _write(proto, f)
    return proto


def _convert_ops(b, values, first, second, recs_a, recs_b, verbose):
    """Each recorded op through its converter, in forward order."""
    converters = registry.converters()
    twin_of_leaf = {id(t): second.leaves[k] for k, t in zip(second.leaves, first.leaves.values())} \
        if len(first.leaves) == len(second.leaves) else {}

    def resolve(rec, twin, i):
        e = rec.edge(i)
        if e is None:
            return values.constant(rec, twin, i)
        source, nr = e
        if isinstance(source, Tensor):
            return values.leaf(source, twin_of_leaf.get(id(source)))
        name = values.named.get((id(source), nr))
        if name is None:  # an op only comparisons read, which couldn't be converted
            raise ExportError(f"onnx.export: {rec.label} reads the output of an op that couldn't be exported")
        return name

    b.resolver = resolve
    b.state_lookup = values.state_tensor
    b.input_shapes = [(n, tuple(ta.shape), tuple(tb.shape)) for n, ta, tb in values.inputs]
    for rec, twin in zip(recs_a, recs_b):
        convert = converters.get(rec.cls)
        if id(rec.node) not in first.for_outputs:  # read by comparisons only (an `if` may test them):
            try:  # converted if it can be, for a mask that needs it
                if convert is not None:
                    _convert_one(b, values, convert, rec, twin, verbose)
            except ExportError:
                pass
            continue
        if convert is None:
            why = registry.NOT_MAPPED.get(rec.cls, "no converter in its op-table entry (OpInfo.onnx) or in "
                                                     "autograd_lite/onnx/converters.py")
            raise UnsupportedOperatorError(
                rec.label, f"onnx.export: {rec.label} (op class {rec.cls}, in {rec.module or 'the model'}) has no "
                           f"ONNX mapping: {why}")
        _convert_one(b, values, convert, rec, twin, verbose)
    b.scope = ""
    b.record = b.twin = None


def _convert_one(b, values, convert, rec, twin, verbose):
    b.scope = _scope(rec.module)
    b.record, b.twin = rec, twin
    outs = convert(b, rec.node, Inputs(b, rec, twin))
    outs = outs if isinstance(outs, (tuple, list)) else (outs,)
    if len(outs) < len(rec.outputs):
        raise ExportError(f"onnx.export: the converter of {rec.cls} returned {len(outs)} outputs for "
                          f"{len(rec.outputs)}")
    for nr, name in enumerate(outs):
        if name is not None:
            values.named[(id(rec.node), nr)] = name
    if verbose:
        print(f"{rec.label} -> {', '.join(n for n in outs if n)}")


def _graph_outputs(b, values, first, second, out_names, spec):
    """Name the model's outputs; dims that differ between the traces get dim names."""
    outputs, renamed = [], {}
    for k, (name, ta, tb) in enumerate(zip(out_names, first.outputs, second.outputs)):
        if ta.grad_fn is not None:
            src = values.named.get((id(ta.grad_fn), ta.output_nr))
        elif id(ta) in values.named:
            src = values.named[id(ta)]
        else:
            reader = SimpleNamespace(label=f"output {k} ({name})", module="the model")
            src = values.array(_array(ta), _array(tb), reader)  # a comparison's, a constant, or refused
        if src is None:
            raise ExportError(f"onnx.export: output {k} ({name}) is not computed by the recorded graph")
        _name_output(b, src, name, renamed)
        declared = dict(spec.get(name, {}))
        for d in range(ta.ndim):
            if d not in declared and ta.shape[d] != tb.shape[d]:
                declared[d] = f"{name}_dim_{d}"
        outputs.append(value_info(name, ta.dtype, _dims(ta.shape, declared)))
    return outputs


def _scope(module):
    if not module:
        return ""
    return "/" + module.replace(".", "/")


def _name_output(b, src, name, renamed):
    """Make value `src` the graph output `name`: rename it where an op makes it, or
    add an Identity (an input, an initializer, or a value already output)."""
    producer = next((n for n in b.nodes if src in n.output), None)
    if producer is None or src in renamed:
        b.nodes.append(helper.make_node("Identity", [renamed.get(src, src)], [name],
                                        name=b.unique(f"/Identity_{name}")))
        return
    for n in b.nodes:
        for seq in (n.input, n.output):
            for k, v in enumerate(seq):
                if v == src:
                    seq[k] = name
    renamed[src] = name


def _ir_for_opset(opset):
    """The IR version onnxruntime releases of that opset's time read."""
    return 8 if opset <= 17 else 9 if opset <= 20 else 10


def _write(proto, f):
    if f is None:
        return
    data = proto.SerializeToString()
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as fh:
            fh.write(data)
    elif isinstance(f, io.IOBase) or hasattr(f, "write"):
        f.write(data)
    else:
        raise TypeError(f"onnx.export: f must be a path or a binary file object, got {type(f).__name__}")
