"""conv1d/conv2d/conv_transpose1d/conv_transpose2d beyond the op table's generic tests
(tests/ops/test_op_table.py: values, gradients, gradcheck and gradgradcheck over the
geometries): a gradient penalty against PyTorch's, an expanded incoming gradient,
clear errors."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.nn.functional as F
from helpers import compare

pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")
TOL32 = dict(rtol=2e-4, atol=2e-5)  # float32 GEMMs sum in a different order than oneDNN


def _conv(name, **kw):
    return lambda lib, x, w, b: getattr(lib.nn.functional, name)(x, w, b, **kw)


def _check(fn, *arrays):
    compare(fn, *arrays, dtypes=(np.float64,))
    compare(fn, *arrays, dtypes=(np.float32,), tol=TOL32)


def test_double_backward_matches_torch():
    """A gradient penalty through conv2d: d/dw |d loss / dx|^2, against torch."""
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3))
    res = []
    for lib in (ag, torch):
        xt, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        y = lib.nn.functional.conv2d(xt, wt, stride=2, padding=1)
        y = lib.nn.functional.conv_transpose2d(lib.tanh(y), wt, stride=2, padding=1, output_padding=1)
        (gx,) = lib.autograd.grad((y * y).sum(), xt, create_graph=True)
        (gw,) = lib.autograd.grad((gx * gx).sum(), wt)
        res.append((gx.detach().numpy() if lib is torch else gx._data,
                    gw.detach().numpy() if lib is torch else gw._data))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-9, atol=1e-10)


# ---- errors ----------------------------------------------------------------------------------------------
def test_conv_errors_are_clear():
    x = ag.randn(2, 3, 8, 8)
    w = ag.randn(4, 3, 3, 3)
    with pytest.raises(RuntimeError, match=r"conv2d: Given groups=1, weight of size \[4, 2, 3, 3\].*3 channels"):
        F.conv2d(x, ag.randn(4, 2, 3, 3))
    with pytest.raises(ValueError, match="'same' is not supported for strided"):
        F.conv2d(x, w, padding="same", stride=2)
    with pytest.raises(ValueError, match="Invalid padding string 'full'"):
        F.conv2d(x, w, padding="full")
    with pytest.raises(RuntimeError, match="Kernel size can't be greater"):
        F.conv2d(ag.randn(1, 3, 2, 2), w)
    with pytest.raises(TypeError, match=r"conv2d: Input type \(float32\), weight type \(float64\)"):
        F.conv2d(x, w.double())
    with pytest.raises(TypeError, match="float32, float64 or bfloat16"):
        F.conv2d(ag.ones(1, 3, 4, 4, dtype=ag.int64), w)
    with pytest.raises(RuntimeError, match="conv2d: Expected 3D .* or 4D"):
        F.conv2d(ag.randn(3, 8), w)
    with pytest.raises(RuntimeError, match="conv2d: expected bias of shape"):
        F.conv2d(x, w, ag.randn(3))
    with pytest.raises(ValueError, match="non-positive stride"):
        F.conv2d(x, w, stride=0)
    with pytest.raises(ValueError, match="groups"):
        F.conv2d(x, w, groups=0)
    with pytest.raises(ValueError, match="negative padding"):
        F.conv2d(x, w, padding=-1)
    with pytest.raises(ValueError, match="output padding must be smaller"):
        F.conv_transpose2d(ag.randn(1, 4, 3, 3), w, stride=2, output_padding=2)
    with pytest.raises(RuntimeError, match="conv_transpose2d: Given transposed=1"):
        F.conv_transpose2d(ag.randn(1, 3, 3, 3), w)
    with pytest.raises(RuntimeError, match="conv1d"):
        F.conv1d(ag.randn(2, 3, 8), w)


CHANNEL_ERRORS = [  # (call, PyTorch's message without the op prefix)
    (lambda lib: lib.nn.functional.conv1d(lib.zeros(1, 2, 5), lib.zeros(3, 3, 3)),
     "Given groups=1, weight of size [3, 3, 3], expected input[1, 2, 5] to have 3 channels, but got 2 channels instead"),
    (lambda lib: lib.nn.functional.conv1d(lib.zeros(2, 5), lib.zeros(3, 3, 3)),
     "Given groups=1, weight of size [3, 3, 3], expected input[1, 2, 5] to have 3 channels, but got 2 channels instead"),
    (lambda lib: lib.nn.functional.conv2d(lib.zeros(1, 4, 5, 5), lib.zeros(3, 2, 3, 3), groups=2),
     "Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of size"),
    (lambda lib: lib.nn.functional.conv1d(lib.zeros(1, 4, 5), lib.zeros(4, 1, 3), groups=2),
     "Given groups=2, weight of size [4, 1, 3], expected input[1, 4, 5] to have 2 channels, but got 4 channels instead"),
    (lambda lib: lib.nn.functional.conv_transpose1d(lib.zeros(1, 2, 5), lib.zeros(3, 3, 3)),
     "Given transposed=1, weight of size [3, 3, 3], expected input[1, 2, 5] to have 3 channels, but got 2 channels "
     "instead"),
    (lambda lib: lib.nn.functional.conv_transpose2d(lib.zeros(1, 3, 5, 5), lib.zeros(3, 3, 3, 3), groups=2),
     "Given groups=2, expected weight to be divisible by 2 at dimension 0, but got weight of size"),
    (lambda lib: lib.nn.Conv2d(3, 4, 3)(lib.zeros(1, 2, 5, 5)),
     "Given groups=1, weight of size [4, 3, 3, 3], expected input[1, 2, 5, 5] to have 3 channels, but got 2 "
     "channels instead"),
    (lambda lib: lib.nn.functional.conv1d(lib.zeros(1, 2, 3), lib.zeros(3, 2, 5)),
     "Calculated padded input size per channel: (3). Kernel size: (5). Kernel size can't be greater than actual "
     "input size"),
]


@pytest.mark.parametrize("call,message", CHANNEL_ERRORS)
def test_channel_and_groups_messages_are_pytorchs(call, message):
    """The shapes the caller gave (conv1d's, not the 2-D ones it runs as), the channel
    count expected and the one got (never "expected 2 channels, but got 2")."""
    for lib in (torch, ag):
        with pytest.raises(RuntimeError) as info:
            call(lib)
        text = str(info.value).replace("[[", "[").replace("]]", "]")  # PyTorch doubles some brackets
        assert message in text, f"{lib.__name__}: {text}"


def test_non_contiguous_inputs_and_gradients():
    """Transposed/strided views as input, weight and incoming gradient give torch's numbers."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 7, 6, 3)).transpose(0, 3, 1, 2)  # (2, 3, 7, 6), not contiguous
    w = rng.standard_normal((3, 3, 4, 2))[:, :, ::2].transpose(1, 0, 2, 3)  # (3, 3, 2, 2)
    _check(_conv("conv2d", padding=1), x, w, rng.standard_normal(3))
    _check(_conv("conv_transpose2d", stride=2), x, w, rng.standard_normal(3))
    xa = ag.tensor(x.copy(), requires_grad=True)
    y = F.conv2d(xa, ag.tensor(w.copy()), stride=2)
    y.sum().backward()  # the gradient of sum arrives as an expanded (zero-stride) array
    xt = torch.tensor(x.copy(), requires_grad=True)
    torch.nn.functional.conv2d(xt, torch.tensor(w.copy()), stride=2).sum().backward()
    np.testing.assert_allclose(xa.grad._data, xt.grad.numpy(), rtol=1e-10)
