"""torch.nn.modules.distance: PairwiseDistance and CosineSimilarity, the objects of autograd_lite.nn."""
from .. import CosineSimilarity, PairwiseDistance  # noqa: F401

__all__ = ["PairwiseDistance", "CosineSimilarity"]
