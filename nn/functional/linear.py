"""linear and bilinear with PyTorch's signatures and shape checks."""
from autograd_lite.extend import ShapeError
from autograd_lite.ops import linear as linear_ops

__all__ = ["linear", "bilinear"]


def linear(input, weight, bias=None):
    """y = x W^T + b for x (*, in), W (out, in), b (out,)."""
    if weight.ndim != 2 or input.ndim == 0 or input.shape[-1] != weight.shape[1]:
        raise ShapeError(
            f"linear: input of shape {tuple(input.shape)} ({input.dtype}) and weight of shape "
            f"{tuple(weight.shape)} ({weight.dtype}) don't fit (expected weight (out, "
            f"{input.shape[-1] if input.ndim else '?'}))")
    if bias is not None and tuple(bias.shape) not in ((weight.shape[0],), ()):
        raise ShapeError(f"linear: bias of shape {tuple(bias.shape)} for a weight of shape "
                         f"{tuple(weight.shape)}")
    if input.dtype != weight.dtype or (bias is not None and bias.dtype != weight.dtype):
        raise RuntimeError(
            f"linear: mat1 and mat2 must have the same dtype, but got {input.dtype} and {weight.dtype}"
            + (f" (bias {bias.dtype})" if bias is not None else ""))
    return linear_ops.linear(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """y_o = x1^T A_o x2 + b_o for x1 (*, in1), x2 (*, in2), A (out, in1, in2)."""
    if weight.ndim != 3 or input1.ndim == 0 or input1.shape[-1] != weight.shape[1] \
            or input2.shape[-1] != weight.shape[2] or input1.shape[:-1] != input2.shape[:-1]:
        raise ShapeError(
            f"bilinear: inputs of shapes {tuple(input1.shape)} and {tuple(input2.shape)} don't fit a "
            f"weight of shape {tuple(weight.shape)} (expected (*, in1), (*, in2), (out, in1, in2))")
    return linear_ops.bilinear(input1, input2, weight, bias)
