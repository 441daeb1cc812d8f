"""Table entries of sparse COO tensors (ops/sparse.py): sparse_coo_tensor, the dense
round trip (to_sparse, to_dense), coalesce, the sparse times dense products
(sparse.mm, spmm, mm and matmul with a sparse first operand) and sparse.sum.

Sparse arguments are dense leaves seen through the layouts "sparse" and "uncoalesced"
(opinfo.T), so gradients reach the dense leaves in both libraries. Sparse results are
compared by layout, coalesced flag, indices and stored values (tests/helpers.py), and
enter the gradient checks through `to_dense()`.

A gradient through a sparse pattern is PyTorch's by definition, not the derivative:
finite differences move a zero entry into the pattern, which the gradient (masked to
the pattern, or to the stored values) doesn't see. The entries with zeros in their
patterns are therefore compared with PyTorch's gradients only, and each op has a
second entry on full patterns (`_full`, float64) where gradcheck and gradgradcheck run."""
import copy

from .. import linalg
from .. import sparse as ops
from ..opinfo import BF16, FLOATS, INTS, Dtype, OpInfo, S, T


def _sparse(*shape, **kw):
    return T(*shape, layout="sparse", **kw)


def _uncoalesced(*shape, **kw):
    return T(*shape, layout="uncoalesced", **kw)


def _indices(*shape, high):
    return T(*shape, kind="index", low=0, high=high)


CONSTRUCTION = [
    S(_indices(2, 6, high=3), T(6), (3, 4)),  # random positions: duplicates, unsorted
    S(_indices(2, 6, high=3), T(6)),  # the size inferred from the indices
    S(_indices(1, 4, high=3), T(4, 2), (3, 2)),  # hybrid: one sparse dim, one dense
    S(_indices(2, 1, high=2), T(1), (2, 2)),  # one entry: coalesced, as PyTorch marks it
    S(_indices(2, 0, high=1), T(0), (2, 3)),
    S(_indices(2, 5, high=2), T(5), (2, 2), dtype=Dtype("float64")),
    S(_indices(3, 4, high=2), T(4), size=(2, 2, 3)),
]

TO_SPARSE = [
    S(T(3, 4, zeros=0.4)), S(T(3, 4, zeros=0.4), 1), S(T(2, 3, 2, zeros=0.5), 2),
    S(T(4, 3, layout="transposed", zeros=0.4)), S(T(2, 5, layout="strided", zeros=0.4)),
    S(T(5, zeros=0.4)), S(T(0, 3)), S(T()), S(T(3, 4, zeros=1.0)),
]

TO_DENSE = [
    S(_sparse(3, 4)), S(_uncoalesced(3, 4)), S(_sparse(2, 3, 2)), S(_uncoalesced(5)),
    S(_uncoalesced(0, 3)), S(_sparse(3, 4, zeros=1.0)), S(T(3, 4)), S(T(3, 4), Dtype("float64")),
]

COALESCE = [
    S(_uncoalesced(3, 4)), S(_sparse(3, 4)), S(_uncoalesced(2, 3, 2)), S(_uncoalesced(6)),
    S(_uncoalesced(0, 3)), S(_uncoalesced(3, 4, zeros=1.0)),
]

PRODUCTS = [
    S(_sparse(3, 4), T(4, 2)), S(_uncoalesced(3, 4), T(4, 5)),
    S(_sparse(5, 4), T(4, 2, layout="transposed")), S(_uncoalesced(4, 3, zeros=0.7), T(3, 3)),
    S(_sparse(0, 3), T(3, 2)), S(_sparse(3, 0), T(0, 2)), S(_sparse(3, 4, zeros=1.0), T(4, 2)),
]

SUMS = [
    S(_sparse(3, 4)), S(_uncoalesced(3, 4), 0), S(_uncoalesced(3, 4), -1), S(_sparse(3, 4), (0, 1)),
    S(_uncoalesced(2, 3, 2), (0, 2)), S(_sparse(2, 3, 2), 1), S(_sparse(3, 4), dtype=Dtype("float64")),
    S(_sparse(0, 3)),
]

def _full(samples):
    """The samples with no zeros in their sparse patterns: the pattern stays put under
    finite differences, so gradcheck and gradgradcheck apply."""
    out = []
    for sample in samples:
        def full(v):
            if isinstance(v, T) and v.layout in ("sparse", "uncoalesced"):
                v = copy.copy(v)
                v.zeros = 0.0
            return v
        out.append(S(*map(full, sample.args), **{k: full(v) for k, v in sample.kwargs.items()}))
    return out


def _pair(name, fn, samples, dtypes=FLOATS + BF16, **kw):
    """The entry on patterns with zeros (compared with PyTorch, no finite differences)
    and its full-pattern twin (float64, gradcheck and gradgradcheck)."""
    return [OpInfo(name, fn, samples, dtypes=dtypes, gradcheck=False, twice=False, **kw),
            OpInfo(name, fn, _full(samples), dtypes=("float64",), **kw)]


ENTRIES = [
    OpInfo("sparse_coo_tensor", ops.sparse_coo_tensor, CONSTRUCTION, methods=(),
           dtypes=FLOATS + BF16 + INTS),
    OpInfo("to_sparse", ops.to_sparse, TO_SPARSE, namespace="Tensor", dtypes=FLOATS + BF16 + INTS,
           gradcheck=False, twice=False,  # masked to the pattern, as PyTorch's
           note="the gradient is PyTorch's: 0 at the entries that were 0"),
    *_pair("to_dense", ops.to_dense, TO_DENSE, namespace="Tensor", dtypes=FLOATS + BF16 + INTS),
    *_pair("coalesce", ops.coalesce, COALESCE, namespace="Tensor", dtypes=FLOATS + BF16 + INTS),
    *_pair("mm", ops.mm, PRODUCTS + [S(T(3, 4), T(4, 2))], namespace="sparse"),  # dense: mm
    *_pair("sum", ops.sum, SUMS, namespace="sparse", dtypes=FLOATS + BF16 + INTS),
    *_pair("spmm", ops.spmm, PRODUCTS + [S(T(3, 4), T(4, 2))], methods=()),
    # the dense ops' sparse forms (their dense samples are in ops/table/linalg.py)
    *_pair("mm", linalg.mm, PRODUCTS),
    *_pair("matmul", linalg.matmul, PRODUCTS + [S(_uncoalesced(3, 4), T(4))],
           note="the operator form (`@`) is tests/test_sparse.py's"),
]
