"""Table entries of the random draws (ops/random_ops.py): shapes and dtypes against
PyTorch (the streams differ); tests/ops/test_random_ops.py checks the distributions."""
from .. import random_ops as ops
from ..opinfo import OpInfo, S, T

WEIGHTS = dict(low=0.05, high=1.0)
PROBS = dict(low=0.0, high=1.0)

ENTRIES = [
    OpInfo("multinomial", ops.multinomial, [
        S(T(4, **WEIGHTS), 2), S(T(3, 5, **WEIGHTS), 4, True), S(T(3, 5, **WEIGHTS), 5),
        S(T(2, 3, **WEIGHTS), 7, replacement=True), S(T(6, **WEIGHTS), num_samples=1),
        S(T(0, 3, **WEIGHTS), 2), S(T(5, layout="strided", **WEIGHTS), 3)],
        random=True, differentiable=False),
    OpInfo("bernoulli", ops.bernoulli, [
        S(T(3, 4, **PROBS)), S(T(**PROBS)), S(T(0, 3, **PROBS)), S(T(3, 4), 0.3),
        S(T(2, 5), p=0.7), S(T(4, 3, layout="transposed", **PROBS)),
        S(T(2, 3, kind="index", low=0, high=2), 0.5)],
        random=True, differentiable=False,
        note="the gradient (zero without p; PyTorch raises with p) is in test_random_ops.py"),
    OpInfo("poisson", ops.poisson, [
        S(T(3, 4, low=0.0, high=5.0)), S(T(low=0.0, high=2.0)), S(T(0, 3, low=0.0, high=1.0)),
        S(T(4, 3, layout="transposed", low=0.0, high=30.0)), S(T(2, 3, low=0.0, high=1.0), None)],
        random=True, differentiable=False, methods=(),
        note="the zero gradient and the distribution are in tests/ops/test_random_fills.py"),
]
