"""Flatten parameters into one vector and back, as `torch.nn.utils`."""
from autograd_lite.ops.shape import cat
from autograd_lite.tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters):
    """All parameters flattened and concatenated into one 1-D tensor (differentiable)."""
    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Make each parameter's data the matching slice of `vec` (shared memory, as
    PyTorch's `param._data = ...`)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected Tensor, but got: {type(vec).__name__}")
    params = list(parameters)
    need = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.numel() < need:
        raise RuntimeError(f"vector_to_parameters: the parameters need a 1-D vector of at least {need} "
                           f"elements, got shape {tuple(vec.shape)}")
    flat = vec._data
    start = 0
    for p in params:
        n = p.numel()
        p._data = flat[start:start + n].reshape(p.shape)
        start += n
