"""RMSprop with PyTorch's update:

    step += 1;  g = -grad if maximize else grad;  g = g + weight_decay * p
    s = alpha * s + (1 - alpha) * g * g
    centered:  a = lerp(a, g, 1 - alpha);  avg = sqrt(s - a * a) + eps
    otherwise: avg = sqrt(s) + eps
    momentum:  b = momentum * b + g / avg;  p = p - lr * b
    otherwise: p = p - lr * g / avg
"""
import numpy as np

from autograd_lite.extend import mark_dirty

from .optimizer import (Optimizer, bump_step, check_unsupported, check_update, fused_views, kernels,
                        new_step, zeros_state)


def rmsprop_numpy(p, g, sq, gavg, buf, lr, alpha, eps, weight_decay, momentum, centered, maximize):
    """The reference update on ndarrays (in place on p, sq, gavg and buf), in
    PyTorch's order of operations; the Numba kernel must match it."""
    dt = p.dtype.type
    if weight_decay != 0:
        gw = np.multiply(p, dt(weight_decay))
        if maximize:
            np.subtract(gw, g, out=gw)
        else:
            np.add(gw, g, out=gw)
    elif maximize:
        gw = np.negative(g)
    else:
        gw = g
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


class RMSprop(Optimizer):
    """RMSprop (Hinton), optionally centered (Graves) and with momentum."""

    _param_state_keys = ("square_avg", "momentum_buffer", "grad_avg")

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
        for group in self.param_groups:
            lr = float(group["lr"])
            alpha = float(group["alpha"])
            eps = float(group["eps"])
            wd = float(group["weight_decay"])
            momentum = float(group["momentum"])
            centered = bool(group["centered"])
            maximize = bool(group["maximize"])
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                pd, g = p._data, grad._data
                state = self.state[p]
                if "square_avg" not in state:
                    state["step"] = new_step()
                    state["square_avg"] = zeros_state(p)
                if momentum > 0 and "momentum_buffer" not in state:
                    state["momentum_buffer"] = zeros_state(p)
                if centered and "grad_avg" not in state:
                    state["grad_avg"] = zeros_state(p)
                sq_t = state["square_avg"]
                ga_t = state["grad_avg"] if centered else sq_t
                buf_t = state["momentum_buffer"] if momentum > 0 else sq_t
                sq, ga, buf = sq_t._data, ga_t._data, buf_t._data
                check_update("RMSprop", pd, g, sq, ga, buf)
                bump_step(state)
                views = fused_views(pd, (g, sq, ga, buf))
                if views is None:
                    rmsprop_numpy(pd, g, sq, ga, buf, lr, alpha, eps, wd, momentum, centered, maximize)
                else:
                    k = kernels()
                    dt = pd.dtype.type
                    w = dt(1 - alpha)
                    kern = k.pick(k.rmsprop_serial, k.rmsprop_parallel, pd.size)
                    kern(views[0], views[1], views[2], views[3], views[4], dt(-lr), dt(wd), dt(alpha),
                         dt(1 - alpha), w, dt(1) - w, dt(eps), dt(momentum),
                         maximize, wd != 0, centered, momentum > 0, not abs(w) < 0.5)
                mark_dirty(p, sq_t)
                if centered:
                    mark_dirty(ga_t)
                if momentum > 0:
                    mark_dirty(buf_t)
        return loss
