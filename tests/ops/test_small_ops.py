"""Small additions checked against PyTorch beyond the op table: the shift operators
(`<<`, `>>`, their reflected and in-place forms), can_cast over every dtype pair,
frexp's special values and errors, and Python's round() on a tensor (PyTorch defines
no __round__: both raise TypeError)."""
import itertools

import numpy as np
import pytest
import torch

import autograd_lite as ag

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32",
          "float64"]


def _ag_dtype(name):
    return ag.bfloat16 if name == "bfloat16" else np.dtype(name)


def test_shift_operators_match_pytorch():
    v = np.array([-9, -1, 0, 1, 7, 100])
    s = np.array([0, 1, 3, 63, 64, 2])
    a, t = ag.tensor(v), torch.tensor(v)
    sa, st = ag.tensor(s), torch.tensor(s)
    for fa, ft in ((lambda x, y: x << y, lambda x, y: x << y), (lambda x, y: x >> y, lambda x, y: x >> y),
                   (lambda x, y: x << 2, lambda x, y: x << 2), (lambda x, y: 3 << y, lambda x, y: 3 << y),
                   (lambda x, y: 1000 >> y, lambda x, y: 1000 >> y)):
        np.testing.assert_array_equal(fa(a, sa).numpy(), ft(t, st).numpy())
    u8a, u8t = ag.tensor([5, 200], dtype=ag.uint8), torch.tensor([5, 200], dtype=torch.uint8)
    np.testing.assert_array_equal((u8a << 3).numpy(), (u8t << 3).numpy())
    np.testing.assert_array_equal((u8a >> 9).numpy(), (u8t >> 9).numpy())


def test_in_place_shift_operators_keep_the_tensor():
    a = ag.tensor([1, 2, -3])
    same = a
    a <<= 2
    a >>= 1
    assert a is same
    np.testing.assert_array_equal(a.numpy(), [2, 4, -6])


def test_shift_errors():
    with pytest.raises(NotImplementedError, match="floating point"):
        ag.tensor([1.5]) << 1
    with pytest.raises(NotImplementedError, match="bool"):
        ag.tensor([True]) << ag.tensor([True])


def test_can_cast_matches_pytorch_for_every_pair():
    for a, b in itertools.product(DTYPES, DTYPES):
        assert ag.can_cast(_ag_dtype(a), _ag_dtype(b)) == torch.can_cast(getattr(torch, a),
                                                                          getattr(torch, b)), (a, b)


def test_frexp_special_values_and_dtypes_match_pytorch():
    v = np.array([0.0, -0.0, 1.5, -3.0, 1e-310, np.inf, -np.inf, np.nan, 6e4])
    for dtype in ("float64", "float32", "bfloat16", "float16"):
        a = ag.tensor(v).to(_ag_dtype(dtype))
        t = torch.tensor(v).to(getattr(torch, dtype))
        ma, ea = ag.frexp(a)
        mt, et = torch.frexp(t)
        assert ma.dtype == a.dtype and ea.dtype == np.int32
        np.testing.assert_array_equal(ma.float().numpy(), mt.float().numpy())
        finite = np.isfinite(v)
        np.testing.assert_array_equal(ea.numpy()[finite], et.numpy()[finite])
    m, e = ag.frexp(ag.tensor([12.0]))
    assert m.item() == 0.75 and e.item() == 4  # named fields too
    assert ag.frexp(ag.tensor([12.0])).mantissa.item() == 0.75


def test_frexp_refuses_integers():
    with pytest.raises(RuntimeError, match="floating-point"):
        ag.frexp(ag.tensor([1, 2]))


def test_round_of_a_tensor_raises_as_in_pytorch():
    with pytest.raises(TypeError):
        round(torch.tensor(2.5))
    with pytest.raises(TypeError):
        round(ag.tensor(2.5))
