"""torch.nn.modules.instancenorm: the instance norms and their bases, the objects of autograd_lite.nn."""
from .. import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d  # noqa: F401
from ..instancenorm import _InstanceNorm  # noqa: F401
from ..lazy import LazyInstanceNorm1d, LazyInstanceNorm2d, LazyInstanceNorm3d  # noqa: F401
from ..normalization import _NormBase  # noqa: F401

__all__ = ["InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "LazyInstanceNorm1d", "LazyInstanceNorm2d",
           "LazyInstanceNorm3d"]
