"""Adadelta with PyTorch's update:

    step += 1;  g = -grad if maximize else grad;  g = g + weight_decay * p
    s = rho * s + (1 - rho) * g * g
    delta = sqrt(acc + eps) / sqrt(s + eps) * g
    acc = rho * acc + (1 - rho) * delta * delta;  p = p - lr * delta
"""
import numpy as np

from .fused_update import FusedUpdate
from .numpy_ops import l2_gradient
from .optimizer import Optimizer, bump_step, check_unsupported, new_step, zeros_state


def adadelta_numpy(p, g, square_avg, acc_delta, lr, rho, eps, weight_decay, maximize):
    """The reference update on ndarrays (in place on p, square_avg and acc_delta), in
    PyTorch's order of operations; the Numba kernel must match it."""
    dt = p.dtype.type
    gw = l2_gradient(p, g, weight_decay, maximize)
    np.multiply(square_avg, dt(rho), out=square_avg)
    t = np.multiply(gw, dt(1 - rho))
    np.multiply(t, gw, out=t)
    np.add(square_avg, t, out=square_avg)
    std = np.sqrt(np.add(square_avg, dt(eps)))
    delta = np.sqrt(np.add(acc_delta, dt(eps)))
    np.divide(delta, std, out=delta)
    np.multiply(delta, gw, out=delta)
    np.multiply(acc_delta, dt(rho), out=acc_delta)
    np.multiply(delta, dt(1 - rho), out=t)
    np.multiply(t, delta, out=t)
    np.add(acc_delta, t, out=acc_delta)
    np.multiply(delta, dt(-lr), out=delta)
    np.add(p, delta, out=p)


def adadelta_kernel_args(dt, lr, rho, eps, weight_decay, maximize):
    """The scalars and flags of kernels.optim_variants.adadelta_* in dtype `dt`."""
    return dt(-lr), dt(weight_decay), dt(rho), dt(1 - rho), dt(eps), maximize, weight_decay != 0


class Adadelta(Optimizer):
    """Adadelta (Zeiler): steps scaled by the ratio of running RMS of past updates to
    that of gradients."""

    _param_state_keys = ("square_avg", "acc_delta")
    _update = FusedUpdate("Adadelta", "optim_variants", "adadelta", adadelta_kernel_args, adadelta_numpy)

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        check_unsupported("Adadelta", foreach=foreach, capturable=capturable, differentiable=differentiable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One Adadelta step over every parameter that has a gradient; returns the
        closure's loss (or None)."""
        loss = self._eval_closure(closure)
        update = self._update
        for group in self.param_groups:
            args = (float(group["lr"]), float(group["rho"]), float(group["eps"]), float(group["weight_decay"]),
                    bool(group["maximize"]))
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = new_step()
                    state["square_avg"] = zeros_state(p)
                    state["acc_delta"] = zeros_state(p)
                bump_step(state)
                update(p, grad, (state["square_avg"], state["acc_delta"]), args)
        return loss
