"""nn.utils.rnn (PackedSequence, pack/pad) and recurrent layers on packed input,
against PyTorch: values, lengths, indices and gradients."""
import numpy as np
import pytest
import torch
import torch.nn.utils.rnn as trnn

import autograd_lite as ag
from autograd_lite import nn
from autograd_lite.nn.utils import rnn as arnn
from nn_helpers import load_from_torch

LENGTHS_SORTED = [5, 5, 3, 1]
LENGTHS = [3, 5, 1, 5]  # unsorted, with a tie


def _pad(batch_first, seed=0, nt=5, nb=4, f=3):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((nb, nt, f) if batch_first else (nt, nb, f))


def _same_packed(pa, pt):
    np.testing.assert_allclose(pa.data._data, pt.data.detach().numpy(), rtol=1e-12)
    np.testing.assert_array_equal(pa.batch_sizes._data, pt.batch_sizes.numpy())
    for a, t in ((pa.sorted_indices, pt.sorted_indices), (pa.unsorted_indices, pt.unsorted_indices)):
        assert (a is None) == (t is None)
        if t is not None:
            np.testing.assert_array_equal(a._data, t.numpy())


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("lengths,enforce", [(LENGTHS_SORTED, True), (LENGTHS, False),
                                             (LENGTHS_SORTED, False)])
def test_pack_and_pad_match_torch(batch_first, lengths, enforce):
    x = _pad(batch_first)
    xa = ag.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    pa = arnn.pack_padded_sequence(xa, lengths, batch_first=batch_first, enforce_sorted=enforce)
    pt = trnn.pack_padded_sequence(xt, torch.tensor(lengths), batch_first=batch_first,
                                   enforce_sorted=enforce)
    _same_packed(pa, pt)
    for total in (None, 7):
        ya, la = arnn.pad_packed_sequence(pa, batch_first=batch_first, padding_value=-1.5,
                                          total_length=total)
        yt, lt = trnn.pad_packed_sequence(pt, batch_first=batch_first, padding_value=-1.5,
                                          total_length=total)
        np.testing.assert_allclose(ya._data, yt.detach().numpy(), rtol=1e-12)
        np.testing.assert_array_equal(la._data, lt.numpy())
        assert la.dtype == np.int64
    w = np.random.default_rng(1).standard_normal(tuple(yt.shape))
    (ya * ag.tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(xa.grad._data, xt.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence_and_pack_sequence(batch_first, side):
    rng = np.random.default_rng(2)
    seqs = [rng.standard_normal((n, 2)) for n in (2, 4, 1)]
    pa = arnn.pad_sequence([ag.tensor(s) for s in seqs], batch_first=batch_first, padding_value=3.0,
                           padding_side=side)
    pt = trnn.pad_sequence([torch.tensor(s) for s in seqs], batch_first=batch_first, padding_value=3.0,
                           padding_side=side)
    np.testing.assert_allclose(pa._data, pt.numpy())
    _same_packed(arnn.pack_sequence([ag.tensor(s) for s in seqs], enforce_sorted=False),
                 trnn.pack_sequence([torch.tensor(s) for s in seqs], enforce_sorted=False))
    back = arnn.unpack_sequence(arnn.pack_sequence([ag.tensor(s) for s in seqs], enforce_sorted=False))
    for a, s in zip(back, seqs):
        np.testing.assert_allclose(a._data, s)


@pytest.mark.parametrize("kind", ["LSTM", "GRU", "RNN"])
@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_layers_on_packed_input_match_torch(kind, bidirectional, dtype):
    tol = dict(rtol=1e-6, atol=1e-8) if dtype == np.float64 else dict(rtol=1e-4, atol=1e-5)
    nd = 2 if bidirectional else 1
    torch.manual_seed(0)
    theirs = getattr(torch.nn, kind)(3, 4, num_layers=2, bidirectional=bidirectional, batch_first=True)
    theirs = theirs.to(torch.float64 if dtype == np.float64 else torch.float32)
    ours = getattr(nn, kind)(3, 4, num_layers=2, bidirectional=bidirectional, batch_first=True).to(dtype)
    load_from_torch(ours, theirs)
    rng = np.random.default_rng(3)
    x = _pad(True).astype(dtype)
    h0 = rng.standard_normal((2 * nd, 4, 4)).astype(dtype)
    c0 = rng.standard_normal((2 * nd, 4, 4)).astype(dtype)
    xa, xt = ag.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ha, ht = ag.tensor(h0, requires_grad=True), torch.tensor(h0, requires_grad=True)
    ca, ct = ag.tensor(c0, requires_grad=True), torch.tensor(c0, requires_grad=True)
    pa = arnn.pack_padded_sequence(xa, LENGTHS, batch_first=True, enforce_sorted=False)
    pt = trnn.pack_padded_sequence(xt, torch.tensor(LENGTHS), batch_first=True, enforce_sorted=False)
    if kind == "LSTM":
        oa, (hna, cna) = ours(pa, (ha, ca))
        ot, (hnt, cnt) = theirs(pt, (ht, ct))
        outs = [(oa.data, ot.data), (hna, hnt), (cna, cnt)]
    else:
        oa, hna = ours(pa, ha)
        ot, hnt = theirs(pt, ht)
        outs = [(oa.data, ot.data), (hna, hnt)]
    assert isinstance(oa, arnn.PackedSequence)
    np.testing.assert_array_equal(oa.batch_sizes._data, ot.batch_sizes.numpy())
    loss_a, loss_t = 0, 0
    for i, (a, t) in enumerate(outs):
        np.testing.assert_allclose(a._data, t.detach().numpy(), err_msg=f"output {i}", **tol)
        w = rng.standard_normal(tuple(t.shape)).astype(dtype)
        loss_a = loss_a + (a * ag.tensor(w)).sum()
        loss_t = loss_t + (t * torch.tensor(w)).sum()
    loss_a.backward()
    loss_t.backward()
    grads = [(xa, xt), (ha, ht)] + ([(ca, ct)] if kind == "LSTM" else [])
    for i, (a, t) in enumerate(grads):
        np.testing.assert_allclose(a.grad._data, t.grad.numpy(), err_msg=f"grad {i}", **tol)
    tp = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad._data, tp[name].grad.numpy(), err_msg=name, **tol)
    # unpacking the output gives torch's padded output
    ya, la = arnn.pad_packed_sequence(oa, batch_first=True)
    yt, lt = trnn.pad_packed_sequence(ot, batch_first=True)
    np.testing.assert_allclose(ya._data, yt.detach().numpy(), **tol)
    np.testing.assert_array_equal(la._data, lt.numpy())


def test_packing_errors():
    x = ag.zeros(5, 4, 3)
    with pytest.raises(RuntimeError, match="sorted in decreasing order"):
        arnn.pack_padded_sequence(x, LENGTHS)
    with pytest.raises(RuntimeError, match="greater than 0"):
        arnn.pack_padded_sequence(x, [5, 3, 2, 0])
    with pytest.raises(ValueError, match="batch_size"):
        arnn.pack_padded_sequence(x, [5, 3])
    p = arnn.pack_padded_sequence(x, LENGTHS_SORTED)
    with pytest.raises(ValueError, match="total_length"):
        arnn.pad_packed_sequence(p, total_length=3)
