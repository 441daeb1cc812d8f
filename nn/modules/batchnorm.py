"""torch.nn.modules.batchnorm: the batch norms and their bases, the objects of autograd_lite.nn."""
from .. import BatchNorm1d, BatchNorm2d, BatchNorm3d  # noqa: F401
from ..normalization import _BatchNorm, _NormBase  # noqa: F401

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d"]
