"""The CNN digits example trains: a short run is already far above chance, and the
model's shapes and the shift augmentation behave."""
import numpy as np
import pytest

pytest.importorskip("sklearn")

import autograd_lite as ag  # noqa: E402
from autograd_lite.examples import cnn_digits  # noqa: E402


def test_short_training_run_learns(capsys):
    acc, seconds = cnn_digits.train(epochs=3, verbose=True)
    out = capsys.readouterr().out
    assert "epoch   3" in out and "test accuracy" in out
    assert acc > 0.85  # three epochs of the 20 the example runs; chance is 0.1
    assert seconds > 0


def test_model_shapes_and_random_shift():
    model = cnn_digits.make_model(width=8)
    assert model(ag.randn(5, 1, 8, 8)).shape == (5, 10)
    x = ag.tensor(np.arange(64, dtype=np.float32).reshape(1, 1, 8, 8))
    shifted = cnn_digits.random_shift(x, np.random.default_rng(0))
    assert shifted.shape == (1, 1, 8, 8)
    # a shift by at most one pixel: the inner 6x6 block appears in the shifted image
    inner = x._data[0, 0, 1:7, 1:7]
    assert any(np.array_equal(shifted._data[0, 0, i:i + 6, j:j + 6], inner) for i in range(3) for j in range(3))
