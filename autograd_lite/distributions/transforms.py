"""Invertible transforms, as `torch.distributions.transforms`, as far as the
distributions here need them: elementwise (event_dim 0) transforms with a
log-determinant of the Jacobian."""
import math
from numbers import Number

import autograd_lite as ag

from . import constraints

__all__ = ["AffineTransform", "ExpTransform", "SigmoidTransform", "Transform"]


class Transform:
    """An invertible map `y = t(x)` with `inv`, `log_abs_det_jacobian(x, y)`,
    `domain`, `codomain`, `bijective` and `sign` (as torch's Transform, without caching)."""

    bijective = False
    domain = constraints.real
    codomain = constraints.real

    def __init__(self, cache_size=0):
        if cache_size not in (0, 1):
            raise ValueError("cache_size must be 0 or 1")
        self._cache_size = cache_size
        self._inv = None

    @property
    def event_dim(self):
        """The number of dimensions forming one event (domain and codomain agree)."""
        if self.domain.event_dim == self.codomain.event_dim:
            return self.domain.event_dim
        raise ValueError("Please use either .domain.event_dim or .codomain.event_dim")

    @property
    def inv(self):
        """The inverse transform."""
        inv = self._inv
        if inv is None:
            inv = _InverseTransform(self)
            self._inv = inv
        return inv

    @property
    def sign(self):
        """+1 or -1: whether the transform increases or decreases."""
        raise NotImplementedError

    def __eq__(self, other):
        return self is other

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = object.__hash__

    def __call__(self, x):
        """t(x)."""
        return self._call(x)

    def _inv_call(self, y):
        return self._inverse(y)

    def _call(self, x):
        raise NotImplementedError

    def _inverse(self, y):
        raise NotImplementedError

    def log_abs_det_jacobian(self, x, y):
        """log |dy/dx| at x (y = t(x))."""
        raise NotImplementedError

    def forward_shape(self, shape):
        """The output shape for an input shape."""
        return shape

    def inverse_shape(self, shape):
        """The input shape for an output shape."""
        return shape

    def __repr__(self):
        return self.__class__.__name__ + "()"


class _InverseTransform(Transform):
    """The inverse of a transform."""

    def __init__(self, transform):
        super().__init__()
        self._inv = transform

    @property
    def domain(self):
        """The inverted transform's codomain."""
        return self._inv.codomain

    @property
    def codomain(self):
        """The inverted transform's domain."""
        return self._inv.domain

    @property
    def bijective(self):
        """The inverted transform's bijective."""
        return self._inv.bijective

    @property
    def sign(self):
        """The inverted transform's sign."""
        return self._inv.sign

    @property
    def inv(self):
        """The transform this one inverts."""
        return self._inv

    def __eq__(self, other):
        return isinstance(other, _InverseTransform) and self._inv == other._inv

    __hash__ = object.__hash__

    def __call__(self, x):
        """The inverse map."""
        return self._inv._inv_call(x)

    def log_abs_det_jacobian(self, x, y):
        """Minus the inverted transform's log |det J| at (y, x)."""
        return -self._inv.log_abs_det_jacobian(y, x)


class ExpTransform(Transform):
    """y = exp(x)."""

    domain = constraints.real
    codomain = constraints.positive
    bijective = True
    sign = +1

    def __eq__(self, other):
        return isinstance(other, ExpTransform)

    __hash__ = object.__hash__

    def _call(self, x):
        return x.exp()

    def _inverse(self, y):
        return y.log()

    def log_abs_det_jacobian(self, x, y):
        """x."""
        return x


class SigmoidTransform(Transform):
    """y = sigmoid(x)."""

    domain = constraints.real
    codomain = constraints.unit_interval
    bijective = True
    sign = +1

    def __eq__(self, other):
        return isinstance(other, SigmoidTransform)

    __hash__ = object.__hash__

    def _call(self, x):
        finfo = ag.finfo(x.dtype)
        return ag.clamp(ag.sigmoid(x), min=finfo.tiny, max=1.0 - finfo.eps)

    def _inverse(self, y):
        finfo = ag.finfo(y.dtype)
        y = y.clamp(min=finfo.tiny, max=1.0 - finfo.eps)
        return y.log() - (-y).log1p()

    def log_abs_det_jacobian(self, x, y):
        """-softplus(-x) - softplus(x)."""
        zero = ag.zeros_like(x)
        return -ag.logaddexp(zero, -x) - ag.logaddexp(zero, x)


class AffineTransform(Transform):
    """y = loc + scale * x, elementwise (event_dim 0 here)."""

    bijective = True
    domain = constraints.real
    codomain = constraints.real

    def __init__(self, loc, scale, event_dim=0, cache_size=0):
        if event_dim != 0:
            raise NotImplementedError("AffineTransform: only event_dim=0 is supported")
        super().__init__(cache_size=cache_size)
        self.loc = loc
        self.scale = scale

    def __eq__(self, other):
        if not isinstance(other, AffineTransform):
            return False
        same = []
        for a, b in ((self.loc, other.loc), (self.scale, other.scale)):
            if isinstance(a, Number) and isinstance(b, Number):
                same.append(a == b)
            else:
                same.append(bool((ag.as_tensor(a) == ag.as_tensor(b)).all()))
        return all(same)

    __hash__ = object.__hash__

    @property
    def sign(self):
        """The sign of scale."""
        if isinstance(self.scale, Number):
            return 1 if float(self.scale) > 0 else -1 if float(self.scale) < 0 else 0
        return self.scale.sign()

    def _call(self, x):
        return self.loc + self.scale * x

    def _inverse(self, y):
        return (y - self.loc) / self.scale

    def log_abs_det_jacobian(self, x, y):
        """log |scale|, broadcast to x's shape."""
        if isinstance(self.scale, Number):
            return ag.full_like(x, math.log(abs(self.scale)))
        return ag.abs(self.scale).log().expand(x.shape)
