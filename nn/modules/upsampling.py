"""torch.nn.modules.upsampling: the upsampling layers, the objects of autograd_lite.nn."""
from .. import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d  # noqa: F401

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]
