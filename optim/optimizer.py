"""`Optimizer`: the base of every optimizer, as PyTorch's `torch.optim.Optimizer`.

It holds `param_groups` (a list of dicts: the group's `params` and its options),
`state` (a dict from parameter to that parameter's buffers), and saves and loads
both in PyTorch's `state_dict` format. Subclasses write `step`; the update itself
works on the NumPy arrays under the tensors (no graph is recorded); elementwise
updates go through one dispatcher, `fused_update.FusedUpdate`.
"""
import copy
import functools
import warnings
from collections import defaultdict

import numpy as np

import autograd_lite as ag
from autograd_lite.extend import (Tensor, cast_array, constant, enable_grad, is_floating_dtype, mark_dirty,
                                  reset_grads)
from autograd_lite.hooks import HookDict, RemovableHandle


class _RequiredParameter:
    """The default of an option a param group must set (SGD's `lr` in old PyTorch)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

def scalar_dtype():
    """The dtype of the 'step' counters: float64 when that is the default dtype, else
    float32 (as PyTorch)."""
    return np.float64 if ag.get_default_dtype() == np.float64 else np.float32


def new_step():
    return constant(np.zeros((), scalar_dtype()))


def scalar_state(value):
    """A 0-d state tensor of the scalar dtype (NAdam's mu_product, ASGD's eta and mu)."""
    return constant(np.array(value, scalar_dtype()))


def bump_step(state):
    """Add one to state['step'] in place and return the new count as a float."""
    st = state["step"]
    if isinstance(st, Tensor):
        d = st._data
        d += 1
        mark_dirty(st)
        return float(d)
    st = st + 1
    state["step"] = st
    return float(st)


def zeros_state(p, fill=0):
    """A state buffer shaped (and laid out) like parameter `p`."""
    return constant(np.zeros_like(p._data) if fill == 0 else np.full_like(p._data, fill))


def _with_step_hooks(step_fn):
    @functools.wraps(step_fn)
    def step(self, *args, **kwargs):
        for hook in list(_global_pre_hooks.values()) + list(self._step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(
                        f"a step pre-hook must return None or (args, kwargs), got {result!r}"
                    )
                args, kwargs = result
        out = step_fn(self, *args, **kwargs)
        self._opt_called = True
        for hook in list(self._step_post_hooks.values()) + list(_global_post_hooks.values()):
            hook(self, args, kwargs)
        return out

    step._hooked = True
    return step


_global_pre_hooks = HookDict()
_global_post_hooks = HookDict()


def register_optimizer_step_pre_hook(hook):
    """`hook(optimizer, args, kwargs)` before every optimizer's step."""
    handle = RemovableHandle(_global_pre_hooks)
    _global_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook):
    """`hook(optimizer, args, kwargs)` after every optimizer's step."""
    handle = RemovableHandle(_global_post_hooks)
    _global_post_hooks[handle.id] = hook
    return handle


class Optimizer:
    """Base class of all optimizers.

    `params` is an iterable of Tensors, of `(name, Tensor)` pairs, or of dicts each
    holding a group's `params` and any options that differ from `defaults`.
    """

    # Per-parameter state entries shaped like the parameter (checked on load).
    _param_state_keys = ()
    # Per-parameter state entries PyTorch keeps as 0-d tensors (see `_after_load`).
    _scalar_state_keys = ("step",)

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        self._step_pre_hooks = HookDict()
        self._step_post_hooks = HookDict()
        self._opt_called = False
        self._patch_step_function()
        if isinstance(params, (Tensor, np.ndarray)):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {type(params).__name__}"
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def _patch_step_function(self):
        cls = type(self)
        if not getattr(cls.step, "_hooked", False):
            cls.step = _with_step_hooks(cls.step)

    # ---- groups ------------------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with 'params' and optional options); the
        options it doesn't set take the optimizer's defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError("param_group must have a 'params' entry")
        group = dict(param_group)
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        tensors, names = [], []
        for item in params:
            if isinstance(item, tuple):
                if len(item) != 2:
                    raise TypeError(f"a named parameter must be a (name, Tensor) pair, got {item!r}")
                names.append(item[0])
                tensors.append(item[1])
            else:
                tensors.append(item)
        if names and len(names) != len(tensors):
            raise ValueError("all optimizer params should be with/without names. Some param names are missing")
        group["params"] = tensors
        if names:
            group["param_names"] = names
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is {type(p).__module__}."
                    f"{type(p).__name__}"
                )
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(
                    f"parameter group didn't specify a value of required optimization parameter {name}"
                )
            group.setdefault(name, default)
        ids = [id(p) for p in tensors]
        if len(set(ids)) != len(ids):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; "
                "in future, this will cause an error",
                stacklevel=3,
            )
        seen = set()
        for g in self.param_groups:
            seen.update(id(p) for p in g["params"])
            if ("param_names" in g) != ("param_names" in group):
                which = "with names" if "param_names" in group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {which} to the optimizer"
                )
        if not seen.isdisjoint(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)
        self._init_group_state(group)

    def _init_group_state(self, group):
        """Subclasses that create state eagerly (Adagrad) do it here."""

    # ---- gradients ---------------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all parameters: to None (the default), or to zeros in
        place."""
        for group in self.param_groups:
            reset_grads(group["params"], set_to_none)

    def step(self, closure=None):
        """Perform one optimization step; `closure` re-evaluates the model and returns
        the loss."""
        raise NotImplementedError

    @staticmethod
    def _eval_closure(closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    # ---- hooks -------------------------------------------------------------------------
    def register_step_pre_hook(self, hook):
        """`hook(optimizer, args, kwargs)` before each step; it may return new
        `(args, kwargs)`. Returns a handle with `remove()`."""
        handle = RemovableHandle(self._step_pre_hooks)
        self._step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook):
        """`hook(optimizer, args, kwargs)` after each step. Returns a handle."""
        handle = RemovableHandle(self._step_post_hooks)
        self._step_post_hooks[handle.id] = hook
        return handle

    # ---- saving ------------------------------------------------------------------------
    def state_dict(self):
        """PyTorch's format: {'state': {index: {name: Tensor or number}}, 'param_groups':
        [{option: value, ..., 'params': [index, ...]}]}, parameters numbered in group
        order. As in PyTorch the state tensors are the optimizer's own (not copies):
        save the dict before stepping again, or deep-copy it."""
        mapping = {}
        groups = []
        index = 0
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                if id(p) not in mapping:
                    mapping[id(p)] = index
                    index += 1
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {}
        for key, value in self.state.items():
            k = mapping.get(id(key), key) if isinstance(key, Tensor) else key
            state[k] = dict(value) if isinstance(value, dict) else value
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load a dict made by `state_dict()` (of this library or, as NumPy arrays or
        tensors, of PyTorch). The groups' options are taken from it; state tensors are
        copied, cast to their parameter's dtype (except 'step') and checked for shape."""
        name = type(self).__name__
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            raise ValueError(
                f"{name}.load_state_dict: expected a dict with 'state' and 'param_groups' entries, "
                f"got {type(state_dict).__name__}"
                + (f" with keys {sorted(map(str, state_dict))}" if isinstance(state_dict, dict) else "")
            )
        groups = self.param_groups
        saved_groups = copy.deepcopy(list(state_dict["param_groups"]))
        if len(groups) != len(saved_groups):
            raise ValueError(
                f"{name}.load_state_dict: loaded state dict has a different number of parameter "
                f"groups ({len(saved_groups)}) than the optimizer ({len(groups)})"
            )
        for i, (g, s) in enumerate(zip(groups, saved_groups)):
            if not isinstance(s, dict) or "params" not in s:
                raise ValueError(f"{name}.load_state_dict: saved param group {i} has no 'params' list")
            if len(g["params"]) != len(s["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: loaded state dict contains a parameter group that "
                    f"doesn't match the size of optimizer's group: group {i} has "
                    f"{len(s['params'])} parameters in the state dict and {len(g['params'])} "
                    f"in the optimizer"
                )
        id_map = {}
        for g, s in zip(groups, saved_groups):
            for idx, p in zip(s["params"], g["params"]):
                id_map[_index_key(idx)] = p

        state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            k = _index_key(key)
            if k in id_map:
                p = id_map[k]
                state[p] = self._cast_state(p, k, value)
            else:
                state[key] = copy.deepcopy(value)

        new_groups = []
        for g, s in zip(groups, saved_groups):
            s["params"] = g["params"]
            if "param_names" in g and "param_names" not in s:
                s["param_names"] = g["param_names"]
            for opt, default in self.defaults.items():
                s.setdefault(opt, default)
            if isinstance(s.get("betas"), list):
                s["betas"] = tuple(s["betas"])
            new_groups.append(s)
        self.state = state
        self.param_groups = new_groups
        self._after_load()

    def _after_load(self):
        """A number loaded where PyTorch keeps a 0-d tensor ('step' and the keys in
        `_scalar_state_keys`, as older formats store them) becomes one."""
        for st in self.state.values():
            if not isinstance(st, dict):
                continue
            for key in self._scalar_state_keys:
                if key in st and not isinstance(st[key], Tensor):
                    st[key] = scalar_state(float(st[key]))

    def _state_shape(self, p, key):
        """The shape state entry `key` of parameter `p` must have, or None if any."""
        return p.shape if key in self._param_state_keys else None

    def _cast_state(self, p, index, value):
        if not isinstance(value, dict):
            return copy.deepcopy(value)
        return {key: self._cast_value(p, index, key, v) for key, v in value.items()}

    def _cast_value(self, p, index, key, v):
        """As PyTorch's load: tensors (and arrays) are copied and cast to the parameter's
        dtype, except 'step'; lists and tuples of them are cast item by item."""
        if isinstance(v, (int, float, bool, str, type(None))):
            return v
        if isinstance(v, (list, tuple)):
            return type(v)(self._cast_value(p, index, None, item) for item in v)
        arr = _as_array(v)
        if arr is None:
            return copy.deepcopy(v)
        if key == "step":
            return constant(np.array(arr, copy=True))
        shape = self._state_shape(p, key)
        if shape is not None and arr.shape != shape:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: state '{key}' of parameter {index} has shape "
                f"{tuple(arr.shape)}, but {tuple(shape)} was expected for a parameter of shape "
                f"{tuple(p.shape)}"
            )
        if p.is_floating_point() and (arr.dtype.kind in "iub" or is_floating_dtype(arr.dtype)):
            arr = cast_array(arr, p._data.dtype)  # a bfloat16 parameter's state rounds as PyTorch's
            if arr.shape == p.shape:
                buf = np.empty_like(p._data)  # the parameter's dtype and memory layout
                np.copyto(buf, arr)
            else:
                buf = arr
        else:
            buf = np.array(arr, copy=True)
        return constant(buf)

    # ---- display -----------------------------------------------------------------------
    def __repr__(self):
        lines = [type(self).__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            if i:
                lines.append("")
            lines.append(f"Parameter Group {i}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        self.__dict__.setdefault("_step_pre_hooks", HookDict())
        self.__dict__.setdefault("_step_post_hooks", HookDict())
        self.__dict__.setdefault("_opt_called", False)


def _index_key(key):
    """State-dict parameter indices are ints; accept digit strings (some formats store
    dict keys as text) and NumPy integers."""
    if isinstance(key, str) and key.isdigit():
        return int(key)
    if isinstance(key, np.integer):
        return int(key)
    return key


def _as_array(v):
    """A state value as an ndarray: Tensors, ndarrays, and anything with __array__ (a
    PyTorch tensor); None for other objects."""
    if isinstance(v, Tensor):
        return v._data
    if isinstance(v, np.ndarray):
        return v
    if isinstance(v, np.generic):
        return np.asarray(v)
    if hasattr(v, "__array__") and not isinstance(v, (dict, list, tuple)):
        return np.asarray(v)
    return None


def check_unsupported(name, **flags):
    """foreach / fused / capturable / differentiable select PyTorch implementations
    (multi-tensor, fused, CUDA-graph-safe, differentiable) that autograd_lite doesn't
    have; its one CPU path computes the same numbers as PyTorch's default. Their
    'off' values (None or False) are accepted, anything else is an error."""
    for flag, value in flags.items():
        if value:
            raise ValueError(
                f"{name}: {flag}={value!r} is not supported by autograd_lite (CPU only, one fused "
                f"update per parameter); leave it at its default"
            )
