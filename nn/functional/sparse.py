"""embedding (a row lookup whose gradient is a Numba scatter-add) and one_hot."""
import numpy as np

from autograd_lite.autograd.grad_mode import no_grad
from autograd_lite.autograd.node import Op
from autograd_lite.extend import mark_dirty
from autograd_lite.kernels import lazy as _kernels
from autograd_lite.ops._util import ShapeError, const
from autograd_lite.tensor import Tensor

__all__ = ["embedding", "one_hot"]


class Embedding(Op):
    """weight[idx] for an integer array idx of any shape: output (*idx.shape, D)."""

    def forward(ctx, weight, idx, padding_idx, scale_grad_by_freq):
        ctx.idx, ctx.padding_idx, ctx.freq = idx, padding_idx, scale_grad_by_freq
        ctx.n_rows = weight.shape[0]
        return weight[idx]

    def backward(ctx, g):
        return EmbeddingBackward.apply(g, ctx.idx, ctx.n_rows, ctx.padding_idx, ctx.freq)


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


class EmbeddingBackward(Op):
    """Scatter-add the rows of g (*idx.shape, D) into zeros (V, D) with
    kernels.scatter.index_add_rows; rows of padding_idx get no gradient. It is linear
    in g, and its backward (a lookup of the incoming rows) is an Embedding op again,
    so every order of derivative works."""

    def forward(ctx, g, idx, n_rows, padding_idx, freq):
        ctx.idx, ctx.padding_idx, ctx.freq = idx, padding_idx, freq
        d = g.shape[-1] if g.ndim else 1
        rows = np.ascontiguousarray(g, dtype=g.dtype).reshape(-1, d)
        scale = _row_scale(idx, padding_idx, freq, g.dtype)
        if scale is not None:
            rows = rows * scale[:, None]
        out = np.zeros((n_rows, d), g.dtype)
        _kernels.scatter.index_add_rows(out, idx.reshape(-1), rows)
        return out

    def backward(ctx, gg):
        rows = Embedding.apply(gg, ctx.idx, None, False)
        scale = _row_scale(ctx.idx, ctx.padding_idx, ctx.freq, gg.dtype)
        if scale is not None:
            rows = rows * const(scale.reshape(ctx.idx.shape + (1,)))
        return rows


def _indices(input, n_rows):
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(
            f"embedding: expected indices of an integer dtype (int64 or int32), got {idx.dtype}")
    if idx.size and (idx.min() < 0 or idx.max() >= n_rows):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"embedding: index {bad} is out of range for an embedding of {n_rows} rows "
                         f"(index out of range in self)")
    return idx.astype(np.intp, copy=False)


def _renorm_(weight, idx, max_norm, norm_type):
    """Rescale, in place and outside autograd, the looked-up rows whose norm exceeds
    max_norm to norm max_norm (as PyTorch's embedding_renorm_)."""
    rows = np.unique(idx.reshape(-1))
    with no_grad():
        w = weight._data
        sub = w[rows]
        norms = np.linalg.norm(sub, ord=norm_type, axis=1)
        over = norms > max_norm
        if np.any(over):
            factor = (max_norm / (norms[over] + 1e-7)).astype(w.dtype)
            w[rows[over]] = sub[over] * factor[:, None]
            mark_dirty(weight)


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
    idx = _indices(input, n_rows)
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    return Embedding.apply(weight, idx, padding_idx, bool(scale_grad_by_freq))


def one_hot(tensor, num_classes=-1):
    """int64 one-hot encoding (*, num_classes) of a tensor of class indices (int64)."""
    idx = tensor._data if isinstance(tensor, Tensor) else np.asarray(tensor)
    if idx.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if idx.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(idx.max()) + 1
    if idx.size and idx.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if idx.size and idx.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(idx.shape + (num_classes,), np.int64)
    np.put_along_axis(out, idx[..., None], 1, axis=-1)
    return const(out)
