"""SGD with momentum, dampening, Nesterov momentum, weight decay and maximize, with
PyTorch's update:

    g = -grad if maximize else grad;  g = g + weight_decay * p
    b = g (first step) or momentum * b + (1 - dampening) * g
    g = g + momentum * b (nesterov) or b;  p = p - lr * g
"""
import numpy as np

from autograd_lite import bfloat16
from autograd_lite.extend import constant

from .bfloat16_steps import sgd_bfloat16
from .fused_update import FusedUpdate
from .numpy_ops import l2_gradient
from .optimizer import Optimizer, check_unsupported


def sgd_numpy(p, g, buf, init_buf, lr, weight_decay, momentum, dampening, nesterov, maximize):
    """The reference update on ndarrays (in place on `p` and `buf`), in PyTorch's
    order of operations; the Numba kernel must match it."""
    if p.dtype == bfloat16:
        return sgd_bfloat16(p, g, buf, init_buf, lr, weight_decay, momentum, dampening, nesterov, maximize)
    dt = p.dtype.type
    gw = l2_gradient(p, g, weight_decay, maximize)
    if momentum != 0:
        if init_buf:
            np.copyto(buf, gw)
        else:
            np.multiply(buf, dt(momentum), out=buf)
            t = np.multiply(gw, dt(1 - dampening))
            np.add(buf, t, out=buf)
        if nesterov:
            gw = np.add(gw, np.multiply(buf, dt(momentum)))
        else:
            gw = buf
    t = np.multiply(gw, dt(-lr))
    np.add(p, t, out=p)


def sgd_kernel_args(dt, init_buf, lr, weight_decay, momentum, dampening, nesterov, maximize):
    """The scalars and flags of kernels.optim.sgd_* in dtype `dt`."""
    return (dt(-lr), dt(weight_decay), dt(momentum), dt(1 - dampening),
            maximize, weight_decay != 0, momentum != 0, init_buf, nesterov)


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (PyTorch's formulation:
    the learning rate multiplies the whole step, not the gradient in the buffer)."""

    _param_state_keys = ("momentum_buffer",)
    _update = FusedUpdate("SGD", "optim", "sgd", sgd_kernel_args, sgd_numpy, bfloat16_reference=True)

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        check_unsupported("SGD", foreach=foreach, differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One SGD step over every parameter that has a gradient; returns the
        closure's loss (or None)."""
        loss = self._eval_closure(closure)
        update = self._update
        for group in self.param_groups:
            lr = float(group["lr"])
            wd = float(group["weight_decay"])
            momentum = float(group["momentum"])
            dampening = float(group["dampening"])
            nesterov = bool(group["nesterov"])
            maximize = bool(group["maximize"])
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                buf, init_buf = None, False
                if momentum != 0:
                    state = self.state[p]
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        init_buf = True
                        buf = state["momentum_buffer"] = constant(np.empty_like(p._data))
                update(p, grad, (buf,), (init_buf, lr, wd, momentum, dampening, nesterov, maximize))
        return loss
