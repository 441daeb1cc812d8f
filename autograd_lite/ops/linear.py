"""The linear and bilinear ops (PyTorch's shapes: weight (out, in)); nn.functional
checks the arguments."""
from ..autograd.destinations import destination_for
from ..autograd.node import Op
from ..kernels import lazy as kernels
from .linalg import Matmul, matmul
from ._summation import accurate_sum
from ._util import wide
from .reduce import Sum, sum
from .shape import Permute, reshape


class Linear(Op):
    """x @ W.T + b in one node. Leading dims of x are folded into one batch dim, so
    the weight's gradient is one GEMM (a broadcast matmul would build one per batch
    element and sum them); a large GEMM is split over the threads `set_num_threads`
    allows (kernels/workers.matmul). The backward is written in autograd_lite ops, so
    it is itself differentiable."""

    save_inputs = (0, 1)

    @wide
    def forward(ctx, x, w, b):
        ctx.has_bias = b is not None
        if x.ndim == 2:
            out = kernels.workers.matmul(x, w.T)
        else:  # one GEMM over all leading dims (NumPy would loop over them)
            out = kernels.workers.matmul(x.reshape(-1, x.shape[-1]), w.T).reshape(x.shape[:-1] + (w.shape[0],))
        if b is not None:
            out += b
        return out

    def backward(ctx, g):
        x, w = ctx.saved_tensors
        ex, ew = ctx.next_functions[:2]
        eb = ctx.next_functions[2] if ctx.has_bias else None
        gx = gw = gb = None
        # node classes directly: shapes and dtypes are known to fit (no checks needed)
        g2 = reshape(g, (-1, g.shape[-1])) if g.ndim != 2 else g
        if ex is not None:
            gx = Matmul.apply2(g2, w)
            if g.ndim != 2:
                gx = reshape(gx, x.shape)
        if ew is not None:
            x2 = reshape(x, (-1, x.shape[-1])) if x.ndim != 2 else x
            gw = Matmul.apply2(Permute.apply(g2, (1, 0)), x2)
        if eb is not None:
            gb = Sum.apply(g2, (0,), False, g2._data.dtype)  # a dtype: summed accurately
        return gx, gw, gb

    @wide
    def fast_backward(ctx, g):
        """`backward` on arrays (the same GEMMs on the same layouts)."""
        x, w = ctx.saved_arrays
        ex, ew = ctx.next_functions[:2]
        eb = ctx.next_functions[2] if ctx.has_bias else None
        gx = gw = gb = None
        g2 = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g
        if ex is not None:
            gx = kernels.workers.matmul(g2, w)
            if g.ndim != 2:
                gx = gx.reshape(x.shape)
        if ew is not None:
            x2 = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x
            # e.g. DDP's bucket; mixed dtypes (rare) make their own array
            out = destination_for(ctx, 1, w.shape, x2.dtype) if g2.dtype is x2.dtype else None
            gw = kernels.workers.matmul(g2.transpose(1, 0), x2, out=out)
        if eb is not None:
            gb = accurate_sum(g2, (0,))
        return gx, gw, gb


def linear(input, weight, bias=None):
    """y = x W^T + b for x (*, in), W (out, in), b (out,)."""
    if input.ndim == 1:
        return reshape(Linear.apply(reshape(input, (1, -1)), weight, bias), (-1,))
    return Linear.apply(input, weight, bias)


def bilinear(input1, input2, weight, bias=None):
    """y_o = x1^T A_o x2 + b_o for x1 (*, in1), x2 (*, in2), A (out, in1, in2)."""
    out_f, in1, in2 = weight.shape
    lead = input1.shape[:-1]
    x1 = reshape(input1, (-1, in1))  # (N, in1)
    x2 = reshape(input2, (-1, in2))  # (N, in2)
    # (N, in1) @ (in1, out*in2) -> (N, out, in2), then contract in2 with x2
    w = reshape(weight.permute(1, 0, 2), (in1, out_f * in2))
    t = reshape(matmul(x1, w), (-1, out_f, in2))
    y = sum(t * reshape(x2, (-1, 1, in2)), -1)
    if bias is not None:
        y = y + bias
    return reshape(y, tuple(lead) + (out_f,))
