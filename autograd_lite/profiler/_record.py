"""Recording: the timed ranges, and the instrumented entry points a profile swaps in.

Nothing here runs unless a profile is active. Entering one replaces, on every class
that defines them, these class attributes by timed versions that call the original:
  - `Op.forward` of every op class (every op's forward, whichever path ran it: `apply`,
    the inlined `apply1`, `apply2` and the operators all look `forward` up on the class
    per call), recorded as `aten::<name>`, <name> the op table's public name of that
    op class (the first entry whose ONNX mapping names the class; else the class name
    in snake case);
  - the op table's public functions (in `autograd_lite`, `linalg`, `special`, and
    `nn.functional` once loaded), its Tensor methods and in-place variants and Tensor's
    operators, recorded as `aten::<name>` (`aten::mse_loss`, `aten::add_`; `x * y` as
    `aten::mul`, `x[i]` as `aten::index`): so ops without an op class (creation, in-place
    writes, comparisons) and composite ops (their row holds the ops they call) show too.
    An op's function and its forward of the same name make one range;
  - `Function.apply` (custom Functions), recorded under the Function's class name;
  - `backward` and `fast_backward` of every Node class (the engine reads them from the
    class per node), recorded as the node's name (`MulBackward`, PyTorch's names end
    in a version number: `MulBackward0`);
  - `step` and `zero_grad` of every Optimizer class, once `autograd_lite.optim` is loaded,
    recorded as `Optimizer.step#Adam.step`, `Optimizer.zero_grad#Adam.zero_grad`.
Leaving the profile (also by an exception) puts every original back, so the hot paths
are the same objects as before and cost nothing more. Not covered: op classes defined,
and `nn.functional`/`optim` first imported, while a profile runs; functions called
through a reference taken before the profile began (`from autograd_lite import exp`
binds the untimed function; layers calling the ops module directly show their op's
forward only); the engine's own work between nodes (in the enclosing range). A range
still open when recording stops keeps the time it had.

Ranges nest per thread (a stack per thread): a range's children are the ranges opened
inside it on its thread, its self time is its length less theirs. A subclass method
calling its parent's on the same object makes one range, not two.
"""
import itertools
import os
import re
import sys
import threading
import time
import traceback
from types import FunctionType

import numpy as np

from ..autograd.function import Function
from ..autograd.node import Node, Op
from ..ops.table import ENTRIES
from ..tensor import Tensor
from ._events import EventList, FunctionEvent

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_lock = threading.Lock()
_active = [None]  # the Session recording now (one at a time)
_tls = threading.local()  # .stack: the open ranges of this thread, innermost last
_names = {}  # op class -> its recorded name
_OP = object()  # the owner of an op's ranges (its public function, method, forward)
# Tensor's operators (ops.methods installs them) and the ops they are recorded as
_OPERATOR_NAMES = {
    "add": ("__add__", "__radd__"), "sub": ("__sub__", "__rsub__"), "mul": ("__mul__", "__rmul__"),
    "div": ("__truediv__", "__rtruediv__"), "floor_divide": ("__floordiv__", "__rfloordiv__"),
    "remainder": ("__mod__", "__rmod__"), "pow": ("__pow__", "__rpow__"), "matmul": ("__matmul__", "__rmatmul__"),
    "neg": ("__neg__",), "abs": ("__abs__",), "eq": ("__eq__",), "ne": ("__ne__",), "lt": ("__lt__",),
    "le": ("__le__",), "gt": ("__gt__",), "ge": ("__ge__",), "bitwise_and": ("__and__", "__rand__"),
    "bitwise_or": ("__or__", "__ror__"), "bitwise_xor": ("__xor__", "__rxor__"), "bitwise_not": ("__invert__",),
    "bitwise_left_shift": ("__lshift__", "__rlshift__"), "bitwise_right_shift": ("__rshift__", "__rrshift__"),
    "index": ("__getitem__",),
}


class Session:
    """The events of one recording window. `recording` is False between windows of a
    schedule (ranges opened then are not kept)."""

    def __init__(self, record_shapes=False, with_stack=False):
        self.record_shapes = record_shapes
        self.with_stack = with_stack
        self.events = []
        self.recording = False
        self._ids = itertools.count()
        self._threads = {}

    def function_events(self):
        """The events so far, by start time, as an EventList."""
        return EventList(sorted(self.events, key=lambda ev: (ev.start_us, -ev.end_us)))


def _now_us():
    return time.perf_counter_ns() / 1000.0


def _shape(a):
    if isinstance(a, np.ndarray):
        return list(a.shape)
    if isinstance(a, Tensor):
        return list(a._data.shape)
    return []


def _user_stack():
    frames = [f for f in traceback.extract_stack()[:-3] if not f.filename.startswith(_PACKAGE_DIR)]
    return [f"{f.filename}({f.lineno}): {f.name}" for f in reversed(frames)]


def begin(name, owner=None, args=()):
    """Open a range named `name` on this thread; returns a token for `end` (None when
    nothing records, or when `owner` already has the innermost open range, or an op's
    range named `name` is the innermost: `ag.exp(x)`'s function and its Exp forward make
    one `aten::exp`)."""
    session = _active[0]
    if session is None or not session.recording:
        return None
    stack = getattr(_tls, "stack", None)
    if stack is None:
        stack = _tls.stack = []
    while stack and stack[-1][1]._closed:  # closed from another thread
        stack.pop()
    parent = None
    if stack:
        top_session, top, top_owner = stack[-1]
        if owner is not None and top_owner is owner and (owner is not _OP or top.name == name):
            return None
        if top_session is session:
            parent = top
    shapes = [_shape(a) for a in args] if session.record_shapes else None
    stack_frames = _user_stack() if session.with_stack else None
    thread = threading.get_native_id()
    ev = FunctionEvent(next(session._ids), name, thread, _now_us(), shapes, stack_frames, parent)
    if name.startswith("ProfilerStep#"):  # one row for all steps, as PyTorch's (the trace keeps #n)
        ev.name = "ProfilerStep*"
    session.events.append(ev)
    token = (session, ev, owner)
    stack.append(token)
    return token


def end(token):
    """Close the range `begin` opened (nothing for None)."""
    if token is None:
        return
    _, ev, _ = token
    ev.end_us = _now_us()
    ev._closed = True
    stack = getattr(_tls, "stack", None) or []  # a range may close on another thread
    if stack and stack[-1] is token:
        stack.pop()
    elif token in stack:
        stack.remove(token)
    if ev.cpu_parent is not None:
        ev.cpu_parent.cpu_children.append(ev)


def _snake(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def _op_names():
    if not _names:
        for entry in ENTRIES:
            for cls_name in (entry.onnx or {}):
                _names.setdefault(cls_name, entry.name)
    return _names


def op_name(cls):
    """The recorded name of op class `cls`: "aten::" + its public name."""
    name = _op_names().get(cls.__name__)
    return "aten::" + (name if name is not None else _snake(cls.__name__))


def _timed_forward(forward):
    def forward_timed(ctx, *args, **kwargs):
        token = begin(op_name(type(ctx)), _OP, args)
        try:
            return forward(ctx, *args, **kwargs)
        finally:
            end(token)

    forward_timed.__wrapped__ = forward
    return forward_timed


def _node_name(node):
    if type(node).__name__ == "_AccumulateGrad":  # the engine's leaf node (hooks after accumulation)
        return "torch::autograd::AccumulateGrad"
    return node.name()


def _timed_op_function(fn, name):
    def fn_timed(*args, **kwargs):
        token = begin(name, _OP, args)
        try:
            return fn(*args, **kwargs)
        finally:
            end(token)

    fn_timed.__wrapped__ = fn
    fn_timed.__name__ = getattr(fn, "__name__", name)
    fn_timed.__qualname__ = getattr(fn, "__qualname__", name)
    fn_timed.__doc__ = getattr(fn, "__doc__", None)
    return fn_timed


def _op_function_patches():
    """(owner, name, timed) for the op table's public functions (in `autograd_lite`,
    `autograd_lite.linalg`, `autograd_lite.special`, and `nn.functional` once loaded) and
    its Tensor methods and in-place variants, and Tensor's operators (`x * y` as aten::mul,
    `x[i]` as aten::index)."""
    owners = {"autograd_lite": sys.modules.get("autograd_lite"),
              "linalg": sys.modules.get("autograd_lite.linalg"),
              "special": sys.modules.get("autograd_lite.special"),
              "nn.functional": sys.modules.get("autograd_lite.nn.functional")}
    found = {}
    for entry in ENTRIES:
        owner = owners.get(entry.namespace)
        if owner is not None:
            for name in entry.public_names:
                fn = owner.__dict__.get(name)
                if isinstance(fn, FunctionType):
                    found[(owner, name)] = _timed_op_function(fn, "aten::" + name)
        names = tuple(entry.methods) + ((entry.inplace,) if entry.inplace else ()) + tuple(entry.inplace_aliases)
        for name in names:
            fn = Tensor.__dict__.get(name)
            if isinstance(fn, FunctionType) and not name.startswith("__"):
                found[(Tensor, name)] = _timed_op_function(fn, "aten::" + name)
    for op, names in _OPERATOR_NAMES.items():
        for name in names:
            fn = Tensor.__dict__.get(name)
            if isinstance(fn, FunctionType):
                found[(Tensor, name)] = _timed_op_function(fn, "aten::" + op)
    return [(owner, name, timed) for (owner, name), timed in found.items()]


def _timed_backward(backward):
    def backward_timed(node, *grads):
        token = begin(_node_name(node), node, grads)
        try:
            return backward(node, *grads)
        finally:
            end(token)

    backward_timed.__wrapped__ = backward
    return backward_timed


def _timed_function_apply(apply):
    def apply_timed(cls, *args, **kwargs):
        token = begin(cls.__name__, None, args)
        try:
            return apply.__func__(cls, *args, **kwargs)
        finally:
            end(token)

    apply_timed.__wrapped__ = apply
    return classmethod(apply_timed)


def _timed_optimizer(method, kind):
    def method_timed(self, *args, **kwargs):
        name = type(self).__name__
        token = begin(f"Optimizer.{kind}#{name}.{kind}", self)
        try:
            return method(self, *args, **kwargs)
        finally:
            end(token)

    method_timed.__wrapped__ = method
    method_timed.__name__ = getattr(method, "__name__", kind)
    method_timed.__doc__ = getattr(method, "__doc__", None)
    for attr in ("_hooked",):
        if hasattr(method, attr):
            setattr(method_timed, attr, getattr(method, attr))
    return method_timed


def _subclasses(base):
    seen = [base]
    stack = [base]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen.append(sub)
                stack.append(sub)
    return seen


def _patches():
    """(class, attribute, timed version) for every entry point a profile times."""
    found = []
    for cls in _subclasses(Node):
        attrs = cls.__dict__
        fwd = attrs.get("forward")
        if issubclass(cls, Op) and callable(fwd) and not isinstance(fwd, (staticmethod, classmethod)):
            found.append((cls, "forward", _timed_forward(fwd)))
        for name in ("backward", "fast_backward"):
            fn = attrs.get(name)
            if fn is not None and callable(fn) and not isinstance(fn, (staticmethod, classmethod)):
                found.append((cls, name, _timed_backward(fn)))
    found.append((Function, "apply", _timed_function_apply(Function.__dict__["apply"])))
    found += _op_function_patches()
    optim = sys.modules.get("autograd_lite.optim.optimizer")
    if optim is not None:
        for cls in _subclasses(optim.Optimizer):
            for kind in ("step", "zero_grad"):
                fn = cls.__dict__.get(kind)
                if fn is not None and callable(fn):
                    found.append((cls, kind, _timed_optimizer(fn, kind)))
    return found


def install(session):
    """Make `session` the recording one and swap the timed entry points in; returns what
    `uninstall` needs to put the originals back. Raises RuntimeError if a profile is
    already active (PyTorch allows one profiler at a time)."""
    with _lock:
        if _active[0] is not None:
            raise RuntimeError("profile: a profiler is already active; profilers do not nest "
                               "(leave the running one first)")
        saved = []
        try:
            for cls, name, timed in _patches():
                saved.append((cls, name, cls.__dict__[name]))
                setattr(cls, name, timed)
        except BaseException:
            _restore(saved)
            raise
        _active[0] = session
        return saved


def switch(session):
    """Record into `session` from now on (a schedule's next window)."""
    _active[0] = session


def _restore(saved):
    for cls, name, original in reversed(saved):
        setattr(cls, name, original)


def uninstall(saved):
    """Put the original entry points back and stop recording."""
    with _lock:
        _active[0] = None
        _restore(saved)


def is_active():
    """True while a profile is active (installed), recording or not."""
    return _active[0] is not None


class record_function:
    """A named range in the profile: `with record_function("name"):` or `@record_function("name")`
    on a function. It shows as its own row, its CPU total including the ops run inside it
    and its Self CPU excluding them. Outside a profile it does nothing. `args` is kept as
    PyTorch's (a string, shown nowhere here)."""

    def __init__(self, name, args=None):
        if not isinstance(name, str):
            raise TypeError(f"record_function: name must be a str, got {type(name).__name__}")
        self.name = name
        self.args = args
        self._tokens = []

    def __enter__(self):
        self._tokens.append(begin(self.name))
        return self

    def __exit__(self, exc_type, exc_value, tb):
        end(self._tokens.pop() if self._tokens else None)
        return False

    def __call__(self, fn):
        name = self.name

        def recorded(*args, **kwargs):
            token = begin(name)
            try:
                return fn(*args, **kwargs)
            finally:
                end(token)

        recorded.__name__ = getattr(fn, "__name__", "recorded")
        recorded.__qualname__ = getattr(fn, "__qualname__", recorded.__name__)
        recorded.__doc__ = getattr(fn, "__doc__", None)
        recorded.__wrapped__ = fn
        return recorded
