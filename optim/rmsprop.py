"""RMSprop with PyTorch's update:

    step += 1;  g = -grad if maximize else grad;  g = g + weight_decay * p
    s = alpha * s + (1 - alpha) * g * g
    centered:  a = lerp(a, g, 1 - alpha);  avg = sqrt(s - a * a) + eps
    otherwise: avg = sqrt(s) + eps
    momentum:  b = momentum * b + g / avg;  p = p - lr * b
    otherwise: p = p - lr * g / avg
"""
import numpy as np

from .fused_update import FusedUpdate
from .numpy_ops import l2_gradient
from .optimizer import Optimizer, bump_step, check_unsupported, new_step, zeros_state


def rmsprop_numpy(p, g, sq, gavg, buf, lr, alpha, eps, weight_decay, momentum, centered, maximize):
    """The reference update on ndarrays (in place on p, sq, gavg and buf), in
    PyTorch's order of operations; the Numba kernel must match it."""
    dt = p.dtype.type
    gw = l2_gradient(p, g, weight_decay, maximize)
    t = np.empty_like(p)
    np.multiply(sq, dt(alpha), out=sq)
    np.multiply(gw, dt(1 - alpha), out=t)
    np.multiply(t, gw, out=t)
    np.add(sq, t, out=sq)
    if centered:
        w = dt(1 - alpha)
        np.subtract(gw, gavg, out=t)
        if abs(w) < 0.5:
            np.multiply(t, w, out=t)
            np.add(gavg, t, out=gavg)
        else:
            np.multiply(t, dt(1) - w, out=t)
            np.subtract(gw, t, out=gavg)
        np.multiply(gavg, gavg, out=t)
        np.subtract(sq, t, out=t)
        np.sqrt(t, out=t)
    else:
        np.sqrt(sq, out=t)
    np.add(t, dt(eps), out=t)  # avg
    if momentum > 0:
        np.divide(gw, t, out=t)
        np.multiply(buf, dt(momentum), out=buf)
        np.add(buf, t, out=buf)
        np.multiply(buf, dt(-lr), out=t)
    else:  # addcdiv: p + (-lr * g) / avg
        u = np.multiply(gw, dt(-lr))
        np.divide(u, t, out=t)
    np.add(p, t, out=p)


def rmsprop_kernel_args(dt, lr, alpha, eps, weight_decay, momentum, centered, maximize):
    """The scalars and flags of kernels.optim.rmsprop_* in dtype `dt`."""
    w = dt(1 - alpha)
    return (dt(-lr), dt(weight_decay), dt(alpha), dt(1 - alpha), w, dt(1) - w, dt(eps), dt(momentum),
            maximize, weight_decay != 0, centered, momentum > 0, not abs(w) < 0.5)


class RMSprop(Optimizer):
    """RMSprop (Hinton), optionally centered (Graves) and with momentum."""

    _param_state_keys = ("square_avg", "momentum_buffer", "grad_avg")
    _update = FusedUpdate("RMSprop", "optim", "rmsprop", rmsprop_kernel_args, rmsprop_numpy)

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        check_unsupported("RMSprop", capturable=capturable, foreach=foreach, differentiable=differentiable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One RMSprop step over every parameter that has a gradient; returns the
        closure's loss (or None)."""
        loss = self._eval_closure(closure)
        update = self._update
        for group in self.param_groups:
            lr = float(group["lr"])
            alpha = float(group["alpha"])
            eps = float(group["eps"])
            wd = float(group["weight_decay"])
            momentum = float(group["momentum"])
            centered = bool(group["centered"])
            maximize = bool(group["maximize"])
            args = (lr, alpha, eps, wd, momentum, centered, maximize)
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                if "square_avg" not in state:
                    state["step"] = new_step()
                    state["square_avg"] = zeros_state(p)
                if momentum > 0 and "momentum_buffer" not in state:
                    state["momentum_buffer"] = zeros_state(p)
                if centered and "grad_avg" not in state:
                    state["grad_avg"] = zeros_state(p)
                bump_step(state)
                update(p, grad, (state["square_avg"], state["grad_avg"] if centered else None,
                                 state["momentum_buffer"] if momentum > 0 else None), args)
        return loss
