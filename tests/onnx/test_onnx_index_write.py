"""scatter_reduce and Tensor.unfold exported and run in onnxruntime against
autograd_lite's outputs (static shapes: the index positions are constants of the
graph), and the opset each reduction needs."""
import io

import pytest

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

import autograd_lite as ag  # noqa: E402
from autograd_lite import onnx as agonnx  # noqa: E402
from onnx_helpers import Lambda, roundtrip  # noqa: E402

INDEX = [[0, 5, 5, 1], [2, 2, 2, 2], [4, 0, 1, 4]]


def _make(n):
    return [ag.randn(n, 6)]


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_runs_in_onnxruntime(reduce, include_self):
    ag.manual_seed(0)

    def fn(x):
        return ag.scatter_reduce(x, 1, ag.tensor(INDEX), x[:, :4] * 2 - 1, reduce,
                                 include_self=include_self)

    roundtrip(Lambda(fn), _make, batches=(3, 3), dynamic=(), opset=18)


def test_scatter_reduce_max_needs_opset_18():
    model = Lambda(lambda x: ag.scatter_reduce(x, 1, ag.tensor(INDEX), x[:, :4], "amax"))
    with pytest.raises(agonnx.ExportError, match="opset 18"):
        agonnx.export(model, (ag.randn(3, 6),), io.BytesIO(), opset_version=17)


def test_unfold_with_a_dynamic_batch():
    ag.manual_seed(1)
    roundtrip(Lambda(lambda x: x.unfold(1, 3, 2) * 2), _make, batches=(3, 5))
