"""torch.nn.modules.normalization: LayerNorm, GroupNorm and LocalResponseNorm, the objects of autograd_lite.nn."""
from .. import GroupNorm, LayerNorm, LocalResponseNorm  # noqa: F401

__all__ = ["LocalResponseNorm", "LayerNorm", "GroupNorm"]
