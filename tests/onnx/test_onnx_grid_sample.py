"""grid_sample as ONNX's GridSample (4-D from opset 16, 5-D from opset 20), affine_grid
(a MatMul) and interpolate's bicubic, trilinear, antialiased and 5-D nearest and area
modes (Gathers times constant weights; area: adaptive average pooling), run in onnxruntime against autograd_lite's own outputs."""
import itertools

import pytest

onnx = pytest.importorskip("onnx")
pytest.importorskip("onnxruntime")

import autograd_lite as ag  # noqa: E402
import autograd_lite.nn.functional as F  # noqa: E402
import autograd_lite.onnx as agonnx  # noqa: E402
from onnx_helpers import Lambda, node_types, roundtrip  # noqa: E402


def image_and_grid(shape, out, spread=1.2):
    def make(n):
        grid = (ag.rand(n, *out, len(shape) - 1) * 2 - 1) * spread
        return [ag.randn(n, *shape), grid]
    return make


@pytest.mark.parametrize("mode,padding,align", itertools.product(("bilinear", "nearest", "bicubic"),
                                                                 ("zeros", "border", "reflection"),
                                                                 (False, True)))
def test_grid_sample_4d(mode, padding, align):
    ag.manual_seed(3)
    model = Lambda(lambda x, g: F.grid_sample(x, g, mode, padding, align))
    proto = roundtrip(model, image_and_grid((3, 5, 6), (4, 7)), dynamic=((0,), (0,)))
    assert node_types(proto) == {"GridSample"}


@pytest.mark.parametrize("mode,padding", itertools.product(("bilinear", "nearest"), ("zeros", "border")))
def test_grid_sample_5d_at_opset_20(mode, padding):
    ag.manual_seed(4)
    model = Lambda(lambda x, g: F.grid_sample(x, g, mode, padding, False))
    roundtrip(model, image_and_grid((2, 3, 4, 5), (2, 3, 4)), dynamic=((0,), (0,)), opset=20)


def test_spatial_transformer():
    ag.manual_seed(5)
    model = Lambda(lambda x, theta: F.grid_sample(x, F.affine_grid(theta, (x.shape[0], 2, 5, 4), False),
                                                   align_corners=False))
    roundtrip(model, lambda n: [ag.randn(n, 2, 6, 6), ag.randn(n, 2, 3) * 0.5], batches=(2, 2),
              dynamic=None)


def test_opset_too_old_says_so():
    model = Lambda(lambda x, g: F.grid_sample(x, g, align_corners=True))
    with pytest.raises(agonnx.ExportError, match="opset 16"):
        agonnx.export(model, (ag.randn(1, 2, 3, 3), ag.rand(1, 2, 2, 2)), None, opset_version=15)
    model = Lambda(lambda x, g: F.grid_sample(x, g, align_corners=True))
    with pytest.raises(agonnx.ExportError, match="opset 20"):
        agonnx.export(model, (ag.randn(1, 2, 3, 3, 3), ag.rand(1, 2, 2, 2, 3)), None)


@pytest.mark.parametrize("kw", [dict(size=(5, 7), mode="bicubic"),
                                dict(scale_factor=1.5, mode="bicubic", align_corners=True),
                                dict(size=(3, 5, 4), mode="trilinear"),
                                dict(scale_factor=(1.5, 0.5, 2), mode="trilinear", align_corners=True),
                                dict(scale_factor=2), dict(size=(3, 5, 2), mode="nearest-exact"),
                                dict(size=(3, 2, 1), mode="area"),
                                dict(size=(2, 3), mode="bilinear", antialias=True),
                                dict(scale_factor=0.6, mode="bicubic", antialias=True)])
def test_interpolate_new_modes(kw):
    """Gathers times constant weights (the ops interpolate records), as for bilinear."""
    shape = (3, 4, 6) if kw.get("mode") in ("bicubic", "bilinear") else (2, 3, 4, 3)
    roundtrip(Lambda(lambda x: F.interpolate(x, **kw)), lambda n: [ag.randn(n, *shape)])
