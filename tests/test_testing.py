"""`testing.assert_close` against `torch.testing.assert_close`: the same verdict and the
same message (up to the library's name) for tensors, numbers, containers and options."""
import pytest
import torch

import autograd_lite as ag

CASES = {
    "close_enough": lambda L: L.testing.assert_close(L.tensor([1., 2., 3.]), L.tensor([1., 2., 3.]) * (1 + 1e-7)),
    "tensors_differ": lambda L: L.testing.assert_close(L.tensor([1., 2., 3.]), L.tensor([1., 2.1, 3.])),
    "2d_index": lambda L: L.testing.assert_close(L.tensor([[1., 2.], [3., 4.]]), L.tensor([[1., 2.], [3., 4.5]])),
    "floats": lambda L: L.testing.assert_close(1.0, 1.1),
    "ints": lambda L: L.testing.assert_close(1, 2),
    "zero_dim": lambda L: L.testing.assert_close(L.tensor(1.0), L.tensor(1.5)),
    "int_tensors": lambda L: L.testing.assert_close(L.tensor([1, 2]), L.tensor([1, 3])),
    "nan": lambda L: L.testing.assert_close(L.tensor([float("nan")]), L.tensor([float("nan")])),
    "equal_nan": lambda L: L.testing.assert_close(L.tensor([float("nan")]), L.tensor([float("nan")]),
                                                  equal_nan=True),
    "inf": lambda L: L.testing.assert_close(L.tensor([float("inf")]), L.tensor([float("inf")])),
    "one_tolerance": lambda L: L.testing.assert_close(L.tensor([1., 2.]), L.tensor([1., 2.1]), rtol=1e-3),
    "own_tolerances": lambda L: L.testing.assert_close(L.tensor([1., 2.]), L.tensor([1., 2.1]), rtol=0.1, atol=0),
    "list_item": lambda L: L.testing.assert_close([L.tensor([1., 2., 3.]), 1], [L.tensor([1., 2.1, 3.]), 1]),
    "dict_item": lambda L: L.testing.assert_close({"x": L.tensor([1., 2.])}, {"x": L.tensor([1., 2.1])}),
    "msg": lambda L: L.testing.assert_close({"x": L.tensor([1., 2.])}, {"x": L.tensor([1., 2.1])}, msg="custom"),
    "lengths": lambda L: L.testing.assert_close([1, 2], [1, 2, 3]),
    "dtype": lambda L: L.testing.assert_close(L.tensor([1., 2.]), L.tensor([1., 2.], dtype=L.float64)),
    "no_dtype_check": lambda L: L.testing.assert_close(L.tensor([1., 2.]), L.tensor([1., 2.], dtype=L.float64),
                                                       check_dtype=False),
    "half": lambda L: L.testing.assert_close(L.tensor([1., 2.]).half(), L.tensor([1., 2.0005]).half()),
    "bfloat16": lambda L: L.testing.assert_close(L.tensor([1., 2.]).bfloat16(), L.tensor([1., 2.01]).bfloat16()),
    "requires_grad": lambda L: L.testing.assert_close(L.tensor([1., 2.], requires_grad=True), L.tensor([1., 2.])),
    "tensor_and_list": lambda L: L.testing.assert_close(L.tensor([1., 2.]), [1., 2.]),
}


def _outcome(lib, case):
    try:
        case(lib)
        return "passed"
    except Exception as e:  # noqa: BLE001 - the outcome is what is compared
        text = str(e).replace("torch.", "").replace("autograd_lite.tensor.", "")
        return f"{type(e).__name__}: {text}"


@pytest.mark.parametrize("name", list(CASES))
def test_assert_close_as_torch(name):
    assert _outcome(ag, CASES[name]) == _outcome(torch, CASES[name])


def test_shapes_are_named_in_the_message():
    with pytest.raises(AssertionError, match=r"'shape' do not match: \(3,\) != \(2,\)"):
        ag.testing.assert_close(ag.ones(3), ag.ones(2))
