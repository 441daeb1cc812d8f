"""Table entries of nn.functional.interpolate and its deprecated aliases upsample,
upsample_nearest and upsample_bilinear (ops/resample.py; 'area' is adaptive average
pooling): every mode, size or scale_factor, align_corners, recompute_scale_factor."""
from ..opinfo import OpInfo, S, T

F = "nn.functional."


def _functional(name, samples, **kw):
    return OpInfo(name, F + name, samples, namespace="nn.functional", **kw)


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
                                     S(T(2, 2, 3, 4), size=4)]),
    _functional("upsample_bilinear", [S(T(2, 2, 3, 4), scale_factor=2), S(T(2, 2, 3, 4), (5, 3)),
                                      S(T(2, 2, 3, 4, layout="transposed"), size=5)]),
]
