"""Distances and normalisation along a dim: pairwise_distance, cosine_similarity,
normalize. Compositions of ops (norm, division, sums), so every order of derivative
works; the numbers follow PyTorch's formulas (which eps goes where)."""
from autograd_lite.extend import Op, ShapeError, is_floating_dtype
import autograd_lite as ag

__all__ = ["pairwise_distance", "cosine_similarity", "normalize"]


class _FloorPassingGradient(Op):
    """max(x, floor) whose gradient is g everywhere, as PyTorch's no-grad in-place
    clamp of a cloned tensor (cosine_similarity's norms, gaussian_nll_loss's variance)."""

    def forward(ctx, x, floor):
        return x.clip(min=x.dtype.type(floor))

    def backward(ctx, g):
        return g

    def fast_backward(ctx, g):
        return g


def floor_passing_gradient(x, floor):
    """`x` with values below `floor` raised to it; the gradient passes unchanged."""
    return _FloorPassingGradient.apply(x, floor)


def _float_pair(x1, x2, op):
    for name, t in (("x1", x1), ("x2", x2)):
        if not isinstance(t, ag.Tensor):
            raise TypeError(f"{op}: {name} must be a Tensor, got {type(t).__name__}")
    dtype = ag.result_type(x1, x2)
    if not is_floating_dtype(dtype):
        raise RuntimeError(f"{op}: expected common dtype to be floating point, yet common dtype is "
                           f"{dtype} (x1 {x1.dtype}, x2 {x2.dtype})")
    return x1.to(dtype), x2.to(dtype)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The p-norm of x1 - x2 + eps along the last dim (the inputs broadcast)."""
    x1, x2 = _float_pair(x1, x2, "pairwise_distance")
    diff = x1 - x2 + eps
    if diff.ndim == 0:
        return ag.norm(diff, p)
    return ag.norm(diff, p, dim=-1, keepdim=keepdim)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """<x1 / max(|x1|, eps), x2 / max(|x2|, eps)> along `dim` of the broadcast inputs
    (normalising first keeps the result in [-1, 1]; the norms' floors pass the
    gradient unchanged, as PyTorch's)."""
    x1, x2 = _float_pair(x1, x2, "cosine_similarity")
    x1, x2 = ag.broadcast_tensors(x1, x2)
    n1 = floor_passing_gradient(ag.norm(x1, 2, dim=dim, keepdim=True), eps)
    n2 = floor_passing_gradient(ag.norm(x2, 2, dim=dim, keepdim=True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(|input|_p, eps) along `dim`; with `out`, the result is written there
    (not differentiable, as PyTorch's out= forms)."""
    denom = ag.clamp_min(ag.norm(input, p, dim=dim, keepdim=True), eps)
    if out is None:
        return input / denom
    if ag.is_grad_enabled() and (input.requires_grad or out.requires_grad):
        raise RuntimeError("normalize(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    result = input / denom
    if tuple(out.shape) != tuple(result.shape):
        raise ShapeError(f"normalize: out has shape {tuple(out.shape)}, the result "
                         f"{tuple(result.shape)}")
    return out.copy_(result)
