"""Adafactor (Shazeer & Stern) with PyTorch's update (its `lr` caps the relative step
and scales the decoupled weight decay; `eps1` defaults to the dtype's machine epsilon):

    step += 1;  g = -grad if maximize else grad;  beta2_hat = 1 - step**beta2_decay
    rho = min(lr, 1 / sqrt(step));  alpha = max(eps2, RMS(p)) * rho
    p = p * (1 - lr * weight_decay)
    >= 2-d:  R = lerp(R, mean(g*g, last dim), 1 - beta2_hat)         (..., rows, 1)
             C = lerp(C, mean(g*g, second-to-last dim), 1 - beta2_hat) (..., 1, cols)
             V = R C / max(mean(R), eps1)
    else:    V = lerp(V, g*g, 1 - beta2_hat)
    U = g / sqrt(max(V, eps1**2));  p = p - alpha / max(1, RMS(U) / d) * U

For matrices (and stacks of them, factored over the last two dims) the state is a
row and a column vector instead of a full second moment. The update needs reductions
over the whole parameter, so it runs in NumPy.
"""
import numpy as np

from autograd_lite.extend import constant, mark_dirty

from .fused_update import gradient_in_parameter_dtype
from .numpy_ops import lerp_numpy
from .optimizer import Optimizer, bump_step, check_unsupported, new_step, zeros_state


def _rms(a):
    """‖a‖₂ / sqrt(numel), as a Python float."""
    return float(np.sqrt(np.sum(np.square(a)))) / (a.size ** 0.5)


def _mean_square(g, axis):
    """mean(g * g) over `axis` (kept), as PyTorch's norm(g, dim).square() / size."""
    n = np.sqrt(np.sum(np.square(g), axis=axis, keepdims=True))
    np.square(n, out=n)
    np.divide(n, g.dtype.type(g.shape[axis]), out=n)
    return n


def adafactor_numpy(p, g, moments, step, lr, beta2_decay, eps1, eps2, d, weight_decay, maximize):
    """The update on ndarrays, in place on p and the second-moment arrays `moments`
    ((row_var, col_var) of a >= 2-d parameter, else (variance,)), in PyTorch's order of
    operations."""
    dt = p.dtype.type
    gw = np.negative(g) if maximize else g
    beta_weight = dt(step**beta2_decay)
    rho = min(lr, 1 / (step**0.5))
    alpha = max(eps2, _rms(p)) * rho
    if weight_decay != 0:
        np.multiply(p, dt(1 - lr * weight_decay), out=p)
    if gw.ndim > 1:
        row_var, col_var = moments
        lerp_numpy(row_var, _mean_square(gw, -1), beta_weight)
        lerp_numpy(col_var, _mean_square(gw, -2), beta_weight)
        estimate = np.matmul(row_var, col_var)
        row_mean = np.mean(row_var, axis=-2, keepdims=True)
        np.maximum(row_mean, dt(eps1), out=row_mean)
        np.divide(estimate, row_mean, out=estimate)
    else:
        variance, = moments
        lerp_numpy(variance, np.multiply(gw, gw), beta_weight)
        estimate = np.array(variance, copy=True)
    np.maximum(estimate, dt(eps1 * eps1), out=estimate)
    np.sqrt(estimate, out=estimate)
    update = np.reciprocal(estimate, out=estimate)
    np.multiply(update, gw, out=update)
    denom = max(1.0, float(np.sqrt(np.sum(np.square(update)))) / ((update.size ** 0.5) * d))
    np.multiply(update, dt(-alpha / denom), out=update)
    np.add(p, update, out=p)


def _factored_shapes(shape):
    """The shapes of row_var and col_var of a parameter of `shape` (>= 2-d)."""
    return shape[:-1] + (1,), shape[:-2] + (1,) + shape[-1:]


def _state_buffers(state, p):
    """(row_var, col_var) of a >= 2-d parameter array `p`, or (variance,), checked
    against its shape."""
    if p.ndim > 1:
        keys, shapes = ("row_var", "col_var"), _factored_shapes(p.shape)
    else:
        keys, shapes = ("variance",), (p.shape,)
    buffers = []
    for key, shape in zip(keys, shapes):
        b = state.get(key)
        if b is None or b._data.shape != shape:
            raise RuntimeError(
                f"Adafactor.step: a parameter of shape {p.shape} needs state '{key}' of shape {shape}, "
                f"got {None if b is None else b._data.shape}"
            )
        buffers.append(b)
    if not p.flags.writeable:
        raise RuntimeError(f"Adafactor.step: a parameter's data (shape {p.shape}) is read-only")
    return buffers


class Adafactor(Optimizer):
    """Adafactor: Adam-like steps relative to the parameter's scale, with a factored
    (row x column) second moment for matrices, clipped by `d`."""

    _param_state_keys = ("variance",)

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        check_unsupported("Adafactor", foreach=foreach)
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize)
        super().__init__(params, defaults)

    def _state_shape(self, p, key):
        if key in ("row_var", "col_var") and len(p.shape) > 1:
            return _factored_shapes(tuple(p.shape))[key == "col_var"]
        return super()._state_shape(p, key)

    def step(self, closure=None):
        """One Adafactor step over every parameter that has a gradient; returns the
        closure's loss (or None)."""
        loss = self._eval_closure(closure)
        for group in self.param_groups:
            eps1, eps2 = group["eps"]
            lr, d, wd = float(group["lr"]), float(group["d"]), float(group["weight_decay"])
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                pd, g = p._data, grad._data
                if g.shape != pd.shape:
                    raise RuntimeError(
                        f"Adafactor.step: the gradient of a parameter of shape {pd.shape} has shape {g.shape}"
                    )
                g = gradient_in_parameter_dtype("Adafactor", pd, g)
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = new_step()
                    if g.ndim > 1:
                        rows, cols = _factored_shapes(g.shape)
                        state["row_var"] = constant(np.zeros(rows, pd.dtype))
                        state["col_var"] = constant(np.zeros(cols, pd.dtype))
                    else:
                        state["variance"] = zeros_state(p)
                if eps1 is None:  # PyTorch sets it from the first parameter and keeps it for the group
                    eps1 = float(np.finfo(pd.dtype).eps)
                buffers = _state_buffers(state, pd)
                adafactor_numpy(pd, g, [b._data for b in buffers], bump_step(state), lr, float(group["beta2_decay"]),
                                eps1, float(eps2), d, wd, bool(group["maximize"]))
                mark_dirty(p, *buffers)
        return loss
