"""torch.nn.modules.pixelshuffle: PixelShuffle and PixelUnshuffle, the objects of autograd_lite.nn."""
from .. import PixelShuffle, PixelUnshuffle  # noqa: F401

__all__ = ["PixelShuffle", "PixelUnshuffle"]
