"""torch.nn.modules.conv: the convolutions, the objects of autograd_lite.nn."""
from .. import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d  # noqa: F401
from ..conv import _ConvNd  # noqa: F401

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]
