"""torch.nn.modules.pooling: the pooling layers, the objects of autograd_lite.nn."""
from .. import (  # noqa: F401
    AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool1d, AdaptiveMaxPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d, MaxUnpool1d,
    MaxUnpool2d,
)
from ..pooling import _AdaptiveMaxPoolNd, _MaxPoolNd, _MaxUnpoolNd  # noqa: F401

__all__ = ["MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d",
           "AdaptiveAvgPool2d", "MaxUnpool1d", "MaxUnpool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d"]
