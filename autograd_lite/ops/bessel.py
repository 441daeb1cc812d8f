"""The modified Bessel functions of the first kind of order 0 and 1, plain (i0, i1) and
exponentially scaled (i0e = e^-|x| I0, i1e = e^-|x| I1), as torch.special's. Each
derivative is written with the others, so every order of derivative works:

    I0' = I1,   I1' = I0 - I1 / x   (1/2 at 0),
    i0e' = i1e - sign(x) i0e,   i1e' = i0e - i1e (sign(x) + 1/x)   (1/2 at 0).

The values come from kernels/special.py (float64, rounded once to the input's dtype)."""
from ..autograd.node import Op
from ..kernels import lazy as _kernels
from .elementwise import _float_unary, sign, where


def _at_zero_half(x, value_elsewhere):
    """1/2 where x is 0, else `value_elsewhere(x_safe)`; x_safe is 1 at those points so
    the other branch (a division by x) has no NaN whose gradient could leak through."""
    zero = x == 0
    return where(zero, 0.5, value_elsewhere(where(zero, 1.0, x)))


class I0(Op):
    save_inputs = (0,)

    def forward(ctx, x):
        return _kernels.special.i0(x)

    def backward(ctx, g):
        return g * i1(ctx.saved_tensors[0])


class I0e(Op):
    save_inputs = (0,)
    save_output = True

    def forward(ctx, x):
        return _kernels.special.i0e(x)

    def backward(ctx, g):
        x = ctx.saved_tensors[0]
        return g * (i1e(x) - sign(x) * ctx.saved_output)


class I1(Op):
    save_inputs = (0,)

    def forward(ctx, x):
        return _kernels.special.i1(x)

    def backward(ctx, g):
        return g * _at_zero_half(ctx.saved_tensors[0], lambda x: i0(x) - i1(x) / x)


class I1e(Op):
    save_inputs = (0,)

    def forward(ctx, x):
        return _kernels.special.i1e(x)

    def backward(ctx, g):
        return g * _at_zero_half(ctx.saved_tensors[0], lambda x: i0e(x) - i1e(x) * (sign(x) + 1 / x))


i0 = _float_unary(I0, "i0")
i0.__doc__ = ("The modified Bessel function of the first kind of order 0, elementwise (torch.i0, "
              "torch.special.i0); its derivative is i1. inf once e^|x| overflows (|x| > 709.78), as "
              "PyTorch's. Integer inputs become the default float dtype.")
i0e = _float_unary(I0e, "i0e")
i0e.__doc__ = "e^-|x| i0(x) elementwise (torch.special.i0e): finite for every finite x."
i1 = _float_unary(I1, "i1")
i1.__doc__ = ("The modified Bessel function of the first kind of order 1, elementwise "
              "(torch.special.i1); odd, inf once e^|x| overflows.")
i1e = _float_unary(I1e, "i1e")
i1e.__doc__ = "e^-|x| i1(x) elementwise (torch.special.i1e)."
