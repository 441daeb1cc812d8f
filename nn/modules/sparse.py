"""torch.nn.modules.sparse: Embedding, the objects of autograd_lite.nn."""
from .. import Embedding  # noqa: F401

__all__ = ["Embedding"]
