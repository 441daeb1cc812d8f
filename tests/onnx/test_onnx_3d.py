"""The 3-D convolutions and pooling layers exported with a dynamic batch axis and run
in onnxruntime at two batch sizes against autograd_lite's own outputs; the exports
that have no ONNX form (uneven adaptive windows) refused with a clear error."""
import io

import pytest

pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import autograd_lite as ag  # noqa: E402
import autograd_lite.onnx as agonnx  # noqa: E402
from autograd_lite import nn  # noqa: E402
from onnx_helpers import node_types, roundtrip  # noqa: E402


def randn(*shape):
    return lambda n: [ag.randn(n, *shape)]


LAYERS = [
    ("conv3d", nn.Conv3d(3, 4, 3, padding=1), randn(3, 5, 6, 4), "Conv"),
    ("conv3d_strided_groups", nn.Conv3d(4, 6, (2, 3, 1), stride=(2, 1, 2), padding=(1, 0, 1), dilation=(1, 2, 1),
                                        groups=2, bias=False), randn(4, 5, 7, 6), "Conv"),
    ("conv3d_same_even", nn.Conv3d(2, 3, (2, 3, 4), padding="same"), randn(2, 4, 5, 6), "Conv"),
    ("conv_transpose3d", nn.ConvTranspose3d(4, 2, 3, stride=2, padding=1, output_padding=(1, 0, 1), groups=2),
     randn(4, 3, 4, 3), "ConvTranspose"),
    ("max_pool3d", nn.MaxPool3d(3, 2, 1, ceil_mode=True), randn(2, 6, 7, 5), "MaxPool"),
    ("max_pool3d_dilated", nn.MaxPool3d(2, 1, dilation=(2, 1, 2)), randn(2, 5, 5, 6), "MaxPool"),
    ("avg_pool3d", nn.AvgPool3d(3, 2, 1, count_include_pad=False), randn(2, 6, 7, 5), "AveragePool"),
    ("avg_pool3d_divisor", nn.AvgPool3d(2, divisor_override=3), randn(2, 4, 6, 4), "AveragePool"),
    ("adaptive_avg_pool3d", nn.AdaptiveAvgPool3d((2, 3, 1)), randn(2, 4, 6, 5), "AveragePool"),
    ("adaptive_avg_pool3d_global", nn.AdaptiveAvgPool3d(1), randn(2, 3, 5, 4), "GlobalAveragePool"),
    ("adaptive_max_pool3d", nn.AdaptiveMaxPool3d((2, 3, 1)), randn(2, 4, 6, 5), "MaxPool"),
    ("adaptive_max_pool3d_global", nn.AdaptiveMaxPool3d(1), randn(2, 3, 5, 4), "GlobalMaxPool"),
]


@pytest.mark.parametrize("name,module,make,op", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer(name, module, make, op):
    ag.manual_seed(0)
    proto = roundtrip(module, make, batches=(2, 5))
    assert op in node_types(proto)


@pytest.mark.parametrize("module", [nn.AdaptiveAvgPool3d((2, 4, 2)), nn.AdaptiveMaxPool3d((4, 3, 2))])
def test_uneven_adaptive_windows_are_refused(module):
    with pytest.raises(Exception, match="uneven windows"):
        agonnx.export(module, (ag.randn(1, 2, 5, 6, 4),), io.BytesIO())
