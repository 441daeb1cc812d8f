"""Constant folding (`do_constant_folding=True`, as torch.onnx.export): a node whose
inputs are all initializers is evaluated once, with onnx's reference evaluator, and
replaced by an initializer holding its result (a reordered LSTM weight, a transposed
kernel); initializers nothing reads any more are dropped."""
from onnx import numpy_helper
from onnx.reference import ReferenceEvaluator

_NOT_FOLDED = {"Identity"}  # kept: graph outputs are often renamed through one


def prune(model):
    """Drop nodes none of whose outputs is read (e.g. an LSTM's unused final state),
    and initializers nothing reads."""
    graph = model.graph
    used = {o.name for o in graph.output}
    kept = []
    for node in reversed(graph.node):
        if any(o in used for o in node.output):
            kept.append(node)
            used.update(i for i in node.input if i)
    del graph.node[:]
    graph.node.extend(reversed(kept))
    inits = [t for t in graph.initializer if t.name in used]
    del graph.initializer[:]
    graph.initializer.extend(inits)


def fold_constants(model):
    graph = model.graph
    consts = {t.name: t for t in graph.initializer}
    outputs = {o.name for o in graph.output}
    opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    kept = []
    for node in graph.node:
        inputs = [i for i in node.input if i]
        foldable = (node.op_type not in _NOT_FOLDED and node.domain in ("", "ai.onnx")
                    and all(i in consts for i in inputs) and not any(o in outputs for o in node.output))
        if not foldable:
            kept.append(node)
            continue
        feeds = {i: numpy_helper.to_array(consts[i]) for i in inputs}
        results = ReferenceEvaluator(node, opsets={"": opset}).run(None, feeds)
        for name, value in zip(node.output, results):
            if name:
                consts[name] = numpy_helper.from_array(value, name)
    used = {i for n in kept for i in n.input} | outputs
    del graph.node[:]
    graph.node.extend(kept)
    del graph.initializer[:]
    graph.initializer.extend(t for name, t in consts.items() if name in used)
