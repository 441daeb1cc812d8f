"""torch.nn.utils.parametrizations: orthogonal, weight_norm and spectral_norm as parametrizations
(nn.utils.parametrize), with PyTorch's state_dict keys."""
import autograd_lite as ag
from autograd_lite.extend import mark_dirty, no_grad
from autograd_lite.tensor import Tensor

from .. import functional as F
from ..conv import ConvTranspose1d, ConvTranspose2d
from ..module import Module
from . import parametrize
from ._orthogonal import MAPS, _Orthogonal
from ._weight_norm_math import norm_except_dim, weight_norm as _weight_norm

__all__ = ["orthogonal", "weight_norm", "spectral_norm"]


class _WeightNorm(Module):
    """weight = g * v / ||v|| (norms over every dim but `dim`): originals g (original0) and v (original1)."""

    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        """(g, v) = (the norms of `weight`, `weight`)."""
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """Reparametrize `module.<name>` as g * v / ||v||, the norm taken over every dim but
    `dim` (None: over the whole tensor): the magnitude `g` and direction `v` are the
    parameters `parametrizations.<name>.original0` and `original1`. Returns the module.

    Differs from PyTorch: the load_state_dict hook that reads the legacy `<name>_g` and
    `<name>_v` keys is not installed."""
    register = parametrize.register_parametrization
    register(module, name, _WeightNorm(dim), unsafe=True)
    return module


class _SpectralNorm(Module):
    """weight / sigma, sigma the largest singular value of the weight (as a matrix with
    `dim` first), estimated by power iteration on the buffers `_u` and `_v` (updated in
    place in training mode); a 1-D weight is just normalised."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}] but got "
                             f"{dim})")
        if n_power_iterations <= 0:
            raise ValueError(f"Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            with no_grad():
                weight_mat = self._reshape_weight_to_matrix(weight)
                h, w = weight_mat.shape
                u = ag.randn(h, dtype=weight.dtype)
                v = ag.randn(w, dtype=weight.dtype)
                self.register_buffer("_u", F.normalize(u, dim=0, eps=self.eps))
                self.register_buffer("_v", F.normalize(v, dim=0, eps=self.eps))
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat, n_power_iterations):
        """Power iterations on `_u` and `_v`, written into the buffers in place."""
        with no_grad():
            for _ in range(n_power_iterations):
                u = F.normalize(weight_mat.detach() @ self._v, dim=0, eps=self.eps)
                self._u._data[...] = u._data
                mark_dirty(self._u)
                v = F.normalize(weight_mat.detach().T @ self._u, dim=0, eps=self.eps)
                self._v._data[...] = v._data
                mark_dirty(self._v)

    def forward(self, weight):
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(weight_mat, self.n_power_iterations)
        u, v = self._u.clone(), self._v.clone()
        sigma = (u * (weight_mat @ v)).sum()
        return weight / sigma

    def right_inverse(self, value):
        """The weight is stored as it is."""
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Reparametrize `module.<name>` as weight / sigma (its largest singular value,
    power-iterated `n_power_iterations` times per training-mode read on the buffers
    `parametrizations.<name>.0._u` and `_v`). dim=None is 1 for transposed convolutions,
    else 0. Returns the module. Raises ValueError when the module has no such tensor,
    IndexError for a bad dim, ValueError for n_power_iterations < 1."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if isinstance(module, (ConvTranspose1d, ConvTranspose2d)) else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """Constrain `module.<name>` (a matrix or batch of matrices) to be orthogonal (its
    columns or rows orthonormal, whichever are fewer): `orthogonal_map` 'matrix_exp'
    (default for square matrices), 'cayley' or 'householder' (default otherwise) of the
    unconstrained original; `use_trivialization` keeps the starting value in the buffer
    `base` (`parametrizations.<name>.0.base`) and multiplies by it. The current weight is
    made orthogonal at registration. Returns the module. Raises ValueError when the
    module has no such tensor, it has fewer than 2 dims, or the map is unknown."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.shape[-2] == weight.shape[-1] else "householder"
    if orthogonal_map not in MAPS:
        raise ValueError(f'orthogonal_map has to be one of "matrix_exp", "cayley", "householder". Got: '
                         f'{orthogonal_map}')
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module
