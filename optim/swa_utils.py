"""Stochastic Weight Averaging and exponential moving averages, as PyTorch's
`torch.optim.swa_utils`: `AveragedModel`, `SWALR`, `update_bn` and the averaging
functions `get_swa_avg_fn`, `get_ema_avg_fn`, `get_swa_multi_avg_fn`,
`get_ema_multi_avg_fn`.

Differences from PyTorch: the multi-tensor functions update each tensor in turn (no
`_foreach` kernels), and their floating-point interpolation is autograd_lite's `lerp_`,
which rounds differently from PyTorch's fused `lerp` in the last bit. `AveragedModel`'s
default average (neither `avg_fn` nor `multi_avg_fn`) is PyTorch's CPU path,
`avg + (p - avg) / (n + 1)`, bit for bit. `update_bn` resets the layers that are
instances of `nn.BatchNorm1d/2d/3d` (PyTorch: of its private base `_BatchNorm`, which
also covers its SyncBatchNorm and lazy batch norms, which autograd_lite doesn't have).
"""
import copy
import itertools
import math
import warnings

import autograd_lite as ag
from autograd_lite.extend import no_grad
from autograd_lite.nn import BatchNorm1d, BatchNorm2d, BatchNorm3d, Module

from .lr_scheduler.base import LRScheduler, format_param

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn",
           "get_ema_avg_fn", "get_swa_avg_fn"]


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def get_ema_multi_avg_fn(decay=0.999):
    """A function `(ema_params, model_params, num_averaged)` that moves each EMA tensor in
    place towards its model tensor: `ema = decay * ema + (1 - decay) * model`.
    Raises ValueError for a decay outside [0, 1]."""
    _check_decay(decay)

    def ema_update(ema_param_list, current_param_list, _):
        with no_grad():
            if ag.is_floating_point(ema_param_list[0]):
                for p_ema, p_model in zip(ema_param_list, current_param_list):
                    p_ema.lerp_(p_model, 1 - decay)
            else:
                for p_ema, p_model in zip(ema_param_list, current_param_list):
                    p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn():
    """A function `(averaged_params, model_params, num_averaged)` that updates each
    averaged tensor in place to the running equal-weight mean, `avg += (p - avg) / (n + 1)`."""

    def swa_update(averaged_param_list, current_param_list, num_averaged):
        with no_grad():
            if ag.is_floating_point(averaged_param_list[0]):
                weight = 1 / (num_averaged + 1)
                for p_avg, p_model in zip(averaged_param_list, current_param_list):
                    p_avg.lerp_(p_model, weight)
            else:
                for p_avg, p_model in zip(averaged_param_list, current_param_list):
                    diff = p_model - p_avg
                    if isinstance(num_averaged, ag.Tensor):
                        p_avg.addcdiv_(diff, num_averaged + 1)
                    else:
                        p_avg.add_(diff, alpha=1.0 / (num_averaged + 1))

    return swa_update


def get_ema_avg_fn(decay=0.999):
    """A function `(ema_param, model_param, num_averaged)` returning
    `decay * ema_param + (1 - decay) * model_param`. Raises ValueError for a decay outside [0, 1]."""
    _check_decay(decay)

    def ema_update(ema_param, current_param, num_averaged):
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """A function `(averaged_param, model_param, num_averaged)` returning the running
    equal-weight mean `averaged + (model - averaged) / (num_averaged + 1)`."""

    def swa_update(averaged_param, current_param, num_averaged):
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    """A copy of `model` whose parameters (and, with `use_buffers=True`, buffers) are a
    running average of the model's, updated by `update_parameters(model)`: equal weights
    (SWA) by default, else `avg_fn(avg, p, n)` per tensor or `multi_avg_fn(avgs, ps, n)`
    in place on lists. The first update copies the model. `n_averaged` (a long buffer)
    counts the updates; state_dict keys are `module.<name>` and `n_averaged`, as PyTorch's.
    Without `use_buffers` the buffers are copied from the model at each update."""

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = copy.deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", ag.tensor(0, dtype=ag.long))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        """Run the averaged copy of the model."""
        return self.module(*args, **kwargs)

    def update_parameters(self, model):
        """Fold `model`'s current parameters (and buffers with `use_buffers`) into the average."""
        with no_grad():
            self._update(model)

    def _update(self, model):
        if self.use_buffers:
            self_param = itertools.chain(self.module.parameters(), self.module.buffers())
            model_param = itertools.chain(model.parameters(), model.buffers())
        else:
            self_param, model_param = self.parameters(), model.parameters()
        averaged, current = [], []
        copy_param = bool(self.n_averaged == 0)
        for p_averaged, p_model in zip(self_param, model_param):
            p_model_ = p_model.detach()
            averaged.append(p_averaged.detach())
            current.append(p_model_)
            if copy_param:
                p_averaged.detach().copy_(p_model_)
        if self.n_averaged > 0:
            if self.multi_avg_fn is not None:
                # PyTorch groups the tensors by device and dtype and calls once per group
                for group_avg, group_cur in _by_dtype(averaged, current):
                    self.multi_avg_fn(group_avg, group_cur, self.n_averaged)
            else:
                avg_fn = self.avg_fn if self.avg_fn is not None else get_swa_avg_fn()
                for p_averaged, p_model in zip(averaged, current):
                    p_averaged.copy_(avg_fn(p_averaged, p_model, self.n_averaged))
        if not self.use_buffers:
            for b_swa, b_model in zip(self.module.buffers(), model.buffers()):
                b_swa.detach().copy_(b_model.detach())
        self.n_averaged += 1


def _by_dtype(averaged, current):
    """Pairs of lists (averaged, current) grouped by the averaged tensors' dtype, in order
    of first appearance."""
    groups = {}
    for a, c in zip(averaged, current):
        pair = groups.setdefault(a.dtype, ([], []))
        pair[0].append(a)
        pair[1].append(c)
    return list(groups.values())


# PyTorch tests for its private base _BatchNorm; autograd_lite's batch norms are these three
_BATCH_NORMS = (BatchNorm1d, BatchNorm2d, BatchNorm3d)


def update_bn(loader, model, device=None):
    """Recompute the running mean and variance of every BatchNorm layer of `model` in one
    pass over `loader` (batches are tensors, or lists/tuples whose first item is the
    input): the statistics are reset and averaged cumulatively (momentum None) over the
    batches; momenta and the model's training mode are restored afterwards."""
    with no_grad():
        momenta = {}
        for module in model.modules():
            if isinstance(module, _BATCH_NORMS):
                module.reset_running_stats()
                momenta[module] = module.momentum
        if not momenta:
            return
        was_training = model.training
        model.train()
        for module in momenta:
            module.momentum = None
        for input in loader:
            if isinstance(input, (list, tuple)):
                input = input[0]
            if device is not None:
                input = input.to(device)
            model(input)
        for bn_module in momenta:
            bn_module.momentum = momenta[bn_module]
        model.train(was_training)


class SWALR(LRScheduler):
    """Anneals each param group's learning rate to its `swa_lr` (a number, or one per
    group) over `anneal_epochs` epochs, by a cosine ("cos") or linear ("linear") curve,
    then holds it there, as PyTorch's: chainable, so it takes over from another
    scheduler's current rate. Raises ValueError for another strategy or a negative or
    non-integer `anneal_epochs`."""

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        swa_lrs = format_param("swa_lr", optimizer, swa_lr)
        for lr, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ["cos", "linear"]:
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self):
        """The rates for the next step: each group's rate moved along the annealing curve
        towards its `swa_lr` (reached after `anneal_epochs` steps)."""
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
                          UserWarning, stacklevel=2)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        prev_t = max(0, min(1, (step - 1) / max(1, self.anneal_epochs)))
        prev_alpha = self.anneal_func(prev_t)
        groups = self.optimizer.param_groups
        prev_lrs = [self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha) for group in groups]
        t = max(0, min(1, step / max(1, self.anneal_epochs)))
        alpha = self.anneal_func(t)
        return [group["swa_lr"] * alpha + lr * (1 - alpha) for group, lr in zip(groups, prev_lrs)]

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def state_dict(self):
        """Every attribute except the optimizer and the annealing function."""
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict):
        """Restore the state from `state_dict()` (the annealing function from its strategy)."""
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
