"""torch.nn.modules.batchnorm: the batch norms and their bases, the objects of autograd_lite.nn."""
from .. import BatchNorm1d, BatchNorm2d, BatchNorm3d  # noqa: F401
from ..lazy import LazyBatchNorm1d, LazyBatchNorm2d, LazyBatchNorm3d, _LazyNormBase  # noqa: F401
from ..normalization import _BatchNorm, _NormBase  # noqa: F401
from ..sync_batchnorm import SyncBatchNorm  # noqa: F401

__all__ = ["BatchNorm1d", "BatchNorm2d", "BatchNorm3d", "LazyBatchNorm1d", "LazyBatchNorm2d", "LazyBatchNorm3d",
           "SyncBatchNorm"]
