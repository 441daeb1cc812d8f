"""torch.func.vmap as a loop: the function runs once per batch element on that
element's slices of the batched inputs, and the outputs are stacked. It is not a
batching transform (no op sees a batch dimension; the cost is B calls), but its
results, shapes, in_dims/out_dims handling, randomness modes, errors and gradients
are PyTorch's: slicing (`select`) and stacking are differentiable ops, so gradients
flow through vmap to the inputs, and vmap nests and composes with `grad`."""
import functools
import numbers

from ..ops.compare import equal
from ..ops.creation import zeros
from ..ops.shape import stack
from ..random import get_rng_state, set_rng_state
from ..tensor import Tensor
from . import _pytree as pytree
from .transforms import RANDOM_IN_ERROR_MODE, check_randomness

__all__ = ["vmap"]


def _is_int(d):
    return isinstance(d, numbers.Integral) and not isinstance(d, bool)


def _batch_size(name, in_dims, flat_args, dims):
    where = f"vmap({name}, in_dims={in_dims}, ...)(<inputs>)"
    sizes = []
    for x, d in zip(flat_args, dims):
        if d is None:
            continue
        if not _is_int(d):
            raise ValueError(f"{where}: in_dims must be made of ints and None, got {d!r}")
        if not isinstance(x, Tensor):
            raise ValueError(f"{where}: Got in_dim={d} for an input but the input is of type {type(x)}. We cannot "
                             f"vmap over non-Tensor arguments, please use None as the respective in_dim")
        if not -x.ndim <= d < x.ndim:
            raise ValueError(f"{where}: Got in_dim={d} for some input, but that input is a Tensor of "
                             f"dimensionality {x.ndim} so expected in_dim to satisfy -{x.ndim} <= in_dim < "
                             f"{x.ndim}.")
        sizes.append(x.shape[d])
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if len(set(sizes)) > 1:
        raise ValueError(f"vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                         f"{sizes} for the mapped dimension")
    return sizes[0]


def _element(x, d, i):
    """Batch element i of input `x` (mapped over dim d; None: not mapped); i None gives a
    zero element of the right shape (the one call made for an empty batch)."""
    if d is None:
        return x
    if i is None:
        shape = list(x.shape)
        del shape[d]
        return zeros(shape, dtype=x.dtype)
    return x.select(d, i)


def _stack_leaf(name, out_dims, values, od):
    first = values[0]
    if od is None:
        for v in values[1:]:
            same = v is first or (isinstance(v, Tensor) and isinstance(first, Tensor)
                                  and v.shape == first.shape and equal(v, first))
            if not same and not (not isinstance(v, Tensor) and v == first):
                raise ValueError(f"vmap({name}, ...): `{name}` can not return a BatchedTensor when out_dim is "
                                 f"None (this output differs between batch elements)")
        return first
    for v in values:
        if not isinstance(v, Tensor):
            raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(v)}. Did you "
                             f"mean to set out_dims= to None for output?")
    if not _is_int(od):
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims}): `out_dims` must be an int, None or a python "
                         f"collection of ints representing where in the outputs the vmapped dimension should "
                         f"appear.")
    nd = first.ndim + 1
    if not -nd <= od < nd:
        raise IndexError(f"vmap({name}, ..., out_dims={out_dims}): Dimension out of range (expected to be in "
                         f"range of [{-nd}, {nd - 1}], but got {od})")
    shapes = {tuple(v.shape) for v in values}
    if len(shapes) > 1:
        raise ValueError(f"vmap({name}, ...): `{name}` returned outputs of different shapes {sorted(shapes)} "
                         f"for different batch elements; vmap needs one shape")
    return stack(values, dim=od)


def _empty_leaf(name, out_dims, value, od):
    """An output of an empty batch: shaped as one element's, with a 0-size batch dim."""
    if od is None:
        return value
    if not isinstance(value, Tensor):
        raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(value)}. Did you "
                         f"mean to set out_dims= to None for output?")
    nd = value.ndim + 1
    if not _is_int(od) or not -nd <= od < nd:
        raise IndexError(f"vmap({name}, ..., out_dims={out_dims}): Dimension out of range (expected to be in "
                         f"range of [{-nd}, {nd - 1}], but got {od})")
    shape = list(value.shape)
    shape.insert(od % nd, 0)
    return zeros(shape, dtype=value.dtype)


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """torch.func.vmap: `func` mapped over a batch dimension of its inputs. It runs as a
    loop, one call per batch element with the outputs stacked, not as a batching
    transform: the results, errors and gradients are PyTorch's, the cost is B calls.

    - `in_dims`: an int (every positional input mapped over that dim), or a tuple with one
      entry per positional argument, each an int, None (not mapped: passed whole to every
      call) or a nested tuple/list/dict matching that argument's pytree. Negative dims
      count from the end. Keyword arguments are never mapped.
    - `out_dims`: where the batch dim goes in each output: an int, or a pytree prefix of
      the output; None for an output that does not depend on the batch (returned as is).
    - `randomness`: "error" (a random draw inside raises RuntimeError), "different" (each
      element draws its own numbers) or "same" (every element sees the same draws).
    - `chunk_size`: None or a positive int; accepted as PyTorch's, results do not change.

    An empty batch calls `func` once on zero-filled elements to learn the output shapes.
    Raises ValueError (PyTorch's messages) for in_dims/out_dims that do not match the
    inputs/outputs, mapped non-tensors or out-of-range dims, differing batch sizes, no
    batched input, non-tensor outputs; RuntimeError for a bad `randomness` or a random
    draw in "error" mode. Unlike PyTorch, an output with out_dims=None is only refused
    when its values differ between elements (PyTorch refuses any output that depends
    on the batch)."""
    if chunk_size is not None:
        if not _is_int(chunk_size):
            raise TypeError(f"vmap: chunk_size must be None or an int, got {type(chunk_size).__name__}")
        if chunk_size <= 0:
            raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    @functools.wraps(func)
    def wrapped(*args, **kwargs):
        name = getattr(func, "__name__", repr(func))
        check_randomness(randomness)
        if not args:
            raise ValueError(f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you are "
                             f"trying to vmap over a function with no inputs. The latter is unsupported.")
        if not (_is_int(in_dims) or isinstance(in_dims, tuple)):
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or a "
                             f"(potentially nested) tuple matching the structure of inputs, got: {type(in_dims)}.")
        flat_args, args_spec = pytree.flatten(args)
        dims = pytree.broadcast_prefix(in_dims, args)
        if dims is None:
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the "
                             f"structure of `inputs`. in_dims has structure {pytree.flatten(in_dims)[1]} but "
                             f"inputs has structure {args_spec}.")
        size = _batch_size(name, in_dims, flat_args, dims)
        start = get_rng_state()
        results = []
        for i in range(size) if size else (None,):
            if randomness == "same":
                set_rng_state(start)
            before = get_rng_state()
            elements = [_element(x, d, i) for x, d in zip(flat_args, dims)]
            results.append(func(*pytree.unflatten(elements, args_spec), **kwargs))
            if randomness == "error" and get_rng_state() != before:
                set_rng_state(before)
                raise RuntimeError(RANDOM_IN_ERROR_MODE)
        flat_results = [pytree.flatten(r) for r in results]
        out_spec = flat_results[0][1]
        for _, spec in flat_results[1:]:
            if spec != out_spec:
                raise ValueError(f"vmap({name}, ...): `{name}` returned outputs of different structures for "
                                 f"different batch elements ({out_spec} and {spec})")
        if not (out_dims is None or _is_int(out_dims) or isinstance(out_dims, (tuple, list, dict))):
            raise ValueError(f"vmap({name}, ..., out_dims={out_dims}): `out_dims` must be an int, None or a "
                             f"python collection of ints representing where in the outputs the vmapped "
                             f"dimension should appear.")
        odims = pytree.broadcast_prefix(out_dims, results[0])
        if odims is None:
            raise ValueError(f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible with "
                             f"the structure of `outputs`. out_dims has structure "
                             f"{pytree.flatten(out_dims)[1]} but outputs has structure {out_spec}.")
        if not size:
            leaves = [_empty_leaf(name, out_dims, v, od) for v, od in zip(flat_results[0][0], odims)]
        else:
            leaves = [_stack_leaf(name, out_dims, [fr[0][j] for fr in flat_results], od)
                      for j, od in enumerate(odims)]
        return pytree.unflatten(leaves, out_spec)
    return wrapped
