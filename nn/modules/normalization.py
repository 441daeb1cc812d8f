"""torch.nn.modules.normalization: LayerNorm, GroupNorm, LocalResponseNorm and RMSNorm, the objects of autograd_lite.nn."""
from .. import GroupNorm, LayerNorm, LocalResponseNorm, RMSNorm  # noqa: F401

__all__ = ["LocalResponseNorm", "LayerNorm", "GroupNorm", "RMSNorm"]
