"""torch.nn.modules.fold: Fold and Unfold, the objects of autograd_lite.nn."""
from .. import Fold, Unfold  # noqa: F401

__all__ = ["Fold", "Unfold"]
