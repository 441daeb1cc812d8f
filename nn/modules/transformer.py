"""torch.nn.modules.transformer: the Transformer layers, the objects of autograd_lite.nn,
taken from there when asked (so they appear here as soon as autograd_lite.nn has them)."""
from ._lazy import deferred_names

__getattr__, __dir__ = deferred_names(
    __name__, [], ["Transformer", "TransformerEncoder", "TransformerDecoder", "TransformerEncoderLayer",
                   "TransformerDecoderLayer"])
