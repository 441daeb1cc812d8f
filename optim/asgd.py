"""ASGD (averaged SGD, Polyak & Juditsky) with PyTorch's update:

    step += 1;  g = -grad if maximize else grad;  g = g + weight_decay * p
    p = p * (1 - lambd * eta) - eta * g
    ax = ax + (p - ax) * mu   (or ax = p while mu == 1)
    eta = lr / (1 + lambd * lr * step)**alpha;  mu = 1 / max(1, step - t0)

`eta` and `mu` are 0-d tensors of the scalar dtype (float32 unless the default dtype
is float64), computed in double and rounded to the default dtype: the next step reads
the rounded values, as PyTorch's does (also after a load made them float64).
"""
import numpy as np

from autograd_lite.extend import mark_dirty

from .fused_update import FusedUpdate
from .numpy_ops import l2_gradient
from .optimizer import Optimizer, bump_step, check_unsupported, new_step, scalar_dtype, scalar_state, zeros_state


def asgd_numpy(p, g, ax, lambd, eta, mu, weight_decay, maximize):
    """The reference update on ndarrays (in place on p and ax), in PyTorch's order of
    operations; the Numba kernel must match it."""
    dt = p.dtype.type
    gw = l2_gradient(p, g, weight_decay, maximize)
    np.multiply(p, dt(1 - lambd * eta), out=p)
    t = np.multiply(gw, dt(-eta))
    np.add(p, t, out=p)
    if mu != 1:
        np.subtract(p, ax, out=t)
        np.multiply(t, dt(mu), out=t)
        np.add(ax, t, out=ax)
    else:
        np.copyto(ax, p)


def asgd_kernel_args(dt, lambd, eta, mu, weight_decay, maximize):
    """The scalars and flags of kernels.optim_variants.asgd_* in dtype `dt`."""
    return dt(1 - lambd * eta), dt(-eta), dt(weight_decay), dt(mu), maximize, weight_decay != 0, mu != 1


class ASGD(Optimizer):
    """Averaged SGD: SGD with a decaying step `eta`, keeping in `ax` the running
    average of the iterates from step `t0` on."""

    _param_state_keys = ("ax",)
    _scalar_state_keys = ("step", "eta", "mu")
    _update = FusedUpdate("ASGD", "optim_variants", "asgd", asgd_kernel_args, asgd_numpy)

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        check_unsupported("ASGD", foreach=foreach, differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One ASGD step over every parameter that has a gradient; returns the
        closure's loss (or None)."""
        loss = self._eval_closure(closure)
        update = self._update
        for group in self.param_groups:
            lr, lambd, alpha, t0 = (float(group[k]) for k in ("lr", "lambd", "alpha", "t0"))
            options = (float(group["weight_decay"]), bool(group["maximize"]))
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = new_step()
                    state["eta"] = scalar_state(lr)
                    state["mu"] = scalar_state(1.0)
                    state["ax"] = zeros_state(p)
                step = bump_step(state)
                eta, mu = state["eta"], state["mu"]
                update(p, grad, (state["ax"],), (lambd, float(eta._data), float(mu._data)) + options)
                # the next step's rates, rounded to the default dtype (PyTorch makes them with
                # torch.as_tensor) and stored in the state tensors' own dtype
                rounded = scalar_dtype()
                eta._data[()] = rounded(lr / ((1 + lambd * lr * step) ** alpha))
                mu._data[()] = rounded(1 / max(1, step - t0))
                mark_dirty(eta, mu)
        return loss
