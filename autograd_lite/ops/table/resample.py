"""Table entries of nn.functional.interpolate and its deprecated aliases upsample,
upsample_nearest and upsample_bilinear (ops/resample.py; 'area' is adaptive average
pooling): every mode (bicubic and trilinear too), size or scale_factor, align_corners,
recompute_scale_factor, antialias. (Not here: antialias with a size kept under a
scale_factor other than 1, where PyTorch's gradient is not its forward's derivative;
tests/nn/test_padding_upsampling.py.)"""
import numpy as np

from ..opinfo import OpInfo, S, T
from .pool import onnx_adaptive_avg_pool

F = "nn.functional."


# ---- ONNX converters (autograd_lite.onnx): converter(builder, node, inputs) -> output ----------------
def onnx_index_gather(b, node, inputs):
    """Rows and columns picked by index (nearest and linear interpolation, reflect,
    replicate and circular padding): a Gather per axis that changes. The indices
    follow the spatial sizes, which must then be static. Shared with pad's entry."""
    b.same_in_both("row and column indices", [node.rows, node.cols],
                   [b.twin_attr("rows"), b.twin_attr("cols")] if b.twin else [node.rows, node.cols])
    x, nd = inputs[0], len(b.in_shape(0))
    h, w = node.hw
    if not np.array_equal(node.rows, np.arange(h)):
        x = b.op("Gather", [x, b.const(np.asarray(node.rows, np.int64))], axis=nd - 2)
    if not np.array_equal(node.cols, np.arange(w)):
        x = b.op("Gather", [x, b.const(np.asarray(node.cols, np.int64))], axis=nd - 1)
    return x


_ONNX = {"IndexGather2d": onnx_index_gather, "AdaptiveAvgPool2d": onnx_adaptive_avg_pool}


def _antialias_bf16_in_float32(fn, input, *args, **kwargs):
    """PyTorch has no bfloat16 antialiasing (it raises); ours resizes in float32 and rounds
    once, so for bfloat16 both libraries are compared that way."""
    if kwargs.get("antialias") and "bfloat16" in str(input.dtype):
        return fn(input.float(), *args, **kwargs).bfloat16()
    return fn(input, *args, **kwargs)


def _functional(name, samples, **kw):
    return OpInfo(name, F + name, samples, namespace="nn.functional", onnx=_ONNX, **kw)


INTERPOLATE = [
    S(T(2, 3, 4), scale_factor=2),  # nearest, PyTorch's default mode
    S(T(2, 2, 3, 4), size=(5, 3)),
    S(T(2, 2, 3, 4), (2, 7), None, "nearest"),
    S(T(2, 2, 3, 3), scale_factor=1.7, mode="nearest"),
    S(T(2, 2, 3, 4), scale_factor=(1.5, 0.5), mode="nearest-exact"),
    S(T(2, 3, 5), size=3, mode="nearest-exact"),
    S(T(2, 3, 4), size=7, mode="linear"),
    S(T(2, 3, 4), scale_factor=2.5, mode="linear", align_corners=True),
    S(T(2, 3, 5), size=2, mode="linear", align_corners=False),
    S(T(2, 2, 3, 4), size=(5, 6), mode="bilinear"),
    S(T(2, 2, 3, 4), size=(2, 7), mode="bilinear", align_corners=True),
    S(T(2, 2, 3, 4), scale_factor=(2, 1.5), mode="bilinear", recompute_scale_factor=True),
    S(T(2, 2, 4, 3), scale_factor=1.3, mode="bilinear", align_corners=False),
    S(T(2, 2, 4, 4, layout="transposed"), size=6, mode="bilinear"),
    S(T(2, 2, 3, 4), size=(5, 6), mode="bicubic"),
    S(T(2, 2, 5, 4), size=(3, 7), mode="bicubic", align_corners=True),
    S(T(2, 2, 3, 4), scale_factor=(1.7, 0.6), mode="bicubic", align_corners=False),
    S(T(2, 2, 5, 3), scale_factor=1.1, mode="bicubic", recompute_scale_factor=True),
    S(T(2, 2, 1, 4, layout="transposed"), size=(3, 4), mode="bicubic"),
    S(T(2, 2, 7, 9), size=(3, 4), mode="bilinear", antialias=True),
    S(T(2, 2, 7, 9), scale_factor=(0.4, 1.6), mode="bilinear", align_corners=True, antialias=True),
    S(T(2, 2, 8, 7), size=(3, 2), mode="bicubic", antialias=True),
    S(T(2, 2, 5, 9, layout="transposed"), size=(7, 4), mode="bicubic", align_corners=True, antialias=True),
    S(T(2, 2, 3, 4, 3), size=(4, 5, 2), mode="trilinear"),
    S(T(2, 2, 3, 2, 3), size=(2, 4, 5), mode="trilinear", align_corners=True),
    S(T(1, 2, 3, 4, 5), scale_factor=(1.5, 1.1, 0.6), mode="trilinear"),
    S(T(1, 2, 2, 3, 3), scale_factor=1.7, mode="trilinear", recompute_scale_factor=True),
    S(T(1, 2, 3, 2, 4, layout="strided"), size=(3, 2, 4), mode="trilinear"),
    S(T(0, 2, 2, 2, 2), scale_factor=2, mode="trilinear"),
    S(T(2, 2, 3, 4, 3), size=(5, 2, 7)),
    S(T(1, 2, 3, 2, 4), scale_factor=(2, 1.5, 0.5), mode="nearest"),
    S(T(1, 2, 3, 4, 3), size=(4, 7, 2), mode="nearest-exact"),
    S(T(2, 2, 5, 5), size=(2, 3), mode="area"),
    S(T(2, 2, 4, 5), scale_factor=1.5, mode="area"),
    S(T(1, 2, 4, 5, 3), size=(2, 3, 5), mode="area"),
    S(T(2, 3, 6), scale_factor=0.5, mode="area"),
    S(T(2, 2, 6, layout="strided"), size=4, mode="area"),
    S(T(0, 2, 3, 3), scale_factor=2),
]

UPSAMPLE = [
    S(T(2, 3, 4), scale_factor=2),
    S(T(2, 2, 3, 4), size=(5, 3), mode="nearest"),
    S(T(2, 3, 4), 6, None, "linear", True),
    S(T(2, 2, 3, 4), scale_factor=1.5, mode="bilinear", align_corners=False),
    S(T(2, 2, 5, 5), size=2, mode="area"),
    S(T(2, 2, 3, 4), scale_factor=1.5, mode="bicubic", align_corners=True),
    S(T(1, 2, 2, 3, 2), scale_factor=2, mode="trilinear"),
]

ENTRIES = [
    _functional("interpolate", INTERPOLATE, wrapper=_antialias_bf16_in_float32),
    _functional("upsample", UPSAMPLE),
    _functional("upsample_nearest", [S(T(2, 3, 4), scale_factor=2), S(T(2, 2, 3, 4), (5, 3)),
                                     S(T(2, 2, 3, 4), size=4)],
                                     doc="`interpolate(input, size, scale_factor, "
                                         "mode='nearest')`; deprecated in PyTorch (which warns; "
                                         "this doesn't)."),
    _functional("upsample_bilinear", [S(T(2, 2, 3, 4), scale_factor=2), S(T(2, 2, 3, 4), (5, 3)),
                                      S(T(2, 2, 3, 4, layout="transposed"), size=5)]),
]
