"""Table entries of nn.functional's 3-D pooling (ops/pool3d.py): max pooling with
indices, padding, dilation and ceil_mode; average pooling with count_include_pad,
divisor_override and ceil_mode; adaptive average and max pooling; max unpooling;
unbatched input, non-contiguous layouts and empty batches."""
from ..opinfo import FLOATS, OpInfo, S, T
from .pool import _unpool_indices

F = "nn.functional."


def _functional(name, samples, **kw):
    return OpInfo(name, F + name, samples, namespace="nn.functional", **kw)


# ---- ONNX converters (autograd_lite.onnx): converter(builder, node, inputs) -> output ----------------
def _max_pool3d_onnx(b, node, inputs):
    if node.window is None:
        raise b.error("a 3-D max-pool gather made outside max_pool3d (a gradient graph) has no ONNX mapping")
    k, s, p, d, ceil = node.window
    return b.op("MaxPool", [inputs[0]], kernel_shape=list(k), strides=list(s), pads=list(p) * 2,
                dilations=list(d), ceil_mode=int(ceil))


def _avg_pool3d_onnx(b, node, inputs):
    k, s, p, include_pad, divisor = node.params
    y = b.op("AveragePool", [inputs[0]], kernel_shape=list(k), strides=list(s), pads=list(p) * 2,
             count_include_pad=int(include_pad or divisor is not None), ceil_mode=int(node.ceil_mode))
    if divisor is None:
        return y
    floor_size = [(n + 2 * pp - kk) // ss + 1 for n, kk, ss, pp in zip(node.size, k, s, p)]
    if list(b.out_shape()[-3:]) != floor_size:
        raise b.error("divisor_override with ceil_mode windows past the padding has no ONNX mapping")
    return b.op("Mul", [y, b.scalar(k[0] * k[1] * k[2] / divisor, b.out_dtype())])


def _even_windows(b, size, out, what):
    """The kernel (= stride) of adaptive windows that tile `size` evenly into `out`."""
    if any(n % o for n, o in zip(size, out)):
        raise b.error(f"adaptive {what} pooling of {'x'.join(map(str, size))} into {'x'.join(map(str, out))} "
                      f"(uneven windows) has no ONNX mapping")
    return [n // o for n, o in zip(size, out)]


def _adaptive_avg_pool3d_onnx(b, node, inputs):
    """GlobalAveragePool, or AveragePool when the windows tile evenly."""
    size, out = tuple(node.size), tuple(b.out_shape()[-3:])
    if out == (1, 1, 1):
        return b.op("GlobalAveragePool", [inputs[0]])
    k = _even_windows(b, size, out, "average")
    return b.op("AveragePool", [inputs[0]], kernel_shape=k, strides=k)


def _adaptive_max_pool3d_onnx(b, node, inputs):
    """GlobalMaxPool, or MaxPool when the windows tile evenly."""
    size, out = tuple(node.size), tuple(node.window)
    if out == (1, 1, 1):
        return b.op("GlobalMaxPool", [inputs[0]])
    k = _even_windows(b, size, out, "max")
    return b.op("MaxPool", [inputs[0]], kernel_shape=k, strides=k)


MAX_POOL3D = [
    S(T(2, 2, 4, 4, 4), 2),
    S(T(2, 2, 5, 4, 5), 3, stride=2, padding=1),
    S(T(2, 2, 5, 4, 5), (2, 3, 2), (1, 2, 2), (1, 1, 0), (2, 1, 2)),  # kernel, stride, padding, dilation
    S(T(2, 2, 5, 5, 4), 2, ceil_mode=True),
    S(T(2, 2, 5, 4, 5), kernel_size=3, stride=2, padding=1, ceil_mode=True, return_indices=True),
    S(T(1, 2, 5, 5, 5), 2, stride=1, dilation=2, return_indices=True),
    S(T(2, 4, 4, 4), 2, 1),  # unbatched
    S(T(2, 4, 4, 3), (3, 2, 2), (2, 1, 1), 1, (1, 2, 1), True, return_indices=True),  # unbatched, positional
    S(T(2, 2, 4, 4, 4, layout="transposed"), 2, stride=[1, 2, 1]),
    S(T(0, 2, 4, 4, 4), 2),
]

AVG_POOL3D = [
    S(T(2, 2, 4, 4, 4), 2),
    S(T(2, 2, 5, 4, 5), 3, stride=2, padding=1),
    S(T(2, 2, 5, 4, 5), 3, stride=2, padding=1, count_include_pad=False),
    S(T(2, 2, 5, 4, 5), (2, 3, 2), (2, 1, 2), (1, 1, 0), True),  # kernel, stride, padding, ceil_mode
    S(T(2, 2, 5, 5, 4), 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    S(T(2, 2, 4, 4, 4), 2, divisor_override=3),
    S(T(2, 2, 4, 5, 4), (3, 2, 2), None, (1, 1, 0), False, True, 5),  # stride None: the kernel size
    S(T(2, 4, 5, 4), 2, 1),  # unbatched
    S(T(2, 5, 4, 5), (2, 3, 2), (2, 3, 2), ceil_mode=True),
    S(T(2, 2, 4, 4, 4, layout="strided"), 2),
    S(T(0, 2, 4, 4, 4), 2),
]

ADAPTIVE_AVG_POOL3D = [
    S(T(2, 2, 4, 5, 5), 3), S(T(2, 2, 5, 4, 5), (2, 3, 4)), S(T(2, 2, 4, 5, 4), (None, 2, None)),
    S(T(2, 2, 4, 4, 4), 1), S(T(1, 2, 3, 2, 4), output_size=(5, 3, 7)), S(T(2, 4, 5, 4), 2),
    S(T(2, 2, 4, 4, 4, layout="transposed"), (3, 2, 2)), S(T(0, 2, 4, 4, 4), 2),
]

ADAPTIVE_MAX_POOL3D = [
    S(T(2, 2, 4, 5, 5), 3), S(T(2, 2, 5, 4, 5), (2, 3, 4), return_indices=True),
    S(T(2, 2, 4, 5, 4), (None, 2, None)), S(T(2, 2, 4, 6, 4), 1, True),
    S(T(1, 2, 3, 2, 4), output_size=(5, 3, 7), return_indices=True), S(T(2, 4, 5, 4), 2, True),
    S(T(2, 2, 4, 4, 4, layout="transposed"), (3, 2, 2), return_indices=True), S(T(0, 2, 4, 4, 4), 2),
]


def _unpool3d_sample(shape, k, s=None, p=0, out=None, layout="contiguous", seed=0):
    """A max_unpool3d sample: input of `shape` and indices a max pool (kernel k, stride
    s, padding p, ints) could give, no index twice in a volume; `out` the output size
    (default PyTorch's)."""
    ks, ss, ps = (k,) * 3, ((s if s is not None else k),) * 3, (p,) * 3
    default = tuple((n - 1) * st + kk - 2 * pp for n, st, kk, pp in zip(shape[-3:], ss, ks, ps))

    def idx():  # drawn when a test first reads them
        return _unpool_indices(shape, ks, ss, ps, out or default, seed)

    args = (k,) if s is None else (k, s)
    kw = {}
    if p:
        kw["padding"] = p
    if out is not None:
        kw["output_size"] = out
    return S(T(*shape, layout=layout), T(*shape, kind="index", values=idx), *args, **kw)


MAX_UNPOOL3D = [
    _unpool3d_sample((2, 2, 2, 2, 2), 2),
    _unpool3d_sample((2, 2, 2, 3, 2), 3, 2, 1, seed=1),
    _unpool3d_sample((1, 2, 2, 2, 2), 2, out=(5, 4, 5), seed=2),  # output_size past the default
    _unpool3d_sample((1, 2, 2, 2, 3), 3, 1, seed=3),  # overlapping windows
    _unpool3d_sample((2, 2, 2, 2), 2, seed=4),  # unbatched
    _unpool3d_sample((2, 2, 2, 2, 2), 2, layout="transposed", seed=5),
    _unpool3d_sample((0, 2, 2, 2, 2), 2),
]

ENTRIES = [
    _functional("max_pool3d", MAX_POOL3D, onnx={"MaxPool3dGather": _max_pool3d_onnx}),
    # PyTorch's CPU avg_pool3d refuses bfloat16 (ours takes it, in float32)
    _functional("avg_pool3d", AVG_POOL3D, dtypes=FLOATS, onnx={"AvgPool3d": _avg_pool3d_onnx}),
    _functional("adaptive_avg_pool3d", ADAPTIVE_AVG_POOL3D, onnx={"AdaptiveAvgPool3d": _adaptive_avg_pool3d_onnx}),
    _functional("adaptive_max_pool3d", ADAPTIVE_MAX_POOL3D,
                onnx={"AdaptiveMaxPool3dGather": _adaptive_max_pool3d_onnx}),
    _functional("max_unpool3d", MAX_UNPOOL3D),
]
