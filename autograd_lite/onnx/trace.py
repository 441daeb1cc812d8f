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
"""
import threading
from contextlib import contextmanager

import numpy as np

import autograd_lite as ag
from autograd_lite import Tensor, viz
from autograd_lite.extend import Op

CALL = "_onnx_call"  # the attribute a traced node holds: (args, kwargs, outputs)
_lock = threading.RLock()
_depth = [0]  # nested traces (an export inside a model's forward) patch once


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


@contextmanager
def recording_calls():
    """Within: every op node keeps its forward's arguments and outputs (`CALL`)."""
    with _lock:
        patched = []
        _depth[0] += 1
        try:
            if _depth[0] == 1:
                for cls in _op_classes():
                    fwd = cls.__dict__.get("forward")
                    if fwd is not None:
                        setattr(cls, "forward", _recording(fwd))
                        patched.append((cls, fwd))
            yield
        finally:
            _depth[0] -= 1
            for cls, fwd in patched:
                setattr(cls, "forward", fwd)


class Trace:
    """One run of the model: its inputs (as traced leaves), outputs, the graph's ops
    in forward order (viz.GraphOp records) and its leaves."""

    def __init__(self, inputs, outputs, structure):
        self.inputs = inputs
        self.outputs = outputs
        self.ops = structure.ops
        self.leaves = structure.leaves


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
    try:
        with recording_calls(), _buffers_traced(model), ag.enable_grad():
            result = model(*traced, **traced_kwargs)
    finally:
        model.train(was_training)
    outputs = tensors_in(result)
    roots = [t for t in outputs if t.grad_fn is not None]
    structure = viz.graph_structure(roots, module=model) if roots else viz.GraphStructure([], {})
    inputs = traced + list(traced_kwargs.values())
    return Trace(inputs, outputs, structure)


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
