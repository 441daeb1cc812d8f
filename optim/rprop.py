"""Rprop (resilient backpropagation, Riedmiller & Braun) with PyTorch's update:

    step += 1;  g = -grad if maximize else grad
    s = sign(g * prev):  step_size *= etaplus (s > 0), etaminus (s < 0), 1 (s == 0)
    step_size = clamp(step_size, step_size_min, step_size_max)
    where s < 0, g = 0  (no step after a sign change, and none remembered)
    p = p - sign(g) * step_size;  prev = g

Only the signs of gradients matter; each coordinate's step size starts at `lr`.
"""
import numpy as np

from .fused_update import FusedUpdate
from .optimizer import Optimizer, bump_step, check_unsupported, new_step, zeros_state


def rprop_numpy(p, g, prev, step_size, etaminus, etaplus, step_size_min, step_size_max, maximize):
    """The reference update on ndarrays (in place on p, prev and step_size), in
    PyTorch's order of operations; the Numba kernel must match it."""
    dt = p.dtype.type
    gw = np.negative(g) if maximize else np.array(g, copy=True)
    factor = np.sign(np.multiply(gw, prev))
    factor[factor > 0] = dt(etaplus)
    factor[factor < 0] = dt(etaminus)
    factor[factor == 0] = 1
    np.multiply(step_size, factor, out=step_size)
    np.clip(step_size, dt(step_size_min), dt(step_size_max), out=step_size)
    gw[factor == dt(etaminus)] = 0
    t = np.sign(gw)
    np.multiply(t, step_size, out=t)
    np.subtract(p, t, out=p)
    np.copyto(prev, gw)


def rprop_kernel_args(dt, etaminus, etaplus, step_size_min, step_size_max, maximize):
    """The scalars and flags of kernels.optim_variants.rprop_* in dtype `dt`."""
    return dt(etaminus), dt(etaplus), dt(step_size_min), dt(step_size_max), dt(1), maximize


class Rprop(Optimizer):
    """Rprop: per-coordinate step sizes that grow while the gradient keeps its sign
    and shrink when it flips (full-batch training)."""

    _param_state_keys = ("prev", "step_size")
    _update = FusedUpdate("Rprop", "optim_variants", "rprop", rprop_kernel_args, rprop_numpy)

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
                 maximize=False, differentiable=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        check_unsupported("Rprop", capturable=capturable, foreach=foreach, differentiable=differentiable)
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One Rprop step over every parameter that has a gradient; returns the
        closure's loss (or None)."""
        loss = self._eval_closure(closure)
        update = self._update
        for group in self.param_groups:
            etaminus, etaplus = (float(e) for e in group["etas"])
            smin, smax = (float(s) for s in group["step_sizes"])
            args = (etaminus, etaplus, smin, smax, bool(group["maximize"]))
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = new_step()
                    state["prev"] = zeros_state(p)
                    state["step_size"] = zeros_state(p, fill=float(group["lr"]))
                bump_step(state)
                update(p, grad, (state["prev"], state["step_size"]), args)
        return loss
