"""Adagrad with PyTorch's update:

    step += 1;  g = -grad if maximize else grad;  g = g + weight_decay * p
    clr = lr / (1 + (step - 1) * lr_decay)
    s = s + g * g;  p = p - clr * g / (sqrt(s) + eps)

As in PyTorch the state ('step' and the accumulator 'sum', filled with
`initial_accumulator_value`) is created for every parameter when it joins the
optimizer, not at its first step.
"""
import numpy as np

from .fused_update import FusedUpdate
from .numpy_ops import l2_gradient
from .optimizer import Optimizer, bump_step, check_unsupported, new_step, zeros_state


def adagrad_numpy(p, g, acc, clr, eps, weight_decay, maximize):
    """The reference update on ndarrays (in place on p and acc), in PyTorch's order
    of operations; the Numba kernel must match it."""
    dt = p.dtype.type
    gw = l2_gradient(p, g, weight_decay, maximize)
    t = np.multiply(gw, gw)
    np.add(acc, t, out=acc)
    np.sqrt(acc, out=t)
    np.add(t, dt(eps), out=t)
    u = np.multiply(gw, dt(-clr))  # addcdiv: p + (-clr * g) / std
    np.divide(u, t, out=t)
    np.add(p, t, out=p)


def adagrad_kernel_args(dt, clr, eps, weight_decay, maximize):
    """The scalars and flags of kernels.optim.adagrad_* in dtype `dt`."""
    return dt(-clr), dt(weight_decay), dt(eps), maximize, weight_decay != 0


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.): per-coordinate steps scaled by the root of the summed
    squared gradients, with optional learning-rate decay."""

    _param_state_keys = ("sum",)
    _update = FusedUpdate("Adagrad", "optim", "adagrad", adagrad_kernel_args, adagrad_numpy)

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_unsupported("Adagrad", foreach=foreach, differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def _init_group_state(self, group):
        for p in group["params"]:
            self._init_state(self.state[p], p, group["initial_accumulator_value"])

    @staticmethod
    def _init_state(state, p, initial):
        if "sum" not in state:
            state["step"] = new_step()
            state["sum"] = zeros_state(p, fill=initial)

    def share_memory(self):
        """Kept for PyTorch compatibility: the state lives in this process's memory."""

    def step(self, closure=None):
        """One Adagrad step over every parameter that has a gradient; returns the
        closure's loss (or None)."""
        loss = self._eval_closure(closure)
        update = self._update
        for group in self.param_groups:
            lr = float(group["lr"])
            lr_decay = float(group["lr_decay"])
            eps = float(group["eps"])
            wd = float(group["weight_decay"])
            maximize = bool(group["maximize"])
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                self._init_state(state, p, group["initial_accumulator_value"])
                step = bump_step(state)
                clr = lr / (1 + (step - 1) * lr_decay)
                update(p, grad, (state["sum"],), (clr, eps, wd, maximize))
        return loss
