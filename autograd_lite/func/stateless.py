"""torch.func.functional_call: call a Module with some of its parameters and buffers
replaced by given tensors for the duration of the call (the module's own come back
afterwards, also when the call raises). Gradients flow to the given tensors, which is
how `grad`/`vmap` differentiate a model with respect to a dict of parameters.

The module is read through its public tree (`named_parameters`, `named_buffers`,
`get_submodule`) and its parameter and buffer stores, so this module needs nothing from
`nn` (which sits above it)."""
from collections.abc import Mapping

from ..tensor import Tensor

__all__ = ["functional_call"]

_ABSENT = object()


def _merged(dicts):
    if isinstance(dicts, Mapping):
        return dict(dicts)
    if not (isinstance(dicts, (list, tuple)) and all(isinstance(d, Mapping) for d in dicts)):
        raise ValueError(f"Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
                         f"{type(dicts)}")
    merged, seen = {}, {}
    for d in dicts:
        for k in d:
            seen[k] = seen.get(k, 0) + 1
        merged.update(d)
    repeated = [k for k, n in seen.items() if n > 1]
    if repeated:
        raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of functional call is ambiguous")
    return merged


def _tied_names(module):
    """Groups of names (parameters, then buffers) that hold one tensor object."""
    groups = {}
    for name, t in list(module.named_parameters(remove_duplicate=False)) + list(
            module.named_buffers(remove_duplicate=False)):
        groups.setdefault(id(t), []).append(name)
    return list(groups.values())


def _untie(module, values, tie_weights):
    """`values` with every name tied to a given one set to the same tensor (tie_weights)."""
    groups = _tied_names(module)
    if not tie_weights:
        return values, [n for g in groups for n in g]
    values = dict(values)
    for group in groups:
        given = [n for n in group if n in values]
        if len(given) > 1 and any(values[n] is not values[given[0]] for n in given[1:]):
            raise ValueError(f"functional_call got multiple values for keys {sorted(given)}, which are tied. "
                             f"Consider using tie_weights=False")
        if given:
            for n in group:
                values.setdefault(n, values[given[0]])
    return values, [n for g in groups for n in g]


def _swap(module, key, value):
    """Put `value` at dotted `key` (a parameter, a buffer or a plain attribute); return
    what restores the old one."""
    prefix, _, name = key.rpartition(".")
    mod = module.get_submodule(prefix)
    for store in (mod._parameters, mod._buffers):
        if name in store:
            old = store[name]
            store[name] = value
            return store, name, old, mod
    old = mod.__dict__.get(name, _ABSENT)
    object.__setattr__(mod, name, value)
    return None, name, old, mod


def _restore(undo):
    for store, name, old, mod in reversed(undo):
        if store is not None:
            store[name] = old
        elif old is _ABSENT:
            object.__delattr__(mod, name)
        else:
            object.__setattr__(mod, name, old)


def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True,
                    strict=False):
    """Call `module(*args, **kwargs)` with its parameters and buffers named in
    `parameter_and_buffer_dicts` (a dict of dotted names, `state_dict()`'s keys, to
    Tensors, or a list/tuple of such dicts with no key in two) replaced by the given
    tensors; the originals are put back when the call ends, also when it raises. A
    non-tuple `args` is the single positional argument. With `tie_weights` (the default) a
    value given for one of several names sharing one tensor (tied weights) is used for all
    of them; with `strict`, every parameter and buffer must be given and no other name.

    Raises ValueError for a key in two dicts, differing values for tied names, or dicts of
    the wrong type; TypeError for a value that is not a Tensor; RuntimeError (strict) naming
    the missing and unexpected keys; AttributeError for a key whose submodule is missing."""
    values = _merged(parameter_and_buffer_dicts)
    for k, v in values.items():
        if not isinstance(v, Tensor):
            raise TypeError(f"functional_call: the value for {k!r} is a {type(v).__name__}, not a Tensor")
    values, names = _untie(module, values, tie_weights)
    if strict:
        known = set(names)
        unexpected = [k for k in values if k not in known]
        missing = [n for n in names if n not in values]
        errors = []
        if unexpected:
            errors.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            errors.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if errors:
            raise RuntimeError(f"Error(s) in reparametrizing for {module._get_name()}:\n\t" + "\n\t".join(errors))
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    undo = []
    try:
        for k, v in values.items():
            undo.append(_swap(module, k, v))
        return module(*args, **(kwargs or {}))
    finally:
        _restore(undo)
