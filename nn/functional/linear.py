"""linear and bilinear with PyTorch's signatures and shape checks."""
import numpy as np

from autograd_lite.extend import ShapeError
from autograd_lite.ops import linear as linear_ops
from autograd_lite.ops.shape import reshape

__all__ = ["linear", "bilinear"]


def linear(input, weight, bias=None):
    """y = x W^T + b for x (*, in), W (out, in), and b broadcasting to the output
    (out,) as a rule; x (in,) with W (in,) gives a 0-d y, as PyTorch."""
    if _plain_case(input, weight, bias):
        return linear_ops.linear(input, weight, bias)
    if weight.ndim != 2 or input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        if weight.ndim == 1 and input.ndim == 1 and input.shape == weight.shape:
            return _vector_linear(input, weight, bias)
        raise ShapeError(
            f"linear: input of shape {tuple(input.shape)} ({input.dtype}) and weight of shape "
            f"{tuple(weight.shape)} ({weight.dtype}) don't fit (expected weight (out, "
            f"{input.shape[-1] if input.ndim else '?'}))")
    if input.dtype != weight.dtype or (bias is not None and bias.dtype != weight.dtype):
        raise RuntimeError(
            f"linear: mat1 and mat2 must have the same dtype, but got {input.dtype} and {weight.dtype}"
            + (f" (bias {bias.dtype})" if bias is not None else ""))
    if bias is not None and tuple(bias.shape) != (weight.shape[0],):
        return _broadcast_bias(linear_ops.linear(input, weight, None), bias, weight)
    return linear_ops.linear(input, weight, bias)


def _plain_case(input, weight, bias):
    """Tensors that fit: x (*, in), W (out, in), b (out,) or None, one dtype. Told on
    the arrays (a Tensor's shape and dtype properties cost ~2 us a call here, on a
    15 us layer); anything else goes through the checks below, which name the problem."""
    x, w = getattr(input, "_data", None), getattr(weight, "_data", None)
    if x is None or w is None or w.ndim != 2 or x.ndim == 0 or x.shape[-1] != w.shape[1] or x.dtype != w.dtype:
        return False
    if bias is None:
        return True
    b = getattr(bias, "_data", None)
    return b is not None and b.dtype == w.dtype and b.shape == (w.shape[0],)


def _vector_linear(input, weight, bias):
    """x (in,) . w (in,) (+ b): a 0-d result."""
    if bias is not None and bias.ndim:
        raise ShapeError(f"linear: a 1-D weight of shape {tuple(weight.shape)} takes a 0-d bias, "
                         f"got shape {tuple(bias.shape)}")
    out = reshape(linear_ops.linear(input, reshape(weight, (1, -1)), None), ())
    return out if bias is None else out + bias


def _broadcast_bias(out, bias, weight):
    """out + bias for a bias other than (out,): it must broadcast to out's shape."""
    try:
        fits = np.broadcast_shapes(tuple(bias.shape), tuple(out.shape)) == tuple(out.shape)
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(f"linear: bias of shape {tuple(bias.shape)} doesn't broadcast to the output "
                         f"shape {tuple(out.shape)} (weight {tuple(weight.shape)})")
    return out + bias


def bilinear(input1, input2, weight, bias=None):
    """y_o = x1^T A_o x2 + b_o for x1 (*, in1), x2 (*, in2), A (out, in1, in2)."""
    if weight.ndim != 3 or input1.ndim == 0 or input1.shape[-1] != weight.shape[1] \
            or input2.shape[-1] != weight.shape[2] or input1.shape[:-1] != input2.shape[:-1]:
        raise ShapeError(
            f"bilinear: inputs of shapes {tuple(input1.shape)} and {tuple(input2.shape)} don't fit a "
            f"weight of shape {tuple(weight.shape)} (expected (*, in1), (*, in2), (out, in1, in2))")
    return linear_ops.bilinear(input1, input2, weight, bias)
