"""autograd_lite.special against torch.special: values and gradients of each function
on a representative set of inputs (float64 and float32), and the aliases."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import special

POS = np.array([[0.3, 1.2, 2.5, 7.0], [0.05, 0.9, 3.3, 12.0]])
REAL = np.array([[-3.0, -1.2, -0.3, 0.0], [0.4, 1.1, 2.5, 6.0]])
UNIT = np.array([[0.01, 0.2, 0.5, 0.7], [0.9, 0.99, 0.33, 0.05]])
NEG_POLES = np.array([[-2.5, -1.3, -0.6, 0.7], [-3.2, -0.25, 1.5, 4.0]])

CASES = [  # (name, input, extra positional arguments)
    ("expit", REAL, ()), ("logit", UNIT, ()), ("erf", REAL, ()), ("erfc", REAL, ()),
    ("erfinv", UNIT * 2 - 1, ()), ("exp2", REAL, ()), ("expm1", REAL, ()), ("log1p", POS, ()),
    ("gammaln", NEG_POLES, ()), ("digamma", NEG_POLES, ()), ("psi", POS, ()),
    ("multigammaln", POS + 1.0, (3,)), ("sinc", REAL, ()), ("logsumexp", REAL, (1,)),
    ("softmax", REAL, (1,)), ("log_softmax", REAL, (0,)), ("round", REAL, ()),
    ("entr", POS, ()), ("ndtr", REAL, ()), ("ndtri", UNIT, ()), ("log_ndtr", REAL * 4, ()),
    ("i0", REAL * 8, ()), ("i0e", REAL * 8, ()), ("i1", REAL * 8, ()), ("i1e", REAL * 8, ()),
    ("erfcx", REAL * 4, ()), ("xlog1py", REAL, (1.5,)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name,values,extra", CASES, ids=[c[0] for c in CASES])
def test_values_and_gradients_match_torch_special(name, values, extra, dtype):
    x = ag.tensor(values.astype(dtype), requires_grad=True)
    xt = torch.tensor(values.astype(dtype), requires_grad=True)
    out = getattr(special, name)(x, *extra)
    out_t = getattr(torch.special, name)(xt, *extra)
    rtol = 1e-10 if dtype == np.float64 else 2e-5
    np.testing.assert_allclose(out.detach().numpy(), out_t.detach().numpy(), rtol=rtol,
                               atol=rtol, err_msg=name)
    weights = np.linspace(0.5, 1.5, out_t.numel()).reshape(tuple(out_t.shape)).astype(dtype)
    (out * ag.tensor(weights)).sum().backward()
    (out_t * torch.tensor(weights)).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=rtol * 10, atol=rtol * 10,
                               err_msg=f"{name} gradient")


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_polygamma(n):
    x = ag.tensor(POS, requires_grad=True)
    xt = torch.tensor(POS, requires_grad=True)
    out, out_t = special.polygamma(n, x), torch.special.polygamma(n, xt)
    np.testing.assert_allclose(out.detach().numpy(), out_t.detach().numpy(), rtol=1e-8)
    out.sum().backward()
    out_t.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-8)


def test_edges():
    p = np.array([0.0, 1.0, 1e-6, 1 - 1e-6])
    np.testing.assert_allclose(special.ndtri(ag.tensor(p)).numpy(),
                               torch.special.ndtri(torch.tensor(p)).numpy(), rtol=1e-8)
    x = np.array([0.0, -1.0, 2.0])
    np.testing.assert_array_equal(special.entr(ag.tensor(x)).numpy(),
                                  torch.special.entr(torch.tensor(x)).numpy())
    x = np.array([-300.0, -40.0, -30.0, -10.5, -10.0, -9.5, -5.0, 0.0, 5.0, 30.0])
    a, t = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out, out_t = special.log_ndtr(a), torch.special.log_ndtr(t)
    np.testing.assert_allclose(out.detach().numpy(), out_t.detach().numpy(), rtol=1e-12,
                               atol=1e-300)
    out.sum().backward()
    out_t.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-300)


def test_the_same_function_objects():
    assert special.expit is ag.sigmoid and special.gammaln is ag.lgamma
    assert special.psi is special.digamma is ag.digamma
    assert special.multigammaln is ag.mvlgamma and special.polygamma is ag.polygamma
    assert special.erfinv is ag.erfinv and special.logsumexp is ag.logsumexp
    assert ag.special is special
    assert set(special.__all__) <= set(dir(torch.special))


@pytest.mark.parametrize("name,values", [("ndtr", REAL), ("ndtri", UNIT), ("log_ndtr", REAL * 6),
                                         ("entr", POS), ("gammaln", NEG_POLES)])
def test_second_derivatives(name, values):
    x = ag.tensor(values, requires_grad=True)
    fn = getattr(special, name)
    assert ag.autograd.gradcheck(fn, (x,))
    assert ag.autograd.gradgradcheck(fn, (x,))


def test_edges_of_the_bessel_erfcx_zeta_and_incomplete_gamma_functions():
    """Infinities, NaN, overflow and the domains' edges, as PyTorch's (whose unscaled
    i0/i1 are NaN at +-inf)."""
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 709.0, 710.0, -710.0, -27.0, 1e300])
    for name in ("i0", "i0e", "i1", "i1e", "erfcx"):
        np.testing.assert_allclose(getattr(special, name)(ag.tensor(x)).numpy(),
                                   getattr(torch.special, name)(torch.tensor(x)).numpy(), rtol=1e-14,
                                   err_msg=name)
    a = np.array([0.0, 0.0, 1.0, -1.0, 1.0, np.inf, 1.0, np.inf, 2.0, 0.5, 100.0, 0.1, 0.0])
    z = np.array([1.0, 0.0, 0.0, 1.0, -1.0, 1.0, np.inf, np.inf, np.nan, 1e-300, 0.1, 100.0, np.inf])
    for name in ("gammainc", "gammaincc"):
        np.testing.assert_allclose(getattr(special, name)(ag.tensor(a), ag.tensor(z)).numpy(),
                                   getattr(torch.special, name)(torch.tensor(a), torch.tensor(z)).numpy(),
                                   rtol=1e-13, atol=0, err_msg=name)
    s = np.array([1.0, 0.5, 2.0, 2.0, 2.0, 3.0, 2.5, np.inf, 2.0, 30.0])
    q = np.array([1.0, 1.0, 0.0, -1.0, -1.5, -1.5, -1.5, 2.0, np.inf, 0.5])
    np.testing.assert_allclose(special.zeta(ag.tensor(s), ag.tensor(q)).numpy(),
                               torch.special.zeta(torch.tensor(s), torch.tensor(q)).numpy(), rtol=1e-14)


def test_what_pytorch_refuses():
    for lib in (ag, torch):
        with pytest.raises(NotImplementedError, match="not implemented"):
            lib.special.erfcx(lib.ones(2, dtype=lib.bfloat16))
        with pytest.raises(NotImplementedError, match="not implemented"):
            lib.special.zeta(lib.ones(2, dtype=lib.float16), 1.0)
        x = lib.tensor([2.0, 3.0], requires_grad=True)
        out = lib.special.zeta(x, 1.0)
        assert out.requires_grad
        with pytest.raises(NotImplementedError if lib is ag else RuntimeError, match="derivative for 'zeta'"):
            out.sum().backward()
        with pytest.raises(NotImplementedError if lib is ag else RuntimeError, match="igamma: input"):
            lib.special.gammainc(x, lib.tensor([1.0, 2.0])).sum().backward()
