"""torch.nn.modules.linear: Identity, Linear and Bilinear, the objects of autograd_lite.nn."""
from .. import Bilinear, Identity, LazyLinear, Linear  # noqa: F401

__all__ = ["Bilinear", "Identity", "LazyLinear", "Linear"]
