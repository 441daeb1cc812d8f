"""The gamma function family: lgamma, digamma, polygamma and mvlgamma, each
differentiable to any order (lgamma -> digamma -> polygamma(1) -> polygamma(2) ...);
the regularised incomplete gamma functions igamma/igammac (differentiable in x, as
PyTorch's) and the Hurwitz zeta function (not differentiable, as PyTorch's).
Computed in float64 and returned in the input's dtype (bfloat16 rounded once)."""
import math
import numbers

import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ..kernels import lazy as _kernels
from ._util import as_tensor, float_operand
from .elementwise import exp
from .shape import sum_to
from .special import float_operands, refuse_half, xlogy
from .trig import BinaryFloat, float_pair


def _lgamma_one(v):
    try:
        return math.lgamma(v)
    except ValueError:  # a pole (0, -1, -2, ...)
        return math.inf


_LGAMMA = np.frompyfunc(_lgamma_one, 1, 1)

# Bernoulli numbers B_2, B_4, ..., B_16
_B2K = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510]


def _as64(x):
    return np.asarray(x, dtype=np.float64)


def _steps_to(x, bound):
    """How many unit steps bring every finite element of `x` to `bound` or above."""
    finite = x[np.isfinite(x)]
    if finite.size == 0:
        return 0
    return max(0, math.ceil(bound - finite.min()))


def lgamma_array(x):
    """log|Gamma(x)| of an array, elementwise (float64); +inf at the poles."""
    x = _as64(x)
    out = _LGAMMA(x)
    return np.asarray(out, dtype=np.float64).reshape(x.shape)


def digamma_array(x):
    """The digamma function of an array (float64): reflection for x < 0.5, the
    recurrence up to x >= 10, then the asymptotic series. -inf at 0 (+inf at -0), NaN
    at the negative integers (as PyTorch)."""
    x = _as64(x).copy()
    x0 = x.copy()
    out = np.zeros_like(x)
    neg = x < 0.5
    if np.any(neg):
        xn = x[neg]
        with np.errstate(divide="ignore", invalid="ignore"):
            out[neg] -= np.pi / np.tan(np.pi * xn)
        x[neg] = 1 - xn
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(10):
            small = x < 10
            if not np.any(small):
                break
            out[small] -= 1 / x[small]
            x[small] += 1
        z = 1 / (x * x)
        series = sum(b / (2 * (k + 1)) * z ** (k + 1) for k, b in enumerate(_B2K))
        out += np.log(x) - 0.5 / x - series
    zero = x0 == 0
    out[zero] = np.copysign(np.inf, -x0[zero])
    out[(x0 < 0) & (x0 == np.floor(x0))] = np.nan
    return out


def polygamma_array(n, x):
    """The n-th derivative of digamma (n >= 1) of an array (float64): the recurrence
    up to x >= 20 (negative x included), then the asymptotic series; +-inf at the poles."""
    x = _as64(x).copy()
    out = np.zeros_like(x)
    sign = 1.0 if n % 2 == 1 else -1.0
    fact_n = math.factorial(n)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for _ in range(_steps_to(x, 20)):
            small = x < 20
            if not np.any(small):
                break
            out[small] += sign * fact_n / x[small] ** (n + 1)
            x[small] += 1
        tail = math.factorial(n - 1) / x ** n + fact_n / (2 * x ** (n + 1))
        for k, b in enumerate(_B2K, start=1):
            tail = tail + b * math.factorial(2 * k + n - 1) / math.factorial(2 * k) / x ** (2 * k + n)
        out += sign * tail
    return out


class Lgamma(Op):
    """log|Gamma(x)|; its derivative is digamma."""

    save_inputs = (0,)

    def forward(ctx, x):
        return _dtypes.cast(lgamma_array(x), x.dtype)

    def backward(ctx, g):
        return g * digamma(ctx.saved_tensors[0])


class Digamma(Op):
    """The digamma function; its derivative is polygamma(1, x)."""

    save_inputs = (0,)

    def forward(ctx, x):
        return _dtypes.cast(digamma_array(x), x.dtype)

    def backward(ctx, g):
        return g * polygamma(1, ctx.saved_tensors[0])


class Polygamma(Op):
    """polygamma(n, x) for n >= 1; its derivative is polygamma(n + 1, x)."""

    save_inputs = (0,)

    def forward(ctx, x, n):
        ctx.n = n
        return _dtypes.cast(polygamma_array(n, x), x.dtype)

    def backward(ctx, g):
        return g * polygamma(ctx.n + 1, ctx.saved_tensors[0]), None


def lgamma(input):
    """log|Gamma(input)| elementwise (+inf at 0, -1, -2, ...); integer inputs become the
    default float dtype. Its gradient is digamma."""
    return Lgamma.apply(float_operand(input, "lgamma"))


def digamma(input):
    """The digamma function psi = d/dx lgamma, elementwise: -inf at 0 (+inf at -0) and
    NaN at the negative integers (as PyTorch). Its gradient is polygamma(1, input)."""
    return Digamma.apply(float_operand(input, "digamma"))


def _order(n, op):
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"{op}(): argument 'n' must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return int(n)


def polygamma(n, input):
    """The n-th derivative of digamma, elementwise (`n` an int >= 0; polygamma(0, x) is
    digamma). Raises RuntimeError for a negative n."""
    n = _order(n, "polygamma")
    x = float_operand(input, "polygamma")
    if n == 0:
        return Digamma.apply(x)
    return Polygamma.apply(x, n)


def polygamma_method(self, n):
    """`self.polygamma(n)`: polygamma(n, self) (`self.polygamma_(n)` in place)."""
    return polygamma(n, self)


def mvlgamma(input, p):
    """The multivariate log-gamma function of dimension `p` (an int >= 1), elementwise:
    sum_i lgamma(input - i/2) for i < p, plus p(p-1)/4 log(pi). Raises RuntimeError when
    p < 1; elements not above (p - 1)/2 give lgamma's values there (as PyTorch 2.13,
    which no longer checks them)."""
    if isinstance(p, bool) or not isinstance(p, numbers.Integral):
        raise TypeError(f"mvlgamma(): argument 'p' must be int, not {type(p).__name__}")
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    x = float_operand(input, "mvlgamma")
    offsets = as_tensor(np.arange(-p * 0.5 + 0.5, 0.5, 0.5), "mvlgamma").to(x.dtype)
    return lgamma(x.unsqueeze(-1) + offsets).sum(-1) + p * (p - 1) / 4 * math.log(math.pi)


class Igamma(BinaryFloat):
    """P(a, x) (igamma) or Q(a, x) = 1 - P (igammac). The derivative in x is the gamma
    density x^(a-1) e^-x / Gamma(a) (negated for Q); the one in a raises, as PyTorch's."""

    op_name = "igamma"

    def forward(ctx, a, x, upper):
        ctx.upper = upper
        return BinaryFloat.forward(ctx, a, x)

    def compute(ctx, a, x):
        return (_kernels.special.igammac if ctx.upper else _kernels.special.igamma)(a, x)

    def backward(ctx, g):
        a, x = ctx.saved_tensors
        if ctx.next_functions[0] is not None:
            name = "igammac" if ctx.upper else "igamma"
            raise NotImplementedError(f"the derivative for '{name}: input' is not implemented.")
        density = exp(xlogy(a - 1, x) - x - lgamma(a))
        return None, sum_to(-g * density if ctx.upper else g * density, ctx.b_shape), None


def igamma(input, other):
    """The regularised lower incomplete gamma function P(input, other) =
    gamma(a, x) / Gamma(a), elementwise (torch.special.gammainc). Differentiable in
    `other`; backward through `input` raises NotImplementedError, as PyTorch's."""
    return Igamma.apply(*float_pair(input, other, "igamma"), False)


def igammac(input, other):
    """The regularised upper incomplete gamma function Q(input, other) = 1 - P, computed
    directly where it is small (torch.special.gammaincc); differentiable in `other`."""
    return Igamma.apply(*float_pair(input, other, "igammac"), True)


class Zeta(BinaryFloat):
    """The Hurwitz zeta function; PyTorch defines no derivative (backward raises)."""

    op_name = "zeta"

    @staticmethod
    def compute(x, q):
        return _kernels.special.zeta(x, q)

    def backward(ctx, g):
        raise NotImplementedError("the derivative for 'zeta' is not implemented.")


def zeta(input, other):
    """The Hurwitz zeta function sum_k (other + k)^-input, elementwise (as
    torch.special.zeta; either argument may be a number): inf at input = 1 and at
    integer other <= 0, NaN for input < 1. Not differentiable: backward raises, and
    float16/bfloat16 raise, as PyTorch's."""
    x, q = float_operands(input, other, "zeta")
    return Zeta.apply(refuse_half(as_tensor(x, "zeta"), "zeta"), as_tensor(q, "zeta"))
