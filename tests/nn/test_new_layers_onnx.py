"""ONNX export (run in onnxruntime) of RMSNorm and AdaptiveMaxPool1d/2d; EmbeddingBag's
bags are computed from the index values, so its export is refused with a clear error."""
import sys
from pathlib import Path

import numpy as np
import pytest

import autograd_lite as ag
from autograd_lite import nn

pytest.importorskip("onnxruntime")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "onnx"))
from onnx_helpers import roundtrip  # noqa: E402


@pytest.mark.parametrize("name, module, make", [
    ("rms_norm", nn.RMSNorm((3, 4)), lambda n: [ag.randn(n, 3, 4)]),
    ("rms_norm_eps", nn.RMSNorm(5, eps=1e-3), lambda n: [ag.randn(n, 2, 5)]),
    ("adaptive_max_global", nn.AdaptiveMaxPool2d(1), lambda n: [ag.randn(n, 3, 4, 6)]),
    ("adaptive_max_even", nn.AdaptiveMaxPool2d((2, 3)), lambda n: [ag.randn(n, 3, 4, 6)]),
    ("adaptive_max_1d", nn.AdaptiveMaxPool1d(3), lambda n: [ag.randn(n, 3, 6)]),
])
def test_export_runs_in_onnxruntime(name, module, make):
    ag.manual_seed(0)
    with ag.no_grad():
        for p in module.parameters():
            p.copy_(ag.randn(*p.shape))
    roundtrip(module, make)


def test_uneven_adaptive_max_pool_is_refused():
    with pytest.raises(Exception, match="uneven windows"):
        roundtrip(nn.AdaptiveMaxPool2d((3, 4)), lambda n: [ag.randn(n, 2, 5, 6)])


def test_embedding_bag_export_is_refused():
    bag = nn.EmbeddingBag(10, 3, mode="sum")
    with pytest.raises(Exception, match="outside the recorded graph"):
        roundtrip(bag, lambda n: [ag.tensor(np.random.default_rng(n).integers(0, 10, (n, 4)))])
