"""RAdam (rectified Adam, Liu et al.) with PyTorch's update:

    step += 1;  g = -grad if maximize else grad
    p = p * (1 - lr * weight_decay)  (decoupled)  or  g = g + weight_decay * p
    m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
    rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 step beta2**step / (1 - beta2**step)
    rho_t > 5:  p = p - m / (1 - beta1**step) * lr * sqrt(1 - beta2**step) / (sqrt(v) + eps) * r_t,
                r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
    otherwise:  p = p - m / (1 - beta1**step) * lr          (plain momentum SGD while v warms up)
"""
import numpy as np

from .adam import check_adam_args
from .fused_update import FusedUpdate
from .numpy_ops import l2_gradient, lerp_numpy
from .optimizer import Optimizer, bump_step, check_unsupported, new_step, zeros_state


def rectification(step, beta2):
    """r_t, or None while rho_t <= 5 (the variance of the adaptive rate is not yet
    tractable)."""
    bias_correction2 = 1 - beta2**step
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
    if not rho_t > 5.0:
        return None
    return ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5


def radam_numpy(p, g, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps, weight_decay, decoupled, maximize):
    """The reference update on ndarrays (in place on p, exp_avg and exp_avg_sq), in
    PyTorch's order of operations; the Numba kernel must match it."""
    dt = p.dtype.type
    if weight_decay != 0 and decoupled:
        np.multiply(p, dt(1 - lr * weight_decay), out=p)
    gw = l2_gradient(p, g, 0 if decoupled else weight_decay, maximize)
    lerp_numpy(exp_avg, gw, dt(1 - beta1))
    np.multiply(exp_avg_sq, dt(beta2), out=exp_avg_sq)
    t = np.multiply(gw, dt(1 - beta2))
    np.multiply(t, gw, out=t)
    np.add(exp_avg_sq, t, out=exp_avg_sq)
    u = np.divide(exp_avg, dt(1 - beta1**step))
    np.multiply(u, dt(lr), out=u)
    rect = rectification(step, beta2)
    if rect is not None:
        np.sqrt(exp_avg_sq, out=t)
        np.add(t, dt(eps), out=t)
        np.reciprocal(t, out=t)  # a scalar over a tensor, as torch computes it
        np.multiply(t, dt((1 - beta2**step) ** 0.5), out=t)
        np.multiply(u, t, out=u)
        np.multiply(u, dt(rect), out=u)
    np.subtract(p, u, out=p)


def radam_kernel_args(dt, step, lr, beta1, beta2, eps, weight_decay, decoupled, maximize):
    """The scalars and flags of kernels.optim_variants.radam_* in dtype `dt`."""
    w = dt(1 - beta1)
    wd_mode = 0 if weight_decay == 0 else (2 if decoupled else 1)
    rect = rectification(step, beta2)
    return (dt(1 - lr * weight_decay), dt(weight_decay), w, dt(1) - w, dt(beta2), dt(1 - beta2),
            dt(1 - beta1**step), dt(lr), dt((1 - beta2**step) ** 0.5), dt(eps), dt(0 if rect is None else rect),
            dt(1), maximize, wd_mode, not abs(w) < 0.5, rect is not None)


class RAdam(Optimizer):
    """RAdam: Adam whose adaptive rate is switched on, and rectified, once the
    variance of its estimate is tractable; `decoupled_weight_decay=True` gives RAdamW."""

    _param_state_keys = ("exp_avg", "exp_avg_sq")
    _update = FusedUpdate("RAdam", "optim_variants", "radam", radam_kernel_args, radam_numpy)

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False):
        check_adam_args(lr, betas, eps, weight_decay)
        check_unsupported("RAdam", foreach=foreach, capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One RAdam step over every parameter that has a gradient; returns the
        closure's loss (or None)."""
        loss = self._eval_closure(closure)
        update = self._update
        for group in self.param_groups:
            beta1, beta2 = (float(b) for b in group["betas"])
            options = (float(group["lr"]), beta1, beta2, float(group["eps"]), float(group["weight_decay"]),
                       bool(group["decoupled_weight_decay"]), bool(group["maximize"]))
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = new_step()
                    state["exp_avg"] = zeros_state(p)
                    state["exp_avg_sq"] = zeros_state(p)
                update(p, grad, (state["exp_avg"], state["exp_avg_sq"]), (bump_step(state),) + options)
        return loss
