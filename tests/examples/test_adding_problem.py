"""The adding-problem example learns (a reduced run: sequence 20, at most 800 steps)."""
from autograd_lite.examples import adding_problem


def test_lstm_learns_the_adding_problem():
    lines = []
    val, steps, _ = adding_problem.train(seq_len=20, hidden=32, batch=64, lr=1e-2, steps=800,
                                         target=0.02, eval_every=50, log=lines.append)
    assert val < 0.02 < adding_problem.BASELINE_MSE / 5, (val, steps, lines[-3:])
    assert lines[-1].startswith("solved")


def test_batches_have_two_markers_and_the_right_target():
    import numpy as np

    x, y = adding_problem.adding_batch(np.random.default_rng(0), 16, 10)
    assert x.shape == (16, 10, 2) and y.shape == (16, 1)
    assert np.all(x[:, :, 1].sum(1) == 2)
    np.testing.assert_allclose((x[:, :, 0] * x[:, :, 1]).sum(1, keepdims=True), y, rtol=1e-6)
