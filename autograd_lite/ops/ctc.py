"""The ctc_loss op: the CTC negative log likelihood of each target sequence, by the
alpha/beta recursions of kernels/ctc.py, reduced as PyTorch reduces it.

Its gradient is PyTorch's: exp(log_probs) minus the posterior occupancy of each
class, which is the derivative through a log_softmax that produced log_probs (the
exp term lies in log_softmax's null space) rather than the partial derivative for
arbitrary log_probs. As in PyTorch, that gradient is not differentiable again: its
own backward raises."""
import numpy as np

from ..autograd.node import Op
from ..kernels import lazy as kernels
from ._util import KERNEL_DTYPES


def _row_scale(target_lengths, reduction):
    """d(reduced loss) / d(loss of sample n), before the incoming gradient."""
    n = target_lengths.shape[0]
    if reduction == "mean":
        return 1.0 / (np.maximum(target_lengths, 1) * max(n, 1))
    return np.ones(n)


def _grad(f, g, log_probs):
    scale = f.row_scale * (g if f.reduction == "none" else np.asarray(g, np.float64).reshape(()))
    lp = log_probs if log_probs.dtype in KERNEL_DTYPES else log_probs.astype(np.float32)
    grad = kernels.ctc.ctc_grad(lp, f.targets, f.input_lengths, f.target_lengths, f.blank, f.alpha, f.beta,
                                f.nll, scale, f.zero_infinity)
    return grad.astype(log_probs.dtype, copy=False)


class CtcLoss(Op):
    """The reduced CTC loss of log_probs (T, N, C) against padded int64 targets (N, S)."""

    save_inputs = (0,)

    def forward(ctx, log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity):
        lp = log_probs if log_probs.dtype in KERNEL_DTYPES else log_probs.astype(np.float32)
        nll, ctx.alpha, ctx.beta = kernels.ctc.ctc_forward(lp, targets, input_lengths, target_lengths, blank)
        ctx.nll, ctx.targets, ctx.blank = nll, targets, blank
        ctx.input_lengths, ctx.target_lengths = input_lengths, target_lengths
        ctx.reduction, ctx.zero_infinity = reduction, zero_infinity
        ctx.row_scale = _row_scale(target_lengths, reduction)
        losses = np.where(np.isinf(nll), 0.0, nll) if zero_infinity else nll
        dtype = log_probs.dtype
        if reduction == "none":
            return losses.astype(dtype)
        if reduction == "sum":
            return np.asarray(losses.sum(), dtype)
        return np.asarray((losses * ctx.row_scale).sum(), dtype)

    def backward(ctx, g):
        return CtcLossGrad.apply(g, ctx.saved_tensors[0], ctx)

    def fast_backward(ctx, g):
        return _grad(ctx, g, ctx.saved_arrays[0])

    def _release(ctx):
        Op._release(ctx)
        ctx.alpha = ctx.beta = None


class CtcLossGrad(Op):
    """ctc_loss's gradient for log_probs (first order only, as PyTorch's)."""

    def forward(ctx, g, log_probs, f):
        return _grad(f, g, log_probs)

    def backward(ctx, gg):
        raise RuntimeError("ctc_loss: the derivative of ctc_loss's gradient is not implemented (as in "
                           "PyTorch: derivative for _ctc_loss_backward is not implemented)")


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity):
    """CTC loss of log_probs (T, N, C) (a Tensor) against checked int64 arrays: targets
    (N, S) padded, input_lengths and target_lengths (N,)."""
    return CtcLoss.apply(log_probs, targets, input_lengths, target_lengths, blank, reduction, zero_infinity)
