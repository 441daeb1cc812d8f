"""Graph nodes: the base every op's backward node derives from.

A node is made when an op runs with grad mode on and an input requires grad. It
keeps edges to the nodes (or leaf tensors) that produced its inputs, the tensors its
backward needs (with their versions, so in-place changes are caught), and the
backward rule. The node doubles as the `ctx` the op's forward writes to.
"""
import itertools

from numpy import asarray as _asarray, ndarray as _ndarray

from ..tensor import Tensor, _HookList, track_view
from .grad_mode import is_grad_enabled as _grad_enabled

# The saved version of a tensor that saved_tensors_hooks packed (autograd/graph.py): the
# readers' in-place check never matches it, and their mismatch branch unpacks (the hot
# paths are unchanged: no flag is read where nothing was packed).
PACKED = object()

_FREED_MSG = (
    "{op}: trying to backward through the graph a second time (or to read saved "
    "tensors after they were freed). Saved intermediate values are freed by "
    "backward() and autograd.grad(); pass retain_graph=True to the first call if "
    "you need to backward through the graph again."
)


class Node:
    """Base of all backward nodes.

    Attributes the engine reads: `next_functions` (one edge per input: None, or
    `(node_or_leaf_tensor, output_nr)`), `n_outputs`, and `_pre_hooks`.
    """

    next_functions = ()
    n_outputs = 1
    _pre_hooks = None  # {output_nr: [hook, ...]}: tensor hooks on this node's outputs
    _seq = 0  # creation order; the engine runs nodes from the newest down
    _plain_release = True  # `_release` is Node's (set per subclass)
    _materialize = True  # multi-output nodes get zeros (not None) for outputs without grad
    _saved = ()  # the saved inputs; None once backward freed them (`_released`)
    _saved_versions = ()
    _out = None  # (array, version box, version) of an output saved for backward
    _out_meta = None  # [(shape, dtype)] per output, for multi-output nodes
    fast_backward = None  # optional first-order rule on ndarrays (see Op); the engine
    # reads it from the class

    def name(self):
        """The name shown in graphs and error messages ("MulBackward")."""
        return type(self).__name__ + "Backward"

    def __repr__(self):
        return f"<{self.name()}>"

    @property
    def needs_input_grad(self):
        """One bool per input: whether a gradient for that input is wanted."""
        return tuple(edge is not None for edge in self.next_functions)

    # ---- saved tensors -------------------------------------------------------
    @property
    def _released(self):
        """Whether backward freed what this node saved (a second backward through it
        then raises). One store marks it, `_saved = None`: the engine's per-node cost
        (op_overhead's backward: 408 -> 388 us, with a flag and two stores before)."""
        return self._saved is None

    @property
    def saved_tensors(self):
        """The saved input tensors, checked against in-place changes."""
        saved = self._saved
        if saved is None:
            raise RuntimeError(_FREED_MSG.format(op=self.name()))
        for t, version in zip(saved, self._saved_versions):
            if version is not None and t._vc[0] != version:
                if version is PACKED:  # kept by saved_tensors_hooks (autograd/graph.py)
                    return t.unpack_inputs(self, False)
                raise RuntimeError(_modified_message(self, t, version))
        return saved

    @property
    def saved_arrays(self):
        """`saved_tensors` as arrays (the same checks), for `fast_backward`."""
        saved = self._saved
        if saved is None:
            raise RuntimeError(_FREED_MSG.format(op=self.name()))
        if len(saved) == 2:  # the common case (binary ops), unrolled
            t, u = saved
            vt, vu = self._saved_versions
            if vt is not None:
                if t._vc[0] != vt:
                    if vt is PACKED:
                        return t.unpack_inputs(self, True)
                    raise RuntimeError(_modified_message(self, t, vt))
                t = t._data
            if vu is not None:
                if u._vc[0] != vu:
                    if vu is PACKED:
                        return u.unpack_inputs(self, True)
                    raise RuntimeError(_modified_message(self, u, vu))
                u = u._data
            return t, u
        out = []
        for t, version in zip(saved, self._saved_versions):
            if version is None:  # saved as it came: an array or a constant
                out.append(t)
            elif t._vc[0] != version:
                if version is PACKED:
                    return t.unpack_inputs(self, True)
                raise RuntimeError(_modified_message(self, t, version))
            else:
                out.append(t._data)
        return out

    @property
    def saved_output(self):
        """The saved output as a tensor connected to this node (for double backward)."""
        if self._out is None:  # never saved, or freed by backward
            raise RuntimeError(_FREED_MSG.format(op=self.name()))
        array, box, version = self._out
        if box[0] != version:
            if version is PACKED:
                return array.unpack_output(self, False)
            raise RuntimeError(_modified_message(self, array, version, box[0]))
        return Tensor._make(array, True, self, 0, box)

    @property
    def saved_output_data(self):
        """The saved output's array, checked as `saved_output` (for `fast_backward`)."""
        out = self._out
        if out is None:
            raise RuntimeError(_FREED_MSG.format(op=self.name()))
        if out[1][0] != out[2]:
            if out[2] is PACKED:
                return out[0].unpack_output(self, True)
            raise RuntimeError(_modified_message(self, out[0], out[2], out[1][0]))
        return out[0]

    def _release(self):
        """Free what backward needed; a second backward then raises. The engine calls
        it after the rule of a class that overrides it; for the others (`_plain_release`)
        it does this inline, where it marks released only a node that saved inputs."""
        self._saved = None
        self._out = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._plain_release = cls._release is Node._release

    # ---- hooks -----------------------------------------------------------------
    def _add_pre_hook(self, output_nr, hook, retains_grad=False):
        """Add a tensor hook on output `output_nr` and return its hook list. The
        retain_grad hook always runs last, so `.grad` shows what other hooks made of
        the gradient (as PyTorch)."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
        hooks = self._pre_hooks.get(output_nr)
        if hooks is None:
            hooks = self._pre_hooks[output_nr] = _HookList()
        if retains_grad or not hooks or hooks.retain_hook is None:
            hooks.append(hook)
        else:
            hooks.insert(len(hooks) - 1, hook)
        if retains_grad:
            hooks.retain_hook = hook
        return hooks


def _modified_message(node, t, saved_version, now=None):
    now = t._vc[0] if now is None else now
    return (
        f"{node.name()}: a {t.dtype} tensor of shape {tuple(t.shape)} needed for the "
        f"gradient was modified by an in-place operation (it is at version {now}; "
        f"version {saved_version} was saved for backward). Use an out-of-place op or "
        f"clone() the tensor before changing it."
    )


class Op(Node):
    """An op: `forward(ctx, *arrays, **params) -> ndarray` and
    `backward(ctx, *grads) -> Tensor | tuple` written in autograd_lite ops.

    Class attributes an op may set:
      save_inputs: positions of inputs its backward reads (`ctx.saved_tensors`);
      save_output: backward reads the output (`ctx.saved_output`);
      is_view: the output shares memory with input 0 (shares its version counter);
      multi_output: forward returns a tuple of arrays;
      non_differentiable: positions of outputs that never carry a gradient;

    An op that decides per call (basic vs advanced indexing, a variable number of
    inputs) calls `ctx.mark_view()` or `ctx.mark_saved(*positions)` in its forward
    instead of setting the class attributes.

    A single-output op may also define `fast_backward(ctx, grad_array)`: the same
    first-order rule on ndarrays, returning arrays (or None) where `backward` returns
    Tensors. The engine uses it when no graph is built (create_graph=False), which
    skips a Tensor wrap and an op dispatch per gradient op: on small tensors those
    cost more than the arithmetic. `backward` stays the rule for higher orders.
    """

    save_inputs = ()
    save_output = False
    is_view = False
    multi_output = False
    non_differentiable = ()
    _plan = None  # set per subclass by __init_subclass__ (see _recording_plan)

    def mark_view(ctx):
        """In forward: this call's output shares memory (and the version counter) with
        input 0. The op's class then records through the general path, which reads
        the flags per call (apply1/apply2 read the class's plan after forward)."""
        ctx.is_view = True
        type(ctx)._plan = None

    def mark_saved(ctx, *positions):
        """In forward: backward reads the inputs at `positions` (`ctx.saved_tensors`),
        decided per call; like mark_view, it moves the class to the general path."""
        ctx.save_inputs = positions
        type(ctx)._plan = None

    def forward(ctx, *args, **kwargs):  # pragma: no cover - abstract
        """The op's computation on NumPy arrays (inputs are the `_data` of the tensor
        arguments; other arguments pass as they are); returns an ndarray, or a tuple for
        a multi-output op. Writes what backward needs onto `ctx`."""
        raise NotImplementedError

    def backward(ctx, *grads):  # pragma: no cover - abstract
        """The gradients of the inputs, in Tensor ops so that they are differentiable, given
        the output gradients (Tensors). Return one gradient or None per input.

        Raises RuntimeError in an op that declares none (not differentiable)."""
        raise RuntimeError(f"{ctx.name()}: this op is not differentiable")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run the op on `args` (Tensors, or anything else passed through as is)."""
        # Hot path of every op: plain loops, no comprehensions, no ** when kwargs is empty.
        ctx = _new(cls)
        arrays = []
        record = False
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a._data)
                if a._requires_grad:
                    record = True
            else:
                arrays.append(a)
        out = ctx.forward(*arrays, **kwargs) if kwargs else ctx.forward(*arrays)
        if record and _grad_enabled():
            return _recorded(ctx, cls, args, out)
        return _unrecorded(ctx, cls, args, out)

    # apply1(x), `apply` for one Tensor input and no parameters (the hot unary ops), is
    # made per class by __init_subclass__ (see _unary_apply)

    @classmethod
    def unary_function(cls, coerce):
        """The op's public function of one input: apply1 with `coerce(x)` first for
        an input that isn't a float Tensor, in one frame (tanh on 4x4: 1.21 -> 1.1 us)."""
        return _unary_apply(cls, coerce)

    @classmethod
    def apply2(cls, a, b):
        """`apply` for two inputs (Tensors or arrays) and no parameters (binary ops).
        The edges are made inline: this path runs for most ops of a model."""
        ctx = _new(cls)
        a_t = isinstance(a, Tensor)
        b_t = isinstance(b, Tensor)
        out = ctx.forward(a._data if a_t else a, b._data if b_t else b)
        if _grad_enabled():
            ea = eb = None
            if a_t and a._requires_grad:
                fn = a.grad_fn
                ea = (a, 0) if fn is None else (fn, a._output_nr)
            if b_t and b._requires_grad:
                fn = b.grad_fn
                eb = (b, 0) if fn is None else (fn, b._output_nr)
            if ea is not None or eb is not None:
                ctx.next_functions = (ea, eb)
                plan = cls._plan
                if plan is None:
                    return _record_outputs(ctx, cls, (a, b), out)
                # the rest of _record_outputs and _plain_output inlined (hot path)
                save, save_both, save_output = plan
                ctx._seq = next_seq()
                if save:
                    if save_both and a_t and b_t:  # _save_inputs inlined: a call costs 0.3 us
                        ctx._saved = (a, b)
                        ctx._saved_versions = (a._vc[0], b._vc[0])
                    else:
                        _save_inputs(ctx, save, (a, b))
                if out.__class__ is not _ndarray:
                    out = _asarray(out)
                box = [0, 0]
                t = _new(Tensor)
                t._data = out
                t._grad = None
                t._requires_grad = True
                t.grad_fn = ctx
                t._output_nr = 0
                t._vc = box
                t._hooks = None
                t._retains_grad = False
                if save_output:
                    ctx._out = (out, box, 0)
                return t
        return _unrecorded(ctx, cls, (a, b), out)

    @classmethod
    def operator(cls, general, scalar):
        """`tensor OP other` for this binary op: two Tensors of one float dtype run the
        forward with apply2's recording inlined (the operator slot's call into Python
        then makes one frame, not three: x * w on 4x4 tensors, 1.34 -> 1.22 us); a Python
        number goes to apply2 as `scalar(number, dtype)`; anything else to `general`
        (promotion, other types). A Tensor subclass that keeps Tensor's slots (Parameter,
        `Tensor._plain_operand`) is a Tensor here: x * param 1.80 -> 1.3 us. The plan is read after forward, as apply2 does (a
        forward may mark its call, which sends the class to the general path), and the
        forward is looked up per call, as apply2 does (an ONNX trace wraps it)."""
        apply2 = cls.apply2

        def method(self, other):
            a = self._data
            dt = a.dtype
            if dt.kind != "f":
                return general(self, other)
            kind = other.__class__
            if kind is not Tensor:
                if kind is float or kind is int:
                    return apply2(self, scalar(other, dt))
                if not getattr(kind, "_plain_operand", False):  # Parameter: True
                    return general(self, other)
            b = other._data
            if b.dtype is not dt:
                return general(self, other)
            ctx = _new(cls)
            out = ctx.forward(a, b)
            ra = self._requires_grad
            rb = other._requires_grad
            if (ra or rb) and _grad_enabled():
                fn = self.grad_fn
                ea = ((self, 0) if fn is None else (fn, self._output_nr)) if ra else None
                fn = other.grad_fn
                eb = ((other, 0) if fn is None else (fn, other._output_nr)) if rb else None
                ctx.next_functions = (ea, eb)
                plan = cls._plan
                if plan is None:
                    return _record_outputs(ctx, cls, (self, other), out)
                save, save_both, save_output = plan
                ctx._seq = next_seq()
                if save_both:
                    ctx._saved = (self, other)
                    ctx._saved_versions = (self._vc[0], other._vc[0])
                elif save:
                    _save_inputs(ctx, save, (self, other))
                if out.__class__ is not _ndarray:
                    out = _asarray(out)
                box = [0, 0]
                t = _new(Tensor)
                t._data = out
                t._grad = None
                t._requires_grad = True
                t.grad_fn = ctx
                t._output_nr = 0
                t._vc = box
                t._hooks = None
                t._retains_grad = False
                if save_output:
                    ctx._out = (out, box, 0)
                return t
            return _unrecorded(ctx, cls, (self, other), out)

        method.__name__ = general.__name__
        return method

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._plan = _recording_plan(cls)
        cls.apply1 = staticmethod(_unary_apply(cls))


def _unary_apply(cls, coerce=None):
    """`cls.apply1`: a plain function per class, as a classmethod would make a bound
    method per call. With `coerce`, `unary_function`'s check runs first."""

    def apply1(x):
        if coerce is not None and (x.__class__ is not Tensor or x._data.dtype.kind != "f"):
            x = coerce(x)
        ctx = _new(cls)
        out = ctx.forward(x._data)
        if x._requires_grad and _grad_enabled():
            fn = x.grad_fn
            ctx.next_functions = ((x, 0) if fn is None else (fn, x._output_nr),)
            plan = cls._plan
            if plan is None:
                return _record_outputs(ctx, cls, (x,), out)
            # the rest of _record_outputs and _plain_output inlined (hot path)
            save, _, save_output = plan
            ctx._seq = next_seq()
            if save:
                _save_inputs(ctx, save, (x,))
            if out.__class__ is not _ndarray:
                out = _asarray(out)
            box = [0, 0]
            t = _new(Tensor)
            t._data = out
            t._grad = None
            t._requires_grad = True
            t.grad_fn = ctx
            t._output_nr = 0
            t._vc = box
            t._hooks = None
            t._retains_grad = False
            if save_output:
                ctx._out = (out, box, 0)
            return t
        return _unrecorded(ctx, cls, (x,), out)

    return apply1


def _recording_plan(cls):
    """What apply1/apply2 do after an op's forward, decided once per class: read
    through `cls` or `ctx` on every call, the flags cost ~0.4 us of a 1.9 us op
    (CPython 3.11). None sends the op to the general path, which reads them from ctx."""
    if cls.multi_output or cls.is_view:
        return None
    save = tuple(cls.save_inputs)
    return (save, save == (0, 1), bool(cls.save_output))


def _unrecorded(ctx, cls, args, out):
    """The output tensor(s) of an op that recorded no node."""
    if cls.multi_output:
        return _wrap_outputs(ctx, cls, args, out, False)
    if ctx.is_view:
        t = _wrap(out, False, None, args[0]._vc)
        track_view(args[0], t)
        return t
    return _wrap(out, False, None, [0, 0])


def _recorded(ctx, cls, args, out):
    """Record `ctx` as the node behind the output(s): edges, saved inputs/output."""
    edges = []
    for a in args:
        if isinstance(a, Tensor) and a._requires_grad:
            fn = a.grad_fn
            edges.append((a, 0) if fn is None else (fn, a._output_nr))
        else:
            edges.append(None)
    ctx.next_functions = tuple(edges)
    return _record_outputs(ctx, cls, args, out)


def _record_outputs(ctx, cls, args, out):
    """The rest of recording once the edges are set: order, saved inputs, outputs."""
    ctx._seq = next_seq()
    save = ctx.save_inputs
    if save:
        _save_inputs(ctx, save, args)
    if cls.multi_output:
        return _wrap_outputs(ctx, cls, args, out, True)
    if ctx.is_view:
        t = _wrap(out, True, ctx, args[0]._vc)
        track_view(args[0], t)
        return t
    return _plain_output(ctx, cls, out)


def _save_inputs(ctx, save, args):
    """Keep the inputs at positions `save` with their versions, for backward."""
    n = len(save)
    if n == 1:
        t = args[save[0]]
        ctx._saved = (t,)
        ctx._saved_versions = (t._vc[0] if isinstance(t, Tensor) else None,)
    elif n == 2:
        t = args[save[0]]
        u = args[save[1]]
        ctx._saved = (t, u)
        ctx._saved_versions = (t._vc[0] if isinstance(t, Tensor) else None,
                               u._vc[0] if isinstance(u, Tensor) else None)
    else:  # plain loop: a comprehension costs a function object per call
        saved = []
        versions = []
        for i in save:
            t = args[i]
            saved.append(t)
            versions.append(t._vc[0] if isinstance(t, Tensor) else None)
        ctx._saved = tuple(saved)
        ctx._saved_versions = tuple(versions)


def _plain_output(ctx, cls, out):
    """The output tensor of node `ctx` (one output, not a view): `_wrap` inlined.
    Op.apply1/apply2 inline this too (a call frame costs ~60 ns of a ~2 us op)."""
    if out.__class__ is not _ndarray:
        out = _asarray(out)
    box = [0, 0]
    t = _new(Tensor)
    t._data = out
    t._grad = None
    t._requires_grad = True
    t.grad_fn = ctx
    t._output_nr = 0
    t._vc = box
    t._hooks = None
    t._retains_grad = False
    if cls.save_output:
        ctx._out = (out, box, 0)
    return t


_new = object.__new__
next_seq = itertools.count(1).__next__


def _wrap(data, requires_grad, grad_fn, box):
    t = _new(Tensor)
    if data.__class__ is not _ndarray:
        data = _asarray(data)
    t._data = data
    t._grad = None
    t._requires_grad = requires_grad
    t.grad_fn = grad_fn
    t._output_nr = 0
    t._vc = box
    t._hooks = None
    t._retains_grad = False
    return t


def _edge(a):
    if isinstance(a, Tensor) and a._requires_grad:
        fn = a.grad_fn
        return (a, 0) if fn is None else (fn, a._output_nr)
    return None


def _wrap_outputs(ctx, cls, args, outs, record):
    if record:
        ctx.n_outputs = len(outs)
        ctx._out_meta = [(o.shape, o.dtype) for o in outs]
    nd = cls.non_differentiable
    results = []
    for i, o in enumerate(outs):
        box = args[0]._vc if cls.is_view else [0, 0]
        diff = record and i not in nd
        t = Tensor._make(o, diff, ctx if diff else None, i, box)
        if cls.is_view:
            track_view(args[0], t)
        results.append(t)
    return tuple(results)

