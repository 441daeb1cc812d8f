"""Gradient destinations: memory a leaf's next gradient may be written into directly.

DDP averages gradients in flat buckets. Without help, backward makes each parameter's
gradient in a new array and DDP copies it into its bucket slot: on 25 MiB of
gradients that copy cost a third of the allreduce (benchmarks/ddp.py). With a
destination, the op that makes a leaf's gradient (Linear's weight gradient, one GEMM)
writes it straight into the slot, and the leaf takes that array as its `.grad`
without a copy.

A destination is a `provider()` returning the array (or None), asked when an op
wants to write the gradient, so the owner decides then whether the memory is free.
It is used at most once per registration, only while the leaf has no `.grad` and no
gradient hooks, and only for an array of the gradient's shape and dtype; a leaf that
gets a second gradient in the same backward sums into a new array as before (the
destination's content is then simply not used).
"""
_providers = {}  # id(leaf) -> (leaf, provider)
_given = {}  # id(array) -> id(leaf): written by an op this backward, for that leaf to take
_active = [False]  # a backward that accumulates into .grad is running (not autograd.grad)


def set_grad_destination(leaf, provider):
    """Let the next gradient of `leaf` be written into `provider()` (see the module
    docstring); replaces an earlier registration."""
    _providers[id(leaf)] = (leaf, provider)


def clear_grad_destination(leaf):
    """Withdraw the registration of `leaf` (if any)."""
    _providers.pop(id(leaf), None)


def destination_for(node, index, shape, dtype):
    """The array the gradient for input `index` of `node` may be written into, or
    None. Ops call this just before computing that gradient."""
    if not _providers or not _active[0]:
        return None
    edge = node.next_functions[index]
    if edge is None:
        return None
    leaf = edge[0]
    entry = _providers.get(id(leaf))
    if entry is None or entry[0] is not leaf or leaf._grad is not None or leaf._hooks:
        return None
    del _providers[id(leaf)]  # one writer per registration
    array = entry[1]()
    if array is None or array.shape != shape or array.dtype != dtype or not array.flags.c_contiguous:
        return None
    _given[id(array)] = id(leaf)
    return array


def adopt(leaf, array):
    """True if `array` was written by an op as `leaf`'s gradient destination (the leaf
    may then take it without a copy)."""
    return bool(_given) and _given.pop(id(array), None) == id(leaf)


def start_of_backward(accumulates):
    """Enter a backward: destinations serve only one that accumulates into `.grad`
    (a gradient autograd.grad returns must not live in someone's buffer). Returns
    the state to restore."""
    previous = _active[0]
    _active[0] = accumulates
    return previous


def end_of_backward(previous):
    """Leave a backward: forget what no leaf took (a gradient summed with another,
    an error)."""
    _active[0] = previous
    _given.clear()
