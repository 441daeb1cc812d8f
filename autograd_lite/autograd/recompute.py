"""Recomputed regions: the graph machinery under activation checkpointing
(`autograd_lite.utils.checkpoint`).

A region is the part of the graph a function recorded: the nodes made after a mark
(`mark()`, a creation number) that its outputs reach. `cut` replaces the region by one
node, `RecomputeNode`, whose edges are the region's frontier (the edges from region
nodes to leaves and to older nodes), and hands back new output tensors attached to it.
Nothing then refers to the region's nodes, so they and the activations they saved are
freed. When backward reaches the node, it runs the function again (grad mode on),
takes the new region the same way, points the region's frontier edges at stand-in
leaves for the length of one inner backward (so that backward stays inside the region
and runs no node of the outer graph), and returns the stand-ins' gradients as its own:
the outer backward carries them on from the frontier. Gradients are those of the
graph without the cut, to any order (under `create_graph` the inner backward builds
its graph on the recomputed region, whose edges are put back afterwards)."""
import numpy as np

from ..tensor import Tensor
from . import node as node_module
from .engine import run_backward
from .grad_mode import is_grad_enabled
from .node import Node, _FREED_MSG


def mark():
    """The creation number before a region: the nodes a function records after this
    call have larger numbers (`Node._seq`)."""
    return node_module.next_seq()  # read through the module: anomaly mode swaps it


def _in_region(t, start):
    """Whether `t` is an output of a node recorded after `start`."""
    return isinstance(t, Tensor) and t._requires_grad and t.grad_fn is not None and t.grad_fn._seq > start


def _walk(roots, start):
    """The region's nodes reachable from `roots` and, in order of first sight, the
    frontier edges `(node_or_leaf, output_nr)` that leave it."""
    nodes, frontier = [], {}
    seen = set()
    stack = []
    for r in roots:  # several outputs may share a node
        if r not in seen:
            seen.add(r)
            stack.append(r)
    while stack:
        node = stack.pop()
        nodes.append(node)
        for edge in node.next_functions:
            if edge is None:
                continue
            target = edge[0]
            if isinstance(target, Node) and target._seq > start:
                if target not in seen:
                    seen.add(target)
                    stack.append(target)
            else:
                frontier.setdefault((id(target), edge[1]), edge)
    return nodes, frontier


class RecomputeNode(Node):
    """The backward node of a checkpointed call (shown as "CheckpointFunctionBackward",
    PyTorch's name for it): its edges are the frontier of the region the call recorded;
    its backward reruns the call (`rerun()`, which returns the outputs as a flat list)
    and backpropagates through the new region to the frontier."""

    _materialize = False  # outputs that get no gradient get None, not zeros

    def __init__(self, rerun, positions, frontier):
        self._rerun = rerun
        self._positions = positions  # where each output of this node sits in rerun()'s list
        self._keys = {key: i for i, key in enumerate(frontier)}
        self.next_functions = tuple(frontier.values())
        self.n_outputs = len(positions)
        self._seq = node_module.next_seq()
        self._saved = (rerun,)  # non-empty: the engine releases it after backward

    def name(self):
        """The node's name in graphs and messages, PyTorch's for a checkpoint's node."""
        return "CheckpointFunctionBackward"

    def _release(self):
        self._saved = None
        self._rerun = None

    def backward(self, *grads):
        """Rerun the call and return the gradients at the frontier edges (None where
        the outputs' gradients reach none)."""
        if self._saved is None:
            raise RuntimeError(_FREED_MSG.format(op=self.name()))
        create_graph = is_grad_enabled()  # the engine runs rules with grad mode = create_graph
        start = mark()
        outputs = self._rerun()
        roots, root_grads = [], []
        for g, position in zip(grads, self._positions):
            t = outputs[position]
            if g is not None and _in_region(t, start):
                roots.append(t)
                root_grads.append(g)
        result = [None] * len(self.next_functions)
        if not roots:
            return tuple(result)
        nodes, _ = _walk([t.grad_fn for t in roots], start)
        stand_ins, slots, originals = {}, [], []  # one stand-in leaf per frontier edge
        for node in nodes:
            edges = list(node.next_functions)
            changed = False
            for j, edge in enumerate(edges):
                if edge is None or (isinstance(edge[0], Node) and edge[0]._seq > start):
                    continue
                slot = self._keys.get((id(edge[0]), edge[1]))
                if slot is None:
                    raise RuntimeError(
                        f"{self.name()}: the recomputed forward used a tensor that requires grad "
                        f"which the original forward did not use; a checkpointed function must "
                        f"compute the same thing both times")
                stand_in = stand_ins.get(slot)
                if stand_in is None:
                    stand_in = stand_ins[slot] = Tensor._make(np.empty(0, np.float32), True, None, 0, [0, 0])
                    slots.append(slot)
                edges[j] = (stand_in, 0)
                changed = True
            if changed:
                originals.append((node, node.next_functions))
                node.next_functions = tuple(edges)
        try:
            if stand_ins:
                found = run_backward(roots, root_grads, create_graph, create_graph,
                                     [stand_ins[slot] for slot in slots], accumulate=False)
            else:
                found = []
        finally:
            for node, edges in originals:
                node.next_functions = edges
        for slot, g in zip(slots, found):
            result[slot] = g
        return tuple(result)


def cut(outputs, start, rerun):
    """Replace the region recorded since `start` (from `mark()`) by a RecomputeNode.

    `outputs` is the call's outputs as a flat list; `rerun()` must return them again
    (a list of the same length) computed the same way. Returns the list with each
    output of the region replaced by a new tensor (the same array and version counter)
    attached to the node; other entries (non-tensors, tensors that need no grad or
    that the call did not compute) are returned as they are."""
    positions = [i for i, t in enumerate(outputs) if _in_region(t, start)]
    if not positions:
        return list(outputs)
    _, frontier = _walk([outputs[i].grad_fn for i in positions], start)
    node = RecomputeNode(rerun, positions, frontier)
    result = list(outputs)
    for k, i in enumerate(positions):
        t = outputs[i]
        result[i] = Tensor._make(t._data, True, node, k, t._vc)
    return result
