"""torch.nn.modules.lazy: LazyModuleMixin, the object of autograd_lite.nn."""
from ..lazy import LazyModuleMixin  # noqa: F401

__all__ = ["LazyModuleMixin"]
