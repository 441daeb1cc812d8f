"""Activation checkpointing, as `torch.utils.checkpoint`: a checkpointed call keeps
its inputs but not the activations its graph saved, and runs again in backward to
make them (the graph machinery is `autograd_lite/autograd/recompute.py`).

One mechanism serves both of PyTorch's variants; `use_reentrant` changes only what a
user sees of PyTorch's reentrant one: its warning and no gradients when no input
requires grad, and its refusal of keyword arguments. Unlike PyTorch's reentrant
variant, it also works under `autograd.grad`, `backward(inputs=...)` and
`create_graph`. The forward records its graph as usual and drops it when the call
returns, so the activations of one checkpointed call are alive while it runs (PyTorch
never saves them), and the outputs' `grad_fn` is one "CheckpointFunctionBackward" node.
"""
import contextlib
import warnings

from ..autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from ..autograd.recompute import cut, mark
from ..random import get_rng_state, set_rng_state
from ..tensor import Tensor

__all__ = ["checkpoint", "checkpoint_sequential", "noop_context_fn", "CheckpointError"]

_CHECKS = ("default", "none")
_REENTRANT_WARNING = (
    "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in "
    "PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. use_reentrant=False "
    "is recommended, but if you need to preserve the current default behavior, you can pass "
    "use_reentrant=True. Refer to docs for more details on the differences between the two variants.")
_SEQUENTIAL_WARNING = (
    "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be passed "
    "explicitly. In version 2.9 we will raise an exception if use_reentrant is not passed. "
    "use_reentrant=False is recommended, but if you need to preserve the current default behavior, "
    "you can pass use_reentrant=True. Refer to docs for more details on the differences between the "
    "two variants.")


class CheckpointError(RuntimeError):
    """The recomputation in backward differed from the forward (PyTorch's class)."""


def noop_context_fn():
    """The default `context_fn` of `checkpoint`: two context managers that do nothing."""
    return contextlib.nullcontext(), contextlib.nullcontext()


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn,
               determinism_check="default", debug=False, early_stop=True, **kwargs):
    """`function(*args, **kwargs)` without keeping the activations its graph saves: backward
    runs it again (grad mode on, the global RNG state of the forward restored unless
    `preserve_rng_state=False`, so dropout draws the same mask) and backpropagates
    through that. Gradients equal those without checkpointing. Outputs may be a tensor or
    any nesting of tuples, lists and dicts; non-tensor arguments and inputs that need no
    grad are fine.

    As PyTorch 2.13: `use_reentrant` not given warns and means True; with True, keyword
    arguments raise ValueError, and when no tensor argument requires grad it warns and
    the outputs get no gradient. `context_fn` returns the context managers for the
    forward and for the recomputation; `determinism_check="default"` raises
    CheckpointError when the recomputed outputs' shapes or dtypes differ, "none" skips
    that. `debug` and `early_stop` are accepted and change nothing (the recomputation
    always runs the whole function). See the module docstring for how this differs from
    PyTorch's mechanism."""
    if use_reentrant is None:
        warnings.warn(_REENTRANT_WARNING, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if not callable(function):
        raise TypeError(f"checkpoint: function must be callable, got {type(function).__name__}")
    if use_reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
        if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=2)
            with no_grad():
                return function(*args)
    if determinism_check not in _CHECKS:
        raise ValueError(f"determinism_check should be one of {list(_CHECKS)}, but got {determinism_check}")
    if debug and context_fn is not noop_context_fn:
        raise ValueError("debug=True is incompatible with non-default context_fn")
    if not is_grad_enabled():
        return function(*args, **kwargs)
    return _checkpointed(function, args, kwargs, preserve, context_fn, determinism_check == "default")


def _checkpointed(function, args, kwargs, preserve, context_fn, check):
    state = get_rng_state() if preserve else None
    forward_context, recompute_context = _contexts(context_fn)
    start = mark()
    with forward_context:
        result = function(*args, **kwargs)
    flat, spec = _flatten(result)
    del result  # only the cut outputs may keep the recorded graph (and its activations) alive
    metadata = [_metadata(t) for t in flat]

    def rerun():
        outer_state = get_rng_state() if preserve else None
        try:
            if preserve:
                set_rng_state(state)
            with enable_grad(), recompute_context:
                again, _ = _flatten(function(*args, **kwargs))
        finally:
            if preserve:
                set_rng_state(outer_state)
        if len(again) != len(metadata):
            raise CheckpointError(
                f"torch.utils.checkpoint: the recomputed forward returned {len(again)} values where the "
                f"forward pass returned {len(metadata)}")
        if check:
            _check_same(metadata, [_metadata(t) for t in again])
        return again

    flat = cut(flat, start, rerun)
    return _rebuild(spec, iter(flat))


def _contexts(context_fn):
    contexts = context_fn()
    if not (isinstance(contexts, tuple) and len(contexts) == 2):
        raise TypeError("checkpoint: context_fn must return a tuple of two context managers "
                        f"(forward, recomputation), got {type(contexts).__name__}")
    return contexts


def _metadata(t):
    if isinstance(t, Tensor):
        return {"shape": tuple(t.shape), "dtype": t.dtype, "device": t.device}
    return None


def _check_same(before, after):
    different = [(i, b, a) for i, (b, a) in enumerate(zip(before, after)) if b != a]
    if different:
        lines = "".join(f"output at position {i}:\nforward metadata: {b}\nrecomputed metadata: {a}\n"
                        for i, b, a in different)
        raise CheckpointError(
            "torch.utils.checkpoint: Recomputed values for the following tensors have different "
            f"metadata than during the forward pass.\n{lines}The checkpointed function must compute "
            "the same thing when it runs again (pass determinism_check='none' to skip this check).")


def _flatten(value):
    """`(the leaves of value's tuples, lists and dicts as a flat list, a spec of the
    nesting for _rebuild)`. The spec holds types and keys only: no output, since only
    the cut outputs may keep the recorded graph alive (no closure cycles either)."""
    flat = []
    return flat, _spec(value, flat)


def _spec(value, flat):
    if isinstance(value, (tuple, list)):
        return type(value), [_spec(v, flat) for v in value]
    if isinstance(value, dict):
        return type(value), [(k, _spec(v, flat)) for k, v in value.items()]
    flat.append(value)
    return None


def _rebuild(spec, leaves):
    if spec is None:
        return next(leaves)
    kind, parts = spec
    if issubclass(kind, dict):
        return kind((k, _rebuild(p, leaves)) for k, p in parts)
    if hasattr(kind, "_fields"):  # a namedtuple
        return kind(*(_rebuild(p, leaves) for p in parts))
    return kind(_rebuild(p, leaves) for p in parts)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Run `functions` (a list of callables, an `nn.Sequential` or another module's
    children) one after another on `input`, in `segments` chunks of equal size
    (`len // segments`; the last takes the rest), checkpointing every chunk but the
    last, as PyTorch's. `preserve_rng_state` and the `use_reentrant` warning as
    `checkpoint`. Raises ValueError for other keyword arguments and for `segments` not
    in 1..len(functions) (PyTorch fails with a ZeroDivisionError or a range error)."""
    if use_reentrant is None:
        warnings.warn(_SEQUENTIAL_WARNING, stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if not isinstance(functions, (list, tuple)) and callable(getattr(functions, "children", None)):
        functions = list(functions.children())
    functions = list(functions)
    if isinstance(segments, bool) or not isinstance(segments, int) or not 1 <= segments <= len(functions):
        raise ValueError(f"checkpoint_sequential: segments must be an int from 1 to the number of functions "
                         f"({len(functions)}), got {segments!r}")
    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(_run_segment(functions, start, end), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return _run_segment(functions, end + 1, len(functions) - 1)(input)


def _run_segment(functions, start, end):
    def forward(input):
        for j in range(start, end + 1):
            input = functions[j](input)
        return input
    return forward
