"""3-D convolution and pooling layers against their PyTorch twins, beyond the op
table's generic tests of the functionals (values, gradients, gradcheck, gradgradcheck):
modules with torch's weights loaded (and ours loaded into torch), reprs, parameter
shapes and default init, unbatched input, max pool ties and NaN, unpooling, second
derivatives through a layer, and argument errors."""
import math

import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.nn.functional as F
from autograd_lite import nn
from autograd_lite.extend import set_grad_destination
from helpers import compare, randn
from nn_helpers import check_module, close

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")

X5 = randn(2, 4, 5, 6, 7, seed=3)
X4 = randn(4, 5, 6, 7, seed=4)  # unbatched


def _pair(name, *args, **kw):
    return (lambda: getattr(nn, name)(*args, **kw)), (lambda: getattr(torch.nn, name)(*args, **kw))


def _same_repr(name, *args, **kw):
    assert repr(getattr(nn, name)(*args, **kw)) == repr(getattr(torch.nn, name)(*args, **kw))


@pytest.mark.parametrize("args,kw", [
    ((4, 6, 3), {}),
    ((4, 6, (3, 2, 3)), dict(stride=2, padding=1, dilation=(1, 2, 1), groups=2, bias=False)),
    ((4, 4, 3), dict(padding="same", groups=4)),
    ((4, 3, (2, 3, 2)), dict(padding="same", dilation=(2, 1, 1))),
    ((4, 3, 3), dict(padding="valid", stride=(1, 2, 3))),
    ((4, 3, 3), dict(padding=1, padding_mode="reflect")),
    ((4, 3, (2, 3, 4)), dict(padding="same", padding_mode="replicate")),
    ((4, 3, 3), dict(padding=(2, 1, 0), padding_mode="circular")),
])
@pytest.mark.parametrize("x", [X5, X4], ids=["batched", "unbatched"])
def test_conv3d_module(args, kw, x):
    check_module(*_pair("Conv3d", *args, **kw), x)
    _same_repr("Conv3d", *args, **kw)


@pytest.mark.parametrize("args,kw", [
    ((4, 3, 3), {}),
    ((4, 6, 3), dict(stride=2, padding=1, output_padding=1, groups=2)),
    ((4, 2, 2), dict(stride=(2, 1, 3), dilation=2, bias=False)),
    ((4, 4, (1, 3, 2)), dict(stride=(1, 2, 2), padding=(0, 1, 0), output_padding=(0, 1, 1), groups=4)),
])
@pytest.mark.parametrize("x", [X5, X4], ids=["batched", "unbatched"])
def test_conv_transpose3d_module(args, kw, x):
    check_module(*_pair("ConvTranspose3d", *args, **kw), x)
    _same_repr("ConvTranspose3d", *args, **kw)


def test_conv_transpose3d_output_size():
    ours, theirs = nn.ConvTranspose3d(4, 2, 3, stride=2, padding=1), torch.nn.ConvTranspose3d(4, 2, 3, stride=2,
                                                                                              padding=1)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = randn(1, 4, 3, 4, 5, seed=3).astype(np.float32)
    a, t = ours(ag.tensor(x), output_size=(6, 8, 9)), theirs(torch.tensor(x), output_size=(6, 8, 9))
    assert a.shape == (1, 2, 6, 8, 9)
    close(a, t, np.float32, "output")
    with pytest.raises(ValueError, match="valid sizes range from 5 to 6"):
        ours(ag.tensor(x), output_size=(7, 8, 9))


@pytest.mark.parametrize("cls,args,kw", [
    ("Conv3d", (4, 6, 3), {}), ("Conv3d", (4, 6, (2, 3, 1)), dict(groups=2, padding_mode="reflect", padding=1)),
    ("ConvTranspose3d", (4, 6, 3), dict(groups=2, stride=2)),
])
def test_ours_load_into_torch(cls, args, kw):
    """state_dict both ways: ours (default init) loaded into torch gives torch the same
    outputs and gradients."""
    ag.manual_seed(1)
    ours, theirs = getattr(nn, cls)(*args, **kw).to(ag.float64), getattr(torch.nn, cls)(*args, **kw).double()
    assert list(ours.state_dict()) == list(theirs.state_dict()) == ["weight", "bias"]
    theirs.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    xa, xt = ag.tensor(X5, requires_grad=True), torch.tensor(X5, requires_grad=True)
    ya, yt = ours(xa), theirs(xt)
    close(ya, yt, np.float64, "output")
    ya.sum().backward()
    yt.sum().backward()
    close(xa.grad, xt.grad, np.float64, "input grad")
    close(ours.weight.grad, theirs.weight.grad, np.float64, "weight grad")
    close(ours.bias.grad, theirs.bias.grad, np.float64, "bias grad")


@pytest.mark.parametrize("cls,args,kw", [
    ("Conv3d", (8, 16, 3), {}), ("Conv3d", (8, 16, (3, 1, 5)), dict(groups=4)),
    ("ConvTranspose3d", (8, 16, 3), dict(groups=2)),
])
def test_default_init_is_torchs(cls, args, kw):
    """Parameter names, shapes and dtype as torch's; kaiming_uniform_(a=sqrt(5)) =
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias."""
    ag.manual_seed(0)
    m, t = getattr(nn, cls)(*args, **kw), getattr(torch.nn, cls)(*args, **kw)
    assert [(k, tuple(p.shape)) for k, p in m.named_parameters()] == \
        [(k, tuple(p.shape)) for k, p in t.named_parameters()]
    assert m.weight.dtype == np.float32
    fan_in = m.weight.shape[1] * int(np.prod(m.weight.shape[2:]))
    bound = 1 / math.sqrt(fan_in)
    assert np.abs(m.bias._data).max() <= bound
    assert 0.9 * bound < np.abs(m.weight._data).max() <= bound
    assert abs(m.weight._data.std() - bound / math.sqrt(3)) < 0.15 * bound


def test_second_derivatives_through_conv3d_layers():
    """The gradient's norm differentiated again (create_graph) through Conv3d and
    ConvTranspose3d, as torch (float64: in float32 the sums cancel to torch's rounding)."""
    def run(lib, x, w1, w2):
        f = lib.nn.functional
        y = f.conv_transpose3d(lib.tanh(f.conv3d(x, w1, padding=1, stride=(1, 2, 1))), w2, stride=2, padding=1)
        (gx,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        return (gx * gx).sum()

    compare(run, randn(2, 2, 4, 5, 4, seed=1), randn(3, 2, 3, 3, 3, seed=2), randn(3, 2, 2, 3, 2, seed=3),
            dtypes=(np.float64,))


def test_conv3d_module_argument_errors():
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv3d(3, 6, 3, groups=2)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv3d(4, 6, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv3d(4, 6, 3, padding_mode="edge")
    with pytest.raises(ValueError, match='Only "zeros" padding mode'):
        nn.ConvTranspose3d(4, 6, 3, padding_mode="reflect")


def test_conv3d_functional_errors():
    x, w = ag.zeros(2, 3, 4, 4, 4), ag.zeros(4, 3, 3, 3, 3)
    with pytest.raises(ag.ShapeError, match=r"conv3d: expected a 5-D weight, got shape \(4, 3, 3, 3\)"):
        F.conv3d(x, ag.zeros(4, 3, 3, 3))
    with pytest.raises(ag.ShapeError, match=r"conv3d: Expected 4D \(unbatched\) or 5D \(batched\) input"):
        F.conv3d(ag.zeros(3, 4, 4), w)
    with pytest.raises(ag.ShapeError, match=r"expected input\[2, 2, 4, 4, 4\] to have 3 channels"):
        F.conv3d(ag.zeros(2, 2, 4, 4, 4), w)
    with pytest.raises(ag.ShapeError, match=r"padded input size per channel: \(2 x 4 x 4\). Kernel size: "
                                            r"\(3 x 3 x 3\)"):
        F.conv3d(ag.zeros(2, 3, 2, 4, 4), w)
    with pytest.raises(TypeError, match=r"conv3d: Input type \(float32\), weight type \(float64\)"):
        F.conv3d(x, ag.zeros(4, 3, 3, 3, 3, dtype=ag.float64))
    with pytest.raises(ag.ShapeError, match="expected weight to be divisible by 2 at dimension 0"):
        F.conv3d(ag.zeros(2, 4, 4, 4, 4), ag.zeros(3, 2, 3, 3, 3), groups=2)
    with pytest.raises(ValueError, match="conv3d: non-positive stride"):
        F.conv3d(x, w, stride=(1, 0, 1))
    with pytest.raises(ValueError, match="conv3d: padding='same' is not supported for strided"):
        F.conv3d(x, w, stride=2, padding="same")
    with pytest.raises(ValueError, match="conv3d: Invalid padding string 'full'"):
        F.conv3d(x, w, padding="full")
    with pytest.raises(ag.ShapeError, match=r"conv3d: expected bias of shape \(4,\), got \(3,\)"):
        F.conv3d(x, w, ag.zeros(3))
    with pytest.raises(ValueError, match="padding"):
        F.conv3d(x, w, padding=(1, 1))
    with pytest.raises(ag.ShapeError, match="conv_transpose3d: .*Output size is too small"):
        F.conv_transpose3d(ag.zeros(2, 3, 1, 1, 1), ag.zeros(3, 2, 1, 1, 1), padding=1)
    with pytest.raises(ValueError, match="conv_transpose3d: output padding must be smaller"):
        F.conv_transpose3d(ag.zeros(2, 3, 2, 2, 2), ag.zeros(3, 2, 2, 2, 2), output_padding=1)
    with pytest.raises(ag.ShapeError, match="conv_transpose3d: Given transposed=1"):
        F.conv_transpose3d(ag.zeros(2, 2, 2, 2, 2), ag.zeros(3, 2, 2, 2, 2))


# ---- pooling ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name,args,kw", [
    ("MaxPool3d", (3, 2, 1), dict(ceil_mode=True)),
    ("MaxPool3d", (2,), dict(dilation=(2, 1, 2), stride=1)),
    ("MaxPool3d", ((2, 3, 2), (1, 2, 2), (1, 1, 0)), {}),
    ("AvgPool3d", (3, 2, 1), dict(count_include_pad=False)),
    ("AvgPool3d", (2,), dict(divisor_override=3, ceil_mode=True)),
    ("AvgPool3d", ((3, 2, 2), None, (1, 0, 1)), dict(ceil_mode=True)),
    ("AdaptiveAvgPool3d", ((3, 2, 4),), {}),
    ("AdaptiveAvgPool3d", (1,), {}),
    ("AdaptiveAvgPool3d", ((None, 4, 9),), {}),
    ("AdaptiveMaxPool3d", ((3, 2, 4),), {}),
    ("AdaptiveMaxPool3d", ((2, None, 1),), {}),
])
@pytest.mark.parametrize("x", [X5, X4], ids=["batched", "unbatched"])
def test_pooling_modules(name, args, kw, x):
    check_module(*_pair(name, *args, **kw), x)
    _same_repr(name, *args, **kw)


def test_max_pool3d_with_indices_and_unpool_modules():
    x = randn(2, 3, 6, 5, 7, seed=5)
    for dtype in (np.float64, np.float32):
        xa, xt = ag.tensor(x.astype(dtype), requires_grad=True), torch.tensor(x.astype(dtype), requires_grad=True)
        (ya, ia), (yt, it) = nn.MaxPool3d(2, return_indices=True)(xa), torch.nn.MaxPool3d(2, return_indices=True)(xt)
        np.testing.assert_array_equal(ia._data, it.numpy())
        assert ia.dtype == np.int64 and not ia.requires_grad
        ua = nn.MaxUnpool3d(2)(ya, ia, output_size=xa.shape)
        ut = torch.nn.MaxUnpool3d(2)(yt, it, output_size=xt.shape)
        close(ua, ut, dtype, "unpooled")
        w = randn(*ua.shape, seed=6).astype(dtype)
        (ua * ag.tensor(w)).sum().backward()
        (ut * torch.tensor(w)).sum().backward()
        close(xa.grad, xt.grad, dtype, "input grad")
    _same_repr("MaxUnpool3d", 2)
    _same_repr("MaxUnpool3d", (2, 3, 1), (1, 2, 1), 1)
    _same_repr("AdaptiveMaxPool3d", 3, return_indices=True)


def _fn(name, *args, **kw):
    return lambda lib, x: getattr(lib.nn.functional, name)(x, *args, **kw)


def test_max_pool3d_ties_and_nan_follow_torch():
    """The first maximum in (d, h, w) order wins; a NaN wins (the last one)."""
    compare(_fn("max_pool3d", 2, 1, return_indices=True), np.ones((1, 2, 3, 3, 3)))
    compare(_fn("max_pool3d", 3, 2, 1, return_indices=True), np.round(randn(2, 2, 5, 4, 5, seed=1)))
    compare(_fn("adaptive_max_pool3d", (2, 3, 2), return_indices=True), np.round(randn(2, 2, 5, 4, 5, seed=2)))
    x = randn(1, 2, 4, 4, 4, seed=3)
    x[0, 0, 1, 1, 1] = x[0, 0, 0, 1, 0] = x[0, 1, 3, 2, 2] = np.nan
    compare(_fn("max_pool3d", 2, return_indices=True), x, grad=False)
    compare(_fn("max_pool3d", 3, 1, 1, return_indices=True), x, grad=False)
    compare(_fn("adaptive_max_pool3d", 3, return_indices=True), x, grad=False)
    x = np.full((1, 1, 2, 2, 2), -np.inf)
    compare(_fn("max_pool3d", 2, padding=1, return_indices=True), x, grad=False)


def test_max_pool3d_backward_checks_indices_a_user_holds():
    x = ag.tensor(randn(2, 3, 4, 4, 4, seed=5), requires_grad=True)
    y, idx = F.max_pool3d(x, 2, return_indices=True)
    idx._data[0, 0, 0, 0, 0] = 999  # past the 4 x 4 x 4 volume
    with pytest.raises(ValueError, match="indices out of range"):
        y.sum().backward()


def test_pooling3d_errors_are_clear():
    x = ag.randn(1, 2, 4, 4, 4)
    with pytest.raises(ValueError, match="max_pool3d: pad should be at most half"):
        F.max_pool3d(x, 2, padding=2)
    with pytest.raises(ag.ShapeError, match=r"max_pool3d: Given input size: \(2, 1, 4, 4\). Calculated output "
                                            r"size: \(2, 0, 2, 2\). Output size is too small"):
        F.max_pool3d(ag.randn(1, 2, 1, 4, 4), 2)
    with pytest.raises(ag.ShapeError, match="max_pool3d: Expected 4D or 5D input"):
        F.max_pool3d(ag.randn(4, 4, 4), 2)
    with pytest.raises(ag.ShapeError, match="avg_pool3d: Expected input with non-zero"):
        F.avg_pool3d(ag.randn(1, 0, 4, 4, 4), 2)
    with pytest.raises(ValueError, match="stride must be greater than zero"):
        F.avg_pool3d(x, 2, stride=0)
    with pytest.raises(ag.ShapeError, match=r"avg_pool3d: input image \(T: 2 H: 4 W: 4\) smaller than kernel "
                                            r"size \(kT: 3 kH: 1 kW: 1\)"):
        F.avg_pool3d(ag.randn(1, 2, 2, 4, 4), (3, 1, 1), padding=(1, 0, 0))  # PyTorch refuses it, padded or not
    with pytest.raises(ValueError, match="kernel_size"):
        F.avg_pool3d(x, (2, 2))
    with pytest.raises(ValueError, match="avg_pool3d: divisor must be not zero"):
        F.avg_pool3d(x, 2, divisor_override=0)
    with pytest.raises(TypeError, match="float32, float64 or bfloat16"):
        F.max_pool3d(ag.ones(1, 2, 4, 4, 4, dtype=ag.int64), 2)
    with pytest.raises(ValueError, match="adaptive_avg_pool3d: output_size"):
        F.adaptive_avg_pool3d(x, (0, 2, 2))
    with pytest.raises(ValueError, match="adaptive_max_pool3d: output_size must be an int or 3 ints"):
        F.adaptive_max_pool3d(x, (2, 2))
    with pytest.raises(RuntimeError, match=r"max_unpool3d: strides should be greater than zero, but got stride: "
                                           r"\[0, 0, 0\]"):
        F.max_unpool3d(x, ag.zeros(1, 2, 4, 4, 4, dtype=ag.int64), 2, stride=0)
    with pytest.raises(RuntimeError, match="elements in indices should be type int64"):
        F.max_unpool3d(x, ag.zeros(1, 2, 4, 4, 4), 2)
    with pytest.raises(RuntimeError, match=r"Found an invalid max index: 999 \(output volumes are of size "
                                           r"8x8x8\)"):
        F.max_unpool3d(x, ag.full((1, 2, 4, 4, 4), 999, dtype=ag.int64), 2)
    with pytest.raises(RuntimeError, match="Input to max_unpooling3d should be a 4d or 5d Tensor"):
        F.max_unpool3d(ag.zeros(2, 2, 2), ag.zeros(2, 2, 2, dtype=ag.int64), 2)
    with pytest.raises(ValueError, match=r"invalid output_size \"\(9, 4, 4\)\" \(dim 0 must be between 2 and 6\)"):
        F.max_unpool3d(ag.zeros(1, 1, 2, 2, 2), ag.zeros(1, 1, 2, 2, 2, dtype=ag.int64), 2, output_size=(9, 4, 4))


def test_avg_pool3d_takes_bfloat16():
    """PyTorch's CPU avg_pool3d refuses bfloat16 (so the op table runs it in float32 and
    float64 only); ours computes it in float32 and rounds once, as its other bfloat16 ops."""
    x = ag.tensor(randn(2, 3, 5, 4, 6, seed=7)).to(ag.bfloat16).requires_grad_()
    y = F.avg_pool3d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False)
    want = torch.nn.functional.avg_pool3d(torch.tensor(x.float().detach().numpy(), requires_grad=True), 3, 2, 1,
                                          ceil_mode=True, count_include_pad=False)
    assert y.dtype == ag.bfloat16
    np.testing.assert_array_equal(y.float().detach().numpy(), want.to(torch.bfloat16).float().detach().numpy())
    y.float().sum().backward()
    assert x.grad.dtype == ag.bfloat16 and x.grad.shape == x.shape


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_conv3d_writes_its_weight_gradient_into_a_destination(dtype):
    """As Conv2d: the weight gradient goes straight into memory its owner registered
    (DDP's bucket slot), and the leaf takes that array without a copy."""
    x = ag.tensor(randn(2, 3, 4, 5, 4, seed=8).astype(dtype), requires_grad=True)
    w = ag.tensor(randn(4, 3, 3, 2, 3, seed=9).astype(dtype), requires_grad=True)
    wr = ag.tensor(w.detach().numpy().copy(), requires_grad=True)
    F.conv3d(x, wr, padding=1).pow(2).sum().backward()
    slot = np.full(w.shape, np.nan, dtype)
    set_grad_destination(w, lambda: slot)
    F.conv3d(x, w, padding=1).pow(2).sum().backward()
    assert w.grad.numpy() is slot
    np.testing.assert_array_equal(slot, wr.grad.numpy())
