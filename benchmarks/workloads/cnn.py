"""CNN training steps: LeNet-5 (SGD), a wider 3x32x32 classifier (Adam) and a
convolutional autoencoder (stride-2 convs down, transposed convs up, MSE, Adam).
Both libraries start from the same weights and see the same batch."""
import numpy as np
import torch

import autograd_lite as ag

from . import register
from ._common import adam, sgd, training_step

BATCH = 64


def lenet(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84),
                         nn.ReLU(), nn.Linear(84, 10))


def cnn_wide(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(64 * 8 * 8, 10))


def conv_autoencoder(lib):
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(1, 16, 3, stride=2, padding=1), nn.ReLU(),
                         nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
                         nn.ConvTranspose2d(32, 16, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
                         nn.ConvTranspose2d(16, 1, 3, stride=2, padding=1, output_padding=1), nn.Sigmoid())


def _same_weights(model, lib, rng):
    """Load one set of weights (PyTorch's default-init scale) into either library's model."""
    state = {}
    for k, v in model.state_dict().items():
        shape = tuple(v.shape)
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
        state[k] = rng.uniform(-1, 1, shape).astype(np.float32) / np.float32(np.sqrt(fan_in))
    model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})


def _step(lib, build, in_shape, make_opt, target="classes", seed=0):
    """One training step (forward, loss, backward, update) in `lib`."""
    rng = np.random.default_rng(seed)
    model = build(lib)
    _same_weights(model, lib, rng)
    x = lib.tensor(rng.random((BATCH,) + in_shape, dtype=np.float32))
    if target == "classes":
        y = lib.tensor(rng.integers(0, 10, BATCH))
        loss_fn = lib.nn.CrossEntropyLoss()
    else:  # reconstruct the input
        y = x
        loss_fn = lib.nn.MSELoss()
    opt = make_opt(lib, model.parameters())
    return training_step(opt, lambda: loss_fn(model(x), y))


def _both(*args, **kw):
    return {"autograd_lite": _step(ag, *args, **kw), "torch": _step(torch, *args, **kw)}


@register("lenet", "LeNet-5 on 1x28x28, batch 64, SGD momentum: one training step", target=1.0)
def lenet_workload():
    return _both(lenet, (1, 28, 28), sgd)


@register("cnn_wide", "3x32x32: conv3x3 32 - pool - conv3x3 64 - pool - linear, batch 64, Adam: one step",
          target=1.0, scaling_target=0.7)
def cnn_wide_workload():
    return _both(cnn_wide, (3, 32, 32), adam)


@register("conv_autoencoder", "1x28x28: two stride-2 convs down, two ConvTranspose2d up, MSE, batch 64, "
          "Adam: one step", target=1.0, scaling_target=0.7)
def conv_autoencoder_workload():
    return _both(conv_autoencoder, (1, 28, 28), adam, target="input")
