"""embedding and one_hot with PyTorch's signatures and checks; the ops are
autograd_lite.ops.embedding's and ops.index's."""
import autograd_lite as ag
from autograd_lite.extend import ShapeError
from autograd_lite.ops import embedding as embedding_ops
from autograd_lite.ops.index import one_hot

__all__ = ["embedding", "one_hot"]


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of `weight` (V, D) at the integer indices `input` (any shape): (*, D).
    The row `padding_idx` gets no gradient; with `max_norm`, looked-up rows are
    renormalised in place first."""
    if sparse:
        raise NotImplementedError("embedding: sparse gradients are not supported; use sparse=False")
    if weight.ndim != 2:
        raise ShapeError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got shape "
                         f"{tuple(weight.shape)}")
    n_rows = weight.shape[0]
    if padding_idx is not None:
        if not -n_rows <= padding_idx < n_rows:
            raise ValueError(f"embedding: padding_idx {padding_idx} must be within num_embeddings {n_rows}")
        if padding_idx < 0:
            padding_idx += n_rows
    idx = embedding_ops.indices(input, n_rows)
    if max_norm is not None:
        embedding_ops.renorm_(weight, idx, max_norm, norm_type)
    index = input if isinstance(input, ag.Tensor) else idx  # a Tensor is saved, not copied
    return embedding_ops.embedding(weight, index, padding_idx, scale_grad_by_freq)
