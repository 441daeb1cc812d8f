"""conv1d/conv2d/conv_transpose1d/conv_transpose2d against PyTorch (values and every
gradient, float64 and float32) over a grid of shapes, strides, paddings, dilations
and groups; gradcheck for each, gradgradcheck for the 2-D ones; clear errors."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.nn.functional as F
from helpers import compare, gradcheck, randn

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
TOL32 = dict(rtol=2e-4, atol=2e-5)  # float32 GEMMs sum in a different order than oneDNN


def _conv(name, **kw):
    return lambda lib, x, w, b: getattr(lib.nn.functional, name)(x, w, b, **kw)


def _conv_nobias(name, **kw):
    return lambda lib, x, w: getattr(lib.nn.functional, name)(x, w, **kw)


def _check(fn, *arrays):
    compare(fn, *arrays, dtypes=(np.float64,))
    compare(fn, *arrays, dtypes=(np.float32,), tol=TOL32)


# (input shape, weight shape, kwargs)
CONV2D = [
    ((2, 3, 7, 8), (4, 3, 3, 2), {}),
    ((2, 4, 9, 8), (6, 2, 3, 3), dict(stride=2, padding=1, dilation=(2, 1), groups=2)),
    ((2, 4, 9, 8), (4, 1, 3, 4), dict(padding="same", dilation=2, groups=4)),  # depthwise, asymmetric 'same'
    ((2, 4, 9, 8), (8, 1, 3, 3), dict(padding=1, groups=4)),  # depthwise multiplier 2
    ((1, 3, 5, 5), (2, 3, 2, 2), dict(stride=3, padding=(0, 1))),
    ((2, 2, 6, 7), (3, 2, 4, 4), dict(padding="same")),
    ((2, 2, 6, 7), (3, 2, 4, 3), dict(padding="valid", stride=(1, 2))),
    ((3, 6, 5, 6), (6, 2, 1, 1), dict(groups=3)),
    ((2, 3, 11, 10), (5, 3, 5, 5), dict(stride=(2, 3), padding=2, dilation=1)),
    ((2, 1, 4, 4), (2, 1, 4, 4), dict(padding=3, dilation=2)),  # padding larger than the input
    ((3, 7, 8), (4, 3, 3, 3), {}),  # unbatched
]


@pytest.mark.parametrize("xs,ws,kw", CONV2D, ids=[str(i) for i in range(len(CONV2D))])
def test_conv2d_matches_torch(xs, ws, kw):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    _check(_conv("conv2d", **kw), x, w, b)


def test_conv2d_without_bias_and_input_only_grad():
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((4, 3, 3, 3))
    _check(_conv_nobias("conv2d", padding=1), x, w)
    xt = ag.tensor(x, requires_grad=True)
    F.conv2d(xt, ag.tensor(w)).sum().backward()
    tt = torch.tensor(x, requires_grad=True)
    torch.nn.functional.conv2d(tt, torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xt.grad._data, tt.grad.numpy(), rtol=1e-10)


CONV1D = [
    ((2, 3, 9), (4, 3, 3), {}),
    ((2, 4, 10), (6, 2, 3), dict(stride=2, padding=1, dilation=2, groups=2)),
    ((2, 4, 10), (4, 1, 4), dict(padding="same", groups=4)),
    ((1, 2, 7), (3, 2, 2), dict(stride=3, padding=(2,))),
    ((3, 8), (5, 3, 3), dict(padding="valid")),
]


@pytest.mark.parametrize("xs,ws,kw", CONV1D, ids=[str(i) for i in range(len(CONV1D))])
def test_conv1d_matches_torch(xs, ws, kw):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    _check(_conv("conv1d", **kw), x, w, b)


# (input shape, weight shape (C_in, C_out/groups, k...), kwargs)
CONVT2D = [
    ((2, 3, 4, 5), (3, 2, 3, 3), {}),
    ((2, 4, 4, 5), (4, 3, 3, 2), dict(stride=2, padding=1, output_padding=1, groups=2)),
    ((2, 4, 4, 5), (4, 3, 3, 2), dict(stride=1, padding=1, output_padding=1, groups=2, dilation=2)),
    ((1, 2, 3, 3), (2, 1, 4, 4), dict(stride=(3, 2), padding=(0, 1), output_padding=(2, 0))),
    ((2, 4, 5, 5), (4, 1, 3, 3), dict(stride=2, groups=4)),  # depthwise
    ((3, 4, 5), (3, 2, 2, 2), dict(stride=2)),  # unbatched
]


@pytest.mark.parametrize("xs,ws,kw", CONVT2D, ids=[str(i) for i in range(len(CONVT2D))])
def test_conv_transpose2d_matches_torch(xs, ws, kw):
    rng = np.random.default_rng(0)
    groups = kw.get("groups", 1)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[1] * groups)
    _check(_conv("conv_transpose2d", **kw), x, w, b)


CONVT1D = [
    ((2, 3, 5), (3, 2, 3), {}),
    ((2, 4, 6), (4, 3, 3), dict(stride=3, padding=1, output_padding=2, groups=2, dilation=2)),
    ((3, 4), (3, 2, 4), dict(stride=2, padding=1)),
]


@pytest.mark.parametrize("xs,ws,kw", CONVT1D, ids=[str(i) for i in range(len(CONVT1D))])
def test_conv_transpose1d_matches_torch(xs, ws, kw):
    rng = np.random.default_rng(0)
    groups = kw.get("groups", 1)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[1] * groups)
    _check(_conv("conv_transpose1d", **kw), x, w, b)


# ---- gradcheck / gradgradcheck -------------------------------------------------------------------------
def test_conv2d_gradcheck_and_gradgradcheck():
    x, w, b = randn(2, 4, 5, 4, seed=1), randn(4, 2, 3, 2, seed=2), randn(4, seed=3)
    gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=(2, 1), padding=1, dilation=(1, 2), groups=2),
              x, w, b, second_order=True)
    gradcheck(lambda x, w, b: F.conv2d(x, w, b, padding="same"), randn(1, 2, 4, 5, seed=4),
              randn(3, 2, 2, 3, seed=5), randn(3, seed=6), second_order=True)


def test_conv_transpose2d_gradcheck_and_gradgradcheck():
    gradcheck(lambda x, w, b: F.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1, groups=2),
              randn(1, 4, 3, 3, seed=1), randn(4, 1, 3, 2, seed=2), randn(2, seed=3), second_order=True)


def test_conv1d_and_conv_transpose1d_gradcheck():
    gradcheck(lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1, dilation=2),
              randn(2, 3, 9, seed=1), randn(2, 3, 3, seed=2), randn(2, seed=3), second_order=True)
    gradcheck(lambda x, w, b: F.conv_transpose1d(x, w, b, stride=2, output_padding=1),
              randn(2, 3, 4, seed=1), randn(3, 2, 3, seed=2), randn(2, seed=3))


def test_double_backward_matches_torch():
    """A gradient penalty through conv2d: d/dw |d loss / dx|^2, against torch."""
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3))
    res = []
    for lib in (ag, torch):
        xt, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        y = lib.nn.functional.conv2d(xt, wt, stride=2, padding=1)
        y = lib.nn.functional.conv_transpose2d(lib.tanh(y), wt, stride=2, padding=1, output_padding=1)
        (gx,) = lib.autograd.grad((y * y).sum(), xt, create_graph=True)
        (gw,) = lib.autograd.grad((gx * gx).sum(), wt)
        res.append((gx.detach().numpy() if lib is torch else gx._data,
                    gw.detach().numpy() if lib is torch else gw._data))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-9, atol=1e-10)


# ---- errors ----------------------------------------------------------------------------------------------
def test_conv_errors_are_clear():
    x = ag.randn(2, 3, 8, 8)
    w = ag.randn(4, 3, 3, 3)
    with pytest.raises(RuntimeError, match=r"conv2d: Given groups=1, weight of size \[4, 2, 3, 3\].*3 channels"):
        F.conv2d(x, ag.randn(4, 2, 3, 3))
    with pytest.raises(ValueError, match="'same' is not supported for strided"):
        F.conv2d(x, w, padding="same", stride=2)
    with pytest.raises(ValueError, match="Invalid padding string 'full'"):
        F.conv2d(x, w, padding="full")
    with pytest.raises(RuntimeError, match="Kernel size can't be greater"):
        F.conv2d(ag.randn(1, 3, 2, 2), w)
    with pytest.raises(TypeError, match=r"conv2d: Input type \(float32\), weight type \(float64\)"):
        F.conv2d(x, w.double())
    with pytest.raises(TypeError, match="float32 or float64"):
        F.conv2d(ag.ones(1, 3, 4, 4, dtype=ag.int64), w)
    with pytest.raises(RuntimeError, match="conv2d: Expected 3D .* or 4D"):
        F.conv2d(ag.randn(3, 8), w)
    with pytest.raises(RuntimeError, match="conv2d: expected bias of shape"):
        F.conv2d(x, w, ag.randn(3))
    with pytest.raises(ValueError, match="non-positive stride"):
        F.conv2d(x, w, stride=0)
    with pytest.raises(ValueError, match="groups"):
        F.conv2d(x, w, groups=0)
    with pytest.raises(ValueError, match="negative padding"):
        F.conv2d(x, w, padding=-1)
    with pytest.raises(ValueError, match="output padding must be smaller"):
        F.conv_transpose2d(ag.randn(1, 4, 3, 3), w, stride=2, output_padding=2)
    with pytest.raises(RuntimeError, match="conv_transpose2d: Given transposed=1"):
        F.conv_transpose2d(ag.randn(1, 3, 3, 3), w)
    with pytest.raises(RuntimeError, match="conv1d"):
        F.conv1d(ag.randn(2, 3, 8), w)


def test_non_contiguous_inputs_and_gradients():
    """Transposed/strided views as input, weight and incoming gradient give torch's numbers."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 7, 6, 3)).transpose(0, 3, 1, 2)  # (2, 3, 7, 6), not contiguous
    w = rng.standard_normal((3, 3, 4, 2))[:, :, ::2].transpose(1, 0, 2, 3)  # (3, 3, 2, 2)
    _check(_conv("conv2d", padding=1), x, w, rng.standard_normal(3))
    _check(_conv("conv_transpose2d", stride=2), x, w, rng.standard_normal(3))
    xa = ag.tensor(x.copy(), requires_grad=True)
    y = F.conv2d(xa, ag.tensor(w.copy()), stride=2)
    y.sum().backward()  # the gradient of sum arrives as an expanded (zero-stride) array
    xt = torch.tensor(x.copy(), requires_grad=True)
    torch.nn.functional.conv2d(xt, torch.tensor(w.copy()), stride=2).sum().backward()
    np.testing.assert_allclose(xa.grad._data, xt.grad.numpy(), rtol=1e-10)
