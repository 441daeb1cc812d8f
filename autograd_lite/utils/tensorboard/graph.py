"""The `GraphDef` that `SummaryWriter.add_graph` writes for TensorBoard's Graphs tab.

The model runs once (in eval mode, as PyTorch traces it) on inputs that require
grad, so every op it applies is recorded; the graph is then read with the same walk
that `autograd_lite.viz` draws with, and each op is named after the module that made
it, as PyTorch's trace names them: `Net/Linear[fc1]/Linear`. TensorBoard folds each
module into a box you can open. Output shapes are learned from one backward pass
(`viz.record_grads`: a gradient has its output's shape); no `.grad` is touched.
"""
import inspect

import numpy as np
from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.config_pb2 import RunMetadata
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.step_stats_pb2 import DeviceStepStats, StepStats
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.types_pb2 import DataType
from tensorboard.compat.proto.versions_pb2 import VersionDef

import autograd_lite as ag
from autograd_lite import Tensor, viz

__all__ = ["graph"]

_TF_TYPES = {"float16": "DT_HALF", "float32": "DT_FLOAT", "float64": "DT_DOUBLE", "int8": "DT_INT8",
             "int16": "DT_INT16", "int32": "DT_INT32", "int64": "DT_INT64", "uint8": "DT_UINT8",
             "bool": "DT_BOOL", "complex64": "DT_COMPLEX64", "complex128": "DT_COMPLEX128"}


def graph(model, args=None, verbose=False):
    """(GraphDef, RunMetadata) of `model(*args)`: input nodes `input/<argument name>`,
    parameters under their module's scope, one node per op (type = the op's name,
    `_output_shapes` and `dtype` attributes), output nodes `output/output.<k>`."""
    if not (callable(model) and hasattr(model, "named_modules") and hasattr(model, "named_parameters")):
        raise TypeError(f"add_graph: expected an nn.Module as the model, got {type(model).__name__}")
    args = _as_args(args)
    traced = [_traceable(a) for a in args]
    was_training = model.training
    model.train(False)
    try:
        with ag.enable_grad():
            result = model(*traced)
    finally:
        model.train(was_training)
    outputs = _tensors_in(result)
    _learn_output_shapes(outputs)
    structure = viz.graph_structure(outputs, module=model)
    nodes = _NodeNamer(model).nodes(structure, traced, _argument_names(model, len(traced)), outputs)
    if verbose:
        for n in nodes:
            print(f"{n.name} = {n.op}({', '.join(n.input)})  {_shapes_text(n)}")
    stats = RunMetadata(step_stats=StepStats(dev_stats=[DeviceStepStats(device="/device:CPU:0")]))
    return GraphDef(node=nodes, versions=VersionDef(producer=22)), stats


def _as_args(args):
    if args is None:
        return ()
    if isinstance(args, (tuple, list)):
        return tuple(args)
    return (args,)


def _traceable(arg):
    """A floating-point input as a leaf that requires grad (sharing memory), so the
    ops applied to it are recorded too; anything else as it is."""
    if isinstance(arg, Tensor) and arg.is_floating_point() and not arg.requires_grad:
        return arg.detach().requires_grad_(True)
    return arg


def _tensors_in(result):
    """The Tensors of a model's output (a Tensor, or tuples, lists and dicts of them)."""
    if isinstance(result, Tensor):
        return [result]
    if isinstance(result, dict):
        result = list(result.values())
    if isinstance(result, (tuple, list)):
        return [t for item in result for t in _tensors_in(item)]
    return []


def _learn_output_shapes(outputs):
    """One backward pass with `viz.record_grads` hooks, without touching `.grad`."""
    roots = [t for t in outputs if t.grad_fn is not None]
    if not roots:
        return
    viz.record_grads(roots)
    leaves = [t for t in viz.graph_structure(roots).leaves.values() if t.requires_grad]
    ag.autograd.grad(roots, leaves, grad_outputs=[ag.ones_like(r) for r in roots], allow_unused=True)


def _argument_names(model, n):
    """The names of forward's first n positional parameters (input.<i> past them)."""
    try:
        params = [p.name for p in inspect.signature(model.forward).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"input.{i}" for i in range(n)]


class _NodeNamer:
    """Unique TensorBoard names: module scopes as PyTorch's trace writes them."""

    def __init__(self, model):
        self.root = type(model).__name__
        self.modules = dict(model.named_modules())
        self.params = {id(p): name for name, p in model.named_parameters()}
        self.used = {self.scope(name) for name in self.modules}

    def scope(self, qualified):
        """'' -> 'Net'; 'seq.0' -> 'Net/Sequential[seq]/Linear[0]'."""
        parts, path = [self.root], ""
        for piece in qualified.split(".") if qualified else ():
            path = f"{path}.{piece}" if path else piece
            parts.append(f"{type(self.modules[path]).__name__}[{piece}]")
        return "/".join(parts)

    def unique(self, base):
        name, k = base, 0
        while name in self.used:
            k += 1
            name = f"{base}_{k}"
        self.used.add(name)
        return name

    def nodes(self, structure, inputs, input_names, outputs):
        names, nodes = {}, []  # id(leaf or op node) -> NodeDef name
        for arg, arg_name in zip(inputs, input_names):
            if isinstance(arg, Tensor):
                names[id(arg)] = self.unique(f"input/{arg_name}")
                nodes.append(_node_def(names[id(arg)], "IO Node", [], [(tuple(arg.shape), arg.dtype)]))
        rank = {key: i for i, key in enumerate(self.params)}  # named_parameters() order, then the rest
        leaves = sorted(structure.leaves.items(), key=lambda item: rank.get(item[0], len(rank)))
        for key, leaf in leaves:
            if key in names:
                continue
            qualified = self.params.get(key)
            if qualified is not None:
                owner, _, attr = qualified.rpartition(".")
                names[key] = self.unique(f"{self.scope(owner)}/{attr}")
                op = "Parameter"
            else:
                names[key] = self.unique(f"{self.root}/tensor")
                op = "Tensor"
            nodes.append(_node_def(names[key], op, [], [(tuple(leaf.shape), leaf.dtype)]))
        for op in structure.ops:
            scope = self.scope(op.module) if op.module is not None else self.root
            names[id(op.node)] = self.unique(f"{scope}/{op.name}")
            sources = [_reference(names, source, nr) for source, nr in op.inputs]
            nodes.append(_node_def(names[id(op.node)], op.name, sources, op.outputs))
        for k, out in enumerate(outputs, start=1):
            if out.grad_fn is not None:
                sources = [_reference(names, out.grad_fn, out.output_nr)]
            else:
                sources = [names[id(out)]] if id(out) in names else []
            nodes.append(_node_def(self.unique(f"output/output.{k}"), "IO Node", sources,
                                   [(tuple(out.shape), out.dtype)]))
        return nodes


def _reference(names, source, output_nr):
    """How a NodeDef names an input: 'producer', or 'producer:k' for its k-th output."""
    name = names[id(source)]
    return f"{name}:{output_nr}" if output_nr else name


def _node_def(name, op, inputs, outputs):
    attr = {"_output_shapes": AttrValue(list=AttrValue.ListValue(shape=[_shape_proto(m) for m in outputs]))}
    if outputs and outputs[0] is not None and np.dtype(outputs[0][1]).name in _TF_TYPES:
        attr["dtype"] = AttrValue(type=DataType.Value(_TF_TYPES[np.dtype(outputs[0][1]).name]))
    return NodeDef(name=name, op=op, input=inputs, attr=attr)


def _shape_proto(meta):
    if meta is None:
        return TensorShapeProto(unknown_rank=True)
    return TensorShapeProto(dim=[TensorShapeProto.Dim(size=int(d)) for d in meta[0]])


def _shapes_text(node):
    shapes = node.attr["_output_shapes"].list.shape
    return " ".join("?" if s.unknown_rank else "(" + ", ".join(str(d.size) for d in s.dim) + ")" for s in shapes)
