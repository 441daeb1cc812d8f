"""Adamax (Adam with the infinity norm) with PyTorch's update:

    step += 1;  g = -grad if maximize else grad;  g = g + weight_decay * p
    m = lerp(m, g, 1 - beta1);  u = max(beta2 * u, |g| + eps)
    p = p - lr / (1 - beta1**step) * m / u
"""
import numpy as np

from .adam import check_adam_args
from .fused_update import FusedUpdate
from .numpy_ops import l2_gradient, lerp_numpy
from .optimizer import Optimizer, bump_step, check_unsupported, new_step, zeros_state


def adamax_numpy(p, g, exp_avg, exp_inf, step, lr, beta1, beta2, eps, weight_decay, maximize):
    """The reference update on ndarrays (in place on p, exp_avg and exp_inf), in
    PyTorch's order of operations; the Numba kernel must match it."""
    dt = p.dtype.type
    gw = l2_gradient(p, g, weight_decay, maximize)
    lerp_numpy(exp_avg, gw, dt(1 - beta1))
    np.multiply(exp_inf, dt(beta2), out=exp_inf)
    t = np.abs(gw)
    np.add(t, dt(eps), out=t)
    np.maximum(exp_inf, t, out=exp_inf)
    clr = lr / (1 - beta1**step)
    np.multiply(exp_avg, dt(-clr), out=t)  # addcdiv: p + (-clr * m) / u
    np.divide(t, exp_inf, out=t)
    np.add(p, t, out=p)


def adamax_kernel_args(dt, step, lr, beta1, beta2, eps, weight_decay, maximize):
    """The scalars and flags of kernels.optim_variants.adamax_* in dtype `dt`."""
    w = dt(1 - beta1)
    return (dt(weight_decay), w, dt(1) - w, dt(beta2), dt(eps), dt(-(lr / (1 - beta1**step))),
            maximize, weight_decay != 0, not abs(w) < 0.5)


class Adamax(Optimizer):
    """Adamax (Kingma & Ba): Adam's second moment replaced by a decaying maximum of
    the gradient's magnitude."""

    _param_state_keys = ("exp_avg", "exp_inf")
    _update = FusedUpdate("Adamax", "optim_variants", "adamax", adamax_kernel_args, adamax_numpy)

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_adam_args(lr, betas, eps, weight_decay)
        check_unsupported("Adamax", foreach=foreach, differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One Adamax step over every parameter that has a gradient; returns the
        closure's loss (or None)."""
        loss = self._eval_closure(closure)
        update = self._update
        for group in self.param_groups:
            beta1, beta2 = (float(b) for b in group["betas"])
            options = (float(group["lr"]), beta1, beta2, float(group["eps"]), float(group["weight_decay"]),
                       bool(group["maximize"]))
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = new_step()
                    state["exp_avg"] = zeros_state(p)
                    state["exp_inf"] = zeros_state(p)
                update(p, grad, (state["exp_avg"], state["exp_inf"]), (bump_step(state),) + options)
        return loss
