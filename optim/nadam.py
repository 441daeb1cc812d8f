"""NAdam (Adam with Nesterov momentum, Dozat) with PyTorch's update:

    step += 1;  g = -grad if maximize else grad
    p = p * (1 - lr * weight_decay)  (decoupled)  or  g = g + weight_decay * p
    mu_t = beta1 * (1 - 0.5 * 0.96**(step * momentum_decay));  mu_product *= mu_t
    m = lerp(m, g, 1 - beta1);  v = beta2 * v + (1 - beta2) * g * g
    denom = sqrt(v / (1 - beta2**step)) + eps
    p = p - lr (1 - mu_t) / (1 - mu_product) * g / denom
          - lr mu_{t+1} / (1 - mu_product mu_{t+1}) * m / denom

`mu_product` is a 0-d tensor of the scalar dtype (float32 unless the default dtype is
float64), multiplied in that dtype, as PyTorch keeps it.
"""
import numpy as np

from autograd_lite.extend import mark_dirty

from .adam import check_adam_args
from .fused_update import FusedUpdate
from .numpy_ops import l2_gradient, lerp_numpy
from .optimizer import Optimizer, bump_step, check_unsupported, new_step, scalar_state, zeros_state


def nadam_numpy(p, g, exp_avg, exp_avg_sq, step, lr, beta1, beta2, eps, weight_decay, decoupled, maximize,
                coef_grad, coef_avg):
    """The reference update on ndarrays (in place on p, exp_avg and exp_avg_sq), in
    PyTorch's order of operations; the Numba kernel must match it. `coef_grad` and
    `coef_avg` are the two addcdiv values (they need the running mu_product)."""
    dt = p.dtype.type
    if weight_decay != 0 and decoupled:
        np.multiply(p, dt(1 - lr * weight_decay), out=p)
    gw = l2_gradient(p, g, 0 if decoupled else weight_decay, maximize)
    lerp_numpy(exp_avg, gw, dt(1 - beta1))
    np.multiply(exp_avg_sq, dt(beta2), out=exp_avg_sq)
    t = np.multiply(gw, dt(1 - beta2))
    np.multiply(t, gw, out=t)
    np.add(exp_avg_sq, t, out=exp_avg_sq)
    denom = np.divide(exp_avg_sq, dt(1 - beta2**step))
    np.sqrt(denom, out=denom)
    np.add(denom, dt(eps), out=denom)
    np.multiply(gw, dt(coef_grad), out=t)
    np.divide(t, denom, out=t)
    np.add(p, t, out=p)
    np.multiply(exp_avg, dt(coef_avg), out=t)
    np.divide(t, denom, out=t)
    np.add(p, t, out=p)


def nadam_kernel_args(dt, step, lr, beta1, beta2, eps, weight_decay, decoupled, maximize, coef_grad, coef_avg):
    """The scalars and flags of kernels.optim_variants.nadam_* in dtype `dt`."""
    w = dt(1 - beta1)
    wd_mode = 0 if weight_decay == 0 else (2 if decoupled else 1)
    return (dt(1 - lr * weight_decay), dt(weight_decay), w, dt(1) - w, dt(beta2), dt(1 - beta2),
            dt(1 - beta2**step), dt(eps), dt(coef_grad), dt(coef_avg), maximize, wd_mode, not abs(w) < 0.5)


def momentum_schedule(beta1, momentum_decay, step):
    """mu_t of NAdam's momentum schedule."""
    return beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))


class NAdam(Optimizer):
    """NAdam: Adam with a Nesterov-style look-ahead on a decaying momentum schedule;
    `decoupled_weight_decay=True` gives NAdamW."""

    _param_state_keys = ("exp_avg", "exp_avg_sq")
    _scalar_state_keys = ("step", "mu_product")
    _update = FusedUpdate("NAdam", "optim_variants", "nadam", nadam_kernel_args, nadam_numpy)

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_adam_args(lr, betas, eps, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        check_unsupported("NAdam", foreach=foreach, capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One NAdam step over every parameter that has a gradient; returns the
        closure's loss (or None)."""
        loss = self._eval_closure(closure)
        update = self._update
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = (float(b) for b in group["betas"])
            momentum_decay = float(group["momentum_decay"])
            options = (lr, beta1, beta2, float(group["eps"]), float(group["weight_decay"]),
                       bool(group["decoupled_weight_decay"]), bool(group["maximize"]))
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = new_step()
                    state["mu_product"] = scalar_state(1.0)
                    state["exp_avg"] = zeros_state(p)
                    state["exp_avg_sq"] = zeros_state(p)
                step = bump_step(state)
                mu = momentum_schedule(beta1, momentum_decay, step)
                mu_next = momentum_schedule(beta1, momentum_decay, step + 1)
                product = state["mu_product"]
                held = product._data
                held *= held.dtype.type(mu)  # in the tensor's own dtype, as PyTorch's `mu_product *= mu`
                mark_dirty(product)
                mu_product = float(held)
                coef_grad = -lr * (1.0 - mu) / (1.0 - mu_product)
                coef_avg = (-lr * mu_next) / (1.0 - mu_product * mu_next)
                update(p, grad, (state["exp_avg"], state["exp_avg_sq"]), (step,) + options + (coef_grad, coef_avg))
        return loss
