"""SyncBatchNorm, as torch.nn.SyncBatchNorm: batch normalisation whose batch statistics
cover the whole batch, spread over the ranks of autograd_lite.distributed. Alone (no
process group, one rank, or eval mode) it is BatchNorm.

In training on several ranks each rank gathers every rank's (per-channel mean, sum of
squared deviations, count), as PyTorch's all_gather of (mean, invstd, count), and
combines them (Chan's parallel variance: no E[x^2] - E[x]^2 cancellation). The
gather is differentiable: its backward sums the gathered gradients over the ranks, which
is PyTorch's all-reduce of sum(dy) and sum(dy * (x - mean)), so each rank's input
gradient is that of the loss summed over ranks; weight and bias get the local
gradients (DDP averages them)."""
import autograd_lite as ag
import autograd_lite.distributed as dist
from autograd_lite.autograd import Function
from autograd_lite.extend import mark_dirty, no_grad

from .normalization import _BatchNorm

__all__ = ["SyncBatchNorm"]


class AllGatherStats(Function):
    """Every rank's vector, stacked (world, k); backward: the gradients summed over
    ranks, this rank's row."""

    @staticmethod
    def forward(ctx, stats, group):
        ctx.group = group
        parts = [ag.empty_like(stats) for _ in range(dist.get_world_size(group))]
        dist.all_gather(parts, stats.detach().contiguous(), group=group)
        return ag.stack(parts)

    @staticmethod
    def backward(ctx, g):
        total = g.detach().clone().contiguous()
        dist.all_reduce(total, group=ctx.group)
        return total[dist.get_rank(ctx.group)], None


class SyncBatchNorm(_BatchNorm):
    """Batch normalisation of (N, C, *) input with statistics over the batches of all
    ranks while training under autograd_lite.distributed (see the module docstring);
    otherwise BatchNorm's. Parameters, buffers and arguments are BatchNorm's, plus
    `process_group` (None: the world, the only group autograd_lite.distributed has)."""

    def __init__(self, num_features, eps=1e-05, momentum=0.1, affine=True,
                 track_running_stats=True, process_group=None, device=None, dtype=None):
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        self.process_group = process_group

    def _check_input_dim(self, input):
        if input.ndim < 2:
            raise ValueError(f"expected at least 2D input (got {input.ndim}D input)")

    def _world_size(self):
        if not (dist.is_available() and dist.is_initialized()):
            return 1
        return dist.get_world_size(self.process_group)

    def forward(self, input):
        self._check_input_dim(input)
        if input.shape[1] == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")
        bn_training = self.training or (self.running_mean is None and self.running_var is None)
        if not (bn_training and self.training) or self._world_size() == 1:
            return super().forward(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked._data += 1
            mark_dirty(self.num_batches_tracked)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked._data)
        return self._synced(input, factor)

    def _synced(self, x, factor):
        C = x.shape[1]
        dims = [0] + list(range(2, x.ndim))
        count = x.numel() // C
        if count:
            mean_l = x.mean(dims)
            m2_l = ((x - mean_l.reshape([1, C] + [1] * (x.ndim - 2))) ** 2).sum(dims)
        else:  # an empty local batch takes part with count 0
            mean_l = m2_l = x.sum(dims)
        stats = ag.cat([mean_l, m2_l, ag.full((1,), float(count), dtype=x.dtype)])
        gathered = AllGatherStats.apply(stats, self.process_group)  # (world, 2C + 1)
        counts = gathered[:, 2 * C:]
        total = float(counts.detach().sum())
        if total <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {tuple(x.shape)} on this rank and {int(total)} values per "
                             f"channel over all ranks")
        means = gathered[:, :C]
        mean = (means * counts).sum(0) / total
        m2 = (gathered[:, C:2 * C] + counts * (means - mean) ** 2).sum(0)
        var = m2 / total
        if self.track_running_stats and self.running_mean is not None:
            with no_grad():
                rm, rv = self.running_mean, self.running_var
                rm._data[...] = ((1 - factor) * rm + factor * mean.detach().to(rm.dtype))._data
                rv._data[...] = ((1 - factor) * rv + factor * (var.detach() * total / (total - 1))
                                 .to(rv.dtype))._data
            mark_dirty(rm)
            mark_dirty(rv)
        shape = [1, C] + [1] * (x.ndim - 2)
        y = (x - mean.reshape(shape)) * ag.rsqrt(var + self.eps).reshape(shape)
        if self.weight is not None:
            y = y * self.weight.reshape(shape)
        if self.bias is not None:
            y = y + self.bias.reshape(shape)
        return y

    @classmethod
    def convert_sync_batchnorm(cls, module, process_group=None):
        """`module` with every BatchNorm*d (any _BatchNorm) in it replaced by a
        SyncBatchNorm sharing its parameters and buffers and training flag; returns the
        new module (`module` itself when it is not a batch norm)."""
        output = module
        if isinstance(module, _BatchNorm):
            output = cls(module.num_features, module.eps, module.momentum, module.affine,
                         module.track_running_stats, process_group)
            if module.affine:
                with no_grad():
                    output.weight = module.weight
                    output.bias = module.bias
            output.running_mean = module.running_mean
            output.running_var = module.running_var
            output.num_batches_tracked = module.num_batches_tracked
            output.training = module.training
            if hasattr(module, "qconfig"):
                output.qconfig = module.qconfig
        for name, child in module.named_children():
            output.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return output

