"""3-D convolutions as 2-D ones: the depth taps folded into the channels.

A 3-D convolution of x (N, C, D, H, W) with w (Co, C/G, kd, kh, kw) is the 2-D
convolution of N * OD images (one per sample and output depth) of C * kd channels,
channel (c, t) being the depth slice `od * sd - pad + t * dd` of x (zeros outside),
with w seen as (Co, C/G * kd, kh, kw): the same sums, one GEMM per chunk with K =
C * kd * kh * kw, run by kernels/conv_gemm.py's 2-D drivers (its chunking, threads and
fused driver). `depth_unfold` builds the images (kd copies of x's slices), and its
adjoint `depth_fold` sums them back; the transposed convolution is the 2-D one followed
by the fold. Grouped channels stay contiguous (c major, t minor), so groups carry over.

`geo` is ops/conv3d.py's Geometry3d: `depth` = (kd, sd, front padding, dd, D, OD) and
`plane`, the 2-D Geometry (ops/conv.py) of the (H, W) part, groups included. Arrays
are float32 or float64, all of one dtype, validated by the caller.
"""
import numpy as np

from . import background, conv_gemm


def _taps(geo):
    """For each depth tap t: (first output depth, output depths, first input depth) of
    the outputs whose tap t falls inside the input."""
    kd, sd, pf, dd, d, od = geo.depth
    taps = []
    for t in range(kd):
        first = pf - t * dd  # the input depth of output 0's tap t is -first
        lo = 0 if first <= 0 else -(-first // sd)
        hi = min(od, (d - 1 + first) // sd + 1) if d - 1 + first >= 0 else 0
        taps.append((lo, max(hi - lo, 0), lo * sd - first))
    return taps


def _check(geo, what, x_shape):
    kd, sd, pf, dd, d, od = geo.depth
    if min(kd, sd, dd) < 1 or min(pf, od) < 0 or len(x_shape) != 5 or x_shape[2] != d:
        raise ValueError(f"{what}: bad depth geometry {geo.depth} for an input of {tuple(x_shape)}")


def depth_unfold(x, geo):
    """x (N, C, D, H, W) -> images (N * OD, C * kd, H, W), channel (c, t) of image
    (n, od) = x[n, c, od * sd - pad + t * dd] (zeros outside the input)."""
    _check(geo, "depth_unfold", x.shape)
    n, c, _, h, w = x.shape
    kd, sd = geo.depth[:2]
    od = geo.depth[5]
    out = np.empty((n, od, c, kd, h, w), x.dtype)
    for t, (lo, count, start) in enumerate(_taps(geo)):
        out[:, :lo, :, t] = 0
        out[:, lo + count:, :, t] = 0
        if count:
            out[:, lo:lo + count, :, t] = x[:, :, start:start + (count - 1) * sd + 1:sd].transpose(0, 2, 1, 3, 4)
    return out.reshape(n * od, c * kd, h, w)


def depth_fold(cols, geo, n, c):
    """The adjoint of `depth_unfold`: images (N * OD, C * kd, H, W) summed back into
    (N, C, D, H, W), the taps added in order."""
    kd, sd, _, _, d, od = geo.depth
    h, w = cols.shape[2:]
    if cols.shape != (n * od, c * kd, h, w):
        raise ValueError(f"depth_fold: images of shape {cols.shape} don't fit {n} samples of {c} channels "
                         f"and depth geometry {geo.depth}")
    cols = cols.reshape(n, od, c, kd, h, w)
    out = np.zeros((n, c, d, h, w), cols.dtype)
    for t, (lo, count, start) in enumerate(_taps(geo)):
        if count:
            out[:, :, start:start + (count - 1) * sd + 1:sd] += cols[:, lo:lo + count, :, t].transpose(0, 2, 1, 3, 4)
    return out


def _weights(w):
    """(Co, C/G, kd, kh, kw) -> (Co, C/G * kd, kh, kw), a view when contiguous."""
    w = np.ascontiguousarray(w)
    co, cg, kd, kh, kw = w.shape
    return w.reshape(co, cg * kd, kh, kw)


def _images(y, n):
    """(N, Co, OD, OH, OW) -> (N * OD, Co, OH, OW), C-contiguous."""
    _, co, od, oh, ow = y.shape
    return np.ascontiguousarray(y.transpose(0, 2, 1, 3, 4)).reshape(n * od, co, oh, ow)


def _volumes(y, n, od):
    """(N * OD, Co, OH, OW) -> (N, Co, OD, OH, OW), C-contiguous."""
    _, co, oh, ow = y.shape
    return np.ascontiguousarray(y.reshape(n, od, co, oh, ow).transpose(0, 2, 1, 3, 4))


def forward(x, w, b, geo):
    """conv3d: x (N, C, D, H, W), w (Co, C/G, kd, kh, kw), b (Co,) or None -> (N, Co,
    OD, OH, OW)."""
    n = x.shape[0]
    job = conv_gemm.FUSED.get(x.dtype)
    if job is not None and not job.ready:  # keyed by the layer's own weight array, not its 4-D view
        background.request_on_second_call(job, w)
    y = conv_gemm.forward(depth_unfold(x, geo), _weights(w), b, geo.plane)
    return _volumes(y, n, geo.depth[5])


def transpose(gy, w, b, geo):
    """conv_transpose3d, the adjoint of `forward` in x: gy (N, Co, OD, OH, OW), w (Co,
    C/G, kd, kh, kw), b (C,) or None -> (N, C, D, H, W)."""
    n = gy.shape[0]
    c = w.shape[1] * geo.plane.groups
    if gy.ndim != 5 or gy.shape[2] != geo.depth[5]:
        raise ValueError(f"conv_transpose3d: input {gy.shape} doesn't fit the depth geometry {geo.depth}")
    cols = conv_gemm.transpose(_images(gy, n), _weights(w), None, geo.plane)
    out = depth_fold(cols, geo, n, c)
    if b is not None:
        out += np.asarray(b, out.dtype).reshape(-1, 1, 1, 1)
    return out


def weight_grad(x, gy, geo):
    """The gradient of sum(gy * conv3d(x, w)) for w: (Co, C/G, kd, kh, kw)."""
    n, c = x.shape[:2]
    gw = conv_gemm.weight_grad(depth_unfold(x, geo), _images(gy, n), geo.plane)
    co, k2 = gw.shape[:2]
    return gw.reshape(co, k2 // geo.depth[0], geo.depth[0], *gw.shape[2:])


def backward(x, w, gy, geo, need_input, need_weight, weight_out=None):
    """conv3d's gradients for x and w (None where not needed) in one pass of the 2-D
    kernels over the images; the weight's into `weight_out` if given (a C-contiguous
    array of w's shape and dtype)."""
    n, c = x.shape[:2]
    w2 = _weights(w)
    out2 = None if weight_out is None else weight_out.reshape(w2.shape)
    gcols, gw, _ = conv_gemm.backward(depth_unfold(x, geo), w2, _images(gy, n), geo.plane, need_input,
                                      need_weight, weight_out=out2)
    gx = depth_fold(gcols, geo, n, c) if need_input else None
    if need_weight:
        gw = weight_out if weight_out is not None else gw.reshape(w.shape)
    return gx, gw


def transpose_backward(gy, w, g, geo, need_gy, need_weight):
    """conv_transpose3d's gradients for its input gy (= conv3d(g, w)) and for w (=
    weight_grad(g, gy)) in one pass."""
    n = gy.shape[0]
    dgy, dw = conv_gemm.transpose_backward(_images(gy, n), _weights(w), depth_unfold(g, geo), geo.plane, need_gy,
                                           need_weight)
    if need_gy:
        dgy = _volumes(dgy, n, geo.depth[5])
    if need_weight:
        co, k2 = dw.shape[:2]
        dw = dw.reshape(co, k2 // geo.depth[0], geo.depth[0], *dw.shape[2:])
    return dgy, dw
