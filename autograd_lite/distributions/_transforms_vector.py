"""Transforms of whole events: onto the simplex (softmax, stick-breaking), batch
dimensions reinterpreted (independent), reshapes, pieces along a dimension (cat,
stack) and onto lower-Cholesky and positive-definite matrices."""
import autograd_lite as ag

from . import constraints
from ._transform_base import Transform
from ._transforms_elementwise import _clipped_sigmoid, _softplus
from .utils import _sum_rightmost

__all__ = ["CatTransform", "IndependentTransform", "LowerCholeskyTransform",
           "PositiveDefiniteTransform", "ReshapeTransform", "SoftmaxTransform", "StackTransform",
           "StickBreakingTransform"]


class SoftmaxTransform(Transform):
    """Unconstrained vectors onto the simplex by softmax over the last dimension (not
    bijective; the inverse is the log, and there is no log |det J|)."""

    domain = constraints.real_vector
    codomain = constraints.simplex

    def __eq__(self, other):
        return isinstance(other, SoftmaxTransform)

    __hash__ = object.__hash__

    def _call(self, x):
        probs = (x - x.max(-1, True)[0]).exp()
        return probs / probs.sum(-1, True)

    def _inverse(self, y):
        return y.log()

    def forward_shape(self, shape):
        """The same shape (at least one dimension)."""
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        return shape

    inverse_shape = forward_shape


class StickBreakingTransform(Transform):
    """Vectors of length K-1 onto the K-simplex by stick breaking (bijective;
    sigmoids of offset inputs)."""

    domain = constraints.real_vector
    codomain = constraints.simplex
    bijective = True

    def __eq__(self, other):
        return isinstance(other, StickBreakingTransform)

    __hash__ = object.__hash__

    @staticmethod
    def _offset(n, dtype):
        return (n + 1) - ag.ones(n, dtype=dtype).cumsum(-1)

    def _call(self, x):
        offset = self._offset(x.shape[-1], x.dtype)
        z = _clipped_sigmoid(x - offset.log())
        z_cumprod = (1 - z).cumprod(-1)
        ones = ag.ones(x.shape[:-1] + (1,), dtype=x.dtype)
        return ag.cat([z, ones], -1) * ag.cat([ones, z_cumprod], -1)

    def _inverse(self, y):
        y_crop = y[..., :-1]
        offset = self._offset(y_crop.shape[-1], y.dtype)
        sf = (1 - y_crop.cumsum(-1)).clamp(min=ag.finfo(y.dtype).tiny)
        return y_crop.log() - sf.log() + offset.log()

    def log_abs_det_jacobian(self, x, y):
        """Summed over the last dimension: -x' + logsigmoid(x') + log y[..., :-1], x'
        the offset input."""
        x = x - self._offset(x.shape[-1], x.dtype).log()
        return (-x - _softplus(-x) + y[..., :-1].log()).sum(-1)

    def forward_shape(self, shape):
        """The last dimension one longer."""
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        return tuple(shape[:-1]) + (shape[-1] + 1,)

    def inverse_shape(self, shape):
        """The last dimension one shorter."""
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        return tuple(shape[:-1]) + (shape[-1] - 1,)


class IndependentTransform(Transform):
    """`base_transform` with its `reinterpreted_batch_ndims` rightmost batch dimensions
    made event dimensions (its log |det J| summed over them)."""

    def __init__(self, base_transform, reinterpreted_batch_ndims, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.base_transform = base_transform
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    @constraints.dependent_property(is_discrete=False)
    def domain(self):
        """The base domain, independent over the reinterpreted dimensions."""
        return constraints.independent(self.base_transform.domain, self.reinterpreted_batch_ndims)

    @constraints.dependent_property(is_discrete=False)
    def codomain(self):
        """The base codomain, independent over the reinterpreted dimensions."""
        return constraints.independent(self.base_transform.codomain, self.reinterpreted_batch_ndims)

    @property
    def bijective(self):
        """The base transform's."""
        return self.base_transform.bijective

    @property
    def sign(self):
        """The base transform's."""
        return self.base_transform.sign

    def _call(self, x):
        if x.dim() < self.domain.event_dim:
            raise ValueError("Too few dimensions on input")
        return self.base_transform(x)

    def _inverse(self, y):
        if y.dim() < self.codomain.event_dim:
            raise ValueError("Too few dimensions on input")
        return self.base_transform.inv(y)

    def log_abs_det_jacobian(self, x, y):
        """The base's, summed over the reinterpreted dimensions."""
        return _sum_rightmost(self.base_transform.log_abs_det_jacobian(x, y),
                              self.reinterpreted_batch_ndims)

    def forward_shape(self, shape):
        """The base transform's."""
        return self.base_transform.forward_shape(shape)

    def inverse_shape(self, shape):
        """The base transform's."""
        return self.base_transform.inverse_shape(shape)

    def __repr__(self):
        return f"{self.__class__.__name__}({self.base_transform!r}, {self.reinterpreted_batch_ndims})"


class ReshapeTransform(Transform):
    """The rightmost `in_shape` dimensions reshaped to `out_shape` (same number of
    elements; log |det J| is 0)."""

    bijective = True

    def __init__(self, in_shape, out_shape, cache_size=0):
        self.in_shape = ag.Size(in_shape)
        self.out_shape = ag.Size(out_shape)
        if self.in_shape.numel() != self.out_shape.numel():
            raise ValueError("in_shape, out_shape have different numbers of elements")
        super().__init__(cache_size=cache_size)

    @constraints.dependent_property
    def domain(self):
        """Reals over `in_shape`."""
        return constraints.independent(constraints.real, len(self.in_shape))

    @constraints.dependent_property
    def codomain(self):
        """Reals over `out_shape`."""
        return constraints.independent(constraints.real, len(self.out_shape))

    def _call(self, x):
        batch_shape = tuple(x.shape[:x.dim() - len(self.in_shape)])
        return x.reshape(batch_shape + tuple(self.out_shape))

    def _inverse(self, y):
        batch_shape = tuple(y.shape[:y.dim() - len(self.out_shape)])
        return y.reshape(batch_shape + tuple(self.in_shape))

    def log_abs_det_jacobian(self, x, y):
        """Zeros of the batch shape."""
        batch_shape = tuple(x.shape[:x.dim() - len(self.in_shape)])
        return ag.zeros(batch_shape, dtype=x.dtype)

    def forward_shape(self, shape):
        """The batch dimensions followed by `out_shape`."""
        return self._reshaped(shape, self.in_shape, self.out_shape)

    def inverse_shape(self, shape):
        """The batch dimensions followed by `in_shape`."""
        return self._reshaped(shape, self.out_shape, self.in_shape)

    @staticmethod
    def _reshaped(shape, old, new):
        if len(shape) < len(old):
            raise ValueError("Too few dimensions on input")
        cut = len(shape) - len(old)
        if tuple(shape[cut:]) != tuple(old):
            raise ValueError(f"Shape mismatch: expected {tuple(shape[cut:])} but got {tuple(old)}")
        return tuple(shape[:cut]) + tuple(new)


class CatTransform(Transform):
    """Transforms applied to consecutive pieces (of `lengths`) along `dim`, joined
    again (as torch's CatTransform)."""

    def __init__(self, tseq, dim=0, lengths=None, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.transforms = list(tseq)
        if lengths is None:
            lengths = [1] * len(self.transforms)
        self.lengths = list(lengths)
        if len(self.lengths) != len(self.transforms):
            raise ValueError(f"CatTransform: {len(self.transforms)} transforms but "
                             f"{len(self.lengths)} lengths")
        self.dim = dim

    @property
    def event_dim(self):
        """The largest event_dim of the pieces' transforms."""
        return max(t.event_dim for t in self.transforms)

    @property
    def length(self):
        """The size along `dim`: the sum of the lengths."""
        return sum(self.lengths)

    def _pieces(self, x, what):
        if not -x.dim() <= self.dim < x.dim() or x.size(self.dim) != self.length:
            raise ValueError(f"CatTransform: {what} of shape {tuple(x.shape)} needs size {self.length} "
                             f"along dim {self.dim}")
        start = 0
        for length in self.lengths:
            yield x.narrow(self.dim, start, length)
            start += length

    def _call(self, x):
        return ag.cat([t(p) for t, p in zip(self.transforms, self._pieces(x, "input"))], self.dim)

    def _inverse(self, y):
        return ag.cat([t.inv(p) for t, p in zip(self.transforms, self._pieces(y, "input"))], self.dim)

    def log_abs_det_jacobian(self, x, y):
        """The pieces' terms, joined along `dim` if it is a batch dimension, else summed."""
        terms = []
        for t, xs, ys in zip(self.transforms, self._pieces(x, "x"), self._pieces(y, "y")):
            term = t.log_abs_det_jacobian(xs, ys)
            if t.event_dim < self.event_dim:
                term = _sum_rightmost(term, self.event_dim - t.event_dim)
            terms.append(term)
        dim = self.dim - x.dim() if self.dim >= 0 else self.dim
        dim = dim + self.event_dim
        if dim < 0:
            return ag.cat(terms, dim)
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total

    @property
    def bijective(self):
        """Whether every piece's transform is."""
        return all(t.bijective for t in self.transforms)

    @constraints.dependent_property
    def domain(self):
        """The pieces' domains joined along `dim`."""
        return constraints.cat([t.domain for t in self.transforms], self.dim, self.lengths)

    @constraints.dependent_property
    def codomain(self):
        """The pieces' codomains joined along `dim`."""
        return constraints.cat([t.codomain for t in self.transforms], self.dim, self.lengths)


class StackTransform(Transform):
    """Transforms applied to the slices along `dim`, stacked again (as torch's
    StackTransform)."""

    def __init__(self, tseq, dim=0, cache_size=0):
        super().__init__(cache_size=cache_size)
        self.transforms = list(tseq)
        self.dim = dim

    def _slices(self, x):
        if not -x.dim() <= self.dim < x.dim() or x.size(self.dim) != len(self.transforms):
            raise ValueError(f"StackTransform: input of shape {tuple(x.shape)} needs size "
                             f"{len(self.transforms)} along dim {self.dim}")
        return [x.select(self.dim, i) for i in range(x.size(self.dim))]

    def _call(self, x):
        return ag.stack([t(s) for s, t in zip(self._slices(x), self.transforms)], self.dim)

    def _inverse(self, y):
        return ag.stack([t.inv(s) for s, t in zip(self._slices(y), self.transforms)], self.dim)

    def log_abs_det_jacobian(self, x, y):
        """The slices' terms stacked along `dim`."""
        return ag.stack([t.log_abs_det_jacobian(xs, ys)
                         for xs, ys, t in zip(self._slices(x), self._slices(y), self.transforms)], self.dim)

    @property
    def bijective(self):
        """Whether every slice's transform is."""
        return all(t.bijective for t in self.transforms)

    @constraints.dependent_property
    def domain(self):
        """The slices' domains stacked along `dim`."""
        return constraints.stack([t.domain for t in self.transforms], self.dim)

    @constraints.dependent_property
    def codomain(self):
        """The slices' codomains stacked along `dim`."""
        return constraints.stack([t.codomain for t in self.transforms], self.dim)


class LowerCholeskyTransform(Transform):
    """Unconstrained square matrices onto lower-triangular ones with a positive
    diagonal: the strict lower triangle kept, the diagonal exponentiated."""

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.lower_cholesky

    def __eq__(self, other):
        return isinstance(other, LowerCholeskyTransform)

    __hash__ = object.__hash__

    def _call(self, x):
        return x.tril(-1) + ag.diag_embed(x.diagonal(dim1=-2, dim2=-1).exp())

    def _inverse(self, y):
        return y.tril(-1) + ag.diag_embed(y.diagonal(dim1=-2, dim2=-1).log())


class PositiveDefiniteTransform(Transform):
    """Unconstrained square matrices onto positive-definite ones: L L^T, L the
    LowerCholeskyTransform of the input."""

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.positive_definite

    def __eq__(self, other):
        return isinstance(other, PositiveDefiniteTransform)

    __hash__ = object.__hash__

    def _call(self, x):
        x = LowerCholeskyTransform()(x)
        return ag.matmul(x, x.transpose(-2, -1))

    def _inverse(self, y):
        return LowerCholeskyTransform().inv(ag.linalg.cholesky(y))

