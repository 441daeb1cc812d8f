"""Table entries of nn.functional's pooling (ops/pool.py): max pooling with indices,
padding, dilation and ceil_mode; average pooling with count_include_pad,
divisor_override and ceil_mode; adaptive average and max pooling; max unpooling; 1-D and
2-D, unbatched."""
import itertools

import numpy as np

from ..opinfo import OpInfo, S, T

F = "nn.functional."


def _functional(name, samples, **kw):
    return OpInfo(name, F + name, samples, namespace="nn.functional", **kw)


# ---- ONNX converters (autograd_lite.onnx): converter(builder, node, inputs) -> output ----------------
def _max_pool_onnx(b, node, inputs):
    if node.window is None:
        raise b.error("a max-pool gather made outside max_pool2d (a gradient graph) has no ONNX mapping")
    k, s, p, d, ceil = node.window
    return b.op("MaxPool", [inputs[0]], kernel_shape=list(k), strides=list(s), pads=list(p) * 2,
                dilations=list(d), ceil_mode=int(ceil))


def _avg_pool_onnx(b, node, inputs):
    k, s, p, include_pad, divisor = node.params
    y = b.op("AveragePool", [inputs[0]], kernel_shape=list(k), strides=list(s), pads=list(p) * 2,
             count_include_pad=int(include_pad or divisor is not None), ceil_mode=int(node.ceil_mode))
    if divisor is None:
        return y
    floor_hw = [(n + 2 * pp - kk) // ss + 1 for n, kk, ss, pp in zip(node.hw, k, s, p)]
    if list(b.out_shape()[-2:]) != floor_hw:
        raise b.error("divisor_override with ceil_mode windows past the padding has no ONNX mapping")
    return b.op("Mul", [y, b.scalar(k[0] * k[1] / divisor, b.out_dtype())])


def onnx_adaptive_avg_pool(b, node, inputs):
    """GlobalAveragePool, AveragePool when the windows tile evenly, else a product with
    an averaging matrix per axis (adaptive pooling is separable). Shared with 'area'
    interpolation's entries."""
    (h, w), (oh, ow) = node.hw, b.out_shape()[-2:]
    x = inputs[0]
    if (oh, ow) == (1, 1):
        return b.op("GlobalAveragePool", [x])
    if h % oh == 0 and w % ow == 0:
        k = [h // oh, w // ow]
        return b.op("AveragePool", [x], kernel_shape=k, strides=k)
    dtype = b.out_dtype()
    cols = b.op("MatMul", [x, b.const(_averaging(w, ow, dtype).T)])  # (..., H, ow)
    return b.op("MatMul", [b.const(_averaging(h, oh, dtype)), cols])  # (..., oh, ow)


def _averaging(n, m, dtype):
    """(m, n): row i averages PyTorch's adaptive window i of n inputs."""
    a = np.zeros((m, n), np.float64)
    for i in range(m):
        start, end = (i * n) // m, -((-(i + 1) * n) // m)
        a[i, start:end] = 1.0 / (end - start)
    return a.astype(dtype)


MAX_POOL2D = [
    S(T(2, 3, 5, 5), 2),
    S(T(2, 2, 5, 5), 3, stride=2, padding=1),
    S(T(2, 2, 5, 5), (2, 3), (1, 2), (1, 0), (1, 2)),  # kernel, stride, padding, dilation
    S(T(2, 2, 5, 5), 2, ceil_mode=True),
    S(T(2, 2, 5, 5), kernel_size=3, stride=2, padding=1, ceil_mode=True, return_indices=True),
    S(T(2, 2, 5, 5), 2, stride=1, dilation=2, return_indices=True),
    S(T(3, 5, 5), 2, 1),  # unbatched
    S(T(2, 2, 5, 6), (3, 2), (2, 1), 1, 2, True, return_indices=True),
    S(T(2, 2, 5, 5, layout="transposed"), 2, stride=[1, 2]),
    S(T(0, 2, 4, 4), 2),
]

MAX_POOL1D = [
    S(T(2, 3, 6), 2),
    S(T(2, 2, 7), 3, stride=2, padding=1),
    S(T(2, 2, 7), 2, 2, 0, 2, True),  # kernel, stride, padding, dilation, ceil_mode
    S(T(2, 2, 7), 3, stride=2, padding=1, return_indices=True, ceil_mode=True),
    S(T(3, 6), 2, return_indices=True),  # unbatched
    S(T(3, 9), 3, stride=2, dilation=2, return_indices=True),
    S(T(2, 2, 6, layout="strided"), (3,), stride=(1,)),
]

AVG_POOL2D = [
    S(T(2, 3, 5, 5), 2),
    S(T(2, 2, 5, 5), 3, stride=2, padding=1),
    S(T(2, 2, 5, 5), 3, stride=2, padding=1, count_include_pad=False),
    S(T(2, 2, 5, 5), (2, 3), (2, 1), (1, 1), True),  # kernel, stride, padding, ceil_mode
    S(T(2, 2, 5, 5), 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    S(T(2, 2, 5, 5), 2, divisor_override=3),
    S(T(2, 2, 5, 5), (3, 2), None, (1, 1), False, True, 5),  # stride None: the kernel size
    S(T(3, 5, 5), 2, 1),  # unbatched
    S(T(3, 5, 4), (2, 3), (2, 3), ceil_mode=True),
    S(T(2, 2, 5, 5, layout="transposed"), 2),
    S(T(0, 2, 4, 4), 2),
]

AVG_POOL1D = [
    S(T(2, 3, 6), 2),
    S(T(2, 2, 7), 3, stride=2, padding=1),
    S(T(2, 2, 7), 3, 2, 1, True, False),  # kernel, stride, padding, ceil_mode, count_include_pad
    S(T(2, 2, 7), 2, ceil_mode=True),
    S(T(3, 6), 3, 1),  # unbatched
    S(T(2, 3, 7), 4, 3, padding=2),
    S(T(2, 2, 6, layout="strided"), (2,)),
]

ADAPTIVE_AVG_POOL2D = [
    S(T(2, 3, 5, 5), 3), S(T(2, 2, 5, 5), (2, 4)), S(T(2, 2, 5, 5), (None, 2)),
    S(T(2, 2, 5, 5), 1), S(T(2, 2, 3, 4), output_size=(5, 7)), S(T(3, 5, 5), 2),
    S(T(3, 4, 5), (None, 7)), S(T(1, 2, 4, 5), (4, 5)),
    S(T(2, 2, 5, 5, layout="transposed"), (3, 2)), S(T(0, 2, 4, 4), 2),
]

ADAPTIVE_AVG_POOL1D = [
    S(T(2, 3, 7), 3), S(T(2, 2, 5), 1), S(T(2, 2, 3), output_size=5), S(T(3, 6), 4),
    S(T(2, 2, 6, layout="strided"), 2),
]

def _adaptive_max_pool_onnx(b, node, inputs):
    """GlobalMaxPool, or MaxPool when the windows tile evenly; uneven (overlapping or
    ragged) windows have no ONNX operator."""
    (h, w), (oh, ow) = node.hw, node.window
    if (oh, ow) == (1, 1):
        return b.op("GlobalMaxPool", [inputs[0]])
    if h % oh or w % ow:
        raise b.error(f"adaptive max pooling of {h}x{w} into {oh}x{ow} (uneven windows) has no ONNX mapping")
    k = [h // oh, w // ow]
    return b.op("MaxPool", [inputs[0]], kernel_shape=k, strides=k)


ADAPTIVE_MAX_POOL2D = [
    S(T(2, 3, 5, 5), 3), S(T(2, 2, 5, 5), (2, 4), return_indices=True), S(T(2, 2, 5, 5), (None, 2)),
    S(T(2, 2, 6, 4), 1, True), S(T(2, 2, 3, 4), output_size=(5, 7), return_indices=True),
    S(T(3, 5, 5), 2), S(T(3, 4, 5), (None, 7), True), S(T(1, 2, 4, 6), (2, 3)),
    S(T(2, 2, 5, 5, layout="transposed"), (3, 2), return_indices=True), S(T(0, 2, 4, 4), 2),
]

ADAPTIVE_MAX_POOL1D = [
    S(T(2, 3, 7), 3), S(T(2, 2, 5), 1, True), S(T(2, 2, 3), output_size=5, return_indices=True),
    S(T(3, 6), 4), S(T(3, 6), 6, True), S(T(2, 2, 6, layout="strided"), 2), S(T(0, 2, 6), 3),
]


def _unpool_indices(shape, k, s, p, out, seed=0):
    """Indices a max pool (kernel k, stride s, padding p; one int per spatial dim) over
    planes of size `out` could return for a pooled tensor of `shape`: for each position
    a random element of its window, flat in the plane, with no index twice in a plane
    (a repeated index's gradient is PyTorch's gather, not the derivative gradcheck
    measures; tests/nn/test_unpool.py compares that case with PyTorch)."""
    rng = np.random.default_rng(seed)
    nd = len(out)
    lead, spatial = shape[:-nd], shape[-nd:]
    idx = np.zeros(shape, np.int64)
    for plane in np.ndindex(*lead):
        used = set()
        for pos in np.ndindex(*spatial):  # a random free element of each window (greedy)
            spans = [range(max(pos[d] * s[d] - p[d], 0), min(pos[d] * s[d] - p[d] + k[d], out[d]))
                     for d in range(nd)]
            cells = [int(np.ravel_multi_index(c, out)) for c in itertools.product(*spans)]
            free = [c for c in cells if c not in used] or cells
            pick = free[int(rng.integers(len(free)))]
            used.add(pick)
            idx[plane + pos] = pick
    return idx


def _unpool_sample(shape, k, s=None, p=0, out=None, layout="contiguous", seed=0, **kw):
    """An unpool sample: input of `shape` and matching indices (kernel, stride, padding
    as ints; `out` the output size, default PyTorch's)."""
    nd = 2 if len(shape) == 4 or kw.pop("nd", 1) == 2 else 1
    ks, ss, ps = (k,) * nd, ((s if s is not None else k),) * nd, (p,) * nd
    default = tuple((n - 1) * st + kk - 2 * pp for n, st, kk, pp in zip(shape[-nd:], ss, ks, ps))

    def idx():  # drawn when a test first reads them, not at `import autograd_lite`
        return _unpool_indices(shape, ks, ss, ps, out or default, seed)

    args = (k,) if s is None else (k, s)
    if p:
        kw["padding"] = p
    if out is not None:
        kw["output_size"] = out
    return S(T(*shape, layout=layout), T(*shape, kind="index", values=idx), *args, **kw)


MAX_UNPOOL2D = [
    _unpool_sample((2, 3, 3, 3), 2),
    _unpool_sample((2, 2, 3, 4), 3, 2, 1, seed=1),
    _unpool_sample((2, 2, 3, 3), 2, out=(7, 6), seed=2),  # output_size past the default
    _unpool_sample((2, 2, 3, 3), 3, 1, seed=3),  # overlapping windows
    _unpool_sample((3, 3, 2), 2, nd=2, seed=4),  # unbatched
    _unpool_sample((2, 2, 3, 3), 2, layout="transposed", seed=5),
    _unpool_sample((0, 2, 3, 3), 2),
]

MAX_UNPOOL1D = [
    _unpool_sample((2, 3, 4), 2),
    _unpool_sample((2, 2, 5), 3, 2, 1, seed=1),
    _unpool_sample((2, 2, 4), 2, out=(9,), seed=2),
    _unpool_sample((3, 4), 2, seed=3),  # unbatched
    _unpool_sample((2, 2, 4), 2, layout="strided", seed=4),
]

ENTRIES = [
    _functional("max_pool2d", MAX_POOL2D, onnx={"MaxPoolGather": _max_pool_onnx}),
    _functional("max_pool1d", MAX_POOL1D, onnx={"MaxPoolGather": _max_pool_onnx}),
    _functional("avg_pool2d", AVG_POOL2D, onnx={"AvgPool2d": _avg_pool_onnx}),
    _functional("avg_pool1d", AVG_POOL1D, onnx={"AvgPool2d": _avg_pool_onnx}),
    _functional("adaptive_avg_pool2d", ADAPTIVE_AVG_POOL2D, onnx={"AdaptiveAvgPool2d": onnx_adaptive_avg_pool}),
    _functional("adaptive_avg_pool1d", ADAPTIVE_AVG_POOL1D, onnx={"AdaptiveAvgPool2d": onnx_adaptive_avg_pool}),
    _functional("adaptive_max_pool2d", ADAPTIVE_MAX_POOL2D,
                onnx={"AdaptiveMaxPoolGather": _adaptive_max_pool_onnx}),
    _functional("adaptive_max_pool1d", ADAPTIVE_MAX_POOL1D,
                onnx={"AdaptiveMaxPoolGather": _adaptive_max_pool_onnx}),
    _functional("max_unpool2d", MAX_UNPOOL2D),
    _functional("max_unpool1d", MAX_UNPOOL1D),
]
