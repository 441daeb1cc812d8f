"""The embedding op: a row lookup whose gradient is a Numba scatter-add
(nn.functional.embedding checks the arguments)."""
import numpy as np

from ..autograd.node import Op
from ..kernels import lazy as kernels
from ..tensor import Tensor, mark_dirty
from ._util import const, wide


class Embedding(Op):
    """weight[index] for integer indices of any shape: output (*index.shape, D). The
    index tensor is saved (not copied): backward raises if it changed in place."""

    save_inputs = (1,)

    def forward(ctx, weight, index, padding_idx, scale_grad_by_freq):
        idx = index.astype(np.intp, copy=False)
        ctx.idx, ctx.padding_idx, ctx.freq = idx, padding_idx, scale_grad_by_freq
        ctx.n_rows = weight.shape[0]
        return weight[idx]

    def backward(ctx, g):
        (index,) = ctx.saved_tensors
        return EmbeddingGrad.apply(g, index, ctx.n_rows, ctx.padding_idx, ctx.freq)


def _row_scale(idx, padding_idx, freq, dtype):
    """Per looked-up row, the factor its gradient gets: 0 for the padding row, and
    1/count with scale_grad_by_freq. None when every factor is 1."""
    scale = None
    if freq:
        flat = idx.reshape(-1)
        counts = np.bincount(flat, minlength=1)
        scale = (1 / counts[flat]).astype(dtype)
    if padding_idx is not None:
        keep = (idx.reshape(-1) != padding_idx).astype(dtype)
        scale = keep if scale is None else scale * keep
    return scale


class EmbeddingGrad(Op):
    """Scatter-add the rows of g (*idx.shape, D) into zeros (V, D) with
    kernels.scatter.index_add_rows; rows of padding_idx get no gradient. It is linear
    in g, and its backward (a lookup of the incoming rows) is an Embedding op again,
    so every order of derivative works."""

    save_inputs = (1,)

    @wide
    def forward(ctx, g, index, n_rows, padding_idx, freq):
        idx = index.astype(np.intp, copy=False)
        ctx.idx, ctx.padding_idx, ctx.freq = idx, padding_idx, freq
        d = g.shape[-1] if g.ndim else 1
        rows = np.ascontiguousarray(g, dtype=g.dtype).reshape(-1, d)
        scale = _row_scale(idx, padding_idx, freq, g.dtype)
        if scale is not None:
            rows = rows * scale[:, None]
        out = np.zeros((n_rows, d), g.dtype)
        kernels.scatter.index_add_rows(out, idx.reshape(-1), rows)
        return out

    def backward(ctx, gg):
        (index,) = ctx.saved_tensors
        rows = Embedding.apply(gg, index, None, False)
        scale = _row_scale(ctx.idx, ctx.padding_idx, ctx.freq, gg.dtype)
        if scale is not None:
            rows = rows * const(scale.reshape(ctx.idx.shape + (1,)))
        return rows


def renorm_(weight, idx, max_norm, norm_type):
    """Rescale, in place and outside autograd, the looked-up rows whose norm exceeds
    max_norm to norm max_norm (as PyTorch's embedding_renorm_)."""
    rows = np.unique(idx.reshape(-1))
    w = weight._data
    sub = w[rows]
    norms = np.linalg.norm(sub, ord=norm_type, axis=1)
    over = norms > max_norm
    if np.any(over):
        factor = (max_norm / (norms[over] + 1e-7)).astype(w.dtype)
        w[rows[over]] = sub[over] * factor[:, None]
        mark_dirty(weight)


def indices(input, n_rows):
    """The index array of `input` (a tensor or array of ints), checked against n_rows
    (as it is: Embedding converts it to intp)."""
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(
            f"embedding: expected indices of an integer dtype (int64 or int32), got {idx.dtype}")
    if idx.size and (idx.min() < 0 or idx.max() >= n_rows):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"embedding: index {bad} is out of range for an embedding of {n_rows} rows "
                         f"(index out of range in self)")
    return idx


def embedding(weight, index, padding_idx, scale_grad_by_freq):
    """Rows of `weight` (V, D) at the checked indices `index` (an integer Tensor, saved
    for backward, or array; any shape): (*, D); the row `padding_idx` (non-negative,
    or None) gets no gradient."""
    return Embedding.apply(weight, index, padding_idx, bool(scale_grad_by_freq))
