"""User-defined differentiable ops, as PyTorch's `torch.autograd.Function`:
static `forward(ctx, *args)` and `backward(ctx, *grads)` on Tensors, called
through `MyFn.apply(...)`."""
import numpy as np

from ..tensor import Tensor
from .grad_mode import is_grad_enabled, no_grad
from . import node as node_module
from .graph import _Packed, _connected, _pack, _active_hooks
from .node import PACKED, Node, _FREED_MSG, _edge, _modified_message


class FunctionCtx(Node):
    """The `ctx` of a custom Function, and its node in the graph."""

    needs_input_grad = ()  # a plain attribute here (Node's is a read-only property)
    view_outputs = ()  # outputs that are inputs returned as they are (views, for in-place)

    def __init__(self, fn_cls):
        self._fn_cls = fn_cls
        self._to_save = ()
        self._saved_versions = ()
        self._non_diff = set()
        self._raw_outputs = ()
        self.needs_input_grad = ()

    def name(self):
        """The node's name in the graph: the Function's class name + "Backward"."""
        return self._fn_cls.__name__ + "Backward"

    def save_for_backward(self, *tensors):
        """In `forward`: keep `tensors` (inputs or outputs, or None) for `backward`, which
        reads them as `ctx.saved_tensors`; their versions are checked there, so an
        in-place change in between raises RuntimeError. Raises TypeError for a non-tensor
        (store other values as attributes of `ctx`)."""
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    f"{self.name()}: save_for_backward can only save tensors (or None), "
                    f"got {type(t).__name__}; store other values as attributes of ctx"
                )
        self._to_save = tensors
        self._saved = tensors  # non-empty tells the engine there is something to free

    def mark_non_differentiable(self, *outputs):
        """In `forward`: these outputs get no gradient (and do not require grad), e.g. the
        indices of a sort."""
        self._non_diff.update(id(o) for o in outputs)

    def set_materialize_grads(self, value):
        """With False, backward gets None (not zeros) for outputs that got no gradient."""
        self._materialize = bool(value)

    @property
    def saved_tensors(self):
        if self._released:
            raise RuntimeError(_FREED_MSG.format(op=self.name()))
        out = []
        for t, version in zip(self._to_save, self._saved_versions):
            if t is None:
                out.append(None)
                continue
            if isinstance(t, int):  # a saved output: rebuild it attached to this node
                t = self._outputs_saved[t]
                arr, box, version = t
                if box[0] != version:
                    raise RuntimeError(_modified_message(self, arr, version, box[0]))
                out.append(Tensor._make(arr, True, self, self._out_index_of[id(arr)], box))
                continue
            if version is PACKED:  # kept by saved_tensors_hooks (autograd/graph.py)
                r = t.value(self)
                out.append(Tensor._make(r._data, True, self, t.edge, [0, 0]) if isinstance(t.edge, int)
                           else _connected(r, t.edge))
                continue
            if t._vc[0] != version:
                raise RuntimeError(_modified_message(self, t, version))
            out.append(t)
        return tuple(out)

    def _release(self):
        self._saved = None  # marks it released (Node._released)
        self._to_save = ()
        self._outputs_saved = {}

    def backward(self, *grads):
        """Run the Function's `backward` and check what it returned: one gradient (or None)
        per forward input, broadcast gradients summed to the input's shape, cast to its dtype.

        Raises RuntimeError for too many gradients, a gradient for a non-tensor input or a
        shape that cannot be reduced to the input's; TypeError for a non-tensor gradient."""
        result = self._fn_cls.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n_in = len(self.next_functions)
        if len(result) < n_in or any(r is not None for r in result[n_in:]):
            raise RuntimeError(
                f"{self.name()}: backward returned {len(result)} gradients but forward took "
                f"{n_in} inputs"
            )
        result = result[:n_in]
        checked = []
        for i, (g, edge, meta) in enumerate(zip(result, self.next_functions, self._input_meta)):
            if g is not None and meta[0] is None:
                raise RuntimeError(
                    f"{self.name()} returned a gradient different than None at position {i}, "
                    f"but the corresponding forward input was not a Tensor"
                )
            if g is None or edge is None:
                checked.append(None)
                continue
            if not isinstance(g, Tensor):
                raise TypeError(f"{self.name()}: gradient {i} must be a Tensor or None, got {type(g).__name__}")
            shape, dtype, data = meta
            if g.shape != shape:
                try:
                    if np.broadcast_shapes(g.shape, shape) != g.shape:
                        raise ValueError
                    g = g.sum_to_size(shape)
                except ValueError:
                    raise RuntimeError(
                        f"{self.name()} returned an invalid gradient at index {i}: got shape "
                        f"{tuple(g.shape)} but expected shape compatible with {shape}"
                    ) from None
            if g.dtype != dtype:
                g = g.to(dtype)
            if g._data is data:  # never hand out an input's own array as a gradient
                g = g * 1 if g._requires_grad else Tensor._make(g._data.copy(), False, None, 0, [0, 0])
            checked.append(g)
        return tuple(checked)


class Function:
    """Base class for user-defined ops: subclass, write static `forward(ctx, ...)` and
    `backward(ctx, *grad_outputs)`, call `MyFn.apply(...)`."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        """The computation, on Tensors (run under `no_grad`): `ctx` first, then the arguments
        of `apply`. Return a tensor or a tuple of them. Must be a staticmethod."""
        raise NotImplementedError("Function subclasses must implement forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grad_outputs):
        """The gradients of the inputs given those of the outputs (one per output): return
        one gradient or None per input of `forward`. Written in Tensor ops, it is itself
        differentiable, so `create_graph=True` gives higher derivatives. Must be a staticmethod."""
        raise NotImplementedError("Function subclasses must implement backward(ctx, ...)")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run `forward(ctx, *args, **kwargs)` and, when grad mode is on and a tensor
        argument requires grad, record one node whose backward is this class's `backward`."""
        ctx = FunctionCtx(cls)
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        with no_grad():
            outputs = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        record = is_grad_enabled() and any(ctx.needs_input_grad)
        if record:
            ctx.next_functions = tuple(_edge(a) for a in args)
            ctx._seq = node_module.next_seq()  # anomaly mode swaps the counter
            ctx._input_meta = [
                (a.shape, a.dtype, a._data) if isinstance(a, Tensor) else (None, None, None)
                for a in args
            ]
            ctx.n_outputs = len(outs)
            ctx._out_meta = [(o.shape, o.dtype) if isinstance(o, Tensor) else ((), np.float32)
                             for o in outs]
        wrapped = []
        out_ids = {}
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor):
                wrapped.append(o)
                continue
            diff = record and id(o) not in ctx._non_diff and o.is_floating_point()
            returned = any(o is a for a in args)
            box = o._vc if returned else [0, 0]
            w = Tensor._make(o._data, diff, ctx if diff else None, i, box)
            if returned and diff:
                ctx.view_outputs += (i,)
            out_ids[id(o)] = (i, w)
            wrapped.append(w)
        if record:
            _freeze_saved(ctx, out_ids)
            hooks = _active_hooks()
            if hooks is not None:
                _pack_saved(ctx, hooks)
        return wrapped[0] if single else tuple(wrapped)


def _freeze_saved(ctx, out_ids):
    """Record versions of saved tensors; saved outputs are kept as arrays (no cycle)."""
    to_save = []
    versions = []
    ctx._outputs_saved = {}
    ctx._out_index_of = {}
    for t in ctx._to_save:
        if t is None:
            to_save.append(None)
            versions.append(None)
        elif id(t) in out_ids:
            i, w = out_ids[id(t)]
            ctx._outputs_saved[i] = (w._data, w._vc, w._vc[0])
            ctx._out_index_of[id(w._data)] = i
            to_save.append(i)
            versions.append(None)
        else:
            to_save.append(t)
            versions.append(t._vc[0])
    ctx._to_save = tuple(to_save)
    ctx._saved_versions = tuple(versions)


def _pack_saved(ctx, hooks):
    """Under saved_tensors_hooks: keep each saved tensor as what the pack hook returned."""
    pack, unpack = hooks
    to_save = []
    versions = []
    for t in ctx._to_save:
        if t is None:
            to_save.append(None)
            versions.append(None)
            continue
        if isinstance(t, int):  # a saved output
            arr, box, _ = ctx._outputs_saved[t]
            w = Tensor._make(arr, True, ctx, t, box)
            to_save.append(_Packed(_pack(pack, w), unpack, w, t))  # edge: the output's index
        else:
            to_save.append(_Packed(_pack(pack, t), unpack, t, _edge(t)))
        versions.append(PACKED)
    ctx._to_save = tuple(to_save)
    ctx._saved_versions = tuple(versions)
    ctx._saved = ctx._to_save  # the originals are no longer held
    ctx._outputs_saved = {}
