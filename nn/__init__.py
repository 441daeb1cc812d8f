"""autograd_lite.nn: modules, layers, losses, initialisation (installed from the
top-level nn/ folder), with PyTorch's names, shapes, defaults and state_dict keys."""
from .module import Module
from .parameter import Parameter

__all__ = ["Module", "Parameter"]
