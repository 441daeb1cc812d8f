"""`Module`: the base of every layer and model, as PyTorch's `nn.Module`.

Attributes that are Parameters, Modules or registered buffers are tracked, so
`parameters()`, `state_dict()` (with PyTorch's dotted keys), `train()/eval()` and
`zero_grad()` reach the whole tree.
"""
import operator
from collections import OrderedDict, namedtuple

import numpy as np

import autograd_lite as ag
from autograd_lite import tensortypes
from autograd_lite.devices import DeviceUnavailableError, parse_to
from autograd_lite.extend import (cast_array, is_floating_dtype, mark_dirty, next_seq, no_grad, reset_grads,
                                  to_dtype)
from autograd_lite.hooks import HookDict
from autograd_lite.tensor import Tensor

from .module_hooks import GLOBAL_HOOKS, HooksMixin, _add, _store, call_with_hooks
from .module_extras import ModuleExtrasMixin
from .parameter import Parameter, is_lazy

_IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


class Module(HooksMixin, ModuleExtrasMixin):
    """Base class for all neural network modules: subclass, assign submodules and
    Parameters in `__init__`, and write `forward`."""

    training: bool
    _name_for_graph = None

    def __init__(self, *args, **kwargs):
        if args or kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got unexpected arguments")
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent_buffers"] = set()
        d["_modules"] = OrderedDict()
        d["_forward_hooks"] = HookDict()
        d["_forward_pre_hooks"] = HookDict()
        d["_backward_hooks"] = HookDict()
        d["_backward_pre_hooks"] = HookDict()

    def forward(self, *args, **kwargs):
        """The computation of the module, written by each subclass. Call the module
        (`module(x)`) rather than `forward`: the call runs the forward hooks and records
        which graph nodes the module made (for `viz.draw_graph(cluster_modules=...)`).

        Raises NotImplementedError when a subclass did not define it."""
        raise NotImplementedError(f"Module [{type(self).__name__}] is missing the required \"forward\" function")

    def __call__(self, *args, **kwargs):
        # Graph nodes made by this call get sequence numbers strictly inside
        # `_seq_range` (the last call's); autograd_lite.viz clusters nodes with it.
        start = next_seq()
        d = self.__dict__  # read once: each attribute read costs ~30 ns (Module has __getattr__)
        try:
            hooked = (d["_forward_pre_hooks"] or d["_forward_hooks"] or d["_backward_hooks"]
                      or d["_backward_pre_hooks"] or GLOBAL_HOOKS)
        except KeyError:  # unpickled from before a store existed: add the missing ones
            for name in ("_forward_pre_hooks", "_forward_hooks", "_backward_hooks", "_backward_pre_hooks"):
                d.setdefault(name, HookDict())
            hooked = True
        if hooked:
            out = call_with_hooks(self, args, kwargs)  # hooks: nn/module_hooks.py
        else:
            out = self.forward(*args, **kwargs)
        d["_seq_range"] = (start, next_seq())
        return out

    # ---- attribute bookkeeping ----------------------------------------------------------
    def __setattr__(self, name, value):
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._discard(name, keep="_parameters")
            params[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                    f"(Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Module):
            modules = d.get("_modules")
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._discard(name, keep="_modules")
            modules[name] = value
        elif d.get("_modules") is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' "
                    f"(Module or None expected)"
                )
            d["_modules"][name] = None
        elif d.get("_buffers") is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' (Tensor or None expected)"
                )
            d["_buffers"][name] = value
        else:
            object.__setattr__(self, name, value)

    def _discard(self, name, keep=None):
        """Remove `name` from every store but `keep`, the one about to receive it: a
        re-assigned name keeps its place there (so the order of parameters, buffers,
        submodules and state_dict keys stays PyTorch's)."""
        d = self.__dict__
        d.pop(name, None)
        for key in ("_parameters", "_buffers", "_modules"):
            store = d.get(key)
            if store is not None and key != keep:
                store.pop(name, None)
        d["_non_persistent_buffers"].discard(name)

    def __getattr__(self, name):
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            store = d.get(key)
            if store is not None and name in store:
                return store[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        d = self.__dict__
        for key in ("_parameters", "_buffers", "_modules"):
            if name in d.get(key, ()):
                del d[key][name]
                d["_non_persistent_buffers"].discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers)
                      | set(self._modules))

    def register_parameter(self, name, param):
        """Add a Parameter (or None, a slot without one) under `name`, as an attribute would.

        Raises TypeError when `param` is not a Parameter or None, KeyError or TypeError for a
        bad name (empty, dotted, or taken by a non-parameter attribute)."""
        _check_name(name, self, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter '{name}' "
                            f"(Parameter or None required)")
        self._discard(name, keep="_parameters")
        self._parameters[name] = param

    def register_buffer(self, name, tensor, persistent=True):
        """Add a tensor that is part of the module's state but not a parameter (e.g. batch
        norm's running mean): it moves with `to()` and, when `persistent`, is saved in
        `state_dict()`. Raises TypeError when `tensor` is not a Tensor or None."""
        _check_name(name, self, "buffer")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' "
                            f"(Tensor or None required)")
        self._discard(name, keep="_buffers")
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent_buffers.add(name)

    def add_module(self, name, module):
        """Add `module` as the child `name` (the same as assigning the attribute).

        Raises TypeError when `module` is neither a Module nor None, KeyError for a bad name."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        _check_name(name, self, "module", allow_dots=False)
        self._discard(name, keep="_modules")
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target):
        """The submodule at the dotted path `target` ("" is the module itself).

        Raises AttributeError naming the missing part."""
        mod = self
        for part in target.split(".") if target else ():
            if part not in mod._modules:
                raise AttributeError(f"{type(mod).__name__} has no submodule '{part}' (looking up '{target}')")
            mod = mod._modules[part]
        return mod

    def get_parameter(self, target):
        """The parameter at the dotted path `target` ("layer.0.weight").

        Raises AttributeError when there is no such parameter."""
        mod_path, _, name = target.rpartition(".")
        mod = self.get_submodule(mod_path)
        if name not in mod._parameters:
            raise AttributeError(f"'{target}' is not a parameter")
        return mod._parameters[name]

    # ---- iteration ---------------------------------------------------------------------------
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """Yield `(dotted name, module)` for this module and every submodule, depth first; a
        module reachable twice comes once unless `remove_duplicate=False`."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self):
        """Yield this module and every submodule (see `named_modules`)."""
        for _, m in self.named_modules():
            yield m

    def named_children(self):
        """Yield `(name, module)` for the direct children, each module once."""
        seen = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self):
        """Yield the direct child modules."""
        for _, m in self.named_children():
            yield m

    def _named_members(self, store_key, prefix, recurse, remove_duplicate=True):
        seen = set()
        mods = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse \
            else [(prefix, self)]
        for mod_prefix, mod in mods:
            for name, value in getattr(mod, store_key).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield mod_prefix + ("." if mod_prefix else "") + name, value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """Yield `(dotted name, Parameter)` for this module's parameters and, with `recurse`,
        its submodules'; the names are `state_dict()`'s keys. A shared parameter comes once."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        """Yield the parameters (of the submodules too, with `recurse`); the usual argument
        of an optimizer."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        """Yield `(dotted name, buffer)` for the registered buffers (of the submodules too,
        with `recurse`)."""
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        """Yield the registered buffers (of the submodules too, with `recurse`)."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ---- modes, grads, dtypes ------------------------------------------------------------------
    def train(self, mode=True):
        """Set training mode (`mode=True`) or evaluation mode on this module and every
        submodule (dropout, batch norm and the denoising autoencoder behave differently);
        returns the module. Raises ValueError when `mode` is not a bool."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self):
        """Evaluation mode: `train(False)`; returns the module."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Set `requires_grad` on every parameter (False freezes the module); returns it."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        """Reset the parameters' gradients: to None (the default, as PyTorch 2) or, with
        `set_to_none=False`, to zeros in place."""
        reset_grads(self.parameters(), set_to_none)

    def apply(self, fn):
        """Call `fn(m)` on every submodule (children first), then on this module; returns
        it. The usual way to run a custom initialisation."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def _cast_floats(self, dtype):
        """Cast floating parameters and buffers in place (the objects stay the same)."""
        dtype = to_dtype(dtype)
        for m in self.modules():
            for store in (m._parameters, m._buffers):
                for t in store.values():
                    if is_lazy(t):  # a lazy module's placeholder: materialized later in `dtype`
                        if is_floating_dtype(t.dtype):
                            t._cast_placeholder(dtype)
                        continue
                    if t is not None and is_floating_dtype(t._data.dtype) and t._data.dtype != dtype:
                        t._data = cast_array(t._data, dtype)
                        if t.grad is not None:
                            t.grad = t.grad.to(dtype)
        return self

    def to(self, *args, **kwargs):
        """`to(device)`, `to(dtype)`, `to(device, dtype)`, `to(tensor)`, `to(memory_format=...)`
        with `non_blocking`, as PyTorch: the device must be the CPU, and a dtype must be
        floating (parameters and buffers are cast in place, the objects stay)."""
        if "copy" in kwargs:
            raise RuntimeError("Module.to() does not accept copy argument")
        dtype, _ = parse_to(args, kwargs, "Module.to")
        if dtype is not None:
            if not is_floating_dtype(dtype):
                raise TypeError(f"nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype}")
            self._cast_floats(dtype)
        return self

    def float(self):
        """Cast floating-point parameters and buffers to float32 in place; returns the module."""
        return self._cast_floats(ag.float32)

    def double(self):
        """Cast floating-point parameters and buffers to float64 in place; returns the module."""
        return self._cast_floats(ag.float64)

    def half(self):
        """Cast floating-point parameters and buffers to float16 in place (storage only: most
        ops need float32 or float64); returns the module."""
        return self._cast_floats(ag.float16)

    def bfloat16(self):
        """Cast floating-point parameters and buffers to bfloat16 in place (ops compute it in
        float32 and round once, as PyTorch's CPU kernels); returns the module."""
        return self._cast_floats(ag.bfloat16)

    def cpu(self):
        """The module itself: everything already lives on the CPU."""
        return self

    def cuda(self, device=None):
        """Raises DeviceUnavailableError: autograd_lite runs on the CPU only (test
        `ag.cuda.is_available()` first, as portable PyTorch code does)."""
        raise DeviceUnavailableError("Module.cuda: CUDA is not available; autograd_lite runs on the "
                                     "CPU only (guard GPU code with ag.cuda.is_available())")

    def xpu(self, device=None):
        """Raises DeviceUnavailableError: autograd_lite runs on the CPU only."""
        raise DeviceUnavailableError("Module.xpu: XPU is not available; autograd_lite runs on the "
                                     "CPU only")

    def type(self, dst_type):
        """Cast floating parameters and buffers to `dst_type`: a dtype, a legacy type such as
        ag.DoubleTensor, or its name ('torch.DoubleTensor')."""
        if isinstance(dst_type, str):
            dst_type = tensortypes.type_from_string(dst_type)
        if isinstance(dst_type, tensortypes.tensortype):
            if dst_type.is_cuda:
                raise DeviceUnavailableError(f"Module.type: {dst_type.__name__} is a CUDA type; "
                                             f"autograd_lite runs on the CPU only")
            dst_type = dst_type.dtype
        return self._cast_floats(dst_type)

    # ---- state dict ------------------------------------------------------------------------------
    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """Parameters and persistent buffers under PyTorch's dotted keys."""
        if destination is None:
            destination = OrderedDict()
        for mod_prefix, mod in self.named_modules(prefix=prefix.rstrip("."), remove_duplicate=False):
            base = mod_prefix + "." if mod_prefix else ""
            for name, p in mod._parameters.items():  # uninitialized ones as they are, as PyTorch
                if p is not None:
                    destination[base + name] = p if keep_vars or is_lazy(p) else p.detach()
            for name, b in mod._buffers.items():
                if b is not None and name not in mod._non_persistent_buffers:
                    destination[base + name] = b if keep_vars or is_lazy(b) else b.detach()
            extra = getattr(type(mod), "_extra_state_keys", None)
            if extra:
                mod._save_extra_state(destination, base)
        return destination

    def load_state_dict(self, state_dict, strict=True, assign=False):
        """Copy values (Tensors, NumPy arrays or anything `np.asarray` takes, such as a
        PyTorch CPU tensor) into this module's parameters and buffers."""
        if not hasattr(state_dict, "items"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict).__name__}")
        errors = self._run_load_state_dict_pre_hooks(state_dict, strict)
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        if strict and (missing or unexpected):  # missing first, as PyTorch's message
            if missing:
                errors.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ".")
            if unexpected:
                errors.append("Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ".")
        values = {}
        for key, target in own.items():
            if key not in state_dict:
                continue
            if is_lazy(state_dict[key]) or is_lazy(target):
                if not is_lazy(target):
                    state_dict[key].shape  # noqa: B018 - raises PyTorch's RuntimeError
                if not is_lazy(state_dict[key]):
                    errors.append(f"can't load {key} into an uninitialized parameter or buffer that no "
                                  f"load_state_dict pre-hook materialized")
                continue  # uninitialized into uninitialized: nothing to copy
            arr = _as_array(state_dict[key], key)
            if arr.shape != target._data.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {tuple(arr.shape)} from "
                    f"checkpoint, the shape in current model is {tuple(target._data.shape)}."
                )
                continue
            values[key] = arr
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors)
            )
        with no_grad():
            for key, arr in values.items():
                target = own[key]
                if assign:
                    target._data = cast_array(arr, target._data.dtype)
                else:
                    if target._data.dtype == ag.bfloat16 and arr.dtype != ag.bfloat16:
                        arr = cast_array(arr, ag.bfloat16)  # rounded as PyTorch's copy_
                    np.copyto(target._data, arr, casting="unsafe")
                    mark_dirty(target)
        return _IncompatibleKeys(missing, unexpected)

    def _register_load_state_dict_pre_hook(self, hook, with_module=False):
        """Run `hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
        error_msgs)` (with `with_module`, the module first) at the start of every
        `load_state_dict` that reaches this module, before shapes are compared (lazy modules
        materialize their parameters there); messages it appends to `error_msgs` are reported
        as load errors. Returns a removable handle."""
        flags = _store(self, "_load_state_dict_pre_hooks_with_module")
        handle = _add(_store(self, "_load_state_dict_pre_hooks"), hook, False, flags)
        if with_module:
            flags[handle.id] = True
        return handle

    def _run_load_state_dict_pre_hooks(self, state_dict, strict):
        errors = []
        for mod_prefix, mod in self.named_modules():
            hooks = mod.__dict__.get("_load_state_dict_pre_hooks")
            flags = mod.__dict__.get("_load_state_dict_pre_hooks_with_module") or {}
            for key, hook in list(hooks.items()) if hooks else ():
                args = (state_dict, mod_prefix + "." if mod_prefix else "", {}, strict, [], [], errors)
                hook(mod, *args) if flags.get(key) else hook(*args)
        return errors

    # ---- repr -------------------------------------------------------------------------------------
    def extra_repr(self):
        """The module's own settings for its `repr` (e.g. `in_features=2, out_features=3`);
        override it in a subclass."""
        return ""

    def _get_name(self):
        return type(self).__name__

    def __repr__(self):
        extra = self.extra_repr()
        lines = extra.split("\n") if extra else []
        for name, module in self._modules.items():
            mod_str = _indent(repr(module), 2)
            lines.append(f"({name}): {mod_str}")
        main = self._get_name() + "("
        if lines:
            if len(lines) == 1 and not self._modules:
                main += lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"


def _indent(s, n):
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    return lines[0] + "\n" + "\n".join(" " * n + line for line in lines[1:])


def _check_name(name, module, kind, allow_dots=False):
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
    if not name:
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if "." in name and not allow_dots:
        raise KeyError(f'{kind} name can\'t contain ".", got: {name}')
    if hasattr(type(module), name):
        raise KeyError(f"attribute '{name}' already exists")


def _as_array(value, key):
    if isinstance(value, Tensor):
        return value._data
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # e.g. a PyTorch tensor
        value = value.detach().cpu()
        if str(value.dtype) == "torch.bfloat16":  # NumPy has no bfloat16: PyTorch can't hand one over
            return _torch_bfloat16_array(value)
        return value.numpy()
    try:
        arr = np.asarray(value)
    except Exception as e:  # noqa: BLE001 - report which key was bad
        raise TypeError(f"state_dict value for {key!r} can't be read as an array: {e}") from None
    if arr.dtype.kind not in "biuf" and arr.dtype != ag.bfloat16:
        raise TypeError(f"state_dict value for {key!r} has unsupported dtype {arr.dtype}")
    return arr


def _torch_bfloat16_array(value):
    """A PyTorch bfloat16 tensor's values as a bfloat16 array (exact: through float32)."""
    return cast_array(value.float().numpy(), ag.bfloat16)


class DirectParameters:
    """`reader(module, classes)`: the module's parameters `names` (a tuple), read from
    its parameter dict in one call when it is exactly one of `classes`, the built-in
    layers whose forward uses it (each `self.weight` goes through Module.__getattr__:
    ~0.5 us). Any other module, a subclass that may shadow a parameter with a property,
    or a name no longer in the dict (deleted, then set as a plain tensor: weight drop),
    reads them as attributes."""

    def __init__(self, *names):
        self._by_key = operator.itemgetter(*names)
        self._by_attr = operator.attrgetter(*names)

    def __call__(self, module, classes):
        if type(module) in classes:
            try:
                return self._by_key(module._parameters)
            except KeyError:
                pass
        return self._by_attr(module)
