"""Table entries of nn.functional.grid_sample and affine_grid (ops/grid_sample.py): every
mode, padding mode and align_corners, 4-D and 5-D, grids reaching outside [-1, 1]."""
import itertools

from ..opinfo import BF16, FLOATS, OpInfo, S, T

F = "nn.functional."

_MODE_NAMES = ("bilinear", "nearest", "bicubic")
_PADDING_NAMES = ("zeros", "border", "reflection")


# ---- ONNX converters (autograd_lite.onnx): converter(builder, node, inputs) -> output ----------------
def onnx_grid_sample(b, node, inputs):
    """ONNX's GridSample (opset 16: 4-D; opset 20: also 5-D, mode names 'linear' and 'cubic')."""
    nd = len(b.in_shape(0)) - 2
    if b.opset < 16 or (nd == 3 and b.opset < 20):
        raise b.error(f"grid_sample on {nd + 2}-D input needs opset {16 if nd == 2 else 20} "
                      f"(ONNX GridSample); this export is at opset {b.opset}")
    mode = _MODE_NAMES[node.mode]
    if b.opset >= 20:
        mode = {"bilinear": "linear", "bicubic": "cubic"}.get(mode, mode)
    return b.op("GridSample", [inputs[0], inputs[1]], mode=mode,
                padding_mode=_PADDING_NAMES[node.padding], align_corners=int(node.align))


def _samples_2d():
    samples = []
    shapes = [(T(2, 3, 5, 4), T(2, 3, 7, 2, low=-1.3, high=1.3)),
              (T(1, 2, 4, 3), T(1, 5, 3, 2, low=-1.2, high=1.2))]
    for k, (mode, padding, align) in enumerate(itertools.product(_MODE_NAMES, _PADDING_NAMES, (False, True))):
        x, grid = shapes[k % 2]
        samples.append(S(x, grid, mode, padding, align))
    return samples + [
        S(T(2, 2, 4, 5, layout="transposed"), T(2, 3, 3, 2, low=-1.1, high=1.1), align_corners=False),
        S(T(2, 2, 3, 4), T(2, 2, 4, 2, low=-3.0, high=3.0), "bilinear", "reflection", False),
        S(T(2, 2, 3, 4), T(2, 2, 4, 2, low=-3.0, high=3.0), "bicubic", "reflection", True),
        S(T(2, 2, 1, 4), T(2, 2, 3, 2, low=-1.2, high=1.2), "bilinear", "reflection", True),
        S(T(0, 2, 3, 4), T(0, 2, 2, 2), align_corners=True),
        S(T(2, 0, 3, 4), T(2, 2, 2, 2), align_corners=True),
    ]


def _samples_3d():
    samples = []
    for mode, padding, align in itertools.product(("bilinear", "nearest"), _PADDING_NAMES, (False, True)):
        samples.append(S(T(2, 2, 3, 4, 3), T(2, 2, 3, 2, 3, low=-1.3, high=1.3), mode, padding, align))
    return samples + [S(T(1, 2, 3, 2, 3, layout="strided"), T(1, 3, 2, 2, 3, low=-1.1, high=1.1),
                        align_corners=True)]


# (unit-size grids: PyTorch's bfloat16 fails there, so tests/nn/test_grid_sample.py has them)
AFFINE_GRID = [
    S(T(2, 2, 3), (2, 3, 4, 5), False),
    S(T(2, 2, 3), (2, 1, 3, 5), True),
    S(T(1, 2, 3), (1, 2, 2, 7), align_corners=False),
    S(T(2, 3, 4), (2, 3, 3, 4, 5), False),
    S(T(2, 3, 4), (2, 1, 2, 3, 2), align_corners=True),
    S(T(2, 3, 4, layout="transposed"), (2, 1, 2, 2, 3), align_corners=False),
]

ENTRIES = [
    # bfloat16: PyTorch rounds the unnormalised coordinates to bfloat16 (a pixel position
    # of 10 off by 0.04); ours keeps them in float32 (tests/nn/test_grid_sample.py)
    OpInfo("grid_sample", F + "grid_sample", _samples_2d() + _samples_3d(), namespace="nn.functional",
           dtypes=FLOATS, onnx={"GridSample": onnx_grid_sample}),
    OpInfo("affine_grid", F + "affine_grid", AFFINE_GRID, namespace="nn.functional", dtypes=FLOATS + BF16),
]
