"""CrossMapLRN2d, as torch.nn.CrossMapLRN2d (Lua Torch's cross-channel local response
normalisation, kept by PyTorch as a legacy autograd Function). Its forward and backward
are PyTorch's, quirks included: the channel window of the forward's running sum never
drops channel 0 once it has entered (channel c sums the squares of channels
max(0, c - (size - 1) / 2 - 1) .. c + (size - 1) / 2 and channel 0), and the backward
is the legacy formula, which is not the exact derivative of that forward at the
channel edges. Both are reproduced so programs train as they do under PyTorch; for
standard LRN use nn.LocalResponseNorm."""
import numpy as np

import autograd_lite as ag
from autograd_lite.autograd import Function

from .module import Module

__all__ = ["CrossMapLRN2d"]


def _window(channels, size):
    """W (C, C): W[c, j] = how many times channel j's square is in channel c's sum, from
    PyTorch's running-sum recursion."""
    pre_pad = int((size - 1) / 2 + 1)
    W = np.zeros((channels, channels))
    W[0, :min(pre_pad, channels)] = 1
    for c in range(1, channels):
        W[c] = W[c - 1]
        if c < channels - pre_pad + 1:
            W[c, c + pre_pad - 1] += 1
        if c > pre_pad:
            W[c, c - pre_pad] -= 1
    return W


class CrossMapLRN2dFunction(Function):
    """y = x * (k + alpha / size * sum_window x^2) ** -beta, backward as PyTorch's."""

    @staticmethod
    def forward(ctx, x, size, alpha, beta, k):
        W = ag.tensor(_window(x.shape[1], size), dtype=x.dtype)
        scale = ag.einsum("cj,njhw->nchw", W, x * x) * (alpha / size) + k
        out = x * scale.pow(-beta)
        ctx.save_for_backward(x, out, scale)
        ctx.params = (size, alpha, beta)
        return out

    @staticmethod
    def backward(ctx, g):
        x, out, scale = ctx.saved_tensors
        size, alpha, beta = ctx.params
        C = x.shape[1]
        lead = int(size - (size - 1) / 2)
        if lead > size - 1:
            raise RuntimeError(f"CrossMapLRN2d: backward needs size > 1, got size={size} (PyTorch's "
                               f"legacy backward fails there too)")
        ratio = g * out / scale
        n, _, h, w = x.shape
        padded = ag.cat([ag.zeros(n, lead, h, w, dtype=x.dtype), ratio,
                         ag.zeros(n, size - 1 - lead, h, w, dtype=x.dtype)], 1)
        window = padded[:, 0:C]
        for t in range(1, size):
            window = window + padded[:, t:t + C]
        return (scale.pow(-beta) * g - x * window * (2 * alpha * beta / size),
                None, None, None, None)


class CrossMapLRN2d(Module):
    """Cross-channel LRN of 4-D (N, C, H, W) input: x * (k + alpha / size * sum of x^2
    over the channel window) ** -beta, with PyTorch's legacy window and gradient (see the
    module docstring). Raises ValueError for input that is not 4-D."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        if input.ndim != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.ndim}D instead.")
        return CrossMapLRN2dFunction.apply(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
