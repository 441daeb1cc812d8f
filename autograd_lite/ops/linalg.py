"""Matrix products through BLAS (NumPy): matmul (batched, broadcasting), mm, bmm,
dot, outer, einsum."""
import string

import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ..kernels import lazy as kernels
from ._util import ShapeError, as_tensor, binary_operands, const, wide
from .shape import Permute, expand, reshape, sum_to, sum_to_array, unsqueeze, squeeze


_BF16 = _dtypes.bfloat16


def matmul_arrays(a, b):
    """np.matmul (a large 2-D product split over threads), with bfloat16 operands
    multiplied in float32 and rounded once (PyTorch's CPU bfloat16 GEMM accumulates in
    float32)."""
    mm = kernels.workers.matmul
    if a.dtype is _BF16:
        return _dtypes.cast(mm(a.astype(np.float32), b.astype(np.float32)), _BF16)
    return mm(a, b)


class Matmul(Op):
    """a @ b for operands with at least 2 dims (1-D operands are reshaped around it)."""

    save_inputs = (0, 1)

    def forward(ctx, a, b):
        if a.dtype is _BF16:
            return matmul_arrays(a, b)
        return kernels.workers.matmul(a, b)  # np.matmul, a large 2-D product split over threads

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ea, eb = ctx.next_functions
        ga = gb = None
        if ea is not None:
            ga = sum_to(Matmul.apply2(g, _swap_last(b)), a.shape)
        if eb is not None:
            gb = sum_to(Matmul.apply2(_swap_last(a), g), b.shape)
        return ga, gb

    def fast_backward(ctx, g):
        a, b = ctx.saved_arrays
        ea, eb = ctx.next_functions
        return (sum_to_array(matmul_arrays(g, b.swapaxes(-1, -2)), a.shape) if ea is not None else None,
                sum_to_array(matmul_arrays(a.swapaxes(-1, -2), g), b.shape) if eb is not None else None)


def _swap_last(t):
    """t.mT without the argument checks (t has at least 2 dims here)."""
    n = t.ndim
    return Permute.apply(t, tuple(range(n - 2)) + (n - 1, n - 2))


def _matmul_error(a, b, op):
    return ShapeError(
        f"{op}: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be multiplied "
        f"({a.shape[-1] if a.ndim else '?'} != "
        f"{(b.shape[-2] if b.ndim > 1 else b.shape[0]) if b.ndim else '?'}) ({a.dtype}, {b.dtype})"
    )


def matmul(input, other):
    if input.is_sparse:  # a sparse COO matrix times a dense one (ops/sparse.py)
        return input.matmul(other)
    if getattr(other, "is_sparse", False):  # dense times sparse
        return other.__rmatmul__(input)
    return _matmul(input, other, "matmul")


def _matmul(input, other, op):
    """matmul, with errors naming `op` (matmul, mm or bmm)."""
    a, b = binary_operands(input, other, op)
    a = as_tensor(a, op)
    b = as_tensor(b, op)
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(
            f"{op}: both arguments need at least 1 dimension, got shapes {tuple(a.shape)} and {tuple(b.shape)}"
        )
    ka = a.shape[-1]
    kb = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if ka != kb:
        raise _matmul_error(a, b, op)
    if a.ndim > 2 and b.ndim > 2:
        try:
            np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
        except ValueError:
            raise ShapeError(
                f"{op}: batch dims of {tuple(a.shape)} and {tuple(b.shape)} cannot be broadcast"
            ) from None
    if a.ndim == 1 and b.ndim == 1:
        return Dot.apply(a, b)
    if a.ndim == 1:
        return squeeze(Matmul.apply(unsqueeze(a, 0), b), -2)
    if b.ndim == 1:
        return squeeze(Matmul.apply(a, unsqueeze(b, 1)), -1)
    return Matmul.apply(a, b)


def mm(input, mat2):
    if input.is_sparse:
        return input.mm(mat2)
    if getattr(mat2, "is_sparse", False):
        return mat2.__rmatmul__(input)
    if input.ndim != 2 or mat2.ndim != 2:
        raise ShapeError(f"mm: expected two 2-D tensors, got shapes {tuple(input.shape)} and {tuple(mat2.shape)}")
    return _matmul(input, mat2, "mm")


def bmm(input, mat2):
    if input.ndim != 3 or mat2.ndim != 3:
        raise ShapeError(f"bmm: expected two 3-D tensors, got shapes {tuple(input.shape)} and {tuple(mat2.shape)}")
    if input.shape[0] != mat2.shape[0]:
        raise ShapeError(f"bmm: batch sizes differ: {tuple(input.shape)} and {tuple(mat2.shape)}")
    return _matmul(input, mat2, "bmm")


class Dot(Op):
    save_inputs = (0, 1)

    def forward(ctx, a, b):
        return matmul_arrays(a, b)

    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ea, eb = ctx.next_functions[:2]
        return (g * b if ea is not None else None, g * a if eb is not None else None)


def dot(input, other):
    a, b = binary_operands(input, other, "dot")
    if a.ndim != 1 or b.ndim != 1:
        raise ShapeError(f"dot: expects 1-D tensors, got shapes {tuple(a.shape)} and {tuple(b.shape)}")
    if a.shape != b.shape:
        raise ShapeError(
            f"dot: inconsistent tensor size: shapes {tuple(a.shape)} and {tuple(b.shape)} must have the same "
            f"number of elements"
        )
    return Dot.apply(a, b)


vdot = dot  # dot of real tensors: no complex conjugate to take


def inner(input, other):
    """Sums over the last dim of both: result shape input.shape[:-1] + other.shape[:-1];
    a 0-d operand multiplies."""
    a, b = binary_operands(input, other, "inner")
    a, b = as_tensor(a, "inner"), as_tensor(b, "inner")
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise ShapeError(
            f"inner: the last dims of shapes {tuple(a.shape)} and {tuple(b.shape)} differ "
            f"({a.shape[-1]} != {b.shape[-1]})")
    if a.ndim == 1 and b.ndim == 1:
        return Dot.apply(a, b)
    k = a.shape[-1]
    rows = reshape(a, (-1, k)) if a.ndim != 2 else a
    cols = reshape(b, (-1, k)) if b.ndim != 2 else b
    out = Matmul.apply(rows, _swap_last(cols))  # (prod a.shape[:-1], prod b.shape[:-1])
    return reshape(out, a.shape[:-1] + b.shape[:-1])


def outer(input, vec2):
    a, b = binary_operands(input, vec2, "outer")
    if a.ndim != 1 or b.ndim != 1:
        raise ShapeError(f"outer: expects 1-D tensors, got shapes {tuple(a.shape)} and {tuple(b.shape)}")
    return unsqueeze(a, 1) * unsqueeze(b, 0)


ger = outer


# ---- einsum -------------------------------------------------------------------------------
def _parse_einsum(equation, shapes):
    """Explicit subscripts per operand and for the output, with '...' expanded."""
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->")
    else:
        lhs, rhs = eq, None
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise ShapeError(f"einsum: {len(ins)} operand subscripts for {len(shapes)} operands")
    used = set(c for c in eq if c.isalpha())
    free = [c for c in string.ascii_letters if c not in used]
    n_ell = 0
    for sub, shp in zip(ins, shapes):
        if "..." in sub:
            n_ell = max(n_ell, len(shp) - (len(sub) - 3))
    ell = "".join(free[:n_ell])
    out_ins = []
    for sub, shp in zip(ins, shapes):
        if "..." in sub:
            k = len(shp) - (len(sub) - 3)
            sub = sub.replace("...", ell[n_ell - k:] if k else "")
        if len(sub) != len(shp):
            raise ShapeError(
                f"einsum: subscripts '{sub}' do not match an operand of shape {tuple(shp)}"
            )
        out_ins.append(sub)
    if rhs is None:
        counts = {}
        for c in "".join(out_ins):
            counts[c] = counts.get(c, 0) + 1
        rhs = ell + "".join(sorted(c for c in counts if counts[c] == 1 and c not in ell))
    else:
        rhs = rhs.replace("...", ell)
    return out_ins, rhs


class Einsum(Op):
    @wide
    def forward(ctx, *ops, subs, out_sub):
        ctx.mark_saved(*range(len(ops)))
        ctx.subs, ctx.out_sub = subs, out_sub
        ctx.shapes = [o.shape for o in ops]
        eq = ",".join(subs) + "->" + out_sub
        try:
            return np.einsum(eq, *ops, optimize=len(ops) > 2)
        except ValueError as e:
            raise ShapeError(f"einsum: {e} (shapes {[o.shape for o in ops]})") from None

    def backward(ctx, g):
        ops = ctx.saved_tensors
        grads = []
        for i, edge in enumerate(ctx.next_functions):
            if edge is None:
                grads.append(None)
                continue
            grads.append(_einsum_grad(i, g, ops, ctx.subs, ctx.out_sub, ctx.shapes[i]))
        return tuple(grads)


def _einsum_grad(i, g, ops, subs, out_sub, shape):
    """d/d(operand i): einsum of g with the other operands back to operand i's letters.
    Letters of operand i found nowhere else are summed over in the forward pass, so
    the gradient is broadcast along them; a letter repeated within operand i (a
    diagonal) is put back on the diagonal with an identity."""
    target = subs[i]
    avail = set(out_sub) | set("".join(s for j, s in enumerate(subs) if j != i))
    uniq = "".join(dict.fromkeys(target))
    kept = "".join(c for c in uniq if c in avail)
    others = [(s, o) for j, (s, o) in enumerate(zip(subs, ops)) if j != i]
    eq = ",".join([out_sub] + [s for s, _ in others]) + "->" + kept
    r = einsum(eq, g, *[o for _, o in others])
    sizes = {c: shape[k] for k, c in enumerate(target)}
    if kept != uniq:  # broadcast along letters summed away in the forward pass
        r = expand(reshape(r, tuple(sizes[c] if c in kept else 1 for c in uniq)),
                   tuple(sizes[c] for c in uniq))
    if uniq != target:  # repeated letters: place values on the diagonal
        letters = list(uniq)
        extra = []
        deltas = []
        new_target = ""
        seen = set()
        free = [c for c in string.ascii_letters if c not in set("".join(subs) + out_sub)]
        for c in target:
            if c in seen:
                nc = free.pop()
                new_target += nc
                extra.append(c + nc)
                deltas.append(const(np.eye(sizes[c], dtype=g.dtype)))
            else:
                seen.add(c)
                new_target += c
        eq = ",".join(["".join(letters)] + extra) + "->" + new_target
        r = einsum(eq, r, *deltas)
    if r.shape != shape:  # operand broadcast along an ellipsis dim of size 1
        r = sum_to(r, shape)
    return r


def _sublist_equation(args):
    """PyTorch's sublist form, `einsum(a, [0, 1], b, [1, 2], [0, 2])` (the output sublist
    optional), as (equation, operands): subscripts 0-25 become A-Z and 26-51 a-z, so the
    implicit output keeps their numeric order; Ellipsis becomes '...'."""
    args = list(args)
    out = args.pop() if len(args) % 2 else None

    def letters(sub):
        chars = []
        for s in sub:
            if s is Ellipsis:
                chars.append("...")
            elif isinstance(s, int) and 0 <= s < 52:
                chars.append(string.ascii_uppercase[s] if s < 26 else string.ascii_lowercase[s - 26])
            else:
                raise ValueError(f"einsum(): subscript {s!r} in a subscript list is not within the "
                                 f"valid range [0, 52)")
        return "".join(chars)

    equation = ",".join(letters(sub) for sub in args[1::2])
    return equation + ("" if out is None else "->" + letters(out)), args[0::2]


def einsum(equation, *operands):
    if not isinstance(equation, str):
        equation, operands = _sublist_equation((equation,) + operands)
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    ops = [as_tensor(o, "einsum") for o in operands]
    dtypes = {o.dtype for o in ops}
    if len(dtypes) > 1:
        dt = _dtypes.result_type(*[o._data for o in ops])
        ops = [o.to(dt) for o in ops]
    subs, out_sub = _parse_einsum(equation, [o.shape for o in ops])
    for s, o in zip(subs, ops):
        seen = {}
        for c, n in zip(s, o.shape):
            if seen.setdefault(c, n) != n:
                raise ShapeError(f"einsum: subscript '{c}' has sizes {seen[c]} and {n} in one operand")
    return Einsum.apply(*ops, subs=subs, out_sub=out_sub)
