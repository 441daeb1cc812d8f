"""Table entries of nn.functional.pad (ops/padding.py): constant padding of one to three
dims (negative widths crop, any fill value, integer dtypes too), and reflect,
replicate and circular padding of one, two and three dims, batched and unbatched."""
from ..opinfo import BF16, FLOATS, INTS, OpInfo, S, T
from .resample import onnx_index_gather

F = "nn.functional."

CONSTANT = [
    S(T(2, 3, 4), (1, 2)),
    S(T(2, 3, 4), [1, 1, 2, 0], value=1.5),
    S(T(2, 2, 3, 3), (1, 0, 0, 1, 1, 1), "constant", -2.0),
    S(T(2, 3, 4), (-1, 2, 0, -1)),  # negative widths crop
    S(T(3, 4), (-1, -1, -1, 0), value=3.0),
    S(T(4), (2, 1)),
    S(T(4, 3, layout="transposed"), (1, 1)),
    S(T(0, 3), (1, 1)),
    S(T(2, 3), ()),
]

MODES = [
    S(T(2, 3, 4), (2, 1), mode=mode) for mode in ("reflect", "replicate", "circular")
] + [
    S(T(3, 4), (1, 3), mode="replicate"),  # unbatched 1-D
    S(T(2, 2, 3, 4), (1, 2, 2, 1), mode="reflect"),
    S(T(2, 2, 3, 4), (0, 3, 1, 0), mode="replicate"),
    S(T(2, 2, 3, 4), (1, 1, 2, 2), mode="circular"),
    S(T(2, 3, 4), [1, 1, 1, 0], mode="reflect"),  # unbatched 2-D
    S(T(1, 2, 3, 3, 3), (1, 1, 2, 0, 1, 2), mode="reflect"),
    S(T(1, 2, 2, 3, 3), (0, 2, 1, 1, 3, 0), mode="replicate"),
    S(T(2, 3, 2, 3), (1, 2, 1, 0, 2, 1), mode="circular"),  # unbatched 3-D
    S(T(1, 1, 3, 2, 3), (0, 0, 0, 0, 2, 1), mode="reflect"),  # depth only
    S(T(1, 2, 2, 3, 4), (3, 3, 2, 1, 0, 0), mode="reflect"),  # the widest reflect allows
    S(T(1, 1, 2, 2, 3), (4, 5, 0, 3, 3, 2), mode="replicate"),  # any width
    S(T(1, 1, 3, 2, 3), (3, 3, 2, 0, 3, 1), mode="circular"),  # wrapping once at most
    S(T(2, 2, 4, 3, layout="transposed"), (1, 1, 1, 1), mode="reflect"),
    S(T(2, 2, 4, layout="strided"), (3, 1), mode="circular"),
]



def _constant_pad_onnx(b, node, inputs):
    """Pad (negative widths crop, as ONNX's Pad does too)."""
    pads = [a for a, _ in node.widths] + [c for _, c in node.widths]
    return b.op("Pad", [inputs[0], b.ints(pads), b.scalar(inputs.arg(2), b.out_dtype())], mode="constant")


# PyTorch's reflect/replicate backward adds the many copies' gradients in bfloat16, one
# rounding per add; ours adds them in float32 (closer to the exact sum)
ENTRIES = [OpInfo("pad", F + "pad", CONSTANT + MODES, namespace="nn.functional", dtypes=FLOATS + BF16 + INTS,
                  tol={"bfloat16": dict(rtol=0.1, atol=0.1)},
                  onnx={"ConstantPad": _constant_pad_onnx, "IndexGather2d": onnx_index_gather})]
