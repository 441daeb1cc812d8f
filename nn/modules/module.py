"""torch.nn.modules.module: Module, the objects of autograd_lite.nn."""
from ..module import Module, _IncompatibleKeys  # noqa: F401

__all__ = ["Module"]
