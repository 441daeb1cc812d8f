"""Sparse COO tensors: `sparse_coo_tensor`, `to_sparse`, `to_dense`, `coalesce`, the
sparse times dense product (`sparse.mm`, `spmm`, `mm`, `@` on either side; the kernel
and its ops: ops/sparse_products.py), `dense + sparse` and `sparse.sum`, with
PyTorch's gradients.

Design: `SparseCOOTensor` is a small Tensor subclass (so `isinstance(x, ag.Tensor)`
holds, as in PyTorch) holding an int64 index array (sparse_dim, nnz), a dense values
Tensor (nnz, *dense_dims) and a size. Autograd runs on the values tensor: every op on a
sparse tensor is an op on its values (a product, a segment sum, a scatter into a dense
tensor), so gradients, hooks and higher orders come from the ordinary machinery, and the
dense Tensor's hot paths are untouched. `requires_grad`, `grad_fn` and `grad` forward to
the values; `grad` is shown as a sparse tensor on the (coalesced) pattern, as PyTorch's.
One exception: a tensor made by `to_sparse` from a dense tensor that requires grad keeps
it as its source, and the ops PyTorch gives a dense gradient for a sparse operand (mm,
@, spmm, dense + sparse) send theirs there whole, as PyTorch's to_sparse passes it on.
Reading a sparse tensor's dense array (`_data`) raises, so a dense op given a sparse
tensor fails with a clear message instead of computing on the values.
"""
import numpy as np

from .. import _dtypes
from ..autograd.node import Op
from ..devices import cpu_only, parse_to
from ..formats import sparse_coo
from ..kernels import lazy as kernels
from ..size import as_size
from ..tensor import Tensor, _check_dim, format_array
from ._util import ShapeError, as_tensor, const, wide
from .creation import tensor
from .index import index_select
from .linalg import mm as dense_mm
from .reduce import sum as dense_sum
from .shape import reshape, squeeze, unsqueeze
from .sparse_products import DenseSourceMM, Pattern, SparseDenseMM

_DENSE_ONLY = ("this operation needs a dense tensor, but got a sparse COO tensor of size {size} "
               "(layout=sparse_coo); sparse tensors support to_dense(), coalesce(), indices(), "
               "values(), sparse.mm / @ with a dense matrix and sparse.sum; call .to_dense() first")


# ---- coalescing and scattering ------------------------------------------------------------
class SegmentSum(Op):
    """out[j] = the sum of v[k] over the k with group[k] == j (coalescing duplicates,
    summing over dims); the gradient gathers."""

    @wide
    def forward(ctx, v, group, n):
        ctx.group = group
        out = np.zeros((n,) + v.shape[1:], v.dtype)
        if group.size:
            kernels.scatter.index_add_rows(out, group, v)
        return out

    def backward(ctx, g):
        return index_select(g, 0, ctx.group)


class ScatterToDense(Op):
    """The dense tensor of `shape` holding v[k] at the flat sparse position lin[k]
    (duplicates summed); the gradient gathers."""

    @wide
    def forward(ctx, v, lin, shape):
        ctx.lin, ctx.shape = lin, shape
        n = int(np.prod(shape[:len(shape) - v.ndim + 1], dtype=np.int64))
        ctx.flat = (n,) + v.shape[1:]
        out = np.zeros(ctx.flat, v.dtype)
        if lin.size:
            kernels.scatter.index_add_rows(out, lin, v)
        return out.reshape(shape)

    def backward(ctx, g):
        return index_select(reshape(g, ctx.flat), 0, ctx.lin)


class DenseOfSource(Op):
    """A sparse tensor's dense value (`value`), differentiated as the dense tensor
    `to_sparse` made it from: the gradient passes whole."""

    def forward(ctx, source, value):
        return value

    def backward(ctx, g):
        return g


class SparseCooTensorWithDimsAndTensors(Op):
    """Values that require grad, seen by the sparse tensor made from them (PyTorch's node
    of that name): the sparse tensor is not a leaf, the gradient passes to the values."""

    is_view = True

    def forward(ctx, v):
        return v.view()

    def backward(ctx, g):
        return g


# ---- the tensor ------------------------------------------------------------------------------
class SparseCOOTensor(Tensor):
    """A sparse COO tensor: int64 indices (sparse_dim, nnz), values (nnz, *dense_dims) and
    a size. See the module docstring for how autograd reaches it."""

    __slots__ = ("_idx", "_v", "_size", "_coalesced", "_pattern", "_source")
    layout = sparse_coo
    is_sparse = True

    # ---- what a dense Tensor stores directly, forwarded or refused ----------------------
    @property
    def _data(self):
        raise RuntimeError(_DENSE_ONLY.format(size=self._size))

    @property
    def _requires_grad(self):
        return self._v._requires_grad

    @property
    def requires_grad(self):
        return self._v._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self._v.requires_grad = value

    @property
    def grad_fn(self):
        return self._v.grad_fn

    @property
    def is_leaf(self):
        return self._v.grad_fn is None

    @property
    def grad(self):
        """The gradient as a sparse tensor on the pattern's distinct positions, sorted (the
        gradient of the matrix's value at each stored position). Flagged uncoalesced,
        as PyTorch flags its sparse gradients."""
        g = self._v.grad
        if g is None:
            return None
        if self._coalesced:
            return _make(self._idx, g, self._size, False)
        _, first, idx = _unique_positions(self._idx, self._size)
        return _make(idx, index_select(g, 0, first), self._size, False)

    @grad.setter
    def grad(self, value):
        if value is None:
            self._v.grad = None
            return
        if not (isinstance(value, SparseCOOTensor) and self._coalesced and value._v.shape == self._v.shape
                and np.array_equal(value._idx, self._idx)):
            raise RuntimeError("grad: a sparse tensor's grad can be set to None, or (coalesced tensors) to "
                               "a sparse tensor with the same indices")
        self._v.grad = value._v

    @property
    def data(self):
        return _make(self._idx, self._v.detach(), self._size, self._coalesced)

    @property
    def shape(self):
        return as_size(self._size)

    @property
    def dtype(self):
        return self._v.dtype

    @property
    def ndim(self):
        return len(self._size)

    def size(self, dim=None):
        if dim is None:
            return self.shape
        return self._size[_check_dim(dim, len(self._size), "size")]

    def dim(self):
        return len(self._size)

    def numel(self):
        return int(np.prod(self._size, dtype=np.int64))

    def __len__(self):
        if not self._size:
            raise TypeError("len() of a 0-d tensor")
        return self._size[0]

    def is_floating_point(self):
        return self._v.is_floating_point()

    def is_contiguous(self):
        raise RuntimeError("is_contiguous: sparse tensors do not have is_contiguous")

    def element_size(self):
        return self._v.element_size()

    def detach(self):
        return _make(self._idx, self._v.detach(), self._size, self._coalesced)

    def requires_grad_(self, requires_grad=True):
        self._v.requires_grad_(requires_grad)
        return self

    # ---- pickle and copy: indices, values (a leaf), size, the coalesced flag --------------
    def __reduce_ex__(self, protocol):
        return _rebuild_sparse, (self._idx, self._v.detach(), self._size, self._coalesced, self.requires_grad)

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("deepcopy: only tensors created explicitly by the user (graph leaves) can be "
                               "deep-copied; this one has a grad_fn (detach() it first)")
        values = self._v.detach().clone()
        values.requires_grad = self.requires_grad
        return _make(self._idx.copy(), values, self._size, self._coalesced)

    # ---- the sparse API ----------------------------------------------------------------------
    def sparse_dim(self):
        return self._idx.shape[0]

    def dense_dim(self):
        return self._v.ndim - 1

    def _nnz(self):
        return self._idx.shape[1]

    def is_coalesced(self):
        return self._coalesced

    def _indices(self):
        return const(self._idx)

    def _values(self):
        return self._v

    def indices(self):
        if not self._coalesced:
            raise RuntimeError("Cannot get indices on an uncoalesced tensor, please call .coalesce() first")
        return const(self._idx)

    def values(self):
        if not self._coalesced:
            raise RuntimeError("Cannot get values on an uncoalesced tensor, please call .coalesce() first")
        return self._v

    def coalesce(self):
        """Duplicate positions summed, entries sorted by position (row-major)."""
        if self._coalesced:
            return self
        uniq, _, idx = _unique_positions(self._idx, self._size)
        inverse = np.searchsorted(uniq, _flat_positions(self._idx, self._size))
        return _make(idx, SegmentSum.apply(self._v, inverse, uniq.size), self._size, True)

    def to_dense(self, dtype=None, *, masked_grad=None):
        if dtype is not None:  # as PyTorch's sparse_to_dense
            raise RuntimeError("to_dense: dtype argument is not supported by sparse_to_dense (cast "
                               "first: x.to(dtype).to_dense())")
        lin = _flat_positions(self._idx, self._size)
        return ScatterToDense.apply(self._v, lin, tuple(self._size))

    def to_sparse(self, sparse_dim=None):
        if sparse_dim is not None and sparse_dim != self.sparse_dim():
            raise RuntimeError(f"to_sparse: the tensor is already sparse with sparse_dim={self.sparse_dim()}; "
                               f"changing it to {sparse_dim} is not supported")
        return self

    def to(self, *args, **kwargs):
        """`to(dtype)` (and the CPU device): the values cast, the indices shared."""
        dtype, copy = parse_to(args, kwargs, ndim=len(self._size))
        if (dtype is None or dtype == self.dtype) and not copy:
            return self
        return _make(self._idx, self._v.to(dtype or self.dtype, copy=copy), self._size, self._coalesced)

    def float(self):
        return self.to(_dtypes.float32)

    def double(self):
        return self.to(_dtypes.float64)

    def half(self):
        return self.to(_dtypes.float16)

    def bfloat16(self):
        return self.to(_dtypes.bfloat16)

    def mm(self, mat2):
        return _product(self, mat2, "mm")

    def matmul(self, other):
        return _product(self, other, "matmul")

    def __matmul__(self, other):
        return _product(self, other, "matmul")

    def __rmatmul__(self, other):
        return _product(self, other, "matmul", reflected=True)

    # dense + sparse and dense - sparse are dense, as in PyTorch (sparse + dense is refused
    # there, and here by the dense op, which can't read a sparse operand)
    def __radd__(self, other):
        return as_tensor(other, "add") + self._dense_for_dense_ops()

    def __rsub__(self, other):
        return as_tensor(other, "sub") - self._dense_for_dense_ops()

    def _dense_for_dense_ops(self):
        """The dense value; a `to_sparse` source gets the whole gradient, as PyTorch's add
        gives a sparse operand a dense gradient and to_sparse passes it on."""
        if self._source is None:
            return self.to_dense()
        value = ScatterToDense.apply(self._v.detach(), _flat_positions(self._idx, self._size), self._size)
        return DenseOfSource.apply(self._source, value._data)

    def __repr__(self):
        ind = "tensor(indices="
        pad = " " * len("tensor(")
        parts = [ind + _inner(self._idx, ind + "tensor("),
                 pad + "values=" + _inner(self._v.detach().numpy(), pad + "values=tensor(")]
        tail = [f"size={tuple(self._size)}", f"nnz={self._nnz()}"]
        if self.dtype not in (_dtypes.get_default_dtype(), _dtypes.int64, _dtypes.bool_):
            tail.append(f"dtype={self.dtype}")
        tail.append("layout=sparse_coo")
        if self.grad_fn is not None:
            tail.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self.requires_grad:
            tail.append("requires_grad=True")
        return ",\n".join(parts) + ",\n" + pad + ", ".join(tail) + ")"


def _inner(arr, prefix):
    """A component's dense repr inside the sparse one (PyTorch shows empty ones with their size)."""
    if arr.size == 0:
        return f"tensor([], size={tuple(arr.shape)})"
    return "tensor(" + format_array(arr, prefix) + ")"


def _make(idx, values, size, coalesced, source=None):
    """A sparse tensor; `source` is the dense tensor `to_sparse` gathered the values from
    (when it requires grad): products that give the sparse operand a dense gradient
    (mm, matmul, @, spmm) send it there."""
    t = object.__new__(SparseCOOTensor)
    t._idx, t._v, t._size, t._coalesced = idx, values, tuple(int(s) for s in size), coalesced
    t._pattern, t._source = None, source
    return t


def _rebuild_sparse(idx, values, size, coalesced, requires_grad):
    """A pickled sparse tensor: a leaf whose values require grad as the original's did."""
    values.requires_grad = requires_grad
    return _make(idx, values, size, coalesced)


def _flat_positions(idx, size):
    """Each entry's row-major position among the sparse dims (int64)."""
    sparse_sizes = size[:idx.shape[0]]
    if idx.shape[1] == 0 or idx.shape[0] == 0:  # no entries, or sparse_dim 0: all at position 0
        return np.zeros(idx.shape[1], np.int64)
    return np.ravel_multi_index(tuple(idx), sparse_sizes).astype(np.int64)


def _unique_positions(idx, size):
    """(sorted unique flat positions, the first entry at each, their index array)."""
    lin = _flat_positions(idx, size)
    uniq, first = np.unique(lin, return_index=True)
    sparse_sizes = size[:idx.shape[0]]
    coords = np.array(np.unravel_index(uniq, sparse_sizes), dtype=np.int64).reshape(idx.shape[0], -1)
    return uniq, first, coords


# ---- construction ------------------------------------------------------------------------------
def sparse_coo_tensor(indices, values, size=None, *, dtype=None, device=None, pin_memory=False,
                      requires_grad=False, check_invariants=None, is_coalesced=None):
    """A sparse COO tensor with `values[k]` at position `indices[:, k]` (duplicates add
    up when coalesced or made dense). `size` defaults to the smallest that holds the
    indices. `values` that require grad pass their gradient on (the tensor is then not a
    leaf); `requires_grad=True` makes a leaf whose `.grad` is sparse."""
    op = "sparse_coo_tensor"
    cpu_only(device, op)
    idx = indices._data if isinstance(indices, Tensor) else np.asarray(indices)
    if idx.dtype.kind not in "iu" and not (idx.size == 0 and idx.dtype.kind == "f"):
        raise TypeError(f"{op}: indices must be an int64 tensor, got {idx.dtype}")
    idx = idx.astype(np.int64)
    if idx.ndim != 2:
        raise ShapeError(f"{op}: indices must be sparse_dim x nnz, but got: {list(idx.shape)}")
    vals = values if isinstance(values, Tensor) else tensor(values)
    if isinstance(vals, SparseCOOTensor):
        raise TypeError(f"{op}: values must be a dense tensor, got a sparse one")
    if dtype is not None:
        vals = vals.to(_dtypes.to_dtype(dtype))
    if vals.ndim == 0:
        raise ShapeError(f"{op}: values must have at least one dim (nnz, *dense_dims), got a 0-d tensor")
    sparse_dim, nnz = idx.shape
    if vals.shape[0] != nnz:
        raise ShapeError(f"{op}: indices and values must have same nnz, but got nnz from indices: "
                         f"{nnz}, nnz from values: {vals.shape[0]}")
    if nnz and idx.min() < 0:
        d = int(np.argmax(idx.min(axis=1) < 0))
        raise RuntimeError(f"{op}: found negative index {int(idx[d].min())} for dim {d}")
    dense_shape = tuple(vals.shape[1:])
    if size is None:
        sparse_sizes = tuple(int(m) + 1 for m in idx.max(axis=1)) if nnz else (0,) * sparse_dim
        size = sparse_sizes + dense_shape
    else:
        size = tuple(int(s) for s in size)
        if len(size) != sparse_dim + len(dense_shape):
            raise ShapeError(f"{op}: 'len(size) == sparse_dim + dense_dim' is not satisfied: len(size) = "
                             f"{len(size)}, sparse_dim = {sparse_dim}, dense_dim = {len(dense_shape)}")
        if size[sparse_dim:] != dense_shape:
            raise ShapeError(f"{op}: values has incorrect size, expected {list(size[sparse_dim:])} for the "
                             f"dense dims, got {list(dense_shape)}")
        for d in range(sparse_dim):
            if nnz and idx[d].max() >= size[d]:
                raise RuntimeError(f"{op}: size is inconsistent with indices: for dim {d}, size is "
                                   f"{size[d]} but found index {int(idx[d].max())}")
    if requires_grad:
        vals = vals.detach().requires_grad_(True)
    elif vals.requires_grad:
        vals = SparseCooTensorWithDimsAndTensors.apply(vals)
    coalesced = bool(is_coalesced) if is_coalesced is not None else nnz <= 1 and sparse_dim > 0
    return _make(idx, vals, size, coalesced)


def to_sparse(input, sparse_dim=None, *, layout=None):
    """The dense tensor's nonzero entries as a coalesced sparse COO tensor (over its first
    `sparse_dim` dims, all by default: an entry of the rest is kept when any value is
    nonzero). The values are gathered from `input`, so gradients reach it."""
    if isinstance(input, SparseCOOTensor):
        return input.to_sparse(sparse_dim)
    if layout is not None and layout is not sparse_coo:
        raise NotImplementedError(f"to_sparse: layout={layout!r} is not supported (only ag.sparse_coo)")
    input = as_tensor(input, "to_sparse")
    x = input._data
    sd = x.ndim if sparse_dim is None else int(sparse_dim)
    if x.ndim == 0:  # sparse_dim 0: one entry (no index) unless the value is 0
        nnz = int(x != 0)
        return _make(np.zeros((0, nnz), np.int64), reshape(input, (1,))[:nnz], (), True)
    if not 0 < sd <= x.ndim:
        raise RuntimeError(f"to_sparse: sparse_dim must be in [1, {x.ndim}] for a tensor of shape "
                           f"{x.shape}, got {sparse_dim}")
    mask = x != 0
    if sd < x.ndim:
        mask = mask.any(axis=tuple(range(sd, x.ndim)))
    coords = np.array(np.nonzero(mask), dtype=np.int64).reshape(sd, -1)
    values = input[tuple(const(c) for c in coords)]
    return _make(coords, values, x.shape, True, input if values.requires_grad else None)


def to_dense(input, dtype=None, *, masked_grad=None):
    """A sparse tensor's dense form; a dense tensor is returned as it is (cast to
    `dtype`, which only dense tensors take, as in PyTorch)."""
    if isinstance(input, SparseCOOTensor):
        return input.to_dense(dtype)
    input = as_tensor(input, "to_dense")
    return input if dtype is None else input.to(dtype)


def coalesce(input):
    """A sparse tensor with duplicate positions summed and entries sorted (itself when
    already coalesced); dense tensors have nothing to coalesce, as in PyTorch."""
    if isinstance(input, SparseCOOTensor):
        return input.coalesce()
    raise RuntimeError(f"coalesce expected sparse coordinate tensor layout but got Strided (a dense "
                       f"tensor of shape {tuple(as_tensor(input, 'coalesce').shape)})")


# ---- products ---------------------------------------------------------------------------------
def _product(sparse, dense, op, masked=False, reflected=False):
    """sparse (n, m) @ dense (m, k) or (m,), or with `reflected` dense (k, n) or (n,) @
    sparse (n, m); the sparse operand is coalesced first. Its gradient stays on its
    pattern when `masked` (torch.sparse.mm); otherwise a tensor made by `to_sparse`
    passes the dense gradient to its source, as PyTorch's mm."""
    if isinstance(dense, SparseCOOTensor):
        raise NotImplementedError(f"{op}: sparse @ sparse is not supported; make one operand dense "
                                  f"with .to_dense()")
    dense = as_tensor(dense, op)
    if sparse.sparse_dim() != 2 or sparse.dense_dim() != 0:
        raise ShapeError(f"{op}: the sparse operand must be a 2-D matrix with sparse_dim=2 and "
                         f"dense_dim=0, got size {sparse._size} with sparse_dim={sparse.sparse_dim()}")
    if dense.ndim not in (1, 2):
        raise ShapeError(f"{op}: the dense operand must be 1-D or 2-D, got shape {tuple(dense.shape)}")
    n, m = sparse._size
    if dense.shape[-1 if reflected else 0] != (n if reflected else m):
        shapes = [f"{n}x{m}", "x".join(str(s) for s in dense.shape)]
        first, second = shapes[::-1] if reflected else shapes
        raise ShapeError(f"{op}: mat1 and mat2 shapes cannot be multiplied ({first} and {second})")
    if sparse.dtype != dense.dtype:
        raise RuntimeError(f"{op}: expected the sparse and dense operands to have the same dtype, got "
                           f"{sparse.dtype} and {dense.dtype}")
    if not (sparse.is_floating_point() or sparse.dtype.kind in "iu"):
        raise TypeError(f"{op}: unsupported dtype {sparse.dtype}")
    a = sparse.coalesce()
    if a._pattern is None:
        a._pattern = Pattern(a._idx[0], a._idx[1], n, m)
    # dense @ A = (A^T @ dense^T)^T: the pattern's transposed product
    d = unsqueeze(dense, 1) if dense.ndim == 1 else (dense.transpose(0, 1) if reflected else dense)
    if a._source is not None and not masked:
        out = DenseSourceMM.apply(a._source, d, a._pattern, reflected)
    else:
        out = SparseDenseMM.apply(a._v, d, a._pattern, reflected)
    if dense.ndim == 1:
        return squeeze(out, 1)
    return out.transpose(0, 1) if reflected else out


def mm(mat1, mat2):
    """torch.sparse.mm: sparse COO (n, m) @ dense (m, k). The gradient of the sparse
    operand is sparse, on its coalesced pattern; the dense operand's is dense."""
    if not isinstance(mat1, SparseCOOTensor):  # two dense operands: mm, as PyTorch
        return dense_mm(as_tensor(mat1, "sparse.mm"), as_tensor(mat2, "sparse.mm"))
    return _product(mat1, mat2, "sparse.mm", masked=True)


def spmm(input, mat2):
    """torch.spmm: sparse COO (n, m) @ dense (m, k) with mm's gradients (a sparse operand
    made by to_sparse passes the dense gradient on; stored values get theirs)."""
    if not isinstance(input, SparseCOOTensor):  # two dense operands: mm, as PyTorch
        return dense_mm(as_tensor(input, "spmm"), as_tensor(mat2, "spmm"))
    return _product(input, mat2, "spmm")


def sum(input, dim=None, dtype=None):
    """torch.sparse.sum: over every dim a dense 0-d tensor; over some dims a sparse tensor
    of the rest (a dense one when every sparse dim is summed)."""
    if not isinstance(input, SparseCOOTensor):
        raise TypeError("sparse.sum: expected a sparse COO tensor")
    v = input._v if dtype is None else input._v.to(_dtypes.to_dtype(dtype))
    if dim is None:
        return dense_sum(v)
    ndim, sd = len(input._size), input.sparse_dim()
    dims = sorted({_check_dim(d, ndim, "sparse.sum") for d in (dim if isinstance(dim, (tuple, list)) else (dim,))})
    dense_axes = tuple(d - sd + 1 for d in dims if d >= sd)
    if dense_axes:
        v = dense_sum(v, dense_axes)
    kept = [d for d in range(sd) if d not in dims]
    if not kept:
        return dense_sum(v, 0)
    idx = input._idx[kept]
    kept_size = tuple(input._size[d] for d in kept)
    sizes = kept_size + tuple(s for d, s in enumerate(input._size) if d >= sd and d not in dims)
    uniq, _, coords = _unique_positions(idx, kept_size)
    inverse = np.searchsorted(uniq, _flat_positions(idx, kept_size))
    return _make(coords, SegmentSum.apply(v, inverse, uniq.size), sizes, True)


def is_sparse(input):
    return isinstance(input, SparseCOOTensor)
