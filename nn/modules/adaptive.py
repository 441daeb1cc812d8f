"""torch.nn.modules.adaptive: AdaptiveLogSoftmaxWithLoss, the object of autograd_lite.nn."""
from ..adaptive import AdaptiveLogSoftmaxWithLoss, _ASMoutput  # noqa: F401

__all__ = ["AdaptiveLogSoftmaxWithLoss"]
