"""Export a model, check it with onnx.checker, run it in onnxruntime at several batch
sizes and compare with the model's own outputs."""
import io

import numpy as np
import onnx
import onnxruntime as ort

import autograd_lite as ag
from autograd_lite import nn
import autograd_lite.onnx as agonnx

TOL = {np.dtype("float32"): dict(rtol=1e-5, atol=1e-5), np.dtype("float64"): dict(rtol=1e-10, atol=1e-10)}


class Lambda(nn.Module):
    """A module running `fn(*inputs)` (with optional submodules as attributes)."""

    def __init__(self, fn, **modules):
        super().__init__()
        self.fn = fn
        for name, m in modules.items():
            setattr(self, name, m)

    def forward(self, *xs):
        return self.fn(self, *xs) if self._modules else self.fn(*xs)


def _outputs(result):
    if isinstance(result, ag.Tensor):
        return [result]
    return [t for r in result for t in _outputs(r)]


def roundtrip(model, make, batches=(2, 5), dynamic=((0,),), tol=None, opset=None, folding=True, out_axes=(0,)):
    """Export `model` at make(batches[0]) with the listed dynamic axes per input (and
    `out_axes` of every output when dynamic), then compare onnxruntime with the model
    at every batch size. Returns the ModelProto."""
    model.eval()
    args = make(batches[0])
    n_in = len(args)
    in_names = [f"in{i}" for i in range(n_in)]
    with ag.no_grad():
        n_out = len(_outputs(model(*args)))
    out_names = [f"out{k}" for k in range(n_out)]
    dynamic_axes = None
    if dynamic:
        axes = list(dynamic) + [dynamic[-1]] * (n_in - len(dynamic))
        dynamic_axes = {n: list(a) for n, a in zip(in_names, axes) if a}
        dynamic_axes.update({n: list(out_axes) for n in out_names})
    f = io.BytesIO()
    proto = agonnx.export(model, tuple(args), f, input_names=in_names, output_names=out_names,
                          dynamic_axes=dynamic_axes, opset_version=opset, do_constant_folding=folding)
    onnx.checker.check_model(onnx.load_from_string(f.getvalue()), full_check=True)
    session = ort.InferenceSession(f.getvalue(), providers=["CPUExecutionProvider"])
    for n in batches:
        inputs = make(n)
        got = session.run(None, {name: t.numpy() for name, t in zip(in_names, inputs)})
        with ag.no_grad():
            want = _outputs(model(*inputs))
        assert len(got) == len(want)
        for k, (g, w) in enumerate(zip(got, want)):
            w = w.numpy()
            assert g.shape == w.shape, f"output {k} at batch {n}: shape {g.shape} != {w.shape}"
            assert g.dtype == w.dtype, f"output {k} at batch {n}: dtype {g.dtype} != {w.dtype}"
            if w.dtype.kind != "f":  # indices, masks: exactly
                np.testing.assert_array_equal(g, w, err_msg=f"output {k} at batch {n}")
            else:
                np.testing.assert_allclose(g, w, err_msg=f"output {k} at batch {n}", **(tol or TOL[w.dtype]))
    return proto


def node_types(proto):
    return {n.op_type for n in proto.graph.node}
