"""Model builders: ready-made networks users build first."""
import copy

from . import activation
from .container import Sequential
from .conv import Conv2d
from .dropout import Dropout
from .flatten import Flatten
from .linear import Linear
from .module import Module
from .normalization import BatchNorm1d
from .pooling import AvgPool2d, MaxPool2d

__all__ = ["MLP", "LeNet5"]

_ACTIVATIONS = {
    "relu": "ReLU", "leaky_relu": "LeakyReLU", "elu": "ELU", "gelu": "GELU", "silu": "SiLU",
    "tanh": "Tanh", "sigmoid": "Sigmoid", "softplus": "Softplus",
}


def _activation(spec):
    """A fresh activation module from a class, a module instance or a name."""
    if isinstance(spec, str):
        name = _ACTIVATIONS.get(spec.lower())
        if name is None:
            raise ValueError(f"MLP: unknown activation {spec!r}; choose from {sorted(_ACTIVATIONS)}")
        return getattr(activation, name)()
    if isinstance(spec, type) and issubclass(spec, Module):
        return spec()
    if isinstance(spec, Module):
        return copy.deepcopy(spec)
    if callable(spec):
        return spec()
    raise TypeError(f"MLP: activation must be a name, a Module class or a Module, got {spec!r}")


class MLP(Sequential):
    """A multilayer perceptron `sizes[0] -> ... -> sizes[-1]`.

    Each hidden layer is Linear, then BatchNorm1d (if `batch_norm`), the activation,
    then Dropout (if `dropout` > 0); the last layer is a plain Linear (logits).
    State-dict keys are Sequential's ("0.weight", "0.bias", ...), so a PyTorch
    `nn.Sequential` built the same way loads into it unchanged.
    """

    def __init__(self, sizes, activation="relu", dropout=0.0, batch_norm=False, bias=True):
        sizes = [int(s) for s in sizes]
        if len(sizes) < 2 or any(s <= 0 for s in sizes):
            raise ValueError(f"MLP: sizes must list at least two positive layer widths, got {sizes}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"MLP: dropout must be in [0, 1), got {dropout}")
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            last = i == len(sizes) - 2
            layers.append(Linear(n_in, n_out, bias=bias))
            if last:
                break
            if batch_norm:
                layers.append(BatchNorm1d(n_out))
            layers.append(_activation(activation))
            if dropout > 0:
                layers.append(Dropout(dropout))
        super().__init__(*layers)
        self.sizes = sizes


class LeNet5(Sequential):
    """LeNet-5 (LeCun et al., 1998) as PyTorch users write it today, for
    (N, in_channels, input_size, input_size) images:

        Conv2d(in, 6, 5, padding=2) - act - MaxPool2d(2) - Conv2d(6, 16, 5) - act -
        MaxPool2d(2) - Flatten - Linear(16*s*s, 120) - act - Linear(120, 84) - act -
        Linear(84, num_classes)

    (the padding of 2 gives a 28x28 input the original's 32x32 receptive field).
    `pool='avg'` uses AvgPool2d as the original's subsampling; `activation` as in MLP
    (the original used tanh). State-dict keys are Sequential's ("0.weight", ...)."""

    def __init__(self, num_classes=10, in_channels=1, input_size=28, activation="relu", pool="max"):
        if pool not in ("max", "avg"):
            raise ValueError(f"LeNet5: pool must be 'max' or 'avg', got {pool!r}")
        s = ((int(input_size) // 2) - 4) // 2
        if s < 1:
            raise ValueError(f"LeNet5: input_size must be at least 10, got {input_size}")
        pool_cls = MaxPool2d if pool == "max" else AvgPool2d
        super().__init__(
            Conv2d(in_channels, 6, 5, padding=2), _activation(activation), pool_cls(2),
            Conv2d(6, 16, 5), _activation(activation), pool_cls(2),
            Flatten(),
            Linear(16 * s * s, 120), _activation(activation),
            Linear(120, 84), _activation(activation),
            Linear(84, num_classes))
        self.num_classes, self.in_channels, self.input_size = num_classes, in_channels, input_size
