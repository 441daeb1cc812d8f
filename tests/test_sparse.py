"""Sparse COO tensors against PyTorch: construction and its checks, coalescing, dense
round trips, repr, the sparse times dense product and its gradients (to the dense
operand, and sparse on the pattern to the sparse one), sparse.sum, the Numba kernel
against a dense reference (serial and parallel), and a two-layer GCN trained in both
libraries to the same losses."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn, optim
from autograd_lite.ops.table import ENTRIES
from helpers import assert_same

pytestmark = pytest.mark.filterwarnings("ignore:Sparse invariant checks")

rng = np.random.default_rng(0)
I = [[0, 1, 1, 0, 2], [2, 0, 2, 2, 1]]  # (0, 2) twice: uncoalesced
V = [3.0, 4.0, 5.0, 1.0, -2.0]


def both(indices=I, values=V, size=(3, 3), dtype=None, **kw):
    """The same sparse tensor in both libraries (`dtype` a name such as "float64")."""
    return (ag.sparse_coo_tensor(indices, values, size, dtype=dtype and getattr(ag, dtype), **kw),
            torch.sparse_coo_tensor(indices, values, size, dtype=dtype and getattr(torch, dtype), **kw))


def same_sparse(a, t, tol=None):
    assert isinstance(a, ag.Tensor) and a.is_sparse and a.layout == ag.sparse_coo
    assert tuple(a.shape) == tuple(t.shape) and a._nnz() == t._nnz()
    assert a.is_coalesced() == t.is_coalesced()
    assert (a.sparse_dim(), a.dense_dim()) == (t.sparse_dim(), t.dense_dim())
    np.testing.assert_array_equal(a._indices().numpy(), t._indices().numpy())
    assert_same(a._values(), t._values(), tol)


# ---- construction ----------------------------------------------------------------------------
def test_construction_matches_torch():
    a, t = both()
    same_sparse(a, t)
    assert isinstance(a, ag.Tensor) and a.is_sparse and not ag.ones(2).is_sparse
    assert a.dtype == ag.float32 and a.shape == (3, 3) and a.ndim == 2 and a.dim() == 2 and a.size(1) == 3
    assert len(a) == 3 and a.numel() == 9
    a2, t2 = ag.sparse_coo_tensor(I, V), torch.sparse_coo_tensor(I, V)  # size inferred
    same_sparse(a2, t2)
    a3, t3 = both(values=[1, 2, 3, 4, 5])  # int64 values
    same_sparse(a3, t3)
    same_sparse(*both(dtype="float64"))
    a5, t5 = both([[0], [1]], [7.0], (2, 2))  # one entry: coalesced, as PyTorch marks it
    same_sparse(a5, t5)
    a6, t6 = both(np.zeros((2, 0), np.int64), np.zeros(0, np.float32), (2, 2))
    same_sparse(a6, torch.sparse_coo_tensor(torch.zeros(2, 0, dtype=torch.long), torch.zeros(0), (2, 2)))
    hybrid_a = ag.sparse_coo_tensor([[0, 2]], [[1.0, 2.0], [3.0, 4.0]], (3, 2))
    hybrid_t = torch.sparse_coo_tensor([[0, 2]], [[1.0, 2.0], [3.0, 4.0]], (3, 2))
    same_sparse(hybrid_a, hybrid_t)
    assert_same(hybrid_a.to_dense(), hybrid_t.to_dense())
    assert ag.sparse_coo_tensor(I, V, (3, 3), is_coalesced=True).is_coalesced()


@pytest.mark.parametrize("call,error,match", [
    (lambda lib: lib.sparse_coo_tensor([[0, 1]], [1.0, 2.0, 3.0]), RuntimeError, "same nnz"),
    (lambda lib: lib.sparse_coo_tensor([[0, -1]], [1.0, 2.0]), RuntimeError, "negative index -1"),
    (lambda lib: lib.sparse_coo_tensor([[0, 1], [1, 0]], [1.0, 2.0], (2, 2, 2)), RuntimeError,
     "len\\(size\\) = 3, sparse_dim = 2, dense_dim = 0"),
    (lambda lib: lib.sparse_coo_tensor([0, 1], [1.0, 2.0]), RuntimeError, "sparse_dim x nnz"),
    (lambda lib: lib.ones(2, 3).coalesce(), RuntimeError, "coalesce expected sparse coordinate tensor"),
    (lambda lib: lib.ones(2, 3).to_sparse().to_dense(lib.float64), RuntimeError,
     "dtype argument is not supported by sparse_to_dense"),
])
def test_construction_errors_as_torch(call, error, match):
    with pytest.raises(error, match=match):
        call(torch)
    with pytest.raises(error, match=match):
        call(ag)


def test_indices_are_validated_against_the_size():
    # PyTorch skips this check unless asked (check_invariants); an index past the size
    # would make the product read out of bounds, so autograd_lite always checks
    with pytest.raises(RuntimeError, match="for dim 0, size is 3 but found index 5"):
        ag.sparse_coo_tensor([[0, 5]], [1.0, 2.0], (3,))
    with pytest.raises(TypeError, match="int64"):
        ag.sparse_coo_tensor([[0.0, 1.0]], [1.0, 2.0])


def test_uncoalesced_accessors_and_coalesce():
    a, t = both()
    for fn in (lambda x: x.indices(), lambda x: x.values()):
        with pytest.raises(RuntimeError, match="uncoalesced"):
            fn(t)
        with pytest.raises(RuntimeError, match="uncoalesced"):
            fn(a)
    same_sparse(a.coalesce(), t.coalesce())
    c = a.coalesce()
    assert c.coalesce() is c
    np.testing.assert_array_equal(c.indices().numpy(), t.coalesce().indices().numpy())
    assert_same(c.values(), t.coalesce().values())


def test_dense_round_trip():
    a, t = both()
    assert_same(a.to_dense(), t.to_dense())  # duplicates add up
    x = rng.standard_normal((4, 5))
    x[x < 0.3] = 0
    for args in ((), (1,)):
        sa, st = ag.tensor(x).to_sparse(*args), torch.tensor(x).to_sparse(*args)
        same_sparse(sa, st)
        assert_same(sa.to_dense(), st.to_dense())
    assert ag.tensor(x).to_dense().shape == (4, 5)


def test_gradients_through_to_sparse_and_to_dense():
    x = rng.standard_normal((4, 5))
    x[x < 0.3] = 0
    w = rng.standard_normal((4, 5))
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    for lib, leaf in ((ag, xa), (torch, xt)):
        (leaf.to_sparse().to_dense() * lib.tensor(w)).sum().backward()
    assert_same(xa.grad, xt.grad)  # nonzero positions only, as PyTorch
    a, t = both(requires_grad=True)
    for lib, s in ((ag, a), (torch, t)):
        (s.to_dense() * lib.tensor(w[:3, :3].astype(np.float32))).sum().backward()
    same_sparse(a.grad, t.grad)


@pytest.mark.parametrize("make", [
    lambda lib: lib.sparse_coo_tensor(I, V, (3, 3)),
    lambda lib: lib.sparse_coo_tensor(I, V, (3, 3)).coalesce(),
    lambda lib: lib.sparse_coo_tensor(I, V, (3, 3), dtype=lib.float64),
    lambda lib: lib.sparse_coo_tensor(I, V, (3, 3), requires_grad=True),
    lambda lib: lib.sparse_coo_tensor([[0, 1], [1, 0]], [1, 2]),
    lambda lib: lib.sparse_coo_tensor(np.zeros((2, 0), np.int64), lib.zeros(0), (3, 3)),
    lambda lib: lib.sparse_coo_tensor([[0, 2]], [[1.5, 2.0], [3.0, 4.25]], (3, 2)),
    lambda lib: lib.tensor([[0.0, 1.5], [2.0, 0.0]]).to_sparse(),
])
def test_repr_matches_torch(make):
    assert repr(make(ag)) == repr(make(torch)).replace("torch.", "")


def test_dense_ops_refuse_a_sparse_tensor_clearly():
    a, _ = both()
    for fn in (lambda s: s + 1, lambda s: s.sum(), lambda s: ag.exp(s), lambda s: s.numpy(), lambda s: s[0]):
        with pytest.raises(RuntimeError, match="sparse COO tensor of size \\(3, 3\\).*to_dense"):
            fn(a)


# ---- products -----------------------------------------------------------------------------------
PRODUCTS = {
    "sparse.mm": lambda lib, s, d: lib.sparse.mm(s, d),
    "spmm": lambda lib, s, d: lib.spmm(s, d),
    "mm": lambda lib, s, d: lib.mm(s, d),
    "matmul": lambda lib, s, d: lib.matmul(s, d),
    "@": lambda lib, s, d: s @ d,
    "method": lambda lib, s, d: s.mm(d),
}


@pytest.mark.parametrize("name", list(PRODUCTS))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_product_values_and_dense_gradient(name, dtype):
    fn = PRODUCTS[name]
    d = rng.standard_normal((3, 4)).astype(dtype)
    a, t = both(dtype=dtype)
    da, dt = ag.tensor(d, requires_grad=True), torch.tensor(d, requires_grad=True)
    ya, yt = fn(ag, a, da), fn(torch, t, dt)
    assert_same(ya, yt)
    w = rng.standard_normal((3, 4)).astype(dtype)
    (ya * ag.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    assert_same(da.grad, dt.grad)


def test_sparse_gradient_on_the_pattern_as_torch_sparse_mm():
    for coalesce in (False, True):
        a, t = both(requires_grad=True)
        d = rng.standard_normal((3, 2)).astype(np.float32)
        sa = a.coalesce() if coalesce else a
        st = t.coalesce() if coalesce else t
        ag.sparse.mm(sa, ag.tensor(d)).sum().backward()
        torch.sparse.mm(st, torch.tensor(d)).sum().backward()
        same_sparse(a.grad, t.grad)
        a.grad = None
        assert a.grad is None


def test_values_that_require_grad_get_their_gradient():
    va, vt = ag.tensor(V, requires_grad=True), torch.tensor(V, requires_grad=True)
    sa, st = ag.sparse_coo_tensor(I, va, (3, 3)), torch.sparse_coo_tensor(I, vt, (3, 3))
    assert not sa.is_leaf and sa.requires_grad and sa.grad_fn is not None
    d = rng.standard_normal((3, 5)).astype(np.float32)
    (ag.sparse.mm(sa, ag.tensor(d)) ** 2).sum().backward()
    (torch.sparse.mm(st, torch.tensor(d)) ** 2).sum().backward()
    assert_same(va.grad, vt.grad)


def test_product_with_a_vector_and_errors():
    a, t = both()
    v = rng.standard_normal(3).astype(np.float32)
    assert_same(a @ ag.tensor(v), t @ torch.tensor(v))
    with pytest.raises(RuntimeError, match="cannot be multiplied \\(3x3 and 4x2\\)"):
        ag.sparse.mm(a, ag.ones(4, 2))
    with pytest.raises(RuntimeError, match="same dtype"):
        ag.sparse.mm(a, ag.ones(3, 2, dtype=ag.float64))
    with pytest.raises(RuntimeError, match="expected scalar type"):
        torch.sparse.mm(t, torch.ones(3, 2, dtype=torch.float64))
    dense = rng.standard_normal((3, 3)).astype(np.float32)  # two dense operands: mm, as PyTorch
    assert_same(ag.sparse.mm(ag.tensor(dense), ag.ones(3, 2)), torch.sparse.mm(torch.tensor(dense), torch.ones(3, 2)))


def test_second_derivatives_of_the_product():
    va = ag.tensor(np.array(V), requires_grad=True)
    d = ag.tensor(rng.standard_normal((3, 2)), requires_grad=True)

    def fn(v, dense):
        return ag.sparse.mm(ag.sparse_coo_tensor(I, v, (3, 3)), dense).tanh()

    assert ag.autograd.gradcheck(fn, (va, d))
    assert ag.autograd.gradgradcheck(fn, (va, d))


def test_sparse_sum_matches_torch():
    a, t = both(requires_grad=True)
    assert_same(ag.sparse.sum(a), torch.sparse.sum(t))
    for dim in (0, 1, (0, 1), -1):
        out_a, out_t = ag.sparse.sum(a, dim), torch.sparse.sum(t, dim)
        if out_t.is_sparse:
            same_sparse(out_a, out_t)
        else:
            assert_same(out_a, out_t)
    ag.sparse.sum(a, 1).to_dense().sum().backward()
    torch.sparse.sum(t, 1).to_dense().sum().backward()
    same_sparse(a.grad, t.grad)


@pytest.mark.parametrize("threads", [1, 2])
def test_kernel_against_a_dense_product(threads):
    old = ag.get_num_threads()
    ag.set_num_threads(threads)
    try:
        n, m, k, nnz = 300, 200, 64, 3000
        idx = np.stack([rng.integers(0, n, nnz), rng.integers(0, m, nnz)])
        vals = rng.standard_normal(nnz)
        dense = rng.standard_normal((m, k))
        s = ag.sparse_coo_tensor(idx, vals, (n, m), requires_grad=True)
        d = ag.tensor(dense, requires_grad=True)
        out = ag.sparse.mm(s, d)
        ref = np.zeros((n, m))
        np.add.at(ref, tuple(idx), vals)
        np.testing.assert_allclose(out.detach().numpy(), ref @ dense, rtol=1e-12, atol=1e-12)
        g = rng.standard_normal((n, k))
        out.backward(ag.tensor(g))
        np.testing.assert_allclose(d.grad.numpy(), ref.T @ g, rtol=1e-12, atol=1e-12)
        grad = s.grad
        np.testing.assert_allclose(grad._values().numpy(), (g @ dense.T)[tuple(grad._indices().numpy())],
                                   rtol=1e-12, atol=1e-12)
    finally:
        ag.set_num_threads(old)


def test_bfloat16_and_float16_values():
    a, t = both(dtype="bfloat16")
    d = rng.standard_normal((3, 4)).astype(np.float32)
    ya = ag.sparse.mm(a, ag.tensor(d).bfloat16())
    yt = torch.sparse.mm(t, torch.tensor(d).bfloat16())
    assert_same(ya, yt)


# ---- a graph convolutional network -------------------------------------------------------------
def _graph(n=30, edges=90, seed=0):
    g = np.random.default_rng(seed)
    src, dst = g.integers(0, n, edges), g.integers(0, n, edges)
    keep = src != dst
    edge_index = np.concatenate([np.stack([src[keep], dst[keep]]), np.stack([dst[keep], src[keep]]),
                                 np.stack([np.arange(n), np.arange(n)])], axis=1)  # symmetric, self loops
    x = g.standard_normal((n, 8))
    y = g.integers(0, 3, n)
    return edge_index, x, y


def _normalised_adjacency(lib, edge_index, n, dtype):
    """D^-1/2 A D^-1/2 from the edge list, built with the library's own ops."""
    ei = lib.tensor(edge_index)
    ones = lib.ones(ei.shape[1], dtype=dtype)
    deg = lib.zeros(n, dtype=dtype).index_add(0, ei[0], ones)
    norm = deg[ei[0]].rsqrt() * deg[ei[1]].rsqrt()
    return lib.sparse_coo_tensor(ei, norm, (n, n))


class _GCN:
    def __init__(self, lib, w1, w2):
        self.lib = lib
        self.w1 = lib.tensor(w1, requires_grad=True)
        self.w2 = lib.tensor(w2, requires_grad=True)

    def __call__(self, adj, x):
        sp = self.lib.sparse
        h = self.lib.relu(sp.mm(adj, x @ self.w1))
        return sp.mm(adj, h @ self.w2)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_gcn_trains_to_torchs_losses(dtype):
    edge_index, x, y = _graph()
    n = x.shape[0]
    g = np.random.default_rng(1)
    w1, w2 = (g.standard_normal((8, 16)) * 0.3).astype(dtype), (g.standard_normal((16, 3)) * 0.3).astype(dtype)
    losses = {}
    for lib in (ag, torch):
        dt = getattr(lib, dtype)
        adj = _normalised_adjacency(lib, edge_index, n, dt)
        model = _GCN(lib, w1, w2)
        opt = (optim if lib is ag else torch.optim).Adam([model.w1, model.w2], lr=0.05)
        xs, ys = lib.tensor(x.astype(dtype)), lib.tensor(y)
        out = []
        for _ in range(30):
            loss = lib.nn.functional.cross_entropy(model(adj, xs), ys)
            opt.zero_grad()
            loss.backward()
            opt.step()
            out.append(loss.item())
        losses[lib.__name__] = out
    ours, theirs = np.array(losses["autograd_lite"]), np.array(losses["torch"])
    assert theirs[-1] < 0.8 * theirs[0]  # it learns
    np.testing.assert_allclose(ours, theirs, rtol=1e-9 if dtype == "float64" else 1e-4)


def test_gcn_layer_as_a_module():
    """A Module holding a sparse adjacency as a plain attribute trains with an optimizer."""
    edge_index, x, y = _graph(seed=3)
    n = x.shape[0]
    adj = _normalised_adjacency(ag, edge_index, n, ag.float32)

    class GCN(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin1, self.lin2 = nn.Linear(8, 16), nn.Linear(16, 3)

        def forward(self, a, h):
            return self.lin2(ag.sparse.mm(a, self.lin1(h).relu()))

    model = GCN()
    opt = optim.Adam(model.parameters(), lr=0.05)
    xs, ys = ag.tensor(x.astype(np.float32)), ag.tensor(y)
    first = None
    for _ in range(40):
        loss = nn.functional.cross_entropy(model(adj, xs), ys)
        opt.zero_grad()
        loss.backward()
        opt.step()
        first = first if first is not None else loss.item()
    assert loss.item() < 0.7 * first


def test_every_sparse_function_is_declared_in_the_op_table():
    declared = {e.name for e in ENTRIES if e.namespace == "sparse"}
    public = {n for n in ag.sparse.__all__}
    assert public == declared
    for name in declared:
        assert hasattr(torch.sparse, name)


def test_mm_and_matmul_give_a_to_sparse_source_the_dense_gradient_as_torch():
    """torch.mm / @ / spmm give their sparse operand a dense gradient, which to_sparse
    passes on whole; torch.sparse.mm gives a sparse one, masked to the pattern."""
    x = rng.standard_normal((3, 4))
    x[x < 0.2] = 0
    d = rng.standard_normal((4, 2))
    for name in ("mm", "matmul", "spmm", "sparse.mm"):
        grads = []
        for lib in (ag, torch):
            xs, ds = lib.tensor(x, requires_grad=True), lib.tensor(d, requires_grad=True)
            fn = lib.sparse.mm if name == "sparse.mm" else getattr(lib, name)
            (fn(xs.to_sparse(), ds) ** 2).sum().backward()
            grads.append((xs.grad, ds.grad))
        for a, t in zip(*grads):
            assert_same(a, t)
    assert np.count_nonzero(grads[0][0].numpy()) < x.size  # sparse.mm: masked


def test_a_sparse_leaf_keeps_its_gradient_on_the_pattern():
    """A sparse leaf (requires_grad=True) gets its gradient on its pattern from every
    product; PyTorch's mm / @ give such a leaf a dense gradient instead (autograd
    here runs on the stored values, which have no place for the other entries)."""
    a = ag.sparse_coo_tensor(I, V, (3, 3), requires_grad=True)
    (a @ ag.ones(3, 2)).sum().backward()
    assert a.grad.is_sparse and a.grad._nnz() == 4
