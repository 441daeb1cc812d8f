"""Model builders: ready-made networks users build first."""
from .container import Sequential

__all__ = ["MLP"]

_ACTIVATIONS = {
    "relu": "ReLU", "leaky_relu": "LeakyReLU", "elu": "ELU", "gelu": "GELU", "silu": "SiLU",
    "tanh": "Tanh", "sigmoid": "Sigmoid", "softplus": "Softplus",
}


def _activation(spec):
    """A fresh activation module from a class, a module instance or a name."""
    from . import activation as act
    from .module import Module

    if isinstance(spec, str):
        name = _ACTIVATIONS.get(spec.lower())
        if name is None:
            raise ValueError(f"MLP: unknown activation {spec!r}; choose from {sorted(_ACTIVATIONS)}")
        return getattr(act, name)()
    if isinstance(spec, type) and issubclass(spec, Module):
        return spec()
    if isinstance(spec, Module):
        import copy

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
        from .dropout import Dropout
        from .linear import Linear
        from .normalization import BatchNorm1d

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
