"""Property tests of broadcasting for the binary ops: for any pair (or triple, for
where) of broadcast-compatible shapes, value and both gradients equal PyTorch's; for
incompatible shapes the error is a RuntimeError naming the op and both shapes."""
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import autograd_lite as ag
from helpers import compare

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def broadcast_shapes(draw, n=2):
    """`n` shapes that broadcast together: suffixes of one target shape, with some
    dims replaced by 1 (sizes 0..4, up to 4 dims)."""
    target = draw(st.lists(st.integers(0, 4), min_size=0, max_size=4))
    shapes = []
    for _ in range(n):
        ndim = draw(st.integers(0, len(target)))
        dims = target[len(target) - ndim:]
        ones = draw(st.lists(st.booleans(), min_size=ndim, max_size=ndim))
        shapes.append(tuple(1 if one else d for d, one in zip(dims, ones)))
    return shapes


@st.composite
def incompatible_shapes(draw):
    a = tuple(draw(st.lists(st.integers(0, 4), min_size=1, max_size=4)))
    b = tuple(draw(st.lists(st.integers(0, 4), min_size=1, max_size=4)))
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return a, b
    assume(False)


def values(shape, seed, kind):
    rng = np.random.default_rng(seed)
    if kind == "positive":
        return np.asarray(rng.uniform(0.5, 2.0, shape))
    if kind == "nonzero":
        return np.asarray(rng.uniform(0.5, 2.0, shape) * rng.choice([-1.0, 1.0], shape))
    return np.asarray(rng.standard_normal(shape))


# op -> (function of (lib, a, b), kind of a's values, kind of b's values)
BINARY = {
    "add": (lambda lib, a, b: a + b, "normal", "normal"),
    "sub": (lambda lib, a, b: a - b, "normal", "normal"),
    "mul": (lambda lib, a, b: a * b, "normal", "normal"),
    "div": (lambda lib, a, b: a / b, "normal", "nonzero"),
    "maximum": (lambda lib, a, b: lib.maximum(a, b), "normal", "normal"),
    "minimum": (lambda lib, a, b: lib.minimum(a, b), "normal", "normal"),
    "pow": (lambda lib, a, b: a ** b, "positive", "normal"),
}


def _grads_match(fn, a, b, what):
    """Value and both gradients equal torch's, also when the output is empty."""
    compare(fn, a, b)
    # compare() skips the backward of empty outputs; check the zero gradients' shapes
    xa, xb = ag.tensor(a, requires_grad=True), ag.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    fn(ag, xa, xb).sum().backward()
    fn(torch, ta, tb).sum().backward()
    for ours, theirs in ((xa, ta), (xb, tb)):
        assert ours.grad.shape == tuple(theirs.grad.shape), what
        np.testing.assert_allclose(ours.grad._data, theirs.grad.numpy(), rtol=1e-7, atol=1e-9, err_msg=what)


@pytest.mark.parametrize("op", list(BINARY))
@SETTINGS
@given(shapes=broadcast_shapes(), seed=st.integers(0, 2**16))
def test_binary_broadcasting_matches_torch(op, shapes, seed):
    fn, ka, kb = BINARY[op]
    sa, sb = shapes
    _grads_match(fn, values(sa, seed, ka), values(sb, seed + 1, kb), f"{op} {sa} {sb}")


@pytest.mark.parametrize("op", ["add", "mul", "maximum"])
@SETTINGS
@given(shapes=broadcast_shapes(), seed=st.integers(0, 2**16))
def test_operand_order_is_symmetric(op, shapes, seed):
    # a op b with a broadcasting and b broadcasting the other way round
    fn, ka, kb = BINARY[op]
    sa, sb = shapes
    _grads_match(lambda lib, x, y: fn(lib, y, x), values(sa, seed, ka), values(sb, seed + 1, kb), f"{op}")


@SETTINGS
@given(shapes=broadcast_shapes(n=3), seed=st.integers(0, 2**16))
def test_where_broadcasting_matches_torch(shapes, seed):
    sc, sx, sy = shapes
    cond = np.asarray(np.random.default_rng(seed).random(sc) > 0.5)
    x, y = values(sx, seed + 1, "normal"), values(sy, seed + 2, "normal")
    compare(lambda lib, c, a, b: lib.where(c, a, b), cond, x, y)
    xa, ya = ag.tensor(x, requires_grad=True), ag.tensor(y, requires_grad=True)
    xt, yt = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    ag.where(ag.tensor(cond), xa, ya).sum().backward()
    torch.where(torch.tensor(cond), xt, yt).sum().backward()
    for ours, theirs in ((xa, xt), (ya, yt)):
        assert ours.grad.shape == tuple(theirs.grad.shape)
        np.testing.assert_allclose(ours.grad._data, theirs.grad.numpy(), rtol=1e-7, atol=1e-9)


ALL_OPS = {**{k: v[0] for k, v in BINARY.items()},
           "where": lambda lib, a, b: lib.where(lib.tensor(True), a, b)}


@pytest.mark.parametrize("op", list(ALL_OPS))
@SETTINGS
@given(shapes=incompatible_shapes())
def test_incompatible_shapes_raise(op, shapes):
    sa, sb = shapes
    a = ag.tensor(values(sa, 0, "positive"), requires_grad=True)
    b = ag.tensor(values(sb, 1, "positive"))
    with pytest.raises(RuntimeError) as info:
        ALL_OPS[op](ag, a, b)
    msg = str(info.value)
    assert op in msg and str(sa) in msg and str(sb) in msg, msg
    with pytest.raises(RuntimeError):  # PyTorch refuses them too
        ALL_OPS[op](torch, torch.tensor(values(sa, 0, "positive")), torch.tensor(values(sb, 1, "positive")))
