"""The converters of the elementwise math (trigonometry, special functions, piecewise
functions), every activation, scans, triangles and diagonals, cdist, det and unique:
each in a small model exported with a dynamic batch axis and run in onnxruntime at
two batch sizes against autograd_lite's own outputs (float32: rtol = atol = 1e-5)."""
import math

import numpy as np
import pytest

pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

from onnx.reference import ReferenceEvaluator  # noqa: E402
from onnx.reference.op_run import OpRun  # noqa: E402

import autograd_lite as ag  # noqa: E402
import autograd_lite.nn.functional as F  # noqa: E402
import autograd_lite.onnx as agonnx  # noqa: E402
from autograd_lite import nn  # noqa: E402
from onnx_helpers import Lambda, node_types, roundtrip  # noqa: E402


def randn(*shape, scale=1.0):
    return lambda n: [ag.randn(n, *shape) * scale]


def unit(*shape):
    """Values in (-0.95, 0.95)."""
    return lambda n: [ag.rand(n, *shape) * 1.9 - 0.95]


def with_edges(*shape):
    """Random values with exact zeros, ones and kinks mixed in."""
    def make(n):
        x = ag.randn(n, *shape) * 2
        x[:, 0] = 0.0
        x[:, 1] = 1.0
        x[:, 2] = -0.5
        return [x]

    return make


# (id, fn(x), inputs maker)
MATH = [
    ("asin", ag.asin, unit(6)), ("acos", ag.arccos, unit(6)), ("atan", ag.atan, randn(6, scale=3)),
    ("sinh", ag.sinh, randn(6)), ("cosh", ag.cosh, randn(6)), ("asinh", ag.asinh, randn(6, scale=3)),
    ("acosh", lambda x: ag.acosh(x.abs() + 1.2), randn(6)), ("atanh", ag.atanh, unit(6)),
    ("sinc", ag.sinc, with_edges(6)), ("deg2rad", ag.deg2rad, randn(6)), ("rad2deg", ag.rad2deg, randn(6)),
    ("erf", ag.erf, randn(6)), ("erfc", ag.erfc, randn(6)), ("erfinv", ag.erfinv, unit(6)),
    ("exp2", ag.exp2, randn(6)), ("logit", lambda x: ag.logit(x.abs() * 0.4 + 0.05), randn(6)),
    ("logit_eps", lambda x: ag.logit(x, eps=0.2), lambda n: [ag.rand(n, 6)]),
    ("frac", ag.frac, randn(6, scale=3)), ("nan_to_num", ag.nan_to_num, randn(6)),
    ("fmod", lambda x: ag.fmod(x * 3, 0.7), randn(6)), ("fmod_tensor", lambda x: ag.fmod(x * 3, x.flip(1) + 2.5), randn(6)),
    ("heaviside", lambda x: ag.heaviside(x, ag.tensor([0.5])), with_edges(6)),
    ("atan2", lambda x: ag.atan2(x, x.flip(1)), with_edges(6)),
    ("hypot", lambda x: ag.hypot(x, x.flip(1) * 1e20), randn(6)),
    ("logaddexp", lambda x: ag.logaddexp(x * 50, x.flip(1) * 50), randn(6)),
    ("logaddexp2", lambda x: ag.logaddexp2(x * 5, x.flip(1)), randn(6)),
    ("xlogy", lambda x: ag.xlogy(x, x.abs() + 0.5), with_edges(6)),
    ("xlogy_scalar", lambda x: ag.xlogy(2.0, x.abs() + 0.1), randn(6)),
    ("logcumsumexp", lambda x: ag.logcumsumexp(x * 30, 1), randn(6)),
    ("logcumsumexp_dim0", lambda x: ag.logcumsumexp(x, 0) + x, lambda n: [ag.randn(3, n)]),
    ("cdist", lambda x: ag.cdist(x, ag.linspace(-1, 1, 12).reshape(2, 6)), randn(6)),
    ("cdist_p1", lambda x: ag.cdist(x, x[:2], p=1.0), randn(6)),
    ("cdist_p0", lambda x: ag.cdist(x.round(), x[:2].round(), p=0), randn(6)),
    ("cdist_pinf", lambda x: ag.cdist(x, x[:1], p=float("inf")), randn(6)),
    ("cdist_p3", lambda x: ag.cdist(x.unsqueeze(0), x[:2].unsqueeze(0), p=3.0).squeeze(0), randn(6)),
    ("tril", lambda x: ag.tril(x), randn(4, 5)), ("triu_k", lambda x: ag.triu(x, 2), randn(4, 5)),
    ("tril_neg", lambda x: x.tril(-1), randn(5, 3)),
    ("diagonal", lambda x: ag.diagonal(x, 1, 1, 2), randn(4, 5)),
    ("diagonal_neg", lambda x: ag.diagonal(x, -1, 2, 1) * 2, randn(4, 5)),
    ("diagonal_batch_dims", lambda x: ag.diagonal(x, 0, 0, 2), lambda n: [ag.randn(3, n, 4)]),
    ("diag_embed", lambda x: ag.diag_embed(x, 1), randn(4)),
    ("diag_embed_dims", lambda x: ag.diag_embed(x, -1, 0, 2), randn(3)),
    ("trace_rows", lambda x: x @ ag.diag(ag.tensor([1.0, 2.0, 3.0])), randn(3)),
    ("det", lambda x: ag.linalg.det(x), randn(3, 3)),
    ("matrix_power_0", lambda x: ag.linalg.matrix_power(x, 0) + x, randn(3, 3)),
]


@pytest.mark.parametrize("name,fn,make", MATH, ids=[m[0] for m in MATH])
def test_math(name, fn, make):
    ag.manual_seed(0)
    dynamic = ((1,),) if name == "logcumsumexp_dim0" or name == "diagonal_batch_dims" else ((0,),)
    roundtrip(Lambda(fn), make, batches=(3, 4), dynamic=dynamic, out_axes=dynamic[0])


def test_trig_and_special_become_their_onnx_operators():
    proto = roundtrip(Lambda(lambda x: ag.asin(x) + ag.acosh(x.abs() + 1) + ag.erf(x) + ag.sinh(x)), unit(4))
    assert {"Asin", "Acosh", "Erf", "Sinh"} <= node_types(proto)


def test_non_finite_values():
    """nan_to_num, logaddexp and xlogy at infinities and NaN, as the library."""
    values = ag.tensor([[np.nan, np.inf, -np.inf, 1.5, 0.0, -0.0]])

    def make(n):
        return [values.expand(n, 6).clone()]

    roundtrip(Lambda(lambda x: ag.nan_to_num(x, 1.5, 9.0, -7.0)), make)
    roundtrip(Lambda(ag.nan_to_num), make)
    roundtrip(Lambda(lambda x: ag.logaddexp(x, x)), make)
    roundtrip(Lambda(lambda x: ag.xlogy(x, x.abs())), make)


def test_unique_values():
    x = ag.tensor([[3.0, 1.0, 3.0], [2.0, 1.0, 0.5]])
    roundtrip(Lambda(ag.unique), lambda n: [x], dynamic=(), batches=(2, 2))
    rows = ag.tensor([[1.0, 2.0], [0.0, 5.0], [1.0, 2.0]])
    roundtrip(Lambda(lambda x: ag.unique(x, dim=0) * 2), lambda n: [rows], dynamic=(), batches=(3, 3))
    with pytest.raises(agonnx.ExportError, match="unique_consecutive has no ONNX operator"):
        agonnx.export(Lambda(ag.unique_consecutive), x, None)


def test_triangles_at_opset_13():
    roundtrip(Lambda(lambda x: ag.triu(x, 1) + ag.tril(x, -2)), randn(4, 5), opset=13)
    with pytest.raises(agonnx.ExportError, match="needs opset 14"):
        agonnx.export(Lambda(ag.tril), ag.randn(3, 3), None, opset_version=13,
                      input_names=["x"], dynamic_axes={"x": [0, 1]})


# ---- activations -------------------------------------------------------------------------------------------
ACTIVATIONS = [
    nn.ReLU(), nn.ReLU6(), nn.LeakyReLU(0.2), nn.PReLU(), nn.PReLU(6), nn.RReLU(0.1, 0.3), nn.ELU(0.7),
    nn.SELU(), nn.CELU(1.3), nn.GELU(), nn.GELU("tanh"), nn.SiLU(), nn.Mish(), nn.Sigmoid(),
    nn.Hardsigmoid(), nn.Tanh(), nn.Hardtanh(-0.5, 0.8), nn.Hardswish(), nn.Softplus(2.0, 3.0),
    nn.Softsign(), nn.Softshrink(0.3), nn.Hardshrink(0.4), nn.Tanhshrink(), nn.Threshold(0.1, -2.0),
    nn.LogSigmoid(), nn.Softmax(1), nn.Softmin(1), nn.LogSoftmax(1), nn.GLU(), nn.Softmax2d(),
]


@pytest.mark.parametrize("module", ACTIVATIONS, ids=[type(m).__name__ + str(i) for i, m in enumerate(ACTIVATIONS)])
def test_activation(module):
    ag.manual_seed(1)
    for p in module.parameters():
        p.data.copy_(ag.rand(*p.shape) * 0.5)
    make = randn(6, 3, 4, scale=4) if isinstance(module, nn.Softmax2d) else with_edges(6)
    roundtrip(module, lambda n: [v * 3 for v in make(n)])


def test_functional_activations_at_their_kinks():
    kinks = ag.tensor([[-3.0, 3.0, -0.4, 0.4, 0.1, -0.5, 0.8, 0.0]])

    def make(n):
        return [kinks.expand(n, 8) + ag.randn(n, 8) * ag.tensor([0.0] * 7 + [1.0])]

    for fn in (F.hardsigmoid, F.hardswish, lambda x: F.hardshrink(x, 0.4), lambda x: F.softshrink(x, 0.4),
               lambda x: F.threshold(x, 0.1, 7.0), lambda x: F.hardtanh(x, -0.5, 0.8), F.relu6,
               lambda x: F.hardshrink(x, -0.5)):
        roundtrip(Lambda(fn), make)


def test_erfinv_in_float64():
    """Giles' approximation then Newton steps: float64's precision. onnxruntime has no
    float64 Erf, so onnx's reference evaluator runs the model, with math.erf in float64
    (its own Erf computes in float32)."""
    class Erf(OpRun):
        op_domain = ""

        def _run(self, x):
            return (np.vectorize(math.erf, otypes=[x.dtype])(x),)

    x = ag.tensor(np.concatenate([np.linspace(-0.999999, 0.999999, 101), [1.0, -1.0, 0.0, 1.5]])[None])
    proto = agonnx.export(Lambda(ag.erfinv), x, None, input_names=["x"])
    with np.errstate(invalid="ignore", divide="ignore"):
        got = ReferenceEvaluator(proto, new_ops=[Erf]).run(None, {"x": x.numpy()})[0]
    np.testing.assert_allclose(got, ag.erfinv(x).numpy(), rtol=1e-12, atol=1e-12)
