"""torch.nn.modules.flatten: Flatten and Unflatten, the objects of autograd_lite.nn."""
from .. import Flatten, Unflatten  # noqa: F401

__all__ = ["Flatten", "Unflatten"]
