"""AdaptiveLogSoftmaxWithLoss, as torch.nn.AdaptiveLogSoftmaxWithLoss (Grave et al.,
"Efficient softmax approximation for GPUs"): a head over the most frequent classes plus
one entry per cluster, and a low-rank tail per cluster, with PyTorch's layout, names
(`head`, `tail.<i>.0`, `tail.<i>.1`), outputs and errors."""
from collections import namedtuple

import numpy as np

import autograd_lite as ag

from . import functional as F
from .container import ModuleList, Sequential
from .linear import Linear
from .module import Module

__all__ = ["AdaptiveLogSoftmaxWithLoss"]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


class AdaptiveLogSoftmaxWithLoss(Module):
    """Adaptive softmax: classes [0, cutoffs[0]) are scored by the head, each further
    range [cutoffs[i], cutoffs[i+1]) (the last ending at n_classes) by a cluster whose
    probability the head gives and whose tail projects to in_features // div_value ** (i
    + 1) features first. `forward(input, target)` returns (output, loss): each sample's
    target log-probability and the mean negative one; `log_prob` the full (N, n_classes)
    log-probabilities, `predict` the most likely class. Raises ValueError for cutoffs
    that aren't unique increasing integers in [1, n_classes - 1]."""

    def __init__(self, in_features, n_classes, cutoffs, div_value=4.0, head_bias=False,
                 device=None, dtype=None):
        super().__init__()
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (cutoffs != sorted(cutoffs) or min(cutoffs) <= 0 or max(cutoffs) > n_classes - 1
                or len(set(cutoffs)) != len(cutoffs) or any(int(c) != c for c in cutoffs)):
            raise ValueError("cutoffs should be a sequence of unique, positive integers sorted in "
                             "an increasing order, where each value is between 1 and "
                             f"n_classes-1, got {cutoffs} with n_classes={n_classes}")
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        kw = dict(device=device, dtype=dtype)
        self.head = Linear(in_features, self.head_size, bias=head_bias, **kw)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hsz = int(in_features // (div_value ** (i + 1)))
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(Sequential(Linear(in_features, hsz, bias=False, **kw),
                                        Linear(hsz, osz, bias=False, **kw)))

    def reset_parameters(self):
        """Re-initialise the head and the tails as Linear does."""
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def forward(self, input_, target_):
        targ_dim = target_.ndim
        if targ_dim == 1:
            if input_.shape[0] != target_.shape[0]:
                raise RuntimeError(f"Input and target should have the same size in the batch "
                                   f"dimension, got {input_.shape[0]} and {target_.shape[0]}")
            if input_.ndim != 2:
                raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs "
                                   f"with size {tuple(input_.shape)}")
        elif targ_dim == 0:
            if input_.ndim != 1:
                raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs "
                                   f"with size {tuple(input_.shape)}")
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        batched = targ_dim > 0
        input = input_ if batched else input_.unsqueeze(0)
        target = target_ if batched else target_.unsqueeze(0)
        t = target.numpy().astype(np.int64)
        batch = t.shape[0]
        bounds = [0] + self.cutoffs
        if batch and (t.min() < 0 or t.max() >= self.n_classes):
            raise RuntimeError(f"Target values should be in [0, {self.n_classes - 1}], but values "
                               f"in range [{t.min()}, {t.max()}] were found. ")
        head_index = np.where(t < self.shortlist_size, t, 0)
        rows_done, pieces = [], []
        for i in range(1, len(bounds) - 1):
            rows = np.nonzero((t >= bounds[i]) & (t < bounds[i + 1]))[0]
            if rows.size == 0:
                continue
            head_index[rows] = self.shortlist_size + i - 1
            cluster = F.log_softmax(self.tail[i - 1](input.index_select(0, ag.tensor(rows))), dim=1)
            rel = ag.tensor(t[rows] - bounds[i]).unsqueeze(1)
            rows_done.append(rows)
            pieces.append(cluster.gather(1, rel).squeeze(1))
        head_logprob = F.log_softmax(self.head(input), dim=1)
        output = head_logprob.gather(1, ag.tensor(head_index).unsqueeze(1)).squeeze(1)
        if pieces:
            cluster_part = ag.zeros(batch, dtype=output.dtype).index_add(
                0, ag.tensor(np.concatenate(rows_done)), ag.cat(pieces))
            output = output + cluster_part
        loss = (-output).mean()
        if not batched:
            output = output.squeeze(0)
        return _ASMoutput(output, loss)

    def _get_full_log_prob(self, input, head_output):
        head_logprob = F.log_softmax(head_output, dim=1)
        parts = [head_logprob[:, :self.shortlist_size]]
        for i in range(self.n_clusters):
            cluster = F.log_softmax(self.tail[i](input), dim=1)
            parts.append(cluster + head_logprob[:, self.shortlist_size + i].unsqueeze(1))
        return ag.cat(parts, 1)

    def log_prob(self, input):
        """The log-probabilities of every class, (N, n_classes) for (N, in_features)
        input, and (n_classes,) for (in_features,) (PyTorch's refuses 1-D input)."""
        batched = input.ndim > 1
        input = input if batched else input.unsqueeze(0)
        out = self._get_full_log_prob(input, self.head(input))
        return out if batched else out.squeeze(0)

    def predict(self, input):
        """The most likely class of each sample (int64): the head's argmax where it is
        in the shortlist, else the argmax over the full log-probabilities. 1-D input
        gives a 0-d result (PyTorch's refuses 1-D input)."""
        batched = input.ndim > 1
        input = input if batched else input.unsqueeze(0)
        head_output = self.head(input)
        output = ag.argmax(head_output, dim=1)
        outside = (output >= self.shortlist_size).numpy()
        if outside.any():
            rows = ag.tensor(np.nonzero(outside)[0])
            full = self._get_full_log_prob(input.index_select(0, rows),
                                           head_output.index_select(0, rows))
            picked = ag.argmax(full, dim=1).numpy()
            values = output.numpy().copy()
            values[outside] = picked
            output = ag.tensor(values)
        return output if batched else output.squeeze(0)
