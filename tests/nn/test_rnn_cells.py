"""The recurrent cells (LSTMCell, GRUCell, RNNCell) against PyTorch: values and
gradients, without the kernels' BLAS, in a Python loop with truncated BPTT, and with a
weight replaced by a plain tensor (the weight-drop idiom)."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite.kernels import blas
from test_rnn import compare


@pytest.mark.parametrize("cell", ["LSTMCell", "GRUCell", "RNNCell_tanh", "RNNCell_relu"])
@pytest.mark.parametrize("bias", [True, False])
def test_cells_match_torch(cell, bias):
    name, _, nl = cell.partition("_")
    kw = dict(nonlinearity=nl) if nl else {}

    def make(lib):
        return getattr(lib, name)(5, 4, bias=bias, **kw)

    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 5))
    h = rng.standard_normal((3, 4))
    st = (h, rng.standard_normal((3, 4))) if name == "LSTMCell" else h
    compare(make, [x, st])
    compare(make, [x, None])
    st1 = tuple(s[0] for s in st) if isinstance(st, tuple) else st[0]
    compare(make, [x[0], st1])  # unbatched
    compare(make, [x[0], None])


@pytest.mark.parametrize("name", ["LSTMCell", "GRUCell", "RNNCell"])
def test_cell_weight_replaced_by_a_plain_tensor(name):
    """The weight-drop idiom (AWD-LSTM): delete a cell's parameter and set a tensor
    computed from another one under its name; the cell uses that tensor (its forward
    reads the parameter dict first, the attribute when the name left it)."""
    rng = np.random.default_rng(7)
    x, h = rng.standard_normal((3, 5)), rng.standard_normal((3, 4))
    gates = {"LSTMCell": 4, "GRUCell": 3, "RNNCell": 1}[name]
    raw_w = rng.standard_normal((gates * 4, 4))
    results = []
    for lib in (ag, torch):
        cell = getattr(lib.nn, name)(5, 4, dtype=lib.float64)
        for k, v in zip(("weight_ih", "bias_ih", "bias_hh"), (0.1, 0.2, 0.3)):
            getattr(cell, k).data.fill_(v)
        raw = lib.tensor(raw_w, requires_grad=True)
        del cell.weight_hh
        cell.weight_hh = raw * 0.5
        hx = (lib.tensor(h), lib.tensor(h)) if name == "LSTMCell" else lib.tensor(h)
        out = cell(lib.tensor(x), hx)
        out = out[0] if name == "LSTMCell" else out
        out.sum().backward()
        results.append((out.detach().numpy(), raw.grad.numpy()))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cell", ["LSTMCell", "GRUCell", "RNNCell_tanh", "RNNCell_relu"])
def test_cells_match_torch_without_kernel_blas(cell):
    """The cells' products run in one kernel through BLAS; without a BLAS the kernels
    can call, in NumPy."""
    blas.enabled[0] = False
    try:
        test_cells_match_torch(cell, True)
    finally:
        blas.enabled[0] = True


def test_cell_python_loop_and_truncated_bptt():
    """An explicit loop over LSTMCell (imperative BPTT), with h.detach() halfway."""
    rng = np.random.default_rng(5)
    xs = rng.standard_normal((8, 2, 3))

    def run(m, x):
        h = c = None
        outs = []
        for t in range(x.shape[0]):
            h, c = m(x[t], None if h is None else (h, c))
            if t == 3:  # truncate: no gradient flows to steps 0..3 through the state
                h, c = h.detach(), c.detach()
            outs.append(h)
        return outs

    compare(lambda lib: lib.LSTMCell(3, 5), [xs], call=run)


def test_subclass_properties_shadow_parameters():
    """A subclass's property named like a parameter wins over the registered parameter,
    as attribute lookup (and PyTorch) has it: Linear and the cells read the parameter
    dict directly only for their own classes."""

    class HalfLinear(ag.nn.Linear):
        @property
        def weight(self):
            return self._parameters["weight"] * 0.5

    class HalfCell(ag.nn.GRUCell):
        @property
        def weight_hh(self):
            return self._parameters["weight_hh"] * 0.5

    x = ag.ones(2, 3)
    lin = HalfLinear(3, 4)
    plain = ag.nn.Linear(3, 4)
    plain.load_state_dict({"weight": lin._parameters["weight"] * 0.5, "bias": lin.bias})
    np.testing.assert_allclose(lin(x).detach().numpy(), plain(x).detach().numpy())
    cell = HalfCell(3, 4)
    h = ag.ones(2, 4)
    ref = ag.nn.GRUCell(3, 4)
    ref.load_state_dict({**cell.state_dict(), "weight_hh": cell._parameters["weight_hh"] * 0.5})
    np.testing.assert_allclose(cell(x, h).detach().numpy(), ref(x, h).detach().numpy())
