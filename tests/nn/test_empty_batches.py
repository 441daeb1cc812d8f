"""Empty batches (issue 15, item 7): every layer and functional op takes a batch of 0
samples where PyTorch does, and gives what PyTorch gives: empty outputs of the right
shape and dtype, empty input gradients, zero parameter gradients, running statistics
left as they were (num_batches_tracked still counts the step)."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from helpers import assert_same
from nn_helpers import check_module


def _first_output(lib, module):
    """A module returning only the first output of `module` (RNNs return tuples)."""
    class FirstOutput(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = module

        def forward(self, *args):
            out = self.inner(*args)
            while isinstance(out, tuple):
                out = out[0]
            return out

    return FirstOutput()


def _self_attention(lib, attention):
    """attention(x, x, x)'s output alone, as a one-input module."""
    class SelfAttention(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.attention = attention

        def forward(self, x):
            return self.attention(x, x, x)[0]

    return SelfAttention()


# name, (lib -> module), input shape (batch first, or second for time-major RNNs)
MODULES = [
    ("Linear", lambda lib: lib.nn.Linear(4, 3), (0, 4)),
    ("Conv1d", lambda lib: lib.nn.Conv1d(2, 3, 3), (0, 2, 8)),
    ("Conv1d_groups_stride", lambda lib: lib.nn.Conv1d(4, 4, 3, groups=2, padding=1, stride=2), (0, 4, 8)),
    ("Conv1d_replicate", lambda lib: lib.nn.Conv1d(2, 3, 3, padding=1, padding_mode="replicate"), (0, 2, 5)),
    ("Conv2d", lambda lib: lib.nn.Conv2d(2, 3, 3), (0, 2, 8, 8)),
    ("Conv2d_dilated_groups", lambda lib: lib.nn.Conv2d(2, 4, 3, dilation=2, groups=2, padding=2), (0, 2, 8, 8)),
    ("Conv2d_reflect", lambda lib: lib.nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect"), (0, 2, 5, 5)),
    ("Conv2d_circular", lambda lib: lib.nn.Conv2d(2, 3, 3, padding=2, padding_mode="circular"), (0, 2, 5, 5)),
    ("ConvTranspose1d", lambda lib: lib.nn.ConvTranspose1d(2, 3, 3, stride=3, padding=1, output_padding=2),
     (0, 2, 5)),
    ("ConvTranspose2d", lambda lib: lib.nn.ConvTranspose2d(2, 3, 3, stride=2), (0, 2, 5, 5)),
    ("ConvTranspose2d_groups", lambda lib: lib.nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1,
                                                                   groups=2, dilation=2), (0, 4, 5, 5)),
    ("Conv3d", lambda lib: lib.nn.Conv3d(2, 4, 3, padding=1, groups=2, stride=(1, 2, 1)), (0, 2, 4, 5, 4)),
    ("Conv3d_reflect", lambda lib: lib.nn.Conv3d(2, 3, 3, padding="same", padding_mode="reflect"), (0, 2, 3, 4, 3)),
    ("ConvTranspose3d", lambda lib: lib.nn.ConvTranspose3d(4, 6, 3, stride=2, padding=1, output_padding=1,
                                                           groups=2), (0, 4, 3, 3, 3)),
    ("MaxPool3d", lambda lib: lib.nn.MaxPool3d(3, 2, 1, ceil_mode=True, dilation=(1, 1, 2)), (0, 2, 5, 5, 6)),
    ("AvgPool3d", lambda lib: lib.nn.AvgPool3d(3, 2, 1, ceil_mode=True, count_include_pad=False), (0, 2, 5, 5, 5)),
    ("AdaptiveAvgPool3d", lambda lib: lib.nn.AdaptiveAvgPool3d((2, 3, 1)), (0, 2, 5, 5, 5)),
    ("AdaptiveMaxPool3d", lambda lib: lib.nn.AdaptiveMaxPool3d(2), (0, 2, 5, 4, 5)),
    ("MaxPool1d", lambda lib: lib.nn.MaxPool1d(2, 1, dilation=2), (0, 2, 7)),
    ("MaxPool2d", lambda lib: lib.nn.MaxPool2d(3, 2, 1, ceil_mode=True), (0, 2, 7, 7)),
    ("AvgPool1d", lambda lib: lib.nn.AvgPool1d(3, 2, 1), (0, 2, 7)),
    ("AvgPool2d", lambda lib: lib.nn.AvgPool2d(3, 2, 1, ceil_mode=True, count_include_pad=False), (0, 2, 7, 7)),
    ("AdaptiveAvgPool1d", lambda lib: lib.nn.AdaptiveAvgPool1d(3), (0, 2, 8)),
    ("AdaptiveAvgPool2d", lambda lib: lib.nn.AdaptiveAvgPool2d(3), (0, 2, 8, 8)),
    ("BatchNorm1d", lambda lib: lib.nn.BatchNorm1d(3), (0, 3)),
    ("BatchNorm1d_3d", lambda lib: lib.nn.BatchNorm1d(3), (0, 3, 5)),
    ("BatchNorm2d", lambda lib: lib.nn.BatchNorm2d(3), (0, 3, 2, 2)),
    ("SyncBatchNorm", lambda lib: lib.nn.SyncBatchNorm(3), (0, 3, 2, 2)),
    ("BatchNorm2d_cumulative", lambda lib: lib.nn.BatchNorm2d(3, momentum=None), (0, 3, 2, 2)),
    ("BatchNorm2d_untracked", lambda lib: lib.nn.BatchNorm2d(3, affine=False, track_running_stats=False),
     (0, 3, 2, 2)),
    ("LayerNorm", lambda lib: lib.nn.LayerNorm((2, 3)), (0, 2, 3)),
    ("Dropout", lambda lib: lib.nn.Dropout(0.5), (0, 4)),
    ("Flatten", lambda lib: lib.nn.Flatten(), (0, 2, 3)),
    ("Unflatten", lambda lib: lib.nn.Unflatten(1, (2, 3)), (0, 6)),
    ("Softmax", lambda lib: lib.nn.Softmax(1), (0, 4)),
    ("GELU", lambda lib: lib.nn.GELU(approximate="tanh"), (0, 4)),
    ("Upsample", lambda lib: lib.nn.Upsample(scale_factor=2), (0, 2, 3, 3)),
    ("Upsample_bilinear", lambda lib: lib.nn.Upsample(size=(4, 6), mode="bilinear"), (0, 2, 3, 3)),
    ("ReflectionPad2d", lambda lib: lib.nn.ReflectionPad2d(1), (0, 2, 3, 3)),
    ("ReplicationPad3d", lambda lib: lib.nn.ReplicationPad3d(1), (0, 2, 3, 3, 3)),
    ("CircularPad2d", lambda lib: lib.nn.CircularPad2d((2, 1, 1, 0)), (0, 2, 4, 4)),
    ("RNN", lambda lib: _first_output(lib, lib.nn.RNN(4, 3, nonlinearity="relu", bidirectional=True)),
     (5, 0, 4)),
    ("LSTM", lambda lib: _first_output(lib, lib.nn.LSTM(4, 3)), (5, 0, 4)),
    ("LSTM_batch_first", lambda lib: _first_output(lib, lib.nn.LSTM(4, 3, batch_first=True, num_layers=2,
                                                                       bidirectional=True)), (0, 5, 4)),
    ("GRU", lambda lib: _first_output(lib, lib.nn.GRU(4, 3, num_layers=2)), (5, 0, 4)),
    ("RNNCell", lambda lib: lib.nn.RNNCell(4, 3), (0, 4)),
    ("LSTMCell", lambda lib: _first_output(lib, lib.nn.LSTMCell(4, 3)), (0, 4)),
    ("GRUCell", lambda lib: lib.nn.GRUCell(4, 3), (0, 4)),
    ("BatchNorm3d", lambda lib: lib.nn.BatchNorm3d(3), (0, 3, 2, 2, 2)),
    ("GroupNorm", lambda lib: lib.nn.GroupNorm(2, 4), (0, 4, 3)),
    ("InstanceNorm1d", lambda lib: lib.nn.InstanceNorm1d(3), (0, 3, 5)),  # affine: PyTorch fails
    ("InstanceNorm3d", lambda lib: lib.nn.InstanceNorm3d(3), (0, 3, 2, 2, 2)),
    ("LocalResponseNorm", lambda lib: lib.nn.LocalResponseNorm(2), (0, 4, 3, 3)),
    ("CrossMapLRN2d", lambda lib: lib.nn.CrossMapLRN2d(3), (0, 4, 3, 3)),
    ("PReLU", lambda lib: lib.nn.PReLU(3), (0, 3, 4)),
    ("GLU", lambda lib: lib.nn.GLU(), (0, 4)),
    ("Softmax2d", lambda lib: lib.nn.Softmax2d(), (0, 3, 2, 2)),
    ("ChannelShuffle", lambda lib: lib.nn.ChannelShuffle(2), (0, 4, 2, 2)),
    ("Unfold", lambda lib: lib.nn.Unfold(2, padding=1, stride=2), (0, 2, 4, 4)),
    ("Fold", lambda lib: lib.nn.Fold((3, 3), 2), (0, 8, 4)),
    ("SelfAttention", lambda lib: _self_attention(lib, lib.nn.MultiheadAttention(4, 2, batch_first=True)), (0, 3, 4)),
    ("TransformerEncoderLayer", lambda lib: lib.nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True),
     (0, 3, 4)),
    ("MLP", lambda lib: lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.BatchNorm1d(8),
                                          lib.nn.Dropout(0.0), lib.nn.Linear(8, 2)), (0, 4)),
    ("CNN", lambda lib: lib.nn.Sequential(lib.nn.Conv2d(1, 4, 3, padding=1), lib.nn.BatchNorm2d(4),
                                          lib.nn.ReLU(), lib.nn.MaxPool2d(2), lib.nn.Flatten(),
                                          lib.nn.Linear(16, 2)), (0, 1, 4, 4)),
]


def _batches(shape, seed, random_layer):
    """Per step: an empty batch, a batch of 3, an empty batch (the running statistics
    the real batch moved must survive the empty one unchanged). Only empty ones for a
    layer that draws random numbers (its draws are not PyTorch's)."""
    axis = 1 if shape[0] else 0  # time-major RNN inputs have the batch second
    full = list(shape)
    full[axis] = 3
    real = np.random.default_rng(seed).standard_normal(full)
    empty = np.zeros(shape)
    return lambda step: real if step == 1 and not random_layer else empty


@pytest.mark.parametrize("train", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("name,make,shape", MODULES, ids=[m[0] for m in MODULES])
def test_module_takes_an_empty_batch(name, make, shape, train):
    steps = 3 if train else 1
    dtypes = (np.float64, np.float32) if train else (np.float32,)
    batches = _batches(shape, len(name), random_layer=train and name == "Dropout")
    check_module(lambda: make(ag), lambda: make(torch), batches, train=train, steps=steps, dtypes=dtypes)


def test_adaptive_log_softmax_with_no_samples():
    outs = []
    for lib in (ag, torch):
        lib.manual_seed(0)
        m = lib.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3])
        outs.append(m(lib.zeros(0, 8), lib.zeros(0, dtype=lib.int64)))
    assert_same(outs[0].output, outs[1].output)
    assert_same(outs[0].loss, outs[1].loss)  # the mean of nothing: nan


def test_embedding_with_no_indices():
    for make in (lambda lib: lib.nn.Embedding(5, 3), lambda lib: lib.nn.Embedding(5, 3, padding_idx=1, max_norm=1.0)):
        check_module(lambda: make(ag), lambda: make(torch), np.zeros((0, 2), np.int64))


class Const:
    """An argument that doesn't require grad (class weights, pos_weight: PyTorch
    refuses to differentiate them)."""

    def __init__(self, array):
        self.array = array


def _run(lib, fn, arrays):
    """fn(lib, *tensors) and the gradients of its outputs' sum (empty: zeros); float
    arrays require grad."""
    tensors = [lib.tensor(a.array) if isinstance(a, Const) else lib.tensor(a, requires_grad=a.dtype.kind == "f")
               for a in arrays]
    out = fn(lib, *tensors)
    out.sum().backward()
    return out, [t.grad for t in tensors if t.requires_grad]


Z = np.zeros
FUNCTIONAL = [
    ("conv2d_same", lambda lib, x, w: lib.nn.functional.conv2d(x, w, padding="same", dilation=2),
     [Z((0, 2, 5, 5)), Z((3, 2, 3, 3))]),
    ("conv1d_valid", lambda lib, x, w, b: lib.nn.functional.conv1d(x, w, b, stride=2, padding="valid"),
     [Z((0, 2, 5)), Z((3, 2, 3)), Z(3)]),
    ("conv_transpose2d", lambda lib, x, w, b: lib.nn.functional.conv_transpose2d(
        x, w, b, stride=2, padding=1, output_padding=1, groups=2, dilation=2),
     [Z((0, 4, 5, 5)), Z((4, 3, 3, 3)), Z(6)]),
    ("conv_transpose1d", lambda lib, x, w: lib.nn.functional.conv_transpose1d(x, w, stride=3, padding=1,
                                                                                output_padding=2),
     [Z((0, 2, 5)), Z((2, 3, 3))]),
    ("max_pool2d_indices", lambda lib, x: lib.nn.functional.max_pool2d(x, 3, 2, 1, ceil_mode=True,
                                                                         return_indices=True)[0],
     [Z((0, 2, 7, 7))]),
    ("max_unpool2d", lambda lib, x, i: lib.nn.MaxUnpool2d(2, 1)(x, i, output_size=(4, 4)),
     [Z((0, 2, 3, 3)), Z((0, 2, 3, 3), np.int64)]),
    ("max_unpool3d", lambda lib, x, i: lib.nn.MaxUnpool3d(2, 1)(x, i, output_size=(3, 4, 3)),
     [Z((0, 2, 2, 3, 2)), Z((0, 2, 2, 3, 2), np.int64)]),
    ("max_pool3d_indices", lambda lib, x: lib.nn.functional.max_pool3d(x, 3, 2, 1, return_indices=True)[0],
     [Z((0, 2, 5, 5, 5))]),
    ("max_unpool1d", lambda lib, x, i: lib.nn.functional.max_unpool1d(x, i, 3, 2, 1), [Z((0, 2, 3)), Z((0, 2, 3), np.int64)]),
    ("interpolate_linear", lambda lib, x: lib.nn.functional.interpolate(x, size=9, mode="linear",
                                                                         align_corners=True), [Z((0, 2, 5))]),
    ("interpolate_area", lambda lib, x: lib.nn.functional.interpolate(x, size=(2, 2), mode="area"),
     [Z((0, 2, 4, 4))]),
    ("pad_reflect3d", lambda lib, x: lib.nn.functional.pad(x, (1, 1, 1, 1, 1, 1), mode="reflect"),
     [Z((0, 2, 3, 3, 3))]),
    ("bilinear", lambda lib, a, b, w: lib.nn.functional.bilinear(a, b, w), [Z((0, 4)), Z((0, 5)), Z((3, 4, 5))]),
    ("embedding", lambda lib, i, w: lib.nn.functional.embedding(i, w), [Z((0, 2), np.int64), Z((5, 3))]),
    ("batch_norm_no_stats", lambda lib, x, w: lib.nn.functional.batch_norm(x, None, None, w, None, training=True),
     [Z((0, 3)), Z(3) + 1]),
    ("layer_norm", lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (3,), w, b), [Z((0, 3)), Z(3), Z(3)]),
    ("cross_entropy_mean", lambda lib, x, t: lib.nn.functional.cross_entropy(x, t),
     [Z((0, 4)), Z(0, np.int64)]),
    ("cross_entropy_smoothing", lambda lib, x, t, w: lib.nn.functional.cross_entropy(
        x, t, weight=w, label_smoothing=0.1, reduction="sum"), [Z((0, 4)), Z(0, np.int64), Const(Z(4) + 1)]),
    ("cross_entropy_probabilities", lambda lib, x, t: lib.nn.functional.cross_entropy(x, t), [Z((0, 4)), Z((0, 4))]),
    ("cross_entropy_spatial", lambda lib, x, t: lib.nn.functional.cross_entropy(x, t, reduction="none"),
     [Z((0, 4, 3, 3)), Z((0, 3, 3), np.int64)]),
    ("nll_loss", lambda lib, x, t: lib.nn.functional.nll_loss(x, t, reduction="none"), [Z((0, 4)), Z(0, np.int64)]),
    ("binary_cross_entropy", lambda lib, x, t: lib.nn.functional.binary_cross_entropy(x, t), [Z((0, 3)), Z((0, 3))]),
    ("bce_with_logits", lambda lib, x, t, p: lib.nn.functional.binary_cross_entropy_with_logits(x, t, pos_weight=p),
     [Z((0, 3)), Z((0, 3)), Const(Z(3) + 1)]),
    ("mse_mean", lambda lib, x, t: lib.nn.functional.mse_loss(x, t), [Z((0, 3)), Z((0, 3))]),
    ("huber_sum", lambda lib, x, t: lib.nn.functional.huber_loss(x, t, reduction="sum"), [Z((0, 3)), Z((0, 3))]),
    ("smooth_l1", lambda lib, x, t: lib.nn.functional.smooth_l1_loss(x, t), [Z((0, 3)), Z((0, 3))]),
    ("kl_div_batchmean", lambda lib, x, t: lib.nn.functional.kl_div(x, t, reduction="batchmean"),
     [Z((0, 3)), Z((0, 3))]),
]


@pytest.mark.parametrize("name,fn,arrays", FUNCTIONAL, ids=[f[0] for f in FUNCTIONAL])
def test_functional_takes_an_empty_batch(name, fn, arrays):
    """Values (an empty tensor, or a loss: 0 for sums, nan for means), dtypes, shapes,
    and gradients (empty for the batch, zeros or nan for weights) as PyTorch."""
    for dtype in (np.float64, np.float32):
        cast = [Const(a.array.astype(dtype)) if isinstance(a, Const) else
                a.astype(dtype) if a.dtype.kind == "f" else a for a in arrays]
        out_a, grads_a = _run(ag, fn, cast)
        out_t, grads_t = _run(torch, fn, cast)
        assert_same(out_a, out_t, what=f"{name} output")
        assert len(grads_a) == len(grads_t)
        for k, (a, t) in enumerate(zip(grads_a, grads_t)):
            assert (a is None) == (t is None), f"{name}: grad {k} is {a}, torch's {t}"
            if t is not None:
                assert_same(a, t, what=f"{name} grad of input {k}")


def test_batch_norm_still_refuses_one_value_per_channel():
    for lib in (ag, torch):
        with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
            lib.nn.BatchNorm1d(3)(lib.zeros(1, 3))
        lib.nn.BatchNorm1d(3)(lib.zeros(0, 3, 1))  # none at all is fine


def test_second_derivatives_through_an_empty_batch():
    """create_graph through conv, batch norm, pooling and linear layers: the gradient
    and the gradient of its sum are empty (PyTorch leaves the CNN's None)."""
    for name, shape in (("CNN", (0, 1, 4, 4)), ("MLP", (0, 4))):
        make = dict((m[0], m[1]) for m in MODULES)[name]
        for lib in (ag, torch):
            x = lib.zeros(*shape, requires_grad=True)
            out = make(lib)(x)
            (g,) = lib.autograd.grad((out * out).sum(), x, create_graph=True)
            g.sum().backward()
            assert tuple(g.shape) == shape
            assert x.grad is None or tuple(x.grad.shape) == shape
