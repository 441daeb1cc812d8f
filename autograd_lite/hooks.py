"""Hook bookkeeping shared by tensors, modules and optimizers: a weakly referenceable
dict of hooks and the handle that removes one (torch.utils.hooks.RemovableHandle)."""
import weakref


class RemovableHandle:
    """Returned by `register_hook`; `remove()` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks_dict):
        self._hooks = weakref.ref(hooks_dict) if hooks_dict is not None else None
        RemovableHandle._next_id += 1
        self.id = RemovableHandle._next_id

    def remove(self):
        hooks = self._hooks() if self._hooks is not None else None
        if hooks is not None:
            hooks.pop(self.id, None)

    def __getstate__(self):
        """Pickles and copies hold the hook dict itself (a weak reference can't be pickled),
        so a copied module's handle removes the hook from the copy's dict."""
        state = dict(self.__dict__)
        state["_hooks"] = self._hooks() if self._hooks is not None else None
        return state

    def __setstate__(self, state):
        state = dict(state)
        hooks = state.pop("_hooks")
        self.__dict__.update(state)
        self._hooks = weakref.ref(hooks) if hooks is not None else None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class HookDict(dict):
    """A dict that can be weakly referenced (for RemovableHandle)."""

    __slots__ = ("__weakref__",)
