"""Run a model once and keep what its ops were called with.

The export reads the graph the forward pass records (`viz.graph_structure`), and
each node's own attributes (`ctx.geo`, `ctx.dims`, ...). Two things a node does not
keep are added while the export runs, by wrapping every op's `forward` for the
duration of the trace only (nothing changes on the hot paths the rest of the time):
the arguments the forward got (so a constant operand such as the `2.0` of `x * 2.0`
is known) and the arrays it returned (so every output's shape and dtype is known).

A trace runs the model in eval mode on inputs that require grad, with its float
buffers requiring grad too, so that every op reading them is recorded
(`SummaryWriter.add_graph` traces the same way).

Comparisons, logical ops and isnan/isinf make bool tensors, which are no graph
nodes; while a trace runs they note how each result was made (`Comparison`), as do
unsqueeze, squeeze, transpose, permute, reshape/view and casts of tensors that need
no grad (integer inputs, masks), `where` making such a tensor, and argmax/argmin. So
a mask an op reads (`where(x > 0, ...)`, `(tokens == 0).unsqueeze(1)`) is exported as the ops
that made it rather than refused as a value computed outside the graph.
"""
import threading
from collections import namedtuple
from contextlib import contextmanager

import numpy as np

import autograd_lite as ag
from autograd_lite import Tensor, viz
from autograd_lite.extend import Op

CALL = "_onnx_call"  # the attribute a traced node holds: (args, kwargs, outputs)
_lock = threading.RLock()
_depth = [0]  # nested traces (an export inside a model's forward) patch once
_notes = []  # one {id(bool array): Comparison} per running trace (innermost last)

Comparison = namedtuple("Comparison", "kind args kwargs array snapshot")
Comparison.__doc__ = """How an array with no graph node was made during a trace: the
operator `kind` (Equal, NotEqual, Less, ..., And, Not, IsNaN, IsFinite; Unsqueeze,
Squeeze, Transpose, Permute, Reshape, Cast, Where; ArgMax, ArgMin) over `args` (tensors and numbers) and `kwargs`, the
array itself (kept alive, so its id stays unique) and a copy of its values (an
in-place change since then makes the note void)."""

_RELATIONS = {"eq": "Equal", "ne": "NotEqual", "lt": "Less", "le": "LessOrEqual", "gt": "Greater",
              "ge": "GreaterOrEqual", "greater": "Greater", "greater_equal": "GreaterOrEqual",
              "less": "Less", "less_equal": "LessOrEqual", "not_equal": "NotEqual",
              "logical_and": "And", "logical_or": "Or", "logical_xor": "Xor", "logical_not": "Not",
              "isnan": "IsNaN", "isinf": "IsInf", "isfinite": "IsFinite"}
_OPERATORS = {"__eq__": "Equal", "__ne__": "NotEqual", "__lt__": "Less", "__le__": "LessOrEqual",
              "__gt__": "Greater", "__ge__": "GreaterOrEqual", "__and__": "And", "__or__": "Or",
              "__xor__": "Xor", "__invert__": "Not"}
_LOGICAL = ("And", "Or", "Xor", "Not")  # as operators, logical only on bool tensors
_SHAPES = {"unsqueeze": "Unsqueeze", "squeeze": "Squeeze", "transpose": "Transpose", "permute": "Permute",
           "reshape": "Reshape", "view": "Reshape"}
_CASTS = {"float": "Cast", "double": "Cast", "long": "Cast", "int": "Cast", "bool": "Cast", "to": "Cast"}
_ARGS = {"argmax": "ArgMax", "argmin": "ArgMin"}


def _op_classes():
    seen, stack = [], [Op]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.append(sub)
                stack.append(sub)
    return seen


def _recording(forward):
    def traced_forward(ctx, *args, **kwargs):
        out = forward(ctx, *args, **kwargs)
        outs = out if isinstance(out, tuple) else (out,)
        ctx.__dict__[CALL] = (args, kwargs, tuple(np.asarray(o) for o in outs))
        return out

    traced_forward.__wrapped__ = forward
    return traced_forward


def _plain_operand(v):
    return isinstance(v, (Tensor, bool, int, float, np.generic)) or (isinstance(v, np.ndarray) and v.ndim == 0)


def _noting(fn, kind):
    """`fn` (a comparison or a shape op) noting each result with no graph node it
    makes in the running trace."""
    def noted(*args, **kwargs):
        out = fn(*args, **kwargs)
        if _notes and isinstance(out, Tensor) and out.grad_fn is None and _worth_noting(kind, args, kwargs, out):
            array = out.numpy()
            _notes[-1][id(array)] = Comparison(kind, args, kwargs, array, array.copy())
        return out

    noted.__wrapped__ = fn
    return noted


def _worth_noting(kind, args, kwargs, out):
    if not args or not isinstance(args[0], Tensor) or out is args[0]:
        return False
    if kind == "Cast":
        return not args[0].requires_grad
    if kind in ("ArgMax", "ArgMin"):
        return set(kwargs) <= {"dim", "keepdim"} and all(a is None or isinstance(a, (int, bool)) for a in args[1:])
    if kind == "Where":
        return not kwargs and len(args) == 3 and all(_plain_operand(a) for a in args)
    if kind in _SHAPES.values():
        return not args[0].requires_grad and set(kwargs) <= {"dim"} and \
            all(isinstance(a, (int, tuple, list)) for a in args[1:])
    if kwargs or not all(_plain_operand(a) for a in args) or out.dtype != ag.bool:
        return False
    tensors = [a for a in args if isinstance(a, Tensor)]
    if kind in _LOGICAL and any(t.dtype != ag.bool for t in tensors):
        return False  # &, |, ^, ~ of integers are bitwise
    return kind not in ("IsNaN", "IsInf", "IsFinite") or tensors[0].is_floating_point()


def _comparison_patches():
    """(owner, name, original) for the Tensor operators and methods and the
    autograd_lite functions that compare."""
    found = []
    for name in _OPERATORS:
        found.append((Tensor, name, _OPERATORS[name]))
    for name, kind in list(_RELATIONS.items()) + list(_SHAPES.items()) + list(_ARGS.items()):
        for owner in (Tensor, ag):
            if callable(getattr(owner, name, None)):
                found.append((owner, name, kind))
    found += [(Tensor, name, kind) for name, kind in _CASTS.items()] + [(ag, "where", "Where")]
    return [(owner, name, kind, getattr(owner, name)) for owner, name, kind in found]


@contextmanager
def recording_calls():
    """Within: every op node keeps its forward's arguments and outputs (`CALL`), and
    comparisons note their results (see `Comparison`)."""
    with _lock:
        patched, compared = [], []
        _depth[0] += 1
        try:
            if _depth[0] == 1:
                for cls in _op_classes():
                    fwd = cls.__dict__.get("forward")
                    if fwd is not None:
                        setattr(cls, "forward", _recording(fwd))
                        patched.append((cls, fwd))
                for owner, name, kind, original in _comparison_patches():
                    setattr(owner, name, _noting(original, kind))
                    compared.append((owner, name, original))
            yield
        finally:
            _depth[0] -= 1
            for cls, fwd in patched:
                setattr(cls, "forward", fwd)
            for owner, name, original in compared:
                setattr(owner, name, original)


class Trace:
    """One run of the model: its inputs (as traced leaves), outputs, the graph's ops
    in forward order (viz.GraphOp records) and its leaves."""

    def __init__(self, inputs, outputs, structure, comparisons):
        self.inputs = inputs
        self.outputs = outputs
        self.ops = structure.ops
        self.leaves = structure.leaves
        self.comparisons = comparisons  # {id(bool array): Comparison}
        self.for_outputs = _reachable(t.grad_fn for t in outputs)  # ids of the nodes the outputs need


def _reachable(nodes):
    """The ids of `nodes` and of every node they read, through next_functions."""
    seen, stack = set(), [n for n in nodes if n is not None]
    while stack:
        node = stack.pop()
        if id(node) in seen or isinstance(node, Tensor):
            continue
        seen.add(id(node))
        stack.extend(edge[0] for edge in (node.next_functions or ()) if edge is not None and edge[0] is not None)
    return seen


def _traceable(arg):
    """A floating-point input as a leaf that requires grad (sharing memory)."""
    if isinstance(arg, Tensor) and arg.is_floating_point() and not arg.requires_grad:
        return arg.detach().requires_grad_(True)
    if isinstance(arg, Tensor):
        return arg.detach()
    return arg


def tensors_in(result, what="output"):
    """The Tensors of a model's output (a Tensor, or tuples, lists and dicts of them)."""
    if isinstance(result, Tensor):
        return [result]
    if isinstance(result, dict):
        result = list(result.values())
    if isinstance(result, (tuple, list)):
        return [t for item in result for t in tensors_in(item, what)]
    raise TypeError(f"onnx.export: the model's {what} must be Tensors (or tuples, lists, dicts of them), "
                    f"got {type(result).__name__}")


@contextmanager
def _buffers_traced(model):
    """Float buffers require grad during the trace, so ops that read them are recorded."""
    changed = [b for b in model.buffers() if b.is_floating_point() and not b.requires_grad]
    for b in changed:
        b.requires_grad_(True)
    try:
        yield
    finally:
        for b in changed:
            b.requires_grad_(False)


def run(model, args, kwargs):
    """Trace `model(*args, **kwargs)` once in eval mode; returns a Trace."""
    traced = [_traceable(a) for a in args]
    traced_kwargs = {k: _traceable(v) for k, v in kwargs.items()}
    was_training = model.training
    model.train(False)
    comparisons = {}
    try:
        with recording_calls(), _buffers_traced(model), ag.enable_grad():
            _notes.append(comparisons)
            try:
                result = model(*traced, **traced_kwargs)
            finally:
                _notes.pop()
    finally:
        model.train(was_training)
    outputs = tensors_in(result)
    compared = [a for note in comparisons.values() for a in note.args if isinstance(a, Tensor)]
    roots = [t for t in outputs + compared if t.grad_fn is not None]  # values only compared count too
    structure = viz.graph_structure(roots, module=model) if roots else viz.GraphStructure([], {})
    inputs = traced + list(traced_kwargs.values())
    return Trace(inputs, outputs, structure, comparisons)


def resized(value, axes, sizes, perturb):
    """`value` (a Tensor) with dims `axes` resized to `sizes` (taking its rows
    cyclically in reverse order) and, when `perturb`, its values moved: rolled by one
    along every dim, floats scaled by 0.9, integers shifted by one within their
    range. The second trace runs on it, which tells the dims and values that follow
    the inputs apart from those that don't."""
    if not isinstance(value, Tensor):
        return value
    a = value.detach().numpy()
    for axis, size in zip(axes, sizes):
        n = a.shape[axis]
        if n:
            a = np.take(a, (n - 1 - np.arange(size)) % n, axis=axis)
    if perturb and a.size:
        a = np.roll(a, 1, axis=tuple(range(a.ndim))) if a.ndim else a
        if a.dtype.kind == "f":
            a = a * a.dtype.type(0.9)
        elif a.dtype.kind in "iu":
            lo, hi = a.min(), a.max()
            a = ((a - lo + 1) % (hi - lo + 1) + lo).astype(a.dtype) if hi > lo else a
    return ag.tensor(np.ascontiguousarray(a), requires_grad=False)
