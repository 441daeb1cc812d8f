"""`GradScaler`: dynamic loss scaling, as `torch.amp.GradScaler`.

Multiply the loss by a large scale before backward so small float16 gradients do not
flush to zero; divide the gradients by it before the optimizer step; skip the step
when a gradient overflowed (inf/NaN) and shrink the scale; grow it again after
`growth_interval` clean steps. The scale is kept in float32 and updated with
PyTorch's arithmetic, so the scale trajectory and the skipped steps match PyTorch's.
"""
import warnings

import numpy as np

import autograd_lite as ag
from autograd_lite.devices import DEVICE_TYPES

_READY, _UNSCALED, _STEPPED = "ready", "unscaled", "stepped"


def _fresh_state():
    return {"stage": _READY, "found_inf": None}


def _float32(value):
    return float(np.float32(value))


class GradScaler:
    """`GradScaler(device="cuda", init_scale=2.**16, growth_factor=2.0,
    backoff_factor=0.5, growth_interval=2000, enabled=True)`.

    As in PyTorch on a machine without CUDA, `device="cuda"` (the default) warns and
    disables the scaler; use `GradScaler("cpu")` for real scaling. A disabled scaler is
    a pass-through: `scale` returns its input, `step` calls `optimizer.step()`."""

    def __init__(self, device="cuda", init_scale=2.0**16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True, *, _stacklevel=2):
        device = str(device)
        if device.partition(":")[0] not in DEVICE_TYPES:
            raise ValueError(f"GradScaler: unknown device {device!r}; expected one of "
                             f"{', '.join(DEVICE_TYPES)}")
        self._device = device
        self._enabled = bool(enabled)
        if device == "cuda" and self._enabled:
            warnings.warn("GradScaler(device='cuda') is enabled, but CUDA is not available "
                          "(autograd_lite runs on the CPU only).  Disabling; use "
                          "GradScaler('cpu') to scale losses on the CPU.", UserWarning,
                          stacklevel=_stacklevel)
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError(f"GradScaler: the growth factor must be > 1.0, got "
                                     f"{growth_factor}")
            if backoff_factor >= 1.0:
                raise AssertionError(f"GradScaler: the backoff factor must be < 1.0, got "
                                     f"{backoff_factor}")
            self._scale = None  # float32 value, set by the first scale() call
            self._init_scale = init_scale
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker = None
            self._per_optimizer_states = {}

    # ---- scaling ---------------------------------------------------------------------------
    def _lazy_init(self):
        if self._scale is None:
            self._scale = _float32(self._init_scale)
            self._growth_tracker = self._init_growth_tracker

    def _scale_tensor(self):
        return ag.full((), self._scale, dtype=ag.float32)

    def scale(self, outputs):
        """`outputs * scale` for a tensor, or for every tensor in a (nested) list/tuple."""
        if not self._enabled:
            return outputs
        self._lazy_init()
        scale = self._scale_tensor()

        def apply_scale(value):
            if isinstance(value, ag.Tensor):
                return value * scale
            if isinstance(value, (list, tuple)):
                return type(value)(apply_scale(v) for v in value)
            if hasattr(value, "__iter__"):
                return map(apply_scale, value)
            raise ValueError(f"GradScaler.scale: outputs must be a Tensor or an iterable of "
                             f"Tensors, got {type(value).__name__}")

        return apply_scale(outputs)

    def _check_started(self, what):
        if self._scale is None:
            raise AssertionError(f"GradScaler.{what}: attempted {what} but the scale is not set. "
                                 f"This may indicate your script did not use "
                                 f"scaler.scale(loss or outputs) earlier in the iteration.")

    def _state(self, optimizer):
        return self._per_optimizer_states.setdefault(id(optimizer), _fresh_state())

    def unscale_(self, optimizer):
        """Divide the optimizer's gradients by the scale in place, and record whether any
        of them holds an inf or NaN. Once per optimizer per step, before `step`."""
        if not self._enabled:
            return
        self._check_started("unscale_")
        state = self._state(optimizer)
        if state["stage"] == _UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the "
                               "last update().")
        if state["stage"] == _STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        inv_scale = ag.full((), _float32(1.0 / float(self._scale)), dtype=ag.float32)
        found_inf = False
        with ag.no_grad(), np.errstate(over="ignore", invalid="ignore"):  # inf * s: silently
            for group in optimizer.param_groups:
                for param in group["params"]:
                    grad = param.grad
                    if grad is None:
                        continue
                    if grad.dtype == ag.float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    if not found_inf and not bool(ag.isfinite(grad).all()):
                        found_inf = True
                    grad.mul_(inv_scale)
        state["found_inf"] = found_inf
        state["stage"] = _UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """Unscale (unless `unscale_` ran) and call `optimizer.step(*args, **kwargs)`
        unless a gradient is inf/NaN; returns what the step returned (None if skipped)."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_started("step")
        state = self._state(optimizer)
        if state["stage"] == _STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] == _READY:
            self.unscale_(optimizer)
        result = None
        if not state["found_inf"]:
            result = optimizer.step(*args, **kwargs)
        state["stage"] = _STEPPED
        return result

    def update(self, new_scale=None):
        """Back off the scale if any step this iteration saw inf/NaN, else count a clean
        step and grow the scale every `growth_interval` of them; or set `new_scale`."""
        if not self._enabled:
            return
        self._check_started("update")
        if new_scale is not None:
            self._scale = _float32(self._checked_new_scale(new_scale))
        else:
            found = [s["found_inf"] for s in self._per_optimizer_states.values()
                     if s["found_inf"] is not None]
            if not found:
                raise AssertionError("No inf checks were recorded prior to update.")
            if any(found):
                self._scale = _float32(self._scale * self._backoff_factor)
                self._growth_tracker = 0
            else:
                clean = self._growth_tracker + 1
                if clean == self._growth_interval:
                    grown = _float32(self._scale * self._growth_factor)
                    if np.isfinite(grown):
                        self._scale = grown
                    clean = 0
                self._growth_tracker = clean
        self._per_optimizer_states = {}

    def _checked_new_scale(self, new_scale):
        if isinstance(new_scale, ag.Tensor):
            if new_scale.numel() != 1 or new_scale.requires_grad:
                raise AssertionError("new_scale should be a float or a 1-element Tensor with "
                                     "requires_grad=False.")
            return new_scale.item()
        if not isinstance(new_scale, float):
            raise AssertionError(f"new_scale should be a float or a 1-element Tensor, got "
                                 f"{type(new_scale).__name__}")
        return new_scale

    # ---- settings and state ----------------------------------------------------------------
    def get_scale(self):
        """The current scale as a Python float (1.0 when disabled)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else self._scale

    def get_growth_factor(self):
        """The factor the scale grows by after `growth_interval` steps without inf/NaN."""
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        """Set the growth factor."""
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        """The factor the scale shrinks by after a step with inf/NaN gradients."""
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        """Set the backoff factor."""
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        """How many clean steps in a row grow the scale."""
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        """Set the growth interval."""
        self._growth_interval = new_interval

    def _get_growth_tracker(self):
        if not self._enabled:
            return 0
        return self._init_growth_tracker if self._growth_tracker is None else self._growth_tracker

    def is_enabled(self):
        """Whether the scaler scales (False makes every method a pass-through)."""
        return self._enabled

    def state_dict(self):
        """PyTorch's keys: scale, growth_factor, backoff_factor, growth_interval,
        _growth_tracker ({} when disabled)."""
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker()}

    def load_state_dict(self, state_dict):
        """Restore the scale and its settings from `state_dict()` (nothing when disabled).
        Raises RuntimeError for an empty state, as saved by a disabled scaler."""
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved "
                               "from a disabled instance of GradScaler.")
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale = _float32(state_dict["scale"])
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker = state_dict["_growth_tracker"]

    def __getstate__(self):
        state = self.__dict__.copy()
        if self._enabled:
            if self._per_optimizer_states:
                raise AssertionError("A GradScaler instance may only be pickled at the beginning "
                                     "of an iteration, or at the end after scaler.update().")
            state["_per_optimizer_states"] = {}
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
