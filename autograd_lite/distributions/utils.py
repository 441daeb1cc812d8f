"""Helpers of the distributions, as `torch.distributions.utils`: broadcasting
parameters, probabilities <-> logits, and a cached property."""
import numbers
from functools import update_wrapper

import autograd_lite as ag

__all__ = ["broadcast_all", "clamp_probs", "lazy_property", "logits_to_probs",
           "probs_to_logits", "tril_matrix_to_vec", "vec_to_tril_matrix"]


def broadcast_all(*values):
    """Broadcast tensors and numbers to one shape; numbers become tensors of the
    tensors' dtype (or the default dtype)."""
    if not all(isinstance(v, (ag.Tensor, numbers.Number)) for v in values):
        raise ValueError("Input arguments must all be instances of numbers.Number, "
                         "torch.Tensor or objects implementing __torch_function__.")
    if not all(isinstance(v, ag.Tensor) for v in values):
        dtype = ag.get_default_dtype()
        for v in values:
            if isinstance(v, ag.Tensor):
                dtype = v.dtype
                break
        values = [v if isinstance(v, ag.Tensor) else ag.tensor(v, dtype=dtype) for v in values]
    return ag.broadcast_tensors(*values)


def _standard_normal(shape, dtype):
    """Standard normal draws of `shape` from the global generator."""
    return ag.randn(tuple(shape), dtype=dtype)


def _sum_rightmost(value, dim):
    """Sum out the `dim` rightmost dimensions of `value`."""
    if dim == 0:
        return value
    return value.reshape(value.shape[:value.dim() - dim] + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary=False):
    """Probabilities from logits: sigmoid if `is_binary`, else softmax over the last dimension."""
    if is_binary:
        return ag.sigmoid(logits)
    return ag.softmax(logits, dim=-1)


def clamp_probs(probs):
    """Clamp probabilities into [eps, 1 - eps] of their dtype."""
    eps = ag.finfo(probs.dtype).eps
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    """Logits from probabilities: log-odds if `is_binary`, else their log."""
    ps_clamped = clamp_probs(probs)
    if is_binary:
        return ag.log(ps_clamped) - ag.log1p(-ps_clamped)
    return ag.log(ps_clamped)


class lazy_property:
    """A property computed on first access and then stored on the instance."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        update_wrapper(self, wrapped)

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with ag.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):
    """Seen on the class: both a lazy_property and a property (for documentation)."""

    def __init__(self, wrapped):
        property.__init__(self, wrapped)


def tril_matrix_to_vec(mat, diag=0):
    """The lower triangle (from diagonal `diag`) of the last two dimensions, row by row."""
    n = mat.shape[-1]
    rows, cols = ag.tril_indices(n, n, offset=diag)
    return mat[..., rows, cols]


def vec_to_tril_matrix(vec, diag=0):
    """The inverse of `tril_matrix_to_vec`: a square lower-triangular matrix."""
    n = int((-(1 + 2 * diag) + ((1 + 2 * diag) ** 2 + 8 * vec.shape[-1] + 4 * abs(diag) * (diag + 1)) ** 0.5) / 2)
    rows, cols = ag.tril_indices(n, n, offset=diag)
    mat = ag.zeros(vec.shape[:-1] + (n * n,), dtype=vec.dtype)
    flat = rows * n + cols
    mat = mat.index_add(-1, flat, vec)
    return mat.reshape(vec.shape[:-1] + (n, n))
