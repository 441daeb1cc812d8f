"""The weight-norm arithmetic shared by nn.utils.parametrizations.weight_norm and the
legacy nn.utils.weight_norm: PyTorch's norm_except_dim and _weight_norm, composed
of differentiable ops."""
import autograd_lite as ag


def norm_except_dim(v, pow=2, dim=0):
    """The `pow`-norm of `v` over every dim but `dim`, kept as size-1 dims (shape 1 ...
    v.shape[dim] ... 1); dim=-1 is the norm of the whole tensor (0-d), as PyTorch's."""
    if dim == -1:
        return ag.linalg.vector_norm(v, pow)
    dim = dim % v.ndim
    others = tuple(d for d in range(v.ndim) if d != dim)
    if not others:
        return v.abs()
    return ag.linalg.vector_norm(v, pow, dim=others, keepdim=True)


def weight_norm(v, g, dim=0):
    """v * (g / norm_except_dim(v, 2, dim)): the direction of `v` with the magnitude `g`."""
    return v * (g / norm_except_dim(v, 2, dim))
