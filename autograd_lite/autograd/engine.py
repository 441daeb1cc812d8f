"""The backward engine: reverse creation order (a topological order) without
recursion, gradient buffers,
hooks, leaf accumulation, and `autograd.grad`'s capture of chosen inputs."""
import contextvars
from heapq import heappop, heappush
from sys import getrefcount

import numpy as np
from numpy import ndarray as _ndarray

from ..kernels.aligned import owns_memory
from ..tensor import Tensor, mark_dirty, post_accumulate_hooks
from .anomaly import check_gradients, is_anomaly_enabled, warn_error_in
from .destinations import adopt, end_of_backward, start_of_backward
from .grad_mode import _restore as _restore_grad_mode, _set_enabled as _set_grad_mode
from .node import Node


# (roots, targets, accumulate) of the backward running in this thread, for hooks that
# ask what it will reach (autograd.graph.register_multi_grad_hook); set only while
# `task_users[0]` (such hooks registered) is non-zero
current_backward = contextvars.ContextVar("autograd_lite_current_backward", default=None)
task_users = [0]


def _toposort(root_nodes):
    """Nodes reachable from the roots, each before every node it sends grads to.

    An explicit stack replaces recursion, so a 100,000-op chain is fine.
    """
    postorder = []
    visited = set()
    for root in root_nodes:
        if root in visited:
            continue
        visited.add(root)
        stack = [(root, iter(root.next_functions))]
        while stack:
            node, edges = stack[-1]
            for edge in edges:
                if edge is not None:
                    child = edge[0]
                    if child not in visited and isinstance(child, Node):
                        visited.add(child)
                        stack.append((child, iter(child.next_functions)))
                        break
            else:
                stack.pop()
                postorder.append(node)
    postorder.reverse()
    return postorder


def _needed_nodes(order, node_targets, leaf_targets):
    """Nodes whose backward must run to reach any target (autograd.grad's pruning)."""
    needed = set()
    for node in reversed(order):
        for edge in node.next_functions:
            if edge is None:
                continue
            child = edge[0]
            if child in needed or child in node_targets or (
                not isinstance(child, Node) and id(child) in leaf_targets
            ):
                needed.add(node)
                break
    return needed


def _zeros_for(node, i, arrays):
    shape, dtype = node._out_meta[i]
    z = np.zeros(shape, dtype)
    return z if arrays else _tensor(z)


def _tensor(g):
    """An engine-made gradient array as a Tensor (for rules, hooks and results)."""
    return None if g is None else Tensor._make(g, False, None, 0, [0, 0])


def _arrays_of(grads):
    """The arrays of what a Tensor backward rule returned (a Tensor, None or a tuple)."""
    if grads.__class__ is tuple:
        return tuple(None if g is None else g._data for g in grads)
    return None if grads is None else grads._data


def _call_backward(node, buf, arrays):
    """node's rule on one output's gradient: with `arrays`, its `fast_backward` if it
    has one, else `backward` on the gradient wrapped in a Tensor."""
    if not arrays:
        return node.backward(buf)
    fast = node.__class__.fast_backward  # a rule of the op class (no bound method)
    if fast is not None:
        return fast(node, buf)
    return _arrays_of(node.backward(_tensor(buf)))


_SKIP = object()  # _node_grads: the node leads to no target of autograd.grad


def _node_grads(node, buf, arrays, owned, node_targets, needed, captured):
    """The general case of running a node's rule: several outputs, hooks on them,
    gradients of autograd.grad's targets to capture, or a graph being built."""
    single = node.n_outputs == 1
    if single:
        buf = [buf]
    if owned:
        for g in buf:
            owned.discard(id(g))
    if node._pre_hooks:
        buf = _run_pre_hooks(node, buf, arrays)
    if node_targets is not None:
        hits = node_targets.get(node)
        if hits:
            for nr, i in hits:
                captured[i] = _tensor(buf[nr]) if arrays else buf[nr]
        if node not in needed:
            return _SKIP
    if single:
        return _call_backward(node, buf[0], arrays)
    if node._materialize:
        buf = [g if g is not None else _zeros_for(node, i, arrays) for i, g in enumerate(buf)]
    if arrays:
        return _arrays_of(node.backward(*[_tensor(g) for g in buf]))
    return node.backward(*buf)


def _run_pre_hooks(node, buf, arrays):
    for nr, hooks in node._pre_hooks.items():
        g = buf[nr]
        if g is None:
            continue
        if arrays:
            g = _tensor(g)
        for hook in hooks:
            r = hook(g)
            if r is not None:
                g = _checked_hook_result(hook, g, r)
        buf[nr] = g._data if arrays else g
    return buf


def _checked_hook_result(hook, g, r):
    if not isinstance(r, Tensor) or r.shape != g.shape:
        raise RuntimeError(
            f"hook {getattr(hook, '__name__', hook)!r} returned "
            f"{'shape ' + str(r.shape) if isinstance(r, Tensor) else type(r).__name__}; a tensor "
            f"hook must return None or a Tensor of the gradient's shape {tuple(g.shape)}"
        )
    return r


def _owned(array, handed_out):
    """True if `array` can become a leaf's .grad without a copy: not a view, writable,
    and not already given to another leaf or passed in by the user."""
    return owns_memory(array) and array.flags.writeable and id(array) not in handed_out


def run_backward(roots, root_grads, keep_graph, create_graph, targets=None, accumulate=True):
    """Propagate `root_grads` from `roots` through the graph (see `_propagate`); what
    ops wrote into gradient destinations and no leaf took is forgotten at the end."""
    previous = start_of_backward(accumulate and targets is None and not create_graph)
    task = current_backward.set((roots, targets, accumulate)) if task_users[0] else None
    try:
        return _propagate(roots, root_grads, keep_graph, create_graph, targets, accumulate)
    finally:
        if task is not None:
            current_backward.reset(task)
        end_of_backward(previous)


def _propagate(roots, root_grads, keep_graph, create_graph, targets, accumulate):
    """Propagate `root_grads` from `roots` through the graph.

    With `accumulate`, gradients are added into the `.grad` of leaves (only of
    `targets` if given). Without it (autograd.grad), the gradients of `targets` are
    returned as a list (None where a target was not reached).
    """
    # Without create_graph nothing is recorded, so gradients travel as plain ndarrays:
    # ops with a `fast_backward` run on them directly (no Tensor wrap and no op
    # dispatch per gradient op, which dominate on small tensors); other rules,
    # hooks and the results see them wrapped in Tensors.
    arrays = not create_graph
    buffers = {}
    leaf_buf = {}
    handed_out = set()  # ids of arrays a leaf's .grad must not take without a copy
    root_nodes = []
    for t, g in zip(roots, root_grads):
        handed_out.add(id(g._data))
        if arrays:
            g = g._data
        fn = t.grad_fn
        if fn is None:
            _add_leaf(leaf_buf, t, g)
        elif fn.n_outputs == 1:
            cur = buffers.get(fn)
            buffers[fn] = g if cur is None else cur + g
            root_nodes.append(fn)
        else:
            buf = buffers.get(fn)
            if buf is None:
                buf = buffers[fn] = [None] * fn.n_outputs
            nr = t._output_nr
            buf[nr] = g if buf[nr] is None else buf[nr] + g
            root_nodes.append(fn)
    # Nodes run in decreasing creation order (`_seq`): every consumer of a tensor was
    # made after it, so this is a topological order, found without a separate pass.
    heap = []
    queued = set()
    for fn in root_nodes:
        if fn not in queued:
            queued.add(fn)
            heappush(heap, (-fn._seq, fn))

    needed = node_targets = leaf_targets = None
    captured = {}
    if targets is not None:
        node_targets = {}
        leaf_targets = {}
        for i, t in enumerate(targets):
            if t.grad_fn is None:
                leaf_targets[id(t)] = i
            else:
                node_targets.setdefault(t.grad_fn, []).append((t._output_nr, i))
        needed = _needed_nodes(_toposort(root_nodes), node_targets, leaf_targets)

    post_hooks = post_accumulate_hooks or None  # leaves with hooks that run after accumulation
    owned = set()
    if post_hooks is not None and accumulate and targets is None:
        _schedule_accumulation(root_nodes, heap, buffers, post_hooks,
                               (leaf_buf, owned, handed_out, create_graph))

    # Without create_graph, gradients are summed on arrays; a sum the engine made
    # (listed in `owned`) is only in one buffer slot, so it may be added to in place
    # (it is unlisted when its node runs: the node's rule may pass it on as is).
    # A leaf's gradients are kept in a list and summed when backward ends (_sum_parts).
    add = _add_recorded if create_graph else _add_arrays
    release = not keep_graph
    pending_max = _PENDING_ELEMENTS
    pop = buffers.pop
    get = buffers.get
    grad_mode = _set_grad_mode(create_graph)
    # `nxt`: a single-output node just queued that outranks the heap runs next without
    # a push and a pop (in a chain of ops that is every node), its gradient in `nxt_buf`
    # rather than `buffers` (two dict operations less per node).
    nxt = nxt_buf = None
    plain = arrays and node_targets is None
    anomaly = is_anomaly_enabled()
    node = None
    try:
        while nxt is not None or heap:
            if nxt is not None:
                node = nxt
                buf = nxt_buf
                nxt = nxt_buf = None
            else:
                node = heappop(heap)[1]
                buf = pop(node)  # queued nodes have a buffer
            if plain and node._pre_hooks is None and node.n_outputs == 1:
                # the common case: arrays, one output, no hooks, nothing to capture
                if owned:
                    owned.discard(id(buf))
                # read from the class: `node.fast_backward` would make a bound method
                # per node (~0.1 us)
                fast = node.__class__.fast_backward
                if fast is not None:
                    grads = fast(node, buf)
                else:
                    grads = _arrays_of(node.backward(_tensor(buf)))
            else:
                # the general path: drop this frame's references to gradients already
                # handed on, so an _AccumulateGrad can tell by reference count whether
                # a leaf's gradient is still held elsewhere
                grads = g = entry = None
                grads = _node_grads(node, buf, arrays, owned, node_targets, needed, captured)
                if grads is _SKIP:
                    continue
            if anomaly:
                check_gradients(node, grads)
            if release:
                if node._plain_release:  # Node._release inlined (a call is ~0.1 us)
                    if node._saved:  # one store marks it released (`Node._released`)
                        node._saved = None
                    if node._out is not None:
                        node._out = None
                else:
                    node._release()
            if grads.__class__ is not tuple:
                grads = (grads,)
            for edge, g in zip(node.next_functions, grads):
                if edge is None or g is None:
                    continue
                if arrays and g.__class__ is not _ndarray:
                    g = np.asarray(g)  # NumPy turns 0-d results into scalars
                target = edge[0]
                if isinstance(target, Node):
                    # single-output nodes buffer one gradient, others a list per output
                    if target.n_outputs == 1:
                        if target is nxt:
                            nxt_buf = add(nxt_buf, g, owned, node)
                            continue
                        cur = get(target)
                        if cur is not None:
                            buffers[target] = add(cur, g, owned, node)
                            continue
                        if nxt is None:  # its first gradient: it may run next
                            nxt = target
                            nxt_buf = g
                            continue
                        buffers[target] = g
                    else:
                        b = get(target)
                        nr = edge[1]
                        if b is not None:
                            b[nr] = g if b[nr] is None else add(b[nr], g, owned, node)
                            continue
                        b = buffers[target] = [None] * target.n_outputs
                        b[nr] = g
                    # its first gradient: queue it (a node has a buffer from when it is
                    # queued until it runs, and gets no gradient after it ran)
                    heappush(heap, (-target._seq, target))
                else:
                    entry = leaf_buf.get(target)  # keyed by the leaf: hashed in C
                    if entry is None:
                        leaf_buf[target] = [target, g]
                    elif arrays:
                        if g.shape != entry[1].shape:
                            raise _shape_error(node, entry[1], g)
                        entry.append(g)
                        if g.size * len(entry) > pending_max:
                            _collapse(entry, owned)
                    else:
                        entry[1] = add(entry[1], g, owned, node)
            if nxt is not None and heap and -heap[0][0] > nxt._seq:
                buffers[nxt] = nxt_buf
                heappush(heap, (-nxt._seq, nxt))
                nxt = nxt_buf = None
    except Exception:
        if anomaly and node is not None:
            warn_error_in(node)
        raise
    finally:
        _restore_grad_mode(grad_mode)

    wrap = _tensor if arrays else _same
    if not accumulate:
        for leaf, *parts in leaf_buf.values():
            i = leaf_targets.get(id(leaf))
            if i is not None:
                captured[i] = _run_leaf_hooks(leaf, wrap(_sum_parts(parts)))
        return [captured.get(i) for i in range(len(targets))]

    for leaf, *parts in leaf_buf.values():
        key = id(leaf)
        if leaf_targets is not None and key not in leaf_targets:
            continue
        g = _run_leaf_hooks(leaf, wrap(_sum_parts(parts)))
        _accumulate_into_leaf(leaf, g, create_graph, handed_out)
        if post_hooks is not None:
            entry = post_hooks.get(key)
            if entry is not None:
                _run_post_accumulate_hooks(leaf, entry[1])
    for i, g in captured.items():  # backward(inputs=[non-leaf]) fills its .grad, as PyTorch
        if g is not None:
            _accumulate_into_leaf(targets[i], g, create_graph, handed_out)
    return None


def _same(g):
    return g


class _AccumulateGrad(Node):
    """Accumulates the gradients of leaves that have post-accumulate-grad hooks, then
    runs those hooks, as soon as no node left to run can send these leaves anything.

    Queued just below the lowest-`_seq` node with an edge to them: nodes run in
    decreasing `_seq`, so by then every node that will send them a gradient has run.
    Other leaves still accumulate when backward ends.
    """

    _pre_hooks = {}  # not None: the engine's general path, which keeps no stray references

    def __init__(self, seq, leaves, state):
        self._seq = seq
        self.leaves = leaves
        self.state = state  # (leaf_buf, owned, handed_out, create_graph) of this backward

    def fast_backward(self, _grad):
        leaf_buf, owned, handed_out, create_graph = self.state
        for leaf in self.leaves:
            entry = leaf_buf.pop(leaf, None)
            if entry is not None:
                if create_graph:
                    g = entry[1]
                elif len(entry) == 2:
                    g = entry.pop()
                    if getrefcount(g) > 2:
                        # held elsewhere too (another node's input, a user's hook): the
                        # post hooks may write into .grad, so the leaf takes a copy, as
                        # PyTorch's AccumulateGrad steals only a gradient no one else uses
                        handed_out.add(id(g))
                    g = _tensor(g)
                else:
                    g = _tensor(_sum_parts(entry[1:]))  # a new array
                entry = None
                _accumulate_into_leaf(leaf, _run_leaf_hooks(leaf, g), create_graph, handed_out)
            # as PyTorch, the hooks run for a leaf in the graph even if no gradient reached it
            entry = post_accumulate_hooks.get(id(leaf))
            if entry is not None:
                _run_post_accumulate_hooks(leaf, entry[1])
        return None

    def backward(self, grad):
        return self.fast_backward(grad)


def _schedule_accumulation(root_nodes, heap, buffers, post_hooks, state):
    """Queue an `_AccumulateGrad` right after the last node (lowest `_seq`) that has an
    edge to each hooked leaf reachable from the roots."""
    last_sender = {}  # id(leaf) -> (lowest _seq of a node with an edge to it, leaf)
    seen = set(root_nodes)
    stack = list(seen)
    while stack:
        node = stack.pop()
        for edge in node.next_functions:
            if edge is None:
                continue
            child = edge[0]
            if isinstance(child, Node):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
            elif id(child) in post_hooks:
                cur = last_sender.get(id(child))
                if cur is None or node._seq < cur[0]:
                    last_sender[id(child)] = (node._seq, child)
    groups = {}
    for seq, leaf in last_sender.values():
        groups.setdefault(seq, []).append(leaf)
    for seq, leaves in groups.items():
        node = _AccumulateGrad(seq - 0.5, leaves, state)  # runs right after node `seq`
        buffers[node] = None
        heappush(heap, (-node._seq, node))


def _run_post_accumulate_hooks(leaf, hooks):
    for hook in list(hooks.values()):
        r = hook(leaf)
        if r is not None:
            raise (RuntimeError if isinstance(r, Tensor) else TypeError)(
                f"post accumulate grad hook {getattr(hook, '__name__', hook)!r} returned "
                f"{type(r).__name__}; hooks registered with register_post_accumulate_grad_hook "
                f"must return None"
            )


_PENDING_ELEMENTS = 1 << 16  # a leaf's pending gradients are summed beyond this size


def _sum_parts(parts):
    """The sum of a leaf's gradients (same shapes), added in arrival order (NumPy may
    pair up terms of one-element gradients). Many small ones (a weight shared by many
    ops) are summed in one NumPy call: a fraction of the cost of a call per addition."""
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        total = parts[0] + parts[1]
    else:
        total = np.add.reduce(_stacked(parts), 0)
    return total if total.__class__ is _ndarray else np.asarray(total)


def _stacked(parts):
    """The parts (one shape) as one array, stacked on a new first axis. Parts of one
    dtype, all C-contiguous, are joined as bytes: 40 gradients of 4x4 in 2.3 us, where
    np.concatenate takes 7.5 (op_overhead sums 3 leaves' 40 gradients each)."""
    first = parts[0]
    dt = first.dtype
    shape = (len(parts),) + first.shape
    for p in parts:
        if p.dtype is not dt:  # mixed dtypes: concatenate promotes
            break
    else:
        try:
            joined = b"".join(parts)  # raises TypeError on a part that isn't C-contiguous
        except TypeError:
            pass
        else:
            return np.frombuffer(joined, dt).reshape(shape)
    if first.ndim:  # a quarter faster than np.array(parts)
        return np.concatenate(parts).reshape(shape)
    return np.array(parts)


def _collapse(entry, owned):
    """Sum a leaf's pending gradients now (they are large): in place into an earlier
    sum the engine made, so big gradients cost no more memory than one buffer."""
    acc = entry[1]
    if id(acc) in owned and len(entry) == 3:
        np.add(acc, entry[2], out=acc)
    else:
        owned.discard(id(acc))  # it dies here: a stale id could match a new array
        acc = _sum_parts(entry[1:])
        owned.add(id(acc))
    del entry[2:]
    entry[1] = acc


def _shape_error(node, acc, g):
    return RuntimeError(
        f"{node.name()}: backward produced a gradient of shape {tuple(g.shape)} where "
        f"{tuple(acc.shape)} was expected"
    )


def _add_arrays(acc, g, owned, node):
    """acc + g on arrays (no graph); in place when the engine owns `acc`."""
    if acc.shape != g.shape:
        raise _shape_error(node, acc, g)
    if id(acc) in owned:
        np.add(acc, g, out=acc)
        return acc
    total = acc + g
    if total.__class__ is not _ndarray:
        total = np.asarray(total)
    owned.add(id(total))
    return total


def _add_recorded(acc, g, owned, node):
    """acc + g as a recorded op (create_graph=True: the sum is differentiable)."""
    return acc + g


def _add_leaf(leaf_buf, leaf, g):
    entry = leaf_buf.get(leaf)
    if entry is None:
        leaf_buf[leaf] = [leaf, g]
    else:
        entry[1] = entry[1] + g


def _run_leaf_hooks(leaf, g):
    hooks = leaf._hooks
    if hooks:
        for hook in list(hooks.values()):
            r = hook(g)
            if r is not None:
                g = _checked_hook_result(hook, g, r)
    return g


def _accumulate_into_leaf(leaf, g, create_graph, handed_out):
    if g._data.shape != leaf._data.shape:
        raise RuntimeError(
            f"backward: the gradient for a leaf of shape {leaf._data.shape} has shape {g._data.shape}"
        )
    old = leaf._grad  # the slot: the shape and dtype are the leaf's (checked above, cast below)
    if create_graph:
        leaf._grad = g if old is None else old + g
        return
    arr = g._data
    if arr.dtype != leaf._data.dtype:
        arr = arr.astype(leaf._data.dtype)
    if old is None:
        if not _owned(arr, handed_out) and not adopt(leaf, arr):
            arr = arr.copy()
        handed_out.add(id(arr))
        leaf._grad = Tensor._make(arr, False, None, 0, [0, 0])
    elif old._requires_grad or not old._data.flags.writeable or old.shape != leaf.shape:
        leaf._grad = Tensor._make(old._data + arr, False, None, 0, [0, 0])
    else:
        np.add(old._data, arr, out=old._data)
        mark_dirty(old)
