"""Module methods of PyTorch 2.x beyond the core bookkeeping (mixed into Module):
`to_empty` (fresh, uninitialised storage for every parameter and buffer),
`set_submodule` and `compile` (autograd_lite has no compiler: it checks PyTorch's
arguments and leaves the module as it is, running eagerly)."""
import autograd_lite as ag

from .parameter import is_lazy

__all__ = ["ModuleExtrasMixin"]


class ModuleExtrasMixin:
    """to_empty, set_submodule and compile, for Module."""

    def to_empty(self, *, device, recurse=True):
        """Give every parameter and buffer (and gradient) new storage of its shape and
        dtype with unspecified values, on `device` (the CPU), as PyTorch's: the objects
        stay, so optimizers and references keep working; initialise them afterwards (e.g.
        `reset_parameters()`). recurse=False: this module's own only. Returns the module.
        Lazy modules' placeholders stay as they are."""
        modules = self.modules() if recurse else [self]
        for m in modules:
            for store in (m._parameters, m._buffers):
                for t in store.values():
                    if t is None or is_lazy(t):
                        continue
                    t.data = ag.empty_like(t, device=device)
                    if t.grad is not None:
                        t.grad.data = ag.empty_like(t.grad, device=device)
        return self

    def set_submodule(self, target, module, strict=False):
        """Put `module` at the dotted path `target` ("layer.0"), replacing what is there,
        as PyTorch's. The parent path must exist; with strict=True so must the last name.
        Raises ValueError for an empty target or a `module` that is not a Module,
        AttributeError for a missing parent or (strict) name, or when the name holds
        something other than a Module."""
        if target == "":
            raise ValueError("set_submodule: Cannot set the submodule without a target name!")
        if not isinstance(module, ModuleExtrasMixin):
            raise ValueError(f"set_submodule: `module` is not an nn.Module, found {type(module)}")
        *path, name = target.split(".")
        parent = self.get_submodule(".".join(path)) if path else self
        if strict and not hasattr(parent, name):
            raise AttributeError(f"set_submodule: {parent._get_name()} has no attribute `{name}` "
                                 f"(looking up '{target}')")
        if hasattr(parent, name) and not isinstance(getattr(parent, name), ModuleExtrasMixin):
            raise AttributeError(f"set_submodule: `{name}` is not an nn.Module (looking up "
                                 f"'{target}')")
        setattr(parent, name, module)

    def compile(self, *args, **kwargs):
        """Module.compile, without a compiler: the module keeps running eagerly (the same
        results, no speed-up). torch.compile's arguments (fullgraph, dynamic, backend,
        mode, options, disable...) are accepted and checked as `autograd_lite.compile`
        checks them. Returns None, as PyTorch's."""
        ag.compile(self, *args, **kwargs)
