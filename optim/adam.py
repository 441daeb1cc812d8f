"""Adam (and, with decoupled weight decay, AdamW), with PyTorch's update:

    step += 1;  g = -grad if maximize else grad
    p = p * (1 - lr * weight_decay)        (decoupled)   or   g = g + weight_decay * p
    m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
    v_hat = max(v_max, v) (amsgrad) or v
    p = p - lr / (1 - beta1**step) * m / (sqrt(v_hat) / sqrt(1 - beta2**step) + eps)
"""
import numpy as np

from autograd_lite import bfloat16

from .bfloat16_steps import adam_bfloat16
from .fused_update import FusedUpdate
from .numpy_ops import l2_gradient, lerp_numpy
from .optimizer import Optimizer, bump_step, check_unsupported, new_step, zeros_state


def adam_numpy(p, g, m, v, vmax, step, lr, beta1, beta2, eps, weight_decay, decoupled, amsgrad, maximize):
    """The reference update on ndarrays (in place on p, m, v and vmax), in PyTorch's
    order of operations, with one scratch array; the Numba kernel must match it."""
    if p.dtype == bfloat16:
        return adam_bfloat16(p, g, m, v, vmax, step, lr, beta1, beta2, eps, weight_decay, decoupled,
                             amsgrad, maximize)
    dt = p.dtype.type
    if weight_decay != 0 and decoupled:
        np.multiply(p, dt(1 - lr * weight_decay), out=p)
    gw = l2_gradient(p, g, 0 if decoupled else weight_decay, maximize)
    t = np.empty_like(p)
    lerp_numpy(m, gw, dt(1 - beta1), t)
    np.multiply(v, dt(beta2), out=v)
    np.multiply(gw, dt(1 - beta2), out=t)
    np.multiply(t, gw, out=t)
    np.add(v, t, out=v)
    if amsgrad:
        np.maximum(vmax, v, out=vmax)
        src = vmax
    else:
        src = v
    bias_correction1 = 1 - beta1**step
    bias_correction2 = 1 - beta2**step
    np.sqrt(src, out=t)
    np.divide(t, dt(bias_correction2**0.5), out=t)
    np.add(t, dt(eps), out=t)
    u = np.multiply(m, dt(-(lr / bias_correction1)))  # addcdiv: p + (value * m) / denom
    np.divide(u, t, out=u)
    np.add(p, u, out=p)


def adam_kernel_args(dt, step, lr, beta1, beta2, eps, weight_decay, decoupled, amsgrad, maximize):
    """The scalars and flags of kernels.optim.adam_* in dtype `dt`."""
    w = dt(1 - beta1)
    wd_mode = 0 if weight_decay == 0 else (2 if decoupled else 1)
    return (dt(1 - lr * weight_decay), dt(weight_decay), w, dt(1) - w, dt(beta2), dt(1 - beta2),
            dt((1 - beta2**step) ** 0.5), dt(eps), dt(-(lr / (1 - beta1**step))),
            maximize, wd_mode, amsgrad, not abs(w) < 0.5)


class Adam(Optimizer):
    """Adam (Kingma & Ba), with the AMSGrad variant; `decoupled_weight_decay=True`
    makes it AdamW."""

    _param_state_keys = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")
    _update = FusedUpdate("Adam", "optim", "adam", adam_kernel_args, adam_numpy, bfloat16_reference=True)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        check_adam_args(lr, betas, eps, weight_decay)
        check_unsupported(type(self).__name__, foreach=foreach, capturable=capturable,
                          differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One Adam step over every parameter that has a gradient; returns the
        closure's loss (or None)."""
        loss = self._eval_closure(closure)
        update = self._update
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = (float(b) for b in group["betas"])
            eps = float(group["eps"])
            wd = float(group["weight_decay"])
            amsgrad = bool(group["amsgrad"])
            maximize = bool(group["maximize"])
            decoupled = bool(group.get("decoupled_weight_decay", False))
            options = (lr, beta1, beta2, eps, wd, decoupled, amsgrad, maximize)
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                if "exp_avg" not in state:
                    state["step"] = new_step()
                    state["exp_avg"] = zeros_state(p)
                    state["exp_avg_sq"] = zeros_state(p)
                if amsgrad and "max_exp_avg_sq" not in state:
                    state["max_exp_avg_sq"] = zeros_state(p)
                buffers = (state["exp_avg"], state["exp_avg_sq"], state["max_exp_avg_sq"] if amsgrad else None)
                update(p, grad, buffers, (bump_step(state),) + options)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): the parameter shrinks
    by `lr * weight_decay` before the Adam step instead of the decay entering the
    gradient."""

    _update = FusedUpdate("AdamW", "optim", "adam", adam_kernel_args, adam_numpy, bfloat16_reference=True)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                         foreach=foreach, maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused, decoupled_weight_decay=True)


def check_adam_args(lr, betas, eps, weight_decay):
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if len(betas) != 2:
        raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
