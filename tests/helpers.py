"""The one helper every op test uses: run the same computation in autograd_lite and in
PyTorch and compare values, shapes, dtypes and gradients."""
import numpy as np
import torch

import autograd_lite as ag

BF16 = np.dtype(ag.bfloat16)
# bfloat16 keeps 8 significant bits: PyTorch's own default rtol for it is 1.6e-2; the
# atol covers values that cancel to near zero after a few rounded steps
TOL = {np.dtype("float64"): dict(rtol=1e-7, atol=1e-9), np.dtype("float32"): dict(rtol=1e-4, atol=1e-5),
       BF16: dict(rtol=1.6e-2, atol=1e-2)}
FLOAT_DTYPES = (np.float64, np.float32)


def torch_dtype(np_dtype):
    if np.dtype(np_dtype) == BF16:
        return torch.bfloat16
    return torch.from_numpy(np.zeros(0, np_dtype)).dtype


def numpy_dtype(t_dtype):
    if t_dtype == torch.bfloat16:
        return BF16
    return torch.zeros(0, dtype=t_dtype).numpy().dtype


def to_numpy(t):
    """A PyTorch tensor's values as an array (bfloat16 as ml_dtypes' bfloat16, exactly)."""
    t = t.detach()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(BF16)
    return t.numpy()


def to_torch(arr):
    """An array as a PyTorch tensor (a bfloat16 array keeps its bits)."""
    arr = np.asarray(arr)
    if arr.dtype == BF16:
        return torch.from_numpy(arr.view(np.int16).copy()).view(torch.bfloat16)
    return torch.tensor(arr)


def _flatten(out):
    if isinstance(out, (tuple, list)):
        items = []
        for o in out:
            items.extend(_flatten(o))
        return items
    return [out]


def assert_same(a, t, tol=None, what="value"):
    """An autograd_lite result equals a PyTorch one in dtype, shape and value (a sparse
    one also in layout, coalesced flag, indices and stored values)."""
    if isinstance(t, torch.Tensor) and t.layout == torch.sparse_coo:
        assert isinstance(a, ag.Tensor) and a.is_sparse, f"{what}: torch's is sparse, ours is not"
        assert tuple(a.shape) == tuple(t.shape), f"{what}: shape {a.shape} != torch's {tuple(t.shape)}"
        assert (a.sparse_dim(), a.is_coalesced()) == (t.sparse_dim(), t.is_coalesced()), \
            f"{what}: sparse_dim, coalesced {(a.sparse_dim(), a.is_coalesced())} != torch's"
        np.testing.assert_array_equal(a._indices().numpy(), t._indices().numpy(), err_msg=what)
        assert_same(a._values(), t._values(), tol, what + " (values)")
    elif isinstance(t, torch.Tensor):
        assert isinstance(a, ag.Tensor), f"{what}: expected a Tensor, got {type(a).__name__}"
        tn = to_numpy(t)
        assert a.dtype == tn.dtype, f"{what}: dtype {a.dtype} != torch's {tn.dtype}"
        assert tuple(a.shape) == tuple(tn.shape), f"{what}: shape {a.shape} != torch's {tuple(tn.shape)}"
        tol = tol or TOL.get(tn.dtype, dict(rtol=0, atol=0))
        ours = a._data
        if tn.dtype == BF16:  # NumPy's allclose wants a native float dtype
            ours, tn = ours.astype(np.float32), tn.astype(np.float32)
        np.testing.assert_allclose(ours, tn, err_msg=what, equal_nan=True, **tol)
    else:
        assert a == t or (isinstance(t, float) and np.isclose(a, t)), f"{what}: {a} != {t}"


def compare(fn, *inputs, dtypes=FLOAT_DTYPES, grad=True, tol=None, seed=0, check_grad_dtype=True):
    """Run `fn(lib, *tensors)` with lib=ag and lib=torch on the same data, for each dtype.

    `inputs` are NumPy arrays (floats are cast to each dtype in `dtypes`; other dtypes
    are kept) or non-array constants passed through. Float inputs require grad when
    `grad`; gradients of a random weighted sum of the outputs are compared too.
    """
    rng = np.random.default_rng(seed)
    for dtype in dtypes:
        ag_in, t_in = [], []
        for x in inputs:
            if isinstance(x, np.ndarray):
                arr = x.astype(dtype) if x.dtype.kind == "f" else x.copy()
                need = grad and arr.dtype.kind == "f"
                ag_in.append(ag.tensor(arr, requires_grad=need))
                t_in.append(torch.tensor(arr, requires_grad=need))
            else:
                ag_in.append(x)
                t_in.append(x)
        out_a = fn(ag, *ag_in)
        out_t = fn(torch, *t_in)
        flat_a, flat_t = _flatten(out_a), _flatten(out_t)
        assert len(flat_a) == len(flat_t), f"{len(flat_a)} outputs != torch's {len(flat_t)}"
        for i, (a, t) in enumerate(zip(flat_a, flat_t)):
            assert_same(a, t, tol, what=f"output {i} ({np.dtype(dtype)})")
        if not grad:
            continue
        pairs = [(a, t) for a, t in zip(flat_a, flat_t)
                 if isinstance(t, torch.Tensor) and t.requires_grad and t.numel() > 0]
        if not pairs:
            continue
        loss_a, loss_t = 0, 0
        for a, t in pairs:
            w = rng.standard_normal(tuple(t.shape)).astype(numpy_dtype(t.dtype))
            loss_a = loss_a + (a * ag.tensor(w)).sum()
            loss_t = loss_t + (t * torch.tensor(w)).sum()
        loss_a.backward()
        loss_t.backward()
        for k, (a, t) in enumerate(zip(ag_in, t_in)):
            if isinstance(t, torch.Tensor) and t.requires_grad:
                if t.grad is None:
                    assert a.grad is None or not np.any(a.grad._data), f"grad {k}: torch has none"
                    continue
                assert a.grad is not None, f"grad of input {k} is None, torch's is not"
                if check_grad_dtype:
                    assert_same(a.grad, t.grad, tol, what=f"grad of input {k} ({np.dtype(dtype)})")
                else:
                    np.testing.assert_allclose(a.grad._data, t.grad.numpy(), **(tol or TOL[np.dtype(dtype)]))


def randn(*shape, seed=None, rng=None):
    rng = rng or np.random.default_rng(seed)
    return rng.standard_normal(shape)


def gradcheck(fn, *arrays, second_order=False, **kw):
    """ag.autograd.gradcheck (and gradgradcheck) of `fn(*tensors)` on float64 copies."""
    ts = [ag.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) if isinstance(a, np.ndarray)
          and a.dtype.kind == "f" else (ag.tensor(a) if isinstance(a, np.ndarray) else a) for a in arrays]
    assert ag.autograd.gradcheck(fn, ts, **kw)
    if second_order:
        assert ag.autograd.gradgradcheck(fn, ts, **kw)
