"""torch.nn.modules.normalization: LayerNorm, GroupNorm, LocalResponseNorm and RMSNorm, the objects of autograd_lite.nn."""
from .. import CrossMapLRN2d, GroupNorm, LayerNorm, LocalResponseNorm, RMSNorm  # noqa: F401

__all__ = ["LocalResponseNorm", "CrossMapLRN2d", "LayerNorm", "GroupNorm", "RMSNorm"]
