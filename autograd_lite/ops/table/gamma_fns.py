"""The gamma function family: lgamma, digamma, polygamma, mvlgamma (differentiable to
any order, so gradgradcheck runs for all: lgamma -> digamma -> polygamma(1) ...); the
incomplete gamma functions igamma/igammac (differentiable in x only) and the Hurwitz
zeta function (no derivative, as PyTorch's). ONNX has no operator for them (see
onnx/registry.py's NOT_MAPPED)."""
from .. import gamma_fns as ops
from ..inplace import unary_inplace
from ..opinfo import FLOATS, OpInfo, S, T, unary

# values 0.1-0.4 away from the poles at 0, -1, -2, ...
NEGATIVE = dict(values=[[-2.5, -1.3, -0.6, 0.7], [-3.2, -0.25, 1.5, 4.0]])


def _polygamma_samples(first):
    """Samples for polygamma(n, x) (`first` "n": the function) or x.polygamma(n)."""
    def s(n, t):
        return S(n, t) if first == "n" else S(t, n)
    pos = dict(low=0.3, high=4.0)
    return [s(1, T(3, 4, **pos)), s(2, T(3, 4, **pos)), s(3, T(2, 3, 2, **pos)), s(0, T(3, 4, **pos)),
            s(1, T()), s(2, T(4, 3, layout="transposed", **pos)),
            s(1, T(2, 5, layout="strided", **pos)), s(1, T(0, 3)), s(1, T(2, 4, **NEGATIVE)),
            s(4, T(2, 3, low=1.0, high=6.0))]


def _igamma_samples():
    """(a, x): a > 0 kept out of the gradients (PyTorch defines none for it), x >= 0 on
    both sides of a + 1 (the series and the continued fraction), broadcasting, the edges."""
    a = dict(low=0.2, high=6.0, grad=False)
    x = dict(low=0.05, high=9.0)
    return [S(T(3, 4, **a), T(3, 4, **x)), S(T(**a), T(2, 3, **x)), S(T(2, 1, 4, **a), T(3, 1, **x)),
            S(T(4, 3, layout="transposed", **a), T(4, 3, **x)), S(T(2, 5, **a), T(2, 5, layout="strided", **x)),
            S(T(0, 3, **a), T(0, 3, **x)),
            S(T(2, 4, values=[[0.5, 1.0, 3.0, 0.0], [2.0, 0.0, 1.5, 40.0]], grad=False),
              T(2, 4, values=[[0.0, 1e-3, 30.0, 2.0], [2.0, 0.0, 1.5, 38.0]], grad=False))]  # edges: values


def _zeta_samples():
    x = dict(low=1.1, high=6.0)
    q = dict(low=0.1, high=4.0)
    return [S(T(3, 4, **x), T(3, 4, **q)), S(T(2, 3, **x), 1.5), S(2.5, T(2, 3, **q)), S(T(**x), T(3, 1, **q)),
            S(T(4, 3, layout="transposed", **x), T(4, 3, **q)), S(T(0, 3, **x), T(3, **q)),
            S(T(2, 4, values=[[1.0, 2.0, 0.5, 3.0], [2.0, 2.0, 3.0, 30.0]]),
              T(2, 4, values=[[1.0, 0.0, 1.0, -1.5], [-1.0, -1.5, -2.5, 0.5]]))]


def _mvlgamma_samples():
    return [S(T(3, 4, low=0.3, high=4.0), 1), S(T(3, 4, low=1.2, high=5.0), p=3),
            S(T(low=1.0, high=3.0), 2), S(T(2, 3, 2, low=2.0, high=5.0), 5),
            S(T(4, 3, layout="transposed", low=0.8, high=3.0), 2),
            S(T(2, 5, layout="strided", low=0.8, high=3.0), 2), S(T(0, 3), 3)]


ENTRIES = [
    OpInfo("lgamma", ops.lgamma, unary(low=0.2, high=5.0) + [
        S(T(2, 4, **NEGATIVE)), S(T(3, 4, low=-3.0, high=3.0, offgrid=True))],
        inplace="lgamma_"),
    OpInfo("digamma", ops.digamma, unary(low=0.2, high=5.0) + [
        S(T(2, 4, **NEGATIVE)), S(T(3, 4, low=-3.0, high=3.0, offgrid=True))],
        inplace="digamma_"),
    OpInfo("polygamma", ops.polygamma, _polygamma_samples("n"), methods=()),
    OpInfo("polygamma", ops.polygamma_method, _polygamma_samples("x"), namespace="Tensor",
           inplace="polygamma_", inplace_fn=unary_inplace(ops.polygamma_method, "polygamma_")),
    OpInfo("mvlgamma", ops.mvlgamma, _mvlgamma_samples(), inplace="mvlgamma_"),
]

ENTRIES += [
    OpInfo("igamma", ops.igamma, _igamma_samples(), inplace="igamma_"),
    OpInfo("igammac", ops.igammac, _igamma_samples(), inplace="igammac_"),
    OpInfo("zeta", ops.zeta, _zeta_samples(), namespace="special", differentiable=False, dtypes=FLOATS),
]
