"""SGD and Adam/AdamW on bfloat16 parameters as PyTorch's CPU path runs them: one
tensor op after another (`grad.add(param, alpha=wd)`, `exp_avg.lerp_(grad, w)`,
`param.addcdiv_(...)`...), each computed in float32 and rounded to bfloat16 once.
PyTorch rounds a scalar `alpha` (and a number added to a tensor) to bfloat16 first,
while a number multiplied or divided by, or the `value` of addcmul/addcdiv, stays a
float32. lerp and addcmul end in a fused multiply-add (one rounding to float32 for
`x * y + z`), emulated here in float64, which holds a product of two float32 exactly.
The other optimizers update a bfloat16 parameter in float32 and round once per step
(fused_update.py)."""
import numpy as np

from autograd_lite import bfloat16
from autograd_lite.extend import cast_array

_F32 = np.float32


def _wide(a):
    return a.astype(_F32)


def _round(x):
    return cast_array(x, bfloat16)


def _fma(x, y, z):
    """x * y + z rounded once to float32 (float32 arrays/numbers in)."""
    return (np.asarray(x, np.float64) * np.asarray(y, np.float64) + z).astype(_F32)


def _as_bf16_number(s):
    """A Python number rounded to bfloat16, as a float32 (PyTorch's add alpha / scalar)."""
    return _F32(_round(np.asarray(s, _F32)))


def add(a, b, alpha=1.0):
    """a + alpha * b (torch.add): alpha rounded to bfloat16, the sum in float32."""
    return _round(_wide(a) + _as_bf16_number(alpha) * _wide(b))


def add_number(a, s):
    return _round(_wide(a) + _as_bf16_number(s))


def mul_number(a, s):
    return _round(_wide(a) * _F32(s))


def div_number(a, s):
    return _round(_wide(a) / _F32(s))


def lerp_number(a, b, w):
    """torch.lerp with a number weight, PyTorch's two-sided formula in float32."""
    fa, fb, w = _wide(a), _wide(b), _F32(w)
    if abs(w) < 0.5:
        return _round(_fma(w, fb - fa, fa))
    return _round(_fma(fa - fb, _F32(1) - w, fb))


def addcmul(a, t1, t2, value):
    """a + value * t1 * t2 as PyTorch's kernel: fma(value * t1, t2, a)."""
    return _round(_fma(_F32(value) * _wide(t1), _wide(t2), _wide(a)))


def addcdiv(a, t1, t2, value):
    """a + value * t1 / t2 as PyTorch's kernel: a + (value * t1) / t2, no fused step."""
    return _round(_wide(a) + (_F32(value) * _wide(t1)) / _wide(t2))


def sqrt(a):
    return _round(np.sqrt(_wide(a)))


def sgd_bfloat16(p, g, buf, init_buf, lr, weight_decay, momentum, dampening, nesterov, maximize):
    """torch.optim.SGD's single-tensor step, in place on `p` and `buf`."""
    if maximize:
        g = -g
    if weight_decay != 0:
        g = add(g, p, weight_decay)
    if momentum != 0:
        if init_buf:
            buf[...] = g
        else:
            buf[...] = add(mul_number(buf, momentum), g, 1 - dampening)
        g = add(g, buf, momentum) if nesterov else buf
    p[...] = add(p, g, -lr)


def adam_bfloat16(p, g, m, v, vmax, step, lr, beta1, beta2, eps, weight_decay, decoupled, amsgrad,
                  maximize):
    """torch.optim.Adam's (AdamW's) single-tensor step, in place on p, m, v, vmax."""
    if maximize:
        g = -g
    if weight_decay != 0:
        if decoupled:
            p[...] = mul_number(p, 1 - lr * weight_decay)
        else:
            g = add(g, p, weight_decay)
    m[...] = lerp_number(m, g, 1 - beta1)
    v[...] = addcmul(mul_number(v, beta2), g, g, 1 - beta2)
    step_size = lr / (1 - beta1**step)
    bias_correction2_sqrt = (1 - beta2**step) ** 0.5
    if amsgrad:
        np.maximum(vmax, v, out=vmax)
        v = vmax
    denom = add_number(div_number(sqrt(v), bias_correction2_sqrt), eps)
    p[...] = addcdiv(p, m, denom, -step_size)
