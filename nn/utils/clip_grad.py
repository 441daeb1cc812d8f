"""Gradient clipping, as `torch.nn.utils`: by total norm (`clip_grad_norm_`, made of
`get_total_norm` and `clip_grads_with_norm_`) and by value (`clip_grad_value_`)."""
import math

import numpy as np

from autograd_lite import bfloat16
from autograd_lite.autograd import no_grad
from autograd_lite.extend import cast_array
from autograd_lite.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _as_list(tensors):
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _grads(parameters):
    return [p.grad for p in _as_list(parameters) if p.grad is not None]


def _vector_norm(a, p):
    """The p-norm of all of `a`'s elements, in `a`'s dtype (a NumPy scalar)."""
    a = np.asarray(a).ravel()
    if a.size == 0:
        if math.isinf(p):
            raise RuntimeError(f"clip_grad_norm_: cannot compute the {p} norm of an empty gradient "
                               "because the operation has no identity")
        return a.dtype.type(0)
    if a.dtype == bfloat16:  # accumulated in float32, rounded once (as PyTorch)
        return cast_array(np.asarray(np.linalg.norm(a.astype(np.float32), ord=p), np.float32), bfloat16)[()]
    return a.dtype.type(np.linalg.norm(a, ord=p))


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The `norm_type`-norm of the norms of `tensors` (that is, of all their elements
    together), as a 0-d tensor; 0 when there are none."""
    arrays = [t._data for t in _as_list(tensors)]
    p = float(norm_type)
    if not arrays:
        return Tensor._make(np.asarray(0.0, np.float32), False, None, 0, [0, 0])
    norms = [_vector_norm(a, p) for a in arrays]
    dtype = np.result_type(*[n.dtype for n in norms])
    total = _vector_norm(np.array(norms, dtype=dtype), p)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {p} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    return Tensor._make(np.asarray(total), False, None, 0, [0, 0])


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients of `parameters` in place by `min(1, max_norm / (total_norm + 1e-6))`."""
    grads = _grads(parameters)
    if not grads:
        return
    total = total_norm._data if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    dtype = total.dtype if total.dtype.kind == "f" else np.dtype(np.float32)  # bfloat16: float32
    coef = dtype.type(max_norm) / (total.astype(dtype) + dtype.type(1e-6))
    coef = np.minimum(coef, dtype.type(1.0))
    with no_grad():
        for g in grads:
            g.mul_(Tensor._make(cast_array(np.asarray(coef), g.dtype), False, None, 0, [0, 0]))


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Rescale the gradients of `parameters` in place so that their total norm is at most
    `max_norm`; return the total norm before clipping (a 0-d tensor)."""
    params = _as_list(parameters)
    grads = _grads(params)
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(params, float(max_norm), total)
    return total


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient of `parameters` in place to [-clip_value, clip_value]."""
    v = float(clip_value)
    with no_grad():
        for g in _grads(parameters):
            g.clamp_(-v, v)
