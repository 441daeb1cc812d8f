"""`ag.sparse`, as `torch.sparse`: the sparse COO times dense product (`mm`, with a
sparse gradient for the sparse operand) and `sum`. The tensors themselves are made by
`ag.sparse_coo_tensor` and `Tensor.to_sparse()` (autograd_lite/ops/sparse.py)."""
from .ops.sparse import mm, sum

__all__ = ["mm", "sum"]
