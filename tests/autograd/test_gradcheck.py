"""gradcheck / gradgradcheck: pass on correct gradients, fail loudly (or return
False) on wrong ones, as torch.autograd.gradcheck does."""
import warnings

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite.autograd import GradcheckError


def _t(lib, a):
    return lib.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


def _cube_fns(lib):
    """Cube with a correct backward, a wrong first derivative, and a backward that is
    right to first order but not differentiable (wrong second derivative)."""
    F = lib.autograd.Function

    class Cube(F):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x * x

    class WrongCube(F):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x * x  # should be 3 x^2

    class FlatCube(F):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x.detach() ** 2  # right value, but cut from the graph

    return Cube, WrongCube, FlatCube


FNS = {lib: _cube_fns(lib) for lib in (ag, torch)}


@pytest.mark.parametrize("fn", [
    lambda x, y: x * y + ag.sin(x),
    lambda x, y: (ag.exp(x) @ y.T).sum(1),
    lambda x, y: ag.tanh(x / (y * y + 1.0)),
    lambda x, y: (x, x * y ** 2),  # several outputs
])
def test_gradcheck_passes_on_correct_ops(rng, fn):
    x, y = _t(ag, rng.standard_normal((2, 3))), _t(ag, rng.standard_normal((2, 3)))
    assert ag.autograd.gradcheck(fn, (x, y)) is True
    assert ag.autograd.gradgradcheck(fn, (x, y)) is True


def test_gradcheck_accepts_a_single_tensor_and_non_tensor_args(rng):
    x = _t(ag, rng.standard_normal(4))
    assert ag.autograd.gradcheck(lambda t: ag.sin(t), x)
    assert ag.autograd.gradcheck(lambda t, k: t * k, (x, 3.0))
    mask = ag.tensor(np.array([1, 0, 1, 0]))
    assert ag.autograd.gradcheck(lambda t, m: t * m, (x, mask))


def test_gradcheck_ignores_inputs_without_requires_grad(rng):
    x = _t(ag, rng.standard_normal(3))
    c = ag.tensor(rng.standard_normal(3))
    assert ag.autograd.gradcheck(lambda a, b: a * ag.exp(b), (x, c))


def test_gradcheck_passes_on_a_correct_custom_function(rng):
    a = rng.standard_normal(4)
    cube = FNS[ag][0]
    assert ag.autograd.gradcheck(cube.apply, (_t(ag, a),))
    assert ag.autograd.gradgradcheck(cube.apply, (_t(ag, a),))
    assert torch.autograd.gradcheck(FNS[torch][0].apply, (_t(torch, a),))


def test_gradcheck_raises_on_a_wrong_custom_function(rng):
    a = rng.standard_normal(4) + 2.0
    with pytest.raises(GradcheckError, match="input 0"):
        ag.autograd.gradcheck(FNS[ag][1].apply, (_t(ag, a),))
    assert issubclass(GradcheckError, RuntimeError)
    with pytest.raises(RuntimeError):  # torch agrees that it is wrong
        torch.autograd.gradcheck(FNS[torch][1].apply, (_t(torch, a),))


def test_gradcheck_names_the_failing_input(rng):
    x, y = _t(ag, rng.standard_normal(3) + 2.0), _t(ag, rng.standard_normal(3))
    wrong = FNS[ag][1]
    with pytest.raises(GradcheckError, match="input 1"):
        ag.autograd.gradcheck(lambda a, b: a * 2.0 + wrong.apply(b), (x, y))


def test_gradcheck_raise_exception_false_returns_false(rng):
    a = rng.standard_normal(3) + 2.0
    assert ag.autograd.gradcheck(FNS[ag][1].apply, (_t(ag, a),), raise_exception=False) is False
    assert torch.autograd.gradcheck(FNS[torch][1].apply, (_t(torch, a),), raise_exception=False) is False
    assert ag.autograd.gradcheck(FNS[ag][0].apply, (_t(ag, a),), raise_exception=False) is True


def test_gradgradcheck_catches_a_wrong_second_derivative(rng):
    a = rng.standard_normal(3) + 2.0
    flat = FNS[ag][2]
    assert ag.autograd.gradcheck(flat.apply, (_t(ag, a),))  # first order is right
    with pytest.raises(GradcheckError):
        ag.autograd.gradgradcheck(flat.apply, (_t(ag, a),))
    assert ag.autograd.gradgradcheck(flat.apply, (_t(ag, a),), raise_exception=False) is False
    t_flat = FNS[torch][2]
    assert torch.autograd.gradcheck(t_flat.apply, (_t(torch, a),))
    assert torch.autograd.gradgradcheck(t_flat.apply, (_t(torch, a),), raise_exception=False) is False


def test_gradgradcheck_with_given_grad_outputs(rng):
    x = _t(ag, rng.standard_normal((2, 2)))
    go = _t(ag, rng.standard_normal((2, 2)))
    assert ag.autograd.gradgradcheck(lambda t: t * t * t, (x,), (go,))
    assert ag.autograd.gradgradcheck(FNS[ag][0].apply, (x,), go)


def test_gradcheck_tolerances_matter(rng):
    # a gradient off by a relative 1e-4: caught with rtol=1e-6, not with rtol=1e-3
    class Off(ag.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2.0

        @staticmethod
        def backward(ctx, g):
            return g * (2.0 * (1 + 1e-4))

    x = _t(ag, rng.standard_normal(3))
    assert ag.autograd.gradcheck(Off.apply, (x,), atol=0, rtol=1e-3)
    assert not ag.autograd.gradcheck(Off.apply, (x,), atol=0, rtol=1e-6, raise_exception=False)


def test_gradcheck_leaves_inputs_unchanged(rng):
    a = rng.standard_normal(5)
    x = _t(ag, a)
    ag.autograd.gradcheck(lambda t: ag.exp(t).sum(), (x,))
    np.testing.assert_array_equal(x._data, a)
    assert x.grad is None


def test_gradcheck_needs_an_input_requiring_grad():
    with pytest.raises(ValueError):
        ag.autograd.gradcheck(lambda t: t * 2, (ag.tensor(np.ones(2)),))


def test_gradcheck_warns_on_float32():
    x = ag.tensor(np.ones(2, np.float32), requires_grad=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ag.autograd.gradcheck(lambda t: t * 2, (x,), eps=1e-2, atol=1e-2, rtol=1e-2)
    assert any("float64" in str(m.message) for m in w)
