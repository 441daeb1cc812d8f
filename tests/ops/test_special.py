"""The elementwise family's additions beyond the op table's samples (ops/trig.py,
ops/special.py, ops/piecewise.py): values at the edges of their domains, PyTorch's
choices of gradients where the function is not smooth, and its errors."""
import math

import numpy as np
import pytest
import torch

import autograd_lite as ag
from helpers import compare

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def test_erfinv_at_and_beyond_the_ends_of_its_domain():
    y = np.array([-1.0, 1.0, 0.0, -0.0, 1.5, -2.0, np.nan, 1 - 1e-12, -1 + 1e-15])
    for dtype in (np.float64, np.float32):
        ours = ag.erfinv(ag.tensor(y.astype(dtype))).numpy()
        theirs = torch.erfinv(torch.tensor(y.astype(dtype))).numpy()
        np.testing.assert_allclose(ours, theirs, rtol=1e-6, equal_nan=True)
        assert np.signbit(ours[3]) == np.signbit(theirs[3])


def test_erf_erfc_erfinv_against_math_and_each_other():
    x = np.linspace(-5, 5, 201)
    np.testing.assert_allclose(ag.erf(ag.tensor(x)).numpy(), [math.erf(v) for v in x], rtol=1e-15)
    np.testing.assert_allclose(ag.erfc(ag.tensor(x)).numpy(), [math.erfc(v) for v in x], rtol=1e-14)
    y = np.linspace(-0.999999, 0.999999, 301)
    back = ag.erf(ag.erfinv(ag.tensor(y))).numpy()
    np.testing.assert_allclose(back, y, rtol=1e-14, atol=1e-16)


def test_erf_of_half_precision_and_integer_inputs():
    h = ag.tensor(np.array([0.5, -1.0], np.float16))
    assert ag.erf(h).dtype == np.float16
    expected = torch.erf(torch.tensor([0.5, -1.0]).half()).numpy()
    np.testing.assert_allclose(ag.erf(h).numpy(), expected)
    assert ag.erf(ag.tensor([1, 2])).dtype == np.float32


def test_sinc_second_derivative_at_zero_is_minus_pi_squared_over_three():
    x = ag.tensor([0.0, 1e-5, 0.3], dtype=ag.float64, requires_grad=True)
    (g,) = ag.autograd.grad(ag.sinc(x).sum(), x, create_graph=True)
    (h,) = ag.autograd.grad(g.sum(), x)
    assert g.detach().numpy()[0] == 0
    np.testing.assert_allclose(h.numpy()[:2], -np.pi ** 2 / 3, rtol=1e-8)
    t = torch.tensor([0.3], dtype=torch.float64, requires_grad=True)
    (gt,) = torch.autograd.grad(torch.sinc(t).sum(), t, create_graph=True)
    (ht,) = torch.autograd.grad(gt.sum(), t)
    np.testing.assert_allclose(h.numpy()[2], ht.item(), rtol=1e-10)


def test_sinc_derivative_near_zero_is_smooth():
    x = np.array([1e-4, 9.99e-4, 1.001e-3, -5e-4])
    compare(lambda lib, t: lib.sinc(t), x, dtypes=(np.float64,))


def test_xlogy_where_x_is_zero_and_y_is_nan_zero_or_inf():
    x = np.array([0.0, 0.0, 0.0, 0.0, 1.0, 2.0])
    y = np.array([2.0, 0.0, np.nan, np.inf, 0.0, np.nan])
    a = ag.tensor(x, requires_grad=True)
    b = ag.tensor(y, requires_grad=True)
    ta, tb = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = ag.xlogy(a, b)
        out.sum().backward()
    tout = torch.xlogy(ta, tb)
    tout.sum().backward()
    np.testing.assert_array_equal(out.detach().numpy(), tout.detach().numpy())
    np.testing.assert_array_equal(a.grad.numpy(), ta.grad.numpy())
    np.testing.assert_array_equal(b.grad.numpy(), tb.grad.numpy())


def test_xlogy_with_a_number_on_either_side():
    y = np.array([0.5, 2.0, 3.0])
    compare(lambda lib, t: lib.xlogy(2.0, t), y)
    compare(lambda lib, t: lib.xlogy(t, 3), y)
    compare(lambda lib, t: t.xlogy(0.5), y)


def test_nan_to_num_defaults_are_the_dtype_extremes():
    v = np.array([np.nan, np.inf, -np.inf, 1.5])
    for dtype in (np.float64, np.float32, np.float16):
        ours = ag.nan_to_num(ag.tensor(v.astype(dtype))).numpy()
        theirs = torch.nan_to_num(torch.tensor(v.astype(dtype))).numpy()
        np.testing.assert_array_equal(ours, theirs)
    x = ag.tensor(v, requires_grad=True)
    ag.nan_to_num(x, posinf=1.0, neginf=-1.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 0, 0, 1])
    ints = ag.tensor([1, 2])
    assert ag.nan_to_num(ints).dtype == np.int64


def test_logit_gradient_is_zero_outside_the_eps_range_and_nan_outside_0_1():
    v = np.array([0.05, 0.1, 0.5, 0.95, -0.2, 1.3])
    x = ag.tensor(v, requires_grad=True)
    t = torch.tensor(v, requires_grad=True)
    ag.logit(x, eps=0.1).sum().backward()
    torch.logit(t, eps=0.1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy())
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(np.isnan(ag.logit(ag.tensor(v)).numpy()),
                                      np.isnan(torch.logit(torch.tensor(v)).numpy()))


def test_hypot_gradient_at_the_origin_is_nan_as_pytorch():
    x = ag.tensor([0.0, 3.0], requires_grad=True)
    with np.errstate(invalid="ignore"):
        ag.hypot(x, x * 0).sum().backward()
    assert np.isnan(x.grad.numpy()[0]) and x.grad.numpy()[1] == 1


def test_logaddexp_with_infinities():
    a = np.array([-np.inf, np.inf, -np.inf, 0.0])
    b = np.array([-np.inf, 1.0, 2.0, np.inf])
    with np.errstate(invalid="ignore"):
        ours = ag.logaddexp(ag.tensor(a), ag.tensor(b)).numpy()
    np.testing.assert_array_equal(ours, torch.logaddexp(torch.tensor(a), torch.tensor(b)).numpy())


def test_fmod_takes_the_sign_of_the_dividend_and_refuses_integer_zero():
    compare(lambda lib, a: lib.fmod(a, -1.5), np.array([-3.5, 2.25, 4.0, -0.5]))
    with pytest.raises(ZeroDivisionError, match="fmod"):
        ag.fmod(ag.tensor([3, 4]), ag.tensor([1, 0]))
    with pytest.raises(RuntimeError):
        ag.fmod(ag.tensor([3, 4]), 0)
    with pytest.raises(TypeError, match="fmod"):
        ag.fmod(3.0, ag.tensor([1.0]))


def test_heaviside_has_no_derivative_and_needs_one_dtype():
    x = ag.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    out = ag.heaviside(x, ag.tensor([0.5]))
    np.testing.assert_array_equal(out.detach().numpy(), [0, 0.5, 1])
    assert out.requires_grad  # as PyTorch's, which then raises in backward
    with pytest.raises(RuntimeError, match="not differentiable"):
        out.sum().backward()
    with pytest.raises(RuntimeError, match="different dtypes"):
        ag.heaviside(ag.tensor([1.0]), ag.tensor([1.0], dtype=ag.float64))
    with pytest.raises(TypeError, match="values"):
        ag.heaviside(ag.tensor([1.0]), 0.5)


@pytest.mark.parametrize("name", ["hypot", "logaddexp", "logaddexp2"])
def test_float_only_binaries_refuse_integers_and_numbers(name):
    fn = getattr(ag, name)
    with pytest.raises(NotImplementedError, match=name):
        fn(ag.tensor([1, 2]), ag.tensor([3, 4]))
    with pytest.raises(TypeError, match=name):
        fn(ag.tensor([1.0]), 2.0)


def test_atan2_promotes_integers_and_refuses_numbers():
    out = ag.atan2(ag.tensor([1, -1]), ag.tensor([0, 0]))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), [np.pi / 2, -np.pi / 2], rtol=1e-6)
    with pytest.raises(TypeError, match="atan2"):
        ag.atan2(ag.tensor([1.0]), 1.0)


def test_frac_refuses_integers_and_signbit_sees_negative_zero():
    with pytest.raises(NotImplementedError, match="frac"):
        ag.frac(ag.tensor([1, 2]))
    np.testing.assert_array_equal(ag.signbit(ag.tensor([-0.0, 0.0, -1.0])).numpy(),
                                  [True, False, True])
    assert not ag.signbit(ag.tensor([1.0], requires_grad=True)).requires_grad


def test_inplace_variants_of_integer_tensors_refuse_float_results():
    x = ag.tensor([1, 2])
    with pytest.raises(RuntimeError):
        x.atan_()
    with pytest.raises(RuntimeError):
        x.deg2rad_()
    y = ag.tensor([0.5, 0.25])
    assert y.arcsin_() is y
    np.testing.assert_allclose(y.numpy(), np.arcsin([0.5, 0.25]), rtol=1e-6)


def test_aliases_are_the_same_functions():
    assert ag.arcsin is ag.asin and ag.arctan2 is ag.atan2 and ag.arccosh is ag.acosh
    assert ag.Tensor.arctan is ag.Tensor.atan
