"""Table entries of nn.functional.interpolate and its deprecated aliases upsample,
upsample_nearest and upsample_bilinear (ops/resample.py; 'area' is adaptive average
pooling): every mode, size or scale_factor, align_corners, recompute_scale_factor."""
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
    S(T(2, 2, 5, 5), size=(2, 3), mode="area"),
    S(T(2, 2, 4, 5), scale_factor=1.5, mode="area"),
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
]

ENTRIES = [
    _functional("interpolate", INTERPOLATE),
    _functional("upsample", UPSAMPLE),
    _functional("upsample_nearest", [S(T(2, 3, 4), scale_factor=2), S(T(2, 2, 3, 4), (5, 3)),
                                     S(T(2, 2, 3, 4), size=4)],
                                     doc="`interpolate(input, size, scale_factor, "
                                         "mode='nearest')`; deprecated in PyTorch (which warns; "
                                         "this doesn't)."),
    _functional("upsample_bilinear", [S(T(2, 2, 3, 4), scale_factor=2), S(T(2, 2, 3, 4), (5, 3)),
                                      S(T(2, 2, 3, 4, layout="transposed"), size=5)]),
]
