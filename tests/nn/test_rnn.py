"""nn.RNN / LSTM / GRU and the cells against PyTorch: outputs, final states, every
parameter and input gradient (float64 to 1e-6, float32 to 1e-4), state_dict keys,
initialisation, errors; gradcheck/gradgradcheck; the fused path against the cell
composition; LSTM with projections (proj_size)."""
import itertools

import numpy as np
import pytest
import torch

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.nn.functional import rnn as rnn_cells
from autograd_lite.kernels import blas, rnn_loop
from autograd_lite.ops import rnn as R
from helpers import torch_dtype
from nn_helpers import assert_state_dict_like, load_from_torch

TOL = {np.dtype("float64"): dict(rtol=1e-6, atol=1e-8), np.dtype("float32"): dict(rtol=1e-4, atol=1e-5)}
DTYPES = (np.float64, np.float32)


def _flat(out):
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in _flat(o)]
    return [out]


def _close(a, t, dtype, what):
    tn = t.detach().numpy()
    assert a.shape == tuple(tn.shape), f"{what}: shape {a.shape} != {tuple(tn.shape)}"
    assert a.dtype == tn.dtype, f"{what}: dtype {a.dtype} != {tn.dtype}"
    np.testing.assert_allclose(a._data, tn, err_msg=what, **TOL[np.dtype(dtype)])


def compare(make, inputs, call=None, seed=0, train=True):
    """Build make(torch.nn) and make(nn), load torch's weights into ours, run both on
    `inputs` (NumPy arrays or None; a tuple groups LSTM's (h0, c0)), compare every
    output, then backprop a random weighting of all outputs and compare the grads of
    every parameter and input."""
    call = call or (lambda m, *a: m(*a))
    for dtype in DTYPES:
        torch.manual_seed(seed)
        theirs = make(torch.nn).to(torch_dtype(dtype))
        ours = make(nn).to(dtype)
        assert_state_dict_like(ours, theirs)
        load_from_torch(ours, theirs)
        ours.train(train)
        theirs.train(train)
        leaves_a, leaves_t = [], []

        def conv(x):
            if x is None:
                return None, None
            if isinstance(x, tuple):
                pairs = [conv(v) for v in x]
                return tuple(p[0] for p in pairs), tuple(p[1] for p in pairs)
            a = ag.tensor(x.astype(dtype), requires_grad=True)
            t = torch.tensor(x.astype(dtype), requires_grad=True)
            leaves_a.append(a)
            leaves_t.append(t)
            return a, t

        args = [conv(x) for x in inputs]
        out_a = _flat(call(ours, *[a for a, _ in args]))
        out_t = _flat(call(theirs, *[t for _, t in args]))
        assert len(out_a) == len(out_t)
        rng = np.random.default_rng(seed)
        loss_a, loss_t = 0, 0
        for i, (a, t) in enumerate(zip(out_a, out_t)):
            _close(a, t, dtype, f"output {i} ({np.dtype(dtype)})")
            w = rng.standard_normal(tuple(t.shape)).astype(dtype)
            loss_a = loss_a + (a * ag.tensor(w)).sum()
            loss_t = loss_t + (t * torch.tensor(w)).sum()
        loss_a.backward()
        loss_t.backward()
        params_t = dict(theirs.named_parameters())
        for name, p in ours.named_parameters():
            _close(p.grad, params_t[name].grad, dtype, f"grad of {name} ({np.dtype(dtype)})")
        for i, (a, t) in enumerate(zip(leaves_a, leaves_t)):
            _close(a.grad, t.grad, dtype, f"grad of input {i} ({np.dtype(dtype)})")


def _x(t, b, n, batch_first, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((b, t, n) if batch_first else (t, b, n))


def _states(kind, layers, nd, b, h, seed=2):
    rng = np.random.default_rng(seed)
    h0 = rng.standard_normal((layers * nd, b, h))
    if kind == "LSTM":
        return (h0, rng.standard_normal((layers * nd, b, h)))
    return h0


def _make(kind, *args, **kw):
    def make(lib):
        if kind in ("RNN_TANH", "RNN_RELU"):
            return lib.RNN(*args, nonlinearity=kind[4:].lower(), **kw)
        return getattr(lib, kind)(*args, **kw)
    return make


KINDS = ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("layers,bidirectional,batch_first,with_state",
                         list(itertools.product([1, 2], [False, True], [False, True], [False, True])))
def test_layers_match_torch(kind, layers, bidirectional, batch_first, with_state):
    nd = 2 if bidirectional else 1
    x = _x(4, 3, 5, batch_first)
    inputs = [x, _states(kind, layers, nd, 3, 4) if with_state else None]
    compare(_make(kind, 5, 4, num_layers=layers, bidirectional=bidirectional, batch_first=batch_first),
            inputs)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("driver", ["threads", "python"])
def test_layers_match_torch_on_every_driver(kind, driver):
    """Two threads, enough rows and the fused loops compiled: float32 runs one fused kernel
    per loop over row blocks (kernels/rnn_fused.py); with no BLAS the kernels can call, the
    Python loop. Both against torch (packed rows included)."""
    before, mode = ag.get_num_threads(), kind.split("_")[0]
    try:
        if driver == "threads":
            ag.set_num_threads(2)
            rnn_loop.FUSED[mode].wait()
        else:
            blas.enabled[0] = False
        b = 2 * rnn_loop.PARALLEL_MIN_ROWS + 3
        assert rnn_loop.plan(mode, b, np.float32).parallel == (driver == "threads" and bool(blas.address(np.float32)))
        compare(_make(kind, 5, 4, num_layers=2, bidirectional=True), [_x(6, b, 5, False), _states(kind, 2, 2, b, 4)])
        rng = np.random.default_rng(6)
        lengths = sorted(rng.integers(1, 7, b).tolist(), reverse=True)

        def packed(m, x):
            lib = torch.nn if isinstance(m, torch.nn.Module) else nn
            return m(lib.utils.rnn.pack_padded_sequence(x, lengths))[1]

        compare(_make(kind, 5, 4, bidirectional=True), [_x(6, b, 5, False)], call=packed)
    finally:
        ag.set_num_threads(before)
        blas.enabled[0] = True


@pytest.mark.parametrize("kind", KINDS)
def test_no_bias_and_unbatched(kind):
    compare(_make(kind, 3, 4, num_layers=2, bias=False, bidirectional=True), [_x(5, 2, 3, False), None])
    # unbatched (T, I) input with (L*D, H) states
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 3))
    st = _states(kind, 2, 2, 1, 4)
    st = tuple(s[:, 0] for s in st) if isinstance(st, tuple) else st[:, 0]
    compare(_make(kind, 3, 4, num_layers=2, bidirectional=True), [x, st])
    compare(_make(kind, 3, 4, batch_first=True), [x, None])


@pytest.mark.parametrize("kind", ["LSTM", "GRU"])
def test_longer_sequence_and_dropout_zero_in_train(kind):
    compare(_make(kind, 4, 6, num_layers=2, dropout=0.0), [_x(40, 2, 4, False), None])


def test_repr_and_state_dict_keys():
    for make in (_make("LSTM", 3, 4, num_layers=2, bidirectional=True, batch_first=True, dropout=0.1),
                 _make("GRU", 3, 4, bias=False), _make("RNN_RELU", 3, 4),
                 lambda lib: lib.LSTMCell(3, 4, bias=False),
                 lambda lib: lib.RNNCell(3, 4, nonlinearity="relu"), lambda lib: lib.GRUCell(3, 4)):
        ours, theirs = make(nn), make(torch.nn)
        assert repr(ours) == repr(theirs)
        assert_state_dict_like(ours, theirs)
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
    assert [len(w) for w in lstm.all_weights] == [4, 4, 4, 4]
    lstm.flatten_parameters()


def test_torch_weights_load_unchanged():
    torch.manual_seed(0)
    theirs = torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    ours = nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((4, 2, 3)).astype(np.float32)
    out_a, (h_a, c_a) = ours(ag.tensor(x))
    out_t, (h_t, c_t) = theirs(torch.tensor(x))
    for a, t in ((out_a, out_t), (h_a, h_t), (c_a, c_t)):
        np.testing.assert_allclose(a._data, t.detach().numpy(), rtol=1e-4, atol=1e-5)
    again = nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    again.load_state_dict(theirs.state_dict())  # torch tensors as they are
    np.testing.assert_array_equal(again(ag.tensor(x))[0]._data, out_a._data)
    # and back: our state_dict loads into torch
    theirs2 = torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True)
    theirs2.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    np.testing.assert_allclose(theirs2(torch.tensor(x))[0].detach().numpy(), out_a._data, rtol=1e-4, atol=1e-5)


def test_default_init():
    ag.manual_seed(0)
    for m in (nn.LSTM(10, 64, num_layers=2), nn.GRUCell(10, 64), nn.RNN(10, 64)):
        bound = 1 / np.sqrt(64)
        for name, p in m.named_parameters():
            d = p._data
            assert d.dtype == np.float32
            assert np.all(np.abs(d) <= bound), name
            assert abs(d.std() - bound / np.sqrt(3)) < 0.15 * bound, name


def test_dropout_between_layers():
    ag.manual_seed(0)
    m = nn.LSTM(3, 8, num_layers=2, dropout=0.5)
    x = ag.tensor(np.random.default_rng(0).standard_normal((5, 2, 3)).astype(np.float32))
    m.eval()
    e1, e2 = m(x)[0], m(x)[0]
    np.testing.assert_array_equal(e1._data, e2._data)
    m.train()
    t1 = m(x)[0]
    assert not np.allclose(t1._data, e1._data)
    t1.sum().backward()
    assert m.weight_ih_l0.grad is not None
    with pytest.warns(UserWarning, match="dropout"):
        nn.GRU(3, 4, dropout=0.2)


def test_errors():
    lstm = nn.LSTM(3, 4, num_layers=2)
    with pytest.raises(ValueError, match="2D or 3D"):
        lstm(ag.zeros(1, 2, 3, 4))
    with pytest.raises(RuntimeError, match="input_size"):
        lstm(ag.zeros(5, 2, 7))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(2, 2, 4\)"):
        lstm(ag.zeros(5, 2, 3), (ag.zeros(1, 2, 4), ag.zeros(2, 2, 4)))
    with pytest.raises(RuntimeError, match="3-D"):
        lstm(ag.zeros(5, 2, 3), (ag.zeros(2, 4), ag.zeros(2, 4)))
    with pytest.raises(ValueError, match="type"):
        lstm(ag.zeros(5, 2, 3, dtype=ag.float64))
    with pytest.raises(RuntimeError, match="sequence length"):
        lstm(ag.zeros(0, 2, 3))
    gru = nn.GRU(3, 4)
    with pytest.raises(RuntimeError, match=r"Expected hidden size \(1, 2, 4\)"):
        gru(ag.zeros(5, 2, 3), ag.zeros(1, 3, 4))
    with pytest.raises(RuntimeError, match="single tensor"):
        gru(ag.zeros(5, 2, 3), (ag.zeros(1, 2, 4), ag.zeros(1, 2, 4)))
    with pytest.raises(RuntimeError, match="tuple"):
        lstm(ag.zeros(5, 2, 3), ag.zeros(2, 2, 4))
    with pytest.raises(ValueError, match="nonlinearity"):
        nn.RNN(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match="proj_size"):
        nn.GRU(3, 4, proj_size=2)
    with pytest.raises(ValueError, match="dropout"):
        nn.LSTM(3, 4, dropout=1.5)
    with pytest.raises(ValueError, match="hidden_size"):
        nn.GRU(3, 0)
    cell = nn.LSTMCell(3, 4)
    with pytest.raises(ValueError, match="1D or 2D"):
        cell(ag.zeros(1, 2, 3))
    with pytest.raises(ValueError, match="don't fit input"):
        cell(ag.zeros(2, 5))
    with pytest.raises(ValueError, match="hidden state"):
        cell(ag.zeros(2, 3), (ag.zeros(3, 4), ag.zeros(3, 4)))
    with pytest.raises(TypeError, match="dtype"):
        rnn_cells.gru_cell(ag.zeros(2, 3), ag.zeros(2, 4, dtype=ag.float64), ag.zeros(12, 3), ag.zeros(12, 4))


# ---- gradcheck, create_graph, fused vs composition --------------------------------------------------
def _params(mode, ni, nh, rng):
    g = R.GATES[mode] * nh
    return [ag.tensor(rng.standard_normal(s) * 0.5, requires_grad=True)
            for s in ((g, ni), (g, nh), (g,), (g,))]


@pytest.mark.parametrize("mode", list(R.GATES))
@pytest.mark.parametrize("reverse", [False, True])
def test_gradcheck_fused_layer(mode, reverse):
    rng = np.random.default_rng(7)
    x = ag.tensor(rng.standard_normal((4, 3, 2)), requires_grad=True)
    h0 = ag.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    c0 = ag.tensor(rng.standard_normal((3, 2)), requires_grad=True) if mode == "LSTM" else None
    w = _params(mode, 2, 2, rng)
    lengths = np.array([4, 1, 3], np.int64)

    def fn(x, h0, *rest):
        c = rest[0] if mode == "LSTM" else None
        ws = rest[1:] if mode == "LSTM" else rest
        return R.recurrent_layer(mode, x, h0, c, *ws, lengths=lengths, reverse=reverse)

    inputs = [x, h0] + ([c0] if c0 is not None else []) + w
    assert ag.autograd.gradcheck(fn, inputs)
    if not reverse:  # create_graph through the fused op (packed rows included)
        assert ag.autograd.gradgradcheck(fn, inputs)


@pytest.mark.parametrize("mode", list(R.GATES))
@pytest.mark.parametrize("dtype", DTYPES)
def test_fused_layer_gradients_have_the_same_bits_with_create_graph(mode, dtype):
    """create_graph=True differentiates the composition but keeps the kernels' values
    (ops/fused.py): first-order gradients don't change with it (the cells are pinned
    by the op table's generic test)."""
    rng = np.random.default_rng(10)
    base = [rng.standard_normal((4, 3, 2)), rng.standard_normal((3, 2)), rng.standard_normal((3, 2))]
    base += [rng.standard_normal(s) * 0.5 for s in ((R.GATES[mode] * 2, 2), (R.GATES[mode] * 2, 2),
                                                     (R.GATES[mode] * 2,), (R.GATES[mode] * 2,))]
    results = []
    for create_graph in (False, True):
        ts = [ag.tensor(a.astype(dtype), requires_grad=True) for a in base]
        if mode != "LSTM":
            ts[2] = None
        outs = R.recurrent_layer(mode, *ts, lengths=np.array([4, 2, 3], np.int64))
        loss = sum((o * ag.tensor(np.cos(np.arange(o.numel())).reshape(o.shape).astype(dtype))).sum()
                   for o in outs)
        inputs = [t for t in ts if t is not None]
        results.append(ag.autograd.grad(loss, inputs, create_graph=create_graph))
    for fast, recorded in zip(*results):
        np.testing.assert_array_equal(fast._data, recorded._data)


def test_gradgradcheck_through_lstm_layer():
    """create_graph=True: the fused op's backward differentiates the cell composition."""
    ag.manual_seed(0)
    m = nn.LSTM(2, 2, num_layers=2, bidirectional=True).double()
    x = ag.tensor(np.random.default_rng(8).standard_normal((3, 2, 2)), requires_grad=True)

    def fn(x, w):
        out, (h, c) = m(x)
        return out * w, h, c

    w = ag.tensor(np.ones((3, 2, 4)), requires_grad=True)
    assert ag.autograd.gradgradcheck(fn, [x, w])
    # a gradient penalty through the layer matches torch
    torch.manual_seed(0)
    tm = torch.nn.LSTM(2, 2, num_layers=2, bidirectional=True).double()
    m.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    xa = ag.tensor(x._data, requires_grad=True)
    xt = torch.tensor(x._data, requires_grad=True)
    ga, = ag.autograd.grad(m(xa)[0].pow(2).sum(), xa, create_graph=True)
    gt, = torch.autograd.grad(tm(xt)[0].pow(2).sum(), xt, create_graph=True)
    np.testing.assert_allclose(ga._data, gt.detach().numpy(), rtol=1e-9, atol=1e-12)
    ga.pow(2).sum().backward()
    gt.pow(2).sum().backward()
    np.testing.assert_allclose(xa.grad._data, xt.grad.numpy(), rtol=1e-7, atol=1e-10)
    for name, p in tm.named_parameters():
        np.testing.assert_allclose(dict(m.named_parameters())[name].grad._data, p.grad.numpy(),
                                   rtol=1e-7, atol=1e-10, err_msg=name)


@pytest.mark.parametrize("mode", list(R.GATES))
@pytest.mark.parametrize("dtype", DTYPES)
def test_fused_matches_cell_composition(mode, dtype):
    rng = np.random.default_rng(9)
    nt, nb, ni, nh = 6, 3, 3, 4
    lengths_cases = (None, np.array([6, 2, 5], np.int64))
    for lengths, reverse in itertools.product(lengths_cases, (False, True)):
        base = [rng.standard_normal((nt, nb, ni)), rng.standard_normal((nb, nh)),
                rng.standard_normal((nb, nh))] + [
            rng.standard_normal(s) * 0.5 for s in ((R.GATES[mode] * nh, ni), (R.GATES[mode] * nh, nh),
                                                   (R.GATES[mode] * nh,), (R.GATES[mode] * nh,))]
        results = []
        for fused in (True, False):
            ts = [ag.tensor(a.astype(dtype), requires_grad=True) for a in base]
            if mode != "LSTM":
                ts[2] = None
            fn = R.recurrent_layer if fused else R.layer_ops
            args = (mode, *ts, lengths, reverse) if not fused else (mode, *ts)
            outs = fn(*args) if not fused else fn(*args, lengths=lengths, reverse=reverse)
            loss = sum((o * ag.tensor(np.cos(np.arange(o.numel())).reshape(o.shape).astype(dtype))).sum()
                       for o in outs)
            loss.backward()
            results.append([o._data for o in outs] + [t.grad._data for t in ts if t is not None])
        for a, b in zip(*results):
            np.testing.assert_allclose(a, b, **TOL[np.dtype(dtype)])


def test_second_backward_raises_and_retain_graph_works():
    m = nn.GRU(3, 4)
    x = ag.tensor(np.ones((3, 2, 3), np.float32), requires_grad=True)
    out, h = m(x)
    out.sum().backward(retain_graph=True)
    g1 = x.grad._data.copy()
    out.sum().backward()
    np.testing.assert_allclose(x.grad._data, 2 * g1, rtol=1e-6)
    with pytest.raises(RuntimeError, match="second time"):
        out.sum().backward()
    cell = nn.LSTMCell(3, 4)
    h, c = cell(x[0])
    (h.sum() + c.sum()).backward()
    with pytest.raises(RuntimeError, match="second time"):
        h.sum().backward()


# ---- LSTM with projections (proj_size > 0) ---------------------------------------------------------
# torch warns once that oneDNN has no projected LSTM (it falls back to its own kernel)
_NO_ONEDNN_WARNING = pytest.mark.filterwarnings("ignore:LSTM with projections is not supported")


def _proj_states(layers, nd, b, h, p, seed=2):
    """(h0 (L*D, B, P), c0 (L*D, B, H)): h has the projected size, c the hidden size."""
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((layers * nd, b, p)), rng.standard_normal((layers * nd, b, h)))


@_NO_ONEDNN_WARNING
@pytest.mark.parametrize("layers,bidirectional,batch_first,with_state",
                         list(itertools.product([1, 2], [False, True], [False, True], [False, True])))
def test_lstm_proj_matches_torch(layers, bidirectional, batch_first, with_state):
    nd = 2 if bidirectional else 1
    x = _x(4, 3, 5, batch_first)
    inputs = [x, _proj_states(layers, nd, 3, 6, 2) if with_state else None]
    compare(_make("LSTM", 5, 6, num_layers=layers, bidirectional=bidirectional,
                  batch_first=batch_first, proj_size=2), inputs)


@_NO_ONEDNN_WARNING
def test_lstm_proj_no_bias_unbatched_and_longer():
    compare(_make("LSTM", 3, 5, num_layers=2, bias=False, bidirectional=True, proj_size=3),
            [_x(5, 2, 3, False), None])
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 3))  # unbatched (T, I), states (L*D, P) and (L*D, H)
    st = tuple(s[:, 0] for s in _proj_states(2, 2, 1, 5, 3))
    compare(_make("LSTM", 3, 5, num_layers=2, bidirectional=True, proj_size=3), [x, st])
    compare(_make("LSTM", 3, 5, batch_first=True, proj_size=1), [x, None])
    compare(_make("LSTM", 4, 6, num_layers=2, proj_size=4), [_x(30, 2, 4, False), None])


@_NO_ONEDNN_WARNING
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("with_state", [False, True])
def test_lstm_proj_packed_matches_torch(bidirectional, with_state):
    import torch.nn.utils.rnn as trnn
    from autograd_lite.nn.utils import rnn as arnn
    lengths = [3, 5, 1, 5]  # unsorted, with a tie

    def call(m, x, st):
        if isinstance(m, torch.nn.Module):
            p = trnn.pack_padded_sequence(x, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
            out, (h, c) = m(p, st)
            return out.data, trnn.pad_packed_sequence(out, batch_first=True)[0], h, c, out.batch_sizes.double()
        p = arnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        out, (h, c) = m(p, st)
        assert isinstance(out, arnn.PackedSequence)
        return (out.data, arnn.pad_packed_sequence(out, batch_first=True)[0], h, c,
                out.batch_sizes.to(ag.float64))

    nd = 2 if bidirectional else 1
    st = _proj_states(2, nd, 4, 5, 2) if with_state else None
    compare(_make("LSTM", 3, 5, num_layers=2, bidirectional=bidirectional, batch_first=True,
                  proj_size=2), [_x(5, 4, 3, True), st], call=call)


@_NO_ONEDNN_WARNING
def test_lstm_proj_state_dict_load_and_repr():
    make = _make("LSTM", 4, 6, proj_size=3, num_layers=2, bidirectional=True)
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs) == "LSTM(4, 6, proj_size=3, num_layers=2, bidirectional=True)"
    assert list(ours.state_dict()) == list(theirs.state_dict())  # registration order included
    assert_state_dict_like(ours, theirs)
    assert [len(w) for w in ours.all_weights] == [5, 5, 5, 5]
    assert ours.all_weights[1][4] is ours.weight_hr_l0_reverse
    assert tuple(ours.weight_hr_l1.shape) == (3, 6) and tuple(ours.weight_ih_l1.shape) == (24, 6)
    assert tuple(ours.weight_hh_l0.shape) == (24, 3)
    for kw in (dict(bias=False), dict(batch_first=True, dropout=0.2, num_layers=2)):
        o, t = nn.LSTM(3, 5, proj_size=2, **kw), torch.nn.LSTM(3, 5, proj_size=2, **kw)
        assert repr(o) == repr(t)
        assert_state_dict_like(o, t)
    assert [len(w) for w in nn.LSTM(3, 5, proj_size=2, bias=False).all_weights] == [3]
    # torch's weights load unchanged (as NumPy and as torch tensors), and ours load into torch
    torch.manual_seed(0)
    theirs = torch.nn.LSTM(3, 5, proj_size=2, num_layers=2, bidirectional=True)
    ours = nn.LSTM(3, 5, proj_size=2, num_layers=2, bidirectional=True)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((4, 2, 3)).astype(np.float32)
    out_a, (h_a, c_a) = ours(ag.tensor(x))
    out_t, (h_t, c_t) = theirs(torch.tensor(x))
    assert out_a.shape == (4, 2, 4) and h_a.shape == (4, 2, 2) and c_a.shape == (4, 2, 5)
    for a, t in ((out_a, out_t), (h_a, h_t), (c_a, c_t)):
        np.testing.assert_allclose(a._data, t.detach().numpy(), rtol=1e-4, atol=1e-5)
    again = nn.LSTM(3, 5, proj_size=2, num_layers=2, bidirectional=True)
    again.load_state_dict(theirs.state_dict())
    np.testing.assert_array_equal(again(ag.tensor(x))[0]._data, out_a._data)
    theirs2 = torch.nn.LSTM(3, 5, proj_size=2, num_layers=2, bidirectional=True)
    theirs2.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    np.testing.assert_allclose(theirs2(torch.tensor(x))[0].detach().numpy(), out_a._data,
                               rtol=1e-4, atol=1e-5)


def test_lstm_proj_init_and_dropout():
    ag.manual_seed(0)
    m = nn.LSTM(10, 64, num_layers=2, proj_size=16)
    bound = 1 / np.sqrt(64)  # the hidden size's, for weight_hr too (as torch)
    for name, p in m.named_parameters():
        assert p._data.dtype == np.float32
        assert np.all(np.abs(p._data) <= bound), name
        assert abs(p._data.std() - bound / np.sqrt(3)) < 0.15 * bound, name
    m = nn.LSTM(3, 8, num_layers=2, dropout=0.5, proj_size=2)
    x = ag.tensor(np.random.default_rng(0).standard_normal((5, 2, 3)).astype(np.float32))
    m.eval()
    np.testing.assert_array_equal(m(x)[0]._data, m(x)[0]._data)
    m.train()
    t1 = m(x)[0]
    assert not np.allclose(t1._data, m.eval()(x)[0]._data)
    t1.sum().backward()
    assert m.weight_hr_l0.grad is not None and m.weight_ih_l0.grad is not None


def test_lstm_proj_errors():
    for p in (4, 5):
        with pytest.raises(ValueError, match="proj_size has to be smaller than hidden_size"):
            nn.LSTM(3, 4, proj_size=p)
    with pytest.raises(ValueError, match="proj_size should be a positive integer or zero"):
        nn.LSTM(3, 4, proj_size=-1)
    for cls in (nn.RNN, nn.GRU):
        with pytest.raises(ValueError, match="only supported for LSTM"):
            cls(3, 4, proj_size=2)
    lstm = nn.LSTM(3, 4, num_layers=2, proj_size=2)
    x = ag.zeros(5, 3, 3)
    # h0 has the projected size, c0 the hidden size (torch's messages)
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(2, 3, 2\), got \[2, 3, 4\]"):
        lstm(x, (ag.zeros(2, 3, 4), ag.zeros(2, 3, 4)))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[1\] size \(2, 3, 4\), got \[2, 3, 2\]"):
        lstm(x, (ag.zeros(2, 3, 2), ag.zeros(2, 3, 2)))
    with pytest.raises(RuntimeError, match=r"Expected hidden\[0\] size \(2, 1, 2\)"):
        lstm(ag.zeros(5, 3), (ag.zeros(2, 4), ag.zeros(2, 4)))  # unbatched
    out, (h, c) = lstm(x, (ag.zeros(2, 3, 2), ag.zeros(2, 3, 4)))
    assert out.shape == (5, 3, 2) and h.shape == (2, 3, 2) and c.shape == (2, 3, 4)


def test_gradcheck_lstm_proj():
    rng = np.random.default_rng(10)
    nt, nb, ni, nh, npj = 4, 3, 2, 3, 2
    x = ag.tensor(rng.standard_normal((nt, nb, ni)), requires_grad=True)
    h0 = ag.tensor(rng.standard_normal((nb, npj)), requires_grad=True)
    c0 = ag.tensor(rng.standard_normal((nb, nh)), requires_grad=True)
    w = [ag.tensor(rng.standard_normal(s) * 0.5, requires_grad=True)
         for s in ((4 * nh, ni), (4 * nh, npj), (4 * nh,), (4 * nh,), (npj, nh))]
    lengths = np.array([4, 1, 3], np.int64)
    for lens, reverse in ((None, False), (lengths, True)):
        def fn(*args):
            *weights, w_hr = args
            return R.layer_ops("LSTM", *weights, lengths=lens, reverse=reverse, w_hr=w_hr)
        assert ag.autograd.gradcheck(fn, [x, h0, c0] + w)
        assert ag.autograd.gradgradcheck(fn, [x, h0, c0] + w)
    # and through the module: 2 layers, bidirectional, gradients w.r.t. input and states
    ag.manual_seed(0)
    m = nn.LSTM(2, 3, num_layers=2, bidirectional=True, proj_size=1).double()
    xs = ag.tensor(rng.standard_normal((3, 2, 2)), requires_grad=True)
    hs = ag.tensor(rng.standard_normal((4, 2, 1)), requires_grad=True)
    cs = ag.tensor(rng.standard_normal((4, 2, 3)), requires_grad=True)

    def fm(x, h, c):
        out, (hn, cn) = m(x, (h, c))
        return out, hn, cn
    assert ag.autograd.gradcheck(fm, [xs, hs, cs])
    assert ag.autograd.gradgradcheck(fm, [xs, hs, cs])
