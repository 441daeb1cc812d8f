"""A leaf's gradients are kept as they arrive and summed when backward ends: small and
large ones, their order, and every form of stacking them."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite.autograd.engine import _sum_parts
from tests.helpers import assert_same


# ---- a leaf's gradients are summed when backward ends ------------------------------------
@pytest.mark.parametrize("shape,uses", [((4, 4), 60), ((), 30), ((1,), 30), ((300, 250), 6)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_leaf_used_many_times_sums_all_its_gradients(rng, shape, uses, dtype):
    """Many small gradients into one leaf (summed in one call), and large ones (summed as
    they come, in place): both equal the in-order sum and match PyTorch."""
    a = rng.standard_normal(shape).astype(dtype)
    cs = [rng.standard_normal(shape).astype(dtype) for _ in range(uses)]
    grads = []
    for lib in (ag, torch):
        x = lib.tensor(a, requires_grad=True)
        out = x * 0.0
        for c in cs:
            out = out + x * lib.tensor(c)
        out.sum().backward()
        grads.append(x.grad)
    assert_same(grads[0], grads[1])
    expected = cs[-1].copy()  # arrival order: the newest op's gradient first
    for c in cs[-2::-1]:
        expected = expected + c
    np.testing.assert_allclose(grads[0]._data, expected + 0.0, rtol=1e-6 if dtype == np.float32 else 1e-13)


def test_leaf_gradients_summed_late_still_reach_hooks_and_autograd_grad(rng):
    a = rng.standard_normal((3, 2))
    x = ag.tensor(a, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g._data.copy()))
    y = (x * 2 + x * 3 + ag.tanh(x)).sum()
    (g,) = ag.autograd.grad(y, [x], retain_graph=True)
    np.testing.assert_allclose(g._data, 5 + (1 - np.tanh(a) ** 2), rtol=1e-12)
    y.backward()
    np.testing.assert_allclose(x.grad._data, g._data, rtol=0)
    assert len(seen) == 2 and np.array_equal(seen[0], seen[1])
    assert x.grad._data is not g._data


@pytest.mark.parametrize("case", ["contiguous", "transposed", "mixed_dtypes", "zero_dim", "scalars"])
def test_leaf_parts_summed_in_order_whatever_their_layout(rng, case):
    """_sum_parts joins C-contiguous parts of one dtype as bytes; transposed parts and
    mixed dtypes take np.concatenate. Every form equals the in-order sum, bit for bit."""
    parts = [rng.standard_normal((3, 5)).astype(np.float32) for _ in range(7)]
    if case == "transposed":
        parts = [np.ascontiguousarray(p.T).T for p in parts]  # same values, F-order
        parts[3] = parts[3].copy(order="C")
    elif case == "mixed_dtypes":
        parts[2] = parts[2].astype(np.float64)
    elif case == "zero_dim":
        parts = [np.asarray(p[0, 0]) for p in parts]
    elif case == "scalars":
        parts = [p[0, 0] for p in parts]  # NumPy scalars
    dtype = np.result_type(*parts)  # mixed parts are summed in the wider dtype
    expected = np.asarray(parts[0], dtype)
    for p in parts[1:]:
        expected = expected + np.asarray(p, dtype)
    total = _sum_parts(list(parts))
    assert total.__class__ is np.ndarray
    assert total.dtype == dtype and total.shape == np.shape(parts[0])
    np.testing.assert_array_equal(total, expected)
