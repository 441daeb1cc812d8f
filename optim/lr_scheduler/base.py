"""`LRScheduler`, the base of every learning-rate scheduler, as PyTorch's.

A scheduler rewrites `group['lr']` of its optimizer's param groups each time its
`step()` is called (once per epoch or per batch, after `optimizer.step()`). On
creation it records each group's starting rate as `group['initial_lr']` (the
`base_lrs`) and takes its first step, to epoch 0. Subclasses write `get_lr()`, the
rates for `self.last_epoch`: the chainable form, from the groups' current rates, so
that schedulers stacked on one optimizer compose. Where PyTorch has one, a subclass
also writes `_get_closed_form_lr()`, the rates from `base_lrs` alone, which
`step(epoch)` (deprecated in PyTorch too) and `SequentialLR` use.
"""
import warnings
import weakref

from ..optimizer import Optimizer

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where "
    "possible. Please use `scheduler.step()` to step the scheduler. During the deprecation, if epoch "
    "is different from None, the closed form is used instead of the new chainable form, where available."
)


def check_optimizer(optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def format_param(name, optimizer, value):
    """One value per param group: a list/tuple of that length, or a scalar repeated."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. {name} has "
                f"{len(value)} values, param_groups has {n}."
            )
        return list(value)
    return [value] * n


def group_values(optimizer, key):
    """[group[key] for each param group] (KeyError if a group lacks it)."""
    return [group[key] for group in optimizer.param_groups]


def set_momentum(group, value, use_beta1):
    """Write a cycled momentum: beta1 of Adam-like optimizers, else `momentum`."""
    if use_beta1:
        group["betas"] = (value, *group["betas"][1:])
    else:
        group["momentum"] = value


class LRScheduler:
    """Base class: subclasses write `get_lr()` (see the module docstring)."""

    _get_lr_called_within_step = False
    _is_initial = False

    def __init__(self, optimizer, last_epoch=-1):
        check_optimizer(optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when resuming a "
                        f"scheduler with last_epoch={last_epoch}: load the optimizer's state_dict "
                        f"first, or start from last_epoch=-1"
                    )
        self.base_lrs = group_values(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        _track_optimizer_step(optimizer)
        self._initial_step()

    def _initial_step(self):
        """Start the step count and take the step to epoch 0."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def state_dict(self):
        """Every attribute except the optimizer."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restore the scheduler's state from `state_dict()` (the optimizer is not part of it)."""
        self.__dict__.update(state_dict)

    def get_last_lr(self):
        """The rates the last `step()` set, one per param group."""
        return self._last_lr

    def get_lr(self):
        """The rates for the current `last_epoch`, one per param group, by the scheduler's
        rule; `step()` calls it. Read the rates with `get_last_lr()`.

        Raises NotImplementedError in a subclass that defines no rule."""
        raise NotImplementedError(f"{type(self).__name__} must define get_lr()")

    def step(self, epoch=None):
        """Advance one epoch (or, deprecated, jump to `epoch` by the closed form) and
        write the new rates into the optimizer."""
        if self._step_count == 1:
            step = self.optimizer.step
            if not (getattr(step, "_hooked", False) or getattr(step, "_wrapped_by_lr_sched", False)):
                warnings.warn(
                    "Seems like `optimizer.step()` has been overridden after learning rate scheduler "
                    "initialization. Please, make sure to call `optimizer.step()` before "
                    "`lr_scheduler.step()`.",
                    UserWarning,
                    stacklevel=2,
                )
            elif not getattr(self.optimizer, "_opt_called", False):
                warnings.warn(
                    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. Call them in "
                    "the opposite order, `optimizer.step()` before `lr_scheduler.step()`, or the "
                    "first value of the learning rate schedule is skipped.",
                    UserWarning,
                    stacklevel=2,
                )
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        """The next epoch's rates by `get_lr()`, or epoch `epoch`'s by the closed form
        where there is one."""
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed = getattr(self, "_get_closed_form_lr", None)
                values = closed() if closed is not None else self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        groups = self.optimizer.param_groups
        if len(values) != len(groups):
            raise ValueError(f"{type(self).__name__}: {len(values)} rates for {len(groups)} param groups")
        for group, lr in zip(groups, values):
            group["lr"] = lr
        self._last_lr = group_values(self.optimizer, "lr")

    def _warn_get_lr(self):
        if not self._get_lr_called_within_step:
            warnings.warn(
                "To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
                UserWarning,
                stacklevel=3,
            )


class _LRScheduler(LRScheduler):
    """The old name of `LRScheduler`, kept (as in PyTorch) for code that subclasses it."""


def _track_optimizer_step(optimizer):
    """Make sure `optimizer._opt_called` is set by its step (for the order warning):
    our optimizers' steps do it already (`_hooked`); this covers a step replaced before
    the scheduler was made."""
    step = optimizer.step
    if getattr(step, "_hooked", False) or getattr(step, "_wrapped_by_lr_sched", False):
        return
    func = getattr(step, "__func__", None)
    if func is None:
        return
    ref = weakref.ref(optimizer)

    def wrapper(*args, **kwargs):
        opt = ref()
        opt._opt_called = True
        return func.__get__(opt, type(opt))(*args, **kwargs)

    wrapper._wrapped_by_lr_sched = True
    optimizer.step = wrapper
