"""torch.func's differentiation transforms: `grad`, `grad_and_value`, `vjp`, `jvp`,
`jacrev`, `jacfwd` and `hessian`, with PyTorch's arguments (argnums, has_aux), pytree
inputs and outputs (tuples, lists, dicts of tensors) and errors.

They are built on reverse mode (`autograd.grad` with `create_graph`), not on
functorch's levels: each call makes fresh leaves for the differentiated inputs, runs
the function, and differentiates. Results stay connected to the caller's graph where
they depend on tensors that require grad outside the call (an input that required
grad, a captured tensor, an enclosing transform's input), so transforms nest
(`grad(grad(f))`, `jacfwd(jacrev(f))`, `vmap(grad(f))`) and ordinary `backward`
sees through them; elsewhere they come back detached, as PyTorch's. `jvp` and
`jacfwd` compute forward-mode products with the double backward trick and row by row
reverse passes respectively (there is no forward-mode AD here): the values are
PyTorch's, the cost is reverse mode's."""
import functools
import numbers

from ..autograd import enable_grad, grad as autograd_grad, is_grad_enabled
from ..ops.creation import eye, zeros, zeros_like
from ..ops.shape import cat, stack
from ..random import get_rng_state, set_rng_state
from ..tensor import Tensor
from . import _pytree as pytree

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian"]

RANDOMNESS = ("error", "different", "same")
RANDOM_IN_ERROR_MODE = ("vmap: called random operation while in randomness error mode. Please either use the "
                        "'same' or 'different' randomness flags on vmap or perform the randomness operation "
                        "out of vmap")


# ---- helpers shared by the transforms -------------------------------------------------------
def check_randomness(randomness):
    """Raise PyTorch's RuntimeError for a `randomness` other than 'error', 'different', 'same'."""
    if randomness not in RANDOMNESS:
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. "
                           f"Got {randomness}")


def _argnums(argnums, nargs):
    """`argnums` checked against `nargs` positional inputs, as a tuple of indices >= 0."""
    items = argnums if isinstance(argnums, tuple) else (argnums,)
    if not isinstance(argnums, (numbers.Integral, tuple)) or isinstance(argnums, bool) or any(
            not isinstance(a, numbers.Integral) or isinstance(a, bool) for a in items):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    if not items:
        raise RuntimeError("argnums must be non-empty")
    out = []
    for a in items:
        if not -nargs <= a < nargs:
            raise RuntimeError(f"Got argnum={a}, but only {nargs} positional inputs")
        out.append(int(a) % nargs)
    if len(set(out)) != len(out):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return tuple(out)


def _inner(x, outer_grad):
    """The transform's own input for `x`: a view of it when the caller's graph must see
    through (x requires grad and grad mode is on), else a fresh leaf requiring grad."""
    if not isinstance(x, Tensor):
        raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
    if not x.is_floating_point():
        raise RuntimeError(f"only Tensors of floating point dtype can require gradients (got an input of "
                           f"dtype {x.dtype})")
    if outer_grad and x.requires_grad:
        return x.view_as(x)
    return x.detach().requires_grad_()


def _wrap_args(args, nums, outer_grad):
    """`(args with the differentiated ones replaced, [(inner leaves, spec)] per argnum)`."""
    args = list(args)
    diff = []
    for a in nums:
        leaves, spec = pytree.flatten(args[a])
        ins = [_inner(x, outer_grad) for x in leaves]
        args[a] = pytree.unflatten(ins, spec)
        diff.append((ins, spec))
    return args, diff


def _reaches_outside(t, inner_ids, memo):
    """Whether `t`'s graph reaches a tensor requiring grad that is not one of the
    transform's own leaves (`inner_ids`): then the caller's autograd must see it."""
    if t.grad_fn is None:
        return id(t) not in inner_ids
    root = t.grad_fn
    if root in memo:
        return memo[root]
    stack_ = [[root, iter(root.next_functions), False]]
    while stack_:
        top = stack_[-1]
        for edge in top[1]:
            if edge is None:
                continue
            child = edge[0]
            if isinstance(child, Tensor):
                top[2] = top[2] or id(child) not in inner_ids
            elif child in memo:
                top[2] = top[2] or memo[child]
            else:
                stack_.append([child, iter(child.next_functions), False])
                break
        else:
            stack_.pop()
            memo[top[0]] = top[2]
            if stack_:
                stack_[-1][2] = stack_[-1][2] or top[2]
    return memo[root]


def lift(tree, inner, outer_grad):
    """`tree` with each tensor detached unless grad mode was on for the caller and the
    tensor depends on something requiring grad outside the transform."""
    inner_ids = {id(t) for t in inner}
    memo = {}

    def one(x):
        if isinstance(x, Tensor) and x.requires_grad:
            if not (outer_grad and _reaches_outside(x, inner_ids, memo)):
                return x.detach()
        return x
    return pytree.tree_map(one, tree)


def _split_aux(out, has_aux, api):
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True")
    for x in pytree.flatten(out[1])[0]:
        if not isinstance(x, Tensor):
            raise RuntimeError(f"{api}: Expected tensors in aux, got unsupported type {type(x)}")
    return out


def _grads(outputs, inputs, grad_outputs, create_graph):
    """autograd.grad over the outputs that require grad, zeros for unused inputs."""
    kept = [(o, g) for o, g in zip(outputs, grad_outputs) if o.requires_grad]
    if kept and inputs:
        got = autograd_grad([o for o, _ in kept], inputs, [g for _, g in kept], retain_graph=True,
                            create_graph=create_graph, allow_unused=True)
    else:
        got = [None] * len(inputs)
    return [zeros_like(x) if g is None else g for x, g in zip(inputs, got)]


def _per_argnum(values, diff, single):
    """Flat per-leaf values regrouped as the differentiated arguments' pytrees."""
    out, i = [], 0
    for ins, spec in diff:
        out.append(pytree.unflatten(values[i:i + len(ins)], spec))
        i += len(ins)
    return out[0] if single else tuple(out)


# ---- grad ------------------------------------------------------------------------------------
def grad_and_value(func, argnums=0, has_aux=False):
    """torch.func.grad_and_value: a function returning `(gradient, value)` of `func`, whose
    output must be a 0-d Tensor. The gradient is taken with respect to the positional
    argument(s) `argnums` (an int, or a tuple giving a tuple of gradients); an argument may
    be a pytree of tensors (a dict of parameters), its gradient then has the same
    structure. With `has_aux`, `func` returns `(output, aux)` and the value is
    `(output, aux)`. Inputs the output does not depend on get zero gradients.

    Raises RuntimeError for a non-scalar or non-Tensor output, bad argnums or a
    non-floating input, ValueError for a differentiated argument that is not a Tensor."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        outer = is_grad_enabled()
        nums = _argnums(argnums, len(args))
        with enable_grad():
            args, diff = _wrap_args(args, nums, outer)
            out, aux = _split_aux(func(*args, **kwargs), has_aux, "grad_and_value(f)(*args)")
            if not isinstance(out, Tensor):
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                                   f"{type(out)}")
            if out.ndim != 0:
                raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                                   f"tensor with {out.ndim} dims. Maybe you wanted to use the vjp or jacrev APIs "
                                   f"instead?")
            inner = [x for ins, _ in diff for x in ins]
            grads = _grads([out], inner, [None], outer)
        grads = lift(_per_argnum(grads, diff, isinstance(argnums, numbers.Integral)), inner, outer)
        out = lift(out, inner, outer)
        if has_aux:
            return grads, (out, lift(aux, inner, outer))
        return grads, out
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """torch.func.grad: a function returning the gradient of `func` (a 0-d Tensor output)
    with respect to argument(s) `argnums`, or `(gradient, aux)` with `has_aux`. See
    `grad_and_value` for the arguments and errors. Nests (`grad(grad(f))`) and composes
    with `vmap` (per-sample gradients)."""
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        grads, value = gv(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads
    return wrapper


# ---- vjp, jvp -------------------------------------------------------------------------------
def _tensor_outputs(out, api, what="f(*primals)"):
    leaves, spec = pytree.flatten(out)
    for x in leaves:
        if not isinstance(x, Tensor):
            raise RuntimeError(f"{api}: expected {what} to return only tensors, got unsupported type {type(x)}")
    return leaves, spec


def vjp(func, *primals, has_aux=False):
    """torch.func.vjp: `(func(*primals), vjp_fn)` (and `aux` with `has_aux`). `vjp_fn(cotangents)`,
    cotangents with the structure and shapes of the output, returns a tuple with one
    gradient per primal (each shaped as its primal, a pytree for a pytree primal); it may
    be called many times. Raises RuntimeError when the cotangents' structure or shapes differ
    from the output's, or the output holds something other than tensors."""
    outer = is_grad_enabled()
    with enable_grad():
        leaves, spec = pytree.flatten(primals)
        ins = [_inner(x, outer) for x in leaves]
        out, aux = _split_aux(func(*pytree.unflatten(ins, spec)), has_aux, "vjp(f, *primals)")
        out_leaves, out_spec = _tensor_outputs(out, "vjp(f, *primals)")

    def vjp_fn(cotangents):
        """The vector-Jacobian product for `cotangents` (shaped as the output): one gradient per primal."""
        ct_leaves, ct_spec = pytree.flatten(cotangents)
        if ct_spec != out_spec:
            raise RuntimeError(f"Expected pytree structure of cotangents to be the same as pytree structure of "
                               f"outputs to the function. cotangents: {ct_spec}, primal output: {out_spec}")
        for i, (o, c) in enumerate(zip(out_leaves, ct_leaves)):
            if not isinstance(c, Tensor):
                raise ValueError(f"Thing passed to transform API must be Tensor, got {type(c)}")
            if tuple(c.shape) != tuple(o.shape):
                raise RuntimeError(f"vjp_fn: cotangent {i} has shape {tuple(c.shape)}, but the output it goes "
                                   f"with has shape {tuple(o.shape)}")
        outer_now = is_grad_enabled()
        with enable_grad():
            grads = _grads(out_leaves, ins, ct_leaves, outer_now)
        return lift(pytree.unflatten(grads, spec), ins, outer_now)

    out = lift(out, ins, outer)
    if has_aux:
        return out, vjp_fn, lift(aux, ins, outer)
    return out, vjp_fn


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """torch.func.jvp: `(func(*primals), J @ tangents)` (and `aux` with `has_aux`). `primals`
    and `tangents` are tuples of the same structure and shapes; the product has the
    structure of the output. Computed with the double backward trick (reverse mode twice),
    not forward-mode AD; a tangent of another float dtype is cast to its primal's.

    `strict` is accepted and ignored, as PyTorch's is.

    Raises RuntimeError when primals is not a tuple, the structures or shapes differ, or
    the output holds something other than tensors."""
    if not isinstance(primals, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it should be valid "
                           "to call f(*primals).")
    p_leaves, p_spec = pytree.flatten(primals)
    t_leaves, t_spec = pytree.flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(f"jvp(f, primals, tangents): Expected primals and tangents to have the same python "
                           f"structure. For example, if primals is a tuple of 3 tensors, tangents also must be. "
                           f"Got primals with structure {p_spec} and tangents with structure {t_spec}")
    for p, t in zip(p_leaves, t_leaves):
        for x in (p, t):
            if not isinstance(x, Tensor):
                raise ValueError(f"Thing passed to transform API must be Tensor, got {type(x)}")
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(f"jvp: Trying to set a forward gradient that has a different size than that of the "
                               f"original Tensor, this is not supported. Tensor is of size {list(p.shape)} while "
                               f"the given forward gradient is of size {list(t.shape)}.")
    t_leaves = [t if t.dtype == p.dtype else t.to(p.dtype) for p, t in zip(p_leaves, t_leaves)]
    outer = is_grad_enabled()
    with enable_grad():
        ins = [_inner(x, outer) for x in p_leaves]
        out, aux = _split_aux(func(*pytree.unflatten(ins, p_spec)), has_aux, "jvp(f, primals, tangents)")
        out_leaves, out_spec = _tensor_outputs(out, "jvp(f, primals, tangents)")
        diff = [i for i, o in enumerate(out_leaves) if o.requires_grad]
        us = [zeros_like(out_leaves[i]).requires_grad_() for i in diff]
        firsts = _grads([out_leaves[i] for i in diff], ins, us, True)  # u^T J, linear in u
        products = _grads(firsts, us, t_leaves, outer)  # d(u^T J t)/du = J t
        jv = [zeros_like(o) for o in out_leaves]
        for k, i in enumerate(diff):
            jv[i] = products[k]
    inner = ins + us
    result = (lift(out, inner, outer), lift(pytree.unflatten(jv, out_spec), inner, outer))
    return result + (lift(aux, inner, outer),) if has_aux else result


# ---- Jacobians, Hessian -----------------------------------------------------------------------
def _jacobian_rows(o, inner, create_graph):
    """For output `o`: per inner input, the Jacobian of shape o.shape + input.shape."""
    n = o.numel()
    rows = [[] for _ in inner]
    if n and o.requires_grad and inner:
        basis = eye(n, dtype=o.dtype)
        for k in range(n):
            got = autograd_grad([o], inner, [basis[k].reshape(o.shape)], retain_graph=True,
                                create_graph=create_graph, allow_unused=True)
            for j, g in enumerate(got):
                rows[j].append(zeros_like(inner[j]) if g is None else g)
    jacs = []
    for x, r in zip(inner, rows):
        shape = tuple(o.shape) + tuple(x.shape)
        jacs.append(stack(r).reshape(shape) if r else zeros(shape, dtype=x.dtype))
    return jacs


def _lift_group(blocks, inner, outer_grad):
    """`blocks` lifted as one tensor would be (see `_jacobian`): views of their joined,
    lifted values (blocks of differing dtypes are lifted one by one)."""
    if len({b.dtype for b in blocks}) != 1 or len(blocks) == 1:
        return [lift(b, inner, outer_grad) for b in blocks]
    joined = lift(cat([b.reshape(-1) for b in blocks]), inner, outer_grad)
    out, start = [], 0
    for b in blocks:
        n = b.numel()
        out.append(joined[start:start + n].reshape(b.shape))
        start += n
    return out


def _jacobian(func, argnums, has_aux, api, randomness=None):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        outer = is_grad_enabled()
        nums = _argnums(argnums, len(args))
        state = get_rng_state() if randomness == "error" else None
        with enable_grad():
            args, diff = _wrap_args(args, nums, outer)
            out, aux = _split_aux(func(*args, **kwargs), has_aux, "vjp(f, *primals)")
            if state is not None and get_rng_state() != state:
                set_rng_state(state)
                raise RuntimeError(RANDOM_IN_ERROR_MODE)
            out_leaves, out_spec = _tensor_outputs(out, "vjp(f, *primals)")
            inner = [x for ins, _ in diff for x in ins]
            blocks = [_jacobian_rows(o, inner, outer) for o in out_leaves]
        # PyTorch computes jacrev's blocks of one input together (a vjp batched over every
        # output's rows) and jacfwd's blocks of one output together (a jvp batched over
        # every input's elements): a block is connected to the caller's graph when any
        # block of its group is, so the groups are joined, lifted and split again
        if api == "jacrev":
            for j in range(len(inner)):
                for o, b in enumerate(_lift_group([row[j] for row in blocks], inner, outer)):
                    blocks[o][j] = b
        else:
            blocks = [_lift_group(row, inner, outer) for row in blocks]
        single = isinstance(argnums, numbers.Integral)
        jac = pytree.unflatten([_per_argnum(row, diff, single) for row in blocks], out_spec)
        return (jac, lift(aux, inner, outer)) if has_aux else jac
    wrapper.__doc__ = f"The Jacobian of {getattr(func, '__name__', 'f')} ({api})."
    return wrapper


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """torch.func.jacrev: a function returning the Jacobian of `func` with respect to
    argument(s) `argnums`: for each output leaf a tensor of shape output.shape +
    input.shape (a pytree of them for a pytree argument, a tuple for tuple argnums),
    arranged as the output's pytree; `(jacobian, aux)` with `has_aux`. Computed by one
    reverse pass per output element; `chunk_size` (a positive int or None) is checked and
    does not change the values.

    Raises ValueError for a non-positive chunk_size, and the errors of `grad`'s argnums."""
    if chunk_size is not None and not (isinstance(chunk_size, numbers.Integral) and chunk_size > 0):
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")
    return _jacobian(func, argnums, has_aux, "jacrev")


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """torch.func.jacfwd: the Jacobian of `func` as `jacrev` gives it (same structure and
    values), computed here by reverse passes (there is no forward-mode AD). `randomness`
    is vmap's: with "error" (the default) a function that draws random numbers raises
    RuntimeError, as PyTorch's does."""
    check_randomness(randomness)
    return _jacobian(func, argnums, has_aux, "jacfwd", randomness)


def hessian(func, argnums=0):
    """torch.func.hessian: `jacfwd(jacrev(func, argnums), argnums)`, the second derivatives
    of `func` with respect to argument(s) `argnums` (shape output.shape + input.shape +
    input.shape for one tensor argument)."""
    return jacfwd(jacrev(func, argnums), argnums)
