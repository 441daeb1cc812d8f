"""Module hooks as PyTorch's: forward pre-hooks and forward hooks (with `prepend`,
`with_kwargs`, `always_call`), full backward hooks and full backward pre-hooks, and the
global registrations of `torch.nn.modules.module` (`register_module_forward_hook`, ...).

A module with backward hooks wraps its tensor inputs, and then its outputs, in one
identity node each (`BackwardHookFunction`, as PyTorch): the output node's backward
sees the gradients of the outputs (and runs the pre-hooks), the input node's sees
those of the inputs (and runs the full hooks), so a hook fires once per backward
through each call of the module. The wrapped tensors share the originals' memory and
version counter: an in-place change of one (or of its original) while gradients are
recorded raises, as in PyTorch (it would route the gradients past the hooks).
"""
import warnings
import weakref

from autograd_lite.autograd import Function
from autograd_lite.extend import is_grad_enabled
from autograd_lite.hooks import HookDict, RemovableHandle
from autograd_lite.tensor import Tensor


_global_forward_pre_hooks = HookDict()
_global_forward_hooks = HookDict()
_global_forward_hooks_with_kwargs = HookDict()
_global_forward_hooks_always_called = HookDict()
_global_backward_pre_hooks = HookDict()
_global_backward_hooks = HookDict()
GLOBAL_HOOKS = HookDict()
"""Every global hook (whatever its kind): Module.__call__ skips the hooks' path while
this and the module's own hook dicts are empty."""

_EMPTY = HookDict()  # the class-level default of the hook stores a module creates lazily

_NO_INPUT_GRAD_WARNING = (
    "Full backward hook is firing when gradients are computed with respect to module outputs "
    "since no inputs require gradients. See "
    "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
    "#torch.nn.Module.register_full_backward_hook for more details.")
_BOTH_KINDS = ("Cannot use both regular backward hooks and full backward hooks on a single Module. "
               "Please use only one of them.")


class _Handle(RemovableHandle):
    """A RemovableHandle that also removes its id from `extra` dicts (the flags of a hook
    and the global index)."""

    def __init__(self, hooks, *extra):
        super().__init__(hooks)
        self._extra = [weakref.ref(d) for d in extra]

    def remove(self):
        """Unregister the hook (a second call does nothing)."""
        super().remove()
        for ref in self._extra:
            d = ref()
            if d is not None:
                d.pop(self.id, None)

    def __getstate__(self):
        state = super().__getstate__()
        state["_extra"] = [ref() for ref in self._extra]
        return state

    def __setstate__(self, state):
        state = dict(state)
        extra = state.pop("_extra")
        super().__setstate__(state)
        self._extra = [weakref.ref(d) for d in extra if d is not None]


def _store(module, name):
    """The module's hook dict `name`, made on first use (a module without hooks, or one
    pickled before this store existed, reads Module's empty class default)."""
    d = module.__dict__
    store = d.get(name)
    if store is None:
        store = d[name] = HookDict()
    return store


def _add(store, hook, prepend, *extra):
    handle = _Handle(store, *extra)
    store[handle.id] = hook
    if prepend:  # a dict has no move_to_end: rebuild it in place (handles hold the object)
        rest = [(k, v) for k, v in store.items() if k != handle.id]
        store.clear()
        store[handle.id] = hook
        store.update(rest)
    return handle


def _check_hook(hook, what):
    if not callable(hook):
        raise TypeError(f"{what}: the hook must be callable, got {type(hook).__name__}")


class HooksMixin:
    """The hook registrations of `Module` (its base class)."""

    _forward_hooks_with_kwargs = _EMPTY
    _forward_hooks_always_called = _EMPTY
    _forward_pre_hooks_with_kwargs = _EMPTY
    _backward_hooks = _EMPTY
    _backward_pre_hooks = _EMPTY
    _is_full_backward_hook = None

    def _has_hooks(self):
        """Whether a call runs any hook (the module's or a global one): fused paths that
        skip a module's call (conv + relu in Sequential) ask this."""
        return bool(self._forward_pre_hooks or self._forward_hooks or self._backward_hooks
                    or self._backward_pre_hooks or GLOBAL_HOOKS)

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """`hook(module, args)` before every forward, returning None or the new `args` (a
        value that isn't a tuple is wrapped in one); with `with_kwargs`,
        `hook(module, args, kwargs)` returning None or a tuple `(new_args, new_kwargs)`.
        `prepend` runs it before the hooks already registered. Returns a handle whose
        `remove()` unregisters it."""
        _check_hook(hook, "register_forward_pre_hook")
        flags = _store(self, "_forward_pre_hooks_with_kwargs")
        handle = _add(self._forward_pre_hooks, hook, prepend, flags)
        if with_kwargs:
            flags[handle.id] = True
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False, always_call=False):
        """`hook(module, args, output)` after every forward, returning None or a new output;
        with `with_kwargs`, `hook(module, args, kwargs, output)`. `prepend` runs it before
        the hooks already registered; `always_call` runs it even when forward (or an
        earlier hook) raised, with output None. Returns a handle (`remove()`)."""
        _check_hook(hook, "register_forward_hook")
        kw = _store(self, "_forward_hooks_with_kwargs")
        always = _store(self, "_forward_hooks_always_called")
        handle = _add(self._forward_hooks, hook, prepend, kw, always)
        if with_kwargs:
            kw[handle.id] = True
        if always_call:
            always[handle.id] = True
        return handle

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """`hook(module, grad_output)` when the gradients of the module's outputs are known,
        before those of its inputs are computed; it may return a replacement `grad_output`
        (a tuple of the same length, None where an output is not a tensor or got no
        gradient). Returns a handle (`remove()`)."""
        _check_hook(hook, "register_full_backward_pre_hook")
        return _add(_store(self, "_backward_pre_hooks"), hook, prepend)

    def register_full_backward_hook(self, hook, prepend=False):
        """`hook(module, grad_input, grad_output)` once per backward through a call of the
        module, when the gradients of its inputs are computed: `grad_input` has one entry
        per positional argument (None for a non-tensor; the gradient of a tensor, zeros
        where none reached it), `grad_output` one per output. It may return a replacement
        `grad_input` (same length). When no input requires grad it fires with the output
        gradients instead (grad_input all None; it must then return None) and warns, as
        PyTorch. The module's forward sees views of its input tensors and the caller views
        of its outputs: changing one in place while recording gradients raises.

        Raises RuntimeError when the module already has a (legacy) `register_backward_hook`
        hook. Returns a handle (`remove()`)."""
        _check_hook(hook, "register_full_backward_hook")
        if self._is_full_backward_hook is False:
            raise RuntimeError(_BOTH_KINDS)
        self.__dict__["_is_full_backward_hook"] = True
        return _add(_store(self, "_backward_hooks"), hook, prepend)

    def register_backward_hook(self, hook):
        """Deprecated in PyTorch for `register_full_backward_hook`, and run as one here (with a
        FutureWarning): grad_input holds the gradients of the module's inputs, where
        PyTorch's legacy hook gives those of the inputs of the module's last op.

        Raises RuntimeError when the module already has a full backward hook."""
        _check_hook(hook, "register_backward_hook")
        if self._is_full_backward_hook is True:
            raise RuntimeError(_BOTH_KINDS)
        warnings.warn("register_backward_hook is deprecated; autograd_lite runs the hook as "
                      "register_full_backward_hook (grad_input: the gradients of the module's inputs, "
                      "not of its last op's inputs). Use register_full_backward_hook.",
                      FutureWarning, stacklevel=2)
        self.__dict__["_is_full_backward_hook"] = False
        return _add(_store(self, "_backward_hooks"), hook, False)


# ---- global hooks (torch.nn.modules.module) -------------------------------------------------------
def _add_global(store, hook, *extra):
    handle = _add(store, hook, False, GLOBAL_HOOKS, *extra)
    GLOBAL_HOOKS[handle.id] = True
    return handle


def register_module_forward_pre_hook(hook):
    """A forward pre-hook for every module (run before each module's own); returns a handle."""
    _check_hook(hook, "register_module_forward_pre_hook")
    return _add_global(_global_forward_pre_hooks, hook)


def register_module_forward_hook(hook, *, with_kwargs=False, always_call=False):
    """A forward hook for every module (run before each module's own); returns a handle."""
    _check_hook(hook, "register_module_forward_hook")
    handle = _add_global(_global_forward_hooks, hook, _global_forward_hooks_with_kwargs,
                         _global_forward_hooks_always_called)
    if with_kwargs:
        _global_forward_hooks_with_kwargs[handle.id] = True
    if always_call:
        _global_forward_hooks_always_called[handle.id] = True
    return handle


def register_module_full_backward_pre_hook(hook):
    """A full backward pre-hook for every module (run before each module's own); returns a
    handle."""
    _check_hook(hook, "register_module_full_backward_pre_hook")
    return _add_global(_global_backward_pre_hooks, hook)


def register_module_full_backward_hook(hook):
    """A full backward hook for every module (run before each module's own); returns a
    handle."""
    _check_hook(hook, "register_module_full_backward_hook")
    return _add_global(_global_backward_hooks, hook)


# ---- a call with hooks ------------------------------------------------------------------------------
def call_with_hooks(module, args, kwargs):
    """`module(*args, **kwargs)` with its hooks and the global ones, in PyTorch's order:
    forward pre-hooks, backward hooks' input views, forward, forward hooks, backward hooks'
    output views. If forward or a hook raises, the `always_call` forward hooks that did
    not run yet run (an error of theirs is a warning), and the error propagates."""
    result = None
    called = set()
    fwd_kw = module._forward_hooks_with_kwargs
    always = module._forward_hooks_always_called
    try:
        pre_kw = module._forward_pre_hooks_with_kwargs
        for hook_id, hook in (*_global_forward_pre_hooks.items(), *module._forward_pre_hooks.items()):
            if hook_id in pre_kw:
                r = hook(module, args, kwargs)
                if r is not None:
                    if isinstance(r, tuple) and len(r) == 2:
                        args, kwargs = r
                    else:
                        raise RuntimeError("forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {r}.")
            else:
                r = hook(module, args)
                if r is not None:
                    args = r if isinstance(r, tuple) else (r,)
        full = list(_global_backward_hooks.values()) + list(module._backward_hooks.values())
        pre = list(_global_backward_pre_hooks.values()) + list(module._backward_pre_hooks.values())
        bw_hook = None
        if full or pre:
            bw_hook = BackwardHook(module, full, pre)
            args = bw_hook.setup_input_hook(args)
        result = module.forward(*args, **kwargs)
        for hook_id, hook in (*_global_forward_hooks.items(), *module._forward_hooks.items()):
            if hook_id in always or hook_id in _global_forward_hooks_always_called:
                called.add(hook_id)
            if hook_id in fwd_kw or hook_id in _global_forward_hooks_with_kwargs:
                r = hook(module, args, kwargs, result)
            else:
                r = hook(module, args, result)
            if r is not None:
                result = r
        if bw_hook is not None:
            if not isinstance(result, (Tensor, tuple)):
                warnings.warn("For backward hooks to be called, module output should be a Tensor or a "
                              f"tuple of Tensors but received {type(result)}", stacklevel=3)
            result = bw_hook.setup_output_hook(result)
        return result
    except Exception:
        for hook_id, hook in (*_global_forward_hooks.items(), *module._forward_hooks.items()):
            if hook_id in called or not (hook_id in always or hook_id in _global_forward_hooks_always_called):
                continue
            try:
                if hook_id in fwd_kw or hook_id in _global_forward_hooks_with_kwargs:
                    r = hook(module, args, kwargs, result)
                else:
                    r = hook(module, args, result)
                if r is not None:
                    result = r
            except Exception as e:  # noqa: BLE001 - PyTorch silences it for the first error
                kind = "global module" if hook_id in _global_forward_hooks else "module"
                warnings.warn(f"{kind} forward hook with ``always_call=True`` raised an exception that "
                              f"was silenced as another error was raised in forward: {e}", stacklevel=3)
        raise


# ---- backward hooks -----------------------------------------------------------------------------------
class BackwardHookFunction(Function):
    """The identity on a module's tensor inputs (or outputs), whose backward hands the
    gradients to the module's backward hooks (`BackwardHook`) and passes on what they
    return; its node is named BackwardHookFunctionBackward, as PyTorch's."""

    @staticmethod
    def forward(ctx, callback, materialize, *tensors):
        """Return `tensors` as they are (the outputs share their memory and versions)."""
        ctx.callback = callback
        ctx.mark_non_differentiable(*[t for t in tensors if not t.requires_grad])
        ctx.set_materialize_grads(materialize)
        return tensors

    @staticmethod
    def backward(ctx, *grads):
        """The gradients the hooks leave (None for the two non-tensor arguments)."""
        return (None, None) + tuple(ctx.callback(grads))


def _hook_name(hook):
    return getattr(hook, "__name__", type(hook).__name__)


def _checked(hook, grads, like, what):
    """The hook's replacement gradients, each None or a Tensor of its tensor's shape."""
    for i, (g, t) in enumerate(zip(grads, like)):
        if g is None:
            continue
        if not isinstance(g, Tensor):
            raise TypeError(f"hook '{_hook_name(hook)}' returned {type(g).__name__} for {what}[{i}]; "
                            f"expected a Tensor or None")
        if tuple(g.shape) != tuple(t.shape):
            raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the size of value: {what}[{i}] has "
                               f"shape {tuple(g.shape)}, expected {tuple(t.shape)}")
    return grads


class BackwardHook:
    """One call's backward hooks (torch.utils.hooks.BackwardHook): the output node records
    `grad_outputs` and runs the pre-hooks; the input node runs the full hooks with them."""

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_outputs = -1
        self.output_tensors_index = None
        self.output_tensors = ()
        self.n_inputs = -1
        self.input_tensors_index = None
        self.input_tensors = ()

    @staticmethod
    def _pack_with_none(indices, values, size):
        res = [None] * size
        for idx, val in zip(indices, values):
            res[idx] = val
        return tuple(res)

    @staticmethod
    def _unpack_none(indices, values):
        return tuple(values[idx] for idx in indices)

    def _input_grads(self, grad_input):
        """The input node's backward: the full hooks, once the output node has run."""
        if self.grad_outputs is None:  # reached without passing the outputs (double backward)
            return grad_input
        res = self._pack_with_none(self.input_tensors_index, grad_input, self.n_inputs)
        changed_by = None
        for hook in self.user_hooks:
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                   f"got {len(out)}, but expected {len(res)}")
            res = out
            changed_by = hook
        self.grad_outputs = None
        grads = self._unpack_none(self.input_tensors_index, res)
        if changed_by is not None:
            _checked(changed_by, grads, self.input_tensors, "grad_input")
        return grads

    def _output_grads(self, grad_output):
        """The output node's backward: record grad_output, run the pre-hooks, and the full
        hooks too when no input requires grad."""
        self.grad_outputs = self._pack_with_none(self.output_tensors_index, grad_output, self.n_outputs)
        expected = len(self.grad_outputs)
        changed_by = None
        for pre in self.user_pre_hooks:
            r = pre(self.module, self.grad_outputs)
            if r is None:
                continue
            if len(r) != expected:
                raise RuntimeError("Backward pre hook returned an invalid number of grad_output, "
                                   f"got {len(r)}, but expected {expected}")
            self.grad_outputs = r
            changed_by = pre
        local = self.grad_outputs
        if self.input_tensors_index is None:
            warnings.warn(_NO_INPUT_GRAD_WARNING, stacklevel=2)
            grad_inputs = self._pack_with_none([], [], self.n_inputs)
            for hook in self.user_hooks:
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple) and all(el is None for el in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires gradient should "
                                       "always return None or None for all gradients.")
            self.grad_outputs = None
        grads = tuple(local[i] for i in self.output_tensors_index)
        if changed_by is not None:
            _checked(changed_by, grads, self.output_tensors, "grad_output")
        return grads

    def _apply_on_tensors(self, callback, materialize, args):
        """`args` with its tensors replaced by the outputs of one BackwardHookFunction node
        (none when no tensor requires grad or grad mode is off), and their positions."""
        idx, tensors = [], []
        requires_grad = False
        for i, a in enumerate(args):
            if isinstance(a, Tensor):
                idx.append(i)
                tensors.append(a)
                requires_grad = requires_grad or a.requires_grad
        if not (requires_grad and is_grad_enabled()):
            return args, None, ()
        # the outputs are the inputs returned as they are: an in-place change of one
        # raises (FunctionCtx.view_outputs), as PyTorch's does
        new = BackwardHookFunction.apply(callback, materialize, *tensors)
        out = list(args)
        for i, v in zip(idx, new):
            out[i] = v
        out = tuple(out) if type(args) is tuple else type(args)(*out)
        return out, idx, tuple(tensors)

    def setup_input_hook(self, args):
        """The forward's positional arguments, tensors wrapped for the full hooks."""
        res, self.input_tensors_index, self.input_tensors = self._apply_on_tensors(
            self._input_grads, True, args)
        self.n_inputs = len(args)
        return res

    def setup_output_hook(self, result):
        """The module's result (a Tensor or a tuple), tensors wrapped for the pre-hooks."""
        is_tuple = isinstance(result, tuple)
        args = result if is_tuple else (result,)
        res, self.output_tensors_index, self.output_tensors = self._apply_on_tensors(
            self._output_grads, False, args)
        self.n_outputs = len(args)
        return res if is_tuple else res[0]
