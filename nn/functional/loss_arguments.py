"""Argument handling shared by the loss functions: reductions (and PyTorch's
deprecated size_average/reduce), tensor and dtype checks, weights, class targets."""
import warnings

import numpy as np

import autograd_lite as ag
from autograd_lite.extend import ShapeError

REDUCTIONS = ("none", "mean", "sum")


def legacy_reduction(size_average, reduce, reduction, op):
    """PyTorch's deprecated `size_average`/`reduce` pair, mapped to a reduction string."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    new = "none" if not reduce else ("mean" if size_average else "sum")
    warnings.warn(f"{op}: the size_average and reduce arguments are deprecated; "
                  f"use reduction='{new}' instead.", UserWarning, stacklevel=3)
    return new


def check_reduction(reduction, op, allowed=REDUCTIONS):
    if reduction not in allowed:
        names = ", ".join(repr(r) for r in allowed)
        raise ValueError(f"{op}: {reduction!r} is not a valid value for reduction (use {names})")


def apply_reduction(loss, reduction):
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def describe(t):
    return f"{tuple(t.shape)} ({t.dtype})"


def tensor_argument(x, op, name):
    if isinstance(x, ag.Tensor):
        return x
    try:
        return ag.as_tensor(x)
    except TypeError:
        raise TypeError(f"{op}: {name} must be a Tensor, got {type(x).__name__}") from None


def float_input(x, op, name="input"):
    x = tensor_argument(x, op, name)
    if not x.is_floating_point():
        raise TypeError(f"{op}: {name} must be a floating tensor, got {describe(x)}")
    return x


def float_target(target, input, op):
    """A float target of the input's dtype family (integer targets are refused, as PyTorch)."""
    target = tensor_argument(target, op, "target")
    if not target.is_floating_point():
        raise TypeError(f"{op}: target must be a floating tensor, got {describe(target)} "
                        f"(input {describe(input)})")
    return target


def warn_size(input, target, op):
    """Regression losses broadcast input and target, warning when their shapes differ."""
    if input.shape == target.shape:
        return
    try:
        np.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise ShapeError(f"{op}: input {describe(input)} and target {describe(target)} cannot be "
                         f"broadcast together; give them the same shape") from None
    warnings.warn(f"{op}: target shape {tuple(target.shape)} differs from input shape "
                  f"{tuple(input.shape)}; they are broadcast, which is likely to give wrong "
                  f"results. Give them the same shape.", UserWarning, stacklevel=3)


def same_shape_weight(weight, input, op):
    weight = tensor_argument(weight, op, "weight")
    if weight.shape != input.shape:
        raise ValueError(f"{op}: weight {describe(weight)} must have the input's shape "
                         f"{tuple(input.shape)}")
    return weight


def broadcast_weight(weight, input, op, name="weight"):
    """A weight that broadcasts to the input's shape (not the other way round)."""
    weight = tensor_argument(weight, op, name)
    try:
        shape = np.broadcast_shapes(weight.shape, input.shape)
    except ValueError:
        shape = None
    if shape != tuple(input.shape):
        raise ShapeError(f"{op}: {name} {describe(weight)} does not broadcast to the input's "
                         f"shape {tuple(input.shape)}")
    return weight


def class_target(input, target, ignore_index, op):
    """Check (input, class-index target); return the target as an int64 tensor (itself
    when it is one: the loss op saves it, so an in-place change before backward is
    caught) shaped as the input without its class dim, and the class count."""
    if input.ndim == 0:
        raise ValueError(f"{op}: input must have a class dim: (C,), (N, C) or (N, C, d1, ...); "
                         f"got {describe(input)}")
    t = target.numpy()
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: a class-index target must be an integer tensor, got "
                        f"{describe(target)} (input {describe(input)}); class probabilities must "
                        f"have the input's shape")
    if input.ndim == 1:
        expected = ()
    else:
        expected = (input.shape[0],) + tuple(input.shape[2:])
    if tuple(t.shape) != expected:
        raise ValueError(f"{op}: target shape {tuple(t.shape)} does not fit input shape "
                         f"{tuple(input.shape)}: expected a target of shape {expected} "
                         f"(input (N, C, d1, ...) takes target (N, d1, ...))")
    n_classes = input.shape[0 if input.ndim == 1 else 1]
    if t.dtype != np.int64:
        target = target.to(ag.int64)
        t = target.numpy()
    if t.size:
        # one reduction for both bounds: a negative index is huge as uint64
        if np.maximum.reduce(t.view(np.uint64), None) >= n_classes:
            bad = t[((t < 0) | (t >= n_classes)) & (t != ignore_index)]
            if bad.size:
                raise IndexError(f"{op}: target class index {bad.flat[0]} is out of range for "
                                 f"{n_classes} classes (input {describe(input)}); valid are "
                                 f"0..{n_classes - 1} and ignore_index={ignore_index}")
    return target, n_classes


def class_weight(weight, input, n_classes, op):
    if weight is None:
        return None
    if isinstance(weight, ag.Tensor) and weight.requires_grad:  # as PyTorch: no gradient for it
        raise RuntimeError(f"{op}: the function is not differentiable with respect to argument "
                           f"'weight'. This input cannot have requires_grad True.")
    w = weight.numpy() if isinstance(weight, ag.Tensor) else np.asarray(weight)
    if w.shape != (n_classes,):
        raise ValueError(f"{op}: weight must have one entry per class, shape ({n_classes},); "
                         f"got {tuple(w.shape)} ({w.dtype}) for input {describe(input)}")
    if w.dtype != input.dtype:
        w = w.astype(input.dtype)
    return w


def batched(input, t):
    """(C,) input and () target as a batch of one."""
    if input.ndim == 1:
        return input.unsqueeze(0), t[None], True
    return input, t, False


