"""`backward` and `grad`: argument checking in front of the engine."""
import numpy as np

from ..tensor import Tensor
from .engine import run_backward
from .graph import GradientEdge


def _as_tuple(x):
    if isinstance(x, (Tensor, np.ndarray)):
        return (x,)
    if x is None:
        return ()
    return tuple(x)


def _ones(like):
    """np.ones(like.shape, like.dtype) at a third of its cost (it is Python code)."""
    g = np.empty(like.shape, like.dtype)
    g.fill(1)
    return g


def _root_grads(outputs, grad_outputs, op):
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(out, Tensor):
            raise TypeError(f"{op}: outputs must be Tensors, got {type(out).__name__}")
        if not out._requires_grad:
            raise RuntimeError(
                f"{op}: element {i} of tensors does not require grad and does not have a grad_fn"
            )
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(
                    f"{op}: grad can be implicitly created only for scalar outputs, but "
                    f"output {i} has shape {tuple(out.shape)}; pass gradient= (or grad_outputs=) "
                    f"of that shape"
                )
            g = Tensor._make(_ones(out._data), False, None, 0, [0, 0])
        else:
            if not isinstance(g, Tensor):
                g = Tensor._make(np.asarray(g, dtype=out.dtype), False, None, 0, [0, 0])
            if g.shape != out.shape:
                raise RuntimeError(
                    f"{op}: gradient {i} has shape {tuple(g.shape)} but the output has shape {tuple(out.shape)}"
                )
            if g.dtype != out.dtype:
                g = g.to(out.dtype)
        grads.append(g)
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate d(tensors)/d(leaf) into each leaf's `.grad` (as torch.autograd.backward)."""
    if (grad_tensors is None and inputs is None and tensors.__class__ is Tensor
            and tensors._requires_grad and tensors._data.size == 1):
        # loss.backward(), the common call: a scalar that passes the checks below
        g = Tensor._make(_ones(tensors._data), False, None, 0, [0, 0])
        run_backward([tensors], [g], create_graph if retain_graph is None else retain_graph,
                     create_graph)
        return
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors) or (None,) * len(tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(
            f"backward: got {len(grad_tensors)} gradients for {len(tensors)} tensors"
        )
    if retain_graph is None:
        retain_graph = create_graph
    targets = None
    if inputs is not None:
        targets = list(_as_tuple(inputs))
        if not targets:
            raise RuntimeError("backward: 'inputs' argument to backward() cannot be empty")
    grads = _root_grads(tensors, grad_tensors, "backward")
    run_backward(list(tensors), grads, retain_graph, create_graph, targets, accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=None, materialize_grads=False):
    """Return d(outputs)/d(inputs) without touching any `.grad` (as torch.autograd.grad)."""
    outputs = _as_tuple(outputs)
    inputs = (inputs,) if isinstance(inputs, GradientEdge) else _as_tuple(inputs)
    inputs = tuple(_edge_input(t) if isinstance(t, GradientEdge) else t for t in inputs)
    if not inputs:
        raise RuntimeError("grad: 'inputs' cannot be empty")
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: inputs[{i}] is a {type(t).__name__}, not a Tensor")
        if not t._requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad")
    grad_outputs = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"grad: got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs"
        )
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    grads = _root_grads(outputs, grad_outputs, "grad")
    result = run_backward(list(outputs), grads, retain_graph, create_graph, list(inputs),
                          accumulate=False)
    for i, g in enumerate(result):
        if g is None:
            if materialize_grads:
                if inputs[i]._data is _UNKNOWN:
                    raise RuntimeError(f"grad: materialize_grads needs the shape of input {i}, a "
                                       f"GradientEdge whose node does not record it")
                result[i] = Tensor._make(np.zeros_like(inputs[i]._data), False, None, 0, [0, 0])
            elif not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} (shape {tuple(inputs[i].shape)}) was not used in the graph of the "
                    f"outputs; pass allow_unused=True if this is expected"
                )
    return tuple(result)


_UNKNOWN = np.empty(0)  # the values of a GradientEdge input whose node keeps no output shape


def _edge_input(edge):
    """A GradientEdge of `grad`'s inputs as the tensor the engine captures it by: a leaf
    is itself; a node's output is a tensor with that node and output number (its values
    zeros of the output's shape where the node records it)."""
    node, nr = edge.node, edge.output_nr
    if isinstance(node, Tensor):
        return node
    meta = node._out_meta
    if meta is not None:
        data = np.zeros(*meta[nr])
    elif node._out is not None and hasattr(node._out[0], "shape"):
        data = np.zeros(node._out[0].shape, node._out[0].dtype)
    else:
        data = _UNKNOWN
    return Tensor._make(data, True, node, nr, [0, 0])
