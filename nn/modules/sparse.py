"""torch.nn.modules.sparse: Embedding and EmbeddingBag, the objects of autograd_lite.nn."""
from .. import Embedding, EmbeddingBag  # noqa: F401

__all__ = ["Embedding", "EmbeddingBag"]
