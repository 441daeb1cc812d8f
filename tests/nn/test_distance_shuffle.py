"""PairwiseDistance, CosineSimilarity, F.normalize, PixelShuffle/PixelUnshuffle and
ChannelShuffle beyond the op table: the modules (repr, outputs, gradients), vectors of
(near) zero norm where the eps floors act, errors, and shapes of empty inputs."""
import numpy as np
import pytest
import torch

import autograd_lite as ag
import autograd_lite.nn.functional as F
from autograd_lite import nn
from helpers import compare, randn

TF = torch.nn.functional


def _lib_fn(lib, name):
    return getattr(F if lib is ag else TF, name)


@pytest.mark.parametrize("make", [
    lambda m: m.PairwiseDistance(), lambda m: m.PairwiseDistance(1.0, 1e-3, True),
    lambda m: m.PairwiseDistance(p=float("inf")), lambda m: m.CosineSimilarity(),
    lambda m: m.CosineSimilarity(dim=0, eps=1e-3),
])
def test_distance_modules(make):
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    assert ours.state_dict() == {}
    compare(lambda lib, a, b: (ours if lib is ag else theirs)(a, b), randn(4, 5, seed=1), randn(4, 5, seed=2))


def test_cosine_similarity_small_norms_floor_passes_the_gradient():
    """Below eps the norm is floored at eps, and its gradient passes as if it were not
    (PyTorch clamps a clone of the norm without recording it)."""
    x1 = np.array([[3e-9, 4e-9], [3.0, 4.0], [0.0, 0.0]])
    x2 = np.array([[1.0, 2.0], [1e-12, 0.0], [1.0, 1.0]])
    compare(lambda lib, a, b: _lib_fn(lib, "cosine_similarity")(a, b, dim=1), x1, x2, dtypes=(np.float64,))
    compare(lambda lib, a, b: _lib_fn(lib, "cosine_similarity")(a, b, 1, 0.9), x1 * 0.1, x2,
            dtypes=(np.float64,))


def test_cosine_similarity_large_and_tiny_vectors():
    x = np.array([[1e150, 2e150], [0.1, 0.7], [1e-200, 1e-200]])
    out = F.cosine_similarity(ag.tensor(x), ag.tensor(x * 3)).numpy()
    assert np.all(np.abs(out) <= 1.0 + 1e-15)
    np.testing.assert_allclose(out, TF.cosine_similarity(torch.tensor(x), torch.tensor(x * 3)).numpy())


def test_normalize_zero_rows_and_out():
    x = np.array([[0.0, 0.0, 0.0], [3.0, 4.0, 0.0]])
    compare(lambda lib, t: _lib_fn(lib, "normalize")(t), x, dtypes=(np.float64,))
    compare(lambda lib, t: _lib_fn(lib, "normalize")(t, p=1, dim=0), x, dtypes=(np.float64,))
    out = ag.empty((2, 3), dtype=ag.float64)
    assert F.normalize(ag.tensor(x), out=out) is out
    np.testing.assert_allclose(out.numpy(), TF.normalize(torch.tensor(x)).numpy())
    with pytest.raises(RuntimeError, match="out="):
        F.normalize(ag.tensor(x, requires_grad=True), out=out)


def test_distance_errors():
    with pytest.raises(RuntimeError, match="floating point"):
        F.cosine_similarity(ag.tensor([1, 2]), ag.tensor([1, 2]), dim=0)
    with pytest.raises(IndexError):
        F.cosine_similarity(ag.randn(2, 3), ag.randn(2, 3), dim=5)
    with pytest.raises(ValueError, match="broadcast"):
        F.pairwise_distance(ag.randn(2, 3), ag.randn(2, 4))


@pytest.mark.parametrize("make,shape", [
    (lambda m: m.PixelShuffle(2), (2, 8, 3, 3)), (lambda m: m.PixelShuffle(3), (9, 2, 1)),
    (lambda m: m.PixelUnshuffle(2), (2, 2, 4, 6)), (lambda m: m.PixelUnshuffle(3), (1, 1, 3, 6, 3)),
    (lambda m: m.ChannelShuffle(3), (2, 6, 3, 3)), (lambda m: m.ChannelShuffle(2), (2, 4, 5)),
])
def test_shuffle_modules(make, shape):
    ours, theirs = make(nn), make(torch.nn)
    assert repr(ours) == repr(theirs)
    compare(lambda lib, x: (ours if lib is ag else theirs)(x), randn(*shape, seed=3))


def test_shuffles_are_inverse_and_keep_integers():
    x = ag.arange(2 * 8 * 3 * 3).reshape(2, 8, 3, 3)
    y = F.pixel_shuffle(x, 2)
    assert y.dtype == ag.int64 and y.shape == (2, 2, 6, 6)
    np.testing.assert_array_equal(F.pixel_unshuffle(y, 2).numpy(), x.numpy())
    np.testing.assert_array_equal(F.channel_shuffle(F.channel_shuffle(x, 2), 4).numpy(), x.numpy())


def test_empty_shapes():
    assert F.pixel_shuffle(ag.randn(0, 4, 2, 2), 2).shape == (0, 1, 4, 4)
    # PyTorch returns an input with no elements unchanged ((0, 1, 2, 2)); ours keeps the
    # documented shape, so a batch of none stacks with batches of some
    assert F.pixel_unshuffle(ag.randn(0, 1, 2, 2), 2).shape == (0, 4, 1, 1)
    assert F.channel_shuffle(ag.randn(0, 6, 2), 3).shape == (0, 6, 2)


@pytest.mark.parametrize("call,match", [
    (lambda: F.pixel_shuffle(ag.randn(8, 3), 2), "at least 3 dimensions"),
    (lambda: F.pixel_shuffle(ag.randn(2, 6, 3, 3), 2), "divisible by the square"),
    (lambda: F.pixel_shuffle(ag.randn(2, 4, 3, 3), 0), "positive upscale_factor"),
    (lambda: F.pixel_unshuffle(ag.randn(2, 2, 5, 6), 2), "height"),
    (lambda: F.pixel_unshuffle(ag.randn(2, 2, 4, 5), 2), "width"),
    (lambda: F.pixel_unshuffle(ag.randn(2, 2, 4, 4), -1), "positive downscale_factor"),
    (lambda: F.channel_shuffle(ag.randn(2, 6), 3), "> 2 dims"),
    (lambda: F.channel_shuffle(ag.randn(2, 6, 3), 4), "divisible by groups"),
    (lambda: F.channel_shuffle(ag.randn(2, 6, 3), 0), "must be positive"),
])
def test_shuffle_errors_are_torchs(call, match):
    with pytest.raises(RuntimeError, match=match):
        call()
