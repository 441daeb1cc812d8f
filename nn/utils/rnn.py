"""Variable-length sequences as PyTorch's nn.utils.rnn: PackedSequence,
pack_padded_sequence, pad_packed_sequence, pad_sequence, pack_sequence.

A PackedSequence holds the valid steps time-major: for each step t the rows of the
batch_sizes[t] longest sequences (sorted by decreasing length). The recurrent layers
turn it into padded (T, B, *) input in the original batch order plus per-row
lengths, and their kernels skip each row's steps past its length. Packing and
unpacking are index gathers, so gradients flow through them.
"""
from collections import namedtuple

import numpy as np

import autograd_lite as ag
from autograd_lite.extend import ShapeError

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "pack_sequence", "unpad_sequence", "unpack_sequence", "invert_permutation"]


class PackedSequence(namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices",
                                                   "unsorted_indices"])):
    """(data (sum of lengths, *), batch_sizes (T,) int64, sorted_indices, unsorted_indices)."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None and sorted_indices is not None:
            unsorted_indices = invert_permutation(sorted_indices)
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """The same sequence with `data` converted as `Tensor.to` does (itself when nothing changes)."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else type(self)(data, *self[1:])

    def float(self):
        """The same sequence with float32 `data`."""
        return self.to(ag.float32)

    def double(self):
        """The same sequence with float64 `data`."""
        return self.to(ag.float64)

    @property
    def is_cuda(self):
        """False: the data lives on the CPU."""
        return False

    def is_pinned(self):
        """False: there is no pinned memory on the CPU only."""
        return False


def invert_permutation(permutation):
    """The inverse of an index permutation (None stays None): `out[p[i]] = i`."""
    if permutation is None:
        return None
    p = np.asarray(permutation._data if isinstance(permutation, ag.Tensor) else permutation)
    out = np.empty_like(p)
    out[p] = np.arange(p.size, dtype=p.dtype)
    return ag.tensor(out)


def _lengths_array(lengths):
    if isinstance(lengths, ag.Tensor):
        lengths = lengths._data
    arr = np.asarray(lengths)
    if arr.ndim != 1 or (arr.size and arr.dtype.kind not in "iu"):
        raise ValueError(f"pack_padded_sequence: lengths must be a 1-D sequence of integers, got "
                         f"shape {arr.shape} ({arr.dtype})")
    return arr.astype(np.int64)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) ((B, T, *) if batch_first) of sequences with the
    given lengths. With enforce_sorted the lengths must be in decreasing order;
    otherwise the batch is sorted here and the permutation kept."""
    lengths = _lengths_array(lengths)
    nb = input.shape[0 if batch_first else 1]
    if lengths.size != nb:
        raise ValueError(f"pack_padded_sequence: Expected `len(lengths)` to be equal to batch_size, "
                         f"but got {lengths.size} (batch_size={nb})")
    if enforce_sorted:
        if np.any(np.diff(lengths) > 0):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence "
                "to sidestep this requirement if you do not need ONNX exportability.")
        sorted_idx = None
        order = np.arange(nb)
    else:
        order = np.argsort(-lengths, kind="stable")
        sorted_idx = ag.tensor(order.astype(np.int64))
    if lengths.size and lengths.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    nt = input.shape[1 if batch_first else 0]
    if lengths.size and lengths.max() > nt:
        raise RuntimeError(f"pack_padded_sequence: a length of {lengths.max()} exceeds the "
                           f"{nt} steps of the input")
    sl = lengths[order]
    batch_sizes = np.array([(sl > t).sum() for t in range(int(sl.max()) if sl.size else 0)], np.int64)
    # flat index into the input viewed as (T*B, *) (time-major) or (B*T, *)
    rows = []
    for t, bs in enumerate(batch_sizes):
        cols = order[:bs]
        rows.append(cols * nt + t if batch_first else t * nb + cols)
    idx = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    flat = ag.reshape(input, (-1,) + tuple(input.shape[2:]))
    data = flat[ag.tensor(idx)]
    return PackedSequence(data, ag.tensor(batch_sizes), sorted_idx, None)


def _layout(sequence):
    """(batch_sizes, order (sorted position -> original row), lengths in original order)."""
    bs = np.asarray(sequence.batch_sizes._data, np.int64)
    nb = int(bs[0]) if bs.size else 0
    order = (np.arange(nb) if sequence.sorted_indices is None
             else np.asarray(sequence.sorted_indices._data, np.int64))
    sorted_lengths = np.array([(bs > j).sum() for j in range(nb)], np.int64)
    lengths = np.empty(nb, np.int64)
    lengths[order] = sorted_lengths
    return bs, order, lengths


def _gather_index(bs, order, nt):
    """For each padded (t, b) of a time-major (T, B) grid: its row in the packed data,
    or the row count (a zero row appended for padding)."""
    nb = order.size
    n = int(bs.sum())
    idx = np.full((nt, nb), n, np.int64)
    offset = 0
    for t, b in enumerate(bs):
        idx[t, order[:b]] = np.arange(offset, offset + b)
        offset += b
    return idx


def _packed_to_padded(sequence, padding_value=0.0, total_length=None):
    """Time-major padded data (T, B, *) in the original batch order and the lengths."""
    bs, order, lengths = _layout(sequence)
    nt = len(bs) if total_length is None else total_length
    data = sequence.data
    pad = ag.full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)
    idx = _gather_index(bs, order, nt)
    return ag.cat([data, pad], 0)[ag.tensor(idx)], lengths


def _padded_to_packed(padded, like):
    """The inverse of _packed_to_padded for a layer's output (T, B, F), packed as `like`."""
    bs, order, _ = _layout(like)
    nb = padded.shape[1]
    idx = np.concatenate([t * nb + order[:b] for t, b in enumerate(bs)])
    flat = ag.reshape(padded, (-1,) + tuple(padded.shape[2:]))
    return PackedSequence(flat[ag.tensor(idx)], like.batch_sizes, like.sorted_indices,
                          like.unsorted_indices)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo pack_padded_sequence: (padded (T, B, *) or (B, T, *), lengths (B,) int64),
    in the original batch order."""
    max_len = len(sequence.batch_sizes)
    if total_length is not None and total_length < max_len:
        raise ValueError(
            "Expected total_length to be at least the length of the longest sequence in input, "
            f"but got total_length={total_length} and max sequence length being {max_len}")
    padded, lengths = _packed_to_padded(sequence, padding_value, total_length)
    if batch_first:
        padded = ag.transpose(padded, 0, 1)
    return padded, ag.tensor(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors (L_i, *) into (T, B, *) ((B, T, *) if batch_first), padding with
    padding_value on the right (or left)."""
    if padding_side not in ("left", "right"):
        raise ValueError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, ag.Tensor):
        sequences = list(ag.unbind(sequences, 0))
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("pad_sequence: received an empty list of sequences")
    nt = max(s.shape[0] for s in sequences)
    rest = tuple(sequences[0].shape[1:])
    cols = []
    for s in sequences:
        if tuple(s.shape[1:]) != rest:
            raise ShapeError(f"pad_sequence: sequences of shapes {tuple(sequences[0].shape)} and "
                             f"{tuple(s.shape)} differ beyond the first dim")
        n = nt - s.shape[0]
        if n:
            pad = ag.full((n,) + rest, padding_value, dtype=s.dtype)
            s = ag.cat([s, pad] if padding_side == "right" else [pad, s], 0)
        cols.append(s)
    return ag.stack(cols, 0 if batch_first else 1)


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of tensors (L_i, *) as a PackedSequence (`pad_sequence`, then
    `pack_padded_sequence`). With `enforce_sorted` (the default) the lengths must
    decrease, else ValueError; pass `enforce_sorted=False` to have them sorted."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch (T, B, *) ((B, T, *) with `batch_first`) back into the list
    of its B sequences, cut to their `lengths`."""
    if not batch_first:
        padded_sequences = ag.transpose(padded_sequences, 0, 1)
    return [padded_sequences[i, :int(n)] for i, n in enumerate(_lengths_array(lengths))]


def unpack_sequence(packed_sequences):
    """The list of sequences a PackedSequence holds, in their original batch order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
