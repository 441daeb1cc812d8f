"""Conv, pooling, padding and upsampling modules and LeNet5 against their PyTorch
twins (torch's weights loaded through state_dict; outputs, parameter and input
gradients, buffers, reprs); default initialisation; BatchNorm2d in a conv stack."""
import math

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from helpers import randn
from nn_helpers import check_module

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")

X4 = randn(2, 4, 9, 8, seed=1)
X3 = randn(2, 4, 11, seed=2)
X5 = randn(2, 3, 4, 5, 6, seed=3)


def _pair(name, *args, **kw):
    return (lambda: getattr(nn, name)(*args, **kw)), (lambda: getattr(torch.nn, name)(*args, **kw))


@pytest.mark.parametrize("args,kw", [
    ((4, 6, 3), {}),
    ((4, 6, (3, 2)), dict(stride=2, padding=1, dilation=(1, 2), groups=2, bias=False)),
    ((4, 4, 4), dict(padding="same", groups=4)),
    ((4, 3, 3), dict(padding=1, padding_mode="reflect")),
    ((4, 3, 4), dict(padding="same", padding_mode="replicate")),
    ((4, 3, 3), dict(padding=2, padding_mode="circular")),
])
def test_conv2d_module(args, kw):
    check_module(*_pair("Conv2d", *args, **kw), X4)
    assert repr(nn.Conv2d(*args, **kw)) == repr(torch.nn.Conv2d(*args, **kw))


@pytest.mark.parametrize("args,kw", [((4, 6, 3), {}), ((4, 6, 3), dict(stride=2, padding=1, groups=2)),
                                     ((4, 2, 4), dict(padding="same", padding_mode="reflect"))])
def test_conv1d_module(args, kw):
    check_module(*_pair("Conv1d", *args, **kw), X3)
    assert repr(nn.Conv1d(*args, **kw)) == repr(torch.nn.Conv1d(*args, **kw))


@pytest.mark.parametrize("args,kw", [((4, 3, 3), {}),
                                     ((4, 6, 3), dict(stride=2, padding=1, output_padding=1, groups=2)),
                                     ((4, 2, 2), dict(stride=2, dilation=2, bias=False))])
def test_conv_transpose2d_module(args, kw):
    check_module(*_pair("ConvTranspose2d", *args, **kw), X4)
    assert repr(nn.ConvTranspose2d(*args, **kw)) == repr(torch.nn.ConvTranspose2d(*args, **kw))


def test_conv_transpose_output_size():
    ours, theirs = nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1), torch.nn.ConvTranspose2d(4, 2, 3, stride=2,
                                                                                              padding=1)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    x = randn(1, 4, 5, 5, seed=3).astype(np.float32)
    a, t = ours(ag.tensor(x), output_size=(10, 9)), theirs(torch.tensor(x), output_size=(10, 9))
    assert a.shape == (1, 2, 10, 9)
    np.testing.assert_allclose(a._data, t.detach().numpy(), rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="valid sizes range from 9 to 10"):
        ours(ag.tensor(x), output_size=(11, 9))


@pytest.mark.parametrize("args,kw", [((4, 3, 3), {}), ((4, 6, 3), dict(stride=3, padding=1, output_padding=2,
                                                                        groups=2))])
def test_conv_transpose1d_module(args, kw):
    check_module(*_pair("ConvTranspose1d", *args, **kw), X3)
    assert repr(nn.ConvTranspose1d(*args, **kw)) == repr(torch.nn.ConvTranspose1d(*args, **kw))


@pytest.mark.parametrize("cls,args,kw", [
    ("Conv2d", (8, 16, 3), {}), ("Conv2d", (8, 16, 5), dict(groups=4)), ("Conv1d", (8, 4, 7), {}),
    ("ConvTranspose2d", (8, 16, 3), {}), ("ConvTranspose1d", (8, 16, 3), dict(groups=2)),
])
def test_default_init_is_torchs(cls, args, kw):
    """kaiming_uniform_(a=sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias, with
    fan_in = weight.shape[1] * prod(kernel) (for a transposed conv too, as torch)."""
    ag.manual_seed(0)
    m, t = getattr(nn, cls)(*args, **kw), getattr(torch.nn, cls)(*args, **kw)
    assert tuple(m.weight.shape) == tuple(t.weight.shape) and m.weight.dtype == np.float32
    fan_in = m.weight.shape[1] * int(np.prod(m.weight.shape[2:]))
    bound = 1 / math.sqrt(fan_in)
    assert np.abs(m.bias._data).max() <= bound and m.bias.shape == (args[1],)
    assert 0.9 * bound < np.abs(m.weight._data).max() <= bound
    assert abs(m.weight._data.std() - bound / math.sqrt(3)) < 0.15 * bound


def test_module_argument_errors():
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 6, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        nn.Conv2d(4, 6, 3, groups=4)
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv2d(4, 6, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(4, 6, 3, padding_mode="edge")
    with pytest.raises(ValueError, match='Only "zeros" padding mode'):
        nn.ConvTranspose2d(4, 6, 3, padding_mode="reflect")


@pytest.mark.parametrize("name,args,kw,x", [
    ("MaxPool2d", (3, 2, 1), dict(ceil_mode=True), X4),
    ("MaxPool2d", (2,), dict(dilation=2), X4),
    ("MaxPool1d", (3, 2), {}, X3),
    ("AvgPool2d", (3, 2, 1), dict(count_include_pad=False), X4),
    ("AvgPool2d", (2,), dict(divisor_override=3), X4),
    ("AvgPool1d", (3,), dict(ceil_mode=True), X3),
    ("AdaptiveAvgPool2d", ((3, 2),), {}, X4),
    ("AdaptiveAvgPool2d", (1,), {}, X4),
    ("AdaptiveAvgPool1d", (4,), {}, X3),
    ("Upsample", (), dict(scale_factor=2), X4),
    ("Upsample", (), dict(size=(5, 13)), X4),
    ("UpsamplingNearest2d", (), dict(scale_factor=3), X4),
    ("ZeroPad2d", ((1, 2, 0, 3),), {}, X4),
    ("ConstantPad1d", (2, 1.5), {}, X3),
    ("ConstantPad2d", ((1, 0, 2, 1), -1.0), {}, X4),
    ("ReflectionPad2d", (2,), {}, X4),
    ("ReflectionPad1d", ((3, 1),), {}, X3),
    ("ReplicationPad2d", ((1, 2, 3, 4),), {}, X4),
    ("ReplicationPad1d", (2,), {}, X3),
    ("CircularPad2d", (1,), {}, X4),
    ("ReflectionPad3d", ((1, 2, 0, 3, 3, 1),), {}, X5),
    ("ReplicationPad3d", (2,), {}, X5),
    ("CircularPad3d", ((2, 1, 0, 2, 1, 3),), {}, X5),
    ("ConstantPad3d", (1, 0.5), {}, X5),
    ("ZeroPad3d", ((1, 0, 2, 0, 0, 1),), {}, X5),
    ("Upsample", (), dict(scale_factor=0.6, mode="area"), X4),
])
def test_parameter_free_modules(name, args, kw, x):
    check_module(*_pair(name, *args, **kw), x)
    assert repr(getattr(nn, name)(*args, **kw)) == repr(getattr(torch.nn, name)(*args, **kw))


def test_max_pool_module_returns_indices():
    x = randn(2, 3, 6, 6, seed=5).astype(np.float32)
    out, idx = nn.MaxPool2d(2, return_indices=True)(ag.tensor(x))
    t_out, t_idx = torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x))
    np.testing.assert_array_equal(out._data, t_out.numpy())
    np.testing.assert_array_equal(idx._data, t_idx.numpy())


def _stack(lib, momentum):
    nn_ = lib.nn
    return nn_.Sequential(nn_.Conv2d(4, 5, 3, padding=1), nn_.BatchNorm2d(5, momentum=momentum), nn_.ReLU(),
                          nn_.MaxPool2d(2), nn_.Conv2d(5, 3, 3), nn_.BatchNorm2d(3, affine=False))


@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
def test_batchnorm2d_in_a_conv_stack(momentum):
    """Running statistics and num_batches_tracked after three training steps (with the
    momentum given, None = cumulative average), then eval mode uses them."""
    batches = [randn(3, 4, 8, 9, seed=10 + s) * (s + 1) + s for s in range(3)]
    ours, theirs = check_module(lambda: _stack(ag, momentum), lambda: _stack(torch, momentum),
                                lambda s: batches[s], steps=3, dtypes=(np.float64,))
    ours.eval()
    theirs.eval()
    x = randn(2, 4, 8, 9, seed=20)
    np.testing.assert_allclose(ours(ag.tensor(x))._data, theirs(torch.tensor(x)).detach().numpy(),
                               rtol=1e-7, atol=1e-9)
    check_module(lambda: _stack(ag, momentum), lambda: _stack(torch, momentum), x, train=False)


def test_batchnorm2d_without_running_stats():
    check_module(*_pair("BatchNorm2d", 4, track_running_stats=False), X4, steps=2)
    check_module(*_pair("BatchNorm2d", 4, track_running_stats=False), X4, train=False)


def _torch_lenet():
    t = torch.nn
    return t.Sequential(t.Conv2d(1, 6, 5, padding=2), t.ReLU(), t.MaxPool2d(2), t.Conv2d(6, 16, 5), t.ReLU(),
                        t.MaxPool2d(2), t.Flatten(), t.Linear(400, 120), t.ReLU(), t.Linear(120, 84), t.ReLU(),
                        t.Linear(84, 10))


def test_lenet5_matches_the_torch_sequential():
    check_module(lambda: nn.LeNet5(), _torch_lenet, randn(3, 1, 28, 28, seed=6))
    assert nn.LeNet5(pool="avg", input_size=32, in_channels=3)(ag.randn(2, 3, 32, 32)).shape == (2, 10)
    with pytest.raises(ValueError, match="LeNet5: pool"):
        nn.LeNet5(pool="min")
