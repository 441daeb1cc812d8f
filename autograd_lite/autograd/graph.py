"""`torch.autograd.graph`'s namespace: hooks on the tensors ops save for backward
(`saved_tensors_hooks`, `save_on_cpu`, `disable_saved_tensors_hooks`), the graph's
`Node` type, gradient edges (`GradientEdge`, `get_gradient_edge`),
`register_multi_grad_hook` and `increment_version`.

How saved tensors are hooked. Recording has fast paths (`Op.apply1`, `apply2`,
`Op.operator`) that save an op's inputs and output inline, from a plan each op class
keeps (`Op._plan`). While a `saved_tensors_hooks` context is active in any thread,
every class's plan is set aside (None), which sends every recording through the
general path's `node._record_outputs`, and that function is swapped for one that packs
what the node saved. When the last context ends, the plans and the function come
back: with no context active, recording runs exactly the code it runs without this
module. A packed tensor is kept as a `_Packed` holder whose saved version is
`node.PACKED`: the saved-tensor readers' in-place check never matches it, so their
mismatch branch (never taken otherwise) unpacks.
"""
import contextlib
import contextvars
import threading
from typing import NamedTuple

from ..tensor import Tensor, mark_dirty
from . import node as node_module
from .engine import _needed_nodes, _toposort, current_backward, task_users
from .grad_mode import no_grad
from .node import PACKED, Node, Op, next_seq

__all__ = ["Node", "GradientEdge", "get_gradient_edge", "saved_tensors_hooks", "save_on_cpu",
           "disable_saved_tensors_hooks", "register_multi_grad_hook", "increment_version"]

_stack = contextvars.ContextVar("autograd_lite_saved_tensors_hooks", default=())
_disabled = contextvars.ContextVar("autograd_lite_saved_tensors_hooks_disabled", default=None)
_users = 0  # active saved_tensors_hooks contexts, in all threads
_users_lock = threading.Lock()
_plans = {}  # op class -> its recording plan, set aside while hooks are active
_swapped = [None]  # (the _record_outputs we replaced, ours) while hooks are active

_PACK_INPLACE = (
    "A saved tensor pack hook is modifying its input in place. Tensors provided as input to "
    "pack hook cannot be modified by in-place operations as this can lead to unexpected "
    "side-effects (saved_tensors_hooks: return a copy from the pack hook instead)."
)


def _op_classes():
    out = []
    todo = [Op]
    while todo:
        for sub in todo.pop().__subclasses__():
            out.append(sub)
            todo.append(sub)
    return out


def _acquire():
    global _users
    with _users_lock:
        _users += 1
        if _users == 1:
            for cls in _op_classes():
                _plans[cls] = cls._plan
                cls._plan = None  # apply1/apply2/operator then call _record_outputs
            _swapped[0] = (node_module._record_outputs, _record_and_pack)
            node_module._record_outputs = _record_and_pack


def _release():
    global _users
    with _users_lock:
        _users -= 1
        if _users == 0:
            # a class that marked a call meanwhile (mark_view/mark_saved) may get its
            # plan back: its forward marks again before the plan is read
            for cls, plan in _plans.items():
                cls._plan = plan
            _plans.clear()
            replaced, ours = _swapped[0]
            if node_module._record_outputs is ours:  # else someone swapped it since
                node_module._record_outputs = replaced
            _swapped[0] = None


def _record_and_pack(ctx, cls, args, out):
    """`node._record_outputs` while hooks are active: record, then pack what was saved
    with this thread's innermost hooks."""
    swapped = _swapped[0]
    plain = swapped[0] if swapped is not None else node_module._record_outputs
    result = plain(ctx, cls, args, out)
    hooks = _stack.get()
    if hooks:
        pack, unpack = hooks[-1]
        saved = ctx._saved
        if saved:
            held = []
            versions = []
            for t, edge in zip(saved, _saved_edges(ctx, args, saved)):
                if isinstance(t, Tensor):
                    held.append(_Packed(_pack(pack, t), unpack, t, edge))
                    versions.append(PACKED)
                else:
                    held.append(t)
                    versions.append(None)
            ctx._saved = tuple(held)
            ctx._saved_versions = tuple(versions)
        if ctx._out is not None and isinstance(result, Tensor):
            ctx._out = (_Packed(_pack(pack, result), unpack, result, None), _NEVER, PACKED)
    return result


_NEVER = (None,)  # a version box that never matches a saved version


def _saved_edges(ctx, args, saved):
    """The graph edge of each saved input (where its unpacked tensor connects)."""
    edges = []
    for t in saved:
        edge = None
        for a, e in zip(args, ctx.next_functions):
            if a is t:
                edge = e
                break
        edges.append(edge)
    return edges


def _pack(pack, t):
    version = t._vc[0]
    with no_grad():
        packed = pack(t)
    if t._vc[0] != version:
        raise RuntimeError(_PACK_INPLACE)
    return packed


class _Packed:
    """A saved tensor kept as what a pack hook returned, with the unpack hook and what
    the unpacked tensor is checked against (shape, dtype) and connected to (edge)."""

    __slots__ = ("packed", "unpack", "shape", "dtype", "edge")
    _vc = _NEVER

    def __init__(self, packed, unpack, t, edge):
        self.packed = packed
        self.unpack = unpack
        self.shape = tuple(t.shape)
        self.dtype = t.dtype
        self.edge = edge

    def value(self, node):
        """The unpacked tensor, checked: a Tensor of the saved tensor's shape and dtype."""
        r = self.unpack(self.packed)
        if not isinstance(r, Tensor):
            raise TypeError(
                f"{node.name()}: output of saved tensor unpack_hook expected to be a Tensor "
                f"but got result of type {type(r).__name__}")
        if tuple(r.shape) != self.shape or r.dtype != self.dtype:
            raise RuntimeError(
                f"{node.name()}: the saved tensors unpack_hook returned a {r.dtype} tensor of "
                f"shape {tuple(r.shape)} for a saved {self.dtype} tensor of shape {self.shape}; "
                f"it must return a tensor of the saved one's shape and dtype")
        return r

    def unpack_inputs(self, node, arrays):
        """All of `node`'s saved inputs unpacked (arrays, or tensors connected to the
        graph as the saved ones were, for a double backward)."""
        out = []
        for t, version in zip(node._saved, node._saved_versions):
            if version is not PACKED:
                out.append(t)
                continue
            r = t.value(node)
            if arrays:
                out.append(r._data)
            else:
                out.append(_connected(r, t.edge))
        return tuple(out)

    def unpack_output(self, node, arrays):
        """`node`'s saved output unpacked (its array, or a tensor attached to `node`)."""
        r = self.value(node)
        if arrays:
            return r._data
        return Tensor._make(r._data, True, node, 0, [0, 0])


def _connected(r, edge):
    """The unpacked tensor `r` as a tensor whose gradient goes where the saved one's went."""
    if edge is None:
        return r if not r._requires_grad else Tensor._make(r._data, False, None, 0, [0, 0])
    target, nr = edge
    if isinstance(target, Node):
        return Tensor._make(r._data, True, target, nr, [0, 0])
    if r is target:  # the saved leaf itself came back
        return r
    return Tensor._make(r._data, True, _ToLeaf(target), 0, [0, 0])


class _ToLeaf(Node):
    """Passes a gradient on to a leaf: the node behind an unpacked copy of a saved leaf
    (PyTorch's unpacked tensor shares the leaf's gradient accumulator)."""

    def __init__(self, leaf):
        self.next_functions = ((leaf, 0),)
        self._seq = next_seq()  # its consumers are made after it: they run first

    def name(self):
        """The node's name in graphs and errors."""
        return "UnpackedSavedLeafBackward"

    def backward(self, g):
        """The gradient, unchanged."""
        return g

    def fast_backward(self, g):
        """The gradient array, unchanged."""
        return g


class saved_tensors_hooks:
    """PyTorch's `torch.autograd.graph.saved_tensors_hooks(pack_hook, unpack_hook)`: while
    active (in this thread), every tensor an op recorded here saves for backward is passed
    to `pack_hook(tensor)` (run under no_grad) and what it returns is kept instead; backward,
    whenever it runs, reads it through `unpack_hook(packed)`, which must return a Tensor.
    Nested contexts use the innermost pair. As PyTorch: no in-place version check is made
    on packed tensors; a pack hook that changes its input in place raises RuntimeError; an
    unpack hook returning a non-Tensor raises TypeError. Unlike PyTorch (which computes with
    what comes back), an unpacked tensor of another shape or dtype than the saved one raises
    RuntimeError. Hooks see the tensors ops save as inputs or output (and custom Functions'
    `save_for_backward`); arrays an op keeps for itself (a norm's statistics, pooling
    indices) are kept as they are. Entering it inside `disable_saved_tensors_hooks` raises
    RuntimeError with that context's message."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook
        self._tokens = []

    def __enter__(self):
        message = _disabled.get()
        if message is not None:
            raise RuntimeError(message)
        self._tokens.append(_stack.set(_stack.get() + ((self.pack_hook, self.unpack_hook),)))
        _acquire()
        return None

    def __exit__(self, *exc):
        _stack.reset(self._tokens.pop())
        _release()
        return False


def _active_hooks():
    """This thread's innermost (pack_hook, unpack_hook), or None."""
    stack = _stack.get()
    return stack[-1] if stack else None


class save_on_cpu(saved_tensors_hooks):
    """PyTorch's `save_on_cpu(pin_memory=False, device_type="cuda")`: saved tensors are
    moved to the CPU when packed and back to their device when unpacked. Everything is on
    the CPU here, so, as PyTorch's on CPU tensors: with `pin_memory=False` the saved tensor
    itself is kept (`tensor.cpu()` is the tensor); with `pin_memory=True` a copy is (PyTorch
    copies into memory it can pin only where an accelerator is available; here it never
    is, and the copy is an ordinary one)."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack_to_cpu(tensor):
            if not pin_memory:
                return (tensor.device, tensor.cpu())
            return (tensor.device, tensor.detach().clone())

        def unpack_from_cpu(packed):
            device, tensor = packed
            return tensor.to(device)

        super().__init__(pack_to_cpu, unpack_from_cpu)


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message):
    """PyTorch's context manager that forbids saved tensors hooks: entering
    `saved_tensors_hooks` (or `save_on_cpu`) inside it raises RuntimeError(error_message),
    and so does entering it while a saved_tensors_hooks context is active in this thread."""
    if _stack.get():
        raise RuntimeError(error_message)
    token = _disabled.set(error_message)
    try:
        yield
    finally:
        _disabled.reset(token)


class GradientEdge(NamedTuple):
    """PyTorch's `GradientEdge(node, output_nr, ownership_token=None)`: where a tensor's
    gradient is computed. For a leaf, `node` is the leaf tensor itself (as in the graph's
    edges: `grad_fn.next_functions` holds `(leaf, 0)`), where PyTorch's is its
    AccumulateGrad node. `autograd.grad` takes edges as inputs."""

    node: object
    output_nr: int
    ownership_token: object = None


def get_gradient_edge(tensor):
    """The `GradientEdge` of `tensor`: `(tensor.grad_fn, output_nr)`, or `(tensor, 0)` for a
    leaf. Raises RuntimeError for a tensor that does not require grad, as PyTorch."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"get_gradient_edge: expected a Tensor, got {type(tensor).__name__}")
    if not tensor._requires_grad:
        raise RuntimeError("get_gradient_edge: it is not possible to get the gradient edge for a "
                           "Tensor that does not require gradients")
    fn = tensor.grad_fn
    if fn is None:
        return GradientEdge(tensor, 0)
    return GradientEdge(fn, tensor._output_nr)


def increment_version(tensor):
    """Move the in-place version counter of `tensor` (or of each tensor of an iterable)
    on, as after an in-place change autograd did not see: a saved copy then raises when
    backward reads it."""
    tensors = (tensor,) if isinstance(tensor, Tensor) else tuple(tensor)
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"increment_version: expected Tensors, got {type(t).__name__}")
        mark_dirty(t)


class _MultiHandle:
    """The handle `register_multi_grad_hook` returns: `remove()` removes every hook. While
    one is live, backward publishes what it runs (`engine.current_backward`)."""

    def __init__(self, handles):
        self.handles = tuple(handles)
        with _users_lock:
            task_users[0] += 1
        self._live = True

    def remove(self):
        """Remove the hooks on all the tensors."""
        for h in self.handles:
            h.remove()
        with _users_lock:
            if self._live:
                self._live = False
                task_users[0] -= 1

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
        return False


def _reached(task):
    """(nodes whose tensor hooks the running backward calls, leaves whose hooks it calls)."""
    roots, targets, accumulate = task
    root_nodes = [t.grad_fn for t in roots if t.grad_fn is not None]
    needed = None
    leaf_targets = None
    if targets is not None:
        node_targets = {t.grad_fn for t in targets if t.grad_fn is not None}
        leaf_targets = {id(t) for t in targets if t.grad_fn is None}
        needed = _needed_nodes(_toposort(root_nodes), node_targets, leaf_targets)
    nodes = set(root_nodes)
    leaves = {id(t) for t in roots if t.grad_fn is None}
    todo = list(nodes)
    while todo:
        node = todo.pop()
        if needed is not None and node not in needed:
            continue  # not run: it sends nothing on
        for edge in node.next_functions:
            if edge is None:
                continue
            child = edge[0]
            if isinstance(child, Node):
                if child not in nodes:
                    nodes.add(child)
                    todo.append(child)
            else:
                leaves.add(id(child))
    if leaf_targets is not None:
        leaves &= leaf_targets
    return nodes, leaves


def register_multi_grad_hook(tensors, fn, *, mode="all"):
    """PyTorch's `register_multi_grad_hook(tensors, fn, mode="all")`. With "all", `fn(grads)`
    runs once per backward after the gradients of every tensor of `tensors` that this
    backward reaches were computed, `grads` holding None for the others (a tensor outside
    the graph, or not needed for the `inputs` asked for). With "any", `fn(grad)` runs with
    the first of their gradients computed in a backward. Returns a handle whose `remove()`
    removes the hooks. Raises ValueError for another mode; RuntimeError, as
    `Tensor.register_hook`, under "all" for a tensor that does not require grad."""
    if mode not in ("all", "any"):
        raise ValueError(f"register_multi_grad_hook: expects mode to be one of ('all', 'any') but got {mode!r}")
    tensors = list(tensors)
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"register_multi_grad_hook: expected Tensors, got {type(t).__name__}")
    lock = threading.Lock()
    if mode == "any":
        ran = {}  # id(task) -> task, for the backwards that called fn

        def any_hook(grad):
            task = current_backward.get()
            with lock:
                if task is not None and ran.get(id(task)) is task:
                    return None
                if len(ran) > 64:
                    ran.clear()  # backwards long done
                ran[id(task)] = task
            fn(grad)
            return None
        return _MultiHandle(t.register_hook(any_hook) for t in tensors if t._requires_grad)

    states = {}  # id(task) -> [task, calls expected, calls so far, grads]
    n = len(tensors)

    def make_hook(i):
        def hook(grad):
            task = current_backward.get()
            if task is None:
                raise RuntimeError("register_multi_grad_hook: a hook ran outside a backward call")
            with lock:
                state = states.get(id(task))
                if state is None or state[0] is not task:
                    nodes, leaves = _reached(task)
                    expected = sum(1 for t in tensors if (t.grad_fn in nodes if t.grad_fn is not None
                                                          else id(t) in leaves))
                    state = states[id(task)] = [task, expected, 0, [None] * n]
                state[3][i] = grad
                state[2] += 1
                done = state[2] == state[1]
                if done:
                    del states[id(task)]
            if done:
                fn(state[3])
            return None
        return hook

    return _MultiHandle(t.register_hook(make_hook(i)) for i, t in enumerate(tensors))
