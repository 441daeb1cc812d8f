"""The legacy torch.nn.utils.weight_norm (deprecated in PyTorch for
nn.utils.parametrizations.weight_norm): the parameters `<name>_g` and `<name>_v`, and a
forward pre-hook that recomputes `<name>` from them before each call."""
import warnings

from ..parameter import Parameter
from ._weight_norm_math import norm_except_dim, weight_norm as _weight_norm

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm"]


class WeightNorm:
    """The forward pre-hook of the legacy weight_norm: sets `module.<name>` to
    g * v / ||v|| before each forward."""

    def __init__(self, name, dim):
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module):
        """g * v / ||v|| from the module's `<name>_g` and `<name>_v`."""
        return _weight_norm(getattr(module, self.name + "_v"), getattr(module, self.name + "_g"), self.dim)

    @staticmethod
    def apply(module, name, dim):
        """Split `module.<name>` into `<name>_g` and `<name>_v` and register the hook.
        Raises RuntimeError when `name` already has one."""
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, fn.dim).detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        """Make `<name>` a Parameter again, holding the current g * v / ||v||."""
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name="weight", dim=0):
    """Deprecated (FutureWarning, as PyTorch): use nn.utils.parametrizations.weight_norm.
    Replace the parameter `name` by `<name>_g` (norms over every dim but `dim`; None:
    the whole tensor) and `<name>_v` (its direction), recombined before each forward.
    Returns the module. Raises RuntimeError when `name` already has weight norm."""
    warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                  "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning, stacklevel=2)
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name="weight"):
    """Undo the legacy weight_norm of `name`; returns the module. Raises ValueError when
    it has none."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
